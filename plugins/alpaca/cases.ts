/**
 * The Alpaca plugin's static conformance cases (kit layers 1 and 2): exact
 * requests for each intent, and normalized results (or BrokerErrors) for
 * recorded-shape responses in fixtures/. Imported by the tests only.
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { RecordedFixture, StaticRequestCase, StaticResponseCase } from "../testkit/types";
import { ALPACA_FAKE_CREDENTIALS } from "./fake";
import account from "./fixtures/account.json";
import accountBlocked from "./fixtures/account-trading-blocked.json";
import errDuplicate from "./fixtures/error-duplicate-client-order-id.json";
import errGateway from "./fixtures/error-gateway.json";
import errFunds from "./fixtures/error-insufficient-buying-power.json";
import errQty from "./fixtures/error-insufficient-qty.json";
import errNotCancelable from "./fixtures/error-not-cancelable.json";
import errNotFound from "./fixtures/error-order-not-found.json";
import errRate from "./fixtures/error-rate-limited.json";
import errRoute from "./fixtures/error-route-not-found.json";
import errSubPenny from "./fixtures/error-sub-penny.json";
import errAuth from "./fixtures/error-unauthorized.json";
import bracketAccepted from "./fixtures/order-bracket-accepted.json";
import notionalAccepted from "./fixtures/order-accepted-notional.json";
import filledMarket from "./fixtures/order-filled-market.json";
import partialLimit from "./fixtures/order-partially-filled-limit.json";
import openNested from "./fixtures/orders-open-nested.json";
import positions from "./fixtures/positions.json";
import quotesCrypto from "./fixtures/quotes-crypto.json";
import quotesStocks from "./fixtures/quotes-stocks.json";

/** The fake credentials every case uses. */
export const CREDENTIALS = { ...ALPACA_FAKE_CREDENTIALS };
/** The account id of the documented Account example. */
export const ACCOUNT_ID = "e6fe16f3-64a4-4921-8928-cadf02f92f98";
/** The paper host. */
export const PAPER = "https://paper-api.alpaca.markets";
export const DATA = "https://data.alpaca.markets";
const CID = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/** Headers every Trading API request carries (lower-case, as the kit compares them). */
const AUTH = { accept: "application/json", "apca-api-key-id": CREDENTIALS.keyId, "apca-api-secret-key": CREDENTIALS.secretKey };
const JSON_AUTH = { ...AUTH, "content-type": "application/json" };

const fixture = (f: unknown): RecordedFixture => f as RecordedFixture;

const marketBuy: OrderRequest = {
  clientOrderId: CID,
  ticker: "AAPL",
  assetClass: "stocks",
  side: "buy",
  quantity: "10",
  type: "market",
  timeInForce: "day",
  referencePrice: "121.10",
};

const post = (body: unknown) => ({ method: "POST", url: `${PAPER}/v2/orders`, headers: JSON_AUTH, body });

