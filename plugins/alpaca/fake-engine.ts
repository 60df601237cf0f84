/**
 * The fake broker's book: accounts, instruments, orders, fills and
 * positions, with Alpaca's documented behaviour:
 *
 * - buying power (multiplier 1: cash; 2: max(equity − initial margin, 0) × 2),
 *   reduced by open orders that open or add to a position;
 * - shares held by open closing orders cannot be sold twice, and an order
 *   never flips a position (403 "insufficient qty available for order");
 * - brackets: the legs are `held` until the entry fills completely, then the
 *   take-profit is `new` and the stop-loss `held` but still live; one leg
 *   filling cancels the other, a partial take-profit fill shrinks the stop;
 *   cancelling any order of a group cancels the rest (OCO: the take-profit is
 *   the parent, the stop-loss its leg);
 * - trailing stops track the high (low) water mark;
 * - `ioc` cancels what did not fill at once, `fok` fills all or nothing.
 *
 * Money is big.js all the way; nothing here is a float.
 *
 * @module
 */
import { Big } from "../sdk";
import { checkStopThreshold, FakeApiError, forbidden, invalid, notFound, parseNewOrder, parseReplace, unprocessable, type OrderSpec } from "./fake-validate";
import type { AlpacaAssetClass, AlpacaOrderClass, AlpacaOrderStatus, AlpacaOrderType, AlpacaTimeInForce } from "./fake-entities";

const ZERO = new Big(0);

/** Statuses after which Alpaca never changes an order again (and refuses to cancel it). */
export const FINAL_STATUSES: ReadonlySet<AlpacaOrderStatus> = new Set(["filled", "canceled", "expired", "replaced", "rejected"]);

/** Deterministic UUID-shaped ids, so runs (and their logs) are reproducible. */
export class IdSource {
  private n = 0;
  private readonly prefix: string;
  constructor(seed: number) {
    this.prefix = (seed >>> 0).toString(16).padStart(8, "0");
  }
  next(): string {
    this.n += 1;
    return `${this.prefix}-0000-4000-8000-${this.n.toString(16).padStart(12, "0")}`;
  }
}

/** One tradable symbol and its current book. */
export interface Instrument {
  symbol: string;
  assetId: string;
  assetClass: AlpacaAssetClass;
  exchange: string;
  bid: Big;
  ask: Big;
  last: Big;
  lastday: Big;
  shortable: boolean;
  /** Contract multiplier: 100 for options, 1 otherwise. */
  multiplier: number;
}

/** One order as the fake holds it (money and quantities in big.js). */
export interface EngineOrder {
  id: string;
  /** Key id of the account that holds it. */
  accountKey: string;
  clientOrderId: string;
  seq: number;
  symbol: string;
  assetId: string;
  assetClass: AlpacaAssetClass;
  side: "buy" | "sell";
  type: AlpacaOrderType;
  tif: AlpacaTimeInForce;
  orderClass: AlpacaOrderClass;
  qty: Big | null;
  notional: Big | null;
  filledQty: Big;
  /** Σ fill qty × fill price, for the average. */
  filledValue: Big;
  limit: Big | null;
  stop: Big | null;
  trailPrice: Big | null;
  trailPercent: Big | null;
  hwm: Big | null;
  extendedHours: boolean;
  status: AlpacaOrderStatus;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date;
  filledAt: Date | null;
  canceledAt: Date | null;
  expiredAt: Date | null;
  replacedAt: Date | null;
  replacedBy: string | null;
  replaces: string | null;
  /** Entry (bracket/oto) or take-profit (oco) this leg belongs to. */
  parentId: string | null;
  legIds: string[];
  /** Legs of a bracket wait for their entry's complete fill. */
  active: boolean;
  /** Opens or adds to a position: counts against buying power while open. */
  opening: boolean;
  /** A stop-limit whose stop was hit is a working limit order. */
  triggered: boolean;
  /** Most that automatic matching may fill (partial-fill control); null = all. */
  autoFillCap: Big | null;
}

/** What creating an order needs; the rest defaults. */
type NewOrderInit = Partial<EngineOrder> & Pick<EngineOrder, "symbol" | "side" | "type" | "tif">;

export interface Holding {
  /** Signed: negative is short. */
  qty: Big;
  avg: Big;
}

