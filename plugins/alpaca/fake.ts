/**
 * A stateful fake of Alpaca's Trading API v2 (and the latest-quotes part of
 * Market Data), written from Alpaca's documentation: the documented paths,
 * the `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY` headers, the entities' JSON
 * field for field, and the documented error statuses and bodies.
 *
 * It is a pure `(Request) => Promise<Response>` handler built on standard
 * web APIs only (Request, Response, URL, Headers, Intl, setTimeout), so it
 * runs in workerd tests in-process AND under Node behind `node:http` on
 * loopback (see docs/brokers/alpaca.md for the ten-line wrapper):
 *
 * ```ts
 * const fake = new AlpacaFake({ defaultPrice: "100" });
 * const client = alpacaPlugin.connect({ ..., fetch: fake.fetch, baseUrl: "http://127.0.0.1:9999" });
 * ```
 *
 * It implements the conformance kit's `FakeBroker` interface.
 *
 * @module
 */
import { Big, dec, toDecimal, type OrderStatus } from "../sdk";
import { FakeAuthorizationServer, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { FakeAccount, FakeEngine, IdSource, type EngineOrder } from "./fake-engine";
import { fakeFaultOf, FaultPlan, lostReplyError, resetError, sleep, unlessAborted, type FaultAction, type FaultMatch, type FaultProfile } from "./fake-faults";
import { accountJson, calendarJson, clockJson, listOrders, orderJson, positionJson, positionsJson, quoteJson, type ListQuery } from "./fake-json";
import { FakeApiError, invalid, notFound } from "./fake-validate";
import type { AlpacaAccountJson, AlpacaOrderJson, AlpacaOrderStatus, AlpacaPositionJson } from "./fake-entities";

/**
 * The fake's statuses in the kit's terms (the fake's own reading of Alpaca's
 * "Order Lifecycle"; the plugin keeps its own table): `held` bracket legs and
 * orders not yet routed count as pending, a replaced order is over.
 */
const KIT_STATUS: Readonly<Record<AlpacaOrderStatus, OrderStatus>> = {
  new: "open",
  partially_filled: "partially_filled",
  filled: "filled",
  done_for_day: "open",
  canceled: "cancelled",
  expired: "expired",
  replaced: "cancelled",
  pending_cancel: "open",
  pending_replace: "open",
  pending_review: "pending",
  accepted: "pending",
  pending_new: "pending",
  accepted_for_bidding: "pending",
  stopped: "open",
  rejected: "rejected",
  suspended: "open",
  calculated: "open",
  held: "pending",
};

/** Obviously fake credentials the fake accepts by default (not Alpaca's format on purpose). */
export const ALPACA_FAKE_CREDENTIALS = { keyId: "PKFAKE0TEST0KEY0ID00", secretKey: "fake-secret-for-tests-only-0000000000000" } as const;

/** One order as it reached the broker, for latency measurements. */
export interface OrderArrival {
  /** `clock()` when the request reached the broker (before any simulated delay). */
  receivedAt: number;
  keyId: string;
  clientOrderId: string | null;
  symbol: string | null;
  /** The broker booked it (false: refused with an error status). */
  accepted: boolean;
  status: number;
}

/** How a fake Alpaca is set up: accounts, market, fills, faults, clocks. */
export interface AlpacaFakeOptions {
  /** Key pairs with their own account each. Default: {@link ALPACA_FAKE_CREDENTIALS}. */
  keys?: readonly { keyId: string; secretKey: string; cash?: string }[];
  /** Any non-empty key pair gets (and keeps) its own fresh account: handy for benchmarks with many connections. */
  acceptAnyKey?: boolean;
  /** `paper` account numbers start with PA. Default `paper`. */
  environment?: "paper" | "live";
  /** Starting cash per account. Default "100000" (Alpaca's paper default). */
  startingCash?: string;
  /** 1 = cash account (no shorting), 2 = Reg T margin. Default 2. */
  multiplier?: 1 | 2;
  shortingEnabled?: boolean;
  /** Equity and option orders work only while the market is open. Default true. */
  marketOpen?: boolean;
  /** `immediate` (default): market orders fill while being placed; `next-request`: on the broker's next request. */
  marketFill?: "immediate" | "next-request";
  /** Price for symbols never priced with setPrice; absent = such symbols are refused as unknown assets. */
  defaultPrice?: string;
  /** Half-spread around traded prices. Default "0". */
  spread?: string;
  /** Enforce Alpaca's per-key rate limit (documented: 200 per minute). Headers are always sent. */
  rateLimit?: { requests: number; perMs: number };
  /** Random faults (bench and fault runs). */
  faults?: FaultProfile;
  /** Wall clock for timestamps. */
  now?: () => Date;
  /** Monotonic milliseconds for arrival times (e.g. `performance.now`). Default Date.now. */
  clock?: () => number;
  /** Seeds ids and faults, for reproducible runs. */
  seed?: number;
  /** Called for every order request that reached the broker. */
  onOrder?: (arrival: OrderArrival) => void;
  /** Base URL the kit should point the client at (the fake answers on any host). */
  baseUrl?: string;
}

const DEFAULT_RATE = { requests: 200, perMs: 60_000 };
const UNAUTHORIZED = { code: 40110000, message: "request is not authorized" };

interface Ctx {
  method: string;
  url: URL;
  path: string;
  body: unknown;
  account: FakeAccount;
}

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  const h = new Headers(headers);
  if (body === undefined) return new Response(null, { status, headers: h });
  h.set("content-type", "application/json; charset=UTF-8");
  return new Response(JSON.stringify(body), { status, headers: h });
}

