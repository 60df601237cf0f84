/**
 * A stateful fake of the Robinhood Crypto Trading API, written from its
 * reference: the documented paths, the `x-api-key` / `x-timestamp` /
 * `x-signature` check (Ed25519 over api key + timestamp + path-with-query +
 * method + body, timestamps valid 30 s), cursor pagination with full `next`
 * URLs, and the `{type, errors: [{attr, detail}]}` error format.
 *
 * What it does NOT model is listed in docs/brokers/robinhood.md.
 *
 * @module
 */
import { dec, fromBase64, toBase64, toDecimal, toNumber, type Decimal, type OrderStatus } from "../sdk";
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { RhVenue, type RhOrder, type RhState, type RhType } from "./fake-state";

/** The Crypto Trading API's documented host. */
const ROBINHOOD_HOST = "https://trading.robinhood.com";

/**
 * The message Robinhood documents for `x-signature` (API reference,
 * "Authentication"): API key, then the `x-timestamp` value, then the path
 * with its query, then the method in capitals, then the exact body bytes.
 * The documented example is this fake's anchor (robinhood.test.ts).
 */
export function documentedMessage(apiKey: string, timestamp: string, pathWithQuery: string, method: string, body: string): string {
  return `${apiKey}${timestamp}${pathWithQuery}${method.toUpperCase()}${body}`;
}

/** The fake's order states in the kit's terms (Robinhood's documented `state` values). */
const KIT_STATUS: Readonly<Record<RhState, OrderStatus>> = {
  open: "open",
  partially_filled: "partially_filled",
  filled: "filled",
  canceled: "cancelled",
  failed: "rejected",
};

const error = (status: number, type: string, detail: string, attr: string | null = null): FakeReply => ({
  status,
  body: { type, errors: [{ attr, detail }] },
});
const UNAUTHORIZED = error(401, "client_error", "Incorrect authentication credentials.");
const NOT_FOUND = error(404, "client_error", "Not found.");
const invalid = (attr: string, detail: string): FakeReply => error(400, "validation_error", detail, attr);

/** Robinhood's 429 (throttled) answer. */
export const ROBINHOOD_RATE_LIMIT_REPLY: FakeReply = {
  ...error(429, "client_error", "Request was throttled. Expected available in 1 second."),
  headers: { "retry-after": "0" },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONFIG_OF: Record<RhType, string> = {
  market: "market_order_config",
  limit: "limit_order_config",
  stop_loss: "stop_loss_order_config",
  stop_limit: "stop_limit_order_config",
};
const REQUIRED: Record<RhType, string[]> = {
  market: ["asset_quantity"],
  limit: ["asset_quantity", "limit_price"],
  stop_loss: ["asset_quantity", "stop_price"],
  stop_limit: ["asset_quantity", "limit_price", "stop_price"],
};
const ACCOUNT_NUMBER = "FAKE0RH0CRYPTO01";

export interface RobinhoodFakeOptions {
  apiKey: string;
  /** Base64 Ed25519 public key registered with the credential. */
  publicKey: string;
  /** Buying power at the start. Default 100000. */
  cash?: Decimal;
  /** Account status reported by accounts/. Default `active`. */
  status?: string;
  now?: () => Date;
  baseUrl?: string;
  /** Page size of list endpoints when the client sends no `limit`. Default 100. */
  pageSize?: number;
}

function json(reply: FakeReply): Response {
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "content-type": "application/json", ...reply.headers } });
}

/** The Robinhood fake broker. */
export class RobinhoodFake implements FakeBroker {
  readonly baseUrl: string;
  private readonly venue: RhVenue;
  private readonly faults = new FaultInjector({ authExpired: UNAUTHORIZED });
  private readonly now: () => Date;
  private verifyKey: Promise<CryptoKey> | undefined;
  private partial: Decimal | undefined;
  readonly seen: { method: string; path: string }[] = [];