/** What an account is created with. */
export interface AccountConfig {
  keyId: string;
  secretKey: string;
  cash: Big;
  multiplier: 1 | 2;
  shortingEnabled: boolean;
}

/** One account (one key pair): cash, holdings and orders. */
export class FakeAccount {
  readonly holdings = new Map<string, Holding>();
  /** Insertion order = oldest first. */
  readonly orders = new Map<string, EngineOrder>();
  /** Ids of orders not yet final, so per-order checks stay cheap on accounts with long histories (the bench). */
  readonly open = new Set<string>();
  readonly byClientId = new Map<string, string>();
  cash: Big;
  lastEquity: Big;
  tradingBlocked = false;
  accountBlocked = false;
  tradeSuspendedByUser = false;
  status = "ACTIVE";

  constructor(
    readonly id: string,
    readonly accountNumber: string,
    readonly createdAt: Date,
    readonly config: AccountConfig,
  ) {
    this.cash = config.cash;
    this.lastEquity = config.cash;
  }

  get multiplier(): 1 | 2 {
    return this.config.multiplier;
  }
}

/** Market-wide settings of the fake. */
export interface EngineOptions {
  now: () => Date;
  ids: IdSource;
  /** Half-spread around a traded price: bid = price − spread, ask = price + spread. */
  spread: Big;
  /** Price for symbols never priced; null = unknown symbols are refused. */
  defaultPrice: Big | null;
  /** Equity and option orders only work while the market is open (crypto trades 24/7). */
  marketOpen: boolean;
  /** Market orders fill when submitted, or on the broker's next request (as Alpaca's async fills look to a poller). */
  deferMarketFills: boolean;
}

const isFinal = (o: EngineOrder): boolean => FINAL_STATUSES.has(o.status);
const remaining = (o: EngineOrder): Big => (o.qty === null ? ZERO : o.qty.minus(o.filledQty));

/** Alpaca's own asset class for a symbol (`BTC/USD` is crypto, OCC symbols are options). */
export function assetClassOf(symbol: string): AlpacaAssetClass {
  if (symbol.includes("/")) return "crypto";
  if (/^[A-Z][A-Z0-9.]{0,5}\d{6}[CP]\d{8}$/.test(symbol)) return "us_option";
  return "us_equity";
}

/** The fake broker's market: instruments, accounts, matching and fills. */
export class FakeEngine {
  readonly instruments = new Map<string, Instrument>();
  readonly accounts = new Map<string, FakeAccount>();
  private seq = 0;
  /** Orders whose first matching waits for the next request (deferred market fills). */
  private readonly deferred: { account: FakeAccount; orderId: string }[] = [];
  private partialNext: Big | null = null;

  constructor(readonly options: EngineOptions) {}

  // ------------------------------------------------------------------ market

  /** Resolves `BTCUSD` (legacy) to `BTC/USD`, and `aapl` to `AAPL`. */
  resolveSymbol(symbol: string): string {
    const s = symbol.trim().toUpperCase();
    if (this.instruments.has(s)) return s;
    if (!s.includes("/")) {
      for (const quote of ["USDT", "USDC", "USD", "BTC"]) {
        if (s.endsWith(quote) && s.length > quote.length + 1) {
          const pair = `${s.slice(0, -quote.length)}/${quote}`;
          if (this.instruments.has(pair)) return pair;
        }
      }
    }
    return s;
  }

  instrument(symbol: string, create = false): Instrument | undefined {
    const s = this.resolveSymbol(symbol);
    const found = this.instruments.get(s);
    if (found || !create) return found;
    const assetClass = assetClassOf(s);
    const p = this.options.defaultPrice ?? ZERO;
    const inst: Instrument = {
      symbol: s,
      assetId: this.options.ids.next(),
      assetClass,
      exchange: assetClass === "crypto" ? "CRYPTO" : assetClass === "us_option" ? "OPRA" : "NASDAQ",
      bid: p,
      ask: p,
      last: p,
      lastday: p,
      shortable: assetClass === "us_equity",
      multiplier: assetClass === "us_option" ? 100 : 1,
    };
    this.instruments.set(s, inst);
    return inst;
  }

