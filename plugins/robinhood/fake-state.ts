/**
 * The Robinhood fake's venue state: buying power, holdings, orders and the
 * matching rules, without HTTP. `fake.ts` puts the documented REST shapes on
 * top.
 *
 * Rules (simplified; see docs/brokers/robinhood.md): market orders fill at
 * once at the last price; a limit marketable on arrival fills at the last
 * price, a resting one at its limit; `stop_loss` triggers on the last price
 * crossing the stop and fills at that price; `stop_limit` triggers, then works
 * as a limit. Open buys reserve buying power, open sells reserve coins. No
 * spread, no fees.
 *
 * @module
 */
import { Big, dec, toDecimal } from "../sdk";

export type RhState = "open" | "partially_filled" | "filled" | "canceled" | "failed";
export type RhType = "market" | "limit" | "stop_loss" | "stop_limit";

export interface RhOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  type: RhType;
  config: Record<string, string>;
  size: Big;
  filled: Big;
  filledValue: Big;
  state: RhState;
  triggered: boolean;
  /** Partial-fill fault: the rest never fills, it only waits to be cancelled. */
  frozen: boolean;
  createdAt: string;
  updatedAt: string;
  executions: { effective_price: string; quantity: string; timestamp: string }[];
}

const D = (v: string | undefined): Big => dec(v ?? "0");

export class RhVenue {
  cash: Big = dec(0);
  readonly holdings = new Map<string, Big>();
  readonly prices = new Map<string, Big>();
  readonly orders: RhOrder[] = [];
  private seq = 0;

  constructor(
    private readonly startingCash: string,
    private readonly now: () => Date,
  ) {
    this.reset();
  }

  reset(): void {
    this.cash = dec(this.startingCash);
    this.holdings.clear();
    this.prices.clear();
    this.orders.length = 0;
  }

  nextId(): string {
    this.seq += 1;
    return `497f6eca-6276-4993-bfeb-${this.seq.toString(16).padStart(12, "0")}`;
  }

  private working(o: RhOrder): boolean {
    return o.state === "open" || o.state === "partially_filled";
  }

  /** Price a buy reserves per unit: its limit, else its stop, else the last price. */
  private reservePrice(o: Pick<RhOrder, "config" | "symbol">): Big | undefined {
    const c = o.config;
    if (c.limit_price !== undefined) return D(c.limit_price);
    if (c.stop_price !== undefined) return D(c.stop_price);
    return this.prices.get(o.symbol);
  }

  buyingPower(): Big {
    let reserved = dec(0);
    for (const o of this.orders) {
      if (o.side === "buy" && this.working(o)) reserved = reserved.plus(o.size.minus(o.filled).times(this.reservePrice(o) ?? 0));
    }
    return this.cash.minus(reserved);
  }

  availableAsset(asset: string): Big {
    let reserved = dec(0);
    for (const o of this.orders) {
      if (o.side === "sell" && this.working(o) && o.symbol.startsWith(`${asset}-`)) reserved = reserved.plus(o.size.minus(o.filled));
    }
    return (this.holdings.get(asset) ?? dec(0)).minus(reserved);
  }

  affordable(o: Pick<RhOrder, "symbol" | "side" | "size" | "config">): boolean {
    if (o.side === "sell") return o.size.lte(this.availableAsset(o.symbol.split("-")[0] ?? ""));
    const px = this.reservePrice(o);
    return px !== undefined && o.size.times(px).lte(this.buyingPower());
  }

  private fill(o: RhOrder, qty: Big, price: Big): void {
    if (qty.lte(0)) return;
    const asset = o.symbol.split("-")[0] ?? o.symbol;
    const sign = o.side === "buy" ? 1 : -1;
    this.holdings.set(asset, (this.holdings.get(asset) ?? dec(0)).plus(qty.times(sign)));
    this.cash = this.cash.minus(qty.times(price).times(sign));
    o.filled = o.filled.plus(qty);
    o.filledValue = o.filledValue.plus(qty.times(price));
    const at = this.now().toISOString();
    o.executions.push({ effective_price: toDecimal(price), quantity: toDecimal(qty), timestamp: at });
    o.updatedAt = at;
    o.state = o.filled.gte(o.size) ? "filled" : "partially_filled";
  }

  private work(o: RhOrder, arriving: boolean): void {
    if (!this.working(o) || o.frozen) return;
    const price = this.prices.get(o.symbol);
    if (price === undefined) return;
    const qty = o.size.minus(o.filled);
    const buy = o.side === "buy";
    if (o.type === "market") return this.fill(o, qty, price);
    if (o.type === "stop_loss" || o.type === "stop_limit") {
      if (!o.triggered) {
        const stop = D(o.config.stop_price);
        o.triggered = buy ? price.gte(stop) : price.lte(stop);
        if (!o.triggered) return;
      }
      if (o.type === "stop_loss") return this.fill(o, qty, price);
    }
    const limit = D(o.config.limit_price);
    if (buy ? price.lte(limit) : price.gte(limit)) this.fill(o, qty, arriving ? price : limit);
  }

  /** A new order arrives; with a partial-fill fault it fills exactly `partial` now and the rest never fills. */
  arrive(o: RhOrder, partial?: Big): void {
    this.orders.push(o);
    if (partial === undefined) return this.work(o, true);
    const px = this.prices.get(o.symbol) ?? D(o.config.limit_price);
    this.fill(o, partial.lt(o.size) ? partial : o.size, px);
    if (this.working(o)) o.frozen = true;
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, dec(price));
    for (const o of this.orders) if (o.symbol === symbol) this.work(o, false);
  }

  find(id: string): RhOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }
}
