/**
 * A fake TradeStation: the Auth0 sign-in (authorize, token, revoke) and the
 * v3 brokerage and order-execution endpoints, in process, with state
 * (FakeLedger). Written from TradeStation's documentation, with its own
 * parsing: it imports nothing of the plugin.
 *
 * What it models: 20-minute access tokens and non-expiring refresh tokens
 * (`client_secret_post`, PKCE accepted); the bearer check on every API call;
 * `SELL` that may not exceed a long position and `SELLSHORT` that may not
 * open while long; brackets as an OSO group of type BRK whose two exits
 * cancel each other; order refusals inside HTTP 200 (`Error: "FAILED"`).
 * What it does not model: see docs/brokers/tradestation.md.
 *
 * @module
 */
import { z } from "zod";
import { dec, toDecimal, type Decimal } from "../sdk";
import { FakeAuthorizationServer, FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder } from "../testkit";

export const FAKE_TS_ACCOUNT = "11111111";
const API_PREFIX = "/v3";
const SIGNIN_HOST = "signin.tradestation.com";

const Amount = z.union([z.string(), z.number()]).transform(String).refine((v) => /^\d+(\.\d+)?$/.test(v), "a positive decimal");
const ChildBody = z.object({
  AccountID: z.string(),
  Symbol: z.string().min(1),
  Quantity: Amount,
  OrderType: z.enum(["Market", "Limit", "StopMarket", "StopLimit"]),
  TradeAction: z.enum(["BUY", "SELL", "SELLSHORT", "BUYTOCOVER"]),
  TimeInForce: z.object({ Duration: z.enum(["DAY", "DYP", "GTC", "GCP", "GTD", "GDP", "OPG", "CLO", "IOC", "FOK"]) }),
  LimitPrice: Amount.optional(),
  StopPrice: Amount.optional(),
  Route: z.string().optional(),
});
const OrderBody = ChildBody.extend({
  OSOs: z.array(z.object({ Type: z.enum(["NORMAL", "BRK"]), Orders: z.array(ChildBody).min(1).max(2) })).optional(),
});

const STATUS_CODE: Record<string, string> = { open: "OPN", pending: "ACK", partially_filled: "FLP", filled: "FLL", cancelled: "CAN", rejected: "REJ", expired: "EXP" };

/** The fake TradeStation. */
export class TradestationFake implements FakeBroker {
  private ledger = new FakeLedger({ idPrefix: "9" });
  readonly oauth: FakeAuthorizationServer;

