/**
 * A trade's status, and the rules that derive it: the one place that says
 * which statuses exist, which of them are terminal, and what a trade's
 * status is once its orders are known. The queue, the executor, the API's
 * schema and any outcome derived from trades all read it from here, so they
 * cannot disagree.
 *
 * Pure: no I/O, no clock.
 *
 * @module
 */
import { dec } from "../../plugins/sdk/decimal";
import type { OrderRole, OrderStatus } from "../../plugins/sdk/models";
import type { TradePlan } from "./types";

/** Every trade status, in lifecycle order: queued → executing (→ pending_approval) → a terminal status. */
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

/** Statuses after which the queue does nothing more with the trade itself (resting orders may still fill). */
export const TERMINAL_TRADE_STATUSES: ReadonlySet<TradeStatus> = new Set<TradeStatus>([
  "filled",
  "partially_filled",
  "open",
  "rejected",
  "failed",
  "cancelled",
]);

/** True once the trade is done: every status except queued, executing and pending_approval. */
export function isTerminalTradeStatus(status: TradeStatus): boolean {
  return TERMINAL_TRADE_STATUSES.has(status);
}

/** What the status rules read of an order. */
export interface OrderForStatus {
  role: OrderRole;
  status: OrderStatus;
  filledQuantity: string;
}

/** The trade's status once every step ran, from its own (non-bracket) orders. */
export function finalTradeStatus(orders: readonly OrderForStatus[], plan: TradePlan): TradeStatus {
  const own = orders.filter((o) => o.role === "entry" || o.role === "exit");
  if (own.length === 0) return plan.steps.some((s) => s.kind === "cancel") ? "cancelled" : "filled";
  if (own.every((o) => o.status === "filled")) return "filled";
  const anyFill = own.some((o) => dec(o.filledQuantity).gt(0));
  if (own.some((o) => o.status === "open" || o.status === "pending" || o.status === "partially_filled")) {
    return anyFill ? "partially_filled" : "open";
  }
  return anyFill ? "partially_filled" : "cancelled";
}

/** A finished trade's status after its resting orders changed at the broker (only open and partly filled trades move). */
export function refreshedTradeStatus(current: TradeStatus, orders: readonly OrderForStatus[], plan: TradePlan | null): TradeStatus {
  if (!plan || (current !== "open" && current !== "partially_filled")) return current;
  return finalTradeStatus(orders, plan);
}
