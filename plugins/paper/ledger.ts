/**
 * The paper broker's matching and accounting rules, as pure functions over an
 * in-memory state. No I/O, no clock, no randomness: the Durable Object loads
 * the state, calls one operation, and persists the changes it reports.
 *
 * Every operation works on a copy and either returns the new state with a
 * change set, or throws a {@link LedgerError} having changed nothing. A refused
 * order therefore leaves no trace, not even the price it carried.
 *
 * Money and quantities are decimal strings; all arithmetic goes through
 * big.js, so cash and average prices never pick up float noise.
 *
 * Rules in one place (the README explains them for traders):
 * - Every fill happens at the last price of its ticker. A market order fills
 *   at it; a limit or stop that a price crosses fills at that price, which is
 *   never worse than the limit.
 * - A price carried by an order (the alert's price) is marked first, so resting
 *   orders it crosses fill before the new order is handled.
 * - No leverage: after a fill that adds exposure, the gross market value of all
 *   positions (longs plus shorts) must not exceed equity. Reducing a position
 *   never needs funds.
 * - Bracket legs are reduce-only exits that form an OCO pair: when one fills
 *   the other is cancelled, and they are cancelled once the position they
 *   protect is gone.
 *
 * @module
 */
import { Big, dec, toDecimal, type Decimal } from "../sdk";

export type Side = "buy" | "sell";
export type LedgerOrderType = "market" | "limit" | "stop" | "stop_limit" | "trailing_stop";
export type LedgerTimeInForce = "day" | "gtc" | "ioc" | "fok";
export type LedgerOrderStatus = "open" | "filled" | "cancelled" | "rejected" | "expired";
/** Bracket legs carry a role; stand-alone orders do not. */
export type LegRole = "take_profit" | "stop_loss";

/** Why the ledger itself ended an order. */
export type OrderEndReason =
  | "oco-sibling-filled"
  | "oco-sibling-cancelled"
  | "position-closed"
  | "reduce-only"
  | "insufficient-funds"
  | "not-marketable";

export interface StopLossSpec {
  type: "stop" | "stop_limit" | "trailing_stop";
  stopPrice?: Decimal | undefined;
  limitPrice?: Decimal | undefined;
  trailAmount?: Decimal | undefined;
  trailPercent?: Decimal | undefined;
}

/** Exit legs to create once an entry fills. */
export interface BracketSpec {
  takeProfit?: { limitPrice: Decimal } | undefined;
  stopLoss?: StopLossSpec | undefined;
}

export interface LedgerOrder {
  id: string;
  /** Creation order; sweeps handle resting orders oldest first. */
  seq: number;
  clientOrderId: string | null;
  ticker: string;
  side: Side;
  type: LedgerOrderType;
  quantity: Decimal;
  timeInForce: LedgerTimeInForce;
  limitPrice: Decimal | null;
  /** Trailing stops: the current stop level, recomputed from the water mark. */
  stopPrice: Decimal | null;
  trailAmount: Decimal | null;
  trailPercent: Decimal | null;
  /** Trailing stops: highest price seen (sell) or lowest (buy) since placement. */
  waterMark: Decimal | null;
  /** Stop-limit orders: the stop was crossed, so the order now behaves as a limit. */
  triggered: boolean;
  status: LedgerOrderStatus;
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  parentId: string | null;
  role: LegRole | null;
  ocoGroup: string | null;
  /** Entries with a bracket: the legs to create when this order fills. */
  bracket: BracketSpec | null;
  reason: OrderEndReason | null;
  createdAt: string;
  updatedAt: string;
  filledAt: string | null;
}

export interface PositionState {
  /** Signed: negative is short. Never "0": flat positions are removed. */
  quantity: Decimal;
  avgPrice: Decimal;
}

export interface AccountState {
  startingCash: Decimal;
  cash: Decimal;
  realizedPnl: Decimal;
  /** Next order number. Survives resets so a broker order id is never reused. */
  nextOrderSeq: number;
  createdAt: string;
  resetAt: string | null;
}

