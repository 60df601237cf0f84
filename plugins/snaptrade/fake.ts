/**
 * A fake SnapTrade, written from SnapTrade's API reference, with its own
 * signature check (the SDKs' algorithm: HMAC-SHA256 keyed by the URI-encoded
 * consumer key over the key-sorted JSON of content, path and query, base64)
 * and nothing imported from the plugin:
 *
 * - every request needs the partner's `clientId`, a `timestamp` and a valid
 *   `Signature`; user endpoints need a registered `userId` and its
 *   `userSecret`;
 * - `registerUser` (a user id once), `login` (the portal URL),
 *   authorizations (read, delete), accounts (filtered by the user),
 *   balances, positions, orders (list by state, details by id), `trade/place`
 *   and `orders/cancel` on the kit's ledger;
 * - errors are `{detail, status_code, code}` with SnapTrade's statuses.
 *
 * @module
 */
import { dec, hmacSha256, type Decimal } from "../sdk";
import { FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder, type LedgerOrderType } from "../testkit";

export const FAKE_SNAP_URL = "https://api.snaptrade.test/api/v1";
export const FAKE_SNAP_PARTNER = { clientId: "TRADELOOP-TEST", consumerKey: "fake consumer/key+0123456789" } as const;
export const FAKE_SNAP_USER = { userId: "tradeloop-kit-user", userSecret: "kit-user-secret-0f9e8d7c" } as const;
export const FAKE_SNAP_AUTHORIZATION = "9f1c2d3e-0000-4000-8000-00000000a001";
export const FAKE_SNAP_ACCOUNT = "4b6a1f70-0000-4000-8000-00000000c001";

interface Authorization {
  id: string;
  userId: string;
  type: "read" | "trade";
  disabled: boolean;
  created: string;
  brokerage: { name: string; slug: string; allowsTrading: boolean; allowsFractional: boolean };
  /** The one brokerage account behind it (default the seeded account). */
  accountId?: string;
}

/** The SDKs' `JSONstringifyOrder`: every key of every level in one sorted list, used as JSON.stringify's allow-list. */
function stringifySorted(obj: unknown): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  JSON.stringify(obj, (key: string, value: unknown) => {
    if (!seen.has(key)) {
      seen.add(key);
      keys.push(key);
    }
    return value;
  });
  keys.sort();
  return JSON.stringify(obj, keys);
}

const STATUS: Record<string, string> = { open: "ACCEPTED", pending: "PENDING", partially_filled: "PARTIAL", filled: "EXECUTED", cancelled: "CANCELED", rejected: "REJECTED", expired: "EXPIRED" };

