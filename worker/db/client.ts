/**
 * The drizzle client for D1, one per D1 binding per isolate. Building one is
 * not free (drizzle walks the whole schema to derive its relational config;
 * the bench's CPU profile showed it on every signal), and the client keeps no
 * per-request state, so it is built once and reused.
 *
 * @module
 */
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle database bound to the schema. */
export type Db = DrizzleD1Database<typeof schema>;

const clients = new WeakMap<D1Database, Db>();

/** The typed drizzle client for a D1 binding (built on first use). */
export function getDb(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) clients.set(d1, (db = drizzle(d1, { schema })));
  return db;
}

/** Epoch milliseconds to the API's ISO 8601 form. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * Whether a failed write broke the unique index on `table(columns)`. The index
 * is how races are settled (a read-then-write check would let two writers
 * through), and D1 reports the loser as a constraint failure, which drizzle
 * wraps in its own error with D1's as the cause.
 */
export function isUniqueViolation(err: unknown, table: string, columns: readonly string[]): boolean {
  const wanted = `UNIQUE constraint failed: ${columns.map((c) => `${table}.${c}`).join(", ")}`;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message.includes(wanted)) return true;
  }
  return false;
}