function replyToResponse(reply: FaultReply | FakeReply): Response {
  if (typeof reply.body === "string") return new Response(reply.body, { status: reply.status, headers: reply.headers });
  return json(reply.status, reply.body, reply.headers);
}
type FaultReply = { status: number; body?: unknown; headers?: Record<string, string> };

/** The fake Alpaca. `fetch` is the handler; the other members are test controls. */
export class AlpacaFake implements FakeBroker {
  readonly baseUrl: string | undefined;
  /** Every order request that reached the broker, oldest first. */
  readonly arrivals: OrderArrival[] = [];
  private engine!: FakeEngine;
  private readonly faults = new FaultPlan();
  private readonly rate = new Map<string, { windowStart: number; count: number }>();
  private readonly now: () => Date;
  private readonly clock: () => number;
  private accountSeq = 0;

  constructor(private readonly options: AlpacaFakeOptions = {}) {
    this.baseUrl = options.baseUrl;
    this.now = options.now ?? (() => new Date());
    this.clock = options.clock ?? (() => Date.now());
    this.reset();
  }

  // ------------------------------------------------------------------ FakeBroker

  /** The broker's HTTP API: a pure handler over standard Request/Response. */
  readonly fetch = (request: Request): Promise<Response> => this.handle(request);

  /** Fresh funded accounts, no orders, no positions, no pending faults, valid auth. Prices are kept. */
  reset(): void {
    const previous = this.engine?.instruments;
    this.engine = new FakeEngine({
      now: this.now,
      ids: new IdSource(this.options.seed ?? 0x7a1e),
      spread: dec(this.options.spread ?? "0"),
      defaultPrice: this.options.defaultPrice === undefined ? null : dec(this.options.defaultPrice),
      marketOpen: this.options.marketOpen ?? true,
      deferMarketFills: this.options.marketFill === "next-request",
    });
    if (previous) for (const [s, inst] of previous) this.engine.instruments.set(s, inst);
    this.accountSeq = 0;
    const keys: readonly { keyId: string; secretKey: string; cash?: string }[] = this.options.keys ?? [ALPACA_FAKE_CREDENTIALS];
    for (const k of keys) this.addAccount(k.keyId, k.secretKey, k.cash);
    this.faults.reset();
    if (this.options.faults) this.faults.setProfile(this.options.faults);
    this.rate.clear();
    this.arrivals.length = 0;
    this.oauth?.reset();
  }

  /** The market traded at `price` (Alpaca symbol, e.g. `AAPL`, `BTC/USD`). Resting orders it crosses fill. */
  setPrice(symbol: string, price: string): void {
    this.engine.setPrice(symbol, dec(price));
  }

