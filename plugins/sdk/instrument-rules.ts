/**
 * Instrument rules: the venue's tick, lot step and minimums for one
 * instrument, as the broker publishes them (Binance's filters, Kraken's
 * pair precision, OANDA's display precision, Polymarket's tick size and
 * minimum order size). A plugin that can read them implements
 * `instrumentRules(ticker, assetClass)`; the host loads them once per
 * connection and instrument (cached, see {@link InstrumentRulesCache}) and
 * applies them to every order before it leaves ({@link applyInstrumentRules}):
 * quantities and prices are rounded onto the venue's grid, and an order the
 * venue would refuse for its size is refused here, with nothing sent.
 *
 * Rounding follows the core's one rule (worker/trading/rounding.ts):
 * quantities round down (never trade more than asked); prices round down for
 * buys and up for sells (never a worse limit than asked), stops included.
 *
 * @module
 */
import type { SubmitRefusal } from "./can-submit";
import { dec, toDecimal, type Decimal } from "./decimal";
import type { AssetClass, OrderRequest, OrderSide } from "./models";

/** What the venue enforces for one instrument. Every field is optional: a venue states what it has. */
export interface InstrumentRules {
  /** Price increment (Binance PRICE_FILTER tickSize, Polymarket minimum_tick_size). */
  tickSize?: Decimal;
  /** Quantity increment (Binance LOT_SIZE stepSize, Kraken lot_decimals as 10^-n). */
  lotStep?: Decimal;
  /** Smallest quantity the venue accepts (Kraken ordermin, Polymarket minimum_order_size). */
  minQuantity?: Decimal;
  /** Smallest price × quantity the venue accepts (Binance NOTIONAL/MIN_NOTIONAL, Kraken costmin). */
  minNotional?: Decimal;
  /** Largest quantity in one order. */
  maxQuantity?: Decimal;
  /**
   * Prices must lie strictly between these (prediction markets: a probability
   * in (0, 1), in practice [tick, 1 - tick]).
   */
  priceRange?: { above: Decimal; below: Decimal };
}

/** The outcome of applying rules: the order as it will be sent, or why it may not be sent. */
export type RulesCheck = { ok: true; request: OrderRequest; adjusted: boolean } | { ok: false; reason: SubmitRefusal };

/** Rounds `value` onto a multiple of `step`: down, or up. */
function onGrid(value: Decimal, step: Decimal, direction: "down" | "up"): Decimal {
  const units = dec(value).div(step).round(0, direction === "down" ? 0 : 3);
  return toDecimal(units.times(step));
}

/** The price rounding of an order leg: buys down, sells up (never a worse price than asked). */
function roundPrice(price: Decimal, tick: Decimal, side: OrderSide): Decimal {
  return onGrid(price, tick, side === "buy" ? "down" : "up");
}

function refuse(messageCode: SubmitRefusal["messageCode"], message: string, field: keyof OrderRequest): RulesCheck {
  return { ok: false, reason: { messageCode, message, field } };
}

/**
 * The order as the venue will take it: quantity on the lot step (down),
 * prices on the tick (buys down, sells up; a bracket's exits are sells for a
 * long entry and buys for a short), then the minimums and the price range
 * checked. Pure. `referencePrice` (the alert's price, or a quote) prices the
 * minimum-notional check of a market order; without one that check is left
 * to the venue.
 */
