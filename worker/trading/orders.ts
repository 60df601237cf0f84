/**
 * One order's shape: type, time in force, extended hours and prices, with
 * the signal-vs-subscription choice and the broker's capabilities applied.
 *
 * - Order type: the signal's when allowed, else the subscription's entry or
 *   exit default. A type the broker lacks falls back to the subscription
 *   default; if that is missing too, the trade is rejected.
 * - Time in force: the signal's when allowed, else the subscription's, else
 *   `gtc` for crypto and `day` otherwise; a value the broker lacks falls back
 *   the same way, then to the broker's first supported value.
 * - Limit/stop prices the signal did not send come from the quote field
 *   chosen by `marketPriceType`, else the best known price; none → `no-price`.
 *
 * @module
 */
import { Big } from "../../plugins/sdk/decimal";
import type { OrderFeatures } from "../../plugins/sdk/contract";
import type { OrderSide, OrderType, TimeInForce } from "../../plugins/sdk/models";
import type { MarketPriceType, Signal } from "./signal-schema";
import { reject } from "./reject";
import { roundPrice } from "./rounding";
import type { SubscriptionSettings } from "./settings";
import type { Instrument } from "./tickers";
import type { QuoteInput } from "./types";

/** What order-building needs from the decision input. */
export interface OrderContext {
  signal: Signal;
  settings: SubscriptionSettings;
  instrument: Instrument;
  features: OrderFeatures | undefined;
  quote: QuoteInput | null | undefined;
  /** Best known price (signal price, else quote mid). */
  price: Big | null;
  tickOverride: string | undefined;
}

export type OrderPurpose = "entry" | "exit";

function supports(features: OrderFeatures | undefined, type: OrderType): boolean {
  if (!features) return true;
  if (type === "trailing_stop" && features.trailingStop === "unsupported") return false;
  return features.orderTypes.includes(type);
}

/** The order type for an entry or exit. */
export function resolveOrderType(ctx: OrderContext, purpose: OrderPurpose): OrderType {
  const fallback = purpose === "entry" ? ctx.settings.entryOrderType : ctx.settings.exitOrderType;
  const wanted = (ctx.settings.allowSignalOrderType ? ctx.signal.orderType : undefined) ?? fallback;
  if (supports(ctx.features, wanted)) return wanted;
  if (supports(ctx.features, fallback)) return fallback;
  const settingName = purpose === "entry" ? "entryOrderType" : "exitOrderType";
  return reject(
    wanted === "trailing_stop" ? "trailing-stop-not-supported" : "order-type-not-supported",
    `The broker does not support ${wanted} orders${wanted !== fallback ? `, nor the subscription's "${settingName}" ${fallback}` : ""}; send one of ${(ctx.features?.orderTypes ?? []).join(", ")} as "orderType" or change "${settingName}".`,
    "orderType",
  );
}

/**
 * The time in force for an order. `options.default` replaces the
 * subscription's default (breakeven stops: gtc); `options.force` ignores the
 * signal too (bracket legs placed on their own must outlive the day).
 */
export function resolveTimeInForce(ctx: OrderContext, options: { default?: TimeInForce; force?: TimeInForce } = {}): TimeInForce {
  const assetDefault: TimeInForce = ctx.instrument.assetClass === "crypto" ? "gtc" : "day";
  const subscription = ctx.settings.timeInForce ?? assetDefault;
  const fromSignal = ctx.settings.allowSignalTimeInForce ? ctx.signal.timeInForce : undefined;
  const wanted = options.force ?? fromSignal ?? options.default ?? subscription;
  const list = ctx.features?.timeInForce;
  if (!list || list.includes(wanted)) return wanted;
  if (list.includes(subscription)) return subscription;
  return list[0] ?? wanted;
}

/** Whether the order goes out as extended-hours; enforces the asset-class and limit-only rules. */
export function resolveExtendedHours(ctx: OrderContext, type: OrderType): boolean {
  const wanted = (ctx.settings.allowSignalExtendedHours ? ctx.signal.extendedHours : undefined) ?? ctx.settings.extendedHours;
  if (!wanted) return false;
  if (ctx.instrument.assetClass !== "stocks" && ctx.instrument.assetClass !== "options") {
    return reject("invalid-extended-hours", `"extendedHours" only applies to stocks and options, and this is ${ctx.instrument.assetClass}; remove "extendedHours".`, "extendedHours");
  }
  if (ctx.features && !ctx.features.extendedHours) {
    return reject("extended-hours-not-supported", 'The broker does not take extended-hours orders; remove "extendedHours" or turn it off in the subscription.', "extendedHours");
  }
  if (type !== "limit") {
    return reject(
      "extended-hours-requires-limit",
      `Extended-hours orders must be limit orders, and this one is ${type}; send "orderType": "limit" (with "limitPrice" or "price"), or remove "extendedHours".`,
      "orderType",
    );
  }
  return true;
}

