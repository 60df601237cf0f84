/**
 * OANDA's static conformance cases (layers 1 and 2 of the kit): intents in →
 * exact v20 requests out, and recorded-shape responses (fixtures/, built from
 * OANDA's documented examples) in → normalized models or BrokerErrors out.
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { StaticRequestCase, StaticResponseCase } from "../testkit";
import accounts from "./fixtures/accounts.json";
import summary from "./fixtures/account-summary.json";
import duplicate from "./fixtures/error-duplicate-client-order-id.json";
import notFound from "./fixtures/error-order-doesnt-exist.json";
import rateLimited from "./fixtures/error-rate-limited.json";
import unauthorized from "./fixtures/error-unauthorized.json";
import unitsPrecision from "./fixtures/error-units-precision.json";
import positions from "./fixtures/open-positions.json";
import trades from "./fixtures/open-trades.json";
import cancelled from "./fixtures/order-cancelled.json";
import insufficientMargin from "./fixtures/order-create-insufficient-margin.json";
import marketFilled from "./fixtures/order-create-market-filled.json";
import orderFilled from "./fixtures/order-get-filled.json";
import pending from "./fixtures/pending-orders-bracket.json";
import instrumentsEurUsd from "./fixtures/instruments-eur-usd.json";
import instrumentsUsdJpy from "./fixtures/instruments-usd-jpy.json";
import pricing from "./fixtures/pricing.json";
import fillTxn from "./fixtures/transaction-fill.json";
import { OANDA_PRACTICE_URL } from "./manifest";

/** The account of the fixtures. */
export const STATIC_ACCOUNT = "101-001-1234567-001";
/** A token in the format of OANDA's documentation example. */
export const STATIC_TOKEN = "12345678900987654321-abc34135acde13f13530";
const BASE = `${OANDA_PRACTICE_URL}/accounts/${STATIC_ACCOUNT}`;
const CID = "tlfedcba9876543210fedcba9876543210";
const READ_HEADERS = { authorization: `Bearer ${STATIC_TOKEN}`, accept: "application/json", "accept-datetime-format": "RFC3339" };
const WRITE_HEADERS = { ...READ_HEADERS, "content-type": "application/json" };
const T = "2026-01-02T03:04:05.123456789Z";

/**
 * Before an order the host reads the instrument's precision once per
 * connection (GET /accounts for the token's account, then /instruments), and
 * rounds the order onto it.
 */
export const RULES_REPLIES = [accounts, instrumentsEurUsd];
const rulesRequests = (instrument: string) => [
  { method: "GET", url: `${OANDA_PRACTICE_URL}/accounts`, headers: READ_HEADERS },
  { method: "GET", url: `${BASE}/instruments?instruments=${instrument}`, headers: READ_HEADERS },
];

const entry = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: CID,
  ticker: "EURUSD",
  assetClass: "forex",
  side: "buy",
  quantity: "1000",
  type: "market",
  timeInForce: "day",
  ...over,
});
const created = (type: string) => ({ status: 201, body: { orderCreateTransaction: { id: "7", type } } });
const order = (body: Record<string, unknown>) => ({ order: { positionFill: "REDUCE_FIRST", clientExtensions: { id: CID, tag: "tradeloop" }, ...body } });

