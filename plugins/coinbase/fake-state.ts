/**
 * The Coinbase fake's venue state: currency balances, orders and the
 * matching rules, with no HTTP in sight. `fake.ts` puts Coinbase's
 * documented REST shapes on top.
 *
 * Rules (simplified from the venue, see docs/brokers/coinbase.md):
 * - market orders fill at once at the last price; a limit that is
 *   marketable on arrival fills at the last price, a resting one at its limit;
 * - `sor_limit_ioc` / `limit_limit_fok` that cannot fill at once are cancelled;
 * - stop-limits trigger on the last price crossing the stop in `stop_direction`;
 * - an attached `trigger_bracket_gtc` becomes a working order when its parent
 *   fills: take profit fills at its limit, the stop trigger fills at the price;
 * - no fees, no self-trade prevention, one portfolio.
 *
 * @module
 */
import { Big, dec, toDecimal } from "../sdk";

export type Side = "BUY" | "SELL";
export type VenueStatus = "PENDING" | "OPEN" | "FILLED" | "CANCELLED" | "EXPIRED" | "FAILED";
export type ConfigFields = Record<string, string | boolean>;

/** One order as the fake holds it (Coinbase's own vocabulary). */
export interface VenueOrder {
  id: string;
  clientOrderId: string;
  productId: string;
  side: Side;
  configKey: string;
  config: ConfigFields;
  status: VenueStatus;
  size: Big;
  filled: Big;
  /** Quote currency spent/received so far, for the average price. */
  filledValue: Big;
  createdAt: string;
  lastFillAt: string | null;
  /** Stop-limits: the stop has been crossed; the order now works as a limit. */
  triggered: boolean;
  /** Partial-fill fault: the rest never fills, it only waits to be cancelled. */
  frozen: boolean;
  originatingOrderId: string;
  attachedOrderId: string;
  attachedConfig: Record<string, ConfigFields> | null;
}

const D = (v: string | boolean | undefined): Big => dec(typeof v === "string" ? v : "0");

export class VenueState {
  readonly balances = new Map<string, Big>();
  readonly prices = new Map<string, Big>();
  readonly orders: VenueOrder[] = [];
  private seq = 0;

  constructor(
    private readonly startingCash: string,
    private readonly now: () => Date,
  ) {
    this.reset();
  }

  reset(): void {
    this.balances.clear();
    this.prices.clear();
    this.orders.length = 0;
    this.balances.set("USD", dec(this.startingCash));
  }

  /** Deterministic UUID-shaped ids, so fixtures and logs are stable. */
  nextId(): string {
    this.seq += 1;
    const n = this.seq.toString(16).padStart(12, "0");
    return `0c0ba5e0-0000-4000-8000-${n}`;
  }

  balance(currency: string): Big {
    return this.balances.get(currency) ?? dec(0);
  }

  /** What open orders reserve, per currency: quote for buys, base for sells. */
  holds(): Map<string, Big> {
    const out = new Map<string, Big>();
    for (const o of this.orders) {
      if (o.status !== "OPEN") continue;
      const [base, quote] = o.productId.split("-") as [string, string];
      const rest = o.size.minus(o.filled);
      if (o.side === "SELL") {
        out.set(base, (out.get(base) ?? dec(0)).plus(rest));
      } else {
        const px = o.config.limit_price !== undefined ? D(o.config.limit_price) : (this.prices.get(o.productId) ?? dec(0));
        out.set(quote, (out.get(quote) ?? dec(0)).plus(rest.times(px)));
      }
    }
    return out;
  }

  available(currency: string): Big {
    return this.balance(currency).minus(this.holds().get(currency) ?? dec(0));
  }

  /** Whether the account can pay for `o` right now (a sell needs the coins, a buy the quote currency). */
  affordable(o: Pick<VenueOrder, "productId" | "side" | "size" | "config">): boolean {
    const [base, quote] = o.productId.split("-") as [string, string];
    if (o.side === "SELL") return o.size.lte(this.available(base));
    const px = o.config.limit_price !== undefined ? D(o.config.limit_price) : this.prices.get(o.productId);
    if (px === undefined) return false;
    return o.size.times(px).lte(this.available(quote));
  }