  /** The market traded at `last` with the given book; resting orders the prices cross fill. */
  setQuote(symbol: string, quote: { bid: Big; ask: Big; last: Big }): void {
    const inst = this.instrument(symbol, true)!;
    const first = inst.last.eq(0);
    inst.bid = quote.bid;
    inst.ask = quote.ask;
    inst.last = quote.last;
    if (first) inst.lastday = quote.last;
    this.flushDeferred();
    for (const account of this.accounts.values()) this.matchSymbol(account, inst.symbol);
  }

  setPrice(symbol: string, price: Big): void {
    const s = this.options.spread;
    this.setQuote(symbol, { bid: price.minus(s).gt(0) ? price.minus(s) : price, ask: price.plus(s), last: price });
  }

  setMarketOpen(open: boolean): void {
    this.options.marketOpen = open;
    if (!open) return;
    for (const account of this.accounts.values()) {
      for (const o of account.orders.values()) {
        if (o.status === "accepted") this.touch(o, "new");
      }
      for (const symbol of this.instruments.keys()) this.matchSymbol(account, symbol);
    }
  }

  /**
   * The regular session closed: every equity or option order still working
   * with time in force `day` expires (status `expired`, `expired_at` set),
   * bracket legs included. Crypto trades around the clock and has no `day`.
   */
  endSession(): void {
    const now = this.options.now();
    for (const account of this.accounts.values()) {
      for (const id of [...account.open]) {
        const o = account.orders.get(id);
        if (!o || isFinal(o) || o.tif !== "day" || o.assetClass === "crypto") continue;
        o.expiredAt = now;
        this.touch(o, "expired");
      }
    }
  }

  /** The next order placed fills only `qty` automatically; the rest stays working. */
  partialFillNext(qty: Big): void {
    this.partialNext = qty;
  }

  /** Runs the matching that deferred market fills postponed. Called at the start of every request. */
  flushDeferred(): void {
    const pending = this.deferred.splice(0);
    for (const { account, orderId } of pending) {
      const o = account.orders.get(orderId);
      if (!o || isFinal(o)) continue;
      if (o.status === "pending_new") this.touch(o, "new");
      this.tryFill(account, o);
    }
  }

  // ------------------------------------------------------------------ account math

  private priceOf(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (!inst) throw new Error(`fake broker: no instrument ${symbol}`);
    return inst;
  }

  /** Market value and margin figures, all derived from holdings and the last prices. */
  figures(account: FakeAccount): {
    longMv: Big;
    shortMv: Big;
    equity: Big;
    initialMargin: Big;
    maintenanceMargin: Big;
    reservedMarginable: Big;
    reservedCash: Big;
    buyingPower: Big;
    nonMarginable: Big;
  } {
    let longMv = ZERO;
    let shortMv = ZERO;
    for (const [symbol, h] of account.holdings) {
      const inst = this.priceOf(symbol);
      const mv = h.qty.times(inst.last).times(inst.multiplier);
      if (mv.gte(0)) longMv = longMv.plus(mv);
      else shortMv = shortMv.plus(mv);
    }
    const equity = account.cash.plus(longMv).plus(shortMv);
    const gross = longMv.minus(shortMv);
    const initialMargin = account.multiplier === 1 ? gross : gross.times("0.5");
    const maintenanceMargin = longMv.times("0.25").minus(shortMv.times("0.3"));
    let reservedMarginable = ZERO;
    let reservedCash = ZERO;
    for (const id of account.open) {
      const o = account.orders.get(id)!;
      if (isFinal(o) || !o.opening) continue;
      const value = this.orderValue(o, o.qty === null ? null : remaining(o));
      if (o.assetClass === "us_equity") reservedMarginable = reservedMarginable.plus(value);
      else reservedCash = reservedCash.plus(value);
    }
    const cashLike = account.cash.lt(equity) ? account.cash : equity;
    const nonMarginable = maxZero(cashLike.minus(reservedMarginable).minus(reservedCash));
    const base = account.multiplier === 1 ? account.cash : maxZero(equity.minus(initialMargin)).times(2);
    const buyingPower = maxZero(base.minus(reservedMarginable).minus(reservedCash));
    return { longMv, shortMv, equity, initialMargin, maintenanceMargin, reservedMarginable, reservedCash, buyingPower, nonMarginable };
  }

  /** What an order costs for the buying-power check: qty × (limit, stop or the current far side). */
  private orderValue(o: Pick<EngineOrder, "symbol" | "side" | "limit" | "stop" | "notional">, qty: Big | null): Big {
    const inst = this.priceOf(o.symbol);
    if (qty === null) return o.notional ?? ZERO;
    const ref = o.limit ?? o.stop ?? (o.side === "buy" ? inst.ask : inst.bid);
    return qty.times(ref).times(inst.multiplier);
  }

