/**
 * A stateful fake of Coinbase Advanced Trade's REST API, written from the
 * API reference: the documented paths under `/api/v3/brokerage`, JWT
 * verification exactly as a CDP key is checked (ES256 against the key's
 * public half, `iss`/`sub`/`nbf`/`exp`, the `uri` claim bound to the request,
 * `kid` and `nonce` headers), and the documented JSON shapes, including
 * `success:false` inside HTTP 200 and per-order cancel results.
 *
 * What it does NOT model is listed in docs/brokers/coinbase.md.
 *
 * @module
 */
import { jwtVerify } from "jose";
import { dec, toDecimal, type Decimal, type OrderStatus } from "../sdk";
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { pkcs8ToSec1PemForTests } from "./fake-keys";
import { VenueState, type ConfigFields, type Side, type VenueOrder, type VenueStatus } from "./fake-state";

/** Advanced Trade's documented REST base (docs.cdp.coinbase.com, "Advanced Trade API"). */
const ADVANCED_TRADE_BASE = "https://api.coinbase.com/api/v3/brokerage";

/** The fake's order statuses in the kit's terms (the fake's own reading of Coinbase's order statuses). */
function kitStatus(status: VenueStatus, filled: Decimal): OrderStatus {
  switch (status) {
    case "OPEN":
      return dec(filled).gt(0) ? "partially_filled" : "open";
    case "FILLED":
      return "filled";
    case "CANCELLED":
      return "cancelled";
    case "EXPIRED":
      return "expired";
    case "FAILED":
      return "rejected";
    default:
      return "pending";
  }
}

/** gRPC-gateway error bodies as Coinbase sends them for non-2xx answers. */
const UNAUTHENTICATED: FakeReply = { status: 401, body: { error: "UNAUTHENTICATED", code: 16, message: "Unauthorized", details: [] } };
const NOT_FOUND = (message: string): FakeReply => ({ status: 404, body: { error: "NOT_FOUND", code: 5, message, details: [] } });
const INVALID = (message: string): FakeReply => ({ status: 400, body: { error: "INVALID_ARGUMENT", code: 3, message, details: [] } });

/** Coinbase's 429 answer (body shape as for other gRPC-gateway errors). */
export const COINBASE_RATE_LIMIT_REPLY: FakeReply = {
  status: 429,
  body: { error: "RESOURCE_EXHAUSTED", code: 8, message: "Too many requests", details: [] },
  headers: { "retry-after": "0" },
};

const KNOWN_CONFIGS = new Set(["market_market_ioc", "limit_limit_gtc", "sor_limit_ioc", "limit_limit_fok", "stop_limit_stop_limit_gtc"]);
const TIF: Record<string, string> = {
  market_market_ioc: "IMMEDIATE_OR_CANCEL",
  sor_limit_ioc: "IMMEDIATE_OR_CANCEL",
  limit_limit_fok: "FILL_OR_KILL",
};
const ORDER_TYPE: Record<string, string> = {
  market_market_ioc: "MARKET",
  limit_limit_gtc: "LIMIT",
  sor_limit_ioc: "LIMIT",
  limit_limit_fok: "LIMIT",
  stop_limit_stop_limit_gtc: "STOP_LIMIT",
  trigger_bracket_gtc: "BRACKET",
};

export interface CoinbaseFakeOptions {
  /** The CDP key the fake accepts (`kid`/`sub`). */
  keyName: string;
  /** Public half of that key: every JWT is verified against it. */
  publicKey: CryptoKey;
  /** USD the account starts with. Default 100000. */
  cash?: Decimal;
  /** Whether the key has the Trade permission. Default true. */
  canTrade?: boolean;
  /** The venue's clock, for `nbf`/`exp`. Default the real time. */
  now?: () => Date;
  baseUrl?: string;
}

function json(reply: FakeReply): Response {
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "content-type": "application/json", ...reply.headers } });
}

const PORTFOLIO = "7e5b1c1e-0000-4000-8000-00000000f01d";

/** The Coinbase fake broker: {@link FakeBroker} for the conformance kit, and a plain handler for tests. */
export class CoinbaseFake implements FakeBroker {
  readonly baseUrl: string;
  private readonly state: VenueState;
  private readonly faults = new FaultInjector({ authExpired: UNAUTHENTICATED });
  private readonly now: () => Date;
  private partial: Decimal | undefined;
  /** Every request the fake saw, for tests that count round trips. */
  readonly seen: { method: string; path: string }[] = [];

