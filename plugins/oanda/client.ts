/**
 * The OANDA v20 client: every request goes through `context.fetch` (the
 * core's timeout and rate limit), authenticated with the personal access
 * token as a bearer token.
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
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type InstrumentRules,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { cancelReasonOutcome, errorFromResponse } from "./errors";
import { OANDA_LIVE_URL, OANDA_PRACTICE_URL, type OandaCredentials, type oandaCapabilities, type OandaSettings } from "./manifest";
import { fillPrice, isDependentOrder, toBalance, toBrokerOrder, toOandaOrder, toPositions } from "./mapping";
import { oandaInstrument, tickerFromInstrument } from "./symbols";
import {
  AccountListSchema,
  AccountSummaryResponseSchema,
  CancelOrderResponseSchema,
  CreateOrderResponseSchema,
  FillTransactionSchema,
  InstrumentsSchema,
  OpenPositionsSchema,
  OpenTradesSchema,
  OrderListSchema,
  OrderResponseSchema,
  PricingSchema,
  TradeResponseSchema,
  TransactionResponseSchema,
  type WireFill,
  type WireOrder,
} from "./wire";

/** One OANDA request: a path (under the connection's base URL unless `baseUrl` says otherwise) and a JSON body. */
interface OandaRequest extends VenueRequest {
  path: string;
  body?: unknown;
  /** Send to this base URL instead of the connection's (testConnection's environment probe). */
  baseUrl?: string;
}

/** Parsed body plus the raw JSON (kept for the log). */
interface Answer<T> {
  data: T;
  raw: unknown;
}

/** `GET /orders/{specifier}`: an OANDA order id, or our client id prefixed with `@`. */
function orderSpecifier(ref: OrderRef): string {
  return "brokerOrderId" in ref ? encodeURIComponent(ref.brokerOrderId) : `@${encodeURIComponent(ref.clientOrderId)}`;
}

