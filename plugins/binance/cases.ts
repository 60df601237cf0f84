/**
 * Binance conformance inputs in the kit's format: static request cases
 * (layer 1), recorded-response cases (layer 2) and the documented signing
 * vectors. `binance.test.ts` hands them to the kit and also runs them with a
 * small local runner.
 *
 * @module
 */
import type { RecordedFixture, SigningVector, StaticRequestCase, StaticResponseCase } from "../testkit";
import type { OrderRequest } from "../sdk";
import account from "./fixtures/account.json";
import accountCannotTrade from "./fixtures/account-cannot-trade.json";
import bookTicker from "./fixtures/book-ticker.json";
import cancelOrder from "./fixtures/cancel-order.json";
import errApiKey from "./fixtures/error-api-key.json";
import errCancelUnknown from "./fixtures/error-cancel-unknown.json";
import errDuplicate from "./fixtures/error-duplicate-order.json";
import errUnknown from "./fixtures/error-execution-unknown.json";
import exchangeInfo from "./fixtures/exchange-info.json";
import errFunds from "./fixtures/error-insufficient-balance.json";
import errSymbol from "./fixtures/error-invalid-symbol.json";
import errNotional from "./fixtures/error-min-notional.json";
import errNoSuchOrder from "./fixtures/error-no-such-order.json";
import errRate from "./fixtures/error-rate-limit.json";
import errTimestamp from "./fixtures/error-timestamp.json";
import openOrders from "./fixtures/open-orders.json";
import newResult from "./fixtures/order-new-result.json";
import partial from "./fixtures/order-partially-filled.json";
import queryOrder from "./fixtures/order-query.json";
import otoco from "./fixtures/orderlist-otoco.json";
import tickerPrice from "./fixtures/ticker-price.json";
import { signPayload } from "./signing";

/** Obviously fake test credentials (the documented example key is used only for the signing vectors). */
export const TEST_CREDENTIALS = { apiKey: "test-binance-api-key", secretKey: "test-binance-secret-key" };
export const TEST_BASE = "https://testnet.binance.vision";
/** The kit's default fixed clock: 2026-01-02T03:04:05.000Z. */
export const TEST_NOW = new Date("2026-01-02T03:04:05.000Z");
const TS = String(TEST_NOW.getTime());
/** The signature is checked by the signing vectors and by the fake; here it is masked (present, any value). */
const SIGNED_TAIL = `recvWindow=5000&timestamp=${TS}&signature=<skipped>`;
const HEADERS = { accept: "application/json", "x-mbx-apikey": TEST_CREDENTIALS.apiKey };

const fixture = (f: unknown): RecordedFixture => f as RecordedFixture;

/**
 * The symbol's filters (the documented exchangeInfo example), which the host
 * reads once per connection and symbol before the first order: every
 * placement below starts with this read.
 */
export function rulesFor(symbol: string, minNotional = "5.00000000"): RecordedFixture {
  const f = structuredClone(exchangeInfo) as typeof exchangeInfo;
  const listing = f.response.body.symbols[0]!;
  listing.symbol = symbol;
  for (const filter of listing.filters as { filterType: string; minNotional?: string }[]) if (filter.filterType === "NOTIONAL") filter.minNotional = minNotional;
  return fixture(f);
}

/** The filters read of BTCUSDT, and the request that reads them. */
export const RULES_REPLY = rulesFor("BTCUSDT");
const RULES_READ = { method: "GET", url: `${TEST_BASE}/api/v3/exchangeInfo?symbol=BTCUSDT` } as const;

/** The documented OTOCO answer, with the working order carrying our client id. */
function otocoFor(clientOrderId: string): RecordedFixture {
  const f = structuredClone(otoco) as typeof otoco;
  const working = f.response.body.orderReports[0];
  if (working) working.clientOrderId = clientOrderId;
  return fixture(f);
}

export const CID = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";

export const limitBuy: OrderRequest = {
  clientOrderId: CID,
  ticker: "BTCUSD",
  assetClass: "crypto",
  side: "buy",
  quantity: "0.5",
  type: "limit",
  timeInForce: "gtc",
  limitPrice: "60000",
};