  private fill(o: VenueOrder, qty: Big, price: Big): void {
    if (qty.lte(0)) return;
    const [base, quote] = o.productId.split("-") as [string, string];
    const value = qty.times(price);
    const sign = o.side === "BUY" ? 1 : -1;
    this.balances.set(base, this.balance(base).plus(qty.times(sign)));
    this.balances.set(quote, this.balance(quote).minus(value.times(sign)));
    o.filled = o.filled.plus(qty);
    o.filledValue = o.filledValue.plus(value);
    o.lastFillAt = this.now().toISOString();
    if (o.filled.gte(o.size)) {
      o.status = "FILLED";
      this.spawnAttached(o);
    }
  }

  /** The parent filled: its attached TP/SL becomes a working order of the opposite side. */
  private spawnAttached(parent: VenueOrder): void {
    const cfg = parent.attachedConfig?.trigger_bracket_gtc;
    if (!cfg || !parent.attachedOrderId) return;
    this.orders.push({
      id: parent.attachedOrderId,
      clientOrderId: "",
      productId: parent.productId,
      side: parent.side === "BUY" ? "SELL" : "BUY",
      configKey: "trigger_bracket_gtc",
      config: { ...cfg, base_size: toDecimal(parent.filled) },
      status: "OPEN",
      size: parent.filled,
      filled: dec(0),
      filledValue: dec(0),
      createdAt: this.now().toISOString(),
      lastFillAt: null,
      triggered: false,
      frozen: false,
      originatingOrderId: parent.id,
      attachedOrderId: "",
      attachedConfig: null,
    });
  }

  /** Fills what the last price allows for one order. `arriving` = the order was just placed. */
  private work(o: VenueOrder, arriving: boolean): void {
    if (o.status !== "OPEN" || o.frozen) return;
    const price = this.prices.get(o.productId);
    if (price === undefined) return;
    const qty = o.size.minus(o.filled);
    const buy = o.side === "BUY";
    const key = o.configKey;
    if (key.startsWith("market_")) {
      this.fill(o, qty, price);
    } else if (key.startsWith("trigger_bracket_")) {
      const tp = D(o.config.limit_price);
      const sl = D(o.config.stop_trigger_price);
      // Protecting a long (SELL): take profit above, stop below; a short (BUY) mirrors it.
      if (buy ? price.lte(tp) : price.gte(tp)) {
        this.fill(o, qty, tp);
      } else if (buy ? price.gte(sl) : price.lte(sl)) {
        o.triggered = true;
        this.fill(o, qty, price);
      }
    } else {
      if (key.startsWith("stop_limit_") && !o.triggered) {
        const stop = D(o.config.stop_price);
        o.triggered = o.config.stop_direction === "STOP_DIRECTION_STOP_UP" ? price.gte(stop) : price.lte(stop);
        if (!o.triggered) return;
      }
      const limit = D(o.config.limit_price);
      const marketable = buy ? price.lte(limit) : price.gte(limit);
      if (marketable) this.fill(o, qty, arriving ? price : limit);
      const immediate = key === "sor_limit_ioc" || key === "limit_limit_fok";
      if (arriving && immediate && o.status === "OPEN") o.status = "CANCELLED";
    }
  }

  /**
   * A new order arrives and works at once. With a partial-fill fault armed it
   * fills exactly `partial` now (at the last price, else its limit) and the
   * rest stays working, never filling, until cancelled.
   */
  arrive(o: VenueOrder, partial?: Big): void {
    this.orders.push(o);
    if (partial === undefined) {
      this.work(o, true);
      return;
    }
    const px = this.prices.get(o.productId) ?? D(o.config.limit_price);
    this.fill(o, partial.lt(o.size) ? partial : o.size, px);
    if (o.status === "OPEN") o.frozen = true;
  }

  /** The market traded at `price`: resting orders it crosses fill (children spawned by fills work too). */
  setPrice(productId: string, price: string): void {
    this.prices.set(productId, dec(price));
    for (let i = 0; i < this.orders.length; i++) {
      const o = this.orders[i];
      if (o && o.productId === productId) this.work(o, false);
    }
  }

  find(id: string): VenueOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }
}
