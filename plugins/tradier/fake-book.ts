/**
 * The fake Tradier's book: one account per token, orders (simple, OTO,
 * OTOCO), positions with cost basis, cash and buying power.
 *
 * Tradier's rules it enforces: the side must match the position (`sell`
 * only against a long, `sell_short` only when not long, `buy_to_cover` only
 * against a short, and the option equivalents), an order never flips a
 * position, shorting needs a margin account, and opening orders need buying
 * power. Those refusals come from Tradier's downstream systems, so they are
 * answered as HTTP 200 with an `errors` body (see fake.ts).
 *
 * Money is big.js; JSON numbers appear only when rendering.
 *
 * @module
 */
import { Big, dec } from "../sdk/decimal";

const ZERO = new Big(0);

/** Tradier order statuses the fake uses (the documented set). */
export type TradierStatus = "pending" | "open" | "partially_filled" | "filled" | "expired" | "canceled" | "rejected";
const FINAL = new Set<TradierStatus>(["filled", "expired", "canceled", "rejected"]);

/** A refusal: `downstream` ones are HTTP 200 + errors, the others HTTP 400. */
export class TradierRefusal extends Error {
  constructor(
    message: string,
    readonly downstream: boolean,
  ) {
    super(message);
  }
}

/** One order (or leg) as sent. */
export interface LegSpec {
  symbol: string;
  optionSymbol: string | null;
  side: string;
  quantity: Big;
  type: "market" | "limit" | "stop" | "stop_limit";
  price: Big | null;
  stop: Big | null;
}

/** One order as the fake holds it. */
export interface BookOrder extends LegSpec {
  id: number;
  klass: "equity" | "option" | "oto" | "otoco";
  duration: string;
  status: TradierStatus;
  execQty: Big;
  execValue: Big;
  lastFillPrice: Big;
  lastFillQty: Big;
  createDate: Date;
  transactionDate: Date;
  tag: string | null;
  legs: BookOrder[];
  parent: BookOrder | null;
  /** Exit legs wait for their entry to fill completely. */
  active: boolean;
  triggered: boolean;
  autoFillCap: Big | null;
}

/** A position with its total cost basis (signed, × 100 for options). */
export interface Holding {
  quantity: Big;
  costBasis: Big;
  dateAcquired: Date;
  id: number;
}

/** One account: cash, holdings, orders. */
export class BookAccount {
  readonly orders: BookOrder[] = [];
  readonly holdings = new Map<string, Holding>();
  cash: Big;
  constructor(
    readonly accountNumber: string,
    readonly type: "margin" | "cash",
    cash: Big,
    readonly created: Date,
  ) {
    this.cash = cash;
  }
}

const isFinal = (o: BookOrder): boolean => FINAL.has(o.status);
const remaining = (o: BookOrder): Big => o.quantity.minus(o.execQty);
/** The instrument an order trades: the OCC symbol for options. */
export const instrumentOf = (o: LegSpec): string => o.optionSymbol ?? o.symbol;
const multiplierOf = (symbol: string): number => (/\d{6}[CP]\d{8}$/.test(symbol) ? 100 : 1);

/** Prices, matching, fills and the rules Tradier's risk systems apply. */
export class TradierBook {
  readonly prices = new Map<string, Big>();
  private nextId = 1000;
  private partialNext: Big | null = null;

  constructor(private readonly now: () => Date) {}

  setPrice(symbol: string, price: Big): void {
    this.prices.set(symbol.toUpperCase(), price);
  }

  partialFillNext(qty: Big): void {
    this.partialNext = qty;
  }

  /** The market traded: every working order on `symbol`, oldest first, may fill. */
  match(account: BookAccount, symbol: string): void {
    for (const o of this.working(account)) if (instrumentOf(o) === symbol) this.tryFill(account, o);
  }

