/**
 * Tradier's documented order rules the capability matrix cannot express,
 * checked before anything is sent (after the SDK's shared capability check).
 *
 * @module
 */
import { dec, type OrderRequest, type SubmitRefusal } from "../sdk";

/** Tradier's venue rules; null = nothing against the order. */
export function tradierVenueRules(intent: OrderRequest): SubmitRefusal | null {
  if (!dec(intent.quantity).gt(0)) return { messageCode: "venue-quantity", message: "The quantity must be greater than 0.", field: "quantity" };
  if (intent.extendedHours === true && !(intent.type === "limit" && intent.timeInForce === "day")) {
    return {
      messageCode: "venue-extended-hours-limit-day",
      message: "Tradier's pre- and post-market sessions take limit orders for the day only.",
      field: "extendedHours",
    };
  }
  const b = intent.bracket;
  if (!b || (!b.takeProfit && !b.stopLoss)) return null;
  // Documented for OTO and OTOCO: "First order, one of: limit, stop, stop_limit".
  if (intent.type === "market") {
    return {
      messageCode: "venue-bracket-entry-type",
      message: "Tradier's OTO and OTOCO orders cannot enter at market: use a limit, stop or stop-limit entry (a marketable limit fills at once).",
      field: "type",
    };
  }
  if (intent.extendedHours === true) {
    return { messageCode: "venue-bracket-extended-hours", message: "Tradier brackets cannot trade in the pre- or post-market session.", field: "extendedHours" };
  }
  const sl = b.stopLoss;
  if (sl && sl.stopPrice === undefined) return { messageCode: "order-price-missing", message: "The stop loss needs a stop price.", field: "bracket" };
  if (sl?.type === "stop_limit" && sl.limitPrice === undefined) {
    return { messageCode: "order-price-missing", message: "A stop-limit stop loss needs a limit price.", field: "bracket" };
  }
  return null;
}