  constructor(private readonly options: RobinhoodFakeOptions) {
    this.baseUrl = options.baseUrl ?? ROBINHOOD_HOST;
    this.now = options.now ?? (() => new Date());
    this.venue = new RhVenue(options.cash ?? "100000", this.now);
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();

  reset(): void {
    this.venue.reset();
    this.faults.reset();
    this.partial = undefined;
    this.seen.length = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.venue.setPrice(symbol, price);
  }

  partialFillNext(quantity: Decimal): void {
    this.partial = quantity;
  }

  orders(): FakeOrder[] {
    return this.venue.orders.map((o) => ({
      id: o.id,
      // As Robinhood holds it: a UUID (the kit maps the core's ids the plugin's way).
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: toDecimal(o.size),
      filledQuantity: toDecimal(o.filled),
      status: KIT_STATUS[o.state],
    }));
  }

  // ------------------------------------------------------------------ auth

  private async authFailure(request: Request, signedPath: string, body: string): Promise<FakeReply | null> {
    const apiKey = request.headers.get("x-api-key");
    const timestamp = request.headers.get("x-timestamp");
    const signature = request.headers.get("x-signature");
    if (apiKey !== this.options.apiKey || !timestamp || !signature || !/^\d+$/.test(timestamp)) return UNAUTHORIZED;
    // Documented: a timestamp is valid for 30 seconds.
    if (Math.abs(this.now().getTime() / 1000 - Number(timestamp)) > 30) return UNAUTHORIZED;
    this.verifyKey ??= crypto.subtle.importKey("raw", fromBase64(this.options.publicKey), { name: "Ed25519" }, false, ["verify"]);
    const message = new TextEncoder().encode(documentedMessage(apiKey, timestamp, signedPath, request.method, body));
    let ok = false;
    try {
      ok = await crypto.subtle.verify({ name: "Ed25519" }, await this.verifyKey, fromBase64(signature), message);
    } catch {
      ok = false;
    }
    return ok ? null : UNAUTHORIZED;
  }

  // ------------------------------------------------------------------ routes

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const prefix = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const body = await request.text();
    this.seen.push({ method: request.method, path });
    const denied = await this.authFailure(request, `${path}${url.search}`, body);
    if (denied) return json(denied);
    const q = url.searchParams;
    const T = "/api/v1/crypto/trading";
    if (request.method === "GET" && path === `${T}/accounts/`) return json(this.account());
    if (request.method === "GET" && path === `${T}/holdings/`) return json(this.holdings(q, path));
    if (request.method === "GET" && path === `${T}/orders/`) return json(this.listOrders(q, path));
    if (request.method === "GET" && path === "/api/v1/crypto/marketdata/best_bid_ask/") return json(this.bestBidAsk(q));
    if (request.method === "POST" && path === `${T}/orders/`) return json(this.place(body));
    const cancel = path.match(/^\/api\/v1\/crypto\/trading\/orders\/([^/]+)\/cancel\/$/);
    if (request.method === "POST" && cancel?.[1]) return this.cancel(decodeURIComponent(cancel[1]));
    return json(NOT_FOUND);
  }

  /** `{next, previous, results}` with cursor pagination; `next` is a full URL, as documented. */
  private page<T>(items: T[], q: URLSearchParams, path: string): FakeReply {
    const size = Math.max(1, Number(q.get("limit") ?? this.options.pageSize ?? 100) || 100);
    const start = Number(q.get("cursor") ?? "0") || 0;
    const results = items.slice(start, start + size);
    const link = (cursor: number): string => {
      const params = new URLSearchParams(q);
      params.set("cursor", String(cursor));
      return `${new URL(this.baseUrl).origin}${path}?${params.toString()}`;
    };
    return {
      status: 200,
      body: { next: start + size < items.length ? link(start + size) : null, previous: start > 0 ? link(Math.max(0, start - size)) : null, results },
    };
  }

  private account(): FakeReply {
    return {
      status: 200,
      body: { account_number: ACCOUNT_NUMBER, status: this.options.status ?? "active", buying_power: toDecimal(this.venue.buyingPower()), buying_power_currency: "USD" },
    };
  }

  private holdings(q: URLSearchParams, path: string): FakeReply {
    const wanted = new Set(q.getAll("asset_code"));
    const rows = [...this.venue.holdings.entries()]
      .filter(([asset, qty]) => qty.gt(0) && (wanted.size === 0 || wanted.has(asset)))
      .map(([asset, qty]) => ({
        account_number: ACCOUNT_NUMBER,
        asset_code: asset,
        total_quantity: toNumber(qty),
        quantity_available_for_trading: toNumber(this.venue.availableAsset(asset)),
      }));
    return this.page(rows, q, path);
  }

  private orderJson(o: RhOrder): Record<string, unknown> {
    return {
      id: o.id,
      account_number: ACCOUNT_NUMBER,
      symbol: o.symbol,
      client_order_id: o.clientOrderId,
      side: o.side,
      executions: o.executions,
      type: o.type,
      state: o.state,
      average_price: o.filled.gt(0) ? toNumber(o.filledValue.div(o.filled)) : null,
      filled_asset_quantity: toNumber(o.filled),
      created_at: o.createdAt,
      updated_at: o.updatedAt,
      [CONFIG_OF[o.type]]: o.config,
    };
  }