export interface PriceState {
  price: Decimal;
  at: string;
}

/**
 * What an operation needs: the account, every position, every price, and the
 * open orders (plus any specific order the caller loaded, e.g. to cancel it).
 * Closed orders never change again, so the host need not load them.
 */
export interface LedgerState {
  account: AccountState;
  positions: Map<string, PositionState>;
  orders: Map<string, LedgerOrder>;
  prices: Map<string, PriceState>;
}

export interface Fill {
  orderId: string;
  ticker: string;
  side: Side;
  quantity: Decimal;
  price: Decimal;
  at: string;
}

/** What an operation touched; the host writes exactly these rows. */
export interface Changes {
  account: boolean;
  /** Ids of orders created or changed. */
  orders: Set<string>;
  /** Tickers whose position changed (absent from the state = now flat). */
  positions: Set<string>;
  prices: Set<string>;
  fills: Fill[];
}

export interface Outcome<T> {
  state: LedgerState;
  changes: Changes;
  result: T;
}

/** A refusal with a stable code and the HTTP status the API answers with. */
export class LedgerError extends Error {
  readonly code: string;
  readonly status: 404 | 409 | 422;
  readonly field: string | undefined;

  constructor(code: string, message: string, status: 404 | 409 | 422 = 422, field?: string) {
    super(message);
    this.name = "LedgerError";
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

/** An order as the ledger receives it (already schema-validated and canonical). */
export interface NewOrder {
  clientOrderId: string | null;
  ticker: string;
  side: Side;
  type: LedgerOrderType;
  quantity: Decimal;
  timeInForce: LedgerTimeInForce;
  limitPrice?: Decimal | undefined;
  stopPrice?: Decimal | undefined;
  trailAmount?: Decimal | undefined;
  trailPercent?: Decimal | undefined;
  /** The alert's price: marked as the market price before the order is handled. */
  referencePrice?: Decimal | undefined;
  bracket?: BracketSpec | undefined;
}

/** Guards against a pathological cascade; real sweeps settle in a few passes. */
const MAX_SWEEP_PASSES = 10_000;

// ------------------------------------------------------------------ state

/** A fresh, funded account with no positions, orders or prices. */
export function newLedger(startingCash: Decimal, now: string, nextOrderSeq = 1): LedgerState {
  const cash = toDecimal(startingCash);
  return {
    account: { startingCash: cash, cash, realizedPnl: "0", nextOrderSeq, createdAt: now, resetAt: null },
    positions: new Map(),
    orders: new Map(),
    prices: new Map(),
  };
}

/** Broker order id for the n-th order of a ledger. */
export function orderIdFor(seq: number): string {
  return `paper-${String(seq).padStart(6, "0")}`;
}

interface Ctx {
  state: LedgerState;
  changes: Changes;
  now: string;
}

function begin(state: LedgerState, now: string): Ctx {
  // structuredClone copies Maps deeply, so a throw part-way leaves the caller's state untouched.
  return {
    state: structuredClone(state),
    changes: { account: false, orders: new Set(), positions: new Set(), prices: new Set(), fills: [] },
    now,
  };
}

function done<T>(ctx: Ctx, result: T): Outcome<T> {
  return { state: ctx.state, changes: ctx.changes, result };
}

// -------------------------------------------------------------- valuation

/** Price used to value a ticker: its last price, else (never marked) the position's average price. */
function markOf(state: LedgerState, ticker: string, avgPrice: Decimal): Big {
  const p = state.prices.get(ticker);
  return dec(p ? p.price : avgPrice);
}

export interface Valuation {
  /** Signed sum of quantity × mark. */
  marketValue: Decimal;
  /** Cash plus market value. */
  equity: Decimal;
  /** Sum of |quantity × mark|: longs and shorts both count. */
  grossExposure: Decimal;
  /** Exposure the account may still add: equity − gross exposure, at least 0. */
  buyingPower: Decimal;
}

function valuationBig(state: LedgerState): { marketValue: Big; equity: Big; gross: Big } {
  let marketValue = new Big(0);
  let gross = new Big(0);
  for (const [ticker, pos] of state.positions) {
    const value = dec(pos.quantity).times(markOf(state, ticker, pos.avgPrice));
    marketValue = marketValue.plus(value);
    gross = gross.plus(value.abs());
  }
  return { marketValue, equity: dec(state.account.cash).plus(marketValue), gross };
}

/** Cash, equity and buying power at last prices. */
export function valuation(state: LedgerState): Valuation {
  const { marketValue, equity, gross } = valuationBig(state);
  const room = equity.minus(gross);
  return {
    marketValue: toDecimal(marketValue),
    equity: toDecimal(equity),
    grossExposure: toDecimal(gross),
    buyingPower: toDecimal(room.gt(0) ? room : 0),
  };
}

export interface PositionView {
  ticker: string;
  quantity: Decimal;
  avgPrice: Decimal;
  lastPrice: Decimal | null;
  marketValue: Decimal;
  unrealizedPnl: Decimal;
}

/** Positions with their value and open P&L, sorted by ticker. */
export function positionViews(state: LedgerState): PositionView[] {
  return [...state.positions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ticker, pos]) => {
      const mark = markOf(state, ticker, pos.avgPrice);
      const qty = dec(pos.quantity);
      return {
        ticker,
        quantity: pos.quantity,
        avgPrice: pos.avgPrice,
        lastPrice: state.prices.get(ticker)?.price ?? null,
        marketValue: toDecimal(qty.times(mark)),
        // (mark − avg) × signed qty is right for shorts too: a falling price makes a short's P&L positive.
        unrealizedPnl: toDecimal(mark.minus(pos.avgPrice).times(qty)),
      };
    });
}

