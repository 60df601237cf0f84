/**
 * The Alpaca client: Trading API v2 over `context.fetch` (never the global
 * fetch), plus latest quotes from Market Data.
 *
 * Idempotency: the core's client order id is sent as `client_order_id`.
 * Alpaca refuses a second order with the same id forever (HTTP 422
 * "client_order_id must be unique"), so a resend after a lost reply can never
 * double an order; the core then finds the first one with
 * `GET /v2/orders:by_client_order_id`.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  TERMINAL_ORDER_STATUSES,
  toDecimal,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderChanges,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorFromResponse, isOrderNotFound } from "./errors";
import {
  ALPACA_DATA_URL,
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  AlpacaSettingsSchema,
  type alpacaCapabilities,
  type AlpacaCredentials,
  type AlpacaSettings,
} from "./manifest";
import { flattenOrders, toAccount, toBalance, toBrokerOrder, toNewOrderBody, toPosition, toQuote } from "./mapping";
import { alpacaSymbol } from "./symbols";
import {
  WireAccountSchema,
  WireLatestQuotesSchema,
  WireOrderListSchema,
  WireOrderSchema,
  WirePositionListSchema,
  type WireAccount,
} from "./wire";

/** Orders per page on `GET /v2/orders`; 500 is Alpaca's documented maximum. */
const OPEN_ORDERS_LIMIT = 500;

/** One Alpaca request: the URL and method, and a JSON body. */
interface AlpacaRequest extends VenueRequest {
  url: string;
  body?: unknown;
}

/** Reads connection settings, refusing bad ones with a message the trader can act on. */
export function parseAlpacaSettings(settings: unknown): AlpacaSettings {
  const parsed = AlpacaSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Alpaca connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
      code: "invalid-settings",
      kind: "rejected",
    });
  }
  return parsed.data;
}

/**
 * Market data is on data.alpaca.markets for both environments. When the
 * trading host is overridden (proxy, local fake broker) the same host serves
 * both, so a fake broker sees every request. There is deliberately no
 * separate data-host setting: the key travels to that host, and only the
 * core validates `baseUrl` (https, or http to loopback in development).
 */
export function dataBaseUrl(tradingBaseUrl: string): string {
  const trading = tradingBaseUrl.replace(/\/+$/, "");
  return trading === ALPACA_PAPER_URL || trading === ALPACA_LIVE_URL ? ALPACA_DATA_URL : trading;
}

/** Latest-quotes path per asset class (Market Data v2 stocks, v1beta3 crypto, v1beta1 options). */
function quotesPath(assetClass: AssetClass): string {
  if (assetClass === "crypto") return "/v1beta3/crypto/us/latest/quotes";
  if (assetClass === "options") return "/v1beta1/options/quotes/latest";
  return "/v2/stocks/quotes/latest";
}