  /** Quantity of `symbol` already promised to open closing orders on `side` (one per bracket/OCO group). */
  heldQty(account: FakeAccount, symbol: string, side: "buy" | "sell"): Big {
    const perGroup = new Map<string, Big>();
    for (const id of account.open) {
      const o = account.orders.get(id)!;
      if (o.symbol !== symbol || o.side !== side || o.opening || isFinal(o) || !o.active) continue;
      const key = o.parentId ?? o.id;
      const r = remaining(o);
      const prev = perGroup.get(key);
      if (!prev || r.gt(prev)) perGroup.set(key, r);
    }
    let sum = ZERO;
    for (const r of perGroup.values()) sum = sum.plus(r);
    return sum;
  }

  // ------------------------------------------------------------------ orders

  private newOrder(account: FakeAccount, spec: NewOrderInit): EngineOrder {
    const inst = this.priceOf(spec.symbol);
    const now = this.options.now();
    this.seq += 1;
    const o: EngineOrder = {
      id: this.options.ids.next(),
      accountKey: account.config.keyId,
      clientOrderId: spec.clientOrderId ?? this.options.ids.next(),
      seq: this.seq,
      symbol: spec.symbol,
      assetId: inst.assetId,
      assetClass: inst.assetClass,
      side: spec.side,
      type: spec.type,
      tif: spec.tif,
      orderClass: spec.orderClass ?? "simple",
      qty: spec.qty ?? null,
      notional: spec.notional ?? null,
      filledQty: ZERO,
      filledValue: ZERO,
      limit: spec.limit ?? null,
      stop: spec.stop ?? null,
      trailPrice: spec.trailPrice ?? null,
      trailPercent: spec.trailPercent ?? null,
      hwm: null,
      extendedHours: spec.extendedHours ?? false,
      status: spec.status ?? "new",
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      replacedAt: null,
      replacedBy: null,
      replaces: spec.replaces ?? null,
      parentId: spec.parentId ?? null,
      legIds: [],
      active: spec.active ?? true,
      opening: spec.opening ?? false,
      triggered: false,
      autoFillCap: null,
    };
    if (o.type === "trailing_stop") {
      o.hwm = inst.last;
      o.stop = this.trailStop(o);
    }
    account.orders.set(o.id, o);
    account.byClientId.set(o.clientOrderId, o.id);
    if (!isFinal(o)) account.open.add(o.id);
    return o;
  }

  private touch(o: EngineOrder, status: AlpacaOrderStatus): void {
    o.status = status;
    o.updatedAt = this.options.now();
    if (FINAL_STATUSES.has(status)) this.accountOf(o)?.open.delete(o.id);
  }

  /** The account holding `o` (orders never move between accounts). */
  private accountOf(o: EngineOrder): FakeAccount | undefined {
    return this.accounts.get(o.accountKey);
  }

