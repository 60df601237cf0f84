/**
 * An in-memory broker book for fake brokers: cash, signed positions, orders
 * that fill at the last price, resting limit and stop orders, OCO bracket
 * legs, one-shot partial fills, immediate orders (ioc, fok), and a
 * no-leverage buying-power rule.
 *
 * A plugin's fake only has to speak the venue's HTTP dialect (paths, field
 * names, status codes, error bodies) and translate to and from this book.
 * Decimal arithmetic throughout (big.js), like the real thing.
 *
 * @module
 */
import { dec, toDecimal, type Decimal, type OrderSide, type OrderStatus } from "../sdk";
import type { FakeOrder } from "./types";

export type LedgerOrderType = "market" | "limit" | "stop" | "stop_limit";

/** One order in the book. Fields are the book's own, not any venue's. */
export interface LedgerOrder {
  id: string;
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  type: LedgerOrderType;
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  status: OrderStatus;
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  /** Bracket legs: the entry's id and the leg's role. */
  parentId: string | null;
  role: "take_profit" | "stop_loss" | null;
  /** Stop orders become their limit/market once the price reaches the stop. */
  triggered: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a new order asks for. */
export interface LedgerOrderInput {
  clientOrderId?: string | null;
  symbol: string;
  side: OrderSide;
  type: LedgerOrderType;
  quantity: Decimal;
  limitPrice?: Decimal | null;
  stopPrice?: Decimal | null;
  /** Exits created when the entry fills, as an OCO pair. */
  takeProfit?: { limitPrice: Decimal };
  stopLoss?: { stopPrice: Decimal; limitPrice?: Decimal };
  /**
   * An immediate order: `ioc` fills what it can at once and the rest is
   * cancelled; `fok` fills completely at once or is cancelled with nothing
   * filled. Absent: the order works until filled, cancelled or expired (the
   * fake decides when a `day` order expires, see `expire`).
   */
  immediate?: "ioc" | "fok";
}

/** A refusal; the fake turns `code` into the venue's error body. */
export class LedgerRejection extends Error {
  constructor(
    readonly code: "insufficient-funds" | "duplicate-client-order-id" | "no-price" | "invalid-order" | "order-not-found" | "order-not-cancelable" | "short-not-allowed",
    message: string,
  ) {
    super(message);
    this.name = "LedgerRejection";
  }
}

export interface FakeLedgerOptions {
  /** Starting cash; default 100000. */
  cash?: Decimal;
  /** Whether sells may open or grow a short; default true. */
  shorting?: boolean;
  /** Prefix of order ids; default `ord-`. */
  idPrefix?: string;
  clock?: () => Date;
}

interface Holding {
  quantity: Decimal;
  avgPrice: Decimal;
}

const WORKING: ReadonlySet<OrderStatus> = new Set(["open", "partially_filled", "pending"]);

export class FakeLedger {
  cash: Decimal;
  readonly positions = new Map<string, Holding>();
  readonly prices = new Map<string, Decimal>();
  private readonly orders: LedgerOrder[] = [];
  private seq = 0;
  private partialNext: Decimal | null = null;

  constructor(private readonly options: FakeLedgerOptions = {}) {
    this.cash = options.cash ?? "100000";
  }

  private now(): string {
    return (this.options.clock?.() ?? new Date()).toISOString();
  }

  /** The next order fills only `quantity` at once; the rest keeps working. */
  partialFillNext(quantity: Decimal): void {
    this.partialNext = quantity;
  }

  /** Every order, oldest first. */
  all(): readonly LedgerOrder[] {
    return this.orders;
  }

  open(): LedgerOrder[] {
    return this.orders.filter((o) => WORKING.has(o.status));
  }

  get(id: string): LedgerOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  byClientId(clientOrderId: string): LedgerOrder | undefined {
    return this.orders.find((o) => o.clientOrderId === clientOrderId);
  }

  /** Signed positions, flat ones left out. */
  positionList(): { symbol: string; quantity: Decimal; avgPrice: Decimal }[] {
    return [...this.positions.entries()].filter(([, h]) => !dec(h.quantity).eq(0)).map(([symbol, h]) => ({ symbol, ...h }));
  }

  /** Cash plus positions at their last price. */
  equity(): Decimal {
    let e = dec(this.cash);
    for (const [symbol, h] of this.positions) e = e.plus(dec(h.quantity).times(this.prices.get(symbol) ?? h.avgPrice));
    return toDecimal(e);
  }

  /** The book's orders in the kit's {@link FakeOrder} view. */
  fakeOrders(): FakeOrder[] {
    return this.orders.map((o) => ({
      id: o.id,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filledQuantity,
      status: o.status,
    }));
  }

