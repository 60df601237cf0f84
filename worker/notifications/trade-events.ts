/**
 * The notification a trade's status means, if any: filled (or partly),
 * rejected (every rule and risk block included, and the broker's refusals),
 * failed, or waiting for approval. Pure: the queue calls it for each trade
 * it copies to D1, and the event id is deterministic per trade and status,
 * so a trade copied twice in the same status is one event (the Notifier
 * keeps the first).
 *
 * @module
 */
import type { EventType, NotificationEvent } from "./events";

/** What the builder needs to know about a trade, its signal and orders. */
export interface TradeForEvent {
  id: string;
  subscriptionId: string;
  status: string;
  messageCode: string | null;
  message: string | null;
  /** The instrument the trade is for (the plan's ticker, else the signal's). */
  ticker: string | null;
  updatedAt: number;
  signal: { id: string; ticker: string | null; action: string | null; strategyId: string | null; receivedAt: number | null };
  orders: readonly { clientOrderId: string; role: string; side: string; quantity: string; type: string; status: string; filledQuantity: string; avgFillPrice: string | null }[];
}

const TYPE_BY_STATUS: Readonly<Record<string, EventType>> = {
  filled: "trade-filled",
  partially_filled: "trade-filled",
  rejected: "trade-rejected",
  failed: "trade-failed",
  pending_approval: "approval-pending",
};

/** The event for the trade's current status, or null when the status is not one to tell about. */
export function tradeNotification(t: TradeForEvent): NotificationEvent | null {
  const type = TYPE_BY_STATUS[t.status];
  if (!type) return null;
  const fallback: Record<EventType, string> = {
    "trade-filled": "The trade's orders filled.",
    "trade-rejected": "The trade was refused; nothing was sent.",
    "trade-failed": "The trade failed; check the broker account.",
    "approval-pending": "A trade waits for your approval under Approvals.",
    "connection-expiring": "",
    "connection-expired": "",
    "drift-detected": "",
    test: "",
  };
  return {
    id: `${type}:${t.id}:${t.status}`,
    type,
    createdAt: new Date(t.updatedAt).toISOString(),
    messageCode: type === "approval-pending" ? null : t.messageCode,
    message: (type === "approval-pending" ? null : t.message) ?? fallback[type],
    signal: {
      id: t.signal.id,
      ticker: t.signal.ticker,
      action: t.signal.action,
      strategyId: t.signal.strategyId,
      receivedAt: t.signal.receivedAt === null ? null : new Date(t.signal.receivedAt).toISOString(),
    },
    trade: {
      id: t.id,
      subscriptionId: t.subscriptionId,
      status: t.status,
      ticker: t.ticker,
      orders: t.orders.map((o) => ({
        clientOrderId: o.clientOrderId,
        role: o.role,
        side: o.side,
        quantity: o.quantity,
        type: o.type,
        status: o.status,
        filledQuantity: o.filledQuantity,
        avgFillPrice: o.avgFillPrice,
      })),
    },
    data: {},
  };
}