export class SnapTradeFake implements FakeBroker {
  readonly baseUrl = FAKE_SNAP_URL;
  private ledger = new FakeLedger({ shorting: false, idPrefix: "snap-" });
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { detail: "Invalid userID or userSecret provided", status_code: 401, code: "1083" } } });
  private users = new Map<string, string>([[FAKE_SNAP_USER.userId, FAKE_SNAP_USER.userSecret]]);
  private authorizations = new Map<string, Authorization>();
  /** Portal sessions the login call opened: who, and where the browser goes back. */
  private readonly portalSessions = new Map<string, { userId: string; customRedirect: string | null }>();
  /** Each order's time in force as sent (`Day`, `GTC`, `FOK`, `IOC`). */
  private readonly tifs = new Map<string, string>();
  /** Every signed request the fake accepted, `METHOD /path` (tests read them). */
  readonly seen: string[] = [];

  constructor() {
    this.seed();
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  private seed(): void {
    this.authorizations.set(FAKE_SNAP_AUTHORIZATION, {
      id: FAKE_SNAP_AUTHORIZATION,
      userId: FAKE_SNAP_USER.userId,
      type: "trade",
      disabled: false,
      created: "2026-11-01T10:00:00.000Z",
      brokerage: { name: "Alpaca", slug: "ALPACA", allowsTrading: true, allowsFractional: true },
    });
  }

  reset(): void {
    this.ledger = new FakeLedger({ shorting: false, idPrefix: "snap-" });
    this.faults.reset();
    this.users = new Map([[FAKE_SNAP_USER.userId, FAKE_SNAP_USER.userSecret]]);
    this.authorizations.clear();
    this.tifs.clear();
    this.portalSessions.clear();
    this.seed();
    this.seen.length = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  orders() {
    return this.ledger.fakeOrders();
  }

  /** The regular session closes: working `Day` orders end (SnapTrade reports them EXPIRED). */
  endSession(): void {
    for (const o of this.ledger.open()) if ((this.tifs.get(o.id) ?? "Day") === "Day") this.ledger.expire(o.id);
  }

  /** A brokerage connection as the user made it in the portal (tests of narrowing and of the portal). */
  addAuthorization(a: Omit<Authorization, "userId" | "created"> & { userId?: string; created?: string }): void {
    this.authorizations.set(a.id, { userId: FAKE_SNAP_USER.userId, created: new Date().toISOString(), ...a });
  }

  /**
   * The user links a brokerage on the portal page `portalUrl` (the login
   * call's `redirectURI`): SnapTrade makes a new authorization with one
   * account and sends the browser to the partner's `customRedirect` with
   * `status=SUCCESS&connection_id=<authorization id>` added to its query.
   */
  linkInPortal(portalUrl: string, brokerage: Authorization["brokerage"] = { name: "Alpaca", slug: "ALPACA", allowsTrading: true, allowsFractional: true }): URL {
    const token = new URL(portalUrl).searchParams.get("token") ?? "";
    const session = this.portalSessions.get(token);
    if (!session || !session.customRedirect) throw new Error("the fake opened no portal session with a customRedirect for this URL");
    this.portalSessions.delete(token);
    const id = `auth-${crypto.randomUUID()}`;
    this.authorizations.set(id, { id, userId: session.userId, type: "trade", disabled: false, created: new Date().toISOString(), brokerage, accountId: `acct-${crypto.randomUUID()}` });
    const back = new URL(session.customRedirect);
    back.searchParams.set("status", "SUCCESS");
    back.searchParams.set("connection_id", id);
    return back;
  }

  /** The user's SnapTrade user ids the fake knows (registered ones included). */
  userIds(): string[] {
    return [...this.users.keys()];
  }

  authorizationIds(): string[] {
    return [...this.authorizations.keys()];
  }

  private error(status: number, detail: string, code?: string): Response {
    return replyToResponse({ status, body: { detail, status_code: status, ...(code && { code }) } });
  }

  private json(body: unknown, status = 200): Response {
    return replyToResponse({ status, body });
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const raw = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    let content: unknown = null;
    if (raw !== "") {
      try {
        content = JSON.parse(raw);
      } catch {
        return this.error(400, "Malformed JSON body");
      }
    }
    // Partner authentication: clientId, timestamp and the signature over exactly what was sent.
    if (url.searchParams.get("clientId") !== FAKE_SNAP_PARTNER.clientId) return this.error(401, "Invalid clientId provided", "1076");
    if (!/^\d+$/.test(url.searchParams.get("timestamp") ?? "")) return this.error(401, "Request timestamp is missing or invalid", "1076");
    const expected = await hmacSha256(encodeURI(FAKE_SNAP_PARTNER.consumerKey), stringifySorted({ content, path: url.pathname, query: url.search.replace(/^\?/, "") }), "base64");
    if (request.headers.get("Signature") !== expected) return this.error(401, "Unable to verify signature sent", "1076");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const body = (content ?? {}) as Record<string, unknown>;
    this.seen.push(`${request.method} ${path}`);

    if (request.method === "POST" && path === "/snapTrade/registerUser") {
      const userId = typeof body.userId === "string" ? body.userId : "";
      if (!userId) return this.error(400, "userId is required");
      if (this.users.has(userId)) return this.error(400, "User already exist", "1010");
      const secret = `secret-${crypto.randomUUID()}`;
      this.users.set(userId, secret);
      return this.json({ userId, userSecret: secret });
    }

    // Every other endpoint acts for a user.
    const userId = url.searchParams.get("userId") ?? "";
    if (!userId || this.users.get(userId) !== url.searchParams.get("userSecret")) return this.error(401, "Invalid userID or userSecret provided", "1083");

    if (request.method === "POST" && path === "/snapTrade/login") {
      const session = crypto.randomUUID();
      this.portalSessions.set(session, { userId, customRedirect: typeof body.customRedirect === "string" ? body.customRedirect : null });
      const redirect = typeof body.customRedirect === "string" ? `&customRedirect=${encodeURIComponent(body.customRedirect)}` : "";
      return this.json({ redirectURI: `https://app.snaptrade.test/snapTrade/redeemToken?token=${session}&clientId=${FAKE_SNAP_PARTNER.clientId}${redirect}`, sessionId: session });
    }
    if (request.method === "GET" && path === "/authorizations") {
      return this.json([...this.authorizations.values()].filter((a) => a.userId === userId).map((a) => this.authorizationJson(a)));
    }
    const authMatch = /^\/authorizations\/([^/]+)$/.exec(path);
    if (authMatch) {
      const a = this.authorizations.get(decodeURIComponent(authMatch[1]!));
      if (!a || a.userId !== userId) return this.error(404, "Connection not found");
      if (request.method === "GET") return this.json(this.authorizationJson(a));
      if (request.method === "DELETE") {
        this.authorizations.delete(a.id);
        return new Response(null, { status: 204 });
      }
    }
    if (request.method === "GET" && path === "/accounts") {
      return this.json(
        [...this.authorizations.values()]
          .filter((a) => a.userId === userId)
          .map((a) => ({ id: a.accountId ?? FAKE_SNAP_ACCOUNT, brokerage_authorization: a.id, name: "Individual", number: "PA0000001", institution_name: a.brokerage.name, balance: { total: { amount: Number(this.ledger.equity()), currency: "USD" } }, meta: {} })),
      );
    }
    if (request.method === "POST" && path === "/trade/place") return this.place(body, userId);

    const accountMatch = /^\/accounts\/([^/]+)(\/.*)$/.exec(path);
    if (accountMatch) {
      const accountId = decodeURIComponent(accountMatch[1]!);
      const authorization = [...this.authorizations.values()].find((a) => (a.accountId ?? FAKE_SNAP_ACCOUNT) === accountId);
      if (!authorization || authorization.userId !== userId) return this.error(404, "Account not found");
      const rest = accountMatch[2]!;
      if (request.method === "GET" && rest === "/balances") return this.json([{ currency: { id: "usd", code: "USD", name: "US Dollar" }, cash: Number(this.ledger.cash), buying_power: Number(this.ledger.cash) }]);
      if (request.method === "GET" && rest === "/positions") {
        return this.json(
          this.ledger.positionList().map((p) => ({
            symbol: { symbol: { id: `usym-${p.symbol}`, symbol: p.symbol, raw_symbol: p.symbol, description: p.symbol }, id: `usym-${p.symbol}` },
            units: Number(p.quantity),
            price: Number(this.ledger.prices.get(p.symbol) ?? p.avgPrice),
            average_purchase_price: Number(p.avgPrice),
            open_pnl: 0,
            fractional_units: null,
          })),
        );
      }
      if (request.method === "GET" && rest === "/orders") {
        const state = url.searchParams.get("state") ?? "all";
        const list = state === "open" ? this.ledger.open() : this.ledger.all();
        return this.json(list.map((o) => this.orderJson(o)));
      }
      if (request.method === "POST" && rest === "/orders/details") {
        const o = typeof body.brokerage_order_id === "string" ? this.ledger.get(body.brokerage_order_id) : undefined;
        return o ? this.json(this.orderJson(o)) : this.error(404, "Order not found");
      }
      if (request.method === "POST" && rest === "/orders/cancel") {
        const id = typeof body.brokerage_order_id === "string" ? body.brokerage_order_id : "";
        if (!this.ledger.get(id)) return this.error(400, "Unable to cancel open order. Order not found");
        try {
          return this.json(this.orderJson(this.ledger.cancel(id)));
        } catch {
          return this.error(400, "Unable to cancel open order. Order is already executed");
        }
      }
    }
    return this.error(404, "Not found");
  }

  private authorizationJson(a: Authorization) {
    return {
      id: a.id,
      created_date: a.created,
      name: `Connection-${a.brokerage.name}`,
      type: a.type,
      disabled: a.disabled,
      disabled_date: null,
      brokerage: { id: `brk-${a.brokerage.slug}`, slug: a.brokerage.slug, name: a.brokerage.name, display_name: a.brokerage.name, allows_trading: a.brokerage.allowsTrading, allows_fractional_units: a.brokerage.allowsFractional, maintenance_mode: false },
      meta: {},
    };
  }

  private orderJson(o: LedgerOrder) {
    const type = { market: "Market", limit: "Limit", stop: "Stop", stop_limit: "StopLimit" }[o.type];
    return {
      brokerage_order_id: o.id,
      status: STATUS[o.status],
      universal_symbol: { id: `usym-${o.symbol}`, symbol: o.symbol, raw_symbol: o.symbol, description: o.symbol },
      action: o.side === "buy" ? "BUY" : "SELL",
      total_quantity: o.quantity,
      open_quantity: dec(o.quantity).minus(o.filledQuantity).toFixed(),
      canceled_quantity: o.status === "cancelled" ? dec(o.quantity).minus(o.filledQuantity).toFixed() : "0",
      filled_quantity: o.filledQuantity,
      execution_price: o.avgFillPrice !== null ? Number(o.avgFillPrice) : null,
      limit_price: o.limitPrice !== null ? Number(o.limitPrice) : null,
      stop_price: o.stopPrice !== null ? Number(o.stopPrice) : null,
      order_type: type,
      time_in_force: this.tifs.get(o.id) ?? "Day",
      time_placed: o.createdAt,
      time_updated: o.updatedAt,
      time_executed: o.status === "filled" ? o.updatedAt : null,
      expiry_date: null,
    };
  }

  private place(body: Record<string, unknown>, userId: string): Response {
    const authorization = [...this.authorizations.values()].find((a) => (a.accountId ?? FAKE_SNAP_ACCOUNT) === body.account_id);
    if (!authorization || authorization.userId !== userId) return this.error(404, "Account not found");
    if (authorization.type !== "trade" || !authorization.brokerage.allowsTrading) return this.error(403, "User does not have permissions to place trades");
    const action = body.action;
    const orderType = body.order_type;
    const units = body.units;
    if (action !== "BUY" && action !== "SELL") return this.error(400, "action must be BUY or SELL");
    if (typeof body.symbol !== "string" || body.symbol === "") return this.error(400, "symbol is required");
    if (typeof units !== "number" || !(units > 0)) return this.error(400, "units must be a positive number");
    if (!["Day", "GTC", "FOK", "IOC"].includes(String(body.time_in_force))) return this.error(400, "Invalid time_in_force");
    const types: Readonly<Record<string, LedgerOrderType>> = { Market: "market", Limit: "limit", Stop: "stop", StopLimit: "stop_limit" };
    const type = types[String(orderType)];
    if (!type) return this.error(400, "Invalid order_type");
    if ((type === "limit" || type === "stop_limit") && typeof body.price !== "number") return this.error(400, "A limit order needs a price");
    if ((type === "stop" || type === "stop_limit") && typeof body.stop !== "number") return this.error(400, "A stop order needs a stop price");
    if (!Number.isInteger(units) && !authorization.brokerage.allowsFractional) return this.error(400, "Fractional shares are not supported by this brokerage");
    try {
      const booked = this.ledger.place({
        symbol: body.symbol,
        side: action === "BUY" ? "buy" : "sell",
        type,
        quantity: String(units),
        limitPrice: typeof body.price === "number" ? String(body.price) : null,
        stopPrice: typeof body.stop === "number" ? String(body.stop) : null,
        // FOK fills whole at once or is killed; IOC keeps what fills at once and cancels the rest.
        ...(body.time_in_force === "FOK" && { immediate: "fok" as const }),
        ...(body.time_in_force === "IOC" && { immediate: "ioc" as const }),
      });
      this.tifs.set(booked.id, String(body.time_in_force));
      return this.json(this.orderJson(booked));
    } catch (e) {
      if (e instanceof LedgerRejection && (e.code === "insufficient-funds" || e.code === "short-not-allowed")) return this.error(400, "Insufficient buying power to place this order");
      if (e instanceof LedgerRejection) return this.error(400, e.message);
      throw e;
    }
  }
}