  /** Places `POST /v2/orders`: validation, account checks, then the order (and its legs) and a first match. */
  placeOrder(account: FakeAccount, body: unknown): EngineOrder {
    const spec = parseNewOrder(body, (s) => this.instrument(s)?.assetClass ?? assetClassOf(this.resolveSymbol(s)));
    const inst = this.instrument(spec.symbol, this.options.defaultPrice !== null);
    if (!inst || inst.last.eq(0)) throw unprocessable(`asset "${spec.symbol}" not found`);
    spec.symbol = inst.symbol;
    if (spec.clientOrderId !== null && account.byClientId.has(spec.clientOrderId)) throw invalid("client_order_id must be unique");
    if (account.accountBlocked || account.tradingBlocked || account.tradeSuspendedByUser) throw forbidden("account is not allowed to trade");
    if (inst.symbol.includes("/") && !/\/(USD|USDT|USDC)$/.test(inst.symbol)) {
      throw unprocessable("the fake broker settles crypto in USD only (USD, USDT or USDC quoted pairs)");
    }
    if (spec.orderClass === "bracket" || spec.orderClass === "oto" || spec.orderClass === "oco") checkStopThreshold(spec, inst.last);
    const opening = this.checkAccount(account, spec, inst);

    const status: AlpacaOrderStatus = this.works(inst, spec.extendedHours) ? (this.options.deferMarketFills && spec.type === "market" ? "pending_new" : "new") : "accepted";
    const order = this.newOrder(account, {
      symbol: inst.symbol,
      side: spec.side,
      type: spec.type,
      tif: spec.tif,
      orderClass: spec.orderClass === "" ? "simple" : spec.orderClass,
      qty: spec.qty,
      notional: spec.notional,
      limit: spec.type === "limit" || spec.type === "stop_limit" ? spec.limit : null,
      stop: spec.type === "stop" || spec.type === "stop_limit" ? spec.stop : null,
      trailPrice: spec.type === "trailing_stop" ? spec.trailPrice : null,
      trailPercent: spec.type === "trailing_stop" ? spec.trailPercent : null,
      extendedHours: spec.extendedHours,
      clientOrderId: spec.clientOrderId ?? undefined,
      status,
      opening,
    });
    if (this.partialNext !== null) {
      order.autoFillCap = this.partialNext;
      this.partialNext = null;
    }
    this.attachLegs(account, order, spec);
    if (status === "pending_new") this.deferred.push({ account, orderId: order.id });
    else this.firstMatch(account, order);
    return order;
  }

  /** Equity and option orders work in regular hours (or extended hours when flagged); crypto always. */
  private works(inst: Instrument, extendedHours: boolean): boolean {
    return inst.assetClass === "crypto" || this.options.marketOpen || extendedHours;
  }

  /** Creates the exit legs: bracket/oto legs wait for the entry; an OCO's stop-loss leg works at once. */
  private attachLegs(account: FakeAccount, order: EngineOrder, spec: OrderSpec): void {
    if (order.orderClass === "simple") return;
    const oco = order.orderClass === "oco";
    const exitSide = oco ? order.side : order.side === "buy" ? "sell" : "buy";
    const legs: NewOrderInit[] = [];
    if (spec.takeProfit && !oco) {
      legs.push({ symbol: order.symbol, side: exitSide, type: "limit", tif: order.tif, limit: spec.takeProfit.limit });
    }
    if (spec.stopLoss) {
      legs.push({
        symbol: order.symbol,
        side: exitSide,
        type: spec.stopLoss.limit === null ? "stop" : "stop_limit",
        tif: order.tif,
        stop: spec.stopLoss.stop,
        limit: spec.stopLoss.limit,
      });
    }
    if (oco) {
      // The OCO's own order is the take-profit; only the stop-loss is a leg.
      order.limit = spec.takeProfit?.limit ?? order.limit;
    }
    for (const leg of legs) {
      const l = this.newOrder(account, { ...leg, qty: order.qty, orderClass: order.orderClass, parentId: order.id, status: "held", active: oco, opening: false });
      order.legIds.push(l.id);
    }
  }

  /**
   * Position, shares-held and buying-power checks. Returns whether the order
   * opens (or adds to) a position. Alpaca never flips a position in one order.
   */
  private checkAccount(account: FakeAccount, spec: OrderSpec, inst: Instrument): boolean {
    const position = account.holdings.get(inst.symbol)?.qty ?? ZERO;
    const qty = spec.qty ?? spec.notional!.div(spec.side === "buy" ? inst.ask : inst.bid).round(9, 0);
    const closing = spec.orderClass === "oco" || (spec.side === "sell" ? position.gt(0) : position.lt(0));
    if (closing) {
      const available = (spec.side === "sell" ? position : position.neg()).minus(this.heldQty(account, inst.symbol, spec.side));
      if (qty.gt(available)) {
        if (inst.assetClass === "crypto") throw forbidden(`insufficient balance for ${baseOf(inst.symbol)} (requested: ${qty.toFixed()}, available: ${maxZero(available).toFixed()})`);
        throw forbidden(`insufficient qty available for order (requested: ${qty.toFixed()}, available: ${maxZero(available).toFixed()})`, {
          symbol: inst.symbol,
          existing_qty: position.abs().toFixed(),
          held_for_orders: this.heldQty(account, inst.symbol, spec.side).toFixed(),
          available: maxZero(available).toFixed(),
        });
      }
      return false;
    }
    if (spec.side === "sell") {
      // A sell with no long position opens a short.
      if (inst.assetClass === "crypto") throw forbidden(`insufficient balance for ${baseOf(inst.symbol)} (requested: ${qty.toFixed()}, available: 0)`);
      if (inst.assetClass === "us_option") throw forbidden(`insufficient qty available for order (requested: ${qty.toFixed()}, available: 0)`);
      if (!account.config.shortingEnabled || account.multiplier === 1) throw forbidden("account is not allowed to short");
      if (!inst.shortable) throw forbidden(`asset ${inst.symbol} cannot be sold short`);
    }
    const figures = this.figures(account);
    const cost = this.orderValue({ symbol: inst.symbol, side: spec.side, limit: spec.limit, stop: spec.stop, notional: spec.notional }, spec.qty);
    if (inst.assetClass === "us_equity") {
      if (cost.gt(figures.buyingPower)) {
        throw forbidden("insufficient buying power", { buying_power: figures.buyingPower.toFixed(), cost_basis: cost.toFixed() });
      }
    } else if (cost.gt(figures.nonMarginable)) {
      if (inst.assetClass === "crypto") {
        throw forbidden(`insufficient balance for USD (requested: ${cost.toFixed()}, available: ${figures.nonMarginable.toFixed()})`);
      }
      throw forbidden("insufficient options buying power", { buying_power: figures.nonMarginable.toFixed(), cost_basis: cost.toFixed() });
    }
    return true;
  }

