/**
 * Take profit and stop loss: which one applies (signal or subscription
 * default), and its prices relative to the entry.
 *
 * The entry base is the entry's limit price (limit and stop-limit orders),
 * its stop price (stop orders), else the best known price (signal price,
 * else quote mid). For a long entry the take profit sits above the base and
 * the stop below; for a short, the mirror. Exit legs of a long are sells, so
 * their prices round up to the tick; a short's legs are buys and round down.
 *
 * - `percent`: base × (1 ± percent/100)
 * - `amount`: base ± amount (price units)
 * - `pnlAmount`: base ± pnlAmount / (quantity × point value), the dollar
 *   target converted to a price distance
 * - trailing stop: `trailAmount`/`trailPercent` pass through; the initial
 *   stop is base ∓ trail (a sell trailing stop starts at hwm − trailAmount)
 *
 * @module
 */
import { Big, toDecimal } from "../../plugins/sdk/decimal";
import type { Bracket, OrderSide } from "../../plugins/sdk/models";
import type { Signal, StopLossType } from "./signal-schema";
import { reject } from "./reject";
import type { SubscriptionSettings } from "./settings";

export interface TakeProfitSpec {
  source: "signal" | "subscription";
  limitPrice?: Big;
  percent?: Big;
  amount?: Big;
  pnlAmount?: Big;
}

export interface StopLossSpec {
  source: "signal" | "subscription";
  type: StopLossType;
  percent?: Big;
  amount?: Big;
  pnlAmount?: Big;
  stopPrice?: Big;
  limitPrice?: Big;
  trailAmount?: Big;
  trailPercent?: Big;
  /** stop_limit: distance of the limit beyond the stop (0 = at the stop). */
  limitOffset?: Big;
}

const big = (v: string | number | undefined): Big | undefined => (v === undefined ? undefined : new Big(v));
/** A price for a message: at most 8 decimals. */
const fmt = (b: Big): string => toDecimal(b.round(8));

/** The take profit to attach: the signal's (if allowed and sent), else the subscription's, else none. */
export function effectiveTakeProfit(signal: Signal, settings: SubscriptionSettings): TakeProfitSpec | null {
  const tp = settings.allowSignalTakeProfit ? signal.takeProfit : undefined;
  if (tp) {
    return { source: "signal", limitPrice: big(tp.limitPrice), percent: big(tp.percent), amount: big(tp.amount), pnlAmount: big(tp.pnlAmount) };
  }
  const d = settings.takeProfit;
  return d ? { source: "subscription", percent: big(d.percent), amount: big(d.amount), pnlAmount: big(d.pnlAmount) } : null;
}

/**
 * The stop loss to attach. A signal stop loss that only names a `type`
 * takes its value from the subscription's default; then a trailing type
 * reads the default's percent/amount as trailPercent/trailAmount and the
 * other way round.
 */
export function effectiveStopLoss(signal: Signal, settings: SubscriptionSettings): StopLossSpec | null {
  const sl = settings.allowSignalStopLoss ? signal.stopLoss : undefined;
  const d = settings.stopLoss;
  if (sl) {
    const hasValue = [sl.percent, sl.amount, sl.pnlAmount, sl.stopPrice, sl.trailAmount, sl.trailPercent].some((v) => v !== undefined);
    const type = sl.type ?? d?.type ?? "stop";
    if (hasValue) {
      return {
        source: "signal",
        type,
        percent: big(sl.percent),
        amount: big(sl.amount),
        pnlAmount: big(sl.pnlAmount),
        stopPrice: big(sl.stopPrice),
        limitPrice: big(sl.limitPrice),
        trailAmount: big(sl.trailAmount),
        trailPercent: big(sl.trailPercent),
        limitOffset: big(d?.limitOffset),
      };
    }
    if (!d) {
      return reject(
        type === "trailing_stop" ? "invalid-stop-loss-trail-value-required" : "invalid-stop-loss-value-required",
        `"stopLoss" names type "${type}" but no value, and this subscription has no default stop loss; add "percent", "amount", "stopPrice" (or "trailAmount"/"trailPercent" for trailing_stop) to the signal, or set a stop loss in the subscription.`,
        "stopLoss",
      );
    }
    return fromDefault(d, type, "signal", sl.limitPrice);
  }
  return d ? fromDefault(d, d.type, "subscription", undefined) : null;
}