/** Layer 1: intents in, exact HTTP requests out. */
export const requestCases: StaticRequestCase[] = [
  {
    name: "market buy: POST /v2/orders with the key headers, qty as a string and our client_order_id",
    call: (c, a) => c.placeOrder(a, marketBuy),
    replies: [fixture(filledMarket)],
    expected: [post({ symbol: "AAPL", qty: "10", side: "buy", type: "market", time_in_force: "day", client_order_id: CID })],
  },
  {
    name: "bracket (OTOCO): order_class bracket with take_profit and a stop-limit stop_loss (the documented example)",
    call: (c, a) =>
      c.placeOrder(a, {
        ...marketBuy,
        ticker: "SPY",
        quantity: "100",
        timeInForce: "gtc",
        bracket: { takeProfit: { limitPrice: "301" }, stopLoss: { type: "stop_limit", stopPrice: "299", limitPrice: "298.50" } },
      }),
    replies: [fixture(bracketAccepted)],
    expected: [
      post({
        symbol: "SPY",
        qty: "100",
        side: "buy",
        type: "market",
        time_in_force: "gtc",
        client_order_id: CID,
        order_class: "bracket",
        take_profit: { limit_price: "301" },
        stop_loss: { stop_price: "299", limit_price: "298.5" },
      }),
    ],
  },
  {
    name: "OTO: one exit leg (stop loss only) on a limit entry",
    call: (c, a) => c.placeOrder(a, { ...marketBuy, type: "limit", limitPrice: "120", timeInForce: "gtc", bracket: { stopLoss: { type: "stop", stopPrice: "110" } } }),
    replies: [fixture(bracketAccepted)],
    expected: [
      post({
        symbol: "AAPL",
        qty: "10",
        side: "buy",
        type: "limit",
        time_in_force: "gtc",
        client_order_id: CID,
        limit_price: "120",
        order_class: "oto",
        stop_loss: { stop_price: "110" },
      }),
    ],
  },
  {
    name: "trailing stops: a dollar trail is trail_price, a percent trail is trail_percent",
    call: async (c, a) => {
      await c.placeOrder(a, { ...marketBuy, side: "sell", type: "trailing_stop", trailAmount: "6.15", timeInForce: "day" });
      await c.placeOrder(a, { ...marketBuy, side: "sell", type: "trailing_stop", trailPercent: "1.5", timeInForce: "gtc" });
    },
    replies: [fixture(filledMarket), fixture(filledMarket)],
    expected: [
      post({ symbol: "AAPL", qty: "10", side: "sell", type: "trailing_stop", time_in_force: "day", client_order_id: CID, trail_price: "6.15" }),
      post({ symbol: "AAPL", qty: "10", side: "sell", type: "trailing_stop", time_in_force: "gtc", client_order_id: CID, trail_percent: "1.5" }),
    ],
  },
  {
    name: "stop-limit and extended hours (limit + day only)",
    call: async (c, a) => {
      await c.placeOrder(a, { ...marketBuy, type: "stop_limit", stopPrice: "125", limitPrice: "125.50", timeInForce: "gtc" });
      await c.placeOrder(a, { ...marketBuy, type: "limit", limitPrice: "119.99", extendedHours: true });
    },
    replies: [fixture(filledMarket), fixture(filledMarket)],
    expected: [
      post({ symbol: "AAPL", qty: "10", side: "buy", type: "stop_limit", time_in_force: "gtc", client_order_id: CID, limit_price: "125.5", stop_price: "125" }),
      post({ symbol: "AAPL", qty: "10", side: "buy", type: "limit", time_in_force: "day", client_order_id: CID, limit_price: "119.99", extended_hours: true }),
    ],
  },
  {
    name: "crypto: BTCUSD becomes the pair BTC/USD, gtc",
    call: (c, a) => c.placeOrder(a, { ...marketBuy, ticker: "BTCUSD", assetClass: "crypto", quantity: "0.0125", type: "limit", limitPrice: "94000", timeInForce: "gtc" }),
    replies: [fixture(filledMarket)],
    expected: [post({ symbol: "BTC/USD", qty: "0.0125", side: "buy", type: "limit", time_in_force: "gtc", client_order_id: CID, limit_price: "94000" })],
  },
  {
    name: "options: Tradeloop's SPY 250624C596 becomes the OCC symbol SPY250624C00596000",
    call: (c, a) => c.placeOrder(a, { ...marketBuy, ticker: "SPY 250624C596", assetClass: "options", quantity: "2", type: "limit", limitPrice: "3.10" }),
    replies: [fixture(filledMarket)],
    expected: [post({ symbol: "SPY250624C00596000", qty: "2", side: "buy", type: "limit", time_in_force: "day", client_order_id: CID, limit_price: "3.1" })],
  },
  {
    name: "reads: account, positions, open orders (nested, 500 per page), order by client id and by id",
    call: async (c, a) => {
      await c.testConnection();
      await c.getBalance(a);
      await c.getPositions(a);
      await c.getOpenOrders(a);
      await c.getOrder(a, { clientOrderId: CID });
      await c.getOrder(a, { brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d" });
    },
    replies: [fixture(account), fixture(account), fixture(positions), fixture(openNested), fixture(partialLimit), fixture(partialLimit)],
    expected: [
      { method: "GET", url: `${PAPER}/v2/account`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/account`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/positions`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/orders?status=open&nested=true&limit=500`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/orders:by_client_order_id?client_order_id=${CID}`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d?nested=true`, headers: AUTH },
    ],
  },
  {
    name: "cancel by broker id is one DELETE; by client id it looks the order up first",
    call: async (c, a) => {
      await c.cancelOrder(a, { brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d" });
      await c.cancelOrder(a, { clientOrderId: CID });
    },
    replies: [{ status: 204 }, fixture(partialLimit), { status: 204 }],
    expected: [
      { method: "DELETE", url: `${PAPER}/v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d`, headers: AUTH },
      { method: "GET", url: `${PAPER}/v2/orders:by_client_order_id?client_order_id=${CID}`, headers: AUTH },
      { method: "DELETE", url: `${PAPER}/v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d`, headers: AUTH },
    ],
  },
  {
    name: "quotes come from data.alpaca.markets: stocks v2, crypto v1beta3",
    call: async (c) => {
      await c.getQuote?.("AAPL", "stocks");
      await c.getQuote?.("BTCUSD", "crypto");
    },
    replies: [fixture(quotesStocks), fixture(quotesCrypto)],
    expected: [
      { method: "GET", url: `${DATA}/v2/stocks/quotes/latest?symbols=AAPL`, headers: AUTH },
      { method: "GET", url: `${DATA}/v1beta3/crypto/us/latest/quotes?symbols=BTC%2FUSD`, headers: AUTH },
    ],
  },
];

const place = (order: Partial<OrderRequest> = {}) => (c: Parameters<StaticResponseCase["call"]>[0], a: string) => c.placeOrder(a, { ...marketBuy, ...order });

/** Layer 2: recorded responses in, models or BrokerErrors out. */
export const responseCases: StaticResponseCase[] = [
  {
    name: "account → balance (money as canonical decimal strings)",
    replies: [fixture(account)],
    call: (c, a) => c.getBalance(a),
    expected: { result: { currency: "USD", cash: "-23140.2", equity: "103820.56", buyingPower: "262113.632" } },
  },
  {
    name: "account → the one reachable account, in the connection's mode",
    replies: [fixture(account)],
    call: (c) => c.testConnection(),
    expected: { result: [{ brokerAccountId: ACCOUNT_ID, mode: "paper", name: "Alpaca paper 010203ABCD", currency: "USD" }] },
  },
  {
    name: "an account Alpaca blocked from trading fails the connection test",
    replies: [fixture(accountBlocked)],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "rejected", code: "no-usable-account" } },
  },
  {
    name: "positions: trailing space trimmed, legacy BTCUSD, signed short, OCC option → Tradeloop ticker",
    replies: [fixture(positions)],
    call: (c, a) => c.getPositions(a),
    expected: {
      result: [
        { ticker: "AAPL", quantity: "5", avgPrice: "100" },
        { ticker: "BTCUSD", quantity: "2.61937", avgPrice: "19660.5738784516887649" },
        { ticker: "TSLA", quantity: "-3", avgPrice: "250.1" },
        { ticker: "SPY 250624C596", quantity: "2", avgPrice: "3.1" },
      ],
    },
  },
  {
    name: "filled market order → filled, with the average price",
    replies: [fixture(filledMarket)],
    call: place(),
    expected: {
      result: {
        brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d",
        clientOrderId: CID,
        ticker: "AAPL",
        side: "buy",
        type: "market",
        quantity: "10",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "day",
        status: "filled",
        filledQuantity: "10",
        avgFillPrice: "121.15",
        parentBrokerOrderId: null,
        createdAt: "2021-03-16T18:38:01.942282Z",
        updatedAt: "2021-03-16T18:38:02.113Z",
      },
    },
  },
  {
    name: "the documented notional example: accepted → pending, no quantity yet",
    replies: [fixture(notionalAccepted)],
    call: place(),
    expected: {
      result: {
        brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d",
        clientOrderId: "eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4",
        ticker: "AAPL",
        side: "buy",
        type: "market",
        quantity: "0",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "day",
        status: "pending",
        filledQuantity: "0",
        avgFillPrice: null,
        parentBrokerOrderId: null,
        createdAt: "2021-03-16T18:38:01.942282Z",
        updatedAt: "2021-03-16T18:38:01.942282Z",
      },
    },
  },
  {
    name: "open orders (nested): the filled entry drops out, its legs carry the entry id and their role",
    replies: [fixture(openNested)],
    call: async (c, a) =>
      (await c.getOpenOrders(a)).map((o) => ({ id: o.brokerOrderId, ticker: o.ticker, type: o.type, status: o.status, parent: o.parentBrokerOrderId, role: o.role ?? null, filled: o.filledQuantity })),
    expected: {
      result: [
        { id: "a3d5e2f8-9f5e-4a6c-8b0e-1c2d3e4f5a6b", ticker: "SPY", type: "limit", status: "open", parent: "f1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8", role: "take_profit", filled: "0" },
        { id: "c7e9a1b2-3d4e-4f5a-8b6c-7d8e9f0a1b2c", ticker: "SPY", type: "stop_limit", status: "open", parent: "f1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8", role: "stop_loss", filled: "0" },
        { id: "0d9e8f7a-6b5c-4d3e-8f21-0a9b8c7d6e5f", ticker: "AMD", type: "limit", status: "open", parent: null, role: null, filled: "0" },
        { id: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", ticker: "BTCUSD", type: "limit", status: "partially_filled", parent: null, role: null, filled: "0.1" },
      ],
    },
  },
  {
    name: "read by id (nested): an entry with legs is the entry; a bracket-class order without legs is a leg",
    replies: [fixture(bracketAccepted), { status: 200, body: (bracketAccepted as { response: { body: { legs: unknown[] } } }).response.body.legs[1] }],
    call: async (c, a) => [
      (await c.getOrder(a, { brokerOrderId: "f1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8" }))?.role,
      (await c.getOrder(a, { brokerOrderId: "c7e9a1b2-3d4e-4f5a-8b6c-7d8e9f0a1b2c" }))?.role,
    ],
    expected: { result: ["entry", "stop_loss"] },
  },
  {
    name: "a partially filled limit order",
    replies: [fixture(partialLimit)],
    call: async (c, a) => {
      const o = await c.getOrder(a, { brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d" });
      return o && { status: o.status, quantity: o.quantity, filled: o.filledQuantity, avg: o.avgFillPrice, limit: o.limitPrice, tif: o.timeInForce };
    },
    expected: { result: { status: "partially_filled", quantity: "100", filled: "40", avg: "130.5", limit: "130.5", tif: "gtc" } },
  },
  {
    name: "Alpaca's own 404 'order not found' → null (never placed)",
    replies: [fixture(errNotFound)],
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    expected: { result: null },
  },
  {
    name: "a 404 that is not Alpaca's (wrong route, proxy) is an error, never null",
    replies: [fixture(errRoute)],
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    expected: { error: { kind: "rejected", code: "not-found", status: 404 } },
  },
  {
    name: "403 insufficient buying power → rejected insufficient-funds",
    replies: [fixture(errFunds)],
    call: place(),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 403 } },
  },
  {
    name: "403 insufficient qty (shares held by bracket legs) → rejected insufficient-quantity",
    replies: [fixture(errQty)],
    call: place({ side: "sell" }),
    expected: { error: { kind: "rejected", code: "insufficient-quantity", status: 403 } },
  },
  {
    name: "422 client_order_id must be unique → duplicate-client-order-id (the core reconciles)",
    replies: [fixture(errDuplicate)],
    call: place(),
    expected: { error: { kind: "rejected", code: "duplicate-client-order-id", status: 422 } },
  },
  {
    name: "422 sub-penny price → invalid-price",
    replies: [fixture(errSubPenny)],
    call: place({ type: "limit", limitPrice: "120.5" }),
    expected: { error: { kind: "rejected", code: "invalid-price", status: 422 } },
  },
  {
    name: "401 → auth-expired invalid-credentials",
    replies: [fixture(errAuth)],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "auth-expired", code: "invalid-credentials", status: 401 } },
  },
  {
    name: "a 401 on the connection test where the key works on the other host → wrong-environment",
    replies: [fixture(errAuth), fixture(account)],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "auth-expired", code: "wrong-environment", status: 401 } },
  },
  {
    name: "a 401 on the connection test where the other host refuses it too → invalid-credentials",
    replies: [fixture(errAuth), fixture(errAuth)],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "auth-expired", code: "invalid-credentials", status: 401 } },
  },
  {
    name: "429 → retryable rate-limited",
    replies: [fixture(errRate)],
    call: place(),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 429 } },
  },
  {
    name: "a 502 HTML page after POST /v2/orders → outcome-unknown (the order may exist)",
    replies: [fixture(errGateway)],
    call: place(),
    expected: { error: { kind: "outcome-unknown", code: "broker-unavailable", status: 502 } },
  },
  {
    name: "the same 502 on a read → retryable",
    replies: [fixture(errGateway)],
    call: (c, a) => c.getPositions(a),
    expected: { error: { kind: "retryable", code: "broker-unavailable", status: 502 } },
  },
  {
    name: "422 on cancel of a filled order → order-not-cancelable (the core treats it as done)",
    replies: [fixture(errNotCancelable)],
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d" }),
    expected: { error: { kind: "rejected", code: "order-not-cancelable", status: 422 } },
  },
  {
    name: "latest quote (stocks): bid and ask as decimal strings",
    replies: [fixture(quotesStocks)],
    call: async (c) => c.getQuote?.("AAPL", "stocks"),
    expected: { result: { ticker: "AAPL", bid: "190.25", ask: "190.27", last: null, at: "2026-01-02T15:04:05.123456789Z" } },
  },
  {
    name: "latest quote (crypto pair)",
    replies: [fixture(quotesCrypto)],
    call: async (c) => c.getQuote?.("BTCUSD", "crypto"),
    expected: { result: { ticker: "BTCUSD", bid: "94101.25", ask: "94120.5", last: null, at: "2026-01-02T03:04:05.000Z" } },
  },
];