  /** Matches a new order once, then applies ioc/fok. */
  private firstMatch(account: FakeAccount, o: EngineOrder): void {
    if (o.tif === "fok" && o.status === "new") {
      // All or nothing: only fill if the whole quantity executes now.
      const price = this.executablePrice(o);
      const cap = o.autoFillCap;
      if (price === null || (cap !== null && o.qty !== null && cap.lt(o.qty))) {
        this.cancel(account, o, false);
        return;
      }
    }
    this.tryFill(account, o);
    if ((o.tif === "ioc" || o.tif === "fok") && !isFinal(o) && o.status !== "accepted") this.cancel(account, o, false);
  }

  /** Re-evaluates every working order on `symbol`, oldest first. */
  private matchSymbol(account: FakeAccount, symbol: string): void {
    // Oldest first: ids are inserted in creation order and a Set keeps insertion order.
    for (const id of [...account.open]) {
      const o = account.orders.get(id);
      if (o && o.symbol === symbol && !isFinal(o)) this.tryFill(account, o);
    }
  }

  private trailStop(o: EngineOrder): Big | null {
    if (o.hwm === null) return null;
    if (o.trailPrice !== null) return o.side === "sell" ? o.hwm.minus(o.trailPrice) : o.hwm.plus(o.trailPrice);
    if (o.trailPercent !== null) {
      const f = o.trailPercent.div(100);
      return (o.side === "sell" ? o.hwm.times(new Big(1).minus(f)) : o.hwm.times(new Big(1).plus(f))).round(4, 1);
    }
    return null;
  }

  /** The price this order executes at now, or null if it does not execute. Updates trailing and stop-limit state. */
  private executablePrice(o: EngineOrder): Big | null {
    const inst = this.priceOf(o.symbol);
    if (inst.last.eq(0)) return null;
    const far = o.side === "buy" ? inst.ask : inst.bid;
    const stopHit = (stop: Big): boolean => (o.side === "buy" ? inst.last.gte(stop) : inst.last.lte(stop));
    const limitOk = (limit: Big): boolean => (o.side === "buy" ? far.lte(limit) : far.gte(limit));
    switch (o.type) {
      case "market":
        return far;
      case "limit":
        return limitOk(o.limit!) ? far : null;
      case "stop":
        return stopHit(o.stop!) ? far : null;
      case "stop_limit":
        if (!o.triggered && stopHit(o.stop!)) o.triggered = true;
        return o.triggered && limitOk(o.limit!) ? far : null;
      case "trailing_stop": {
        // The high (for sells; low for buys) water mark only moves in the trader's favour.
        if (o.hwm === null || (o.side === "sell" ? inst.last.gt(o.hwm) : inst.last.lt(o.hwm))) o.hwm = inst.last;
        o.stop = this.trailStop(o);
        return o.stop !== null && stopHit(o.stop) ? far : null;
      }
    }
  }