export const oandaRequestCases: StaticRequestCase[] = [
  {
    name: "market bracket entry → POST /orders: signed units, FOK, REDUCE_FIRST, clientExtensions.id, on-fill take profit and stop loss",
    call: (c, a) => c.placeOrder(a, entry({ bracket: { takeProfit: { limitPrice: "1.115" }, stopLoss: { type: "stop", stopPrice: "1.09" } } })),
    replies: [accounts, instrumentsEurUsd, marketFilled],
    expected: [
      ...rulesRequests("EUR_USD"),
      
      {
        method: "POST",
        url: `${BASE}/orders`,
        headers: WRITE_HEADERS,
        body: order({
          type: "MARKET",
          instrument: "EUR_USD",
          units: "1000",
          timeInForce: "FOK",
          takeProfitOnFill: { price: "1.115", timeInForce: "GTC" },
          stopLossOnFill: { price: "1.09", timeInForce: "GTC" },
        }),
      },
    ],
  },
  {
    name: "limit sell (day → GFD) with a stop loss: negative units",
    call: (c, a) => c.placeOrder(a, entry({ side: "sell", type: "limit", limitPrice: "1.2", quantity: "2500", bracket: { stopLoss: { type: "stop", stopPrice: "1.25" } } })),
    replies: [accounts, instrumentsEurUsd, created("LIMIT_ORDER")],
    expected: [
      ...rulesRequests("EUR_USD"),
      
      {
        method: "POST",
        url: `${BASE}/orders`,
        headers: WRITE_HEADERS,
        body: order({ type: "LIMIT", instrument: "EUR_USD", units: "-2500", price: "1.2", timeInForce: "GFD", stopLossOnFill: { price: "1.25", timeInForce: "GTC" } }),
      },
    ],
  },
  {
    name: "stop entry GTC",
    call: (c, a) => c.placeOrder(a, entry({ type: "stop", stopPrice: "1.11", timeInForce: "gtc" })),
    replies: [accounts, instrumentsEurUsd, created("STOP_ORDER")],
    expected: [
      ...rulesRequests("EUR_USD"),
      { method: "POST", url: `${BASE}/orders`, body: order({ type: "STOP", instrument: "EUR_USD", units: "1000", price: "1.11", timeInForce: "GTC" }) }],
  },
  {
    name: "IOC market on USDJPY",
    call: (c, a) => c.placeOrder(a, entry({ ticker: "USDJPY", timeInForce: "ioc" })),
    replies: [accounts, instrumentsUsdJpy, created("MARKET_ORDER")],
    expected: [
      ...rulesRequests("USD_JPY"),
      { method: "POST", url: `${BASE}/orders`, body: order({ type: "MARKET", instrument: "USD_JPY", units: "1000", timeInForce: "IOC" }) }],
  },
  {
    name: "getOrder by client id → GET /orders/@<clientID>",
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    replies: [notFound],
    expected: [{ method: "GET", url: `${BASE}/orders/@${CID}`, headers: READ_HEADERS }],
  },
  {
    name: "getOrder by broker id → GET /orders/<id>",
    call: (c, a) => c.getOrder(a, { brokerOrderId: "6360" }),
    replies: [notFound],
    expected: [{ method: "GET", url: `${BASE}/orders/6360`, headers: READ_HEADERS }],
  },
  {
    name: "cancel → PUT /orders/@<clientID>/cancel",
    call: (c, a) => c.cancelOrder(a, { clientOrderId: CID }),
    replies: [cancelled],
    expected: [{ method: "PUT", url: `${BASE}/orders/@${CID}/cancel`, headers: READ_HEADERS }],
  },
  {
    name: "testConnection → GET /accounts, then each v20 account's summary",
    call: (c) => c.testConnection(),
    replies: [accounts, summary],
    expected: [
      { method: "GET", url: `${OANDA_PRACTICE_URL}/accounts`, headers: READ_HEADERS },
      { method: "GET", url: `${BASE}/summary`, headers: READ_HEADERS },
    ],
  },
  {
    name: "reads: balance → /summary, positions → /openPositions, open orders → /pendingOrders",
    call: async (c, a) => {
      await c.getBalance(a);
      await c.getPositions(a);
      await c.getOpenOrders(a);
    },
    replies: [summary, positions, { status: 200, body: { orders: [] } }],
    expected: [
      { method: "GET", url: `${BASE}/summary` },
      { method: "GET", url: `${BASE}/openPositions` },
      { method: "GET", url: `${BASE}/pendingOrders` },
    ],
  },
  {
    name: "quote → GET /accounts (once, for the pricing account), then /pricing?instruments=EUR_USD",
    call: (c) => c.getQuote!("EURUSD", "forex"),
    replies: [accounts, pricing],
    expected: [
      { method: "GET", url: `${OANDA_PRACTICE_URL}/accounts` },
      { method: "GET", url: `${BASE}/pricing?instruments=EUR_USD`, headers: READ_HEADERS },
    ],
  },
];

