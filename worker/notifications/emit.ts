/**
 * Hands events to the user's Notifier (notifier.ts). Producers (the queues,
 * the connection lifecycle, the reconciler, the approvals) call this after
 * the fact is durable on their side; the Notifier stores the events before
 * it answers and delivers them later, so nothing here waits for a channel.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import type { Env } from "../env";
import type { NotificationEvent } from "./events";
import { log } from "../lib/log";

/** A connection lifecycle event (a row of D1 `events`) as a notification, when it is one channels deliver. */
export function connectionNotification(row: {
  id: string;
  kind: string;
  connectionId: string | null;
  message: string;
  data: Record<string, unknown>;
  createdAt: number;
}): NotificationEvent | null {
  if (row.kind !== "connection-expiring" && row.kind !== "connection-expired") return null;
  return {
    id: `${row.kind}:${row.id}`,
    type: row.kind,
    createdAt: new Date(row.createdAt).toISOString(),
    messageCode: row.kind,
    message: row.message,
    signal: null,
    trade: null,
    data: { ...row.data, connectionId: row.connectionId },
  };
}

/** Stores events for delivery to the user's channels. Throws only if the Notifier cannot be reached. */
export async function emitEvents(env: Pick<Env, "NOTIFIER">, userId: string, events: readonly NotificationEvent[]): Promise<void> {
  if (events.length === 0) return;
  await env.NOTIFIER.getByName(userId).notify(userId, events);
}

/** {@link emitEvents}, logging instead of throwing: for producers whose own work must not fail on it. */
export async function emitEventsSafely(env: Pick<Env, "NOTIFIER">, userId: string, events: readonly NotificationEvent[]): Promise<void> {
  try {
    await emitEvents(env, userId, events);
  } catch (err) {
    log.error("notifications: events not stored", { events: events.length, userId, error: errorMessage(err) });
  }
}