// ----------------------------------------------------------------- prices

function lastPrice(state: LedgerState, ticker: string): Decimal | null {
  return state.prices.get(ticker)?.price ?? null;
}

function setPrice(ctx: Ctx, ticker: string, price: Decimal): void {
  ctx.state.prices.set(ticker, { price: toDecimal(price), at: ctx.now });
  ctx.changes.prices.add(ticker);
}

// -------------------------------------------------------------- positions

function positionQty(state: LedgerState, ticker: string): Big {
  return dec(state.positions.get(ticker)?.quantity ?? "0");
}

function signedQty(side: Side, quantity: Decimal | Big): Big {
  return side === "buy" ? dec(quantity) : dec(quantity).neg();
}

/** True if trading `delta` from `current` opens or adds exposure (including flipping through zero). */
function addsExposure(current: Big, delta: Big): boolean {
  const next = current.plus(delta);
  if (next.eq(0)) return false;
  if (current.eq(0)) return true;
  const flips = current.gt(0) !== next.gt(0);
  return flips || next.abs().gt(current.abs());
}

/**
 * The buying-power rule: a fill that adds exposure is allowed only if, right
 * after it, gross exposure (all positions at last prices, this ticker at the
 * fill price) does not exceed equity. Returns the refusal message, or null.
 */
function buyingPowerProblem(state: LedgerState, ticker: string, side: Side, quantity: Decimal, price: Decimal): string | null {
  const delta = signedQty(side, quantity);
  if (!addsExposure(positionQty(state, ticker), delta)) return null;
  // Simulate on a throwaway copy: only cash, positions and this ticker's mark matter.
  const sim: LedgerState = {
    account: { ...state.account },
    positions: new Map(state.positions),
    orders: new Map(),
    prices: new Map(state.prices),
  };
  sim.prices.set(ticker, { price, at: "" });
  applyToPosition(sim, ticker, delta, dec(price));
  const { equity, gross } = valuationBig(sim);
  if (gross.lte(equity)) return null;
  return (
    `Insufficient buying power on the paper account: ${side === "buy" ? "buying" : "selling"} ${quantity} ${ticker} at ${price} ` +
    `would bring exposure to ${toDecimal(gross.round(2))} with equity of ${toDecimal(equity.round(2))}. ` +
    `Paper accounts have no leverage: longs plus shorts at market value may not exceed equity.`
  );
}