  /** `accessTokenTtlSeconds`: TradeStation's 20 minutes unless a test wants a token already due for renewal. */
  constructor(options: { accessTokenTtlSeconds?: number } = {}) {
    this.oauth = new FakeAuthorizationServer({
    clientAuthentication: "client_secret_post",
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1200,
    prefix: "ts",
    requiredScopes: ["offline_access", "Trade"],
    requiredParams: { audience: "https://api.tradestation.com" },
    });
  }

  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { Error: "Unauthorized", Message: "Access token is invalid or has expired." } } });
  private readonly durations = new Map<string, string>();

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  authorize = (url: URL): Promise<URL> => this.oauth.authorize(url);
  expireAccessToken = (): void => this.oauth.expireAccessTokens();
  revokeGrant = (): void => this.oauth.revokeAll();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  reset(): void {
    this.ledger = new FakeLedger({ idPrefix: "9" });
    this.oauth.reset();
    this.faults.reset();
    this.durations.clear();
  }

  /** The position the fake holds in a symbol (tests check that a disconnect leaves it alone). */
  positionOf(symbol: string): Decimal {
    return this.ledger.positions.get(symbol)?.quantity ?? "0";
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  /** The regular session closed: working orders whose Duration is DAY (or DYP, day plus extended hours) expire. */
  endSession(): void {
    for (const o of this.ledger.open()) if (["DAY", "DYP"].includes(this.durations.get(o.id) ?? "")) this.ledger.expire(o.id);
  }

  orders() {
    return this.ledger.fakeOrders();
  }

  private json(status: number, body: unknown): Response {
    return replyToResponse({ status, body });
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.hostname === SIGNIN_HOST) {
      if (url.pathname === "/oauth/token") return this.oauth.token(request);
      if (url.pathname === "/oauth/revoke") return this.oauth.revoke(request);
      return this.json(404, { error: "not_found" });
    }
    if (!this.oauth.validBearer(request)) return this.json(401, { Error: "Unauthorized", Message: "Access token is invalid or has expired." });
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const m = (re: RegExp) => re.exec(path);
    let match: RegExpExecArray | null;
    if (request.method === "GET" && path === "/brokerage/accounts") {
      return this.json(200, { Accounts: [{ AccountID: FAKE_TS_ACCOUNT, AccountType: "Margin", Currency: "USD", Status: "Active", Alias: "" }] });
    }
    if ((match = m(/^\/brokerage\/accounts\/([^/]+)\/(balances|positions|orders)(?:\/([^/]+))?$/)) && request.method === "GET") {
      const [, accounts, what, ids] = match;
      if (decodeURIComponent(accounts!) !== FAKE_TS_ACCOUNT) return this.json(404, { Error: "NotFound", Message: "Account not found." });
      if (what === "balances") return this.json(200, { Balances: [this.balance()], Errors: [] });
      if (what === "positions") return this.json(200, { Positions: this.positions(), Errors: [] });
      const wanted = ids ? new Set(decodeURIComponent(ids).split(",")) : null;
      const list = this.ledger.all().filter((o) => !wanted || wanted.has(o.id));
      const missing = wanted ? [...wanted].filter((id) => !list.some((o) => o.id === id)) : [];
      return this.json(200, { Orders: list.map((o) => this.wireOrder(o)), Errors: missing.map((id) => ({ AccountID: FAKE_TS_ACCOUNT, OrderID: id, Error: "NotFound", Message: "Order not found." })) });
    }
    if (request.method === "POST" && path === "/orderexecution/orders") return this.place(request);
    if ((match = m(/^\/orderexecution\/orders\/([^/]+)$/)) && request.method === "DELETE") {
      const id = decodeURIComponent(match[1]!);
      try {
        this.ledger.cancel(id);
        return this.json(200, { OrderID: id, Message: "Cancel Request sent" });
      } catch (e) {
        if (e instanceof LedgerRejection && e.code === "order-not-found") return this.json(404, { Error: "NotFound", Message: "Order not found." });
        return this.json(400, { Error: "BadRequest", Message: "Order cannot be canceled: it is already filled or canceled." });
      }
    }
    return this.json(404, { Error: "NotFound", Message: `No route for ${request.method} ${path}.` });
  }

  private balance() {
    const equity = this.ledger.equity();
    return { AccountID: FAKE_TS_ACCOUNT, AccountType: "Margin", Currency: "USD", CashBalance: toDecimal(this.ledger.cash), Equity: toDecimal(equity), BuyingPower: toDecimal(equity), MarketValue: toDecimal(dec(equity).minus(this.ledger.cash)) };
  }

  private positions() {
    return this.ledger.positionList().map((p) => ({
      AccountID: FAKE_TS_ACCOUNT,
      Symbol: p.symbol,
      Quantity: toDecimal(dec(p.quantity).abs()),
      LongShort: dec(p.quantity).lt(0) ? "Short" : "Long",
      AveragePrice: toDecimal(p.avgPrice),
      AssetType: "STOCK",
    }));
  }

  private wireOrder(o: LedgerOrder) {
    return {
      AccountID: FAKE_TS_ACCOUNT,
      OrderID: o.id,
      Status: STATUS_CODE[o.status] ?? "OPN",
      StatusDescription: o.status,
      OrderType: o.type === "limit" ? "Limit" : o.type === "stop" ? "StopMarket" : o.type === "stop_limit" ? "StopLimit" : "Market",
      ...(o.limitPrice !== null && { LimitPrice: o.limitPrice }),
      ...(o.stopPrice !== null && { StopPrice: o.stopPrice }),
      Duration: this.durations.get(o.id) ?? "GTC",
      FilledPrice: o.avgFillPrice ?? "0",
      OpenedDateTime: o.createdAt,
      Legs: [{ BuyOrSell: o.side === "buy" ? "Buy" : "Sell", Symbol: o.symbol, QuantityOrdered: o.quantity, ExecQuantity: o.filledQuantity, ...(o.avgFillPrice !== null && { ExecutionPrice: o.avgFillPrice }), AssetType: "STOCK" }],
      ...(o.parentId !== null && { ParentOrderID: o.parentId }),
    };
  }

  private failed(message: string): Response {
    return this.json(200, { Orders: [{ Error: "FAILED", Message: `Order failed. Reason: ${message}` }] });
  }

  private async place(request: Request): Promise<Response> {
    const parsed = OrderBody.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json(400, { Error: "BadRequest", Message: `Invalid order: ${parsed.error.issues[0]?.message ?? "malformed"}.` });
    const o = parsed.data;
    if (o.AccountID !== FAKE_TS_ACCOUNT) return this.json(400, { Error: "BadRequest", Message: "Invalid AccountID." });
    const held = dec(this.ledger.positions.get(o.Symbol)?.quantity ?? "0");
    // The trade action must say what the order does to the position.
    if (o.TradeAction === "SELL" && held.lt(o.Quantity)) return this.failed("You cannot sell more than you hold; use SELLSHORT to open a short position.");
    if (o.TradeAction === "SELLSHORT" && held.gt(0)) return this.failed("Cannot sell short while holding a long position.");
    if (o.TradeAction === "BUYTOCOVER" && held.gte(0)) return this.failed("There is no short position to cover.");
    const side = o.TradeAction === "BUY" || o.TradeAction === "BUYTOCOVER" ? "buy" : "sell";
    const type = o.OrderType === "Limit" ? "limit" : o.OrderType === "StopMarket" ? "stop" : o.OrderType === "StopLimit" ? "stop_limit" : "market";
    const group = o.OSOs?.[0];
    const take = group?.Orders.find((c) => c.OrderType === "Limit");
    const stop = group?.Orders.find((c) => c.OrderType === "StopMarket" || c.OrderType === "StopLimit");
    try {
      const booked = this.ledger.place({
        symbol: o.Symbol,
        side,
        type,
        quantity: o.Quantity,
        limitPrice: o.LimitPrice ?? null,
        stopPrice: o.StopPrice ?? null,
        ...(o.TimeInForce.Duration === "IOC" && { immediate: "ioc" as const }),
        ...(o.TimeInForce.Duration === "FOK" && { immediate: "fok" as const }),
        ...(take?.LimitPrice && { takeProfit: { limitPrice: take.LimitPrice } }),
        ...(stop?.StopPrice && { stopLoss: { stopPrice: stop.StopPrice, ...(stop.LimitPrice && { limitPrice: stop.LimitPrice }) } }),
      });
      this.durations.set(booked.id, o.TimeInForce.Duration);
      return this.json(200, { Orders: [{ Message: `Sent order: ${o.TradeAction} ${o.Quantity} ${o.Symbol} @ ${o.OrderType}`, OrderID: booked.id }] });
    } catch (e) {
      if (e instanceof LedgerRejection && e.code === "insufficient-funds") return this.failed("Insufficient buying power.");
      if (e instanceof LedgerRejection) return this.failed(e.message);
      throw e;
    }
  }
}
