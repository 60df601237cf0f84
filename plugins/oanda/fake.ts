/**
 * A stateful fake of OANDA's v20 REST API for tests: the documented paths
 * under `/v3`, bearer-token auth (per environment host), JSON shapes and
 * error bodies (`errorCode`, `errorMessage`, `orderRejectTransaction`),
 * on-fill take-profit / stop-loss / trailing-stop orders, and the
 * conformance kit's fault controls.
 *
 * @module
 */
import { Big, dec, toDecimal, type OrderStatus } from "../sdk";
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { FakeBook, type FakeOrderRecord, type Json } from "./fake-book";

/** OANDA's documented REST hosts (developer.oanda.com, "Development Guide"): practice and live, each under `/v3`. */
export const OANDA_PRACTICE_HOST = "https://api-fxpractice.oanda.com/v3";
export const OANDA_LIVE_HOST = "https://api-fxtrade.oanda.com/v3";

/** Tokens the fake accepts: one per environment, so a token sent to the wrong host is refused like at OANDA. */
export const FAKE_PRACTICE_TOKEN = "fake-practice-token-0000-k3F9";
export const FAKE_LIVE_TOKEN = "fake-live-token-0000-0000-Z7q2";
export const FAKE_ACCOUNT_ID = "101-001-1234567-001";
/** The one account the live token reaches. */
export const FAKE_LIVE_ACCOUNT_ID = "001-001-7654321-001";
/** An MT4-linked account the token also lists; the plugin must ignore it. */
export const FAKE_MT4_ACCOUNT_ID = "101-001-1234567-002";

export interface OandaFakeOptions {
  startingBalance?: string;
  /** Margin per unit of notional; 0.02 is 50:1 leverage. */
  marginRate?: string;
  /** Half the bid/ask spread around the price set with setPrice. Default 0 (fills at the set price). */
  halfSpread?: string;
  clock?: () => Date;
  /** Another token the practice host accepts (the conformance kit logs in with the plugin's static credentials). */
  acceptToken?: string;
}

const UNAUTHORIZED: FakeReply = { status: 401, body: { errorMessage: "Insufficient authorization to perform request." } };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", RequestID: `fake-${crypto.randomUUID()}` },
  });
}

const STATUS: Readonly<Record<FakeOrderRecord["state"], OrderStatus>> = { PENDING: "open", TRIGGERED: "open", FILLED: "filled", CANCELLED: "cancelled" };

/** The OANDA fake. One account (plus an MT4 one that only shows in `GET /accounts`). */
export class OandaFake implements FakeBroker {
  private book!: FakeBook;
  private readonly faults = new FaultInjector({ authExpired: UNAUTHORIZED });
  private readonly clock: () => Date;
  private readonly halfSpread: Big;
  readonly baseUrl = OANDA_PRACTICE_HOST;
  /** Every request the fake served, for assertions (method + path). */
  readonly log: string[] = [];