/** Moves cash and the position for a fill; returns the P&L it realized. Mutates `state`. */
function applyToPosition(state: LedgerState, ticker: string, delta: Big, price: Big): Big {
  const pos = state.positions.get(ticker);
  const current = dec(pos?.quantity ?? "0");
  const avg = dec(pos?.avgPrice ?? "0");
  const next = current.plus(delta);
  // Cash moves by the full notional in both directions: buys pay, sells (including short sales) receive.
  state.account.cash = toDecimal(dec(state.account.cash).minus(delta.times(price)));

  let realized = new Big(0);
  let nextAvg: Big;
  if (current.eq(0) || current.gt(0) === delta.gt(0)) {
    // Opening or adding: volume-weighted average of the old and new lots.
    nextAvg = current.abs().times(avg).plus(delta.abs().times(price)).div(next.abs());
  } else {
    // Reducing, closing or flipping: the closed part realizes P&L against the average.
    const closed = delta.abs().gt(current.abs()) ? current.abs() : delta.abs();
    const direction = current.gt(0) ? 1 : -1;
    realized = price.minus(avg).times(closed).times(direction);
    // What remains keeps its average; a flip opens the new side at the fill price.
    nextAvg = next.eq(0) || next.gt(0) === current.gt(0) ? avg : price;
  }
  state.account.realizedPnl = toDecimal(dec(state.account.realizedPnl).plus(realized));
  if (next.eq(0)) state.positions.delete(ticker);
  else state.positions.set(ticker, { quantity: toDecimal(next), avgPrice: toDecimal(nextAvg) });
  return realized;
}

// ----------------------------------------------------------------- orders

function touch(ctx: Ctx, order: LedgerOrder): void {
  order.updatedAt = ctx.now;
  ctx.state.orders.set(order.id, order);
  ctx.changes.orders.add(order.id);
}

function endOrder(ctx: Ctx, order: LedgerOrder, status: "cancelled" | "rejected" | "expired", reason: OrderEndReason | null): void {
  order.status = status;
  order.reason = reason;
  touch(ctx, order);
}

function openOrdersFor(state: LedgerState, ticker: string): LedgerOrder[] {
  return [...state.orders.values()].filter((o) => o.status === "open" && o.ticker === ticker).sort((a, b) => a.seq - b.seq);
}

/** Buy limits fill at or below the limit, sell limits at or above. */
function limitMarketable(side: Side, limit: Decimal, price: Decimal): boolean {
  return side === "buy" ? dec(price).lte(limit) : dec(price).gte(limit);
}

/** Buy stops trigger at or above the stop, sell stops at or below. */
function stopCrossed(side: Side, stop: Decimal, price: Decimal): boolean {
  return side === "buy" ? dec(price).gte(stop) : dec(price).lte(stop);
}

/** Stop level of a trailing stop for a water mark. */
function trailStop(order: Pick<LedgerOrder, "side" | "trailAmount" | "trailPercent">, waterMark: Decimal): Decimal {
  const wm = dec(waterMark);
  const sign = order.side === "sell" ? -1 : 1;
  const offset = order.trailAmount !== null ? dec(order.trailAmount) : wm.times(order.trailPercent ?? "0").div(100);
  return toDecimal(wm.plus(offset.times(sign)));
}

/** Moves a trailing stop's water mark with a new price; returns true if it moved. */
function trail(order: LedgerOrder, price: Decimal): boolean {
  const wm = order.waterMark;
  const better = wm === null || (order.side === "sell" ? dec(price).gt(wm) : dec(price).lt(wm));
  if (!better) return false;
  order.waterMark = toDecimal(price);
  order.stopPrice = trailStop(order, order.waterMark);
  return true;
}