/** Builds a client for one OANDA connection. */
export function createOandaClient(context: PluginContext<OandaCredentials, OandaSettings>): ClientFor<typeof oandaCapabilities> {
  const base = context.baseUrl.replace(/\/+$/, "");
  let quoteAccount: Promise<string> | undefined;

  /** The token's first v20 account: pricing and instruments are per account, the contract's reads of them are not. */
  async function firstAccount(): Promise<string> {
    quoteAccount ??= listAccountIds().then((ids) => {
      if (!ids[0]) throw new BrokerError("This OANDA login has no account to read prices with.", { code: "no-usable-account", kind: "rejected" });
      return ids[0];
    });
    try {
      return await quoteAccount;
    } catch (e) {
      quoteAccount = undefined;
      throw e;
    }
  }

  const caller = jsonCaller<OandaRequest>({
    venue: "OANDA",
    fetch: context.fetch,
    sign(r) {
      const headers = new Headers({
        authorization: `Bearer ${context.credentials.token}`,
        accept: "application/json",
        // RFC 3339 is OANDA's default too; asking for it keeps timestamps parseable whatever the account says.
        "accept-datetime-format": "RFC3339",
      });
      if (r.body !== undefined) headers.set("content-type", "application/json");
      return new Request(`${r.baseUrl ?? base}${r.path}`, { method: r.method, headers, body: r.body === undefined ? null : JSON.stringify(r.body) });
    },
    error: (answer, r) => errorFromResponse(answer.status, answer.body, answer.headers, r.placingOrder === true, context.now()),
  });

  async function call<S extends z.ZodType>(method: string, path: string, schema: S, options: Omit<OandaRequest, "method" | "path"> = {}): Promise<Answer<z.output<S>>> {
    const request: OandaRequest = { method, path, ...options };
    const answer = await caller.send(request);
    return { data: caller.parse(schema, answer, request), raw: answer.body };
  }

  const account = (accountId: string) => `/accounts/${encodeURIComponent(accountId)}`;

  /** The ORDER_FILL transaction with this id, or undefined if it is some other transaction. */
  async function fillTransaction(accountId: string, transactionId: string): Promise<WireFill | undefined> {
    const { data } = await call("GET", `${account(accountId)}/transactions/${encodeURIComponent(transactionId)}`, TransactionResponseSchema);
    const fill = FillTransactionSchema.safeParse(data.transaction);
    return fill.success ? fill.data : undefined;
  }

  async function normalize(accountId: string, order: WireOrder, raw: unknown): Promise<BrokerOrder> {
    // A filled order only names its fill; its units and price live in that transaction.
    const fill = order.state === "FILLED" && order.fillingTransactionID ? await fillTransaction(accountId, order.fillingTransactionID) : undefined;
    if (!isDependentOrder(order)) return toBrokerOrder(order, { ...(fill && { fill }), raw });
    const trades = await call("GET", `${account(accountId)}/trades/${encodeURIComponent(order.tradeID!)}`, TradeResponseSchema);
    return toBrokerOrder(order, { ...(fill && { fill }), trade: trades.data.trade, raw });
  }

  /** Accounts this token reaches, without MT4-linked ones (OANDA: never set client extensions on those). */
  async function listAccountIds(baseUrl?: string): Promise<string[]> {
    const { data } = await call("GET", "/accounts", AccountListSchema, baseUrl === undefined ? {} : { baseUrl });
    return data.accounts.filter((a) => a.mt4AccountID === undefined).map((a) => a.id);
  }

  /**
   * OANDA answers a token from the other environment with the same 401 as a
   * bad token. When the connection uses a standard OANDA host, one probe of
   * the other host tells "wrong environment" from "bad token".
   */
  async function explainUnauthorized(error: BrokerError): Promise<BrokerError> {
    const standard = context.environment === "live" ? OANDA_LIVE_URL : OANDA_PRACTICE_URL;
    const other = context.environment === "live" ? OANDA_PRACTICE_URL : OANDA_LIVE_URL;
    if (base !== standard) return error;
    try {
      await listAccountIds(other);
    } catch {
      return error;
    }
    const here = context.environment === "live" ? "live" : "practice";
    const there = context.environment === "live" ? "practice" : "live";
    return new BrokerError(`This token belongs to OANDA's ${there} environment, but the connection is set to ${here}.`, {
      code: "wrong-environment",
      kind: "auth-expired",
      status: 401,
      raw: error.raw,
    });
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      let ids: string[];
      try {
        ids = await listAccountIds();
      } catch (e) {
        if (e instanceof BrokerError && e.status === 401) throw await explainUnauthorized(e);
        throw e;
      }
      if (ids.length === 0) {
        throw new BrokerError("This OANDA login has no v20 account that the API can trade (MT4-linked accounts cannot be used).", {
          code: "no-usable-account",
          kind: "rejected",
        });
      }
      const mode = context.environment === "live" ? "live" : "paper";
      return Promise.all(
        ids.map(async (id) => {
          const { data } = await call("GET", `${account(id)}/summary`, AccountSummaryResponseSchema);
          return { brokerAccountId: id, mode, name: data.account.alias ?? id, currency: data.account.currency } satisfies BrokerAccount;
        }),
      );
    },

    async getBalance(accountId: string): Promise<Balance> {
      const { data, raw } = await call("GET", `${account(accountId)}/summary`, AccountSummaryResponseSchema);
      return toBalance(data, raw);
    },

    async getPositions(accountId: string): Promise<Position[]> {
      return toPositions((await call("GET", `${account(accountId)}/openPositions`, OpenPositionsSchema)).data);
    },

    async getOpenOrders(accountId: string): Promise<BrokerOrder[]> {
      const { data } = await call("GET", `${account(accountId)}/pendingOrders`, OrderListSchema);
      const dependents = data.orders.filter(isDependentOrder);
      if (dependents.length === 0) return data.orders.map((o) => toBrokerOrder(o));
      // Take profits and stop losses name only their trade: the trade gives instrument and size, and
      // its id is the id of the fill that opened it, whose orderID is the bracket's entry order.
      const trades = new Map((await call("GET", `${account(accountId)}/openTrades`, OpenTradesSchema)).data.trades.map((t) => [t.id, t]));
      const parents = new Map<string, string | undefined>();
      for (const tradeId of new Set(dependents.map((o) => o.tradeID!))) {
        parents.set(tradeId, (await fillTransaction(accountId, tradeId))?.orderID);
      }
      return data.orders.map((o) => {
        if (!isDependentOrder(o)) return toBrokerOrder(o);
        const trade = trades.get(o.tradeID!);
        const parent = parents.get(o.tradeID!);
        return toBrokerOrder(o, { ...(trade && { trade }), ...(parent !== undefined && { parentBrokerOrderId: parent }) });
      });
    },

    async getOrder(accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      try {
        const { data, raw } = await call("GET", `${account(accountId)}/orders/${orderSpecifier(ref)}`, OrderResponseSchema);
        return await normalize(accountId, data.order, raw);
      } catch (e) {
        // Only OANDA's own "no such order" means null: a 404 for the account must not read as
        // "never placed", or reconciliation would place the order a second time.
        if (e instanceof BrokerError && e.code === "order-not-found") return null;
        throw e;
      }
    },

    async placeOrder(accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      const body = { order: toOandaOrder(order) };
      const { data, raw } = await call("POST", `${account(accountId)}/orders`, CreateOrderResponseSchema, { body, placingOrder: true });
      const created = data.orderCreateTransaction;
      const fill = data.orderFillTransaction;
      const cancel = data.orderCancelTransaction;
      const quantity = toDecimal(dec(body.order.units).abs());
      const filled = fill ? toDecimal(dec(fill.units).abs()) : "0";
      let status: BrokerOrder["status"] = fill ? (dec(filled).eq(quantity) ? "filled" : "partially_filled") : "open";
      if (cancel && !fill) {
        // 201 + orderCancelTransaction: accepted, then cancelled at once (e.g. INSUFFICIENT_MARGIN).
        const outcome = cancelReasonOutcome(cancel.reason);
        if ("refusal" in outcome) {
          throw new BrokerError(`OANDA cancelled the order at once: ${cancel.reason ?? "no reason given"}.`, {
            code: outcome.refusal.code,
            kind: outcome.refusal.kind,
            status: 201,
            raw,
          });
        }
        status = outcome.status;
      } else if (cancel && status === "partially_filled") {
        status = "cancelled"; // IOC: the unfilled rest was cancelled
      }
      return {
        brokerOrderId: created.id,
        clientOrderId: order.clientOrderId,
        ticker: tickerFromInstrument(body.order.instrument),
        side: order.side,
        type: order.type,
        quantity,
        limitPrice: order.type === "limit" ? (body.order.price ?? null) : null,
        stopPrice: order.type === "stop" ? (body.order.price ?? null) : null,
        timeInForce: order.timeInForce,
        status,
        filledQuantity: filled,
        avgFillPrice: fill ? fillPrice(fill) : null,
        ...(created.time !== undefined && { createdAt: created.time }),
        raw,
      };
    },

    async cancelOrder(accountId: string, ref: OrderRef): Promise<void> {
      await call("PUT", `${account(accountId)}/orders/${orderSpecifier(ref)}/cancel`, CancelOrderResponseSchema);
    },

    /**
     * The instrument's price and unit precision: OANDA refuses a price with
     * more decimals than `displayPrecision` (PRICE_PRECISION_EXCEEDED), so the
     * host rounds every price (bracket exits included) onto that grid first.
     */
    async instrumentRules(ticker: string): Promise<InstrumentRules> {
      const instrument = oandaInstrument(ticker);
      const { data } = await call("GET", `${account(await firstAccount())}/instruments?instruments=${encodeURIComponent(instrument)}`, InstrumentsSchema);
      const found = data.instruments.find((i) => i.name === instrument);
      if (!found) throw new BrokerError(`OANDA does not offer ${instrument} to this account.`, { code: "invalid-symbol", kind: "rejected" });
      const step = (decimals: number): string => toDecimal(dec(1).div(dec(10).pow(decimals)));
      return {
        tickSize: step(found.displayPrecision),
        lotStep: step(found.tradeUnitsPrecision),
        ...(found.minimumTradeSize !== undefined && dec(found.minimumTradeSize).gt(0) && { minQuantity: found.minimumTradeSize }),
        ...(found.maximumOrderUnits !== undefined && dec(found.maximumOrderUnits).gt(0) && { maxQuantity: found.maximumOrderUnits }),
      };
    },

    async getQuote(ticker: string, _assetClass: AssetClass): Promise<Quote> {
      const accountId = await firstAccount();
      const instrument = oandaInstrument(ticker);
      const { data } = await call("GET", `${account(accountId)}/pricing?instruments=${encodeURIComponent(instrument)}`, PricingSchema);
      const price = data.prices.find((p) => p.instrument === instrument);
      if (!price) throw new BrokerError(`OANDA sent no price for ${instrument}.`, { code: "invalid-symbol", kind: "rejected" });
      // The first bucket is the top of the book. OANDA has no last-trade price for OTC forex.
      return { ticker: tickerFromInstrument(instrument), bid: price.bids[0]?.price ?? null, ask: price.asks[0]?.price ?? null, last: null, at: price.time };
    },
  };
}
