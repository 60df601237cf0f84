/**
 * The pre-send check (LEAN's `CanSubmitOrder`): an order the broker cannot
 * take is refused here, with a messageCode the trader can act on, before a
 * single byte goes out. Every plugin gets {@link defaultCanSubmit}, derived
 * from its capabilities; a plugin adds venue rules on top, never instead.
 *
 * @module
 */
import type { Capabilities, OrderFeatures } from "./capabilities";
import { dec } from "./decimal";
import type { OrderRequest } from "./models";

/** Refusal codes of the shared check. The names match the decision core's trade messageCodes where both exist. */
export const SUBMIT_REFUSAL_CODES = [
  "asset-class-not-supported",
  "order-type-not-supported",
  "trailing-stop-not-supported",
  "time-in-force-not-supported",
  "extended-hours-not-supported",
  "brackets-not-supported",
  "bracket-prices",
  "fractional-not-supported",
  "order-price-missing",
  "invalid-client-order-id",
  "broker-maintenance",
  // From the venue's instrument rules (instrument-rules.ts) and a connection's narrowing.
  "min-notional",
  "invalid-price",
  "invalid-order",
  "trading-not-allowed",
] as const;
export type SubmitRefusalCode = (typeof SUBMIT_REFUSAL_CODES)[number];

/** Why an order may not be sent. Plugin-specific rules use codes starting with `venue-`. */
export interface SubmitRefusal {
  messageCode: SubmitRefusalCode | `venue-${string}`;
  /** A sentence the trader can act on. */
  message: string;
  /** The order field it concerns. */
  field?: keyof OrderRequest;
}

export type SubmitCheck = { ok: true } | { ok: false; reason: SubmitRefusal };

const OK: SubmitCheck = { ok: true };
const refuse = (messageCode: SubmitRefusal["messageCode"], message: string, field?: keyof OrderRequest): SubmitCheck => ({
  ok: false,
  reason: field === undefined ? { messageCode, message } : { messageCode, message, field },
});

/** Prices each order type needs before it can be sent. */
function missingPrice(intent: OrderRequest): SubmitCheck | null {
  const needs: Record<OrderRequest["type"], (keyof OrderRequest)[]> = {
    market: [],
    limit: ["limitPrice"],
    stop: ["stopPrice"],
    stop_limit: ["stopPrice", "limitPrice"],
    trailing_stop: [],
  };
  for (const field of needs[intent.type]) {
    if (intent[field] === undefined) return refuse("order-price-missing", `A ${intent.type} order needs ${field}.`, field);
  }
  if (intent.type === "trailing_stop" && intent.trailAmount === undefined && intent.trailPercent === undefined) {
    return refuse("order-price-missing", "A trailing stop needs trailAmount or trailPercent.", "trailAmount");
  }
  return null;
}

function checkBracket(intent: OrderRequest, f: OrderFeatures): SubmitCheck | null {
  const b = intent.bracket;
  if (!b || (!b.takeProfit && !b.stopLoss)) return null;
  const both = b.takeProfit !== undefined && b.stopLoss !== undefined;
  const support = both ? f.brackets.otoco : f.brackets.oto;
  if (support === "unsupported") {
    return refuse(
      "brackets-not-supported",
      both ? "The broker cannot attach a take profit and a stop loss to an entry." : "The broker cannot attach an exit order to an entry.",
      "bracket",
    );
  }
  if (b.stopLoss?.type === "trailing_stop" && f.trailingStop === "unsupported") {
    return refuse("trailing-stop-not-supported", "The broker does not support trailing stops, so the stop loss cannot trail.", "bracket");
  }
  // A long's take profit sits above its stop loss and a short's below it, at every broker: reversed, one
  // leg would trigger at once (or the two would bracket nothing).
  if (b.takeProfit && b.stopLoss?.stopPrice !== undefined) {
    const tp = dec(b.takeProfit.limitPrice);
    const stop = dec(b.stopLoss.stopPrice);
    if (intent.side === "buy" ? !tp.gt(stop) : !tp.lt(stop)) {
      return refuse(
        "bracket-prices",
        intent.side === "buy"
          ? `For a buy bracket the take-profit price (${b.takeProfit.limitPrice}) must be above the stop-loss price (${b.stopLoss.stopPrice}).`
          : `For a sell bracket the take-profit price (${b.takeProfit.limitPrice}) must be below the stop-loss price (${b.stopLoss.stopPrice}).`,
        "bracket",
      );
    }
  }
  return null;
}

/**
 * The shared pre-send check, derived from capabilities alone: asset class,
 * order type, trailing stops, time in force, extended hours, brackets,
 * fractional quantities, the prices each type needs and the client order id
 * rules. Pure; no I/O.
 */
export function defaultCanSubmit(capabilities: Capabilities, intent: OrderRequest): SubmitCheck {
  const f = capabilities.orders[intent.assetClass];
  if (!f) return refuse("asset-class-not-supported", `The broker does not trade ${intent.assetClass} through Tradeloop.`, "assetClass");
  if (intent.type === "trailing_stop" && f.trailingStop === "unsupported") {
    return refuse("trailing-stop-not-supported", "The broker does not support trailing stops.", "type");
  }
  if (!f.orderTypes.includes(intent.type)) {
    return refuse("order-type-not-supported", `The broker does not take ${intent.type} orders for ${intent.assetClass}; it takes ${f.orderTypes.join(", ")}.`, "type");
  }
  if (!f.timeInForce.includes(intent.timeInForce)) {
    return refuse(
      "time-in-force-not-supported",
      `The broker does not take time in force ${intent.timeInForce} for ${intent.assetClass}; it takes ${f.timeInForce.join(", ")}.`,
      "timeInForce",
    );
  }
  if (intent.extendedHours === true && !f.extendedHours) {
    return refuse("extended-hours-not-supported", "The broker does not take extended-hours orders.", "extendedHours");
  }
  const price = missingPrice(intent);
  if (price) return price;
  const bracket = checkBracket(intent, f);
  if (bracket) return bracket;
  if (!f.fractional && !dec(intent.quantity).round(0, 0).eq(dec(intent.quantity))) {
    return refuse("fractional-not-supported", `The broker only takes whole quantities for ${intent.assetClass}; ${intent.quantity} is fractional.`, "quantity");
  }
  const rules = f.clientOrderId;
  if (intent.clientOrderId.length > rules.maxLength || !rules.pattern.test(intent.clientOrderId)) {
    return refuse(
      "invalid-client-order-id",
      `The client order id does not fit the broker's rules (at most ${rules.maxLength} characters matching ${rules.pattern.source}).`,
      "clientOrderId",
    );
  }
  return OK;
}
