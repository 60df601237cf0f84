/**
 * Conformance layers 1 and 2 for Coinbase, as data: intents and the exact
 * requests they must produce; recorded answers and what they must become.
 * The JWT in `authorization` is ES256 (randomized), so it is skipped here and
 * verified against the public key in coinbase.test.ts instead.
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { StaticRequestCase, StaticResponseCase } from "../testkit";
import accounts from "./fixtures/accounts.json";
import bestBidAsk from "./fixtures/best-bid-ask.json";
import cancelFilled from "./fixtures/cancel-filled.json";
import cancelSuccess from "./fixtures/cancel-success.json";
import funds from "./fixtures/create-order-insufficient-funds.json";
import badProduct from "./fixtures/create-order-invalid-product.json";
import created from "./fixtures/create-order-success.json";
import e401 from "./fixtures/error-401.json";
import e403 from "./fixtures/error-403-scopes.json";
import e429 from "./fixtures/error-429.json";
import e503 from "./fixtures/error-503.json";
import viewOnly from "./fixtures/key-permissions-view-only.json";
import permissions from "./fixtures/key-permissions.json";
import filledMarket from "./fixtures/order-filled-market.json";
import notFound from "./fixtures/order-not-found.json";
import partialLimit from "./fixtures/order-open-limit-partial.json";
import bracket from "./fixtures/orders-open-bracket.json";
import product from "./fixtures/product-btc-usd.json";

export const BASE = "https://api.coinbase.com/api/v3/brokerage";
export const ACCOUNT = "b87a2d3f-8a1e-49b3-a4ea-402d8c389aca";
const CID = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const GET_HEADERS = { accept: "application/json", authorization: "<skipped>" };
const POST_HEADERS = { ...GET_HEADERS, "content-type": "application/json" };
const skipKeys = ["authorization"];

/** A market buy of 0.001 BTC. */
export const marketBuy: OrderRequest = {
  clientOrderId: CID,
  ticker: "BTCUSD",
  assetClass: "crypto",
  side: "buy",
  quantity: "0.001",
  type: "market",
  timeInForce: "gtc",
};

const order = (over: Partial<OrderRequest>): OrderRequest => ({ ...marketBuy, ...over });

/**
 * Get Product for one book (the BTC-USD example, renamed): the host reads
 * the book's grid once per connection before the first order, so every
 * placement below starts with this read.
 */
export function productFor(productId: string): typeof product {
  const f = structuredClone(product);
  f.request.path = `/api/v3/brokerage/products/${productId}`;
  f.response.body.product_id = productId;
  return f;
}

/** The BTC-USD grid read, and the request that reads it. */
export const PRODUCT_REPLY = productFor("BTC-USD");
const productRead = (productId = "BTC-USD") => ({ method: "GET", url: `${BASE}/products/${productId}` });