  /** Places an order: checks, books it, fills what is marketable. Throws {@link LedgerRejection}. */
  place(input: LedgerOrderInput): LedgerOrder {
    if (input.clientOrderId && this.byClientId(input.clientOrderId)) {
      throw new LedgerRejection("duplicate-client-order-id", `client order id ${input.clientOrderId} is already used`);
    }
    if (!(dec(input.quantity).gt(0))) throw new LedgerRejection("invalid-order", "quantity must be positive");
    if ((input.type === "limit" || input.type === "stop_limit") && !input.limitPrice) throw new LedgerRejection("invalid-order", "limit price required");
    if ((input.type === "stop" || input.type === "stop_limit") && !input.stopPrice) throw new LedgerRejection("invalid-order", "stop price required");
    if (input.type === "market" && !this.prices.has(input.symbol)) throw new LedgerRejection("no-price", `no price for ${input.symbol}`);
    const price = this.prices.get(input.symbol) ?? input.limitPrice ?? input.stopPrice ?? "0";
    const expected = input.type === "market" ? price : (input.limitPrice ?? input.stopPrice ?? price);
    this.checkFunds(input.symbol, input.side, input.quantity, expected);
    const at = this.now();
    const order: LedgerOrder = {
      id: `${this.options.idPrefix ?? "ord-"}${String(++this.seq).padStart(6, "0")}`,
      clientOrderId: input.clientOrderId ?? null,
      symbol: input.symbol,
      side: input.side,
      type: input.type,
      quantity: toDecimal(input.quantity),
      limitPrice: input.limitPrice ?? null,
      stopPrice: input.stopPrice ?? null,
      status: "open",
      filledQuantity: "0",
      avgFillPrice: null,
      parentId: null,
      role: null,
      triggered: false,
      createdAt: at,
      updatedAt: at,
    };
    this.orders.push(order);
    this.brackets.set(order.id, { ...(input.takeProfit && { takeProfit: input.takeProfit }), ...(input.stopLoss && { stopLoss: input.stopLoss }) });
    // Fill or kill: all of it at once, or nothing (a pending partial fill would break "all", so it kills).
    if (input.immediate === "fok" && (this.partialNext !== null || !this.marketable(order))) {
      this.end(order, "cancelled");
      return order;
    }
    this.work(order);
    if (input.immediate !== undefined && WORKING.has(order.status)) this.end(order, "cancelled");
    return order;
  }

  private readonly brackets = new Map<string, Pick<LedgerOrderInput, "takeProfit" | "stopLoss">>();

  /** Cancels a working order. Throws if it is unknown or already done. */
  cancel(id: string): LedgerOrder {
    const order = this.get(id);
    if (!order) throw new LedgerRejection("order-not-found", `no order ${id}`);
    if (!WORKING.has(order.status)) throw new LedgerRejection("order-not-cancelable", `order ${id} is ${order.status}`);
    this.end(order, "cancelled");
    return order;
  }

  /**
   * The order's time in force ran out (a `day` order at the session's
   * close): a working order ends `expired`, nothing more fills. The fake
   * knows which of its orders are `day` orders; the book only ends them.
   */
  expire(id: string): LedgerOrder {
    const order = this.get(id);
    if (!order) throw new LedgerRejection("order-not-found", `no order ${id}`);
    if (WORKING.has(order.status)) this.end(order, "expired");
    return order;
  }

  /** The market traded at `price`: working orders it crosses fill. */
  setPrice(symbol: string, price: Decimal): void {
    this.prices.set(symbol, toDecimal(price));
    for (const o of this.open()) if (o.symbol === symbol) this.work(o);
  }

  /** No leverage: after the fill, gross exposure may not exceed equity (reducing never needs funds). */
  private checkFunds(symbol: string, side: OrderSide, quantity: Decimal, price: Decimal): void {
    const held = dec(this.positions.get(symbol)?.quantity ?? "0");
    const after = side === "buy" ? held.plus(quantity) : held.minus(quantity);
    if (after.abs().lte(held.abs()) && (after.eq(0) || after.s === held.s)) return;
    if (after.lt(0) && this.options.shorting === false) throw new LedgerRejection("short-not-allowed", "short selling is not allowed");
    let gross = after.abs().times(price);
    for (const [s, h] of this.positions) if (s !== symbol) gross = gross.plus(dec(h.quantity).abs().times(this.prices.get(s) ?? h.avgPrice));
    if (gross.gt(this.equity())) throw new LedgerRejection("insufficient-funds", `buying ${quantity} ${symbol} at ${price} needs more buying power`);
  }

