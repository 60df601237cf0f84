/**
 * The settings JSON Schemas (GET /api/schemas), fetched once per page load:
 * the forms take their limits from them, so they match the API's zod schemas.
 *
 * @module
 */
import { api, call } from "./api";
import type { SettingsSchemas } from "./types";

let pending: Promise<SettingsSchemas> | null = null;

/** The schemas; a failed fetch is retried on the next call. */
export function settingsSchemas(): Promise<SettingsSchemas> {
  pending ??= call(api.api.schemas.$get()).catch((e: unknown) => {
    pending = null;
    throw e;
  });
  return pending;
}
