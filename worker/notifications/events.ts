/**
 * The events Tradeloop tells a trader about, as one JSON shape: what the
 * outbound webhook sends (signed) and what Discord, Slack, Telegram and email
 * turn into a message.
 *
 * Every event carries its `type`, the `signal` and `trade` it is about (null
 * when it is about neither, such as a connection expiring) and the
 * `messageCode` that explains it, with one `message` sentence. The `id` is
 * deterministic where the event is (`trade-filled:<tradeId>:filled`), so a
 * producer that reports the same fact twice (a retried sync, an alarm run
 * twice) produces one event, delivered once per channel.
 *
 * @module
 */
import { z } from "zod";

/** Every event type, in the API's enum order. */
export const EVENT_TYPES = [
  "trade-filled",
  "trade-rejected",
  "trade-failed",
  "approval-pending",
  "connection-expiring",
  "connection-expired",
  "drift-detected",
  "test",
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** Types a channel can subscribe to (`test` always reaches the channel it is sent to). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== "test");

/**
 * Events that mean something went wrong or needs the trader: what a channel
 * with "failures only" receives. A risk block is a rejected trade, so it is one.
 */
export const FAILURE_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  "trade-rejected",
  "trade-failed",
  "connection-expiring",
  "connection-expired",
  "drift-detected",
]);

/** The signal an event is about. */
export const EventSignalSchema = z.object({
  id: z.string(),
  ticker: z.string().nullable(),
  action: z.string().nullable(),
  strategyId: z.string().nullable(),
  receivedAt: z.string().nullable(),
});

/** The trade an event is about. */
export const EventTradeSchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  status: z.string(),
  ticker: z.string().nullable(),
  /** Orders with their fills, as far as they are known when the event is raised. */
  orders: z.array(
    z.object({
      clientOrderId: z.string(),
      role: z.string(),
      side: z.string(),
      quantity: z.string(),
      type: z.string(),
      status: z.string(),
      filledQuantity: z.string(),
      avgFillPrice: z.string().nullable(),
    }),
  ),
});

/** One event, exactly as the webhook channel sends it. */
export const NotificationEventSchema = z.object({
  id: z.string(),
  type: EventTypeSchema,
  /** ISO 8601 time the event happened. */
  createdAt: z.string(),
  /** The stable code behind the event (the trade's messageCode, `connection-expired`, `drift-detected`...). */
  messageCode: z.string().nullable(),
  /** One sentence for a person. */
  message: z.string(),
  signal: EventSignalSchema.nullable(),
  trade: EventTradeSchema.nullable(),
  /** Anything else the type carries (a drift's broker and expected quantities, a connection id...). */
  data: z.record(z.string(), z.unknown()),
});
export type NotificationEvent = z.infer<typeof NotificationEventSchema>;

/** Whether a channel with this filter and switch receives an event of `type`. */
export function channelWants(channel: { events: readonly EventType[] | null; failuresOnly: boolean }, type: EventType): boolean {
  if (type === "test") return false; // sent only to the channel under test, never fanned out
  if (channel.failuresOnly && !FAILURE_EVENT_TYPES.has(type)) return false;
  return channel.events === null || channel.events.includes(type);
}

/** A short title for messages: "Trade filled: buy AAPL", "Drift detected". */
export function eventTitle(e: NotificationEvent): string {
  const what: Record<EventType, string> = {
    "trade-filled": "Trade filled",
    "trade-rejected": "Trade rejected",
    "trade-failed": "Trade failed",
    "approval-pending": "Approval pending",
    "connection-expiring": "Connection expiring",
    "connection-expired": "Connection expired",
    "drift-detected": "Drift detected",
    test: "Test notification",
  };
  const about = e.signal?.action && e.signal.ticker ? `: ${e.signal.action} ${e.signal.ticker}` : e.trade?.ticker ? `: ${e.trade.ticker}` : "";
  return `${what[e.type]}${about}`;
}

/** The event as plain text (Slack, Telegram, email, Discord): title, sentence, code and ids. */
export function eventText(e: NotificationEvent): string {
  const lines = [eventTitle(e), e.message];
  if (e.messageCode) lines.push(`Code: ${e.messageCode}`);
  if (e.signal) lines.push(`Signal: ${e.signal.id}`);
  if (e.trade) lines.push(`Trade: ${e.trade.id} (${e.trade.status})`);
  return lines.join("\n");
}