/** The price an open order would fill at now, or null if the price does not reach it. */
function fillPriceFor(order: LedgerOrder, price: Decimal): Decimal | null {
  switch (order.type) {
    case "market":
      return price;
    case "limit":
    case "stop_limit": {
      if (order.type === "stop_limit" && !order.triggered) return null;
      const limit = order.limitPrice ?? price;
      // A crossed limit fills at the price that crossed it, which is never worse than the limit.
      return limitMarketable(order.side, limit, price) ? price : null;
    }
    case "stop":
    case "trailing_stop":
      // A stop becomes a market order: on a gap it fills at the gap price, not at the stop.
      return order.stopPrice !== null && stopCrossed(order.side, order.stopPrice, price) ? price : null;
  }
}

/** Applies a price to one order's internal trigger state (trailing mark, stop-limit trigger). */
function advanceTriggers(ctx: Ctx, order: LedgerOrder, price: Decimal): void {
  if (order.type === "trailing_stop" && trail(order, price)) touch(ctx, order);
  if (order.type === "stop_limit" && !order.triggered && order.stopPrice !== null && stopCrossed(order.side, order.stopPrice, price)) {
    order.triggered = true;
    touch(ctx, order);
  }
}

/** Quantity a reduce-only leg may still trade: what is left of the position it exits. */
function closableFor(state: LedgerState, order: LedgerOrder): Big {
  const pos = positionQty(state, order.ticker);
  const closable = order.side === "sell" ? pos : pos.neg();
  return closable.gt(0) ? closable : new Big(0);
}

/**
 * Fills an open order at `price` (all of it; partial fills are not simulated,
 * except that a reduce-only leg stops at the position's size).
 */
function execute(ctx: Ctx, order: LedgerOrder, price: Decimal): void {
  let quantity = dec(order.quantity);
  if (order.role !== null) {
    const closable = closableFor(ctx.state, order);
    if (closable.eq(0)) {
      cancelWithSiblings(ctx, order, "position-closed");
      return;
    }
    if (closable.lt(quantity)) quantity = closable;
  } else {
    const problem = buyingPowerProblem(ctx.state, order.ticker, order.side, toDecimal(quantity), price);
    if (problem !== null) {
      // Resting orders are re-checked when they trigger; funds may have gone since placement.
      endOrder(ctx, order, "rejected", "insufficient-funds");
      return;
    }
  }

  applyToPosition(ctx.state, order.ticker, signedQty(order.side, quantity), dec(price));
  ctx.changes.account = true;
  ctx.changes.positions.add(order.ticker);
  ctx.changes.fills.push({ orderId: order.id, ticker: order.ticker, side: order.side, quantity: toDecimal(quantity), price, at: ctx.now });

  order.filledQuantity = toDecimal(quantity);
  order.avgFillPrice = price;
  order.filledAt = ctx.now;
  order.status = quantity.eq(order.quantity) ? "filled" : "cancelled";
  order.reason = order.status === "cancelled" ? "reduce-only" : null;
  touch(ctx, order);

  if (order.ocoGroup !== null) cancelSiblings(ctx, order, "oco-sibling-filled");
  if (order.bracket !== null && order.status === "filled") createLegs(ctx, order);
  cancelOrphanedLegs(ctx, order.ticker);
}

function cancelSiblings(ctx: Ctx, order: LedgerOrder, reason: OrderEndReason): void {
  for (const other of ctx.state.orders.values()) {
    if (other.id !== order.id && other.status === "open" && other.ocoGroup === order.ocoGroup) endOrder(ctx, other, "cancelled", reason);
  }
}

function cancelWithSiblings(ctx: Ctx, order: LedgerOrder, reason: OrderEndReason): void {
  endOrder(ctx, order, "cancelled", reason);
  if (order.ocoGroup !== null) cancelSiblings(ctx, order, reason === "position-closed" ? reason : "oco-sibling-cancelled");
}

