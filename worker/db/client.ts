/**
 * The drizzle client for D1. Cheap to build (it only wraps the binding), so
 * handlers create one per request instead of sharing state across requests.
 *
 * @module
 */
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle database bound to the schema. */
export type Db = DrizzleD1Database<typeof schema>;

/** Wraps the D1 binding in a typed drizzle client. */
export function getDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

/** Epoch milliseconds to the API's ISO 8601 form. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
