/**
 * A stateful fake of the Binance Spot REST API, written from Binance's
 * documentation (rest-api.md, errors.md, enums.md): the documented paths,
 * `X-MBX-APIKEY` + HMAC `signature` verification, optional timestamp /
 * recvWindow enforcement, `{code,msg}` error bodies, RESULT order payloads,
 * OTO/OTOCO order lists, balances with free/locked.
 *
 * Not modelled (see docs/brokers/binance.md): exchange filters (LOT_SIZE,
 * PRICE_FILTER, NOTIONAL), order book depth and slippage, fees, self-trade
 * prevention, request weights / order-count limits, OCO and OPO lists,
 * quote-quantity market orders, funds held by dormant list legs and stops.
 *
 * @module
 */
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { Big, dec, hmacSha256, toDecimal, type OrderStatus } from "../sdk";

/**
 * Quote assets of Binance Spot listings (exchangeInfo's `quoteAsset`), longest
 * first so `FDUSD` wins over `USD`-suffixed bases. The fake lists a symbol as
 * base + one of these, as the exchange's own listing table would.
 */
const QUOTE_ASSETS = ["FDUSD", "USDT", "USDC", "TUSD", "BUSD", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "JPY"] as const;

/** The listing of a symbol: base and quote asset (quote null when the symbol is not a known pair). */
function listing(symbol: string): { base: string; quote: string | null } {
  const quote = QUOTE_ASSETS.find((q) => symbol.endsWith(q) && symbol.length > q.length);
  return quote === undefined ? { base: symbol, quote: null } : { base: symbol.slice(0, -quote.length), quote };
}

/**
 * Binance's documented SIGNED check (rest-api.md, "SIGNED endpoint security"):
 * the signature is hex(HMAC-SHA256(secretKey, totalParams)), where
 * totalParams is the query string followed by the request body with no
 * separator. Hex is compared without regard to case, in constant time.
 */
async function signatureMatches(secretKey: string, totalParams: string, signature: string): Promise<boolean> {
  const expected = await hmacSha256(secretKey, totalParams, "hex");
  const given = signature.toLowerCase();
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

type Side = "BUY" | "SELL";
type BinanceStatus = "NEW" | "PENDING_NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED" | "REJECTED";

interface Order {
  orderId: number;
  symbol: string;
  side: Side;
  type: string;
  timeInForce: string;
  qty: Big;
  price: Big | null;
  stopPrice: Big | null;
  trailingDelta: number | null;
  clientOrderId: string;
  status: BinanceStatus;
  executed: Big;
  quote: Big;
  time: number;
  updateTime: number;
  orderListId: number;
  /** A triggered stop-limit works as a limit from then on. */
  triggered: boolean;
  /** Trailing stops: best price seen since tracking began (null = not tracking yet). */
  extreme: Big | null;
  /** Funds held for a resting limit order, released on fill or cancel. */
  lock: { asset: string; amount: Big } | null;
}

interface OrderList {
  orderListId: number;
  contingencyType: "OTO" | "OCO";
  listClientOrderId: string;
  symbol: string;
  /** Working order first, then the pending leg(s). */
  orderIds: number[];
  done: boolean;
  time: number;
}

export interface BinanceFakeOptions {
  apiKey?: string;
  secretKey?: string;
  /** Asset the account is funded in. Default USDT. */
  quoteAsset?: string;
  /** Starting quote balance. Default 100000. */
  startingBalance?: string;
  /** Server clock. When given, timestamps outside recvWindow are refused with -1021 like Binance does. */
  clock?: () => number;
}

const TERMINAL: ReadonlySet<BinanceStatus> = new Set(["FILLED", "CANCELED", "EXPIRED", "REJECTED"]);

const STATUS: Readonly<Record<BinanceStatus, OrderStatus>> = {
  NEW: "open",
  PENDING_NEW: "open",
  PARTIALLY_FILLED: "partially_filled",
  FILLED: "filled",
  CANCELED: "cancelled",
  EXPIRED: "expired",
  REJECTED: "rejected",
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
  ) {
    super(msg);
  }
}

const insufficient = () => new ApiError(400, -2010, "Account has insufficient balance for requested action.");

