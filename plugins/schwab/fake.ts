/**
 * A fake Schwab: the OAuth endpoints (Basic client authentication, 30-minute
 * access tokens, refresh tokens ending 7 days after sign-in) and the Trader
 * API's accounts and orders, with state (FakeLedger). Written from Schwab's
 * documentation with its own parsing; it imports nothing of the plugin.
 *
 * Modelled: account hashes in every path (the plain number is refused); 201
 * with an empty body and the id in `Location`; SELL that may not exceed the
 * long position, SELL_SHORT that may not open while long; TRIGGER orders
 * whose OCO child is held (AWAITING_PARENT_ORDER) until the entry fills.
 * Not modelled: see docs/brokers/schwab.md.
 *
 * @module
 */
import { z } from "zod";
import { dec, toDecimal, type Decimal } from "../sdk";
import { FakeAuthorizationServer, FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder } from "../testkit";

export const FAKE_SCHWAB_ACCOUNT = "12345678";
export const FAKE_SCHWAB_HASH = "E5B5A2B7C1D9F00A1B2C3D4E5F60718293A4B5C6D7E8F9011223344556677889";
const PREFIX = "/trader/v1";

const Qty = z.union([z.number(), z.string()]).transform(String).refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0, "positive");
const Price = z.union([z.number(), z.string()]).transform(String);
const Leg = z.object({
  instruction: z.enum(["BUY", "SELL", "SELL_SHORT", "BUY_TO_COVER"]),
  quantity: Qty,
  instrument: z.object({ symbol: z.string().min(1), assetType: z.literal("EQUITY") }),
});
const Single = z.object({
  session: z.enum(["NORMAL", "AM", "PM", "SEAMLESS"]),
  duration: z.enum(["DAY", "GOOD_TILL_CANCEL", "FILL_OR_KILL"]),
  orderType: z.enum(["MARKET", "LIMIT", "STOP", "STOP_LIMIT"]),
  orderStrategyType: z.literal("SINGLE"),
  price: Price.optional(),
  stopPrice: Price.optional(),
  orderLegCollection: z.array(Leg).length(1),
});
const Oco = z.object({ orderStrategyType: z.literal("OCO"), childOrderStrategies: z.array(Single).length(2) });
const Entry = Single.extend({
  orderStrategyType: z.enum(["SINGLE", "TRIGGER"]),
  childOrderStrategies: z.array(z.union([Oco, Single])).max(1).optional(),
});

const STATUS: Record<string, string> = { open: "WORKING", pending: "QUEUED", partially_filled: "WORKING", filled: "FILLED", cancelled: "CANCELED", rejected: "REJECTED", expired: "EXPIRED" };

export class SchwabFake implements FakeBroker {
  private ledger = new FakeLedger({ idPrefix: "100" });
  readonly oauth: FakeAuthorizationServer;