  constructor(private readonly options: OandaFakeOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.halfSpread = dec(options.halfSpread ?? "0");
    this.reset();
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();

  reset(): void {
    this.faults.reset();
    this.log.length = 0;
    this.book = new FakeBook(
      { accountId: FAKE_ACCOUNT_ID, startingBalance: this.options.startingBalance ?? "100000", marginRate: this.options.marginRate ?? "0.02" },
      this.clock,
    );
  }

  setPrice(symbol: string, price: string): void {
    this.book.prices.set(symbol, dec(price));
    this.book.sweep();
  }

  /** The trading day ended: GFD orders are cancelled (reason TIME_IN_FORCE_EXPIRED). */
  endSession(): void {
    this.book.endDay();
  }

  orders(): FakeOrder[] {
    return [...this.book.orders.values()].map((o) => {
      const trade = o.tradeID ? this.book.trades.get(o.tradeID) : undefined;
      const units = o.units ?? (trade ? trade.initialUnits.neg() : new Big(0));
      const fill = o.fillingTransactionID ? this.book.transactions.get(o.fillingTransactionID) : undefined;
      const quantity = toDecimal(fill ? dec(fill.units as string).abs() : units.abs());
      return {
        id: o.id,
        clientOrderId: (o.clientExtensions?.id as string | undefined) ?? null,
        symbol: o.instrument ?? trade?.instrument ?? "",
        side: units.lt(0) ? "sell" : "buy",
        quantity,
        filledQuantity: o.state === "FILLED" ? quantity : "0",
        status: STATUS[o.state],
      };
    });
  }

  /** OANDA serves practice and live from different hosts, each knowing only its own tokens. */
  private authorized(request: Request): boolean {
    const live = request.url.startsWith(OANDA_LIVE_HOST);
    const accepted = live ? [FAKE_LIVE_TOKEN] : [FAKE_PRACTICE_TOKEN, ...(this.options.acceptToken ? [this.options.acceptToken] : [])];
    return accepted.some((token) => request.headers.get("authorization") === `Bearer ${token}`);
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^.*?\/v3(?=\/)/, "");
    this.log.push(`${request.method} ${path}`);
    if (!this.authorized(request)) return json(UNAUTHORIZED.status, UNAUTHORIZED.body);
    if (request.url.startsWith(OANDA_LIVE_HOST)) {
      // The live host of the fake only answers account discovery (enough to connect, and to detect a wrong environment).
      if (request.method === "GET" && path === "/accounts") return json(200, { accounts: [{ id: FAKE_LIVE_ACCOUNT_ID, tags: [] }] });
      if (request.method === "GET" && path === `/accounts/${FAKE_LIVE_ACCOUNT_ID}/summary`) {
        return json(200, { account: { id: FAKE_LIVE_ACCOUNT_ID, currency: "EUR", balance: "0", NAV: "0", marginAvailable: "0" }, lastTransactionID: "1" });
      }
      return json(404, { errorMessage: "The fake's live host only answers account discovery." });
    }
    if (request.method === "GET" && path === "/accounts") {
      return json(200, { accounts: [{ id: FAKE_ACCOUNT_ID, tags: [] }, { id: FAKE_MT4_ACCOUNT_ID, mt4AccountID: 1234567, tags: ["MT4"] }] });
    }
    const m = /^\/accounts\/([^/]+)(\/.*)$/.exec(path);
    if (!m) return json(404, { errorMessage: "The requested resource does not exist." });
    if (decodeURIComponent(m[1]!) !== this.book.accountId) return json(400, { errorMessage: "Invalid value specified for 'accountID'" });
    const rest = m[2]!;
    const method = request.method;
    let r: RegExpExecArray | null;
    if (method === "GET" && rest === "/summary") return json(200, { account: this.summary(), lastTransactionID: this.book.lastTransactionID });
    if (method === "GET" && rest === "/openPositions") return json(200, { positions: this.positions(), lastTransactionID: this.book.lastTransactionID });
    if (method === "GET" && rest === "/openTrades") return json(200, { trades: this.book.openTrades().map((t) => this.tradeJson(t.id)), lastTransactionID: this.book.lastTransactionID });
    if (method === "GET" && rest === "/pendingOrders") {
      const pending = [...this.book.orders.values()].filter((o) => o.state === "PENDING").reverse();
      return json(200, { orders: pending.map((o) => this.orderJson(o)), lastTransactionID: this.book.lastTransactionID });
    }
    if (method === "GET" && rest === "/pricing") return this.pricing(url.searchParams.get("instruments") ?? "");
    if (method === "POST" && rest === "/orders") return this.createOrder(request);
    if ((r = /^\/orders\/([^/]+)(\/cancel)?$/.exec(rest))) {
      const order = this.findOrder(decodeURIComponent(r[1]!));
      if (method === "GET" && !r[2]) {
        return order ? json(200, { order: this.orderJson(order), lastTransactionID: this.book.lastTransactionID }) : this.orderDoesntExist(false);
      }
      if (method === "PUT" && r[2]) {
        if (!order || order.state !== "PENDING") return this.orderDoesntExist(true);
        const txn = this.book.cancel(order, "CLIENT_REQUEST");
        return json(200, { orderCancelTransaction: txn, relatedTransactionIDs: [txn.id], lastTransactionID: this.book.lastTransactionID });
      }
      return json(405, { errorMessage: "Method not allowed" });
    }
    if (method === "GET" && (r = /^\/transactions\/(\d+)$/.exec(rest))) {
      const txn = this.book.transactions.get(r[1]!);
      return txn ? json(200, { transaction: txn, lastTransactionID: this.book.lastTransactionID }) : json(404, { errorCode: "TRANSACTION_DOESNT_EXIST", errorMessage: "The transaction specified does not exist" });
    }
    if (method === "GET" && (r = /^\/trades\/([^/]+)$/.exec(rest))) {
      const trade = this.book.trades.get(decodeURIComponent(r[1]!));
      return trade ? json(200, { trade: this.tradeJson(trade.id), lastTransactionID: this.book.lastTransactionID }) : json(404, { errorCode: "TRADE_DOESNT_EXIST", errorMessage: "The Trade specified does not exist" });
    }
    return json(404, { errorMessage: "The requested resource does not exist." });
  }

