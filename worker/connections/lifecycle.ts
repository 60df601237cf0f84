/**
 * The connection lifecycle, in one place: every status change of a
 * connection, the pausing and resuming of its subscriptions, and the event
 * the user sees in `GET /api/events`; `connection-expiring` and
 * `connection-expired` also go to the user's notification channels when the
 * caller passes its Notifier binding (worker/notifications/emit.ts).
 *
 *   connected ──(grant ends within a day)──▶ expiring ──▶ connected (re-authorised)
 *       │                                        │
 *       ├──(refresh refused for good, or the broker refuses the credentials)──▶ expired
 *       ├──(broker unreachable, credentials unreadable)──▶ error
 *       └──(POST /disconnect)──▶ disconnected
 *
 * `expired` and `disconnected` pause the connection's subscriptions: their
 * signals are still logged, each trade refused with the pause code
 * (`connection-expired`, `connection-disconnected`), and they resume only
 * when the user says so (a reconnect alone never restarts trading).
 * Pausing and resuming change what the strategy's signals do, so both raise
 * the strategies' config version in the same D1 batch and tell their queues
 * (execution/config-changes.ts): the webhook's cached view follows at once.
 *
 * @module
 */
import { and, eq, isNull, isNotNull } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { connections, events, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { connectionNotification, emitEventsSafely } from "../notifications/emit";
import { announceConfigChange, raiseConfigVersion, strategiesUsingConnection } from "../execution/config-changes";

/** Where lifecycle events are also announced: the Worker's Notifier binding. */
export type LifecycleNotifier = Pick<Env, "NOTIFIER">;

/** Every status a connection can have. */
export const CONNECTION_STATUSES = ["connected", "expiring", "expired", "error", "disconnected"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Statuses that stop trading (subscriptions paused, queues refuse before sending). */
export const NOT_TRADING: ReadonlySet<string> = new Set(["expired", "disconnected"]);

/** Event kinds, one per lifecycle step the user must hear about. */
export type ConnectionEventKind = "connection-connected" | "connection-expiring" | "connection-expired" | "connection-error" | "connection-disconnected" | "subscriptions-resumed";

/** The pause code of a status that pauses subscriptions. */
export function pauseCodeFor(status: "expired" | "disconnected"): "connection-expired" | "connection-disconnected" {
  return status === "expired" ? "connection-expired" : "connection-disconnected";
}

/**
 * Records an event for the user; with `notifier`, the events a trader must
 * hear about at once (expiring, expired) also go to their channels.
 */
export async function recordEvent(
  db: Db,
  event: { userId: string; kind: ConnectionEventKind; connectionId: string | null; message: string; data?: Record<string, unknown> },
  now = Date.now(),
  notifier?: LifecycleNotifier,
): Promise<void> {
  const row = { id: crypto.randomUUID(), userId: event.userId, kind: event.kind, connectionId: event.connectionId, message: event.message, data: event.data ?? {}, createdAt: now };
  await db.insert(events).values(row);
  const notification = notifier ? connectionNotification(row) : null;
  if (notifier && notification) await emitEventsSafely(notifier, event.userId, [notification]);
}

/**
 * Sets a connection's status and reason. Returns false when it already had
 * that status (so callers emit an event only on a real change).
 */
export async function setConnectionStatus(db: Db, connectionId: string, status: ConnectionStatus, reason: string | null, now = Date.now()): Promise<boolean> {
  const changed = await db
    .update(connections)
    .set({ status, statusMessage: reason, statusAt: now, updatedAt: now })
    .where(and(eq(connections.id, connectionId)))
    .returning({ previous: connections.status });
  return changed.length > 0;
}

/** Pauses every running subscription of a connection with `code`; returns their ids. */
export async function pauseSubscriptions(env: Env, connectionId: string, code: string, reason: string, now = Date.now()): Promise<string[]> {
  const db = getDb(env.DB);
  const [paused, raised] = await db.batch([
    db
      .update(subscriptions)
      .set({ pausedCode: code, pausedReason: reason, pausedAt: now, updatedAt: now })
      .where(and(eq(subscriptions.connectionId, connectionId), isNull(subscriptions.pausedCode)))
      .returning({ id: subscriptions.id }),
    raiseConfigVersion(db, strategiesUsingConnection(db, connectionId)),
  ]);
  await announceConfigChange(env, db, raised);
  return paused.map((p) => p.id);
}

/** Resumes a connection's paused subscriptions (the user asked); returns their ids. */
export async function resumeSubscriptions(env: Env, userId: string, connectionId: string, now = Date.now()): Promise<string[]> {
  const db = getDb(env.DB);
  const [resumed, raised] = await db.batch([
    db
      .update(subscriptions)
      .set({ pausedCode: null, pausedReason: null, pausedAt: null, updatedAt: now })
      .where(and(eq(subscriptions.connectionId, connectionId), eq(subscriptions.userId, userId), isNotNull(subscriptions.pausedCode)))
      .returning({ id: subscriptions.id }),
    raiseConfigVersion(db, strategiesUsingConnection(db, connectionId)),
  ]);
  await announceConfigChange(env, db, raised);
  return resumed.map((r) => r.id);
}

/**
 * The connection's session is dead for good (a refresh refused, or the
 * broker refusing the credentials): `expired`, subscriptions paused, the
 * event recorded. Idempotent: a second call changes nothing and records
 * nothing.
 */
export async function expireConnection(
  env: Env,
  connectionId: string,
  reason: string,
  now = Date.now(),
  options: { verbatim?: boolean } = {},
): Promise<{ changed: boolean; paused: string[] }> {
  const db = getDb(env.DB);
  const row = await db.select({ userId: connections.userId, name: connections.name, status: connections.status }).from(connections).where(eq(connections.id, connectionId)).get();
  if (!row || row.status === "expired" || row.status === "disconnected") return { changed: false, paused: [] };
  // `verbatim`: the reason is already the whole actionable sentence (a connection test's answer).
  const sentence = options.verbatim ? reason : `The "${row.name}" connection expired: ${reason} Reconnect it, then resume its subscriptions.`;
  await setConnectionStatus(db, connectionId, "expired", sentence, now);
  const paused = await pauseSubscriptions(env, connectionId, pauseCodeFor("expired"), sentence, now);
  await recordEvent(db, { userId: row.userId, kind: "connection-expired", connectionId, message: sentence, data: { pausedSubscriptions: paused } }, now, env);
  return { changed: true, paused };
}

/** The grant ends within a day (Schwab's weekly re-authorisation): `expiring`, once, with an event. */
export async function markExpiring(db: Db, connectionId: string, endsAt: number, now = Date.now(), notifier?: LifecycleNotifier): Promise<boolean> {
  const row = await db.select({ userId: connections.userId, name: connections.name, status: connections.status }).from(connections).where(eq(connections.id, connectionId)).get();
  if (!row || row.status !== "connected") return false;
  const hours = Math.max(1, Math.round((endsAt - now) / 3_600_000));
  const sentence = `The "${row.name}" connection's authorisation ends in about ${hours} h (${new Date(endsAt).toISOString()}); reconnect it before then or its trading pauses.`;
  await setConnectionStatus(db, connectionId, "expiring", sentence, now);
  await recordEvent(db, { userId: row.userId, kind: "connection-expiring", connectionId, message: sentence, data: { endsAt: new Date(endsAt).toISOString() } }, now, notifier);
  return true;
}