  failNext(reply: FakeReply): void {
    this.faults.push({ kind: "reply", reply });
  }

  loseNextReply(): void {
    this.faults.push({ kind: "lose-reply" });
  }

  /** From now on every request gets Alpaca's 401 for a revoked key, until reset(). */
  expireAuth(): void {
    this.faults.authExpired = true;
  }

  /**
   * Alpaca Connect's authorization server: tokens without expiry and without
   * refresh tokens (documented: valid until the user revokes the app).
   */
  readonly oauth = new FakeAuthorizationServer({ clientAuthentication: "client_secret_post", accessTokenTtlSeconds: null, issueRefreshTokens: false, prefix: "alpaca" });

  /** The consent page: the user approved Tradeloop. */
  authorize(url: URL): Promise<URL> {
    return this.oauth.authorize(url);
  }

  /** Every OAuth access token stops working (the user revoked the app at Alpaca). */
  expireAccessToken(): void {
    this.oauth.expireAccessTokens();
  }

  /** The user revoked Tradeloop at Alpaca: the grant is gone. */
  revokeGrant(): void {
    this.oauth.revokeAll();
  }

  partialFillNext(quantity: string): void {
    this.engine.partialFillNext(dec(quantity));
  }

  /** The regular session closed: working `day` orders expire. */
  endSession(): void {
    this.engine.endSession();
  }

  /** Every order of every account, oldest first, bracket legs included. */
  orders(): FakeOrder[] {
    const all: EngineOrder[] = [];
    for (const a of this.engine.accounts.values()) all.push(...a.orders.values());
    all.sort((x, y) => x.seq - y.seq);
    return all.map((o) => {
      const qty = o.qty === null ? null : toDecimal(o.qty);
      return {
        id: o.id,
        clientOrderId: o.clientOrderId,
        symbol: o.symbol,
        side: o.side,
        quantity: qty ?? "0",
        filledQuantity: toDecimal(o.filledQty),
        status: KIT_STATUS[o.status],
      };
    });
  }

  // ------------------------------------------------------------------ more controls

  /** Sets bid, ask and last separately. */
  setQuote(symbol: string, quote: { bid: string; ask: string; last?: string }): void {
    const bid = dec(quote.bid);
    const ask = dec(quote.ask);
    this.engine.setQuote(symbol, { bid, ask, last: quote.last === undefined ? bid.plus(ask).div(2) : dec(quote.last) });
  }

  /** Queues a fault for the next request matching `match` (any request when omitted). */
  inject(action: FaultAction, match?: FaultMatch): void {
    this.faults.push(action, match);
  }

  /** Replaces the random fault profile (null = none). */
  setFaultProfile(profile: FaultProfile | null): void {
    this.faults.setProfile(profile);
  }

  /** How many faults of each kind fired since the last reset. */
  get faultsFired(): Readonly<Record<FaultAction["kind"], number>> {
    return this.faults.fired;
  }

  /** Opens or closes the (equity and option) market; opening releases `accepted` orders. */
  setMarketOpen(open: boolean): void {
    this.engine.setMarketOpen(open);
  }

  /** Adds a key pair with its own account. */
  addAccount(keyId: string, secretKey: string, cash?: string): void {
    this.accountSeq += 1;
    const n = this.accountSeq;
    const live = this.options.environment === "live";
    const account = new FakeAccount(this.engine.options.ids.next(), `${live ? "" : "PA"}${String(90000000 + n).padStart(10, "0")}`, this.now(), {
      keyId,
      secretKey,
      cash: dec(cash ?? this.options.startingCash ?? "100000"),
      multiplier: this.options.multiplier ?? 2,
      shortingEnabled: this.options.shortingEnabled ?? true,
    });
    this.engine.accounts.set(keyId, account);
  }

