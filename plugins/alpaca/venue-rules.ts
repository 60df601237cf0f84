/**
 * Alpaca's documented order rules that the capability matrix cannot express
 * (combinations of type, time in force, session and bracket). They run after
 * the SDK's shared capability check, before a byte is sent, so an order
 * Alpaca would refuse fails here with a sentence the trader can act on.
 *
 * @module
 */
import { dec, type OrderRequest, type SubmitRefusal } from "../sdk";

const isWhole = (v: string): boolean => dec(v).round(0, 0).eq(dec(v));

/** Bracket (`order_class` bracket / oto) rules from "Bracket Orders" and "Trailing Stop Orders". */
function bracketRules(intent: OrderRequest): SubmitRefusal | null {
  const b = intent.bracket;
  if (!b || (!b.takeProfit && !b.stopLoss)) return null;
  if (intent.timeInForce !== "day" && intent.timeInForce !== "gtc") {
    return { messageCode: "venue-bracket-time-in-force", message: "Alpaca brackets must be day or gtc orders.", field: "timeInForce" };
  }
  if (intent.extendedHours === true) {
    return { messageCode: "venue-bracket-extended-hours", message: "Alpaca brackets cannot trade in extended hours.", field: "extendedHours" };
  }
  if (intent.type === "trailing_stop") {
    return { messageCode: "venue-bracket-trailing-entry", message: "Alpaca takes trailing stops as single orders only, not as a bracket entry.", field: "type" };
  }
  const sl = b.stopLoss;
  if (sl) {
    if (sl.type === "trailing_stop") {
      return {
        messageCode: "venue-trailing-stop-leg",
        message: 'Alpaca cannot use a trailing stop as a bracket\'s stop loss (trailing stops are single orders only); use stopLoss type "stop" or "stop_limit".',
        field: "bracket",
      };
    }
    if (sl.stopPrice === undefined) return { messageCode: "order-price-missing", message: "The stop loss needs a stop price.", field: "bracket" };
    if (sl.type === "stop_limit" && sl.limitPrice === undefined) {
      return { messageCode: "order-price-missing", message: "A stop-limit stop loss needs a limit price.", field: "bracket" };
    }
  }
  return null;
}

/** Stock-only rules: sessions, fractional shares, auction orders, trailing stops. */
function stockRules(intent: OrderRequest): SubmitRefusal | null {
  if (intent.extendedHours === true && !(intent.type === "limit" && intent.timeInForce === "day")) {
    return { messageCode: "venue-extended-hours-limit-day", message: "Alpaca takes extended-hours orders only as limit orders with time in force day.", field: "extendedHours" };
  }
  // Documented on `qty`: "Can be fractionable for only market and day order types."
  if (!isWhole(intent.quantity) && (intent.type !== "market" || intent.timeInForce !== "day" || intent.bracket)) {
    return {
      messageCode: "venue-fractional-rules",
      message: "Alpaca takes fractional share quantities only on simple market orders with time in force day.",
      field: "quantity",
    };
  }
  if ((intent.timeInForce === "opg" || intent.timeInForce === "cls") && intent.type !== "market" && intent.type !== "limit") {
    return { messageCode: "venue-auction-order-type", message: "Alpaca takes opg and cls (auction) orders only as market or limit orders.", field: "timeInForce" };
  }
  if (intent.type === "trailing_stop" && intent.timeInForce !== "day" && intent.timeInForce !== "gtc") {
    return { messageCode: "venue-trailing-stop-time-in-force", message: "Alpaca trailing stops must be day or gtc orders.", field: "timeInForce" };
  }
  return null;
}

/** Alpaca's venue rules; null = nothing against the order. */
export function alpacaVenueRules(intent: OrderRequest): SubmitRefusal | null {
  if (!dec(intent.quantity).gt(0)) return { messageCode: "venue-quantity", message: "The quantity must be greater than 0.", field: "quantity" };
  return (intent.assetClass === "stocks" ? stockRules(intent) : null) ?? bracketRules(intent);
}