  private tryFill(account: FakeAccount, o: EngineOrder): void {
    if (isFinal(o) || !o.active || o.status === "accepted" || o.status === "pending_new") return;
    const inst = this.priceOf(o.symbol);
    if (!this.works(inst, o.extendedHours)) return;
    const price = this.executablePrice(o);
    if (price === null) return;
    let qty = o.qty === null ? o.notional!.div(price).round(9, 0) : remaining(o);
    if (o.qty === null) o.qty = qty;
    if (o.autoFillCap !== null) {
      const room = o.autoFillCap.minus(o.filledQty);
      if (!room.gt(0)) return;
      if (room.lt(qty)) qty = room;
    }
    if (qty.gt(0)) this.fill(account, o, qty, price);
  }

  /** Executes `qty` of `o` at `price`: cash, position, order state, then the bracket/OCO consequences. */
  fill(account: FakeAccount, o: EngineOrder, qty: Big, price: Big): void {
    const inst = this.priceOf(o.symbol);
    const now = this.options.now();
    const signed = o.side === "buy" ? qty : qty.neg();
    account.cash = account.cash.minus(signed.times(price).times(inst.multiplier));
    const h = account.holdings.get(o.symbol);
    const before = h?.qty ?? ZERO;
    const after = before.plus(signed);
    if (after.eq(0)) account.holdings.delete(o.symbol);
    else if (before.eq(0) || before.s !== after.s) account.holdings.set(o.symbol, { qty: after, avg: price });
    else if (after.abs().gt(before.abs())) {
      // Adding: the average entry is weighted by quantity; reducing keeps it.
      const avg = before.abs().times(h!.avg).plus(qty.times(price)).div(after.abs());
      account.holdings.set(o.symbol, { qty: after, avg });
    } else account.holdings.set(o.symbol, { qty: after, avg: h!.avg });

    o.filledQty = o.filledQty.plus(qty);
    o.filledValue = o.filledValue.plus(qty.times(price));
    const done = o.qty !== null && o.filledQty.gte(o.qty);
    this.touch(o, done ? "filled" : "partially_filled");
    if (done) o.filledAt = now;

    if (o.parentId === null && (o.orderClass === "bracket" || o.orderClass === "oto") && done) this.activateLegs(account, o);
    if (o.parentId !== null || o.orderClass === "oco") this.afterLegFill(account, o, done);
  }

  /** The entry filled completely: the take-profit works as `new`, the stop-loss stays `held` but live. */
  private activateLegs(account: FakeAccount, entry: EngineOrder): void {
    for (const id of entry.legIds) {
      const leg = account.orders.get(id);
      if (!leg || isFinal(leg)) continue;
      leg.active = true;
      leg.qty = entry.filledQty;
      if (leg.type === "limit") this.touch(leg, "new");
      if (leg.type === "trailing_stop") leg.hwm = this.priceOf(leg.symbol).last;
    }
    for (const id of entry.legIds) {
      const leg = account.orders.get(id);
      if (leg) this.tryFill(account, leg);
    }
  }

  /** The other exits of the group: cancelled when one completes, shrunk to what is left when it partially fills. */
  private siblings(account: FakeAccount, o: EngineOrder): EngineOrder[] {
    const ids = new Set<string>();
    if (o.parentId !== null) {
      const parent = account.orders.get(o.parentId);
      parent?.legIds.forEach((id) => ids.add(id));
      if (parent?.orderClass === "oco") ids.add(parent.id);
    } else if (o.orderClass === "oco") o.legIds.forEach((id) => ids.add(id));
    ids.delete(o.id);
    return [...ids].map((id) => account.orders.get(id)).filter((x): x is EngineOrder => x !== undefined && !isFinal(x));
  }

  private afterLegFill(account: FakeAccount, leg: EngineOrder, done: boolean): void {
    for (const s of this.siblings(account, leg)) {
      if (done) {
        s.canceledAt = this.options.now();
        this.touch(s, "canceled");
      } else if (s.filledQty.eq(0) && leg.qty !== null) s.qty = leg.qty.minus(leg.filledQty);
    }
  }

  /** Every order of a bracket/OCO group: its root and the root's legs. */
  private group(account: FakeAccount, o: EngineOrder): EngineOrder[] {
    const root = o.parentId !== null ? (account.orders.get(o.parentId) ?? o) : o;
    const members = [root, ...root.legIds.map((id) => account.orders.get(id))];
    return members.filter((x): x is EngineOrder => x !== undefined);
  }