/** The fake Binance. Also usable on its own as `fetch` for a connection (e.g. a local dev override). */
export class BinanceFake implements FakeBroker {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly quoteAsset: string;
  private readonly startingBalance: string;
  private readonly clock: (() => number) | undefined;
  private readonly faults = new FaultInjector({
    authExpired: { status: 401, body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." } },
  });
  private balances = new Map<string, { free: Big; locked: Big }>();
  private prices = new Map<string, Big>();
  private list: Order[] = [];
  private lists: OrderList[] = [];
  private nextId = 1;
  private partialNext: Big | null = null;
  /** Every request the fake received (method + path + params), for tests. */
  readonly requests: { method: string; path: string; params: URLSearchParams }[] = [];

  constructor(options: BinanceFakeOptions = {}) {
    this.apiKey = options.apiKey ?? "fake-binance-key";
    this.secretKey = options.secretKey ?? "fake-binance-secret";
    this.quoteAsset = options.quoteAsset ?? "USDT";
    this.startingBalance = options.startingBalance ?? "100000";
    this.clock = options.clock;
    this.reset();
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();

  reset(): void {
    this.faults.reset();
    this.balances = new Map([[this.quoteAsset, { free: dec(this.startingBalance), locked: dec(0) }]]);
    this.prices = new Map();
    this.list = [];
    this.lists = [];
    this.nextId = 1;
    this.partialNext = null;
    this.requests.length = 0;
  }

  partialFillNext(quantity: string): void {
    this.partialNext = dec(quantity);
  }

  /** Sets a balance directly (test setup), e.g. `fund("BTC", "2")`. */
  fund(asset: string, amount: string): void {
    this.balances.set(asset, { free: dec(amount), locked: dec(0) });
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, dec(price));
    this.match(symbol);
  }

  orders(): readonly FakeOrder[] {
    return this.list.map((o) => ({
      id: String(o.orderId),
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side === "BUY" ? "buy" : "sell",
      quantity: toDecimal(o.qty),
      filledQuantity: toDecimal(o.executed),
      status: STATUS[o.status],
    }));
  }

  // ---------------------------------------------------------------- HTTP

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const params = url.searchParams;
    // Binance reads form bodies too; the query wins when a key is in both.
    const bodyText = await request.text();
    const bodyParams = new URLSearchParams(bodyText);
    for (const [k, v] of bodyParams) if (!params.has(k)) params.append(k, v);
    this.requests.push({ method: request.method, path: url.pathname, params });
    try {
      const key = `${request.method} ${url.pathname}`;
      switch (key) {
        case "GET /api/v3/ping":
          return json({});
        case "GET /api/v3/time":
          return json({ serverTime: this.now() });
        case "GET /api/v3/ticker/price":
          return json(this.tickerPrice(params));
        case "GET /api/v3/ticker/bookTicker":
          return json(this.bookTicker(params));
        case "GET /api/v3/exchangeInfo":
          return json(this.exchangeInfo(params));
      }
      await this.authenticate(request, url, bodyText);
      switch (key) {
        case "GET /api/v3/account":
          return json(this.account(params));
        case "POST /api/v3/order":
          return json(this.newOrder(params));
        case "GET /api/v3/order":
          return json(this.view(this.find(params, -2013, "Order does not exist.")));
        case "DELETE /api/v3/order":
          return json(this.cancel(params));
        case "GET /api/v3/openOrders":
          return json(this.list.filter((o) => !TERMINAL.has(o.status) && (!params.has("symbol") || o.symbol === params.get("symbol"))).map((o) => this.view(o)));
        case "POST /api/v3/orderList/oto":
          return json(this.newList(params, false));
        case "POST /api/v3/orderList/otoco":
          return json(this.newList(params, true));
        case "GET /api/v3/orderList":
          return json(this.listView(this.findList(params)));
      }
      return new Response(null, { status: 404 });
    } catch (e) {
      if (e instanceof ApiError) return json({ code: e.code, msg: e.msg }, e.status);
      throw e;
    }
  }

  private now(): number {
    return this.clock ? this.clock() : Date.now();
  }

