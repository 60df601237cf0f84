/**
 * The Binance Spot client: signed REST calls through `context.fetch` only.
 *
 * Every parameter travels in the query string (Binance allows it for every
 * method), so the signed payload is exactly the query string and requests
 * carry no body. Timestamps come from the core's clock plus an offset learned
 * from `GET /api/v3/time` after a -1021 (timestamp outside recvWindow): that
 * error means the request never reached the engine, so one resynced retry is
 * safe even for order placement.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  type AssetClass,
  toDecimal,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type OrderRef,
  type OrderRequest,
  type ClientFor,
  type InstrumentRules,
  type PluginContext,
  type Position,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorFromResponse } from "./errors";
import { BinanceSettingsSchema, type binanceCapabilities, type BinanceCredentials, type BinanceSettings } from "./manifest";
import { brokerOrderIdOf, newOrderParams, orderListParams, parseBrokerOrderId, protectedLimitPrice, roleOf, toBrokerOrder, type Params } from "./mapping";
import { buildQuery, signPayload } from "./signing";
import { binanceSymbol, tickerForAsset } from "./symbols";
import {
  WireAccountSchema,
  WireBookTickerSchema,
  WireExchangeInfoSchema,
  WireOrderListResultSchema,
  WireOrderSchema,
  WirePriceListSchema,
  WireServerTimeSchema,
  type WireAccount,
  type WireOrder,
} from "./wire";

/**
 * Symbol of each client order id this isolate has sent. Binance needs the
 * symbol to look an order up, and the core reconciles by client id alone;
 * the entry is written BEFORE sending, so a lost reply can still be found.
 * Keyed by API key, so connections never see each other's ids.
 */
const sentSymbols = new Map<string, string>();
const SENT_SYMBOLS_MAX = 5000;

function remember(apiKey: string, clientOrderId: string, symbol: string): void {
  if (sentSymbols.size >= SENT_SYMBOLS_MAX) {
    const oldest = sentSymbols.keys().next().value;
    if (oldest !== undefined) sentSymbols.delete(oldest);
  }
  sentSymbols.set(`${apiKey}\u0000${clientOrderId}`, symbol);
}

/** Test hook: forgets which symbol each client id was sent on, as a fresh isolate would. */
export function forgetSentSymbols(): void {
  sentSymbols.clear();
}

/** Reads connection settings, refusing bad ones with a message the trader can act on. */
export function parseBinanceSettings(settings: unknown): BinanceSettings {
  const parsed = BinanceSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Binance connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
      code: "invalid-settings",
      kind: "rejected",
    });
  }
  return parsed.data;
}

/** One Binance request: every parameter travels in the query string, which is exactly what gets signed. */
interface BinanceRequest extends VenueRequest {
  path: string;
  params: Params;
  signed?: boolean;
}

