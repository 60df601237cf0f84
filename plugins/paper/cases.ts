/**
 * The paper plugin's static conformance cases (layers 1 and 2 of the kit):
 * intents in → exact ledger requests out, and recorded ledger responses in
 * → normalized models or BrokerErrors out. Fixtures are in `fixtures/`.
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { StaticRequestCase, StaticResponseCase } from "../testkit";
import accountFixture from "./fixtures/account.json";
import accountCreatedFixture from "./fixtures/account-created.json";
import duplicateFixture from "./fixtures/error-duplicate-client-order-id.json";
import fundsFixture from "./fixtures/error-insufficient-funds.json";
import noPriceFixture from "./fixtures/error-no-price.json";
import entryFixture from "./fixtures/order-filled-bracket-entry.json";
import shortFixture from "./fixtures/order-filled-short.json";
import legsFixture from "./fixtures/orders-open-bracket-legs.json";
import positionsFixture from "./fixtures/positions.json";

/** Base URL the static cases run against (the core addresses one ledger per connection). */
export const STATIC_BASE = "https://paper.tradeloop.internal/ledgers/conn-1";
const JSON_HEADERS = { accept: "application/json", "content-type": "application/json" };

const amdBracket: OrderRequest = {
  clientOrderId: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  ticker: "AMD",
  assetClass: "stocks",
  side: "buy",
  quantity: "10",
  type: "market",
  timeInForce: "gtc",
  referencePrice: "143.12",
  bracket: { takeProfit: { limitPrice: "157.43" }, stopLoss: { type: "stop", stopPrice: "135.96" } },
};
const plain: OrderRequest = { ...amdBracket, bracket: undefined, referencePrice: undefined };

export const paperRequestCases: StaticRequestCase[] = [
  {
    name: "placeOrder: market entry with a bracket → POST /orders",
    call: (client, account) => client.placeOrder(account, amdBracket),
    replies: [entryFixture],
    expected: [
      {
        method: "POST",
        url: `${STATIC_BASE}/orders`,
        headers: JSON_HEADERS,
        body: {
          client_order_id: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
          symbol: "AMD",
          side: "buy",
          type: "market",
          qty: "10",
          time_in_force: "gtc",
          reference_price: "143.12",
          take_profit: { limit_price: "157.43" },
          stop_loss: { type: "stop", stop_price: "135.96" },
        },
      },
    ],
  },
  {
    name: "placeOrder: trailing stop by percent",
    call: (client, account) => client.placeOrder(account, { ...plain, type: "trailing_stop", side: "sell", trailPercent: "2.5", timeInForce: "day" }),
    replies: [shortFixture],
    expected: [
      {
        method: "POST",
        url: `${STATIC_BASE}/orders`,
        body: { client_order_id: amdBracket.clientOrderId, symbol: "AMD", side: "sell", type: "trailing_stop", qty: "10", time_in_force: "day", trail_percent: "2.5" },
      },
    ],
  },
  {
    name: "placeOrder: stop limit carries both prices",
    call: (client, account) => client.placeOrder(account, { ...plain, type: "stop_limit", stopPrice: "10.71", limitPrice: "10.75", timeInForce: "ioc" }),
    replies: [shortFixture],
    expected: [
      {
        method: "POST",
        url: `${STATIC_BASE}/orders`,
        body: { client_order_id: amdBracket.clientOrderId, symbol: "AMD", side: "buy", type: "stop_limit", qty: "10", time_in_force: "ioc", limit_price: "10.75", stop_price: "10.71" },
      },
    ],
  },
  {
    name: "getOrder by client id (URL-encoded) and by broker id",
    call: async (client, account) => {
      await client.getOrder(account, { clientOrderId: "tl:a/b" });
      await client.getOrder(account, { brokerOrderId: "paper-000001" });
    },
    replies: [entryFixture, entryFixture],
    expected: [
      { method: "GET", url: `${STATIC_BASE}/orders/by-client-id/tl%3Aa%2Fb`, headers: { accept: "application/json" } },
      { method: "GET", url: `${STATIC_BASE}/orders/paper-000001` },
    ],
  },
  {
    name: "cancelOrder by broker id and by client id",
    call: async (client, account) => {
      await client.cancelOrder(account, { brokerOrderId: "paper-000001" });
      await client.cancelOrder(account, { clientOrderId: "tl-x" });
    },
    replies: [entryFixture, entryFixture],
    expected: [
      { method: "DELETE", url: `${STATIC_BASE}/orders/paper-000001` },
      { method: "DELETE", url: `${STATIC_BASE}/orders/by-client-id/tl-x` },
    ],
  },
  {
    name: "getOpenOrders, getPositions, getBalance",
    call: async (client, account) => {
      await client.getOpenOrders(account);
      await client.getPositions(account);
      await client.getBalance(account);
    },
    replies: [legsFixture, positionsFixture, accountFixture],
    expected: [
      { method: "GET", url: `${STATIC_BASE}/orders?status=open` },
      { method: "GET", url: `${STATIC_BASE}/positions` },
      { method: "GET", url: `${STATIC_BASE}/account` },
    ],
  },
  {
    name: "testConnection sets the account up with the starting cash",
    call: (client) => client.testConnection(),
    replies: [accountCreatedFixture],
    expected: [{ method: "POST", url: `${STATIC_BASE}/account`, headers: JSON_HEADERS, body: { starting_cash: "100000" } }],
  },
  {
    name: "observePrice → POST /prices",
    call: (client, account) => client.observePrice?.(account, "AMD", "150") ?? Promise.resolve(),
    replies: [{ status: 200, body: { symbol: "AMD", price: "150", orders: [] } }],
    expected: [{ method: "POST", url: `${STATIC_BASE}/prices`, body: { symbol: "AMD", price: "150" } }],
  },
];