export const oandaResponseCases: StaticResponseCase[] = [
  {
    name: "testConnection: v20 accounts with currency and alias; MT4-linked accounts left out",
    replies: [accounts, summary],
    call: (c) => c.testConnection(),
    expected: { result: [{ brokerAccountId: STATIC_ACCOUNT, mode: "paper", name: "Primary", currency: "USD" }] },
  },
  {
    name: "balance: cash = balance, equity = NAV, buying power = free margin",
    replies: [summary],
    call: (c, a) => c.getBalance(a),
    expected: { result: { currency: "USD", cash: "100012.3456", equity: "100007.8456", buyingPower: "99985.7556" } },
  },
  {
    name: "positions: net of the long and short sides; shorts negative",
    replies: [positions],
    call: (c, a) => c.getPositions(a),
    expected: {
      result: [
        { ticker: "EURUSD", quantity: "1000", avgPrice: "1.1045" },
        { ticker: "USDJPY", quantity: "-2500", avgPrice: "151.234" },
      ],
    },
  },
  {
    name: "open orders: a limit entry, and bracket legs sized from their trade with the entry (from the trade's opening fill) as parent",
    replies: [pending, trades, fillTxn],
    call: (c, a) => c.getOpenOrders(a),
    expected: {
      result: [
        {
          brokerOrderId: "6367",
          clientOrderId: "tl0123456789abcdef0123456789abcdef",
          ticker: "EURUSD",
          side: "sell",
          type: "limit",
          quantity: "500",
          limitPrice: "1.12000",
          stopPrice: null,
          timeInForce: "gtc",
          status: "open",
          filledQuantity: "0",
          avgFillPrice: null,
          createdAt: T,
        },
        {
          brokerOrderId: "6362",
          clientOrderId: null,
          ticker: "EURUSD",
          side: "sell",
          type: "stop",
          quantity: "1000",
          limitPrice: null,
          stopPrice: "1.09000",
          timeInForce: "gtc",
          status: "open",
          filledQuantity: "0",
          avgFillPrice: null,
          role: "stop_loss",
          parentBrokerOrderId: "6360",
          createdAt: T,
        },
        {
          brokerOrderId: "6363",
          clientOrderId: null,
          ticker: "EURUSD",
          side: "sell",
          type: "limit",
          quantity: "1000",
          limitPrice: "1.11500",
          stopPrice: null,
          timeInForce: "gtc",
          status: "open",
          filledQuantity: "0",
          avgFillPrice: null,
          role: "take_profit",
          parentBrokerOrderId: "6360",
          createdAt: T,
        },
      ],
    },
  },
  {
    name: "placeOrder: 201 with an orderFillTransaction is filled, at the trade's price",
    replies: [...RULES_REPLIES, marketFilled],
    call: (c, a) => c.placeOrder(a, entry()),
    expected: {
      result: {
        brokerOrderId: "6360",
        clientOrderId: CID,
        ticker: "EURUSD",
        side: "buy",
        type: "market",
        quantity: "1000",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "day",
        status: "filled",
        filledQuantity: "1000",
        avgFillPrice: "1.1045",
        createdAt: T,
      },
    },
  },
  {
    name: "getOrder of a filled order: units and price come from its fill transaction",
    replies: [orderFilled, fillTxn],
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    expected: {
      result: {
        brokerOrderId: "6360",
        clientOrderId: CID,
        ticker: "EURUSD",
        side: "buy",
        type: "market",
        quantity: "1000",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "fok",
        status: "filled",
        filledQuantity: "1000",
        avgFillPrice: "1.1045",
        createdAt: T,
        updatedAt: T,
      },
    },
  },
  {
    name: "getOrder: 404 ORDER_DOESNT_EXIST is null",
    replies: [notFound],
    call: (c, a) => c.getOrder(a, { clientOrderId: `tl${"0".repeat(32)}` }),
    expected: { result: null },
  },
  {
    name: "getOrder: any other 404 is an error, never 'not placed'",
    replies: [{ status: 404, body: { errorMessage: "The Account specified does not exist" } }],
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    expected: { error: { kind: "rejected", code: "not-found", status: 404 } },
  },
  {
    name: "quote: top-of-book bid and ask; OANDA has no last price",
    replies: [accounts, pricing],
    call: (c) => c.getQuote!("EURUSD", "forex"),
    expected: { result: { ticker: "EURUSD", bid: "1.10443", ask: "1.10450", last: null, at: T } },
  },
  {
    name: "201 + orderCancelTransaction INSUFFICIENT_MARGIN is an insufficient-funds refusal",
    replies: [...RULES_REPLIES, insufficientMargin],
    call: (c, a) => c.placeOrder(a, entry({ quantity: "100000000" })),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 201 } },
  },
  {
    name: "400 CLIENT_ORDER_ID_ALREADY_EXISTS is a duplicate client order id (the core reconciles)",
    replies: [...RULES_REPLIES, duplicate],
    call: (c, a) => c.placeOrder(a, entry()),
    expected: { error: { kind: "rejected", code: "duplicate-client-order-id", status: 400 } },
  },
  {
    name: "400 UNITS_PRECISION_EXCEEDED is an invalid quantity",
    replies: [...RULES_REPLIES, unitsPrecision],
    call: (c, a) => c.placeOrder(a, entry()),
    expected: { error: { kind: "rejected", code: "invalid-quantity", status: 400 } },
  },
  {
    name: "401 (errorMessage only) is auth-expired",
    replies: [unauthorized],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "auth-expired", code: "invalid-credentials", status: 401 } },
  },
  {
    name: "429 is retryable",
    replies: [rateLimited],
    call: (c, a) => c.getPositions(a),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 429 } },
  },
  {
    name: "a 5xx on a read is retryable; on an order outcome-unknown",
    replies: [{ status: 503, body: { errorMessage: "Service unavailable" } }],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "retryable", code: "broker-unavailable", status: 503 } },
  },
  {
    name: "a 502 with no JSON on an order is outcome-unknown",
    replies: [...RULES_REPLIES, { status: 502, body: "<html>Bad gateway</html>" }],
    call: (c, a) => c.placeOrder(a, entry()),
    expected: { error: { kind: "outcome-unknown", code: "broker-unavailable", status: 502 } },
  },
];
