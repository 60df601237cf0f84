/**
 * The Coinbase Advanced Trade client: every call goes through
 * `context.fetch` (timeouts and rate limits are the core's), each with its
 * own freshly signed JWT.
 *
 * The account is the portfolio the CDP key is scoped to, so the `accountId`
 * arguments are accepted and not sent.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  toDecimal,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type InstrumentRules,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorFromCancelFailure, errorFromOrderFailure, errorFromResponse } from "./errors";
import type { CoinbaseCredentials, coinbaseCapabilities } from "./manifest";
import { midOf, orderForId, toBalance, toBrokerOrder, toBrokerOrders, toNewOrderBody, toPositions, toQuote, venueOrderId } from "./mapping";
import { importSigningKey, signRequestJwt, type CdpSigningKey } from "./signing";
import { CASH_CURRENCY, coinbaseSymbol } from "./symbols";
import {
  WireAccountListSchema,
  WireBestBidAskSchema,
  WireProductSchema,
  WireCancelSchema,
  WireCreateOrderSchema,
  WireGetOrderSchema,
  WireKeyPermissionsSchema,
  WireOrderListSchema,
  type WireAccount,
  type WireOrder,
} from "./wire";

/** Page size for list endpoints. */
const PAGE_SIZE = 250;
/** Pages scanned when looking an order up by client id (Coinbase has no direct lookup). */
export const MAX_SCAN_PAGES = 20;
/** Statuses Tradeloop treats as open orders. */
const OPEN_STATUSES = ["OPEN", "PENDING", "QUEUED"] as const;

type Query = readonly (readonly [string, string])[];

/** One Coinbase request, signed with its own JWT (method, host and path are in the claims). */
interface Call extends VenueRequest {
  method: "GET" | "POST";
  path: string;
  query?: Query;
  body?: unknown;
}