  constructor(private readonly options: CoinbaseFakeOptions) {
    this.baseUrl = options.baseUrl ?? ADVANCED_TRADE_BASE;
    this.now = options.now ?? (() => new Date());
    this.state = new VenueState(options.cash ?? "100000", this.now);
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();

  reset(): void {
    this.state.reset();
    this.faults.reset();
    this.partial = undefined;
    this.seen.length = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.state.setPrice(symbol, price);
  }

  partialFillNext(quantity: Decimal): void {
    this.partial = quantity;
  }

  /** Credits a currency (tests start positions this way). */
  deposit(currency: string, amount: Decimal): void {
    this.state.balances.set(currency, this.state.balance(currency).plus(amount));
  }

  orders(): FakeOrder[] {
    return this.state.orders.map((o) => ({
      id: o.id,
      clientOrderId: o.clientOrderId || null,
      symbol: o.productId,
      side: o.side === "BUY" ? "buy" : "sell",
      quantity: toDecimal(o.size),
      filledQuantity: toDecimal(o.filled),
      status: kitStatus(o.status, toDecimal(o.filled)),
    }));
  }

  // ------------------------------------------------------------------ auth

  /** Verifies the CDP JWT the way Coinbase documents it. Null = accepted. */
  private async authFailure(request: Request, url: URL): Promise<FakeReply | null> {
    const token = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    if (!token) return UNAUTHENTICATED;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.options.publicKey, {
        algorithms: ["ES256"],
        issuer: "cdp",
        subject: this.options.keyName,
        currentDate: this.now(),
        requiredClaims: ["nbf", "exp", "uri"],
      });
      const fresh = typeof payload.exp === "number" && typeof payload.nbf === "number" && payload.exp - payload.nbf <= 120;
      const bound = payload.uri === `${request.method} ${url.host}${url.pathname}`;
      const headerOk = protectedHeader.kid === this.options.keyName && typeof protectedHeader.nonce === "string" && protectedHeader.nonce !== "";
      return fresh && bound && headerOk ? null : UNAUTHENTICATED;
    } catch {
      return UNAUTHENTICATED;
    }
  }

  // ------------------------------------------------------------------ routes

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    this.seen.push({ method: request.method, path });
    const denied = await this.authFailure(request, url);
    if (denied) return json(denied);
    const q = url.searchParams;
    if (request.method === "GET" && path === "/accounts") return json(this.listAccounts(q));
    if (request.method === "GET" && path === "/key_permissions") return json(this.keyPermissions());
    if (request.method === "GET" && path === "/best_bid_ask") return json(this.bestBidAsk(q));
    if (request.method === "GET" && path === "/orders/historical/batch") return json(this.listOrders(q));
    const one = path.match(/^\/orders\/historical\/([^/]+)$/);
    if (request.method === "GET" && one?.[1]) return json(this.getOrder(decodeURIComponent(one[1])));
    if (request.method === "POST" && (path === "/orders" || path === "/orders/batch_cancel")) {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return json(INVALID("request body is not valid JSON"));
      }
      return json(path === "/orders" ? this.createOrder(body) : this.cancelOrders(body));
    }
    return json(NOT_FOUND("Not Found"));
  }

  private page<T>(items: T[], q: URLSearchParams): { items: T[]; has_next: boolean; cursor: string } {
    const limit = Math.min(Number(q.get("limit") ?? "100") || 100, 1000);
    const start = Number(q.get("cursor") ?? "0") || 0;
    const slice = items.slice(start, start + limit);
    const next = start + slice.length;
    return { items: slice, has_next: next < items.length, cursor: next < items.length ? String(next) : "" };
  }

  private listAccounts(q: URLSearchParams): FakeReply {
    const holds = this.state.holds();
    const currencies = [...this.state.balances.keys()].sort();
    const accounts = currencies.map((currency, i) => {
      const total = this.state.balance(currency);
      const hold = holds.get(currency) ?? dec(0);
      return {
        uuid: `acc0${String(i).padStart(4, "0")}-0000-4000-8000-000000000000`,
        name: `${currency} Wallet`,
        currency,
        available_balance: { value: toDecimal(total.minus(hold)), currency },
        default: currency === "USD",
        active: true,
        created_at: "2026-01-01T00:00:00Z",
        updated_at: this.now().toISOString(),
        deleted_at: null,
        type: currency === "USD" ? "ACCOUNT_TYPE_FIAT" : "ACCOUNT_TYPE_CRYPTO",
        ready: true,
        hold: { value: toDecimal(hold), currency },
        retail_portfolio_id: PORTFOLIO,
      };
    });
    const { items, has_next, cursor } = this.page(accounts, q);
    return { status: 200, body: { accounts: items, has_next, cursor, size: items.length } };
  }

  private keyPermissions(): FakeReply {
    return {
      status: 200,
      body: { can_view: true, can_trade: this.options.canTrade ?? true, can_transfer: false, portfolio_uuid: PORTFOLIO, portfolio_type: "DEFAULT" },
    };
  }

  private bestBidAsk(q: URLSearchParams): FakeReply {
    const products = q.getAll("product_ids");
    const pricebooks = products
      .filter((p) => this.state.prices.has(p))
      .map((p) => {
        const px = toDecimal(this.state.prices.get(p) ?? dec(0));
        return { product_id: p, bids: [{ price: px, size: "1" }], asks: [{ price: px, size: "1" }], time: this.now().toISOString() };
      });
    return { status: 200, body: { pricebooks } };
  }

  private orderJson(o: VenueOrder): Record<string, unknown> {
    const filled = toDecimal(o.filled);
    const avg = o.filled.gt(0) ? toDecimal(o.filledValue.div(o.filled)) : "0";
    return {
      order_id: o.id,
      product_id: o.productId,
      user_id: "fake-user",
      order_configuration: { [o.configKey]: o.config },
      side: o.side,
      client_order_id: o.clientOrderId,
      status: o.status,
      time_in_force: TIF[o.configKey] ?? "GOOD_UNTIL_CANCELLED",
      created_time: o.createdAt,
      completion_percentage: o.size.gt(0) ? toDecimal(o.filled.div(o.size).times(100).round(2)) : "0",
      filled_size: filled,
      average_filled_price: avg,
      number_of_fills: o.filled.gt(0) ? "1" : "0",
      filled_value: toDecimal(o.filledValue),
      pending_cancel: false,
      size_in_quote: false,
      total_fees: "0",
      size_inclusive_of_fees: false,
      total_value_after_fees: toDecimal(o.filledValue),
      trigger_status: /^(stop_limit_|trigger_bracket_)/.test(o.configKey) ? (o.triggered ? "STOP_TRIGGERED" : "STOP_PENDING") : "INVALID_ORDER_TYPE",
      order_type: ORDER_TYPE[o.configKey] ?? "UNKNOWN_ORDER_TYPE",
      reject_reason: "REJECT_REASON_UNSPECIFIED",
      settled: o.status !== "OPEN",
      product_type: "SPOT",
      reject_message: "",
      cancel_message: o.status === "CANCELLED" ? "User requested cancel" : "",
      order_placement_source: "RETAIL_ADVANCED",
      outstanding_hold_amount: "0",
      is_liquidation: false,
      last_fill_time: o.lastFillAt,
      edit_history: [],
      leverage: "",
      margin_type: "UNKNOWN_MARGIN_TYPE",
      retail_portfolio_id: PORTFOLIO,
      originating_order_id: o.originatingOrderId,
      attached_order_id: o.attachedOrderId,
      attached_order_configuration: o.attachedConfig,
    };
  }

  private getOrder(id: string): FakeReply {
    const o = this.state.find(id);
    return o ? { status: 200, body: { order: this.orderJson(o) } } : NOT_FOUND("order with this orderID was not found");
  }

  private listOrders(q: URLSearchParams): FakeReply {
    const statuses = new Set(q.getAll("order_status"));
    const products = new Set(q.getAll("product_ids"));
    const matching = [...this.state.orders]
      .reverse()
      .filter((o) => (statuses.size === 0 || statuses.has(o.status)) && (products.size === 0 || products.has(o.productId)));
    const { items, has_next, cursor } = this.page(matching, q);
    return { status: 200, body: { orders: items.map((o) => this.orderJson(o)), sequence: "0", has_next, cursor } };
  }

  private failure(reason: string, message: string, preview: string, config: unknown): FakeReply {
    return {
      status: 200,
      body: {
        success: false,
        error_response: { error: reason, message, error_details: "", preview_failure_reason: preview, new_order_failure_reason: reason },
        order_configuration: config,
      },
    };
  }

  private createOrder(raw: unknown): FakeReply {
    const body = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const clientOrderId = body.client_order_id;
    const productId = body.product_id;
    const side = body.side;
    const configs = (body.order_configuration ?? {}) as Record<string, ConfigFields>;
    if (typeof clientOrderId !== "string" || clientOrderId === "") return INVALID("client_order_id is required");
    if (typeof productId !== "string" || !/^[A-Z0-9]+-[A-Z0-9]+$/.test(productId)) return INVALID("product_id is invalid");
    if (side !== "BUY" && side !== "SELL") return this.failure("INVALID_SIDE", "Invalid side", "PREVIEW_INVALID_SIDE", configs);
    if (this.options.canTrade === false) return { status: 403, body: { error: "PERMISSION_DENIED", code: 7, message: "Missing required scopes", details: [] } };
    // Documented: a reused client_order_id creates nothing and returns the order that has it.
    const existing = this.state.orders.find((o) => o.clientOrderId === clientOrderId);
    if (existing) {
      return { status: 200, body: { success: true, success_response: this.ack(existing), order_configuration: { [existing.configKey]: existing.config } } };
    }
    const keys = Object.keys(configs);
    const key = keys[0];
    const config = key ? configs[key] : undefined;
    if (keys.length !== 1 || !key || !config || !KNOWN_CONFIGS.has(key)) {
      return this.failure("UNSUPPORTED_ORDER_CONFIGURATION", "The order configuration was invalid", "PREVIEW_INVALID_ORDER_CONFIG", configs);
    }
    const size = config.base_size;
    if (typeof size !== "string" || !/^\d+(\.\d+)?$/.test(size) || !dec(size).gt(0)) {
      return this.failure("INVALID_SIZE_PRECISION", "Invalid order size", "PREVIEW_INVALID_SIZE_PRECISION", configs);
    }
    const needsLimit = key !== "market_market_ioc";
    if (needsLimit && (typeof config.limit_price !== "string" || !dec(config.limit_price).gt(0))) {
      return this.failure("INVALID_LIMIT_PRICE", "Invalid limit price", "PREVIEW_INVALID_PRICE_PRECISION", configs);
    }
    if (key === "market_market_ioc" && !this.state.prices.has(productId)) {
      return this.failure("INVALID_NO_LIQUIDITY", "No liquidity", "UNKNOWN_PREVIEW_FAILURE_REASON", configs);
    }
    const attached = body.attached_order_configuration as Record<string, ConfigFields> | undefined;
    if (attached !== undefined) {
      const bracket = attached.trigger_bracket_gtc;
      // Documented: only TriggerBracketGtc may be attached, without a size (it takes the parent's).
      if (Object.keys(attached).length !== 1 || !bracket || bracket.base_size !== undefined || typeof bracket.limit_price !== "string" || typeof bracket.stop_trigger_price !== "string") {
        return this.failure("UNSUPPORTED_ORDER_CONFIGURATION", "The attached order configuration was invalid", "PREVIEW_INVALID_ORDER_CONFIG", configs);
      }
      const tpAbove = dec(bracket.limit_price).gt(bracket.stop_trigger_price);
      if (tpAbove !== (side === "BUY")) {
        return this.failure("INVALID_LIMIT_PRICE", "Take profit and stop loss are on the wrong sides", "PREVIEW_INVALID_ORDER_CONFIG", configs);
      }
    }
    const order: VenueOrder = {
      id: this.state.nextId(),
      clientOrderId,
      productId,
      side: side as Side,
      configKey: key,
      config,
      status: "OPEN",
      size: dec(size),
      filled: dec(0),
      filledValue: dec(0),
      createdAt: this.now().toISOString(),
      lastFillAt: null,
      triggered: false,
      frozen: false,
      originatingOrderId: "",
      attachedOrderId: attached ? this.state.nextId() : "",
      attachedConfig: attached ?? null,
    };
    if (!this.state.affordable(order)) {
      return this.failure("INSUFFICIENT_FUND", "Insufficient balance in source account", "PREVIEW_INSUFFICIENT_FUND", configs);
    }
    const partial = this.partial;
    this.partial = undefined;
    this.state.arrive(order, partial === undefined ? undefined : dec(partial));
    return { status: 200, body: { success: true, success_response: this.ack(order), order_configuration: { [key]: config } } };
  }

  private ack(o: VenueOrder): Record<string, string> {
    return { order_id: o.id, product_id: o.productId, side: o.side, client_order_id: o.clientOrderId, attached_order_id: o.attachedOrderId };
  }

  private cancelOrders(raw: unknown): FakeReply {
    const ids = (raw as { order_ids?: unknown }).order_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) return INVALID("order_ids must hold 1 to 100 ids");
    const results = ids.map((id: unknown) => {
      const order_id = String(id);
      const o = this.state.find(order_id);
      if (!o) return { success: false, failure_reason: "UNKNOWN_CANCEL_ORDER", order_id };
      if (o.status === "FILLED") return { success: false, failure_reason: "ORDER_IS_FULLY_FILLED", order_id };
      if (o.status !== "OPEN") return { success: false, failure_reason: "DUPLICATE_CANCEL_REQUEST", order_id };
      o.status = "CANCELLED";
      return { success: true, failure_reason: "UNKNOWN_CANCEL_FAILURE_REASON", order_id };
    });
    return { status: 200, body: { results } };
  }
}

/** A throwaway CDP-style key pair for tests: credentials for the plugin, the public half for the fake. */
export async function createCoinbaseTestKey(keyName = "organizations/00000000-0000-4000-8000-000000000000/apiKeys/00000000-0000-4000-8000-00000000fa6e"): Promise<{
  credentials: { apiKeyName: string; privateKey: string };
  publicKey: CryptoKey;
}> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  return { credentials: { apiKeyName: keyName, privateKey: pkcs8ToSec1PemForTests(pkcs8) }, publicKey: pair.publicKey };
}
