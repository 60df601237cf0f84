/**
 * A trade's status: the life cycle of one signal on one subscription, as the
 * SubscriptionQueue records it and the API shows it. Defined here, below
 * both, so the queue, the API schema and the outcome derivation share one list.
 *
 * @module
 */

/** queued → executing → (pending_approval →) a terminal status. */
export const TRADE_STATUSES = [
  "queued",
  "executing",
  "pending_approval",
  "filled",
  "partially_filled",
  "open",
  "rejected",
  "failed",
  "cancelled",
] as const;

export type TradeStatus = (typeof TRADE_STATUSES)[number];