  private orderDoesntExist(cancel: boolean): Response {
    const body: Json = { errorCode: "ORDER_DOESNT_EXIST", errorMessage: "The Order specified does not exist", lastTransactionID: this.book.lastTransactionID };
    if (cancel) body.orderCancelRejectTransaction = { type: "ORDER_CANCEL_REJECT", rejectReason: "ORDER_DOESNT_EXIST" };
    return json(404, body);
  }

  /** `@<clientID>` or an OANDA order id. */
  private findOrder(specifier: string): FakeOrderRecord | undefined {
    if (!specifier.startsWith("@")) return this.book.orders.get(specifier);
    const clientId = specifier.slice(1);
    return [...this.book.orders.values()].find((o) => o.clientExtensions?.id === clientId);
  }

  private reject(type: string, order: Json, reason: string, message: string): Response {
    const txn = this.book.transaction(`${type}_ORDER_REJECT`, { ...order, rejectReason: reason });
    return json(400, {
      orderRejectTransaction: txn,
      relatedTransactionIDs: [txn.id],
      lastTransactionID: this.book.lastTransactionID,
      errorCode: reason,
      errorMessage: message,
    });
  }

  private async createOrder(request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json(400, { errorMessage: "Invalid JSON in request body" });
    }
    const order = (body as { order?: Json } | null)?.order;
    if (!order || typeof order !== "object") return json(400, { errorMessage: "Order specification is missing", errorCode: "INVALID_ORDER" });
    const type = String(order.type ?? "MARKET");
    if (!["MARKET", "LIMIT", "STOP"].includes(type)) return this.reject(type, order, "ORDER_TYPE_INVALID", "The fake only models MARKET, LIMIT and STOP orders");
    const instrument = String(order.instrument ?? "");
    if (!/^[A-Z0-9]+_[A-Z]{3}$/.test(instrument)) return this.reject(type, order, "INSTRUMENT_UNKNOWN", "The instrument specified is unknown");
    const unitsText = String(order.units ?? "");
    if (!/^-?\d+$/.test(unitsText) || dec(unitsText).eq(0)) {
      return this.reject(type, order, /^-?\d+\.\d+$/.test(unitsText) ? "UNITS_PRECISION_EXCEEDED" : "UNITS_INVALID", "The units specified are invalid");
    }
    const tif = String(order.timeInForce ?? (type === "MARKET" ? "FOK" : "GTC"));
    if (type === "MARKET" && tif !== "FOK" && tif !== "IOC") return this.reject(type, order, "TIME_IN_FORCE_INVALID", "Market orders must be FOK or IOC");
    if (type !== "MARKET" && typeof order.price !== "string") return this.reject(type, order, "PRICE_MISSING", "The price is missing");
    const clientExtensions = order.clientExtensions as Json | undefined;
    const clientId = clientExtensions?.id;
    if (clientId !== undefined && [...this.book.orders.values()].some((o) => o.clientExtensions?.id === clientId)) {
      return this.reject(type, order, "CLIENT_ORDER_ID_ALREADY_EXISTS", "The client order ID specified is already in use");
    }
    const sl = order.stopLossOnFill as Json | undefined;
    if (sl && sl.price !== undefined && sl.distance !== undefined) {
      return this.reject(type, order, "STOP_LOSS_ON_FILL_PRICE_AND_DISTANCE_BOTH_SPECIFIED", "Specify either a stop loss price or a distance");
    }
    const price = this.book.prices.get(instrument);
    if (type === "MARKET" && !price) return this.reject(type, order, "INSTRUMENT_PRICE_UNKNOWN", "The instrument has no current price");