  /** API key header, then the HMAC over the exact query string (+ body) minus `&signature=`, then timing. */
  private async authenticate(request: Request, url: URL, body: string): Promise<void> {
    if (request.headers.get("x-mbx-apikey") !== this.apiKey) throw new ApiError(401, -2015, "Invalid API-key, IP, or permissions for action.");
    const query = url.search.slice(1);
    const match = /(^|&)signature=([0-9a-fA-F]+)$/.exec(query);
    const signed = match ? query.slice(0, match.index) : query;
    const signature = match?.[2] ?? new URLSearchParams(body).get("signature");
    if (signature === null || signature === undefined) throw new ApiError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const totalParams = signed + (match ? "" : body.replace(/&?signature=[0-9a-fA-F]+$/, ""));
    if (!(await signatureMatches(this.secretKey, totalParams, signature))) throw new ApiError(400, -1022, "Signature for this request is not valid.");
    const params = url.searchParams;
    const ts = Number(params.get("timestamp"));
    if (!Number.isFinite(ts) || params.get("timestamp") === null) throw new ApiError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    if (this.clock) {
      const recvWindow = Number(params.get("recvWindow") ?? "5000");
      const server = this.now();
      if (ts >= server + 1000) throw new ApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
      if (server - ts > recvWindow) throw new ApiError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
    }
  }

  // ------------------------------------------------------------ market data

  private tickerPrice(params: URLSearchParams): unknown {
    const symbol = params.get("symbol");
    if (symbol !== null) {
      const p = this.prices.get(symbol);
      if (!p) throw new ApiError(400, -1121, "Invalid symbol.");
      return { symbol, price: p.toFixed(8) };
    }
    return [...this.prices].map(([s, p]) => ({ symbol: s, price: p.toFixed(8) }));
  }

  private bookTicker(params: URLSearchParams): unknown {
    const symbol = params.get("symbol") ?? "";
    const p = this.prices.get(symbol);
    if (!p) throw new ApiError(400, -1121, "Invalid symbol.");
    return { symbol, bidPrice: p.toFixed(8), bidQty: "1.00000000", askPrice: p.toFixed(8), askQty: "1.00000000" };
  }

  /** Every symbol with a price, with a 0.01 tick (the only filter the fake knows). */
  private exchangeInfo(params: URLSearchParams): unknown {
    const wanted = params.get("symbol");
    if (wanted !== null && !this.prices.has(wanted)) throw new ApiError(400, -1121, "Invalid symbol.");
    const symbols = [...this.prices.keys()].filter((s) => wanted === null || s === wanted);
    return {
      timezone: "UTC",
      serverTime: this.now(),
      rateLimits: [],
      exchangeFilters: [],
      symbols: symbols.map((symbol) => {
        const { base, quote } = listing(symbol);
        return {
          symbol,
          status: "TRADING",
          baseAsset: base,
          quoteAsset: quote,
          orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
          ocoAllowed: true,
          otoAllowed: true,
          allowTrailingStop: true,
          isSpotTradingAllowed: true,
          filters: [{ filterType: "PRICE_FILTER", minPrice: "0.01000000", maxPrice: "1000000.00000000", tickSize: "0.01000000" }],
          permissionSets: [["SPOT"]],
        };
      }),
    };
  }

  // ---------------------------------------------------------------- account

