/**
 * A fake Tradovate: the access-token request (two sessions at most, the
 * oldest ended by a third; penalty tickets on demand), renewal with the
 * current token, OAuth's code exchange, and the REST entities orders are
 * made of (order, orderVersion, fill, position, contract, account), with
 * state (FakeLedger). Written from Tradovate's documentation, with its own
 * parsing; it imports nothing of the plugin.
 *
 * Logical errors answer HTTP 200 with `errorText` or `failureReason` +
 * `failureText`, as Tradovate does. Not modelled: see docs/brokers/tradovate.md.
 *
 * @module
 */
import { z } from "zod";
import { dec, type Decimal } from "../sdk";
import { FakeAuthorizationServer, FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder } from "../testkit";

export const FAKE_TRADOVATE_LOGIN = { name: "fakeTrader", password: "fake-password-0123456789", appId: "Tradeloop", appVersion: "1.0", cid: 4242, sec: "fake-sec-0123456789abcdef" } as const;
export const FAKE_TRADOVATE_ACCOUNT = { id: 700001, name: "DEMO700001" } as const;

const Login = z.object({
  name: z.string(),
  password: z.string(),
  appId: z.string(),
  appVersion: z.string(),
  cid: z.number(),
  sec: z.string(),
  deviceId: z.string().optional(),
  "p-ticket": z.string().optional(),
});
const Bracket = z.object({ action: z.enum(["Buy", "Sell"]), orderType: z.enum(["Limit", "Stop", "StopLimit", "Market"]), price: z.number().optional(), stopPrice: z.number().optional() });
const Order = z.object({
  accountSpec: z.string(),
  accountId: z.number(),
  clOrdId: z.string().max(64).optional(),
  action: z.enum(["Buy", "Sell"]),
  symbol: z.string(),
  orderQty: z.number().int().positive(),
  orderType: z.enum(["Market", "Limit", "Stop", "StopLimit"]),
  price: z.number().optional(),
  stopPrice: z.number().optional(),
  timeInForce: z.enum(["Day", "GTC", "GTD", "IOC", "FOK"]).optional(),
  isAutomated: z.boolean().optional(),
  bracket1: Bracket.optional(),
  bracket2: Bracket.optional(),
});

const ORD_STATUS: Record<string, string> = { open: "Working", pending: "PendingNew", partially_filled: "Working", filled: "Filled", cancelled: "Canceled", rejected: "Rejected", expired: "Expired" };