  /** Account flags a broker can set: blocked trading, a blocked account, trading suspended by the user. */
  setAccountFlags(flags: { tradingBlocked?: boolean; accountBlocked?: boolean; tradeSuspendedByUser?: boolean; status?: string }, keyId?: string): void {
    const a = this.accountFor(keyId);
    if (flags.tradingBlocked !== undefined) a.tradingBlocked = flags.tradingBlocked;
    if (flags.accountBlocked !== undefined) a.accountBlocked = flags.accountBlocked;
    if (flags.tradeSuspendedByUser !== undefined) a.tradeSuspendedByUser = flags.tradeSuspendedByUser;
    if (flags.status !== undefined) a.status = flags.status;
  }

  /** Fills `qty` (default: all that is left) of an open order at `price` (default: the current far side). */
  fillOrder(orderId: string, qty?: string, price?: string): void {
    for (const a of this.engine.accounts.values()) {
      const o = a.orders.get(orderId);
      if (!o) continue;
      const inst = this.engine.instruments.get(o.symbol)!;
      const left = o.qty === null ? dec(0) : o.qty.minus(o.filledQty);
      this.engine.fill(a, o, qty === undefined ? left : dec(qty), price === undefined ? (o.side === "buy" ? inst.ask : inst.bid) : dec(price));
      return;
    }
    throw new Error(`fake broker: no order ${orderId}`);
  }

  /** The Account entity as `GET /v2/account` shows it. */
  account(keyId?: string): AlpacaAccountJson {
    return accountJson(this.engine, this.accountFor(keyId));
  }

  /** The positions as `GET /v2/positions` shows them. */
  positions(keyId?: string): AlpacaPositionJson[] {
    return positionsJson(this.engine, this.accountFor(keyId));
  }

  /** Orders as Alpaca shows them (`status=all`, oldest first, not nested). */
  alpacaOrders(keyId?: string): AlpacaOrderJson[] {
    return listOrders(this.accountFor(keyId), {
      status: "all",
      limit: Number.MAX_SAFE_INTEGER,
      after: null,
      until: null,
      direction: "asc",
      nested: false,
      side: null,
      symbols: null,
    });
  }

