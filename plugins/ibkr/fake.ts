/**
 * A fake Client Portal gateway behind Cloudflare Access, written from IBKR's
 * Web API documentation with its own parsing (it imports nothing of the
 * plugin):
 *
 * - Access: a request without the expected `CF-Access-Client-Id` /
 *   `CF-Access-Client-Secret` is answered 403 by "Access", before the gateway.
 * - Sessions: the gateway's login (only a human can redo it) and the
 *   brokerage session on top; `/tickle` reports `iserver.authStatus`;
 *   `/iserver/*` answers 401 while the brokerage session is down;
 *   `/iserver/auth/ssodh/init` reopens it while the login holds.
 * - Orders: `POST /iserver/account/{acct}/orders` with `cOID`, bracket
 *   children with `parentId`; market orders are first answered with a
 *   question (o354, no market data) that must be confirmed at
 *   `/iserver/reply/{id}`; a repeated `cOID` is refused.
 * - The live orders list is empty with `snapshot: false` on the first call of
 *   a brokerage session (the documented priming quirk).
 *
 * @module
 */
import { z } from "zod";
import { dec, type Decimal } from "../sdk";
import { FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder } from "../testkit";

export const FAKE_IBKR_GATEWAY = "https://ibkr-gateway.example.test/v1/api";
export const FAKE_IBKR_ACCESS = { accessClientId: "0123456789abcdef0123456789abcdef.access", accessClientSecret: "fake-access-secret-0123456789abcdef0123456789" } as const;
export const FAKE_IBKR_ACCOUNT = "DU1234567";

/** Contracts the fake knows: conid, how IBKR lists it, and the book's symbol for it. */
const STOCKS: Record<string, { conid: number; name: string }> = {
  AAPL: { conid: 265598, name: "APPLE INC" },
  SPY: { conid: 756733, name: "SPDR S&P 500 ETF TRUST" },
  "BRK B": { conid: 72063691, name: "BERKSHIRE HATHAWAY INC-CL B" },
};
const FUTURES: Record<string, { conid: number; expirationDate: number }[]> = {
  MES: [
    { conid: 711280067, expirationDate: 20261218 },
    { conid: 711280073, expirationDate: 20270319 },
  ],
};
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

const OrderSchema = z.object({
  acctId: z.string(),
  conid: z.number().int(),
  cOID: z.string().max(64).optional(),
  parentId: z.string().optional(),
  orderType: z.enum(["MKT", "LMT", "STP", "STOP_LIMIT"]),
  side: z.enum(["BUY", "SELL"]),
  quantity: z.number().positive(),
  tif: z.enum(["DAY", "GTC", "IOC", "OPG"]),
  price: z.number().positive().optional(),
  auxPrice: z.number().positive().optional(),
  outsideRTH: z.boolean().optional(),
});
type WireOrder = z.infer<typeof OrderSchema>;

const STATUS: Record<string, string> = { pending: "PendingSubmit", open: "Submitted", partially_filled: "Submitted", filled: "Filled", cancelled: "Cancelled", rejected: "Inactive", expired: "Cancelled" };

interface Meta {
  conid: number;
  cOID: string | null;
  orderType: WireOrder["orderType"];
  tif: string;
  /** The numeric order id of the parent, on bracket children. */
  parentId: string | null;
}