export const requestCases: StaticRequestCase[] = [
  {
    name: "testConnection reads the key's permissions",
    call: (c) => c.testConnection(),
    replies: [permissions],
    expected: [{ method: "GET", url: `${BASE}/key_permissions`, headers: GET_HEADERS }],
    skipKeys,
  },
  {
    name: "getBalance lists accounts, then quotes what is held",
    call: (c, a) => c.getBalance(a),
    replies: [accounts],
    expected: [
      { method: "GET", url: `${BASE}/accounts?limit=250`, headers: GET_HEADERS },
      { method: "GET", url: `${BASE}/best_bid_ask?product_ids=BTC-USD`, headers: GET_HEADERS },
    ],
    skipKeys,
  },
  {
    name: "getOpenOrders asks for working statuses",
    call: (c, a) => c.getOpenOrders(a),
    expected: [{ method: "GET", url: `${BASE}/orders/historical/batch?order_status=OPEN&order_status=PENDING&order_status=QUEUED&limit=250` }],
  },
  {
    name: "getOrder by broker id",
    call: (c, a) => c.getOrder(a, { brokerOrderId: "11111111-0000-4000-8000-000000000001" }),
    expected: [{ method: "GET", url: `${BASE}/orders/historical/11111111-0000-4000-8000-000000000001`, headers: GET_HEADERS }],
    skipKeys,
  },
  {
    name: "getOrder by client id scans recent orders (no direct lookup at Coinbase)",
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    expected: [{ method: "GET", url: `${BASE}/orders/historical/batch?limit=250` }],
  },
  {
    name: "market buy: market_market_ioc sized in base currency, then the order is read back",
    call: (c, a) => c.placeOrder(a, marketBuy),
    replies: [PRODUCT_REPLY, created, filledMarket],
    expected: [
      productRead(),
      {
        method: "POST",
        url: `${BASE}/orders`,
        headers: POST_HEADERS,
        body: { client_order_id: CID, product_id: "BTC-USD", side: "BUY", order_configuration: { market_market_ioc: { base_size: "0.001" } } },
      },
      { method: "GET", url: `${BASE}/orders/historical/11111111-0000-4000-8000-000000000001` },
    ],
    skipKeys,
  },
  {
    name: "limit gtc entry with take profit and stop loss attached (trigger_bracket_gtc, no size)",
    call: (c, a) =>
      c.placeOrder(a, order({ type: "limit", limitPrice: "64000", bracket: { takeProfit: { limitPrice: "70000" }, stopLoss: { type: "stop", stopPrice: "60000" } } })),
    replies: [PRODUCT_REPLY],
    expected: [
      productRead(),
      {
        method: "POST",
        url: `${BASE}/orders`,
        body: {
          client_order_id: CID,
          product_id: "BTC-USD",
          side: "BUY",
          order_configuration: { limit_limit_gtc: { base_size: "0.001", limit_price: "64000", post_only: false } },
          attached_order_configuration: { trigger_bracket_gtc: { limit_price: "70000", stop_trigger_price: "60000" } },
        },
      },
    ],
  },
  {
    name: "limit ioc is sor_limit_ioc",
    call: (c, a) => c.placeOrder(a, order({ type: "limit", limitPrice: "64000", timeInForce: "ioc", side: "sell" })),
    replies: [PRODUCT_REPLY],
    expected: [
      productRead(),
      {
        method: "POST",
        url: `${BASE}/orders`,
        body: { client_order_id: CID, product_id: "BTC-USD", side: "SELL", order_configuration: { sor_limit_ioc: { base_size: "0.001", limit_price: "64000" } } },
      },
    ],
  },
  {
    name: "limit fok is limit_limit_fok",
    call: (c, a) => c.placeOrder(a, order({ ticker: "ETHUSDC", type: "limit", limitPrice: "3000.5", timeInForce: "fok" })),
    replies: [productFor("ETH-USDC")],
    expected: [
      productRead("ETH-USDC"),
      {
        method: "POST",
        url: `${BASE}/orders`,
        body: { client_order_id: CID, product_id: "ETH-USDC", side: "BUY", order_configuration: { limit_limit_fok: { base_size: "0.001", limit_price: "3000.5" } } },
      },
    ],
  },
  {
    name: "sell stop-limit triggers downwards",
    call: (c, a) => c.placeOrder(a, order({ side: "sell", type: "stop_limit", stopPrice: "60000", limitPrice: "59900" })),
    replies: [PRODUCT_REPLY],
    expected: [
      productRead(),
      {
        method: "POST",
        url: `${BASE}/orders`,
        body: {
          client_order_id: CID,
          product_id: "BTC-USD",
          side: "SELL",
          order_configuration: {
            stop_limit_stop_limit_gtc: { base_size: "0.001", limit_price: "59900", stop_price: "60000", stop_direction: "STOP_DIRECTION_STOP_DOWN" },
          },
        },
      },
    ],
  },
  {
    name: "cancel by broker id is a one-order batch_cancel",
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "11111111-0000-4000-8000-000000000002" }),
    replies: [cancelSuccess],
    expected: [{ method: "POST", url: `${BASE}/orders/batch_cancel`, headers: POST_HEADERS, body: { order_ids: ["11111111-0000-4000-8000-000000000002"] } }],
    skipKeys,
  },
  {
    name: "getQuote reads the best bid/ask",
    call: (c) => c.getQuote?.("BTCUSD", "crypto") ?? Promise.resolve(null),
    expected: [{ method: "GET", url: `${BASE}/best_bid_ask?product_ids=BTC-USD`, headers: GET_HEADERS }],
    skipKeys,
  },
];

const filledOrder = {
  brokerOrderId: "11111111-0000-4000-8000-000000000001",
  clientOrderId: CID,
  ticker: "BTCUSD",
  side: "buy",
  type: "market",
  quantity: "0.001",
  limitPrice: null,
  stopPrice: null,
  timeInForce: "ioc",
  status: "filled",
  filledQuantity: "0.001",
  avgFillPrice: "64120.5",
  parentBrokerOrderId: null,
  createdAt: "2026-01-02T03:04:05.123Z",
  updatedAt: "2026-01-02T03:04:05.456Z",
};