function fromDefault(
  d: NonNullable<SubscriptionSettings["stopLoss"]>,
  type: StopLossType,
  source: StopLossSpec["source"],
  limitPrice: string | undefined,
): StopLossSpec {
  if (type === "trailing_stop") {
    return {
      source,
      type,
      trailAmount: big(d.trailAmount ?? d.amount),
      trailPercent: d.trailAmount ?? d.amount ? undefined : big(d.trailPercent ?? d.percent),
    };
  }
  return {
    source,
    type,
    percent: big(d.percent ?? (d.amount ?? d.pnlAmount ? undefined : d.trailPercent)),
    amount: big(d.amount ?? (d.percent ?? d.pnlAmount ? undefined : d.trailAmount)),
    pnlAmount: big(d.pnlAmount),
    limitPrice: big(limitPrice),
    limitOffset: big(d.limitOffset),
  };
}

/** Price distance of a relative value from the base; null for absolute specs. */
function relativeDistance(
  spec: { percent?: Big; amount?: Big; pnlAmount?: Big },
  base: Big,
  quantity: Big | null,
  pointValue: Big | null,
  field: "takeProfit" | "stopLoss",
): Big | null {
  if (spec.percent) return base.times(spec.percent).div(100);
  if (spec.amount) return spec.amount;
  if (spec.pnlAmount) {
    if (pointValue === null) {
      return reject("point-value-unknown", `"${field}.pnlAmount" needs the instrument's point value to turn dollars into a price distance, and Tradeloop does not know it for this contract; use "amount" or "percent" instead.`, `${field}.pnlAmount`);
    }
    if (quantity === null || !quantity.gt(0)) {
      return reject("quantity-type-requires-stop-loss", `"${field}.pnlAmount" depends on the quantity, and the quantity here is sized from the stop loss; use a price-based "stopLoss" with risk sizing.`, `${field}.pnlAmount`);
    }
    return spec.pnlAmount.div(quantity.times(pointValue));
  }
  return null;
}

function noBase(field: string): never {
  return reject(
    "no-price",
    `"${field}" is relative to the entry price, and no price is known for this entry: add "price": {{close}} (or "limitPrice") to the alert, or use an absolute price.`,
    field,
  );
}

/** The take-profit limit price (unrounded) for an entry of `entrySide`. */
export function takeProfitPrice(tp: TakeProfitSpec, entrySide: OrderSide, base: Big | null, quantity: Big | null, pointValue: Big | null): Big {
  const sign = entrySide === "buy" ? 1 : -1;
  let price: Big;
  if (tp.limitPrice) {
    price = tp.limitPrice;
  } else {
    if (base === null) return noBase("takeProfit");
    const distance = relativeDistance(tp, base, quantity, pointValue, "takeProfit");
    if (distance === null) return reject("invalid-take-profit-value-required", "The take profit has no value.", "takeProfit");
    price = base.plus(distance.times(sign));
  }
  if (!price.gt(0)) {
    return reject("invalid-take-profit-limit-price", `The take profit works out at ${fmt(price)}, which is not a valid price; use a smaller "takeProfit" value.`, "takeProfit");
  }
  if (base !== null && (sign === 1 ? !price.gt(base) : !price.lt(base))) {
    return reject(
      "invalid-take-profit-limit-price",
      `The take profit ${fmt(price)} must be ${sign === 1 ? "above" : "below"} the entry price ${fmt(base)} for a ${sign === 1 ? "long" : "short"} entry; fix "takeProfit.limitPrice".`,
      "takeProfit.limitPrice",
    );
  }
  return price;
}