  private listOrders(q: URLSearchParams, path: string): FakeReply {
    const match = (o: RhOrder): boolean =>
      (!q.has("id") || o.id === q.get("id")) &&
      (!q.has("state") || o.state === q.get("state")) &&
      (!q.has("symbol") || o.symbol === q.get("symbol")) &&
      (!q.has("side") || o.side === q.get("side")) &&
      (!q.has("type") || o.type === q.get("type"));
    const found = [...this.venue.orders].reverse().filter(match).map((o) => this.orderJson(o));
    return this.page(found, q, path);
  }

  private bestBidAsk(q: URLSearchParams): FakeReply {
    const results = q
      .getAll("symbol")
      .filter((s) => this.venue.prices.has(s))
      .map((symbol) => {
        const px = toNumber(this.venue.prices.get(symbol) ?? dec(0));
        return { symbol, price: px, bid_inclusive_of_sell_spread: px, sell_spread: 0, ask_inclusive_of_buy_spread: px, buy_spread: 0, timestamp: this.now().toISOString() };
      });
    return { status: 200, body: { results } };
  }

  private place(text: string): FakeReply {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return invalid("non_field_errors", "JSON parse error.");
    }
    const clientOrderId = body.client_order_id;
    if (typeof clientOrderId !== "string" || !UUID.test(clientOrderId)) return invalid("client_order_id", "Must be a valid UUID.");
    if (this.venue.orders.some((o) => o.clientOrderId === clientOrderId)) {
      return invalid("client_order_id", "An order with this client_order_id already exists.");
    }
    const symbol = body.symbol;
    if (typeof symbol !== "string" || !/^[A-Z0-9]+-USD$/.test(symbol)) return invalid("symbol", "Invalid trading pair symbol.");
    if (body.side !== "buy" && body.side !== "sell") return invalid("side", `"${String(body.side)}" is not a valid choice.`);
    const type = body.type as RhType;
    if (!(type in CONFIG_OF)) return invalid("type", `"${String(body.type)}" is not a valid choice.`);
    const config = body[CONFIG_OF[type]] as Record<string, unknown> | undefined;
    if (!config || typeof config !== "object") return invalid(CONFIG_OF[type], "This field is required.");
    for (const field of REQUIRED[type]) {
      const v = config[field];
      if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v) || !dec(v).gt(0)) return invalid(field, "A valid positive number is required.");
    }
    if (type !== "market" && config.time_in_force !== "gtc") return invalid("time_in_force", `"${String(config.time_in_force)}" is not a valid choice.`);
    if (type === "market" && !this.venue.prices.has(symbol)) return invalid("symbol", "No price is available for this pair.");
    const at = this.now().toISOString();
    const order: RhOrder = {
      id: this.venue.nextId(),
      clientOrderId,
      symbol,
      side: body.side,
      type,
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])),
      size: dec(String(config.asset_quantity)),
      filled: dec(0),
      filledValue: dec(0),
      state: "open",
      triggered: false,
      frozen: false,
      createdAt: at,
      updatedAt: at,
      executions: [],
    };
    if (!this.venue.affordable(order)) {
      return invalid("non_field_errors", order.side === "buy" ? "Insufficient buying power." : "Insufficient holdings.");
    }
    const partial = this.partial;
    this.partial = undefined;
    this.venue.arrive(order, partial === undefined ? undefined : dec(partial));
    return { status: 201, body: this.orderJson(order) };
  }

  private cancel(id: string): Response {
    const o = this.venue.find(id);
    if (!o) return json(NOT_FOUND);
    if (o.state !== "open" && o.state !== "partially_filled") return json(invalid("non_field_errors", "Order cannot be canceled."));
    o.state = "canceled";
    o.updatedAt = this.now().toISOString();
    return new Response(`Cancel request was submitted for order ${id}`, { status: 200, headers: { "content-type": "text/plain" } });
  }
}

/** A throwaway Ed25519 credential for tests: the plugin's credentials and the public key the fake checks. */
export async function createRobinhoodTestKey(apiKey = "rh-api-00000000-0000-4000-8000-0000000000fa"): Promise<{
  credentials: { apiKey: string; privateKey: string };
  publicKey: string;
}> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  // PKCS#8 for Ed25519 is a fixed 16-byte prefix + the 32-byte seed; Robinhood users hold the seed.
  return { credentials: { apiKey, privateKey: toBase64(pkcs8.slice(-32)) }, publicKey: toBase64(raw) };
}