  /** Simple orders and the legs of advanced ones that are not final yet. */
  private working(account: BookAccount): BookOrder[] {
    return account.orders.flatMap((o) => (o.legs.length > 0 ? o.legs : [o])).filter((o) => !isFinal(o));
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  private order(spec: LegSpec, klass: BookOrder["klass"], duration: string, tag: string | null, parent: BookOrder | null, active: boolean): BookOrder {
    const now = this.now();
    return {
      ...spec,
      id: this.id(),
      klass,
      duration,
      status: active ? "open" : "pending",
      execQty: ZERO,
      execValue: ZERO,
      lastFillPrice: ZERO,
      lastFillQty: ZERO,
      createDate: now,
      transactionDate: now,
      tag,
      legs: [],
      parent,
      active,
      triggered: false,
      autoFillCap: null,
    };
  }

  /** Checks the side against the position and the buying power, as Tradier's risk systems do. */
  private check(account: BookAccount, leg: LegSpec): void {
    const symbol = instrumentOf(leg);
    const price = this.prices.get(symbol);
    if (price === undefined) throw new TradierRefusal(`Invalid parameter, ${symbol}: symbol not found.`, false);
    const pos = account.holdings.get(symbol)?.quantity ?? ZERO;
    // Shares promised to working orders on the same side; the two exits of one OTOCO share theirs.
    const held = (side: string) => {
      const perGroup = new Map<number, Big>();
      for (const o of this.working(account)) {
        if (!o.active || instrumentOf(o) !== symbol || o.side !== side) continue;
        const key = o.parent?.id ?? o.id;
        const r = remaining(o);
        if (!perGroup.has(key) || r.gt(perGroup.get(key)!)) perGroup.set(key, r);
      }
      return [...perGroup.values()].reduce((sum, r) => sum.plus(r), ZERO);
    };
    const closing: Record<string, "long" | "short"> = { sell: "long", sell_to_close: "long", buy_to_cover: "short", buy_to_close: "short" };
    const want = closing[leg.side];
    if (want !== undefined) {
      const have = want === "long" ? pos : pos.neg();
      if (!have.gt(0)) throw new TradierRefusal(`Backoffice rejected override of the order. Unexpected ${pascal(leg.side)}Order`, true);
      if (leg.quantity.gt(have.minus(held(leg.side)))) {
        throw new TradierRefusal(`Sell order quantity ${leg.quantity.toFixed()} exceeds the available position quantity ${have.minus(held(leg.side)).toFixed()}`, true);
      }
      return;
    }
    // Opening sides: buy / buy_to_open need no short position; sell_short / sell_to_open need no long one.
    const opensShort = leg.side === "sell_short" || leg.side === "sell_to_open";
    if (opensShort ? pos.gt(0) : pos.lt(0)) throw new TradierRefusal(`Backoffice rejected override of the order. Unexpected ${pascal(leg.side)}Order`, true);
    if (opensShort && account.type !== "margin") throw new TradierRefusal("ShortOrderIsNotAllowed", true);
    const ref = leg.price ?? leg.stop ?? price;
    const cost = leg.quantity.times(ref).times(multiplierOf(symbol));
    if (cost.gt(this.buyingPower(account))) throw new TradierRefusal("You do not have enough buying power for this trade.", true);
  }

  /** Stock buying power: cash account = cash less open buys; margin = 2 × (equity − half the gross value) less open opening orders. */
  buyingPower(account: BookAccount): Big {
    const { equity, gross } = this.values(account);
    let reserved = ZERO;
    for (const o of this.working(account)) {
      if (!o.active || !(o.side === "buy" || o.side === "buy_to_open" || o.side === "sell_short" || o.side === "sell_to_open")) continue;
      const symbol = instrumentOf(o);
      reserved = reserved.plus(remaining(o).times(o.price ?? o.stop ?? this.prices.get(symbol) ?? ZERO).times(multiplierOf(symbol)));
    }
    const base = account.type === "cash" ? account.cash : equity.minus(gross.times("0.5")).times(2);
    const bp = base.minus(reserved);
    return bp.gt(0) ? bp : ZERO;
  }

  values(account: BookAccount): { longValue: Big; shortValue: Big; equity: Big; gross: Big } {
    let longValue = ZERO;
    let shortValue = ZERO;
    for (const [symbol, h] of account.holdings) {
      const mv = h.quantity.times(this.prices.get(symbol) ?? ZERO).times(multiplierOf(symbol));
      if (mv.gte(0)) longValue = longValue.plus(mv);
      else shortValue = shortValue.plus(mv);
    }
    return { longValue, shortValue, equity: account.cash.plus(longValue).plus(shortValue), gross: longValue.minus(shortValue) };
  }

  /** Places a simple order, or an OTO/OTOCO whose first leg is the entry. Returns the order (the parent for advanced classes). */
  place(account: BookAccount, klass: BookOrder["klass"], legs: LegSpec[], duration: string, tag: string | null): BookOrder {
    const [first] = legs;
    if (!first) throw new TradierRefusal("Invalid Parameter: symbol", false);
    this.check(account, first);
    let placed: BookOrder;
    if (klass === "equity" || klass === "option") {
      placed = this.order(first, klass, duration, tag, null, true);
      account.orders.push(placed);
    } else {
      placed = this.order(first, klass, duration, tag, null, true);
      placed.legs = legs.map((spec, i) => this.order(spec, spec.optionSymbol ? "option" : "equity", duration, null, placed, i === 0));
      account.orders.push(placed);
    }
    const entry = placed.legs[0] ?? placed;
    if (this.partialNext !== null) {
      entry.autoFillCap = this.partialNext;
      this.partialNext = null;
    }
    this.tryFill(account, entry);
    this.refresh(placed);
    return placed;
  }

  /** The price `o` executes at now, or null. Buys pay the price, sells get it (no spread in the fake). */
  private executable(o: BookOrder): Big | null {
    const p = this.prices.get(instrumentOf(o));
    if (p === undefined) return null;
    const buy = o.side.startsWith("buy");
    const limitOk = (l: Big) => (buy ? p.lte(l) : p.gte(l));
    const stopHit = (s: Big) => (buy ? p.gte(s) : p.lte(s));
    switch (o.type) {
      case "market":
        return p;
      case "limit":
        return limitOk(o.price!) ? p : null;
      case "stop":
        return stopHit(o.stop!) ? p : null;
      case "stop_limit":
        if (!o.triggered && stopHit(o.stop!)) o.triggered = true;
        return o.triggered && limitOk(o.price!) ? p : null;
    }
  }

  private tryFill(account: BookAccount, o: BookOrder): void {
    if (isFinal(o) || !o.active) return;
    const price = this.executable(o);
    if (price === null) return;
    let qty = remaining(o);
    if (o.autoFillCap !== null) {
      const room = o.autoFillCap.minus(o.execQty);
      if (!room.gt(0)) return;
      if (room.lt(qty)) qty = room;
    }
    if (qty.gt(0)) this.fill(account, o, qty, price);
  }

  /** Executes `qty` of `o` at `price`: cash, position (with its cost basis), order state, then the group. */
  fill(account: BookAccount, o: BookOrder, qty: Big, price: Big): void {
    const symbol = instrumentOf(o);
    const m = multiplierOf(symbol);
    const signed = o.side.startsWith("buy") ? qty : qty.neg();
    account.cash = account.cash.minus(signed.times(price).times(m));
    const h = account.holdings.get(symbol);
    const before = h?.quantity ?? ZERO;
    const after = before.plus(signed);
    if (after.eq(0)) account.holdings.delete(symbol);
    else if (!h || before.eq(0)) account.holdings.set(symbol, { quantity: after, costBasis: signed.times(price).times(m), dateAcquired: this.now(), id: this.id() });
    else if (after.abs().gt(before.abs())) h.costBasis = h.costBasis.plus(signed.times(price).times(m));
    else h.costBasis = h.costBasis.times(after).div(before); // reducing keeps the average cost
    if (h && !after.eq(0)) h.quantity = after;

    o.execQty = o.execQty.plus(qty);
    o.execValue = o.execValue.plus(qty.times(price));
    o.lastFillPrice = price;
    o.lastFillQty = qty;
    o.status = o.execQty.gte(o.quantity) ? "filled" : "partially_filled";
    o.transactionDate = this.now();

    const parent = o.parent;
    if (parent) {
      const [entry, ...exits] = parent.legs;
      if (o === entry && o.status === "filled") {
        for (const x of exits) {
          x.active = true;
          x.status = "open";
        }
        for (const x of exits) this.tryFill(account, x);
      } else if (o !== entry && o.status === "filled") {
        // The exits of an OTOCO are one-cancels-other.
        for (const x of exits) if (x !== o && !isFinal(x)) this.finish(x, "canceled");
      }
      this.refresh(parent);
    }
  }

  private finish(o: BookOrder, status: TradierStatus): void {
    o.status = status;
    o.transactionDate = this.now();
  }

  /** An advanced order's own status follows its legs: open while any works, else filled if its entry filled. */
  refresh(parent: BookOrder): void {
    if (parent.legs.length === 0) return;
    const [entry] = parent.legs as [BookOrder];
    const working = parent.legs.some((l) => !isFinal(l));
    parent.status = working ? (entry.execQty.gt(0) ? "partially_filled" : "open") : entry.status === "filled" ? "filled" : entry.status;
    parent.execQty = entry.execQty;
    parent.execValue = entry.execValue;
    parent.transactionDate = this.now();
  }

  /**
   * The session closed: every order still working with duration `day` (or
   * the `pre`/`post` session it was placed for) ends `expired`, legs of an
   * advanced order included. Tradier's documented durations: `day` orders
   * live until the close, `gtc` until cancelled.
   */
  endSession(account: BookAccount): void {
    for (const o of account.orders) {
      const target = o.legs.length > 0 ? o.legs : [o];
      for (const l of target) if (!isFinal(l) && l.duration !== "gtc") this.finish(l, "expired");
      if (o.legs.length > 0) this.refresh(o);
    }
  }

  /** Cancels an order: a parent takes all its working legs with it. A final order is refused downstream. */
  cancel(o: BookOrder): void {
    const target = o.legs.length > 0 ? o.legs : [o];
    if (isFinal(o) && target.every(isFinal)) {
      throw new TradierRefusal(`Backoffice rejected override of the order. Order is already in a finalized state: ${o.status}`, true);
    }
    for (const l of target) if (!isFinal(l)) this.finish(l, "canceled");
    if (o.legs.length > 0) this.refresh(o);
    if (o.parent) this.refresh(o.parent);
  }

  /** `PUT`: type, duration, price and stop change in place (same id). */
  modify(account: BookAccount, o: BookOrder, change: { type?: LegSpec["type"]; duration?: string; price?: Big; stop?: Big }): void {
    const target = o.legs[0] ?? o;
    if (isFinal(target)) throw new TradierRefusal(`Backoffice rejected override of the order. Order is already in a finalized state: ${target.status}`, true);
    if (change.type) target.type = change.type;
    if (change.duration) o.duration = target.duration = change.duration;
    if (change.price) target.price = change.price;
    if (change.stop) target.stop = change.stop;
    target.transactionDate = this.now();
    this.tryFill(account, target);
    this.refresh(o);
  }

  find(account: BookAccount, id: number): BookOrder | undefined {
    for (const o of account.orders) {
      if (o.id === id) return o;
      const leg = o.legs.find((l) => l.id === id);
      if (leg) return leg;
    }
    return undefined;
  }
}

function pascal(side: string): string {
  return side
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

export { dec };