const entryWire = entryFixture.response.body;

export const paperResponseCases: StaticResponseCase[] = [
  {
    name: "a filled order",
    replies: [entryFixture],
    call: (client, account) => client.getOrder(account, { brokerOrderId: "paper-000001" }),
    expected: {
      result: {
        brokerOrderId: "paper-000001",
        clientOrderId: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        ticker: "AMD",
        side: "buy",
        type: "market",
        quantity: "10",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "gtc",
        status: "filled",
        filledQuantity: "10",
        avgFillPrice: "143.12",
        parentBrokerOrderId: null,
        createdAt: entryWire.created_at,
        updatedAt: entryWire.updated_at,
      },
    },
  },
  {
    name: "bracket legs carry their parent and role",
    replies: [legsFixture],
    call: async (client, account) =>
      (await client.getOpenOrders(account)).map((o) => ({ id: o.brokerOrderId, role: o.role, parent: o.parentBrokerOrderId, status: o.status, cid: o.clientOrderId })),
    expected: {
      result: [
        { id: "paper-000002", role: "take_profit", parent: "paper-000001", status: "open", cid: null },
        { id: "paper-000003", role: "stop_loss", parent: "paper-000001", status: "open", cid: null },
      ],
    },
  },
  {
    name: "signed positions",
    replies: [positionsFixture],
    call: (client, account) => client.getPositions(account),
    expected: {
      result: [
        { ticker: "AMD", quantity: "10", avgPrice: "143.12" },
        { ticker: "TSLA", quantity: "-3", avgPrice: "250.5" },
      ],
    },
  },
  {
    name: "the balance",
    replies: [accountFixture],
    call: (client, account) => client.getBalance(account),
    expected: { result: { currency: "USD", cash: "99320.3", equity: "100068.8", buyingPower: "97817.3" } },
  },
  {
    name: "insufficient funds → rejected",
    replies: [fundsFixture],
    call: (client, account) => client.placeOrder(account, amdBracket),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 422 } },
  },
  {
    name: "no price → rejected",
    replies: [noPriceFixture],
    call: (client, account) => client.placeOrder(account, amdBracket),
    expected: { error: { kind: "rejected", code: "no-price", status: 422 } },
  },
  {
    name: "duplicate client order id → rejected with the code the core reconciles on",
    replies: [duplicateFixture],
    call: (client, account) => client.placeOrder(account, amdBracket),
    expected: { error: { kind: "rejected", code: "duplicate-client-order-id", status: 409 } },
  },
  {
    name: "429 → retryable",
    replies: [{ status: 429, body: { code: "slow-down", message: "Too many requests" }, headers: { "retry-after": "2" } }],
    call: (client, account) => client.getBalance(account),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 429 } },
  },
  {
    name: "5xx on placeOrder → outcome-unknown",
    replies: [{ status: 503, body: { code: "internal", message: "down" } }],
    call: (client, account) => client.placeOrder(account, amdBracket),
    expected: { error: { kind: "outcome-unknown", code: "broker-unavailable", status: 503 } },
  },
  {
    name: "5xx on a read → retryable",
    replies: [{ status: 500 }],
    call: (client, account) => client.getPositions(account),
    expected: { error: { kind: "retryable", code: "broker-unavailable", status: 500 } },
  },
  {
    name: "HTTP 200 with an unreadable body on placeOrder → outcome-unknown",
    replies: [{ status: 200, body: { unexpected: true } }],
    call: (client, account) => client.placeOrder(account, amdBracket),
    expected: { error: { kind: "outcome-unknown", code: "bad-response", status: 200 } },
  },
  {
    name: "getOrder: the ledger's own order-not-found is null",
    replies: [{ status: 404, body: { code: "order-not-found", message: "no such order" } }],
    call: (client, account) => client.getOrder(account, { clientOrderId: "tl-unknown" }),
    expected: { result: null },
  },
  {
    name: "getOrder: a 404 from a wrong route is an error, never 'no such order'",
    replies: [{ status: 404, body: { code: "route-not-found", message: "no route" } }],
    call: (client, account) => client.getOrder(account, { clientOrderId: "tl-unknown" }),
    expected: { error: { kind: "rejected", code: "not-found", status: 404 } },
  },
  {
    name: "a ledger that was never set up is set up, then the call is repeated once",
    replies: [{ status: 409, body: { code: "not-initialized", message: "set up first" } }, accountCreatedFixture, entryFixture],
    call: async (client, account) => (await client.placeOrder(account, amdBracket)).status,
    expected: { result: "filled" },
  },
];