/** A price from the quote by `marketPriceType`, else the best known price. */
export function currentPrice(ctx: OrderContext, side: OrderSide): Big | null {
  const kind: MarketPriceType = ctx.signal.marketPriceType ?? ctx.settings.marketPriceType;
  const q = ctx.quote;
  const bid = q?.bid ? new Big(q.bid) : null;
  const ask = q?.ask ? new Big(q.ask) : null;
  const last = q?.last ? new Big(q.last) : null;
  let picked: Big | null = null;
  switch (kind) {
    case "ask_bid":
      picked = side === "buy" ? ask : bid;
      break;
    case "mark":
      picked = bid && ask ? bid.plus(ask).div(2) : null;
      break;
    case "ask":
      picked = ask;
      break;
    case "bid":
      picked = bid;
      break;
    case "last":
      picked = last;
      break;
  }
  return picked && picked.gt(0) ? picked : ctx.price;
}

export interface OrderPrices {
  limitPrice?: Big;
  stopPrice?: Big;
  trailAmount?: Big;
  trailPercent?: Big;
}

function missingPrice(field: string, type: OrderType, ticker: string): never {
  return reject(
    "no-price",
    `A ${type} order needs "${field}", and the signal sent none and no price is known for ${ticker}: add "${field}" or "price": {{close}} to the alert.`,
    field,
  );
}

/** Limit/stop/trail prices for an order of `type` and `side`, rounded to the tick (sells up, buys down). */
export function orderPrices(ctx: OrderContext, type: OrderType, side: OrderSide): OrderPrices {
  const useSignal = ctx.settings.allowSignalOrderType;
  const sig = ctx.signal;
  const round = (p: Big) => roundPrice(p, ctx.instrument, side, ctx.tickOverride);
  const given = (v: string | undefined) => (useSignal && v !== undefined ? new Big(v) : null);
  switch (type) {
    case "market":
      return {};
    case "limit": {
      const limit = given(sig.limitPrice) ?? currentPrice(ctx, side) ?? missingPrice("limitPrice", type, ctx.instrument.ticker);
      return { limitPrice: round(limit) };
    }
    case "stop": {
      const stop = given(sig.stopPrice) ?? currentPrice(ctx, side) ?? missingPrice("stopPrice", type, ctx.instrument.ticker);
      return { stopPrice: round(stop) };
    }
    case "stop_limit": {
      const stop = given(sig.stopPrice) ?? currentPrice(ctx, side) ?? missingPrice("stopPrice", type, ctx.instrument.ticker);
      const limit = given(sig.limitPrice) ?? stop;
      return { stopPrice: round(stop), limitPrice: round(limit) };
    }
    case "trailing_stop": {
      const trailAmount = given(sig.trailAmount);
      const trailPercent = trailAmount ? null : given(sig.trailPercent);
      if (!trailAmount && !trailPercent) {
        return reject("invalid-trailing-stop", 'A trailing_stop order needs "trailAmount" or "trailPercent" in the signal.', "trailAmount");
      }
      // The initial stop (informational for real brokers, used by the paper broker):
      // a sell trails below the price, a buy above.
      const base = currentPrice(ctx, side);
      const sign = side === "sell" ? -1 : 1;
      const distance = trailAmount ?? (base ? base.times(trailPercent!).div(100) : null);
      const stop = base && distance ? base.plus(distance.times(sign)) : null;
      return {
        ...(stop && stop.gt(0) ? { stopPrice: round(stop) } : {}),
        ...(trailAmount ? { trailAmount } : { trailPercent: trailPercent! }),
      };
    }
  }
}

/** Refuses to trade when the quote's spread is wider than the signal's or subscription's filter. Skipped without a two-sided quote. */
export function checkSpread(ctx: OrderContext): void {
  const maxSpread = ctx.signal.bidAskSpreadFilter ?? ctx.settings.bidAskSpreadFilter;
  const maxPercent = ctx.signal.bidAskSpreadFilterPercent ?? ctx.settings.bidAskSpreadFilterPercent;
  if (maxSpread === undefined && maxPercent === undefined) return;
  const bid = ctx.quote?.bid ? new Big(ctx.quote.bid) : null;
  const ask = ctx.quote?.ask ? new Big(ctx.quote.ask) : null;
  if (!bid || !ask || !bid.gt(0) || !ask.gt(0)) return;
  const spread = ask.minus(bid);
  if (maxSpread !== undefined && spread.gt(new Big(maxSpread))) {
    reject("spread-filter-exceeded", `The bid-ask spread of ${ctx.instrument.ticker} is ${spread.toFixed()} (bid ${bid.toFixed()}, ask ${ask.toFixed()}), wider than the filter of ${new Big(maxSpread).toFixed()}; the trade was skipped.`, "bidAskSpreadFilter");
  }
  const percent = spread.div(bid.plus(ask).div(2)).times(100);
  if (maxPercent !== undefined && percent.gt(new Big(maxPercent))) {
    reject("spread-filter-exceeded", `The bid-ask spread of ${ctx.instrument.ticker} is ${percent.round(4).toFixed()}% of the mid, wider than the filter of ${new Big(maxPercent).toFixed()}%; the trade was skipped.`, "bidAskSpreadFilterPercent");
  }
}