export class TradovateFake implements FakeBroker {
  private ledger = new FakeLedger({ idPrefix: "8" });
  readonly oauth = new FakeAuthorizationServer({ clientAuthentication: "client_secret_post", accessTokenTtlSeconds: 90 * 60, issueRefreshTokens: false, prefix: "tradovate" });
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: "Access is denied" } });
  private readonly contracts = new Map<string, number>();
  private readonly versions = new Map<string, { orderType: string; timeInForce: string; clOrdId: string | null }>();
  private penalty: { seconds: number; captcha: boolean; ticket: string } | null = null;
  private loginsRefused = false;
  /** Every access-token request that reached the fake (tests count sessions). */
  logins = 0;

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  authorize = (url: URL): Promise<URL> => this.oauth.authorize(url);
  expireAccessToken = (): void => this.oauth.expireAccessTokens();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  /** Sessions die and new logins are refused (the password was changed, the key revoked). */
  revokeGrant(): void {
    this.oauth.revokeAll();
    this.loginsRefused = true;
  }

  /** The next login is held with a penalty ticket (`p-time` seconds; `captcha`: a human is needed). */
  penalizeNextLogin(seconds: number, captcha = false): void {
    this.penalty = { seconds, captcha, ticket: `pt-${crypto.randomUUID()}` };
  }

  /** Live sessions (Tradovate allows two). */
  sessions(): number {
    return this.oauth.liveGrants();
  }

  reset(): void {
    this.ledger = new FakeLedger({ idPrefix: "8" });
    this.oauth.reset();
    this.faults.reset();
    this.contracts.clear();
    this.versions.clear();
    this.penalty = null;
    this.loginsRefused = false;
    this.logins = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  /** The trading day ended: working orders whose timeInForce is Day expire. */
  endSession(): void {
    for (const o of this.ledger.open()) if ((this.versions.get(o.id)?.timeInForce ?? "Day") === "Day") this.ledger.expire(o.id);
  }

  orders() {
    return this.ledger.fakeOrders();
  }

  private json(body: unknown, status = 200): Response {
    return replyToResponse({ status, body });
  }

  private contractId(name: string): number {
    let id = this.contracts.get(name);
    if (id === undefined) this.contracts.set(name, (id = 2_000_000 + this.contracts.size + 1));
    return id;
  }

  private contractName(id: number): string | undefined {
    return [...this.contracts.entries()].find(([, v]) => v === id)?.[0];
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/v1/, "");
    if (url.pathname === "/auth/oauthtoken") return this.oauth.token(request);
    if (path === "/auth/accesstokenrequest" && request.method === "POST") return this.login(request);
    if (path === "/auth/renewaccesstoken") {
      const renewed = this.oauth.renewWithAccessToken(request);
      return renewed ? this.json({ accessToken: renewed.accessToken, expirationTime: new Date(renewed.expiresAt).toISOString() }) : new Response("Access is denied", { status: 401 });
    }
    if (!this.oauth.validBearer(request)) return new Response("Access is denied", { status: 401 });
    const id = Number(url.searchParams.get("id") ?? url.searchParams.get("masterid"));
    switch (`${request.method} ${path}`) {
      case "GET /account/list":
        return this.json([{ id: FAKE_TRADOVATE_ACCOUNT.id, name: FAKE_TRADOVATE_ACCOUNT.name, userId: 1, accountType: "Customer", active: true }]);
      case "POST /cashBalance/getcashbalancesnapshot": {
        const body = (await request.json().catch(() => null)) as { accountId?: number } | null;
        if (body?.accountId !== FAKE_TRADOVATE_ACCOUNT.id) return this.json({ errorText: "Access is denied" });
        return this.json({ totalCashValue: Number(this.ledger.cash), netLiq: Number(this.ledger.equity()) });
      }
      case "GET /position/list":
        return this.json(
          this.ledger.positionList().map((p, i) => ({ id: i + 1, accountId: FAKE_TRADOVATE_ACCOUNT.id, contractId: this.contractId(p.symbol), netPos: Number(p.quantity), netPrice: Number(p.avgPrice) })),
        );
      case "GET /contract/item": {
        const name = this.contractName(id);
        return name ? this.json({ id, name }) : new Response(null, { status: 404 });
      }
      case "GET /order/list":
        return this.json(this.ledger.all().map((o) => this.wireOrder(o)));
      case "GET /order/item": {
        const o = this.ledger.get(String(id));
        return o ? this.json(this.wireOrder(o)) : new Response(null, { status: 404 });
      }
      case "GET /orderVersion/deps": {
        const o = this.ledger.get(String(id));
        const v = this.versions.get(String(id));
        // Bracket legs are created by the OSO when the entry fills: their version follows their own type.
        const type = o?.type === "limit" ? "Limit" : o?.type === "stop" ? "Stop" : o?.type === "stop_limit" ? "StopLimit" : "Market";
        return this.json(o ? [{ id: id * 10, orderId: id, orderQty: Number(o.quantity), orderType: v?.orderType ?? type, ...(o.limitPrice !== null && { price: Number(o.limitPrice) }), ...(o.stopPrice !== null && { stopPrice: Number(o.stopPrice) }), timeInForce: v?.timeInForce ?? "Day" }] : []);
      }
      case "GET /fill/deps": {
        const o = this.ledger.get(String(id));
        return this.json(o && dec(o.filledQuantity).gt(0) ? [{ id: id * 100, orderId: id, qty: Number(o.filledQuantity), price: Number(o.avgFillPrice) }] : []);
      }
      case "POST /order/placeorder":
      case "POST /order/placeOSO":
        return this.place(request, path === "/order/placeOSO");
      case "POST /order/cancelorder": {
        const body = (await request.json().catch(() => null)) as { orderId?: number } | null;
        try {
          this.ledger.cancel(String(body?.orderId));
          return this.json({ commandId: Date.now() });
        } catch (e) {
          if (e instanceof LedgerRejection && e.code === "order-not-found") return this.json({ failureReason: "UnknownReason", failureText: "Order not found" });
          return this.json({ failureReason: "TooLate", failureText: "Order is already filled or canceled" });
        }
      }
      default:
        return new Response(null, { status: 404 });
    }
  }

  private async login(request: Request): Promise<Response> {
    this.logins++;
    const parsed = Login.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json({ errorText: "Invalid request" });
    const l = parsed.data;
    if (this.penalty) {
      if (l["p-ticket"] !== this.penalty.ticket) return this.json({ "p-ticket": this.penalty.ticket, "p-time": this.penalty.seconds, ...(this.penalty.captcha && { "p-captcha": true }) });
      this.penalty = null;
    }
    const expected = FAKE_TRADOVATE_LOGIN;
    if (this.loginsRefused || l.name !== expected.name || l.password !== expected.password || l.appId !== expected.appId || l.cid !== expected.cid || l.sec !== expected.sec) {
      return this.json({ errorText: "Incorrect username or password. Please try again." });
    }
    const issued = this.oauth.issueForLogin();
    // Two sessions at most: a third request ends the oldest.
    this.oauth.limitGrants(2);
    return this.json({ accessToken: issued.accessToken, mdAccessToken: `md-${issued.accessToken}`, expirationTime: new Date(issued.expiresAt).toISOString(), userStatus: "Active", userId: 1, name: expected.name, hasLive: false });
  }

  private wireOrder(o: LedgerOrder) {
    return {
      id: Number(o.id),
      accountId: FAKE_TRADOVATE_ACCOUNT.id,
      contractId: this.contractId(o.symbol),
      timestamp: o.createdAt,
      action: o.side === "buy" ? "Buy" : "Sell",
      ordStatus: ORD_STATUS[o.status] ?? "Working",
      ...(o.parentId !== null && { parentId: Number(o.parentId) }),
      admin: false,
    };
  }

  private async place(request: Request, oso: boolean): Promise<Response> {
    const parsed = Order.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json({ failureReason: "UnknownReason", failureText: `Invalid order: ${parsed.error.issues[0]?.path.join(".")}` });
    const o = parsed.data;
    if (o.isAutomated !== true) return this.json({ failureReason: "UnknownReason", failureText: "isAutomated must be true for orders not placed by a human" });
    if (o.accountId !== FAKE_TRADOVATE_ACCOUNT.id || o.accountSpec !== FAKE_TRADOVATE_ACCOUNT.name) return this.json({ failureReason: "AccountClosed", failureText: "Access is denied" });
    if (!oso && (o.bracket1 || o.bracket2)) return this.json({ failureReason: "UnknownReason", failureText: "Brackets need placeOSO" });
    const take = [o.bracket1, o.bracket2].find((b) => b?.orderType === "Limit");
    const stop = [o.bracket1, o.bracket2].find((b) => b?.orderType === "Stop" || b?.orderType === "StopLimit");
    this.contractId(o.symbol);
    try {
      const booked = this.ledger.place({
        clientOrderId: o.clOrdId ?? null,
        symbol: o.symbol,
        side: o.action === "Buy" ? "buy" : "sell",
        type: o.orderType === "Limit" ? "limit" : o.orderType === "Stop" ? "stop" : o.orderType === "StopLimit" ? "stop_limit" : "market",
        quantity: String(o.orderQty),
        limitPrice: o.price !== undefined ? String(o.price) : null,
        stopPrice: o.stopPrice !== undefined ? String(o.stopPrice) : null,
        ...(o.timeInForce === "IOC" && { immediate: "ioc" as const }),
        ...(o.timeInForce === "FOK" && { immediate: "fok" as const }),
        ...(take?.price !== undefined && { takeProfit: { limitPrice: String(take.price) } }),
        ...(stop?.stopPrice !== undefined && { stopLoss: { stopPrice: String(stop.stopPrice), ...(stop.price !== undefined && { limitPrice: String(stop.price) }) } }),
      });
      this.versions.set(booked.id, { orderType: o.orderType, timeInForce: o.timeInForce ?? "Day", clOrdId: o.clOrdId ?? null });
      return this.json({ orderId: Number(booked.id) });
    } catch (e) {
      if (e instanceof LedgerRejection && e.code === "insufficient-funds") return this.json({ failureReason: "RiskCheck", failureText: "Insufficient margin for the order" });
      if (e instanceof LedgerRejection) return this.json({ failureReason: "UnknownReason", failureText: e.message });
      throw e;
    }
  }
}