/** Bracket legs die with the position they protect, so they never open a new one later. */
function cancelOrphanedLegs(ctx: Ctx, ticker: string): void {
  for (const leg of openOrdersFor(ctx.state, ticker)) {
    if (leg.role !== null && closableFor(ctx.state, leg).eq(0)) endOrder(ctx, leg, "cancelled", "position-closed");
  }
}

function allocateOrder(ctx: Ctx, fields: Omit<LedgerOrder, "id" | "seq" | "createdAt" | "updatedAt">): LedgerOrder {
  const seq = ctx.state.account.nextOrderSeq;
  ctx.state.account.nextOrderSeq = seq + 1;
  ctx.changes.account = true;
  const order: LedgerOrder = { ...fields, id: orderIdFor(seq), seq, createdAt: ctx.now, updatedAt: ctx.now };
  touch(ctx, order);
  return order;
}

/** After an entry fills: its exits, opposite side, same quantity, as one OCO group keyed by the entry. */
function createLegs(ctx: Ctx, entry: LedgerOrder): void {
  const bracket = entry.bracket;
  if (bracket === null) return;
  const side: Side = entry.side === "buy" ? "sell" : "buy";
  const base = {
    clientOrderId: null,
    ticker: entry.ticker,
    side,
    quantity: entry.filledQuantity,
    timeInForce: "gtc" as const,
    triggered: false,
    status: "open" as const,
    filledQuantity: "0",
    avgFillPrice: null,
    parentId: entry.id,
    ocoGroup: entry.id,
    bracket: null,
    reason: null,
    filledAt: null,
  };
  if (bracket.takeProfit) {
    allocateOrder(ctx, {
      ...base,
      type: "limit",
      role: "take_profit",
      limitPrice: bracket.takeProfit.limitPrice,
      stopPrice: null,
      trailAmount: null,
      trailPercent: null,
      waterMark: null,
    });
  }
  const sl = bracket.stopLoss;
  if (sl) {
    const leg = allocateOrder(ctx, {
      ...base,
      type: sl.type,
      role: "stop_loss",
      limitPrice: sl.type === "stop_limit" ? (sl.limitPrice ?? null) : null,
      stopPrice: sl.type === "trailing_stop" ? null : (sl.stopPrice ?? null),
      trailAmount: sl.type === "trailing_stop" ? (sl.trailAmount ?? null) : null,
      trailPercent: sl.type === "trailing_stop" && sl.trailAmount === undefined ? (sl.trailPercent ?? null) : null,
      waterMark: null,
    });
    // A trailing leg starts trailing from the entry's fill price.
    if (leg.type === "trailing_stop" && entry.avgFillPrice !== null) trail(leg, entry.avgFillPrice);
  }
}

/**
 * Runs every open order of `ticker` against its last price until nothing more
 * happens: fills can cancel OCO siblings and create bracket legs, which may
 * themselves be crossed already. Oldest orders go first.
 */
function sweep(ctx: Ctx, ticker: string): void {
  for (let pass = 0; pass < MAX_SWEEP_PASSES; pass++) {
    const price = lastPrice(ctx.state, ticker);
    if (price === null) return;
    let acted = false;
    for (const order of openOrdersFor(ctx.state, ticker)) {
      advanceTriggers(ctx, order, price);
      const fillPrice = fillPriceFor(order, price);
      if (fillPrice !== null) {
        execute(ctx, order, fillPrice);
        acted = true;
        break; // the book changed; look again from the oldest order
      }
    }
    if (!acted) return;
  }
  throw new Error(`paper ledger: sweep of ${ticker} did not settle`);
}

// ------------------------------------------------------------- validation

function need(value: Decimal | undefined, field: string, what: string): Decimal {
  if (value === undefined) throw new LedgerError("invalid-order", `${what} needs ${field}.`, 422, field);
  return value;
}