  private accountFor(keyId?: string): FakeAccount {
    const a = keyId === undefined ? this.engine.accounts.values().next().value : this.engine.accounts.get(keyId);
    if (!a) throw new Error(`fake broker: no account for key ${keyId ?? "(default)"}`);
    return a;
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(request: Request): Promise<Response> {
    const receivedAt = this.clock();
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname.replace(/\/+$/, "") || "/";
    // Read the body before any simulated delay: the broker received it, whatever happens next.
    const text = method === "GET" || method === "HEAD" ? "" : await request.text();

    if (this.faults.authExpired) return json(401, UNAUTHORIZED);
    const fault = this.faults.take(method, path);
    if (fault?.kind === "reply") return replyToResponse(fault.reply);
    if (fault?.kind === "reset") throw resetError();

    const work = async (): Promise<Response> => {
      if (fault?.kind === "delay") await sleep(fault.ms);
      return this.process(method, url, path, text, request.headers, receivedAt);
    };
    if (fault?.kind === "delay") return unlessAborted(work(), request.signal);
    const response = await work();
    if (fault?.kind === "lose-reply") {
      // The broker did the work; only the answer is lost on the way back.
      await response.body?.cancel();
      throw lostReplyError();
    }
    return response;
  }

  private async process(method: string, url: URL, path: string, text: string, headers: Headers, receivedAt: number): Promise<Response> {
    // Alpaca Connect: the token endpoint, and bearer tokens that reach the (first) account of the user who approved.
    if (method === "POST" && path === "/oauth/token") {
      return this.oauth.token(new Request(url, { method, headers, body: text }));
    }
    const bearer = (headers.get("authorization") ?? "").startsWith("Bearer ");
    if (bearer && !this.oauth.validBearer(new Request(url, { headers }))) return json(401, UNAUTHORIZED);
    const keyId = bearer ? ALPACA_FAKE_CREDENTIALS.keyId : (headers.get("apca-api-key-id") ?? "");
    const secret = bearer ? ALPACA_FAKE_CREDENTIALS.secretKey : (headers.get("apca-api-secret-key") ?? "");
    let account = this.engine.accounts.get(keyId);
    if (!account && this.options.acceptAnyKey && keyId !== "" && secret !== "") {
      this.addAccount(keyId, secret);
      account = this.engine.accounts.get(keyId);
    }
    if (!account || account.config.secretKey !== secret) return json(401, UNAUTHORIZED);

    const rateHeaders = this.rateLimit(keyId);
    if (rateHeaders === null) {
      const limit = this.options.rateLimit ?? DEFAULT_RATE;
      const w = this.rate.get(keyId)!;
      return json(429, { code: 42910000, message: "rate limit exceeded" }, this.rateHeaderValues(limit, w, 0));
    }

    this.engine.flushDeferred();
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { code: 40010000, message: "request body format is invalid" }, rateHeaders);
      }
    }
    const isOrderPost = method === "POST" && path === "/v2/orders";
    try {
      const [status, out] = this.route({ method, url, path, body, account });
      if (isOrderPost) this.arrived(receivedAt, keyId, body, true, status);
      return json(status, out, rateHeaders);
    } catch (e) {
      if (!(e instanceof FakeApiError)) throw e;
      if (isOrderPost) this.arrived(receivedAt, keyId, body, false, e.status);
      return json(e.status, e.body, rateHeaders);
    }
  }

  private arrived(receivedAt: number, keyId: string, body: unknown, accepted: boolean, status: number): void {
    const b = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const arrival: OrderArrival = {
      receivedAt,
      keyId,
      clientOrderId: typeof b.client_order_id === "string" ? b.client_order_id : null,
      symbol: typeof b.symbol === "string" ? b.symbol : null,
      accepted,
      status,
    };
    this.arrivals.push(arrival);
    this.options.onOrder?.(arrival);
  }

  /** Counts the request in the key's window; null when over the enforced limit. Returns the X-Ratelimit headers. */
  private rateLimit(keyId: string): Record<string, string> | null {
    const limit = this.options.rateLimit ?? DEFAULT_RATE;
    const nowMs = this.now().getTime();
    const windowStart = Math.floor(nowMs / limit.perMs) * limit.perMs;
    let w = this.rate.get(keyId);
    if (!w || w.windowStart !== windowStart) {
      w = { windowStart, count: 0 };
      this.rate.set(keyId, w);
    }
    w.count += 1;
    if (this.options.rateLimit && w.count > limit.requests) return null;
    return this.rateHeaderValues(limit, w, Math.max(0, limit.requests - w.count));
  }

  private rateHeaderValues(limit: { requests: number; perMs: number }, w: { windowStart: number }, left: number): Record<string, string> {
    return {
      "x-ratelimit-limit": String(limit.requests),
      "x-ratelimit-remaining": String(left),
      // UNIX seconds when the window refills.
      "x-ratelimit-reset": String(Math.ceil((w.windowStart + limit.perMs) / 1000)),
    };
  }

  /** Dispatches one authenticated request. Returns [status, body]; throws FakeApiError for Alpaca errors. */
  private route(c: Ctx): [number, unknown] {
    const { method, path, account } = c;
    const e = this.engine;
    const q = c.url.searchParams;
    const nested = q.get("nested") === "true";

    if (path === "/v2/account" && method === "GET") return [200, accountJson(e, account)];
    if (path === "/v2/clock" && method === "GET") return [200, clockJson(this.now(), e.options.marketOpen)];
    if (path === "/v2/calendar" && method === "GET") {
      const today = this.now().toISOString().slice(0, 10);
      return [200, calendarJson(q.get("start") ?? today, q.get("end") ?? today)];
    }

    if (path === "/v2/orders") {
      if (method === "GET") return [200, listOrders(account, parseListQuery(q))];
      if (method === "POST") return [200, orderJson(account, e.placeOrder(account, c.body), true)];
      if (method === "DELETE") {
        const open = [...account.orders.values()].filter((o) => o.parentId === null && !isFinalStatus(o));
        for (const o of open) e.cancel(account, o, false);
        return [207, open.map((o) => ({ id: o.id, status: 200 }))];
      }
    }
    if (path === "/v2/orders:by_client_order_id" && method === "GET") {
      const cid = q.get("client_order_id");
      if (!cid) throw invalid("client_order_id is required");
      return [200, orderJson(account, e.findByClientId(account, cid), nested)];
    }
    const orderMatch = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (orderMatch) {
      const id = decodeURIComponent(orderMatch[1]!);
      if (method === "GET") return [200, orderJson(account, e.findOrder(account, id), nested)];
      if (method === "DELETE") {
        e.cancel(account, e.findOrder(account, id));
        return [204, undefined];
      }
      if (method === "PATCH") return [200, orderJson(account, e.replace(account, id, c.body), false)];
    }

    if (path === "/v2/positions") {
      if (method === "GET") return [200, positionsJson(e, account)];
      if (method === "DELETE") {
        if (q.get("cancel_orders") === "true") for (const o of account.orders.values()) if (o.parentId === null) e.cancel(account, o, false);
        const out = [...account.holdings.keys()].map((symbol) => {
          try {
            return { symbol: symbol.replace("/", ""), status: 200, body: orderJson(account, e.closePosition(account, symbol, null, null), false) };
          } catch (err) {
            if (err instanceof FakeApiError) return { symbol, status: err.status, body: err.body };
            throw err;
          }
        });
        return [207, out];
      }
    }
    const positionMatch = /^\/v2\/positions\/([^/]+)$/.exec(path);
    if (positionMatch) {
      const inst = e.instrument(decodeURIComponent(positionMatch[1]!));
      if (!inst || !account.holdings.has(inst.symbol)) throw notFound("position does not exist");
      if (method === "GET") return [200, positionJson(e, account, inst.symbol)];
      if (method === "DELETE") {
        const qty = q.get("qty");
        const pct = q.get("percentage");
        return [200, orderJson(account, e.closePosition(account, inst.symbol, qty ? safeDec(qty, "qty") : null, pct ? safeDec(pct, "percentage") : null), false)];
      }
    }

    // Market Data: latest quotes (stocks v2, crypto v1beta3, options v1beta1).
    if (method === "GET" && (path === "/v2/stocks/quotes/latest" || path === "/v1beta3/crypto/us/latest/quotes" || path === "/v1beta1/options/quotes/latest")) {
      const symbols = (q.get("symbols") ?? "").split(",").filter((s) => s !== "");
      if (symbols.length === 0) throw invalid("symbols is required");
      const quotes: Record<string, unknown> = {};
      for (const s of symbols) {
        const inst = e.instrument(s);
        if (inst && !inst.last.eq(0)) quotes[s] = quoteJson(inst, this.now());
      }
      return [200, { quotes }];
    }

    throw new FakeApiError(404, { code: 40410000, message: "endpoint not found" });
  }
}