export class IbkrGatewayFake implements FakeBroker {
  readonly baseUrl = FAKE_IBKR_GATEWAY;
  private ledger = new FakeLedger({ idPrefix: "19" });
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { error: "not authenticated" } } });
  private loggedIn = true;
  private brokerage = true;
  private competing = false;
  private primed = false;
  private readonly meta = new Map<string, Meta>();
  private readonly questions = new Map<string, { orders: WireOrder[] }>();
  private sessionSeq = 0;
  /** Whether the account has market data; without it IBKR questions every market order (o354). */
  marketData = true;
  /** Every keepalive the gateway saw (tests count them). */
  tickles = 0;

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  /** The brokerage session lapses (idle, daily reset); the gateway's login holds, so it can be reopened. */
  expireAccessToken(): void {
    this.brokerage = false;
    this.primed = false;
  }

  /** The gateway is logged out: only a human logging in again helps. */
  revokeGrant(): void {
    this.loggedIn = false;
    this.brokerage = false;
  }

  /** The user logs the gateway in again in a browser. */
  logIn(): void {
    this.loggedIn = true;
    this.brokerage = true;
    this.competing = false;
  }

  /** Another platform (TWS, the mobile app) takes the brokerage session and keeps it. */
  competeFromElsewhere(): void {
    this.brokerage = false;
    this.competing = true;
  }

  reset(): void {
    this.ledger = new FakeLedger({ idPrefix: "19" });
    this.faults.reset();
    this.loggedIn = true;
    this.brokerage = true;
    this.competing = false;
    this.primed = false;
    this.meta.clear();
    this.questions.clear();
    this.tickles = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  /**
   * The regular session closes: working DAY (and OPG) orders end. IBKR shows
   * such an order as Cancelled (its order statuses have no Expired).
   */
  endSession(): void {
    this.describeNewLegs();
    for (const o of this.ledger.open()) {
      const tif = this.meta.get(o.id)?.tif ?? "DAY";
      if (tif === "DAY" || tif === "OPG") this.ledger.expire(o.id);
    }
  }

  orders() {
    return this.ledger.fakeOrders();
  }

  private json(body: unknown, status = 200): Response {
    return replyToResponse({ status, body });
  }

  /** The book's symbol of a conid (`AAPL`, `MES 202612`): how the kit names the instrument. */
  private symbolOf(conid: number): string | null {
    for (const [symbol, s] of Object.entries(STOCKS)) if (s.conid === conid) return symbol;
    for (const [root, list] of Object.entries(FUTURES)) {
      const c = list.find((f) => f.conid === conid);
      if (c) return `${root} ${String(c.expirationDate).slice(0, 6)}`;
    }
    return null;
  }

  private description(conid: number): { ticker: string; desc: string; secType: "STK" | "FUT" } {
    for (const [symbol, s] of Object.entries(STOCKS)) if (s.conid === conid) return { ticker: symbol, desc: symbol, secType: "STK" };
    for (const [root, list] of Object.entries(FUTURES)) {
      const c = list.find((f) => f.conid === conid);
      if (c) {
        const d = String(c.expirationDate);
        return { ticker: root, desc: `${root} ${MONTHS[Number(d.slice(4, 6)) - 1]}${d.slice(0, 4)}`, secType: "FUT" };
      }
    }
    return { ticker: String(conid), desc: String(conid), secType: "STK" };
  }

  private authStatus() {
    return { authenticated: this.brokerage, competing: this.competing, connected: this.loggedIn, message: "", MAC: "12:34:56:78:9A:BC", serverInfo: { serverName: "JifN19053", serverVersion: "Build 10.25.0p" } };
  }

  private async route(request: Request): Promise<Response> {
    // Cloudflare Access in front of the tunnel: the service token or nothing.
    if (request.headers.get("cf-access-client-id") !== FAKE_IBKR_ACCESS.accessClientId || request.headers.get("cf-access-client-secret") !== FAKE_IBKR_ACCESS.accessClientSecret) {
      return new Response("<html>Forbidden</html>", { status: 403, headers: { "content-type": "text/html" } });
    }
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/v1/api/")) return this.json({ error: "Not Found" }, 404);
    const path = url.pathname.slice("/v1/api".length);
    const key = `${request.method} ${path}`;
    this.describeNewLegs();
    if (!this.loggedIn) return this.json({ error: "not authenticated" }, 401);

    if (key === "POST /tickle") {
      this.tickles++;
      return this.json({ session: `session-${this.sessionSeq}`, ssoExpires: 600000, collission: false, userId: 987654, iserver: { authStatus: this.authStatus() } });
    }
    if (key === "POST /iserver/auth/status") return this.json(this.authStatus());
    if (key === "POST /iserver/auth/ssodh/init") {
      if (!this.competing) {
        this.brokerage = true;
        this.sessionSeq++;
      }
      return this.json({ passed: true, authenticated: this.brokerage, connected: true, competing: this.competing });
    }
    if (path.startsWith("/iserver/") && !this.brokerage) return this.json({ error: "not authenticated" }, 401);

    if (key === "GET /iserver/accounts") return this.json({ accounts: [FAKE_IBKR_ACCOUNT], selectedAccount: FAKE_IBKR_ACCOUNT, aliases: { [FAKE_IBKR_ACCOUNT]: FAKE_IBKR_ACCOUNT } });
    if (key === "GET /portfolio/accounts") return this.json([{ id: FAKE_IBKR_ACCOUNT, accountId: FAKE_IBKR_ACCOUNT, currency: "USD", type: "INDIVIDUAL", desc: FAKE_IBKR_ACCOUNT }]);
    if (key === "GET /trsrv/stocks") {
      const out: Record<string, unknown> = {};
      for (const symbol of (url.searchParams.get("symbols") ?? "").split(",")) {
        const s = STOCKS[symbol];
        if (s) out[symbol] = [{ name: s.name, chineseName: null, assetClass: "STK", contracts: [{ conid: s.conid, exchange: "NASDAQ", isUS: true }] }];
      }
      return this.json(out);
    }
    if (key === "GET /trsrv/futures") {
      const out: Record<string, unknown> = {};
      for (const symbol of (url.searchParams.get("symbols") ?? "").split(",")) {
        const list = FUTURES[symbol];
        if (list) out[symbol] = list.map((c) => ({ symbol, conid: c.conid, underlyingConid: 11004968, expirationDate: c.expirationDate, ltd: c.expirationDate }));
      }
      return this.json(out);
    }
    const account = /^\/portfolio\/([^/]+)\/(summary|positions\/(\d+))$/.exec(path);
    if (request.method === "GET" && account) {
      if (account[1] !== FAKE_IBKR_ACCOUNT) return this.json({ error: "Account not found" }, 400);
      if (account[2] === "summary") {
        const money = (amount: Decimal) => ({ amount: Number(amount), currency: "USD", isNull: false, timestamp: Date.now(), value: null, severity: 0 });
        return this.json({ netliquidation: money(this.ledger.equity()), totalcashvalue: money(this.ledger.cash), buyingpower: money(this.ledger.cash), availablefunds: money(this.ledger.cash) });
      }
      const page = Number(account[3]);
      const rows = this.ledger.positionList().map((p) => {
        const conid = this.conidOf(p.symbol);
        const d = this.description(conid);
        return { acctId: FAKE_IBKR_ACCOUNT, conid, contractDesc: d.desc, position: Number(p.quantity), mktPrice: Number(this.ledger.prices.get(p.symbol) ?? p.avgPrice), avgCost: Number(p.avgPrice), avgPrice: Number(p.avgPrice), currency: "USD", assetClass: d.secType, ticker: d.ticker };
      });
      return this.json(rows.slice(page * 100, page * 100 + 100));
    }
    if (key === "GET /iserver/account/orders") {
      // The first read of a brokerage session only starts the gateway's order feed.
      if (!this.primed) {
        this.primed = true;
        return this.json({ orders: [], snapshot: false });
      }
      return this.json({ orders: this.ledger.all().map((o) => this.liveOrder(o)), snapshot: true });
    }
    const status = /^\/iserver\/account\/order\/status\/(\d+)$/.exec(path);
    if (request.method === "GET" && status) {
      const o = this.ledger.get(status[1]!);
      // Documented oddity: an unknown order id is a 503.
      if (!o) return this.json({ error: "Order not found" }, 503);
      const m = this.meta.get(o.id);
      return this.json({ order_id: Number(o.id), conid: m?.conid, side: o.side === "buy" ? "B" : "S", total_size: o.quantity, cum_fill: o.filledQuantity, average_price: o.avgFillPrice ?? undefined, order_status: STATUS[o.status], order_type: m?.orderType === "LMT" ? "LIMIT" : m?.orderType === "STP" ? "STOP" : m?.orderType === "STOP_LIMIT" ? "STOP_LIMIT" : "MARKET", tif: m?.tif, limit_price: o.limitPrice ?? undefined, stop_price: o.stopPrice ?? undefined });
    }
    const place = /^\/iserver\/account\/([^/]+)\/orders$/.exec(path);
    if (request.method === "POST" && place) return this.place(place[1]!, request);
    const reply = /^\/iserver\/reply\/([^/]+)$/.exec(path);
    if (request.method === "POST" && reply) return this.reply(reply[1]!, request);
    const cancel = /^\/iserver\/account\/([^/]+)\/order\/(\d+)$/.exec(path);
    if (request.method === "POST" && cancel) return this.modify(cancel[1]!, cancel[2]!, request);
    if (request.method === "DELETE" && cancel) {
      const o = this.ledger.get(cancel[2]!);
      if (!o || cancel[1] !== FAKE_IBKR_ACCOUNT) return this.json({ error: `OrderID ${cancel[2]} doesn't exist` });
      try {
        this.ledger.cancel(o.id);
        return this.json({ msg: "Request was submitted", order_id: Number(o.id), conid: this.meta.get(o.id)?.conid, account: FAKE_IBKR_ACCOUNT });
      } catch {
        return this.json({ error: `OrderID ${o.id} is not active and cannot be cancelled` });
      }
    }
    return this.json({ error: "Not Found" }, 404);
  }

  private conidOf(symbol: string): number {
    const stock = STOCKS[symbol];
    if (stock) return stock.conid;
    const [root, month] = symbol.split(" ");
    return FUTURES[root ?? ""]?.find((c) => String(c.expirationDate).startsWith(month ?? "-"))?.conid ?? 0;
  }

  private liveOrder(o: LedgerOrder) {
    const m = this.meta.get(o.id);
    const conid = m?.conid ?? this.conidOf(o.symbol);
    const d = this.description(conid);
    const type = m?.orderType ?? (o.type === "limit" ? "LMT" : o.type === "stop" ? "STP" : o.type === "stop_limit" ? "STOP_LIMIT" : "MKT");
    const parent = m?.parentId ?? (o.parentId !== null ? o.parentId : null);
    return {
      acct: FAKE_IBKR_ACCOUNT,
      account: FAKE_IBKR_ACCOUNT,
      conid,
      conidex: String(conid),
      orderId: Number(o.id),
      ...(m?.cOID && { order_ref: m.cOID }),
      cashCcy: "USD",
      ticker: d.ticker,
      description1: d.desc,
      secType: d.secType,
      listingExchange: "NASDAQ.NMS",
      totalSize: Number(o.quantity),
      filledQuantity: Number(o.filledQuantity),
      remainingQuantity: Number(dec(o.quantity).minus(o.filledQuantity)),
      ...(o.avgFillPrice !== null && { avgPrice: o.avgFillPrice }),
      ...(o.limitPrice !== null && (type === "LMT" || type === "STOP_LIMIT") && { price: o.limitPrice }),
      ...(o.stopPrice !== null && type === "STP" && { price: o.stopPrice, auxPrice: o.stopPrice }),
      ...(o.stopPrice !== null && type === "STOP_LIMIT" && { auxPrice: o.stopPrice }),
      status: STATUS[o.status],
      orderType: type === "LMT" ? "Limit" : type === "STP" ? "Stop" : type === "STOP_LIMIT" ? "Stop Limit" : "Market",
      timeInForce: m?.tif ?? "DAY",
      side: o.side === "buy" ? "BUY" : "SELL",
      ...(parent !== null && { parentId: Number(parent) }),
      lastExecutionTime_r: Date.parse(o.updatedAt),
    };
  }

  private async place(acct: string, request: Request): Promise<Response> {
    const parsed = z.object({ orders: z.array(OrderSchema).min(1) }).safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json({ error: `Bad Request: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}` }, 400);
    const orders = parsed.data.orders;
    if (acct !== FAKE_IBKR_ACCOUNT || orders.some((o) => o.acctId !== acct)) return this.json({ error: "Account not found" }, 400);
    // Market orders without a market data subscription are questioned first (o354), large ones for their size (o383).
    if (!this.marketData && orders.some((o) => o.orderType === "MKT")) {
      return this.ask(orders, "o354", "You are submitting an order without market data. We strongly recommend against this as it may result in erroneous and unexpected trades.\nAre you sure you want to submit this order?");
    }
    if (orders.some((o) => o.quantity > 1000)) {
      return this.ask(orders, "o383", "The following order \"BUY 1,500 AAPL NASDAQ.NMS\" size exceeds the Size Limit of 1000.\nAre you sure you want to submit this order?");
    }
    return this.book(orders);
  }

  private ask(orders: WireOrder[], messageId: string, message: string): Response {
    const id = crypto.randomUUID();
    this.questions.set(id, { orders });
    return this.json([{ id, message: [message], isSuppressed: false, messageIds: [messageId] }]);
  }

  private async reply(id: string, request: Request): Promise<Response> {
    const body = z.object({ confirmed: z.boolean() }).safeParse(await request.json().catch(() => null));
    const pending = this.questions.get(id);
    if (!pending) return this.json({ error: "Reply ID not found" }, 400);
    this.questions.delete(id);
    if (!body.success || !body.data.confirmed) return this.json({ error: "The order was not confirmed and was not submitted." });
    return this.book(pending.orders);
  }

  private book(orders: WireOrder[]): Response {
    const [entry, ...children] = orders;
    if (!entry || entry.parentId !== undefined) return this.json({ error: "The first order must be the parent" }, 400);
    if (entry.cOID && [...this.meta.values()].some((m) => m.cOID === entry.cOID)) return this.json({ error: `Local order ID=${entry.cOID} is already registered.` });
    if (children.some((c) => c.parentId !== entry.cOID || c.conid !== entry.conid)) return this.json({ error: "parentId must name the parent's cOID" }, 400);
    const symbol = this.symbolOf(entry.conid);
    if (!symbol) return this.json({ error: `Invalid contract id ${entry.conid}` });
    const price = (o: WireOrder, field: "price" | "auxPrice") => (o[field] !== undefined ? String(o[field]) : null);
    const take = children.find((c) => c.orderType === "LMT");
    const stop = children.find((c) => c.orderType === "STP" || c.orderType === "STOP_LIMIT");
    try {
      const booked = this.ledger.place({
        clientOrderId: entry.cOID ?? null,
        symbol,
        side: entry.side === "BUY" ? "buy" : "sell",
        type: entry.orderType === "LMT" ? "limit" : entry.orderType === "STP" ? "stop" : entry.orderType === "STOP_LIMIT" ? "stop_limit" : "market",
        quantity: String(entry.quantity),
        limitPrice: entry.orderType === "LMT" || entry.orderType === "STOP_LIMIT" ? price(entry, "price") : null,
        stopPrice: entry.orderType === "STP" ? price(entry, "price") : entry.orderType === "STOP_LIMIT" ? price(entry, "auxPrice") : null,
        ...(take?.price !== undefined && { takeProfit: { limitPrice: String(take.price) } }),
        ...(stop && { stopLoss: stop.orderType === "STP" ? { stopPrice: String(stop.price) } : { stopPrice: String(stop.auxPrice), limitPrice: String(stop.price) } }),
        // IOC: what fills at once fills, the rest is cancelled (IBKR has no FOK in this API).
        ...(entry.tif === "IOC" && { immediate: "ioc" as const }),
      });
      this.meta.set(booked.id, { conid: entry.conid, cOID: entry.cOID ?? null, orderType: entry.orderType, tif: entry.tif, parentId: null });
      // Bracket children appear once the entry fills; give them the children's own wire types.
      for (const leg of this.ledger.all().filter((o) => o.parentId === booked.id)) {
        const wire = leg.role === "take_profit" ? take : stop;
        this.meta.set(leg.id, { conid: entry.conid, cOID: null, orderType: wire?.orderType ?? "LMT", tif: wire?.tif ?? entry.tif, parentId: booked.id });
      }
      return this.json([{ order_id: booked.id, order_status: STATUS[booked.status], local_order_id: entry.cOID ?? null }]);
    } catch (e) {
      if (e instanceof LedgerRejection && e.code === "insufficient-funds") return this.json({ error: "Order rejected - reason: Your account has insufficient funds (equity with loan value) to complete this order." });
      if (e instanceof LedgerRejection) return this.json({ error: `Order rejected - reason: ${e.message}` });
      throw e;
    }
  }

  /**
   * `POST /iserver/account/{accountId}/order/{orderId}`: the whole order
   * ticket again with the changed fields; the order keeps its id.
   */
  private async modify(acct: string, orderId: string, request: Request): Promise<Response> {
    const parsed = OrderSchema.omit({ cOID: true, parentId: true }).safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json({ error: `Bad Request: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}` }, 400);
    const o = this.ledger.get(orderId);
    const m = this.meta.get(orderId);
    if (!o || !m || acct !== FAKE_IBKR_ACCOUNT || parsed.data.acctId !== acct) return this.json({ error: `OrderID ${orderId} doesn't exist` });
    const w = parsed.data;
    // The ticket must describe the same order: contract, side and type do not change.
    if (w.conid !== m.conid || w.orderType !== m.orderType || (w.side === "BUY" ? "buy" : "sell") !== o.side) return this.json({ error: "Order ticket does not match the order being modified" }, 400);
    try {
      const limit = w.orderType === "LMT" || w.orderType === "STOP_LIMIT" ? w.price : undefined;
      const stop = w.orderType === "STP" ? w.price : w.orderType === "STOP_LIMIT" ? w.auxPrice : undefined;
      const changed = this.ledger.modify(orderId, {
        quantity: String(w.quantity),
        ...(limit !== undefined && { limitPrice: String(limit) }),
        ...(stop !== undefined && { stopPrice: String(stop) }),
      });
      m.tif = w.tif;
      return this.json([{ order_id: changed.id, order_status: STATUS[changed.status], local_order_id: m.cOID }]);
    } catch (e) {
      if (e instanceof LedgerRejection) return this.json({ error: `OrderID ${orderId} is not active and cannot be modified` });
      throw e;
    }
  }

  /** Legs created after placement (the entry filled later) get their wire metadata on first sight. */
  private describeNewLegs(): void {
    for (const o of this.ledger.all()) {
      if (o.parentId !== null && !this.meta.has(o.id)) {
        const parent = this.meta.get(o.parentId);
        this.meta.set(o.id, { conid: parent?.conid ?? 0, cOID: null, orderType: o.role === "take_profit" ? "LMT" : "STP", tif: parent?.tif ?? "DAY", parentId: o.parentId });
      }
    }
  }
}