export function applyInstrumentRules(request: OrderRequest, rules: InstrumentRules): RulesCheck {
  let adjusted = false;
  const next: OrderRequest = { ...request };
  if (rules.lotStep !== undefined && dec(rules.lotStep).gt(0)) {
    const quantity = onGrid(request.quantity, rules.lotStep, "down");
    if (!dec(quantity).eq(request.quantity)) adjusted = true;
    next.quantity = quantity;
  }
  if (dec(next.quantity).lte(0)) {
    return refuse("min-notional", `${request.quantity} is less than one lot (${rules.lotStep}) of ${request.ticker}, so nothing was sent.`, "quantity");
  }
  if (rules.minQuantity !== undefined && dec(next.quantity).lt(rules.minQuantity)) {
    return refuse("min-notional", `The venue's smallest order in ${request.ticker} is ${rules.minQuantity}; ${next.quantity} is below it, so nothing was sent.`, "quantity");
  }
  if (rules.maxQuantity !== undefined && dec(next.quantity).gt(rules.maxQuantity)) {
    return refuse("invalid-order", `The venue's largest order in ${request.ticker} is ${rules.maxQuantity}; ${next.quantity} is above it, so nothing was sent.`, "quantity");
  }
  const tick = rules.tickSize !== undefined && dec(rules.tickSize).gt(0) ? rules.tickSize : undefined;
  const exitSide: OrderSide = request.side === "buy" ? "sell" : "buy";
  const round = (price: Decimal | undefined, side: OrderSide): Decimal | undefined => {
    if (price === undefined || tick === undefined) return price;
    const rounded = roundPrice(price, tick, side);
    if (!dec(rounded).eq(price)) adjusted = true;
    return rounded;
  };
  if (request.limitPrice !== undefined) next.limitPrice = round(request.limitPrice, request.side);
  if (request.stopPrice !== undefined) next.stopPrice = round(request.stopPrice, request.side);
  if (request.bracket) {
    const { takeProfit, stopLoss } = request.bracket;
    next.bracket = {
      ...(takeProfit && { takeProfit: { limitPrice: round(takeProfit.limitPrice, exitSide)! } }),
      ...(stopLoss && {
        stopLoss: {
          ...stopLoss,
          ...(stopLoss.stopPrice !== undefined && { stopPrice: round(stopLoss.stopPrice, exitSide)! }),
          ...(stopLoss.limitPrice !== undefined && { limitPrice: round(stopLoss.limitPrice, exitSide)! }),
        },
      }),
    };
  }
  if (rules.priceRange) {
    const { above, below } = rules.priceRange;
    const prices: [keyof OrderRequest, Decimal | undefined][] = [
      ["limitPrice", next.limitPrice],
      ["stopPrice", next.stopPrice],
      ["bracket", next.bracket?.takeProfit?.limitPrice],
      ["bracket", next.bracket?.stopLoss?.stopPrice],
      ["bracket", next.bracket?.stopLoss?.limitPrice],
    ];
    for (const [field, price] of prices) {
      if (price !== undefined && (dec(price).lte(above) || dec(price).gte(below))) {
        return refuse("invalid-price", `${price} is outside the prices ${request.ticker} trades at (above ${above} and below ${below}), so nothing was sent.`, field);
      }
    }
  }
  if (rules.minNotional !== undefined) {
    const price = next.limitPrice ?? next.stopPrice ?? request.referencePrice;
    if (price !== undefined && dec(price).times(next.quantity).lt(rules.minNotional)) {
      return refuse(
        "min-notional",
        `The venue's smallest order in ${request.ticker} is worth ${rules.minNotional}; ${next.quantity} at ${price} is worth ${toDecimal(dec(price).times(next.quantity))}, so nothing was sent.`,
        "quantity",
      );
    }
  }
  return { ok: true, request: next, adjusted };
}

/** How long loaded rules are trusted. Venues change ticks and minimums rarely, and announce it. */
export const INSTRUMENT_RULES_TTL_MS = 60 * 60_000;

/**
 * Rules per connection and instrument, in the isolate's memory: loaded on
 * the first order and kept for {@link INSTRUMENT_RULES_TTL_MS}. A venue that
 * changes a tick makes the next order fail with its own error; the cache
 * entry is dropped then ({@link InstrumentRulesCache.forget}) so the order
 * after reads the new rules.
 */
export class InstrumentRulesCache {
  private readonly entries = new Map<string, { rules: InstrumentRules; until: number }>();
  private readonly loading = new Map<string, Promise<InstrumentRules>>();

  constructor(private readonly now: () => number = Date.now, private readonly maxEntries = 5_000) {}

  private key(connectionId: string, ticker: string, assetClass: AssetClass): string {
    return `${connectionId}\u0000${assetClass}\u0000${ticker}`;
  }

  /** The cached rules, else `load()` once (concurrent callers share it). */
  async get(connectionId: string, ticker: string, assetClass: AssetClass, load: () => Promise<InstrumentRules>): Promise<InstrumentRules> {
    const key = this.key(connectionId, ticker, assetClass);
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.rules;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const started = load()
      .then((rules) => {
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(key, { rules, until: this.now() + INSTRUMENT_RULES_TTL_MS });
        return rules;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, started);
    return started;
  }

  /** Drops an instrument's rules (the venue refused a price or size: read them again next time). */
  forget(connectionId: string, ticker: string, assetClass: AssetClass): void {
    this.entries.delete(this.key(connectionId, ticker, assetClass));
  }
}

/** The isolate's cache, shared by every client the host builds (keyed by connection id). */
export const instrumentRulesCache = new InstrumentRulesCache();
