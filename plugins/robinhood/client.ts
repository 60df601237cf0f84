/**
 * The Robinhood Crypto client: every call goes through `context.fetch`,
 * each signed with Ed25519 over the exact path and body it sends.
 *
 * An API credential reaches one crypto account, so the `accountId` arguments
 * are accepted and not sent.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorFromResponse, type ErrorContext } from "./errors";
import type { RobinhoodCredentials, robinhoodCapabilities } from "./manifest";
import { toAccount, toBalance, toBrokerOrder, toNewOrderBody, toPositions, toQuote, toVenueClientId } from "./mapping";
import { seedFromBase64, signRequest } from "./signing";
import { QUOTE, robinhoodSymbol } from "./symbols";
import { WireAccountSchema, WireBestBidAskSchema, WireHoldingPageSchema, WireOrderPageSchema, WireOrderSchema, type WireHolding, type WireOrder } from "./wire";

const TRADING = "/api/v1/crypto/trading";
const MARKET_DATA = "/api/v1/crypto/marketdata";
/** Pages followed on list endpoints, and when looking an order up by client id. */
export const MAX_PAGES = 20;

/** One Robinhood request, signed over its exact path (with query) and body bytes. */
interface Call extends VenueRequest, ErrorContext {
  method: "GET" | "POST";
  /** Path with query string: exactly what is signed and sent. */
  path: string;
  body?: unknown;
}

