/**
 * Tradier order statuses → Tradeloop's, apart from the rest of the mapping
 * so the fake broker needs nothing but the decimal helpers.
 *
 * @module
 */
import { dec } from "../sdk/decimal";
import type { OrderStatus } from "../sdk/models";

/** Tradier status → Tradeloop status. Unknown statuses read as `open`: never terminal by accident. */
export const TRADIER_STATUS_TABLE: Readonly<Record<string, OrderStatus>> = {
  pending: "pending",
  submitted: "pending",
  open: "open",
  partially_filled: "partially_filled",
  filled: "filled",
  expired: "expired",
  canceled: "cancelled",
  rejected: "rejected",
  // The order failed in Tradier's systems: it will never work.
  error: "rejected",
};

/** Normalized status, with fills taken into account. */
export function normalizeStatus(status: string, filled: string, quantity: string): OrderStatus {
  const base = TRADIER_STATUS_TABLE[status.toLowerCase()] ?? "open";
  const f = dec(filled);
  if (base === "open" || base === "pending") {
    if (f.gt(0) && f.gte(quantity)) return "filled";
    if (f.gt(0)) return "partially_filled";
  }
  return base;
}