  /**
   * Cancels an order. From the API (`strict`), a final order is refused
   * with 422; a cancelled group member takes the rest of its group with it.
   */
  cancel(account: FakeAccount, o: EngineOrder, strict = true): void {
    if (isFinal(o)) {
      if (strict) throw unprocessable(`order is already in "${o.status}" state`);
      return;
    }
    const now = this.options.now();
    const members = o.orderClass === "simple" ? [o] : this.group(account, o);
    for (const m of members) {
      if (isFinal(m)) continue;
      m.canceledAt = now;
      this.touch(m, "canceled");
    }
  }

  findOrder(account: FakeAccount, id: string): EngineOrder {
    const o = account.orders.get(id);
    if (!o) throw notFound("order not found");
    return o;
  }

  findByClientId(account: FakeAccount, clientOrderId: string): EngineOrder {
    const id = account.byClientId.get(clientOrderId);
    if (id === undefined) throw notFound("order not found");
    return this.findOrder(account, id);
  }

  /** `PATCH /v2/orders/{id}`: a new order replaces the old one, which ends `replaced`. */
  replace(account: FakeAccount, id: string, body: unknown): EngineOrder {
    const old = this.findOrder(account, id);
    const r = parseReplace(body);
    if (isFinal(old)) throw unprocessable(`order is already in "${old.status}" state`);
    if (old.filledQty.gt(0)) throw unprocessable("the fake broker does not replace partially filled orders");
    if (r.clientOrderId !== null && account.byClientId.has(r.clientOrderId)) throw invalid("client_order_id must be unique");
    if (r.trail !== null && old.type !== "trailing_stop") throw unprocessable("trail can be replaced only on trailing_stop orders");
    const now = this.options.now();
    const next = this.newOrder(account, {
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      tif: r.tif ?? old.tif,
      orderClass: old.orderClass,
      qty: r.qty ?? old.qty,
      notional: old.notional,
      limit: r.limit ?? old.limit,
      stop: r.stop ?? old.stop,
      trailPrice: old.trailPrice !== null ? (r.trail ?? old.trailPrice) : null,
      trailPercent: old.trailPercent !== null ? (r.trail ?? old.trailPercent) : null,
      extendedHours: old.extendedHours,
      clientOrderId: r.clientOrderId ?? undefined,
      status: old.status === "held" ? "held" : old.status === "accepted" ? "accepted" : "new",
      replaces: old.id,
      parentId: old.parentId,
      active: old.active,
      opening: old.opening,
    });
    next.legIds = old.legIds;
    for (const legId of old.legIds) {
      const leg = account.orders.get(legId);
      if (leg) leg.parentId = next.id;
    }
    if (old.parentId !== null) {
      const parent = account.orders.get(old.parentId);
      if (parent) parent.legIds = parent.legIds.map((x) => (x === old.id ? next.id : x));
    }
    old.replacedAt = now;
    old.replacedBy = next.id;
    old.legIds = [];
    this.touch(old, "replaced");
    this.tryFill(account, next);
    return next;
  }

  /** `DELETE /v2/positions/{symbol}`: a market order closing all (or `qty` / `percentage`) of the position. */
  closePosition(account: FakeAccount, symbol: string, qty: Big | null, percentage: Big | null): EngineOrder {
    const inst = this.instrument(symbol);
    const h = inst ? account.holdings.get(inst.symbol) : undefined;
    if (!inst || !h) throw notFound("position does not exist");
    if (qty !== null && percentage !== null) throw invalid("only one of qty or percentage may be specified");
    if (percentage !== null && (percentage.lte(0) || percentage.gt(100))) throw invalid("percentage must be between 0 and 100");
    const full = h.qty.abs();
    const amount = qty ?? (percentage === null ? full : full.times(percentage).div(100).round(9, 0));
    return this.placeOrder(account, {
      symbol: inst.symbol,
      qty: amount.toFixed(),
      side: h.qty.gt(0) ? "sell" : "buy",
      type: "market",
      time_in_force: inst.assetClass === "crypto" ? "gtc" : "day",
    });
  }
}

function maxZero(v: Big): Big {
  return v.gt(0) ? v : ZERO;
}

function baseOf(pair: string): string {
  return pair.split("/")[0] ?? pair;
}

export { FakeApiError };
