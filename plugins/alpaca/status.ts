/**
 * Alpaca order statuses → Tradeloop's, kept apart from the rest of the
 * mapping so the fake broker (which also runs under Node) needs nothing but
 * the decimal helpers.
 *
 * @module
 */
import { dec } from "../sdk/decimal";
import type { OrderStatus } from "../sdk/models";
import type { AlpacaOrderStatus } from "./wire";

/**
 * Alpaca status → Tradeloop status. `pending` = Alpaca has it but it is not
 * working at a venue yet; `held` bracket legs wait for their entry (or for
 * their OCO sibling) and count as open. A status missing here (Alpaca adds
 * some now and then) is read as `open`: never terminal by accident.
 */
export const ALPACA_STATUS_TABLE: Readonly<Record<AlpacaOrderStatus, OrderStatus>> = {
  new: "open",
  partially_filled: "partially_filled",
  filled: "filled",
  done_for_day: "open",
  canceled: "cancelled",
  expired: "expired",
  // A replaced order is over; its replacement carries on under a new id.
  replaced: "cancelled",
  pending_cancel: "open",
  pending_replace: "open",
  pending_review: "pending",
  accepted: "pending",
  pending_new: "pending",
  accepted_for_bidding: "pending",
  stopped: "open",
  rejected: "rejected",
  suspended: "open",
  calculated: "open",
  held: "open",
};

/** Normalized status, with fills taken into account (an open order with fills is partially filled). */
export function normalizeStatus(status: string, filledQty: string, qty: string | null): OrderStatus {
  const base = (ALPACA_STATUS_TABLE as Record<string, OrderStatus | undefined>)[status] ?? "open";
  const filled = dec(filledQty);
  if (base === "open" || base === "pending") {
    if (qty !== null && filled.gt(0) && filled.gte(qty)) return "filled";
    if (filled.gt(0)) return "partially_filled";
  }
  return base;
}

