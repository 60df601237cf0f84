/**
 * Helpers for notification tests: create channels through the API, hand
 * events to a user's Notifier, and run its alarm as if time had passed
 * (every pending delivery made due), without waiting on a clock.
 *
 * @module
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { NotificationEvent } from "../../worker/notifications/events";
import { authed } from "./api";

export interface ChannelJson {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  events: string[] | null;
  failuresOnly: boolean;
  enabled: boolean;
  lastDeliveryAt: string | null;
  lastError: string | null;
  secret?: string;
}

export interface DeliveryJson {
  id: string;
  eventId: string;
  eventType: string;
  channelId: string;
  status: "pending" | "delivered" | "failed" | "dropped";
  nextAttemptAt: string | null;
  attempts: { n: number; result: "delivered" | "retry" | "failed"; httpStatus: number | null; detail: string }[];
}

/** Creates a channel (asserting 201). */
export async function createChannel(token: string, body: Record<string, unknown>): Promise<ChannelJson> {
  const res = await authed(token).post<ChannelJson>("/api/channels", body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Hands events to the user's Notifier, then runs its alarm once. */
export async function emitAndDeliver(userId: string, events: NotificationEvent[]): Promise<void> {
  await env.NOTIFIER.getByName(userId).notify(userId, events);
  await runNotifier(userId);
}

/** Makes every pending delivery due now, then runs the Notifier's alarm. */
export async function runNotifier(userId: string, options: { advance?: boolean } = { advance: true }): Promise<void> {
  const stub = env.NOTIFIER.getByName(userId);
  if (options.advance !== false) {
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(`UPDATE deliveries SET next_attempt_at = 0 WHERE status = 'pending'`);
    });
  }
  await runDurableObjectAlarm(stub);
}

/** A user's deliveries (newest first) through the API. */
export async function deliveriesOf(token: string, channelId: string): Promise<DeliveryJson[]> {
  const res = await authed(token).get<DeliveryJson[]>(`/api/channels/${channelId}/deliveries`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

let seq = 0;

/** An event as a producer would build it. */
export function tradeEvent(type: NotificationEvent["type"], overrides: Partial<NotificationEvent> = {}): NotificationEvent {
  const n = ++seq;
  return {
    id: `${type}:test-${n}-${crypto.randomUUID().slice(0, 8)}`,
    type,
    createdAt: new Date().toISOString(),
    messageCode: type === "trade-rejected" ? "daily-loss-limit-reached" : type === "trade-filled" ? "enter-new-position" : null,
    message: `Event ${n} (${type}).`,
    signal: { id: `sig-${n}`, ticker: "AAPL", action: "buy", strategyId: "strategy-1", receivedAt: new Date().toISOString() },
    trade: { id: `trade-${n}`, subscriptionId: "sub-1", status: type === "trade-filled" ? "filled" : "rejected", ticker: "AAPL", orders: [] },
    data: {},
    ...overrides,
  };
}