function oneTrail(amount: Decimal | undefined, percent: Decimal | undefined, what: string, prefix = ""): void {
  if ((amount === undefined) === (percent === undefined)) {
    throw new LedgerError("invalid-order", `${what} needs exactly one of trailAmount or trailPercent.`, 422, `${prefix}trailAmount`);
  }
  if (percent !== undefined && dec(percent).gte(100)) {
    throw new LedgerError("invalid-order", `${what}: trailPercent must be below 100.`, 422, `${prefix}trailPercent`);
  }
}

function checkShape(input: NewOrder): void {
  const what = `A ${input.type.replace("_", "-")} order`;
  if (input.type === "limit" || input.type === "stop_limit") need(input.limitPrice, "limitPrice", what);
  if (input.type === "stop" || input.type === "stop_limit") need(input.stopPrice, "stopPrice", what);
  if (input.type === "trailing_stop") oneTrail(input.trailAmount, input.trailPercent, what);
  const sl = input.bracket?.stopLoss;
  if (sl) {
    const slWhat = `A ${sl.type.replace("_", "-")} stop loss`;
    if (sl.type === "stop" || sl.type === "stop_limit") need(sl.stopPrice, "stopLoss.stopPrice", slWhat);
    if (sl.type === "stop_limit") need(sl.limitPrice, "stopLoss.limitPrice", slWhat);
    if (sl.type === "trailing_stop") oneTrail(sl.trailAmount, sl.trailPercent, slWhat, "stopLoss.");
  }
}

/**
 * Exits must sit on the right side of the entry, as real brokers insist: for a
 * buy, take profit above and stop below the expected entry price (reversed
 * for a sell). Skipped when no entry price can be known yet.
 */
function checkBracketSides(side: Side, bracket: BracketSpec | undefined, entryPrice: Decimal | null): void {
  if (!bracket || entryPrice === null) return;
  const above = (p: Decimal) => dec(p).gt(entryPrice);
  const below = (p: Decimal) => dec(p).lt(entryPrice);
  const tp = bracket.takeProfit?.limitPrice;
  if (tp !== undefined && !(side === "buy" ? above(tp) : below(tp))) {
    throw new LedgerError(
      "invalid-bracket",
      `The take profit (${tp}) must be ${side === "buy" ? "above" : "below"} the entry price (${entryPrice}) of a ${side}.`,
      422,
      "takeProfit.limitPrice",
    );
  }
  const stop = bracket.stopLoss?.type === "trailing_stop" ? undefined : bracket.stopLoss?.stopPrice;
  if (stop !== undefined && !(side === "buy" ? below(stop) : above(stop))) {
    throw new LedgerError(
      "invalid-bracket",
      `The stop loss (${stop}) must be ${side === "buy" ? "below" : "above"} the entry price (${entryPrice}) of a ${side}.`,
      422,
      "stopLoss.stopPrice",
    );
  }
}

/** The trader-facing sentence for a market order with nothing to fill at. */
export function noPriceMessage(ticker: string): string {
  return (
    `No price is known for ${ticker} on the paper account. Add "price" to the alert ` +
    `(e.g. "price": "{{close}}") so paper market orders can fill.`
  );
}

// ------------------------------------------------------------- operations

/**
 * Places an order. The alert's price (or, for a limit order on a ticker with
 * no price yet, the limit price) is marked first; then the order fills at once
 * if the price allows, or rests. Throws {@link LedgerError} for an invalid
 * order, a missing price or insufficient buying power, changing nothing.
 * The host checks client order id uniqueness before calling this.
 */