/** Builds a client for one Alpaca connection. An Alpaca key reaches exactly one account. */
export function createAlpacaClient(context: PluginContext<AlpacaCredentials, unknown>): ClientFor<typeof alpacaCapabilities> {
  const settings = parseAlpacaSettings(context.settings);
  const environment = context.environment;
  const base = context.baseUrl.replace(/\/+$/, "");
  const dataBase = dataBaseUrl(base);
  // Two ways in: an API key pair, or (a connection made through Alpaca's OAuth) the session's bearer token.
  const { keyId, secretKey } = context.credentials;

  // Alpaca authenticates every request with the key pair in two headers, or (OAuth) the session's
  // bearer token; bodies are JSON.
  const caller = jsonCaller<AlpacaRequest>({
    venue: "Alpaca",
    fetch: context.fetch,
    session: context.session,
    sign(r, authorization) {
      const headers = new Headers(
        authorization !== undefined
          ? { accept: "application/json", authorization }
          : { accept: "application/json", "apca-api-key-id": keyId, "apca-api-secret-key": secretKey },
      );
      if (r.body !== undefined) headers.set("content-type", "application/json");
      return new Request(r.url, { method: r.method, headers, body: r.body === undefined ? null : JSON.stringify(r.body) });
    },
    error: (answer, r) => errorFromResponse(answer.status, answer.body, answer.headers, { placingOrder: r.placingOrder === true, environment, now: context.now() }),
  });

  /** One round trip: the parsed body, or a BrokerError (error body kept in `raw`). */
  function call<S extends z.ZodType>(method: string, url: string, schema: S, options: { body?: unknown; placingOrder?: boolean } = {}): Promise<z.output<S>> {
    return caller.call({ method, url, ...options }, schema);
  }

  const trading = (path: string): string => `${base}${path}`;

  async function account(): Promise<WireAccount> {
    return call("GET", trading("/v2/account"), WireAccountSchema);
  }

  /**
   * Alpaca answers a key of the other environment with the same 401 as a bad
   * key. On Alpaca's own hosts, one probe of the other host tells them apart.
   */
  async function explainUnauthorized(error: BrokerError): Promise<BrokerError> {
    const official = environment === "live" ? ALPACA_LIVE_URL : ALPACA_PAPER_URL;
    const other = environment === "live" ? ALPACA_PAPER_URL : ALPACA_LIVE_URL;
    if (base !== official) return error;
    try {
      await call("GET", `${other}/v2/account`, WireAccountSchema);
    } catch {
      return error;
    }
    const there = environment === "live" ? "paper" : "live";
    return new BrokerError(`This Alpaca key belongs to the ${there} environment, but the connection is set to ${environment}.`, {
      code: "wrong-environment",
      kind: "auth-expired",
      status: 401,
      raw: error.raw,
    });
  }

  async function orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const url = trading(`/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`);
    try {
      return toBrokerOrder(await call("GET", url, WireOrderSchema));
    } catch (e) {
      // Only Alpaca's own "order not found" means "never placed"; anything else must not.
      if (isOrderNotFound(e)) return null;
      throw e;
    }
  }

  async function brokerIdOf(ref: OrderRef): Promise<string> {
    if ("brokerOrderId" in ref) return ref.brokerOrderId;
    const found = await orderByClientId(ref.clientOrderId);
    if (!found) {
      throw new BrokerError(`Alpaca has no order with client order id ${ref.clientOrderId}.`, { code: "order-not-found", kind: "rejected", status: 404 });
    }
    return found.brokerOrderId;
  }

  async function orderById(brokerOrderId: string): Promise<BrokerOrder | null> {
    try {
      // nested=true: an entry shows its legs, so a bracket order without legs is known to be a leg.
      return toBrokerOrder(await call("GET", trading(`/v2/orders/${encodeURIComponent(brokerOrderId)}?nested=true`), WireOrderSchema), undefined, true);
    } catch (e) {
      if (isOrderNotFound(e)) return null;
      throw e;
    }
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      let a: WireAccount;
      try {
        a = await account();
      } catch (e) {
        if (e instanceof BrokerError && e.status === 401) throw await explainUnauthorized(e);
        throw e;
      }
      // Codes the core turns into one sentence for the trader (worker/connections/test-messages.ts).
      if (a.trade_suspended_by_user === true) {
        throw new BrokerError(
          `Trading is suspended by the account's own setting on the Alpaca ${environment} account ${a.account_number}; turn it back on in the Alpaca dashboard (Account → Configure).`,
          { code: "trading-suspended", kind: "rejected", raw: a },
        );
      }
      if (a.account_blocked === true || a.trading_blocked === true || (a.status !== "ACTIVE" && a.status !== "APPROVED")) {
        const why = a.account_blocked === true ? "blocked" : a.trading_blocked === true ? "blocked from trading" : `in status ${a.status}`;
        throw new BrokerError(`Alpaca reports the ${environment} account ${a.account_number} as ${why}; it cannot trade until Alpaca enables it.`, {
          code: "no-usable-account",
          kind: "rejected",
          raw: a,
        });
      }
      return [toAccount(a, environment)];
    },

    async getBalance(): Promise<Balance> {
      return toBalance(await account());
    },

    async getPositions(): Promise<Position[]> {
      return (await call("GET", trading("/v2/positions"), WirePositionListSchema)).map(toPosition);
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      // nested=true rolls bracket legs under their entry, which is the only way Alpaca tells which entry a leg belongs to.
      const list = await call("GET", trading(`/v2/orders?status=open&nested=true&limit=${OPEN_ORDERS_LIMIT}`), WireOrderListSchema);
      return flattenOrders(list, (o) => !TERMINAL_ORDER_STATUSES.has(o.status));
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      return "brokerOrderId" in ref ? orderById(ref.brokerOrderId) : orderByClientId(ref.clientOrderId);
    },

    async placeOrder(_accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      // The host already ran the shared capability check and Alpaca's venue rules (venue-rules.ts).
      const body = toNewOrderBody(order, alpacaSymbol(order.ticker, order.assetClass), order.clientOrderId);
      return toBrokerOrder(await call("POST", trading("/v2/orders"), WireOrderSchema, { body, placingOrder: true }));
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      const id = await brokerIdOf(ref);
      // 204 = cancel accepted (the order may pass through pending_cancel); 422 = no longer cancelable.
      await caller.send({ method: "DELETE", url: trading(`/v2/orders/${encodeURIComponent(id)}`) });
    },

    async modifyOrder(_accountId: string, ref: OrderRef, changes: OrderChanges): Promise<BrokerOrder> {
      const id = await brokerIdOf(ref);
      // PATCH replaces the order: Alpaca books a new order (new id, new client order id) and the old one ends `replaced`.
      const body: Record<string, string> = {};
      if (changes.quantity !== undefined) body.qty = toDecimal(changes.quantity);
      if (changes.limitPrice !== undefined) body.limit_price = toDecimal(changes.limitPrice);
      if (changes.stopPrice !== undefined) body.stop_price = toDecimal(changes.stopPrice);
      if (changes.timeInForce !== undefined) body.time_in_force = changes.timeInForce;
      return toBrokerOrder(await call("PATCH", trading(`/v2/orders/${encodeURIComponent(id)}`), WireOrderSchema, { body, placingOrder: true }));
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const symbol = alpacaSymbol(ticker, assetClass);
      const feed = assetClass === "stocks" && settings.dataFeed ? `&feed=${settings.dataFeed}` : "";
      const url = `${dataBase}${quotesPath(assetClass)}?symbols=${encodeURIComponent(symbol)}${feed}`;
      const { quotes } = await call("GET", url, WireLatestQuotesSchema);
      const q = quotes[symbol];
      if (!q) throw new BrokerError(`Alpaca has no quote for ${symbol}.`, { code: "invalid-symbol", kind: "rejected", raw: quotes });
      return toQuote(ticker, q);
    },
  };
}