  /** Fills what the current price allows. */
  /** Whether the order would fill at the last price right now (a stop only once its stop is reached). */
  private marketable(order: LedgerOrder): boolean {
    const price = this.prices.get(order.symbol);
    if (price === undefined) return false;
    const p = dec(price);
    const buy = order.side === "buy";
    if ((order.type === "stop" || order.type === "stop_limit") && !order.triggered && !(buy ? p.gte(order.stopPrice ?? "0") : p.lte(order.stopPrice ?? "0"))) return false;
    if (order.type === "stop") return true;
    return order.type === "market" || (buy ? p.lte(order.limitPrice ?? "0") : p.gte(order.limitPrice ?? "0"));
  }

  private work(order: LedgerOrder): void {
    const price = this.prices.get(order.symbol);
    if (price === undefined || !WORKING.has(order.status)) return;
    const p = dec(price);
    const buy = order.side === "buy";
    if ((order.type === "stop" || order.type === "stop_limit") && !order.triggered) {
      if (!(buy ? p.gte(order.stopPrice ?? "0") : p.lte(order.stopPrice ?? "0"))) return;
      order.triggered = true;
    }
    if ((order.type === "limit" || order.type === "stop_limit") && !(buy ? p.lte(order.limitPrice ?? "0") : p.gte(order.limitPrice ?? "0"))) return;
    const remaining = dec(order.quantity).minus(order.filledQuantity);
    let qty = remaining;
    if (this.partialNext !== null && order.parentId === null) {
      qty = dec(this.partialNext).lt(remaining) ? dec(this.partialNext) : remaining;
      this.partialNext = null;
    }
    this.fill(order, toDecimal(qty), toDecimal(p));
  }

  private fill(order: LedgerOrder, quantity: Decimal, price: Decimal): void {
    const prevFilled = dec(order.filledQuantity);
    const filled = prevFilled.plus(quantity);
    order.avgFillPrice = toDecimal(prevFilled.times(order.avgFillPrice ?? "0").plus(dec(quantity).times(price)).div(filled));
    order.filledQuantity = toDecimal(filled);
    order.status = filled.eq(order.quantity) ? "filled" : "partially_filled";
    order.updatedAt = this.now();
    const signed = order.side === "buy" ? dec(quantity) : dec(quantity).neg();
    this.cash = toDecimal(dec(this.cash).minus(signed.times(price)));
    this.applyPosition(order.symbol, signed, dec(price));
    if (order.status === "filled") this.afterFill(order);
  }

  private applyPosition(symbol: string, signed: ReturnType<typeof dec>, price: ReturnType<typeof dec>): void {
    const held = this.positions.get(symbol) ?? { quantity: "0", avgPrice: "0" };
    const q = dec(held.quantity);
    const next = q.plus(signed);
    let avg = dec(held.avgPrice);
    if (q.eq(0) || (q.s === signed.s)) avg = q.times(avg).plus(signed.times(price)).div(next);
    else if (!next.eq(0) && next.s !== q.s) avg = price; // flipped through zero
    this.positions.set(symbol, { quantity: toDecimal(next), avgPrice: next.eq(0) ? "0" : toDecimal(avg) });
  }

  /** An entry's bracket becomes an OCO pair; an exit leg cancels its sibling. */
  private afterFill(order: LedgerOrder): void {
    if (order.parentId !== null) {
      for (const sibling of this.open()) if (sibling.parentId === order.parentId && sibling.id !== order.id) this.end(sibling, "cancelled");
      return;
    }
    const b = this.brackets.get(order.id);
    const exit: OrderSide = order.side === "buy" ? "sell" : "buy";
    const leg = (role: "take_profit" | "stop_loss", type: LedgerOrderType, limitPrice: Decimal | null, stopPrice: Decimal | null) => {
      const at = this.now();
      const child: LedgerOrder = {
        id: `${this.options.idPrefix ?? "ord-"}${String(++this.seq).padStart(6, "0")}`,
        clientOrderId: null,
        symbol: order.symbol,
        side: exit,
        type,
        quantity: order.quantity,
        limitPrice,
        stopPrice,
        status: "open",
        filledQuantity: "0",
        avgFillPrice: null,
        parentId: order.id,
        role,
        triggered: false,
        createdAt: at,
        updatedAt: at,
      };
      this.orders.push(child);
    };
    if (b?.takeProfit) leg("take_profit", "limit", b.takeProfit.limitPrice, null);
    if (b?.stopLoss) leg("stop_loss", b.stopLoss.limitPrice ? "stop_limit" : "stop", b.stopLoss.limitPrice ?? null, b.stopLoss.stopPrice);
  }

  private end(order: LedgerOrder, status: "cancelled" | "expired"): void {
    order.status = status;
    order.updatedAt = this.now();
    // Cancelling one leg of an OCO pair cancels the other.
    if (order.parentId !== null) for (const s of this.open()) if (s.parentId === order.parentId) this.end(s, status);
  }
}