/** Builds a client for one Coinbase connection. */
export function createCoinbaseClient(context: PluginContext<CoinbaseCredentials, unknown>): ClientFor<typeof coinbaseCapabilities> {
  const base = context.baseUrl.replace(/\/+$/, "");
  // Imported once per client: the PEM is converted and becomes a non-extractable CryptoKey.
  let signingKey: Promise<CdpSigningKey> | undefined;
  // Client id → Coinbase order id, learned on placement and lookups, to skip the list scan.
  const knownIds = new Map<string, string>();

  function checkEnvironment(): void {
    if (base === "") {
      throw new BrokerError("Coinbase has no paper trading: set the connection's environment to live.", {
        code: "wrong-environment",
        kind: "rejected",
      });
    }
  }

  const caller = jsonCaller<Call>({
    venue: "Coinbase",
    fetch: context.fetch,
    async sign(call) {
      checkEnvironment();
      signingKey ??= importSigningKey(context.credentials.privateKey);
      const url = new URL(`${base}${call.path}`);
      for (const [k, v] of call.query ?? []) url.searchParams.append(k, v);
      const { key, alg } = await signingKey;
      const jwt = await signRequestJwt({
        keyName: context.credentials.apiKeyName,
        key,
        alg,
        method: call.method,
        host: url.host,
        path: url.pathname,
        now: context.now(),
      });
      const headers = new Headers({ accept: "application/json", authorization: `Bearer ${jwt}` });
      if (call.body !== undefined) headers.set("content-type", "application/json");
      return new Request(url.toString(), { method: call.method, headers, body: call.body === undefined ? null : JSON.stringify(call.body) });
    },
    error: (answer, call) => errorFromResponse(answer.status, answer.body, answer.headers, call.placingOrder === true, context.now()),
  });

  const send = <S extends z.ZodType>(schema: S, call: Call): Promise<z.output<S>> => caller.call(call, schema);

  async function listAccounts(): Promise<WireAccount[]> {
    const accounts: WireAccount[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const query: [string, string][] = [["limit", String(PAGE_SIZE)]];
      if (cursor) query.push(["cursor", cursor]);
      const answer = await send(WireAccountListSchema, { method: "GET", path: "/accounts", query });
      accounts.push(...answer.accounts);
      if (!answer.has_next || !answer.cursor) return accounts;
      cursor = answer.cursor;
    }
    return accounts;
  }

  /** Mid prices of `CUR-USD` books for the given currencies. Unknown products leave gaps, not failures. */
  async function mids(currencies: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (currencies.length === 0) return out;
    try {
      const books = await send(WireBestBidAskSchema, {
        method: "GET",
        path: "/best_bid_ask",
        query: currencies.map((c) => ["product_ids", `${c}-${CASH_CURRENCY}`] as const),
      });
      for (const b of books.pricebooks) {
        const mid = midOf(b.bids[0]?.price ?? null, b.asks[0]?.price ?? null);
        if (mid !== null) out.set(b.product_id.split("-")[0] ?? b.product_id, mid);
      }
    } catch (e) {
      if (!(e instanceof BrokerError) || e.kind !== "rejected") throw e;
    }
    return out;
  }

  /** `GET /orders/historical/{id}`; null only when Coinbase says the order does not exist. */
  async function orderById(id: string): Promise<WireOrder | null> {
    try {
      const answer = await send(WireGetOrderSchema, { method: "GET", path: `/orders/historical/${encodeURIComponent(id)}` });
      return answer.order;
    } catch (e) {
      // A 404 with Coinbase's JSON error body is "no such order"; a bare 404 (a proxy, a wrong base URL)
      // must not look like "never placed", or reconciliation would place the order twice.
      if (e instanceof BrokerError && e.status === 404 && typeof e.raw === "object" && e.raw !== null) return null;
      throw e;
    }
  }

  /**
   * Finds an order by client id. Coinbase has no such lookup, so recent
   * orders are scanned newest first. Null only after the whole history was
   * read; a scan cut short is an error, never "not found".
   */
  async function orderByClientId(clientOrderId: string): Promise<WireOrder | null> {
    const known = knownIds.get(clientOrderId);
    if (known) {
      const found = await orderById(known);
      if (found) return found;
    }
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const query: [string, string][] = [["limit", String(PAGE_SIZE)]];
      if (cursor) query.push(["cursor", cursor]);
      const answer = await send(WireOrderListSchema, { method: "GET", path: "/orders/historical/batch", query });
      const match = answer.orders.find((o) => o.client_order_id === clientOrderId);
      if (match) {
        knownIds.set(clientOrderId, match.order_id);
        return match;
      }
      if (!answer.has_next || !answer.cursor) return null;
      cursor = answer.cursor;
    }
    throw new BrokerError(`Coinbase order ${clientOrderId} was not among the ${MAX_SCAN_PAGES * PAGE_SIZE} most recent orders.`, {
      code: "order-lookup-incomplete",
      kind: "retryable",
    });
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      let portfolio: string | undefined;
      let kind: string | undefined;
      try {
        const perms = await send(WireKeyPermissionsSchema, { method: "GET", path: "/key_permissions" });
        if (perms.can_trade === false) {
          throw new BrokerError(
            "The Coinbase API key can view but not trade: edit the key in the CDP portal and tick the Trade permission.",
            { code: "permission-denied", kind: "rejected", raw: perms },
          );
        }
        portfolio = perms.portfolio_uuid;
        kind = perms.portfolio_type;
      } catch (e) {
        // The static sandbox serves Accounts and Orders only; there the account list identifies the portfolio.
        if (!(e instanceof BrokerError && e.status === 404)) throw e;
      }
      if (!portfolio) portfolio = (await listAccounts()).find((a) => a.retail_portfolio_id)?.retail_portfolio_id;
      const name = kind && kind !== "UNDEFINED" ? `Coinbase ${kind.toLowerCase()} portfolio` : "Coinbase portfolio";
      return [{ brokerAccountId: portfolio ?? "default", mode: "live", name, currency: CASH_CURRENCY }];
    },

    async getBalance(): Promise<Balance> {
      const accounts = await listAccounts();
      const held = [...new Set(accounts.filter((a) => a.currency !== CASH_CURRENCY && toPositions([a]).length > 0).map((a) => a.currency))];
      return toBalance(accounts, await mids(held));
    },

    async getPositions(): Promise<Position[]> {
      return toPositions(await listAccounts());
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      const out: BrokerOrder[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_SCAN_PAGES; page++) {
        const query: [string, string][] = OPEN_STATUSES.map((s) => ["order_status", s]);
        query.push(["limit", String(PAGE_SIZE)]);
        if (cursor) query.push(["cursor", cursor]);
        const answer = await send(WireOrderListSchema, { method: "GET", path: "/orders/historical/batch", query });
        out.push(...answer.orders.flatMap(toBrokerOrders));
        if (!answer.has_next || !answer.cursor) break;
        cursor = answer.cursor;
      }
      return out;
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      if ("brokerOrderId" in ref) {
        const o = await orderById(venueOrderId(ref.brokerOrderId));
        return o ? orderForId(o, ref.brokerOrderId) : null;
      }
      const o = await orderByClientId(ref.clientOrderId);
      return o ? toBrokerOrder(o) : null;
    },

    async placeOrder(_accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      const productId = coinbaseSymbol(order.ticker, order.assetClass);
      const body = toNewOrderBody(order, productId);
      const call: Call = { method: "POST", path: "/orders", body, placingOrder: true };
      const answer = await caller.send(call);
      const created = caller.parse(WireCreateOrderSchema, answer, call);
      // HTTP 200 is not success: the verdict is in the body.
      if (!created.success || !created.success_response) throw errorFromOrderFailure(created.error_response, answer.body);
      const orderId = created.success_response.order_id;
      knownIds.set(order.clientOrderId, orderId);
      // The ack carries only ids; read the order once for its status and fills. If that read fails,
      // the order still exists, so answer with what was sent rather than an error.
      try {
        const placed = await orderById(orderId);
        if (placed) return toBrokerOrder(placed);
      } catch {
        // fall through to the acknowledged-order view
      }
      return {
        brokerOrderId: orderId,
        clientOrderId: order.clientOrderId,
        ticker: order.ticker,
        side: order.side,
        type: order.type,
        quantity: order.quantity,
        limitPrice: order.limitPrice ?? null,
        stopPrice: order.stopPrice ?? null,
        timeInForce: order.type === "market" ? "ioc" : order.timeInForce,
        status: "pending",
        filledQuantity: "0",
        avgFillPrice: null,
        raw: answer.body,
      };
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      let id: string;
      if ("brokerOrderId" in ref) {
        // Either leg of a bracket cancels the one venue order behind both.
        id = venueOrderId(ref.brokerOrderId);
      } else {
        const o = await orderByClientId(ref.clientOrderId);
        if (!o) throw new BrokerError("Coinbase has no order with this client order id.", { code: "order-not-found", kind: "rejected" });
        id = o.order_id;
      }
      const answer = await send(WireCancelSchema, { method: "POST", path: "/orders/batch_cancel", body: { order_ids: [id] }, idempotent: true });
      const result = answer.results.find((r) => r.order_id === id) ?? answer.results[0];
      // HTTP 200 is not "cancelled": each result carries its own verdict.
      if (!result?.success) throw errorFromCancelFailure(result?.failure_reason, answer);
    },

    /**
     * The book's grid from Get Product: the limit price step
     * (`price_increment`, else `quote_increment`), the size step
     * (`base_increment`), the smallest and largest size, and the smallest
     * order value (`quote_min_size`). Coinbase refuses an order off this
     * grid (INVALID_PRICE_PRECISION, INVALID_SIZE_PRECISION); the host caches
     * it per connection and rounds and checks every order before sending.
     */
    async instrumentRules(ticker: string, assetClass: AssetClass): Promise<InstrumentRules> {
      const productId = coinbaseSymbol(ticker, assetClass);
      const p = await send(WireProductSchema, { method: "GET", path: `/products/${encodeURIComponent(productId)}` }).catch((e: unknown) => {
        // No such book: the order cannot be placed, whatever else is right about it.
        if (e instanceof BrokerError && e.status === 404) throw new BrokerError(`Coinbase has no ${productId} market.`, { code: "invalid-symbol", kind: "rejected", status: 404, raw: e.raw });
        throw e;
      });
      const positive = (v: string | undefined) => (v !== undefined && /^\d+(\.\d+)?$/.test(v) && dec(v).gt(0) ? toDecimal(v) : undefined);
      const tick = positive(p.price_increment) ?? positive(p.quote_increment);
      const step = positive(p.base_increment);
      const min = positive(p.base_min_size);
      const max = positive(p.base_max_size);
      const notional = positive(p.quote_min_size);
      return { ...(tick && { tickSize: tick }), ...(step && { lotStep: step }), ...(min && { minQuantity: min }), ...(max && { maxQuantity: max }), ...(notional && { minNotional: notional }) };
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const productId = coinbaseSymbol(ticker, assetClass);
      const answer = await send(WireBestBidAskSchema, { method: "GET", path: "/best_bid_ask", query: [["product_ids", productId]] });
      const book = answer.pricebooks.find((b) => b.product_id === productId);
      if (!book) throw new BrokerError(`Coinbase has no order book for ${productId}.`, { code: "invalid-symbol", kind: "rejected", raw: answer });
      return toQuote(ticker, book, context.now());
    },
  };
}
