/**
 * Hands events to the user's Notifier (notifier.ts). Producers (the queues,
 * the connection lifecycle, the reconciler, the approvals) call this after
 * the fact is durable on their side; the Notifier stores the events before
 * it answers and delivers them later, so nothing here waits for a channel.
 *
 * @module
 */
import type { Env } from "../env";
import type { NotificationEvent } from "./events";

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
    console.error(`notifications: ${events.length} event(s) for user ${userId} not stored: ${err instanceof Error ? err.message : String(err)}`);
  }
}