export const requestCases: StaticRequestCase[] = [
  {
    name: "market buy: POST /api/v3/order, everything in the signed query, RESULT response",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, type: "market", limitPrice: undefined, quantity: "0.001" }),
    replies: [RULES_REPLY, fixture(newResult)],
    expected: [
      RULES_READ,
      {
        method: "POST",
        url: `${TEST_BASE}/api/v3/order?symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId=${CID}&newOrderRespType=RESULT&${SIGNED_TAIL}`,
        headers: HEADERS,
      },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "limit sell, day → GTC",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, side: "sell", timeInForce: "day" }),
    replies: [RULES_REPLY, fixture(newResult)],
    expected: [
      RULES_READ,
      {
        method: "POST",
        url: `${TEST_BASE}/api/v3/order?symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000&newClientOrderId=${CID}&newOrderRespType=RESULT&${SIGNED_TAIL}`,
        headers: HEADERS,
      },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "stop, stop-limit and a percent trailing stop",
    call: async (c, a) => {
      await c.placeOrder(a, { ...limitBuy, side: "sell", type: "stop", limitPrice: undefined, stopPrice: "55000" });
      await c.placeOrder(a, { ...limitBuy, side: "sell", type: "stop_limit", limitPrice: "54900", stopPrice: "55000", timeInForce: "ioc" });
      await c.placeOrder(a, { ...limitBuy, side: "sell", type: "trailing_stop", limitPrice: undefined, trailPercent: "1.5" });
    },
    replies: [RULES_REPLY, fixture(newResult), fixture(newResult), fixture(newResult)],
    expected: [
      RULES_READ,
      { method: "POST", url: `${TEST_BASE}/api/v3/order?symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.5&stopPrice=55000&newClientOrderId=${CID}&newOrderRespType=RESULT&${SIGNED_TAIL}` },
      {
        method: "POST",
        url: `${TEST_BASE}/api/v3/order?symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&timeInForce=IOC&quantity=0.5&price=54900&stopPrice=55000&newClientOrderId=${CID}&newOrderRespType=RESULT&${SIGNED_TAIL}`,
      },
      { method: "POST", url: `${TEST_BASE}/api/v3/order?symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.5&trailingDelta=150&newClientOrderId=${CID}&newOrderRespType=RESULT&${SIGNED_TAIL}` },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "bracket entry: POST /api/v3/orderList/otoco with derived leg and list ids",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, bracket: { takeProfit: { limitPrice: "66000" }, stopLoss: { type: "stop", stopPrice: "57000" } } }),
    replies: [RULES_REPLY, otocoFor(CID)],
    expected: [
      RULES_READ,
      {
        method: "POST",
        url:
          `${TEST_BASE}/api/v3/orderList/otoco?symbol=BTCUSDT&listClientOrderId=ls0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&workingType=LIMIT&workingSide=BUY&workingClientOrderId=${CID}&workingPrice=60000&workingQuantity=0.5&workingTimeInForce=GTC` +
          `&pendingSide=SELL&pendingQuantity=0.5` +
          `&pendingAboveType=LIMIT_MAKER&pendingAbovePrice=66000&pendingAboveClientOrderId=tp0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&pendingBelowType=STOP_LOSS&pendingBelowStopPrice=57000&pendingBelowClientOrderId=sl0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&newOrderRespType=RESULT&${SIGNED_TAIL}`,
      },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "market entry with exits: book ticker, tick size, then an OTOCO whose LIMIT entry is capped 0.5% through the ask",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, type: "market", limitPrice: undefined, bracket: { takeProfit: { limitPrice: "66000" }, stopLoss: { type: "stop", stopPrice: "57000" } } }),
    replies: [RULES_REPLY, 
      { status: 200, body: { symbol: "BTCUSDT", bidPrice: "60000.00000000", bidQty: "1.00000000", askPrice: "60000.01000000", askQty: "1.00000000" } },
      fixture(exchangeInfo),
      otocoFor(CID),
    ],
    expected: [
      RULES_READ,
      { method: "GET", url: `${TEST_BASE}/api/v3/ticker/bookTicker?symbol=BTCUSDT` },
      { method: "GET", url: `${TEST_BASE}/api/v3/exchangeInfo?symbol=BTCUSDT` },
      {
        method: "POST",
        // 60000.01 × 1.005 = 60300.01005, rounded up to the 0.01 tick.
        url:
          `${TEST_BASE}/api/v3/orderList/otoco?symbol=BTCUSDT&listClientOrderId=ls0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&workingType=LIMIT&workingSide=BUY&workingClientOrderId=${CID}&workingPrice=60300.02&workingQuantity=0.5&workingTimeInForce=GTC` +
          `&pendingSide=SELL&pendingQuantity=0.5` +
          `&pendingAboveType=LIMIT_MAKER&pendingAbovePrice=66000&pendingAboveClientOrderId=tp0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&pendingBelowType=STOP_LOSS&pendingBelowStopPrice=57000&pendingBelowClientOrderId=sl0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&newOrderRespType=RESULT&${SIGNED_TAIL}`,
      },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "one exit: POST /api/v3/orderList/oto with a trailing stop leg",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, bracket: { stopLoss: { type: "trailing_stop", trailPercent: "2" } } }),
    replies: [RULES_REPLY, otocoFor(CID)],
    expected: [
      RULES_READ,
      {
        method: "POST",
        url:
          `${TEST_BASE}/api/v3/orderList/oto?symbol=BTCUSDT&listClientOrderId=ls0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&workingType=LIMIT&workingSide=BUY&workingClientOrderId=${CID}&workingPrice=60000&workingQuantity=0.5&workingTimeInForce=GTC` +
          `&pendingSide=SELL&pendingQuantity=0.5&pendingType=STOP_LOSS&pendingTrailingDelta=200&pendingClientOrderId=sl0a1b2c3d4e5f60718293a4b5c6d7e8f9` +
          `&newOrderRespType=RESULT&${SIGNED_TAIL}`,
      },
    ],
    skipKeys: ["signature"],
  },
  {
    name: "reads: account, order by broker id, cancel by broker id, quote",
    call: async (c, a) => {
      await c.testConnection();
      await c.getOrder(a, { brokerOrderId: "LTCBTC:1" });
      await c.cancelOrder(a, { brokerOrderId: "LTCBTC:4" });
      await c.getQuote?.("LTCBTC", "crypto");
    },
    replies: [fixture(account), fixture(queryOrder), fixture(cancelOrder), fixture(bookTicker)],
    expected: [
      { method: "GET", url: `${TEST_BASE}/api/v3/account?omitZeroBalances=true&${SIGNED_TAIL}`, headers: HEADERS },
      { method: "GET", url: `${TEST_BASE}/api/v3/order?symbol=LTCBTC&orderId=1&${SIGNED_TAIL}`, headers: HEADERS },
      { method: "DELETE", url: `${TEST_BASE}/api/v3/order?symbol=LTCBTC&orderId=4&${SIGNED_TAIL}`, headers: HEADERS },
      { method: "GET", url: `${TEST_BASE}/api/v3/ticker/bookTicker?symbol=LTCBTC`, headers: { accept: "application/json" } },
    ],
    skipKeys: ["signature"],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "RESULT of a filled market sell",
    replies: [RULES_REPLY, fixture(newResult)],
    call: (c, a) => c.placeOrder(a, { ...limitBuy, type: "market", limitPrice: undefined, side: "sell" }),
    expected: {
      result: {
        brokerOrderId: "BTCUSDT:28",
        clientOrderId: "6gCrw2kRUAF9CvJDGP16IP",
        ticker: "BTCUSD",
        side: "sell",
        type: "market",
        quantity: "10",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "gtc",
        status: "filled",
        filledQuantity: "10",
        avgFillPrice: "1",
        createdAt: "2017-10-11T12:32:56.595Z",
        updatedAt: "2017-10-11T12:32:56.595Z",
      },
    },
  },
  {
    name: "partially filled stop-limit: cumulative fill and average price",
    replies: [fixture(partial)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "BTCUSDT:77" }),
    expected: {
      result: {
        brokerOrderId: "BTCUSDT:77",
        clientOrderId: CID,
        ticker: "BTCUSD",
        side: "sell",
        type: "stop_limit",
        quantity: "0.3",
        limitPrice: "30000",
        stopPrice: "30010",
        timeInForce: "gtc",
        status: "partially_filled",
        filledQuantity: "0.1",
        avgFillPrice: "30005",
        createdAt: "2017-07-12T02:41:59.559Z",
        updatedAt: "2017-07-12T02:42:09.559Z",
      },
    },
  },
  {
    name: "OTOCO placement returns the working (entry) order",
    // The documented answer is an LTCBTC list at a price of 1: a smallest order worth 0.0001, as on a BTC-quoted book.
    replies: [rulesFor("BTCUSDT", "0.00010000"), fixture(otoco)],
    call: async (c, a) => {
      const o = await c.placeOrder(a, { ...limitBuy, clientOrderId: "fM9Y4m23IFJVCQmIrlUmMK", bracket: { takeProfit: { limitPrice: "6" }, stopLoss: { type: "stop_limit", stopPrice: "3", limitPrice: "2" } } });
      return { id: o.brokerOrderId, status: o.status, type: o.type, limit: o.limitPrice };
    },
    expected: { result: { id: "LTCBTC:6", status: "open", type: "limit", limit: "1" } },
  },
  {
    name: "spot balances become positions (no cost basis) and the balance",
    replies: [fixture(account), fixture(account), fixture(tickerPrice)],
    call: async (c, a) => ({ positions: (await c.getPositions(a)).map(({ raw: _r, ...p }) => p), balance: (({ raw: _r, ...b }) => b)(await c.getBalance(a)) }),
    expected: {
      result: {
        positions: [
          { ticker: "BTCUSD", quantity: "0.75", avgPrice: "0" },
          { ticker: "XYZUSD", quantity: "3", avgPrice: "0" },
        ],
        // 11250.1 cash + 0.75 BTC × 60000; XYZ has no USDT book and is left out.
        balance: { currency: "USDT", cash: "11250.1", equity: "56250.1", buyingPower: "10250.1" },
      },
    },
  },
  {
    name: "open orders",
    replies: [fixture(openOrders)],
    call: async (c, a) => (await c.getOpenOrders(a)).map((o) => [o.brokerOrderId, o.ticker, o.status, o.limitPrice]),
    expected: { result: [["LTCBTC:1", "LTCBTC", "open", "0.1"]] },
  },
  {
    name: "book ticker quote",
    replies: [fixture(bookTicker)],
    call: async (c) => {
      const q = await c.getQuote?.("LTCBTC", "crypto");
      return { bid: q?.bid, ask: q?.ask, last: q?.last };
    },
    expected: { result: { bid: "4", ask: "4.000002", last: null } },
  },
  errorCase("-2010 insufficient balance is a rejected insufficient-funds", errFunds, "rejected", "insufficient-funds", 400, "place"),
  errorCase("-2010 duplicate order is duplicate-client-order-id (the core reconciles)", errDuplicate, "rejected", "duplicate-client-order-id", 400, "place"),
  errorCase("-1013 NOTIONAL filter is min-notional", errNotional, "rejected", "min-notional", 400, "place"),
  errorCase("-1121 is invalid-symbol", errSymbol, "rejected", "invalid-symbol", 400, "quote"),
  errorCase("-2015 is auth-expired invalid-credentials", errApiKey, "auth-expired", "invalid-credentials", 401, "account"),
  errorCase("-1007 on placement is outcome-unknown (5xx rule)", errUnknown, "outcome-unknown", "broker-timeout", 503, "place"),
  errorCase("429 is retryable rate-limited", errRate, "retryable", "rate-limited", 429, "open"),
  errorCase("-2011 unknown order on cancel is order-not-found", errCancelUnknown, "rejected", "order-not-found", 400, "cancel"),
  errorCase("-1021 twice (after a clock resync) is retryable clock-skew", errTimestamp, "retryable", "clock-skew", 400, "account-skew"),
  errorCase("canTrade false: the key lacks trading permission", accountCannotTrade, "rejected", "permission-denied", undefined, "account"),
  {
    name: "-2013 on getOrder means null (never placed)",
    replies: [fixture(errNoSuchOrder)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "BTCUSDT:999" }),
    expected: { result: null },
  },
];