export const responseCases: StaticResponseCase[] = [
  {
    name: "balance: USD available + hold is cash; BTC valued at the book mid",
    replies: [accounts, bestBidAsk],
    call: (c, a) => c.getBalance(a),
    // 1600.25 cash + 0.75 BTC × 64120.255 mid
    expected: { result: { currency: "USD", cash: "1600.25", equity: "49690.44125", buyingPower: "1500.25" } },
  },
  {
    name: "positions: non-USD balances (available + hold), zero balances dropped",
    replies: [accounts],
    call: (c, a) => c.getPositions(a),
    expected: { result: [{ ticker: "BTCUSD", quantity: "0.75", avgPrice: "0" }] },
  },
  {
    name: "a filled market order",
    replies: [filledMarket],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "11111111-0000-4000-8000-000000000001" }),
    expected: { result: filledOrder },
  },
  {
    name: "OPEN with fills is partially_filled",
    replies: [partialLimit],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "11111111-0000-4000-8000-000000000002" }),
    expected: {
      result: {
        ...filledOrder,
        brokerOrderId: "11111111-0000-4000-8000-000000000002",
        side: "sell",
        type: "limit",
        quantity: "0.5",
        limitPrice: "70000",
        timeInForce: "gtc",
        status: "partially_filled",
        filledQuantity: "0.1",
        avgFillPrice: "70000",
      },
    },
  },
  {
    name: "an order Coinbase does not have is null",
    replies: [notFound],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "00000000-0000-4000-8000-00000000dead" }),
    expected: { result: null },
  },
  {
    name: "the attached bracket (one venue order) is reported as its two legs under the entry",
    replies: [bracket],
    call: (c, a) => c.getOpenOrders(a),
    expected: {
      result: [
        {
          brokerOrderId: "11111111-0000-4000-8000-000000000004",
          clientOrderId: null,
          ticker: "BTCUSD",
          side: "sell",
          type: "limit",
          quantity: "0.001",
          limitPrice: "70000",
          stopPrice: null,
          timeInForce: "gtc",
          status: "open",
          filledQuantity: "0",
          avgFillPrice: null,
          parentBrokerOrderId: "11111111-0000-4000-8000-000000000003",
          role: "take_profit",
          createdAt: "2026-01-02T03:04:05.123Z",
        },
        {
          brokerOrderId: "11111111-0000-4000-8000-000000000004~stop",
          clientOrderId: null,
          ticker: "BTCUSD",
          side: "sell",
          type: "stop",
          quantity: "0.001",
          limitPrice: null,
          stopPrice: "60000",
          timeInForce: "gtc",
          status: "open",
          filledQuantity: "0",
          avgFillPrice: null,
          parentBrokerOrderId: "11111111-0000-4000-8000-000000000003",
          role: "stop_loss",
          createdAt: "2026-01-02T03:04:05.123Z",
        },
      ],
    },
  },
  {
    name: "placed: the ack, then the order as Coinbase reports it",
    replies: [PRODUCT_REPLY, created, filledMarket],
    call: (c, a) => c.placeOrder(a, marketBuy),
    expected: { result: filledOrder },
  },
  {
    name: "HTTP 200 with success:false (insufficient funds) is a rejection",
    replies: [PRODUCT_REPLY, funds],
    call: (c, a) => c.placeOrder(a, order({ quantity: "1000" })),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 200 } },
  },
  {
    name: "an unknown product: Get Product's 404 refuses the order before it is sent",
    replies: [{ status: 404, body: { error: "NOT_FOUND", code: 5, message: "ProductID is invalid", details: [] } }, badProduct],
    call: (c, a) => c.placeOrder(a, order({ ticker: "NOPEUSD" })),
    expected: { error: { kind: "rejected", code: "invalid-symbol" } },
  },
  {
    name: "batch_cancel HTTP 200 with a failed result: already filled",
    replies: [cancelFilled],
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "11111111-0000-4000-8000-000000000001" }),
    expected: { error: { kind: "rejected", code: "order-not-cancelable", status: 200 } },
  },
  {
    name: "401 means the key no longer works",
    replies: [e401],
    call: (c, a) => c.getPositions(a),
    expected: { error: { kind: "auth-expired", code: "auth-failed", status: 401 } },
  },
  {
    name: "403 'Missing required scopes' names the missing permission",
    replies: [PRODUCT_REPLY, e403],
    call: (c, a) => c.placeOrder(a, marketBuy),
    expected: { error: { kind: "rejected", code: "permission-denied", status: 403 } },
  },
  {
    name: "a view-only key fails testConnection with an actionable reason",
    replies: [viewOnly],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "rejected", code: "permission-denied" } },
  },
  {
    name: "testConnection reports the key's portfolio as a live account",
    replies: [permissions],
    call: (c) => c.testConnection(),
    expected: { result: [{ brokerAccountId: ACCOUNT, mode: "live", name: "Coinbase default portfolio", currency: "USD" }] },
  },
  {
    name: "429 is retryable, with Retry-After",
    replies: [e429],
    call: (c, a) => c.getOpenOrders(a),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 429 } },
  },
  {
    name: "5xx while placing: outcome unknown (reconcile, never resend blind)",
    replies: [PRODUCT_REPLY, e503],
    call: (c, a) => c.placeOrder(a, marketBuy),
    expected: { error: { kind: "outcome-unknown", code: "broker-unavailable", status: 503 } },
  },
  {
    name: "5xx on a read: retryable",
    replies: [e503],
    call: (c, a) => c.getPositions(a),
    expected: { error: { kind: "retryable", code: "broker-unavailable", status: 503 } },
  },
  {
    name: "quote from the best bid/ask",
    replies: [bestBidAsk],
    call: (c) => c.getQuote?.("BTCUSD", "crypto") ?? Promise.resolve(null),
    expected: { result: { ticker: "BTCUSD", bid: "64120.01", ask: "64120.5", last: null, at: "2026-01-02T03:04:05.000Z" } },
  },
];