/** Builds a client for one Binance connection. Binance has one Spot account per key: `accountId` is ignored. */
export function createBinanceClient(context: PluginContext<BinanceCredentials, unknown>): ClientFor<typeof binanceCapabilities> {
  const settings = parseBinanceSettings(context.settings);
  const base = context.baseUrl.replace(/\/+$/, "");
  const { apiKey, secretKey } = context.credentials;
  let clockOffsetMs = 0;

  const caller = jsonCaller<BinanceRequest>({
    venue: "Binance",
    fetch: context.fetch,
    async sign(r) {
      let query = buildQuery(r.params);
      const headers = new Headers({ accept: "application/json" });
      if (r.signed) {
        const timing = buildQuery([
          ["recvWindow", String(settings.recvWindow)],
          ["timestamp", String(context.now().getTime() + clockOffsetMs)],
        ]);
        query = query === "" ? timing : `${query}&${timing}`;
        query = `${query}&signature=${await signPayload(secretKey, query)}`;
        headers.set("x-mbx-apikey", apiKey);
      }
      return new Request(`${base}${r.path}${query === "" ? "" : `?${query}`}`, { method: r.method, headers });
    },
    error: (answer, r) => errorFromResponse(answer.status, answer.body, answer.headers, r.placingOrder === true),
  });

  /** Learns the offset between the core's clock and Binance's. */
  async function syncClock(): Promise<void> {
    const before = context.now().getTime();
    const { serverTime } = await caller.call({ method: "GET", path: "/api/v3/time", params: [] }, WireServerTimeSchema);
    clockOffsetMs = serverTime - Math.round((before + context.now().getTime()) / 2);
  }

  async function call<S extends z.ZodType>(method: string, path: string, params: Params, schema: S, options: { signed?: boolean; placingOrder?: boolean } = {}): Promise<z.output<S>> {
    const request: BinanceRequest = { method, path, params, ...options };
    try {
      return await caller.call(request, schema);
    } catch (e) {
      // -1021 (timestamp outside recvWindow) is refused before the engine: resync the clock and try once more.
      if (!(e instanceof BrokerError && e.code === "clock-skew" && options.signed)) throw e;
      await syncClock();
      context.log.warn("binance: timestamp outside recvWindow; clock offset resynced", { offsetMs: clockOffsetMs });
      return caller.call(request, schema);
    }
  }

  const account = (): Promise<WireAccount> => call("GET", "/api/v3/account", [["omitZeroBalances", "true"]], WireAccountSchema, { signed: true });

  async function queryOrder(symbol: string, idParam: "orderId" | "origClientOrderId", id: string): Promise<WireOrder | null> {
    try {
      return await call("GET", "/api/v3/order", [["symbol", symbol], [idParam, id]], WireOrderSchema, { signed: true });
    } catch (e) {
      // Only Binance's own "no such order" means absent; anything else must not look like "never placed".
      if (e instanceof BrokerError && e.code === "order-not-found") return null;
      throw e;
    }
  }

  async function openOrders(): Promise<WireOrder[]> {
    const schema = WireOrderSchema.array();
    return call("GET", "/api/v3/openOrders", [], schema, { signed: true });
  }

  /**
   * Finds an order by client id without knowing its symbol: the symbol this
   * isolate sent it on, then the open orders, then every symbol the account
   * holds an asset in. A fully sold-out position's closed order can escape
   * the last step (see docs/brokers/binance.md).
   */
  /**
   * Writes down, before sending, which symbol a client order id goes to: in
   * this isolate's memory, and in the connection's durable order journal
   * (the core's, per connection), so a restarted Worker can still look the
   * order up. Binance keeps our client order id; the journal's entry is the
   * symbol the order is (or is about to be) on, Binance's other lookup key.
   */
  async function rememberSymbol(clientOrderId: string, symbol: string): Promise<void> {
    remember(apiKey, clientOrderId, symbol);
    await context.journal?.record(clientOrderId, symbol);
  }

  async function findByClientId(clientOrderId: string): Promise<WireOrder | null> {
    const known = sentSymbols.get(`${apiKey}\u0000${clientOrderId}`) ?? (await context.journal?.lookup(clientOrderId)) ?? undefined;
    if (known !== undefined) return queryOrder(known, "origClientOrderId", clientOrderId);
    // Neither memory nor journal (an order sent before the journal existed): search where it can be.
    const open = (await openOrders()).find((o) => o.clientOrderId === clientOrderId);
    if (open) return open;
    const acct = await account();
    for (const b of acct.balances) {
      if (b.asset === settings.quoteAsset || dec(b.free).plus(b.locked).eq(0)) continue;
      const found = await queryOrderQuietly(`${b.asset}${settings.quoteAsset}`, clientOrderId);
      if (found) return found;
    }
    return null;
  }

  async function queryOrderQuietly(symbol: string, clientOrderId: string): Promise<WireOrder | null> {
    try {
      return await queryOrder(symbol, "origClientOrderId", clientOrderId);
    } catch (e) {
      // A held asset without a book in the quote asset is not where the order is.
      if (e instanceof BrokerError && e.code === "invalid-symbol") return null;
      throw e;
    }
  }

  /** Best quote on our side, moved by the slippage cap and rounded to the symbol's tick. */
  async function protectedPrice(symbol: string, side: "buy" | "sell"): Promise<string> {
    const book = await call("GET", "/api/v3/ticker/bookTicker", [["symbol", symbol]], WireBookTickerSchema);
    const best = side === "buy" ? book.askPrice : book.bidPrice;
    if (!dec(best).gt(0)) {
      throw new BrokerError(`Binance has no ${side === "buy" ? "ask" : "bid"} for ${symbol}, so a market entry with exits cannot be priced.`, { code: "no-price", kind: "retryable" });
    }
    const info = await call("GET", "/api/v3/exchangeInfo", [["symbol", symbol]], WireExchangeInfoSchema);
    const tick = info.symbols.find((s) => s.symbol === symbol)?.filters.find((f) => f.filterType === "PRICE_FILTER")?.tickSize ?? null;
    return protectedLimitPrice(side, best, settings.bracketSlippagePercent, tick);
  }

  /** Adds parent and role to order-list legs: the list's first order is the working (entry) order. */
  async function withListLinks(orders: WireOrder[]): Promise<BrokerOrder[]> {
    const working = new Map<number, number>();
    for (const listId of new Set(orders.map((o) => o.orderListId ?? -1).filter((id) => id >= 0))) {
      const list = await call("GET", "/api/v3/orderList", [["orderListId", String(listId)]], WireOrderListResultSchema, { signed: true });
      const first = list.orders[0];
      if (first) working.set(listId, first.orderId);
    }
    return orders.map((o) => {
      const order = toBrokerOrder(o);
      const entryId = working.get(o.orderListId ?? -1);
      if (entryId !== undefined && entryId !== o.orderId) {
        order.parentBrokerOrderId = brokerOrderIdOf(o.symbol, entryId);
        order.role = roleOf(o);
      }
      return order;
    });
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const acct = await account();
      if (!acct.canTrade) {
        throw new BrokerError(
          'This Binance API key cannot trade: edit it in API Management and tick "Enable Spot & Margin Trading".',
          { code: "permission-denied", kind: "rejected", raw: acct },
        );
      }
      const label = context.environment === "live" ? "Binance Spot" : "Binance Spot Testnet";
      return [
        {
          brokerAccountId: acct.uid !== undefined ? String(acct.uid) : "spot",
          mode: context.environment,
          name: label,
          currency: settings.quoteAsset,
        },
      ];
    },

    async getBalance(): Promise<Balance> {
      const acct = await account();
      const prices = await call("GET", "/api/v3/ticker/price", [], WirePriceListSchema);
      const priceOf = new Map(prices.map((p) => [p.symbol, p.price]));
      let cash = dec(0);
      let free = dec(0);
      let equity = dec(0);
      for (const b of acct.balances) {
        const total = dec(b.free).plus(b.locked);
        if (b.asset === settings.quoteAsset) {
          cash = total;
          free = dec(b.free);
          equity = equity.plus(total);
        } else {
          // Assets without a book in the quote asset are left out of equity rather than guessed.
          const price = priceOf.get(`${b.asset}${settings.quoteAsset}`);
          if (price !== undefined) equity = equity.plus(total.times(price));
        }
      }
      return { currency: settings.quoteAsset, cash: toDecimal(cash), equity: toDecimal(equity), buyingPower: toDecimal(free), raw: acct };
    },

    async getPositions(): Promise<Position[]> {
      const acct = await account();
      return acct.balances
        .filter((b) => b.asset !== settings.quoteAsset && dec(b.free).plus(b.locked).gt(0))
        .map((b) => ({
          ticker: tickerForAsset(b.asset, settings.quoteAsset),
          quantity: toDecimal(dec(b.free).plus(b.locked)),
          // Spot balances carry no cost basis; "0" tells the core the average price is unknown.
          avgPrice: "0",
          raw: b,
        }));
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      return withListLinks(await openOrders());
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      if ("brokerOrderId" in ref) {
        const { symbol, orderId } = parseBrokerOrderId(ref.brokerOrderId);
        const o = await queryOrder(symbol, "orderId", orderId);
        return o ? toBrokerOrder(o) : null;
      }
      const o = await findByClientId(ref.clientOrderId);
      return o ? toBrokerOrder(o) : null;
    },

    async placeOrder(_accountId: string, req: OrderRequest): Promise<BrokerOrder> {
      const symbol = binanceSymbol(req.ticker, req.assetClass);
      const bracket = req.bracket;
      if (bracket && (bracket.takeProfit || bracket.stopLoss)) {
        // Order lists need a LIMIT entry: a market entry becomes a marketable limit with a price cap.
        const listed = req.type === "market" ? { ...req, type: "limit" as const, timeInForce: "gtc" as const, limitPrice: await protectedPrice(symbol, req.side) } : req;
        const { path, params } = orderListParams(listed, symbol, bracket);
        // The legs' ids are derived from the entry's; remember them too so their fills can be looked up.
        for (const [k, v] of params) if (k === "workingClientOrderId" || k.endsWith("ClientOrderId")) await rememberSymbol(v, symbol);
        const list = await call("POST", path, params, WireOrderListResultSchema, { signed: true, placingOrder: true });
        const entry = list.orderReports?.find((r) => r.clientOrderId === req.clientOrderId);
        if (entry) return toBrokerOrder(entry);
        // The list is booked: a failed read-back must not look retryable (a resend could double it).
        const found = await queryOrder(symbol, "origClientOrderId", req.clientOrderId).catch(() => null);
        if (!found) throw new BrokerError("Binance accepted the order list but its entry order cannot be read back yet.", { code: "bad-response", kind: "outcome-unknown", raw: list });
        return toBrokerOrder(found);
      }
      const params = newOrderParams(req, symbol);
      await rememberSymbol(req.clientOrderId, symbol);
      return toBrokerOrder(await call("POST", "/api/v3/order", params, WireOrderSchema, { signed: true, placingOrder: true }));
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      let symbol: string;
      let idParam: Params[number];
      if ("brokerOrderId" in ref) {
        const parsed = parseBrokerOrderId(ref.brokerOrderId);
        symbol = parsed.symbol;
        idParam = ["orderId", parsed.orderId];
      } else {
        const found = await findByClientId(ref.clientOrderId);
        if (!found) throw new BrokerError(`Binance has no order ${ref.clientOrderId}.`, { code: "order-not-found", kind: "rejected" });
        symbol = found.symbol;
        idParam = ["origClientOrderId", ref.clientOrderId];
      }
      // Cancelling one leg of an order list cancels the whole list (documented).
      await call("DELETE", "/api/v3/order", [["symbol", symbol], idParam], WireOrderSchema, { signed: true });
    },

    /**
     * The symbol's filters (filters.md), which Binance checks on every order
     * (-1013 "Filter failure"): PRICE_FILTER tickSize, LOT_SIZE stepSize /
     * minQty / maxQty, NOTIONAL (or the older MIN_NOTIONAL) minNotional. The
     * host caches them per connection and rounds and checks each order with
     * them before it is sent. A zero disables a filter's bound (filters.md).
     */
    async instrumentRules(ticker: string, assetClass: AssetClass): Promise<InstrumentRules> {
      const symbol = binanceSymbol(ticker, assetClass);
      const info = await call("GET", "/api/v3/exchangeInfo", [["symbol", symbol]], WireExchangeInfoSchema);
      const listing = info.symbols.find((s) => s.symbol === symbol);
      if (!listing) throw new BrokerError(`Binance lists no ${symbol} market.`, { code: "invalid-symbol", kind: "rejected", raw: info });
      const filter = (type: string) => listing.filters.find((f) => f.filterType === type);
      const positive = (v: string | undefined) => (v !== undefined && dec(v).gt(0) ? toDecimal(v) : undefined);
      const tick = positive(filter("PRICE_FILTER")?.tickSize);
      const lot = filter("LOT_SIZE");
      const step = positive(lot?.stepSize);
      const minQty = positive(lot?.minQty);
      const maxQty = positive(lot?.maxQty);
      const minNotional = positive((filter("NOTIONAL") ?? filter("MIN_NOTIONAL"))?.minNotional);
      return {
        ...(tick && { tickSize: tick }),
        ...(step && { lotStep: step }),
        ...(minQty && { minQuantity: minQty }),
        ...(maxQty && { maxQuantity: maxQty }),
        ...(minNotional && { minNotional }),
      };
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const symbol = binanceSymbol(ticker, assetClass);
      const t = await call("GET", "/api/v3/ticker/bookTicker", [["symbol", symbol]], WireBookTickerSchema);
      const bid = dec(t.bidPrice);
      const ask = dec(t.askPrice);
      return {
        ticker,
        bid: bid.gt(0) ? toDecimal(bid) : null,
        ask: ask.gt(0) ? toDecimal(ask) : null,
        last: null,
        at: context.now().toISOString(),
      };
    },
  };
}