/** The stop price (unrounded) for a stop or stop-limit stop loss; for trailing stops, the initial stop (null without a base). */
export function stopLossPrice(sl: StopLossSpec, entrySide: OrderSide, base: Big | null, quantity: Big | null, pointValue: Big | null): Big | null {
  const sign = entrySide === "buy" ? 1 : -1;
  let price: Big;
  if (sl.type === "trailing_stop") {
    if (base === null) return null;
    const distance = sl.trailAmount ?? base.times(sl.trailPercent ?? 0).div(100);
    price = base.minus(distance.times(sign));
  } else if (sl.stopPrice) {
    price = sl.stopPrice;
  } else {
    if (base === null) return noBase("stopLoss");
    const distance = relativeDistance(sl, base, quantity, pointValue, "stopLoss");
    if (distance === null) return reject("invalid-stop-loss-value-required", "The stop loss has no value.", "stopLoss");
    price = base.minus(distance.times(sign));
  }
  if (!price.gt(0)) {
    return reject("invalid-stop-loss-stop-price", `The stop loss works out at ${fmt(price)}, which is not a valid price; use a smaller "stopLoss" value.`, "stopLoss");
  }
  if (base !== null && (sign === 1 ? !price.lt(base) : !price.gt(base))) {
    return reject(
      "invalid-stop-loss-stop-price",
      `The stop loss ${fmt(price)} must be ${sign === 1 ? "below" : "above"} the entry price ${fmt(base)} for a ${sign === 1 ? "long" : "short"} entry; fix "stopLoss.stopPrice".`,
      "stopLoss.stopPrice",
    );
  }
  return price;
}

/**
 * Price risk per unit for risk sizing: the distance from the base to the
 * stop. Needs a price-based stop (not pnlAmount, which itself depends on the
 * quantity).
 */
export function riskPerUnit(sl: StopLossSpec | null, entrySide: OrderSide, base: Big): Big {
  if (!sl) {
    return reject(
      "quantity-type-requires-stop-loss",
      'Risk sizing needs a stop loss: add "stopLoss" (e.g. {"type": "stop", "stopPrice": 90}) to the signal or set one in the subscription.',
      "stopLoss",
    );
  }
  if (sl.pnlAmount) {
    return reject("quantity-type-requires-stop-loss", 'Risk sizing needs a price-based stop loss ("stopPrice", "percent", "amount" or a trail); "pnlAmount" depends on the quantity itself.', "stopLoss.pnlAmount");
  }
  const stop = stopLossPrice(sl, entrySide, base, null, null);
  if (stop === null) return reject("no-price", "Risk sizing needs the entry price; add \"price\" to the alert.", "price");
  return base.minus(stop).abs();
}

/** Rounding applied to a leg price. */
export type RoundFn = (price: Big, side: OrderSide) => Big;

/**
 * Builds the bracket for an entry: TP limit price and SL leg, rounded for
 * the legs' side (the opposite of the entry's).
 */
export function buildBracket(
  tp: TakeProfitSpec | null,
  sl: StopLossSpec | null,
  entrySide: OrderSide,
  base: Big | null,
  quantity: Big,
  pointValue: Big | null,
  round: RoundFn,
): Bracket | null {
  if (!tp && !sl) return null;
  const legSide: OrderSide = entrySide === "buy" ? "sell" : "buy";
  const bracket: Bracket = {};
  if (tp) bracket.takeProfit = { limitPrice: toDecimal(round(takeProfitPrice(tp, entrySide, base, quantity, pointValue), legSide)) };
  if (sl) {
    const stop = stopLossPrice(sl, entrySide, base, quantity, pointValue);
    const stopPrice = stop === null ? undefined : round(stop, legSide);
    if (sl.type === "trailing_stop") {
      bracket.stopLoss = {
        type: "trailing_stop",
        ...(stopPrice ? { stopPrice: toDecimal(stopPrice) } : {}),
        ...(sl.trailAmount ? { trailAmount: toDecimal(sl.trailAmount) } : {}),
        ...(sl.trailPercent ? { trailPercent: toDecimal(sl.trailPercent) } : {}),
      };
    } else if (sl.type === "stop_limit") {
      // A sell stop-limit's limit sits at or below its stop so it can still fill; a buy's at or above.
      const offset = sl.limitOffset ?? new Big(0);
      const limit = sl.limitPrice ?? stopPrice!.minus(legSide === "sell" ? offset : offset.times(-1));
      bracket.stopLoss = { type: "stop_limit", stopPrice: toDecimal(stopPrice!), limitPrice: toDecimal(round(limit, legSide)) };
    } else {
      bracket.stopLoss = { type: "stop", stopPrice: toDecimal(stopPrice!) };
    }
  }
  return bracket;
}
