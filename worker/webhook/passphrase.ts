/**
 * The webhook secret outside the URL. TradersPost-style URLs carry it in the
 * path (`/webhook/<strategyId>/<secret>`), which every sender can use but
 * which also travels through anything that records URLs. A sender that can
 * set a header or edit the message may instead call `/webhook/<strategyId>`
 * and send the secret as
 *
 * - the `X-Webhook-Passphrase` header (own code, most HTTP tools), or
 * - a top-level `"passphrase"` field of the JSON message (TradingView and
 *   other alert services that only let you write the body; the convention of
 *   open-source TradingView bridges).
 *
 * The field is removed before the message is parsed, logged or echoed, so the
 * secret is never stored, whichever way it came.
 *
 * @module
 */
import { jsonDeeperThan } from "../lib/json-depth";
import { MAX_JSON_DEPTH } from "../trading/parse-signal";

/** The header that may carry the secret. */
export const PASSPHRASE_HEADER = "X-Webhook-Passphrase";
/** The body field that may carry the secret. */
export const PASSPHRASE_FIELD = "passphrase";

const FIELD_TEXT = `"${PASSPHRASE_FIELD}"`;

/**
 * Finds and removes `passphrase` from a JSON message (a signal object, or
 * each object of a list). Returns the message without it (re-serialized only
 * when it held one) and the first passphrase found. Text that is not JSON,
 * or is nested too deeply to parse safely, is returned unchanged.
 */
export function takePassphrase(text: string): { text: string; passphrase: string | undefined } {
  // Cheap test first: almost every message has no passphrase field.
  if (!text.includes(FIELD_TEXT) || jsonDeeperThan(text, MAX_JSON_DEPTH)) return { text, passphrase: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return { text, passphrase: undefined };
  }
  let passphrase: string | undefined;
  const strip = (value: unknown): unknown => {
    if (value === null || typeof value !== "object" || Array.isArray(value) || !(PASSPHRASE_FIELD in value)) return value;
    const { [PASSPHRASE_FIELD]: found, ...rest } = value as Record<string, unknown>;
    if (passphrase === undefined && typeof found === "string") passphrase = found;
    return rest;
  };
  const stripped = Array.isArray(parsed) ? parsed.map(strip) : strip(parsed);
  return stripped === parsed ? { text, passphrase } : { text: JSON.stringify(stripped), passphrase };
}
