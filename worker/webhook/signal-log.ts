/**
 * Writes the webhook's log rows: every received signal, accepted or
 * rejected, becomes a row of `signals`; an accepted one also gets a `queued`
 * trade per subscription, so `GET /api/signals/:id` shows it at once.
 *
 * @module
 */
import { getDb } from "../db/client";
import { chunk } from "../lib/chunk";
import * as schema from "../db/schema";
import type { SignalLogRow } from "../execution/envelope";

/** Longest raw body kept in the log when it could not be parsed. */
const MAX_RAW_LOG_CHARS = 4_096;

export interface RejectedLog {
  id: string;
  userId: string | null;
  strategyId: string;
  receivedAt: number;
  messageCode: string;
  message: string;
  payload: unknown;
  sourceIp: string | null;
  contentType: string | null;
}

/** The payload to log for a body that may not be JSON. Never includes the URL (and so never the secret). */
export function loggablePayload(parsed: unknown, bodyText: string): unknown {
  // JSON null is a valid parse, but the log's payload column is NOT NULL: keep the text instead.
  if (parsed !== undefined && parsed !== null) return parsed;
  return { raw: bodyText.length > MAX_RAW_LOG_CHARS ? `${bodyText.slice(0, MAX_RAW_LOG_CHARS)}…` : bodyText };
}

/**
 * Logs a refused signal. Its row may exist already: a delivery the dedupe
 * check logged as accepted, then refused after a configuration change
 * raced it (route.ts). The refusal is its outcome, so it wins.
 */
export async function logRejected(d1: D1Database, row: RejectedLog): Promise<void> {
  const db = getDb(d1);
  await db
    .insert(schema.signals)
    .values({ ...row, status: "rejected" })
    .onConflictDoUpdate({ target: schema.signals.id, set: { status: "rejected", messageCode: row.messageCode, message: row.message } });
}

/** A request the webhook refused before trusting its sender (wrong secret, source, rate). */
export interface RefusedLog {
  id: string;
  userId: string;
  strategyId: string;
  receivedAt: number;
  messageCode: string;
  message: string;
  sourceIp: string | null;
  contentType: string | null;
  bodyBytes: number;
}

/**
 * Logs a refused request WITHOUT its body: the sender proved nothing, so it
 * may not write its text into the owner's log. What stays (time, source IP,
 * size, the code) is enough for the owner to see "someone used an old URL".
 * The caller caps these rows per strategy per hour.
 */
export async function logRefused(d1: D1Database, row: RefusedLog): Promise<void> {
  await getDb(d1).insert(schema.signals).values({ ...row, status: "rejected", payload: {} });
}

/** A trade the webhook writes: queued, or refused before any queue saw it (a paused subscription). */
export interface LoggedTrade {
  id: string;
  subscriptionId: string;
  refused?: { code: string; message: string };
}

/** One batch: the signal row and a queued trade per subscription. Idempotent (a DO may have written them first). */
export async function logAccepted(
  d1: D1Database,
  rows: readonly { log: SignalLogRow; trades: readonly LoggedTrade[] }[],
  options: { expectedTrades?: "keep" | "overwrite" } = {},
): Promise<void> {
  const db = getDb(d1);
  const statements = rows.flatMap(({ log, trades }) => [
    options.expectedTrades === "overwrite"
      ? // The count of subscriptions the webhook settled on wins over what a queue copied earlier.
        db.insert(schema.signals).values(log).onConflictDoUpdate({ target: schema.signals.id, set: { expectedTrades: log.expectedTrades ?? null } })
      : db.insert(schema.signals).values(log).onConflictDoNothing(),
    // D1 allows 100 bound parameters per statement; a trade row binds 9.
    ...chunk(trades, 10).map((part) =>
      db
        .insert(schema.trades)
        .values(
          part.map((t) => ({
            id: t.id,
            userId: log.userId,
            signalId: log.id,
            subscriptionId: t.subscriptionId,
            status: t.refused ? "rejected" : "queued",
            messageCode: t.refused?.code ?? null,
            message: t.refused?.message ?? null,
            createdAt: log.receivedAt,
            updatedAt: log.receivedAt,
          })),
        )
        // The queue may already have recorded progress; never move a trade back to "queued".
        .onConflictDoNothing(),
    ),
  ]);
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