export function placeOrder(state: LedgerState, input: NewOrder, now: string): Outcome<LedgerOrder> {
  checkShape(input);
  const ctx = begin(state, now);
  const { ticker } = input;

  // Mark first: the alert's price is news about the market, and resting orders
  // it crosses were there before this order.
  const mark =
    input.referencePrice ?? (input.type === "limit" && lastPrice(ctx.state, ticker) === null ? input.limitPrice : undefined);
  if (mark !== undefined) {
    setPrice(ctx, ticker, mark);
    sweep(ctx, ticker);
  }
  const price = lastPrice(ctx.state, ticker);
  if (price === null && (input.type === "market" || input.type === "trailing_stop")) {
    throw new LedgerError("no-price", noPriceMessage(ticker), 422, "referencePrice");
  }

  const order = allocateOrder(ctx, {
    clientOrderId: input.clientOrderId,
    ticker,
    side: input.side,
    type: input.type,
    quantity: input.quantity,
    timeInForce: input.timeInForce,
    limitPrice: input.type === "limit" || input.type === "stop_limit" ? (input.limitPrice ?? null) : null,
    stopPrice: input.type === "stop" || input.type === "stop_limit" ? (input.stopPrice ?? null) : null,
    trailAmount: input.type === "trailing_stop" ? (input.trailAmount ?? null) : null,
    trailPercent: input.type === "trailing_stop" ? (input.trailPercent ?? null) : null,
    waterMark: null,
    triggered: false,
    status: "open",
    filledQuantity: "0",
    avgFillPrice: null,
    parentId: null,
    role: null,
    ocoGroup: null,
    bracket: input.bracket && (input.bracket.takeProfit || input.bracket.stopLoss) ? input.bracket : null,
    reason: null,
    filledAt: null,
  });

  if (price !== null) advanceTriggers(ctx, order, price);
  const fillPrice = price === null ? null : fillPriceFor(order, price);
  // Funds and bracket sides are judged at the price the order fills at now, or would fill at when it rests.
  const expected = fillPrice ?? order.limitPrice ?? order.stopPrice ?? price;
  checkBracketSides(order.side, input.bracket, expected);
  if (expected !== null) {
    const problem = buyingPowerProblem(ctx.state, ticker, order.side, order.quantity, expected);
    if (problem !== null) throw new LedgerError("insufficient-funds", problem, 422);
  }

  if (fillPrice !== null) {
    execute(ctx, order, fillPrice);
    sweep(ctx, ticker); // new bracket legs may already be crossed
  } else if (order.timeInForce === "ioc" || order.timeInForce === "fok") {
    endOrder(ctx, order, "expired", "not-marketable");
  }
  return done(ctx, ctx.state.orders.get(order.id) ?? order);
}

/**
 * The market traded `ticker` at `price`: marks it and fills, triggers or
 * trails every resting order it reaches. Returns the orders that changed.
 */
export function observePrice(state: LedgerState, ticker: string, price: Decimal, now: string): Outcome<LedgerOrder[]> {
  const ctx = begin(state, now);
  setPrice(ctx, ticker, price);
  sweep(ctx, ticker);
  const changed = [...ctx.changes.orders].map((id) => ctx.state.orders.get(id)).filter((o): o is LedgerOrder => o !== undefined);
  return done(
    ctx,
    changed.sort((a, b) => a.seq - b.seq),
  );
}

/**
 * Cancels an order the caller loaded into the state. Cancelling one bracket
 * leg cancels its OCO sibling. Cancelling an order that is already cancelled
 * or expired succeeds and changes nothing; a filled or rejected order cannot
 * be cancelled.
 */
export function cancelOrder(state: LedgerState, orderId: string, now: string): Outcome<LedgerOrder> {
  const ctx = begin(state, now);
  const order = ctx.state.orders.get(orderId);
  if (!order) throw new LedgerError("order-not-found", `The paper account has no order ${orderId}.`, 404);
  if (order.status === "cancelled" || order.status === "expired") return done(ctx, order);
  if (order.status !== "open") {
    throw new LedgerError("order-not-cancelable", `Order ${orderId} is ${order.status} and can no longer be cancelled.`, 422);
  }
  // The trader cancelled this one, so it has no ledger reason; its OCO sibling does.
  endOrder(ctx, order, "cancelled", null);
  if (order.ocoGroup !== null) cancelSiblings(ctx, order, "oco-sibling-cancelled");
  return done(ctx, order);
}