/** Builds a client for one Robinhood connection. */
export function createRobinhoodClient(context: PluginContext<RobinhoodCredentials, unknown>): ClientFor<typeof robinhoodCapabilities> {
  const base = context.baseUrl.replace(/\/+$/, "");
  let seed: Uint8Array | undefined;
  // Client id (as sent, UUID) → Robinhood order id, learned on placement and lookups.
  const knownIds = new Map<string, string>();

  const caller = jsonCaller<Call>({
    venue: "Robinhood",
    fetch: context.fetch,
    async sign(call) {
      if (base === "") {
        throw new BrokerError("Robinhood has no paper trading: set the connection's environment to live.", { code: "wrong-environment", kind: "rejected" });
      }
      seed ??= seedFromBase64(context.credentials.privateKey);
      // The signature covers these exact bytes, so the body is serialized once and sent as is.
      const body = call.body === undefined ? "" : JSON.stringify(call.body);
      const timestamp = String(Math.floor(context.now().getTime() / 1000));
      const signature = await signRequest(seed, { apiKey: context.credentials.apiKey, timestamp, path: call.path, method: call.method, body });
      const headers = new Headers({
        accept: "application/json",
        "x-api-key": context.credentials.apiKey,
        "x-timestamp": timestamp,
        "x-signature": signature,
      });
      if (body !== "") headers.set("content-type", "application/json; charset=utf-8");
      return new Request(`${base}${call.path}`, { method: call.method, headers, body: body === "" ? null : body });
    },
    error: (answer, call) => errorFromResponse(answer.status, answer.body, answer.headers, call, context.now()),
  });

  const send = <S extends z.ZodType>(schema: S, call: Call): Promise<z.output<S>> => caller.call(call, schema);

  /** The path (with query) of a `next` link, so it is signed and sent against our base URL. */
  function nextPath(next: string | null | undefined): string | null {
    if (!next) return null;
    try {
      const u = new URL(next, "https://trading.robinhood.com");
      return u.pathname.startsWith("/api/") ? `${u.pathname}${u.search}` : null;
    } catch {
      return null;
    }
  }

  /** Every holding, across pages. */
  async function holdings(): Promise<WireHolding[]> {
    const out: WireHolding[] = [];
    let path: string | null = `${TRADING}/holdings/`;
    for (let page = 0; path !== null && page < MAX_PAGES; page++) {
      const answer: z.output<typeof WireHoldingPageSchema> = await send(WireHoldingPageSchema, { method: "GET", path });
      out.push(...answer.results);
      path = nextPath(answer.next);
    }
    return out;
  }

  async function listOrders(query: string): Promise<WireOrder[]> {
    const out: WireOrder[] = [];
    let path: string | null = `${TRADING}/orders/${query}`;
    for (let page = 0; path !== null && page < MAX_PAGES; page++) {
      const answer: z.output<typeof WireOrderPageSchema> = await send(WireOrderPageSchema, { method: "GET", path });
      out.push(...answer.results);
      path = nextPath(answer.next);
    }
    return out;
  }

  /** One order by Robinhood id, through the documented `id` filter: an empty result is "no such order". */
  async function orderById(id: string): Promise<WireOrder | null> {
    const answer = await send(WireOrderPageSchema, { method: "GET", path: `${TRADING}/orders/?id=${encodeURIComponent(id)}` });
    return answer.results.find((o) => o.id === id) ?? null;
  }

  /**
   * One order by client id. The orders endpoint has no client-id filter, so
   * recent orders are scanned page by page. Null only when every page was
   * read; a scan cut short is an error, never "not found".
   */
  async function orderByClientId(clientOrderId: string): Promise<WireOrder | null> {
    const venueId = toVenueClientId(clientOrderId);
    const known = knownIds.get(venueId);
    if (known) {
      const found = await orderById(known);
      if (found) return found;
    }
    let path: string | null = `${TRADING}/orders/`;
    for (let page = 0; path !== null && page < MAX_PAGES; page++) {
      const answer: z.output<typeof WireOrderPageSchema> = await send(WireOrderPageSchema, { method: "GET", path });
      const match = answer.results.find((o) => o.client_order_id === venueId);
      if (match) {
        knownIds.set(venueId, match.id);
        return match;
      }
      path = nextPath(answer.next);
      if (path === null) return null;
    }
    throw new BrokerError(`Robinhood order ${clientOrderId} was not in the ${MAX_PAGES} most recent pages of orders.`, {
      code: "order-lookup-incomplete",
      kind: "retryable",
    });
  }

  /** Quoted prices by asset code, for valuing holdings. A failed quote leaves gaps rather than failing the balance. */
  async function prices(assets: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (assets.length === 0) return out;
    const query = assets.map((a) => `symbol=${encodeURIComponent(`${a}-${QUOTE}`)}`).join("&");
    try {
      const answer = await send(WireBestBidAskSchema, { method: "GET", path: `${MARKET_DATA}/best_bid_ask/?${query}` });
      for (const r of answer.results) {
        if (r.price) out.set(r.symbol.split("-")[0] ?? r.symbol, r.price);
      }
    } catch (e) {
      if (!(e instanceof BrokerError) || e.kind !== "rejected") throw e;
    }
    return out;
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const account = await send(WireAccountSchema, { method: "GET", path: `${TRADING}/accounts/` });
      if (account.status !== "active") {
        throw new BrokerError(`Robinhood reports the crypto account as "${account.status}", not active: it cannot trade until Robinhood reactivates it.`, {
          code: "no-usable-account",
          kind: "rejected",
          raw: account,
        });
      }
      return [toAccount(account)];
    },

    async getBalance(): Promise<Balance> {
      const account = await send(WireAccountSchema, { method: "GET", path: `${TRADING}/accounts/` });
      const held = await holdings();
      const assets = toPositions(held).map((p) => p.ticker.slice(0, -QUOTE.length));
      return toBalance(account, held, await prices(assets));
    },

    async getPositions(): Promise<Position[]> {
      return toPositions(await holdings());
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      const open = await listOrders("?state=open");
      const partial = await listOrders("?state=partially_filled");
      const seen = new Set(open.map((o) => o.id));
      return [...open, ...partial.filter((o) => !seen.has(o.id))].map(toBrokerOrder);
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      const o = "brokerOrderId" in ref ? await orderById(ref.brokerOrderId) : await orderByClientId(ref.clientOrderId);
      return o ? toBrokerOrder(o) : null;
    },

    async placeOrder(_accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      const body = toNewOrderBody(order, robinhoodSymbol(order.ticker, order.assetClass));
      const placed = await send(WireOrderSchema, { method: "POST", path: `${TRADING}/orders/`, body, placingOrder: true });
      knownIds.set(body.client_order_id, placed.id);
      return toBrokerOrder(placed);
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      let id: string;
      if ("brokerOrderId" in ref) {
        id = ref.brokerOrderId;
      } else {
        const o = await orderByClientId(ref.clientOrderId);
        if (!o) throw new BrokerError("Robinhood has no order with this client order id.", { code: "order-not-found", kind: "rejected" });
        id = o.id;
      }
      // 200 text/plain "Cancel request was submitted": the cancel is asynchronous at Robinhood.
      await caller.send({ method: "POST", path: `${TRADING}/orders/${encodeURIComponent(id)}/cancel/`, cancelling: true, idempotent: true });
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const symbol = robinhoodSymbol(ticker, assetClass);
      const answer = await send(WireBestBidAskSchema, { method: "GET", path: `${MARKET_DATA}/best_bid_ask/?symbol=${encodeURIComponent(symbol)}` });
      const r = answer.results.find((x) => x.symbol === symbol);
      if (!r) throw new BrokerError(`Robinhood has no quote for ${symbol}.`, { code: "invalid-symbol", kind: "rejected", raw: answer });
      return toQuote(ticker, r, context.now());
    },
  };
}