function isFinalStatus(o: EngineOrder): boolean {
  return ["filled", "canceled", "expired", "replaced", "rejected"].includes(o.status);
}

function safeDec(v: string, name: string): Big {
  try {
    return dec(v);
  } catch {
    throw invalid(`invalid ${name}`);
  }
}

function parseListQuery(q: URLSearchParams): ListQuery {
  const status = q.get("status") ?? "open";
  if (status !== "open" && status !== "closed" && status !== "all") throw invalid("invalid status");
  const limitText = q.get("limit");
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw invalid("invalid limit");
  const direction = q.get("direction") ?? "desc";
  if (direction !== "asc" && direction !== "desc") throw invalid("invalid direction");
  const side = q.get("side");
  if (side !== null && side !== "buy" && side !== "sell") throw invalid("invalid side");
  const date = (name: string): Date | null => {
    const v = q.get(name);
    if (v === null) return null;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw invalid(`invalid ${name}`);
    return d;
  };
  const symbols = q.get("symbols");
  return {
    status,
    limit: Math.min(limit, 500),
    after: date("after"),
    until: date("until"),
    direction,
    nested: q.get("nested") === "true",
    side,
    symbols: symbols === null ? null : new Set(symbols.split(",").map((s) => s.trim().toUpperCase())),
  };
}

export { fakeFaultOf, type FaultAction, type FaultMatch, type FaultProfile };