    const create = this.book.transaction(`${type}_ORDER`, { ...order, type: `${type}_ORDER`, timeInForce: tif, reason: "CLIENT_ORDER" });
    const record: FakeOrderRecord = {
      id: create.id as string,
      type,
      state: "PENDING",
      createTime: create.time as string,
      instrument,
      units: dec(unitsText),
      timeInForce: tif,
      onFill: {
        ...(order.takeProfitOnFill !== undefined && { takeProfit: order.takeProfitOnFill as Json }),
        ...(sl !== undefined && { stopLoss: sl }),
        ...(order.trailingStopLossOnFill !== undefined && { trailingStopLoss: order.trailingStopLossOnFill as Json }),
      },
      extra: { positionFill: order.positionFill ?? "DEFAULT", triggerCondition: "DEFAULT" },
    };
    if (typeof order.price === "string") record.price = dec(order.price);
    if (clientExtensions) record.clientExtensions = clientExtensions;
    this.book.orders.set(record.id, record);

    const reply: Json = { orderCreateTransaction: create };
    if (type === "MARKET") {
      const fillPrice = record.units!.gt(0) ? price!.plus(this.halfSpread) : price!.minus(this.halfSpread);
      const outcome = this.book.fill(record, record.units!, fillPrice, "MARKET_ORDER");
      if ("fill" in outcome) reply.orderFillTransaction = outcome.fill;
      else reply.orderCancelTransaction = outcome.cancel;
    } else if (this.book.trigger(record)) {
      const fill = record.fillingTransactionID ? this.book.transactions.get(record.fillingTransactionID) : undefined;
      if (fill) reply.orderFillTransaction = fill;
      if (record.cancellingTransactionID) reply.orderCancelTransaction = this.book.transactions.get(record.cancellingTransactionID);
    } else if (tif === "FOK" || tif === "IOC") {
      reply.orderCancelTransaction = this.book.cancel(record, "TIME_IN_FORCE_EXPIRED");
    }
    this.book.sweep();
    const related = [...this.book.transactions.keys()].filter((id) => Number(id) >= Number(create.id));
    return json(201, { ...reply, relatedTransactionIDs: related, lastTransactionID: this.book.lastTransactionID });
  }

  private orderJson(o: FakeOrderRecord): Json {
    const out: Json = { id: o.id, createTime: o.createTime, type: o.type, state: o.state };
    if (o.clientExtensions) out.clientExtensions = o.clientExtensions;
    if (o.tradeID) out.tradeID = o.tradeID;
    if (o.instrument) out.instrument = o.instrument;
    if (o.units) out.units = toDecimal(o.units);
    if (o.price) out.price = toDecimal(o.price);
    if (o.distance) out.distance = toDecimal(o.distance);
    if (o.trailingStopValue) out.trailingStopValue = toDecimal(o.trailingStopValue);
    out.timeInForce = o.timeInForce;
    Object.assign(out, o.extra);
    if (o.onFill.takeProfit) out.takeProfitOnFill = o.onFill.takeProfit;
    if (o.onFill.stopLoss) out.stopLossOnFill = o.onFill.stopLoss;
    if (o.onFill.trailingStopLoss) out.trailingStopLossOnFill = o.onFill.trailingStopLoss;
    for (const key of ["fillingTransactionID", "filledTime", "tradeOpenedID", "tradeReducedID", "tradeClosedIDs", "cancellingTransactionID", "cancelledTime"] as const) {
      if (o[key] !== undefined) out[key] = o[key];
    }
    return out;
  }

  private tradeJson(id: string): Json {
    const t = this.book.trades.get(id)!;
    const price = this.book.prices.get(t.instrument);
    const out: Json = {
      id: t.id,
      instrument: t.instrument,
      price: toDecimal(t.price),
      openTime: t.openTime,
      state: t.state,
      initialUnits: toDecimal(t.initialUnits),
      currentUnits: toDecimal(t.currentUnits),
      realizedPL: toDecimal(t.realizedPL),
      unrealizedPL: toDecimal(price && t.state === "OPEN" ? price.minus(t.price).times(t.currentUnits) : 0),
      marginUsed: toDecimal(t.currentUnits.abs().times(t.price).times(this.book.marginRate)),
      financing: "0",
    };
    for (const dependentId of t.dependents) {
      const d = this.book.orders.get(dependentId);
      if (d?.state !== "PENDING") continue;
      const key = d.type === "TAKE_PROFIT" ? "takeProfitOrder" : d.type === "STOP_LOSS" ? "stopLossOrder" : "trailingStopLossOrder";
      out[key] = this.orderJson(d);
    }
    return out;
  }

  private summary(): Json {
    const open = this.book.openTrades();
    const marginUsed = this.book.marginUsed();
    return {
      id: this.book.accountId,
      alias: "Primary",
      currency: "USD",
      balance: toDecimal(this.book.balance),
      NAV: toDecimal(this.book.nav()),
      unrealizedPL: toDecimal(this.book.unrealizedPL()),
      pl: "0",
      marginRate: toDecimal(this.book.marginRate),
      marginUsed: toDecimal(marginUsed),
      marginAvailable: toDecimal(this.book.nav().minus(marginUsed)),
      openTradeCount: open.length,
      openPositionCount: new Set(open.map((t) => t.instrument)).size,
      pendingOrderCount: [...this.book.orders.values()].filter((o) => o.state === "PENDING").length,
      hedgingEnabled: false,
      lastTransactionID: this.book.lastTransactionID,
    };
  }

  private positions(): Json[] {
    const byInstrument = new Map<string, { long: Big; longCost: Big; short: Big; shortCost: Big; longIds: string[]; shortIds: string[] }>();
    for (const t of this.book.openTrades()) {
      const p = byInstrument.get(t.instrument) ?? { long: new Big(0), longCost: new Big(0), short: new Big(0), shortCost: new Big(0), longIds: [], shortIds: [] };
      if (t.currentUnits.gt(0)) {
        p.long = p.long.plus(t.currentUnits);
        p.longCost = p.longCost.plus(t.currentUnits.times(t.price));
        p.longIds.push(t.id);
      } else {
        p.short = p.short.plus(t.currentUnits);
        p.shortCost = p.shortCost.plus(t.currentUnits.times(t.price));
        p.shortIds.push(t.id);
      }
      byInstrument.set(t.instrument, p);
    }
    const side = (units: Big, cost: Big, ids: string[]): Json =>
      units.eq(0)
        ? { units: "0", pl: "0", unrealizedPL: "0", resettablePL: "0", financing: "0" }
        : { units: toDecimal(units), averagePrice: toDecimal(cost.div(units)), tradeIDs: ids, pl: "0", unrealizedPL: "0", resettablePL: "0", financing: "0" };
    return [...byInstrument.entries()].map(([instrument, p]) => ({
      instrument,
      long: side(p.long, p.longCost, p.longIds),
      short: side(p.short, p.shortCost, p.shortIds),
      pl: "0",
      unrealizedPL: "0",
    }));
  }

  private pricing(instruments: string): Response {
    const prices = instruments
      .split(",")
      .filter(Boolean)
      .flatMap((instrument) => {
        const mid = this.book.prices.get(instrument);
        if (!mid) return [];
        const bid = toDecimal(mid.minus(this.halfSpread));
        const ask = toDecimal(mid.plus(this.halfSpread));
        return [
          {
            type: "PRICE",
            instrument,
            time: this.clock().toISOString(),
            status: "tradeable",
            tradeable: true,
            bids: [{ price: bid, liquidity: 10000000 }],
            asks: [{ price: ask, liquidity: 10000000 }],
            closeoutBid: bid,
            closeoutAsk: ask,
          },
        ];
      });
    if (prices.length === 0) return json(400, { errorMessage: `Invalid value specified for 'instruments': ${instruments}` });
    return json(200, { prices, time: this.clock().toISOString() });
  }
}