type Call = "place" | "quote" | "account" | "open" | "cancel" | "account-skew";

function errorCase(name: string, f: unknown, kind: "rejected" | "auth-expired" | "outcome-unknown" | "retryable", code: string, status: number | undefined, call: Call): StaticResponseCase {
  const r = fixture(f);
  // -1021 makes the client ask for the server time and retry once before giving up.
  const replies = call === "account-skew" ? [r, { status: 200, body: { serverTime: TEST_NOW.getTime() } }, r] : call === "place" ? [RULES_REPLY, r] : [r];
  return {
    name,
    replies,
    call: (c, a) => {
      switch (call) {
        case "place":
          return c.placeOrder(a, limitBuy);
        case "quote":
          return c.getQuote?.("NOPEUSD", "crypto") ?? Promise.resolve();
        case "open":
          return c.getOpenOrders(a);
        case "cancel":
          return c.cancelOrder(a, { brokerOrderId: "BTCUSDT:5" });
        default:
          return c.testConnection();
      }
    },
    expected: { error: { kind, code, ...(status !== undefined && { status }) } },
  };
}

/** Both HMAC vectors printed in Binance's rest-api.md (SIGNED Endpoint Examples for POST /api/v3/order). */
export const signingVectors: SigningVector[] = [
  {
    name: "Binance HMAC, ASCII symbol",
    compute: () =>
      signPayload(
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
      ),
    expected: "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
  },
  {
    name: "Binance HMAC, non-ASCII symbol percent-encoded before signing",
    compute: () =>
      signPayload(
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
      ),
    expected: "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
  },
];