  /** `refreshTokenTtlSeconds` (with `sendRefreshTokenExpiresIn`): a grant that ends sooner than Schwab's 7 days, for lifecycle tests. */
  constructor(options: { refreshTokenTtlSeconds?: number; sendRefreshTokenExpiresIn?: boolean } = {}) {
    this.oauth = new FakeAuthorizationServer({
      clientAuthentication: "client_secret_basic",
      accessTokenTtlSeconds: 1800,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 7 * 24 * 3600,
      sendRefreshTokenExpiresIn: options.sendRefreshTokenExpiresIn ?? false,
      echoRefreshToken: true,
      prefix: "schwab",
    });
  }
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { message: "Client not authorized", errors: [] } } });
  private readonly meta = new Map<string, { duration: string; instruction: string }>();

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  authorize = (url: URL): Promise<URL> => this.oauth.authorize(url);
  expireAccessToken = (): void => this.oauth.expireAccessTokens();
  revokeGrant = (): void => this.oauth.revokeAll();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  reset(): void {
    this.ledger = new FakeLedger({ idPrefix: "100" });
    this.oauth.reset();
    this.faults.reset();
    this.meta.clear();
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  /** The regular session closed: working orders whose duration is DAY expire. */
  endSession(): void {
    for (const o of this.ledger.open()) if (this.meta.get(o.id)?.duration === "DAY") this.ledger.expire(o.id);
  }

  orders() {
    return this.ledger.fakeOrders();
  }

  private json(status: number, body: unknown, headers?: Record<string, string>): Response {
    return replyToResponse({ status, body, ...(headers && { headers }) });
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/v1/oauth/token") return this.oauth.token(request);
    if (!this.oauth.validBearer(request)) return this.json(401, { message: "Client not authorized", errors: [] });
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    if (request.method === "GET" && path === "/accounts/accountNumbers") return this.json(200, [{ accountNumber: FAKE_SCHWAB_ACCOUNT, hashValue: FAKE_SCHWAB_HASH }]);
    const m = /^\/accounts\/([^/]+)(\/orders(?:\/(\d+))?)?$/.exec(path);
    if (!m) return this.json(404, { message: `No route for ${path}`, errors: [] });
    if (decodeURIComponent(m[1]!) !== FAKE_SCHWAB_HASH) return this.json(400, { message: "Invalid account hash", errors: [] });
    if (!m[2] && request.method === "GET") return this.json(200, { securitiesAccount: this.account(url.searchParams.get("fields") === "positions") });
    if (m[2] && !m[3] && request.method === "GET") {
      if (!url.searchParams.get("fromEnteredTime") || !url.searchParams.get("toEnteredTime")) return this.json(400, { message: "fromEnteredTime and toEnteredTime are required", errors: [] });
      return this.json(200, this.ledger.all().filter((o) => o.parentId === null).map((o) => this.wire(o)));
    }
    if (m[2] && !m[3] && request.method === "POST") return this.place(request);
    if (m[3]) {
      const order = this.ledger.get(m[3]);
      if (request.method === "GET") return order ? this.json(200, this.wire(order)) : this.json(404, { message: "Order not found", errors: [] });
      if (request.method === "DELETE") {
        try {
          this.ledger.cancel(m[3]);
          return new Response(null, { status: 200 });
        } catch (e) {
          if (e instanceof LedgerRejection && e.code === "order-not-found") return this.json(404, { message: "Order not found", errors: [] });
          return this.json(400, { message: "Order cannot be canceled: it is already filled or canceled", errors: [] });
        }
      }
    }
    return this.json(405, { message: "Method not allowed", errors: [] });
  }

  private account(withPositions: boolean) {
    const equity = this.ledger.equity();
    return {
      type: "MARGIN",
      accountNumber: FAKE_SCHWAB_ACCOUNT,
      ...(withPositions && {
        positions: this.ledger.positionList().map((p) => ({
          longQuantity: dec(p.quantity).gt(0) ? Number(p.quantity) : 0,
          shortQuantity: dec(p.quantity).lt(0) ? Number(dec(p.quantity).abs()) : 0,
          averagePrice: Number(p.avgPrice),
          instrument: { symbol: p.symbol, assetType: "EQUITY" },
        })),
      }),
      currentBalances: { cashBalance: Number(this.ledger.cash), liquidationValue: Number(equity), buyingPower: Number(equity) },
    };
  }

  private wire(o: LedgerOrder): Record<string, unknown> {
    const meta = this.meta.get(o.id);
    const legs = this.ledger.all().filter((l) => l.parentId === o.id);
    const children = this.meta.get(`${o.id}:children`);
    return {
      orderId: Number(o.id),
      status: STATUS[o.status] ?? "WORKING",
      orderType: o.type === "limit" ? "LIMIT" : o.type === "stop" ? "STOP" : o.type === "stop_limit" ? "STOP_LIMIT" : "MARKET",
      orderStrategyType: legs.length > 0 || children ? "TRIGGER" : "SINGLE",
      duration: meta?.duration ?? "GOOD_TILL_CANCEL",
      session: "NORMAL",
      ...(o.limitPrice !== null && { price: Number(o.limitPrice) }),
      ...(o.stopPrice !== null && { stopPrice: Number(o.stopPrice) }),
      quantity: Number(o.quantity),
      filledQuantity: Number(o.filledQuantity),
      remainingQuantity: Number(dec(o.quantity).minus(o.filledQuantity)),
      enteredTime: o.createdAt,
      orderLegCollection: [{ instruction: meta?.instruction ?? (o.side === "buy" ? "BUY" : "SELL"), quantity: Number(o.quantity), instrument: { symbol: o.symbol, assetType: "EQUITY" } }],
      ...(o.avgFillPrice !== null && dec(o.filledQuantity).gt(0) && { orderActivityCollection: [{ executionLegs: [{ price: Number(o.avgFillPrice), quantity: Number(o.filledQuantity) }] }] }),
      ...(legs.length > 0 && { childOrderStrategies: [{ orderStrategyType: "OCO", childOrderStrategies: legs.map((l) => this.wire(l)) }] }),
    };
  }

  private async place(request: Request): Promise<Response> {
    const parsed = Entry.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return this.json(400, { message: `Invalid order: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message ?? ""}`.trim(), errors: [] });
    const o = parsed.data;
    const leg = o.orderLegCollection[0]!;
    const symbol = leg.instrument.symbol;
    const held = dec(this.ledger.positions.get(symbol)?.quantity ?? "0");
    if (leg.instruction === "SELL" && held.lt(leg.quantity)) return this.json(400, { message: "You do not hold enough shares to sell; use SELL_SHORT to open a short position", errors: [] });
    if (leg.instruction === "SELL_SHORT" && held.gt(0)) return this.json(400, { message: "Cannot sell short while holding a long position", errors: [] });
    if (leg.instruction === "BUY_TO_COVER" && held.gte(0)) return this.json(400, { message: "No short position to cover", errors: [] });
    const child = o.childOrderStrategies?.[0];
    const exits = child === undefined ? [] : "childOrderStrategies" in child ? child.childOrderStrategies : [child];
    const take = exits.find((e) => e.orderType === "LIMIT");
    const stop = exits.find((e) => e.orderType === "STOP" || e.orderType === "STOP_LIMIT");
    const type = o.orderType === "LIMIT" ? "limit" : o.orderType === "STOP" ? "stop" : o.orderType === "STOP_LIMIT" ? "stop_limit" : "market";
    try {
      const booked = this.ledger.place({
        symbol,
        side: leg.instruction === "BUY" || leg.instruction === "BUY_TO_COVER" ? "buy" : "sell",
        type,
        quantity: leg.quantity,
        limitPrice: o.price ?? null,
        stopPrice: o.stopPrice ?? null,
        // FILL_OR_KILL: all at once or nothing (Schwab takes no IMMEDIATE_OR_CANCEL from this API).
        ...(o.duration === "FILL_OR_KILL" && { immediate: "fok" as const }),
        ...(take?.price && { takeProfit: { limitPrice: toDecimal(take.price) } }),
        ...(stop?.stopPrice && { stopLoss: { stopPrice: toDecimal(stop.stopPrice), ...(stop.price && { limitPrice: toDecimal(stop.price) }) } }),
      });
      this.meta.set(booked.id, { duration: o.duration, instruction: leg.instruction });
      if (exits.length > 0) this.meta.set(`${booked.id}:children`, { duration: "", instruction: "" });
      return new Response(null, { status: 201, headers: { location: `https://api.schwabapi.com${PREFIX}/accounts/${FAKE_SCHWAB_HASH}/orders/${booked.id}` } });
    } catch (e) {
      if (e instanceof LedgerRejection && e.code === "insufficient-funds") return this.json(400, { message: "Order rejected: insufficient buying power", errors: [] });
      if (e instanceof LedgerRejection) return this.json(400, { message: e.message, errors: [] });
      throw e;
    }
  }
}