  private bal(asset: string): { free: Big; locked: Big } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: dec(0), locked: dec(0) };
      this.balances.set(asset, b);
    }
    return b;
  }

  private account(params: URLSearchParams): unknown {
    const omitZero = params.get("omitZeroBalances") === "true";
    return {
      makerCommission: 0,
      takerCommission: 0,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: "0.00000000", taker: "0.00000000", buyer: "0.00000000", seller: "0.00000000" },
      canTrade: true,
      canWithdraw: false,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: this.now(),
      accountType: "SPOT",
      balances: [...this.balances]
        .filter(([, b]) => !omitZero || b.free.plus(b.locked).gt(0))
        .map(([asset, b]) => ({ asset, free: b.free.toFixed(8), locked: b.locked.toFixed(8) })),
      permissions: ["SPOT"],
      uid: 354937868,
    };
  }

  // ---------------------------------------------------------------- orders

  private assets(symbol: string): { base: string; quote: string } {
    const { base, quote } = listing(symbol);
    if (quote === null || !this.prices.has(symbol)) throw new ApiError(400, -1121, "Invalid symbol.");
    return { base, quote };
  }

  private decimalParam(params: URLSearchParams, name: string, required: boolean): Big | null {
    const raw = params.get(name);
    if (raw === null || raw === "") {
      if (required) throw new ApiError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
      return null;
    }
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new ApiError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
    return dec(raw);
  }

  private checkClientId(id: string | null): string {
    if (id === null) return `fake${this.nextId}${Math.random().toString(36).slice(2, 10)}`;
    if (!/^[a-zA-Z0-9-_]{1,36}$/.test(id)) throw new ApiError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
    if (this.list.some((o) => o.clientOrderId === id && !TERMINAL.has(o.status))) throw new ApiError(400, -2010, "Duplicate order sent.");
    return id;
  }

  /** Builds (does not book) one order from parameters named `<prefix>Type`, ... or `type`, ... */
  private build(params: URLSearchParams, prefix: string, symbol: string, side: Side, qty: Big, clientOrderId: string): Order {
    const name = (n: string) => (prefix ? `${prefix}${n[0]?.toUpperCase()}${n.slice(1)}` : n);
    const type = params.get(name("type")) ?? "";
    const price = this.decimalParam(params, name("price"), type === "LIMIT" || type === "LIMIT_MAKER" || type.endsWith("_LIMIT"));
    const trailRaw = params.get(name("trailingDelta"));
    const trailingDelta = trailRaw === null ? null : Number(trailRaw);
    const stopPrice = this.decimalParam(params, name("stopPrice"), (type.startsWith("STOP_LOSS") || type.startsWith("TAKE_PROFIT")) && trailingDelta === null);
    if (!["MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"].includes(type)) {
      throw new ApiError(400, -1116, "Invalid orderType.");
    }
    const tif = params.get(name("timeInForce"));
    if ((type === "LIMIT" || type.endsWith("_LIMIT")) && tif === null) throw new ApiError(400, -1102, `Mandatory parameter '${name("timeInForce")}' was not sent, was empty/null, or malformed.`);
    if (tif !== null && !["GTC", "IOC", "FOK"].includes(tif)) throw new ApiError(400, -1115, "Invalid timeInForce.");
    const now = this.now();
    return {
      orderId: this.nextId++,
      symbol,
      side,
      type,
      timeInForce: tif ?? "GTC",
      qty,
      price,
      stopPrice,
      trailingDelta,
      clientOrderId,
      status: "NEW",
      executed: dec(0),
      quote: dec(0),
      time: now,
      updateTime: now,
      orderListId: -1,
      triggered: false,
      extreme: null,
      lock: null,
    };
  }

  private newOrder(params: URLSearchParams): unknown {
    const symbol = params.get("symbol") ?? "";
    this.assets(symbol);
    const side = this.side(params.get("side"));
    const qty = this.decimalParam(params, "quantity", true) as Big;
    const order = this.build(params, "", symbol, side, qty, this.checkClientId(params.get("newClientOrderId")));
    this.book(order);
    return this.view(order, order.time);
  }

  private side(raw: string | null): Side {
    if (raw !== "BUY" && raw !== "SELL") throw new ApiError(400, -1117, "Invalid side.");
    return raw;
  }

  /** Accepts an order: funds checked, limit funds held, marketable orders filled at once. */
  private book(o: Order): void {
    const { base, quote } = this.assets(o.symbol);
    const last = this.prices.get(o.symbol) as Big;
    if (o.type === "MARKET") {
      const need = o.side === "BUY" ? o.qty.times(last) : o.qty;
      if (this.bal(o.side === "BUY" ? quote : base).free.lt(need)) throw insufficient();
    } else if (o.type === "LIMIT" || o.type === "LIMIT_MAKER" || o.type.endsWith("_LIMIT")) {
      if (o.type === "LIMIT_MAKER" && this.crosses(o, last)) throw new ApiError(400, -2010, "Order would immediately match and take.");
      this.hold(o, o.side === "BUY" ? quote : base, o.side === "BUY" ? o.qty.times(o.price as Big) : o.qty);
    } else if (o.side === "SELL") {
      // A sell stop must be covered by the asset it sells, as at Binance.
      if (this.bal(base).free.lt(o.qty)) throw insufficient();
    }
    if (o.type === "STOP_LOSS" || o.type === "STOP_LOSS_LIMIT" || o.type === "TAKE_PROFIT" || o.type === "TAKE_PROFIT_LIMIT") {
      if (o.trailingDelta === null && this.triggers(o, last)) {
        o.status = "EXPIRED";
        this.release(o);
        throw new ApiError(400, -2010, "Order would trigger immediately.");
      }
    }
    if (o.trailingDelta !== null && o.stopPrice === null) o.extreme = last;
    this.list.push(o);
    // A LIMIT with IOC fills what it can now, with FOK all of it now or nothing; the rest never rests: Binance
    // reports such an order EXPIRED (the status for orders ended by their time in force), its hold released.
    const immediate = o.type === "LIMIT" && (o.timeInForce === "IOC" || o.timeInForce === "FOK");
    const allOrNothingFails = o.timeInForce === "FOK" && this.partialNext !== null && this.partialNext.lt(o.qty);
    if (o.type === "MARKET") this.fill(o, last, this.takePartial(o.qty));
    else if ((o.type === "LIMIT" || o.type === "LIMIT_MAKER") && this.crosses(o, last) && !allOrNothingFails) this.fill(o, last, this.takePartial(o.qty));
    if (immediate && (o.status === "NEW" || o.status === "PARTIALLY_FILLED")) {
      o.status = "EXPIRED";
      o.updateTime = this.now();
      this.release(o);
    }
    this.afterFill(o);
  }

  private takePartial(qty: Big): Big {
    const p = this.partialNext;
    this.partialNext = null;
    return p !== null && p.lt(qty) ? p : qty;
  }

  private hold(o: Order, asset: string, amount: Big): void {
    const b = this.bal(asset);
    if (b.free.lt(amount)) throw insufficient();
    b.free = b.free.minus(amount);
    b.locked = b.locked.plus(amount);
    o.lock = { asset, amount };
  }

  private release(o: Order): void {
    if (!o.lock) return;
    const b = this.bal(o.lock.asset);
    b.free = b.free.plus(o.lock.amount);
    b.locked = b.locked.minus(o.lock.amount);
    o.lock = null;
  }

  /** Would a limit trade against `last` right now? */
  private crosses(o: Order, last: Big): boolean {
    const p = o.price as Big;
    return o.side === "BUY" ? last.lte(p) : last.gte(p);
  }

  /** Has a (non-trailing) stop or take-profit condition been met at `last`? */
  private triggers(o: Order, last: Big): boolean {
    const stop = o.stopPrice as Big;
    const stopLoss = o.type.startsWith("STOP_LOSS");
    // Stop loss: sell on the way down, buy on the way up. Take profit: the opposite.
    const down = stopLoss ? o.side === "SELL" : o.side === "BUY";
    return down ? last.lte(stop) : last.gte(stop);
  }

  /** Executes `qty` of `o` at `price`, moving base and quote between free, locked and the order. */
  private fill(o: Order, price: Big, qty: Big): void {
    const { base, quote } = this.assets(o.symbol);
    const cost = qty.times(price);
    const b = this.bal(base);
    const q = this.bal(quote);
    // Funds held for this order pay first; the rest comes from free balance.
    let heldUse = dec(0);
    if (o.lock) {
      const share = o.side === "BUY" ? qty.times(o.price ?? price) : qty;
      heldUse = share.gt(o.lock.amount) ? o.lock.amount : share;
      o.lock.amount = o.lock.amount.minus(heldUse);
      this.bal(o.lock.asset).locked = this.bal(o.lock.asset).locked.minus(heldUse);
    }
    if (o.side === "BUY") {
      // The held amount was at the limit price; the difference to the fill price goes back to free.
      q.free = q.free.plus(heldUse).minus(cost);
      b.free = b.free.plus(qty);
    } else {
      b.free = b.free.plus(heldUse).minus(qty);
      q.free = q.free.plus(cost);
    }
    o.executed = o.executed.plus(qty);
    o.quote = o.quote.plus(cost);
    o.status = o.executed.gte(o.qty) ? "FILLED" : "PARTIALLY_FILLED";
    o.updateTime = this.now();
    if (o.status === "FILLED") this.release(o);
  }

  /** Order-list bookkeeping after a fill: the working order wakes its legs; a leg's fill ends its sibling. */
  private afterFill(o: Order): void {
    if (o.orderListId < 0 || o.status !== "FILLED") return;
    const l = this.lists.find((x) => x.orderListId === o.orderListId);
    if (!l) return;
    const [workingId, ...legIds] = l.orderIds;
    const legs = legIds.map((id) => this.byId(id)).filter((x): x is Order => x !== undefined);
    if (o.orderId === workingId) {
      for (const leg of legs) {
        leg.status = "NEW";
        leg.updateTime = this.now();
        if (leg.trailingDelta !== null && leg.stopPrice === null) leg.extreme = this.prices.get(o.symbol) ?? null;
      }
      if (l.contingencyType === "OTO") l.done = legs.length === 0;
      this.match(o.symbol);
      return;
    }
    for (const leg of legs) {
      if (leg !== o && !TERMINAL.has(leg.status)) {
        leg.status = "EXPIRED";
        leg.updateTime = this.now();
      }
    }
    l.done = true;
  }

  private byId(id: number): Order | undefined {
    return this.list.find((o) => o.orderId === id);
  }

  /** Runs resting orders of `symbol` against its price until nothing more happens. */
  private match(symbol: string): void {
    const last = this.prices.get(symbol);
    if (!last) return;
    for (const o of this.list) {
      if (o.symbol !== symbol || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")) continue;
      const rest = o.qty.minus(o.executed);
      if (o.type === "LIMIT" || o.type === "LIMIT_MAKER" || o.triggered) {
        if (!this.crosses(o, last)) continue;
        // List legs hold no funds while dormant: if the asset is gone by now, the leg expires.
        if (o.lock || this.canPay(o, o.price as Big, rest)) this.fill(o, o.price as Big, rest);
        else {
          o.status = "EXPIRED";
          o.updateTime = this.now();
        }
      } else if (o.type !== "MARKET") {
        if (this.trailTriggered(o, last) || (o.trailingDelta === null && this.triggers(o, last))) {
          if (o.type.endsWith("_LIMIT")) {
            o.triggered = true;
            if (this.crosses(o, last)) this.fill(o, o.price as Big, rest);
          } else if (this.canPay(o, last, rest)) this.fill(o, last, rest);
          else {
            o.status = "EXPIRED";
            o.updateTime = this.now();
          }
        }
      }
      this.afterFill(o);
    }
  }

  private canPay(o: Order, last: Big, qty: Big): boolean {
    const { base, quote } = this.assets(o.symbol);
    return o.side === "BUY" ? this.bal(quote).free.gte(qty.times(last)) : this.bal(base).free.gte(qty);
  }

  /** Trailing stops (BIPS): track the best price, trigger on a retrace of `trailingDelta`. */
  private trailTriggered(o: Order, last: Big): boolean {
    if (o.trailingDelta === null) return false;
    if (o.extreme === null) {
      // With a stopPrice the trail only starts once that price is reached.
      if (o.stopPrice !== null && !this.triggers(o, last)) return false;
      o.extreme = last;
      return false;
    }
    const sell = o.side === "SELL";
    if (sell ? last.gt(o.extreme) : last.lt(o.extreme)) o.extreme = last;
    const delta = dec(o.trailingDelta).div(10000);
    return sell ? last.lte(o.extreme.times(dec(1).minus(delta))) : last.gte(o.extreme.times(dec(1).plus(delta)));
  }

  private find(params: URLSearchParams, code: number, msg: string): Order {
    const symbol = params.get("symbol");
    if (symbol === null) throw new ApiError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    const id = params.get("orderId");
    const cid = params.get("origClientOrderId");
    if (id === null && cid === null) throw new ApiError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const matches = this.list.filter((o) => o.symbol === symbol && (id !== null ? String(o.orderId) === id : o.clientOrderId === cid));
    const found = matches[matches.length - 1];
    if (!found) throw new ApiError(400, code, msg);
    if (id !== null && cid !== null && found.clientOrderId !== cid) throw new ApiError(400, -2039, "Client order ID is not correct for this order ID.");
    return found;
  }

  private cancel(params: URLSearchParams): unknown {
    const o = this.find(params, -2011, "Unknown order sent.");
    if (TERMINAL.has(o.status)) throw new ApiError(400, -2011, "Unknown order sent.");
    const cancelOne = (x: Order) => {
      if (TERMINAL.has(x.status)) return;
      x.status = "CANCELED";
      x.updateTime = this.now();
      this.release(x);
    };
    // Cancelling one member of an order list cancels the whole list.
    const l = this.lists.find((x) => x.orderListId === o.orderListId);
    if (l) {
      for (const id of l.orderIds) {
        const x = this.byId(id);
        if (x) cancelOne(x);
      }
      l.done = true;
    } else cancelOne(o);
    return { ...this.view(o, this.now()), origClientOrderId: o.clientOrderId };
  }

  private newList(params: URLSearchParams, otoco: boolean): unknown {
    const symbol = params.get("symbol") ?? "";
    this.assets(symbol);
    const workingType = params.get("workingType");
    if (workingType !== "LIMIT" && workingType !== "LIMIT_MAKER") throw new ApiError(400, -1116, "Invalid orderType.");
    const working = this.build(
      params,
      "working",
      symbol,
      this.side(params.get("workingSide")),
      this.decimalParam(params, "workingQuantity", true) as Big,
      this.checkClientId(params.get("workingClientOrderId")),
    );
    const pendingSide = this.side(params.get("pendingSide"));
    const pendingQty = this.decimalParam(params, "pendingQuantity", true) as Big;
    const prefixes = otoco ? ["pendingAbove", "pendingBelow"] : ["pending"];
    const legs = prefixes.map((p) => this.build(params, p, symbol, pendingSide, pendingQty, this.checkClientId(params.get(`${p}ClientOrderId`))));
    const listId = this.lists.length;
    for (const leg of legs) {
      leg.status = "PENDING_NEW";
      leg.orderListId = listId;
    }
    working.orderListId = listId;
    const l: OrderList = {
      orderListId: listId,
      contingencyType: "OTO",
      listClientOrderId: params.get("listClientOrderId") ?? `list${listId}`,
      symbol,
      orderIds: [working.orderId, ...legs.map((x) => x.orderId)],
      done: false,
      time: this.now(),
    };
    this.lists.push(l);
    try {
      this.book(working);
    } catch (e) {
      this.lists.pop();
      throw e;
    }
    this.list.push(...legs);
    this.afterFill(working);
    return { ...this.listView(l), orderReports: l.orderIds.map((id) => this.view(this.byId(id) as Order, l.time)) };
  }

  private findList(params: URLSearchParams): OrderList {
    const id = params.get("orderListId");
    const cid = params.get("origClientOrderId");
    const l = this.lists.find((x) => (id !== null ? String(x.orderListId) === id : x.listClientOrderId === cid));
    if (!l) throw new ApiError(400, -2011, "Order list does not exist.");
    return l;
  }

  private listView(l: OrderList): Record<string, unknown> {
    return {
      orderListId: l.orderListId,
      contingencyType: l.contingencyType,
      listStatusType: l.done ? "ALL_DONE" : "EXEC_STARTED",
      listOrderStatus: l.done ? "ALL_DONE" : "EXECUTING",
      listClientOrderId: l.listClientOrderId,
      transactionTime: l.time,
      symbol: l.symbol,
      orders: l.orderIds.map((id) => ({ symbol: l.symbol, orderId: id, clientOrderId: this.byId(id)?.clientOrderId ?? "" })),
    };
  }

  /** The documented order payload (query shape; `transactTime` added for placement and cancel answers). */
  private view(o: Order, transactTime?: number): Record<string, unknown> {
    const v: Record<string, unknown> = {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: o.orderListId,
      clientOrderId: o.clientOrderId,
      price: (o.price ?? dec(0)).toFixed(8),
      origQty: o.qty.toFixed(8),
      executedQty: o.executed.toFixed(8),
      cummulativeQuoteQty: o.quote.toFixed(8),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      time: o.time,
      updateTime: o.updateTime,
      isWorking: o.status !== "PENDING_NEW",
      workingTime: o.status === "PENDING_NEW" ? -1 : o.time,
      origQuoteOrderQty: "0.000000",
      selfTradePreventionMode: "NONE",
    };
    if (o.stopPrice !== null) v.stopPrice = o.stopPrice.toFixed(8);
    if (o.trailingDelta !== null) v.trailingDelta = o.trailingDelta;
    if (transactTime !== undefined) v.transactTime = transactTime;
    return v;
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json;charset=UTF-8" } });
}
