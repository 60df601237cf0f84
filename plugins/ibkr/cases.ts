/**
 * Static cases for IBKR, written from the Web API documentation (the gateway
 * runs on the user's machine: no recording could be made from here).
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

export const GATEWAY = "https://ibkr-gateway.example.test/v1/api";
export const ACCOUNT = "DU1234567";
const ID = "tl0123456789abcdef0123456789abcdef";
const ACCESS = { "cf-access-client-id": "0123456789abcdef0123456789abcdef.access", "cf-access-client-secret": "fake-access-secret-0123456789abcdef0123456789" };
/**
 * Contract ids are cached for the isolate (a conid never changes), so each
 * case that shows the lookup uses a ticker no other case or scenario uses.
 */
const lookup = (symbol: string, conid: number) => ({ status: 200, body: { [symbol]: [{ name: symbol, assetClass: "STK", contracts: [{ conid, exchange: "NASDAQ", isUS: true }] }] } });
const liveOrder = (fields: Record<string, unknown>) => ({
  acct: ACCOUNT,
  conid: 265598,
  orderId: 1900001,
  order_ref: ID,
  ticker: "AAPL",
  secType: "STK",
  description1: "AAPL",
  totalSize: 10,
  filledQuantity: 0,
  remainingQuantity: 10,
  status: "Submitted",
  orderType: "Limit",
  price: "150.25",
  timeInForce: "GTC",
  side: "BUY",
  ...fields,
});

export const requestCases: StaticRequestCase[] = [
  {
    name: "a bracket is the entry with cOID and two children with parentId = the entry's cOID, to the user's gateway with the Access headers",
    call: (client, accountId) =>
      client.placeOrder(accountId, {
        clientOrderId: ID,
        ticker: "SPY",
        assetClass: "stocks",
        side: "buy",
        quantity: "10",
        type: "limit",
        timeInForce: "gtc",
        limitPrice: "150.25",
        bracket: { takeProfit: { limitPrice: "160" }, stopLoss: { type: "stop", stopPrice: "145" } },
      }),
    replies: [lookup("SPY", 756733), { status: 200, body: [{ order_id: "1900001", order_status: "Submitted", local_order_id: ID }] }, { status: 200, body: { orders: [liveOrder({ conid: 756733, ticker: "SPY" })], snapshot: true } }],
    expected: [
      { method: "GET", url: `${GATEWAY}/trsrv/stocks?symbols=SPY`, headers: { accept: "application/json", ...ACCESS } },
      {
        method: "POST",
        url: `${GATEWAY}/iserver/account/${ACCOUNT}/orders`,
        headers: { accept: "application/json", "content-type": "application/json", ...ACCESS },
        body: {
          orders: [
            { acctId: ACCOUNT, conid: 756733, cOID: ID, orderType: "LMT", side: "BUY", quantity: 10, tif: "GTC", price: 150.25 },
            { acctId: ACCOUNT, conid: 756733, parentId: ID, orderType: "LMT", side: "SELL", quantity: 10, tif: "GTC", price: 160 },
            { acctId: ACCOUNT, conid: 756733, parentId: ID, orderType: "STP", side: "SELL", quantity: 10, tif: "GTC", price: 145 },
          ],
        },
      },
      { method: "GET", url: `${GATEWAY}/iserver/account/orders` },
    ],
  },
  {
    name: "a question is confirmed at /iserver/reply/{id} with confirmed: true",
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: ID, ticker: "BRK.B", assetClass: "stocks", side: "sell", quantity: "3", type: "market", timeInForce: "day", extendedHours: true }),
    replies: [
      lookup("BRK B", 72063691),
      { status: 200, body: [{ id: "a1b2c3d4-0000-4000-8000-000000000001", message: ["You are submitting an order without market data."], isSuppressed: false, messageIds: ["o354"] }] },
      { status: 200, body: [{ order_id: "1900002", order_status: "PreSubmitted", local_order_id: ID }] },
      { status: 200, body: { orders: [liveOrder({ orderId: 1900002, conid: 72063691, ticker: "BRK B", side: "SELL", totalSize: 3, remainingQuantity: 3, status: "PreSubmitted", orderType: "Market", price: undefined, timeInForce: "DAY" })], snapshot: true } },
    ],
    expected: [
      { method: "GET", url: `${GATEWAY}/trsrv/stocks?symbols=BRK%20B` },
      {
        method: "POST",
        url: `${GATEWAY}/iserver/account/${ACCOUNT}/orders`,
        body: { orders: [{ acctId: ACCOUNT, conid: 72063691, cOID: ID, orderType: "MKT", side: "SELL", quantity: 3, tif: "DAY", outsideRTH: true }] },
      },
      { method: "POST", url: `${GATEWAY}/iserver/reply/a1b2c3d4-0000-4000-8000-000000000001`, body: { confirmed: true } },
      { method: "GET", url: `${GATEWAY}/iserver/account/orders` },
    ],
  },
  {
    name: "a futures contract is found by root and month at /trsrv/futures; a stop limit sends the limit as price and the stop as auxPrice",
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: ID, ticker: "MESZ2026", assetClass: "futures", side: "buy", quantity: "1", type: "stop_limit", timeInForce: "day", stopPrice: "6010", limitPrice: "6012.5" }),
    replies: [
      { status: 200, body: { MES: [{ symbol: "MES", conid: 711280073, expirationDate: 20270319 }, { symbol: "MES", conid: 711280067, expirationDate: 20261218 }] } },
      { status: 200, body: [{ order_id: "1900003", order_status: "Submitted", local_order_id: ID }] },
      { status: 200, body: { orders: [liveOrder({ orderId: 1900003, conid: 711280067, secType: "FUT", ticker: "MES", description1: "MES DEC2026", totalSize: 1, remainingQuantity: 1, orderType: "Stop Limit", price: "6012.5", auxPrice: "6010", timeInForce: "DAY" })], snapshot: true } },
    ],
    expected: [
      { method: "GET", url: `${GATEWAY}/trsrv/futures?symbols=MES` },
      {
        method: "POST",
        url: `${GATEWAY}/iserver/account/${ACCOUNT}/orders`,
        body: { orders: [{ acctId: ACCOUNT, conid: 711280067, cOID: ID, orderType: "STOP_LIMIT", side: "BUY", quantity: 1, tif: "DAY", price: 6012.5, auxPrice: 6010 }] },
      },
      { method: "GET", url: `${GATEWAY}/iserver/account/orders` },
    ],
  },
  {
    name: "cancel is DELETE /iserver/account/{account}/order/{orderId}",
    call: (client, accountId) => client.cancelOrder(accountId, { brokerOrderId: "1900001" }),
    replies: [{ status: 200, body: { msg: "Request was submitted", order_id: 1900001, conid: 265598, account: ACCOUNT } }],
    expected: [{ method: "DELETE", url: `${GATEWAY}/iserver/account/${ACCOUNT}/order/1900001` }],
  },
  {
    name: "balance reads /portfolio/accounts once, then the account summary",
    call: (client, accountId) => client.getBalance(accountId),
    replies: [{ status: 200, body: [{ id: ACCOUNT, currency: "USD" }] }, { status: 200, body: { netliquidation: { amount: 100000, currency: "USD" }, totalcashvalue: { amount: 90000, currency: "USD" } } }],
    expected: [
      { method: "GET", url: `${GATEWAY}/portfolio/accounts` },
      { method: "GET", url: `${GATEWAY}/portfolio/${ACCOUNT}/summary` },
    ],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "a live order with cOID, partly filled while Submitted, is partially_filled with its order_ref",
    replies: [{ status: 200, body: { orders: [liveOrder({ filledQuantity: 4, remainingQuantity: 6, avgPrice: "150.1" })], snapshot: true } }],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: ID }),
    expected: {
      result: {
        brokerOrderId: "1900001",
        clientOrderId: ID,
        ticker: "AAPL",
        side: "buy",
        type: "limit",
        quantity: "10",
        limitPrice: "150.25",
        stopPrice: null,
        timeInForce: "gtc",
        status: "partially_filled",
        filledQuantity: "4",
        avgFillPrice: "150.1",
      },
    },
  },
  {
    name: "an unprimed live-orders list read twice without the order is outcome-unknown, never null",
    replies: [
      { status: 200, body: { orders: [], snapshot: false } },
      { status: 200, body: { orders: [], snapshot: false } },
    ],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: ID }),
    expected: { error: { kind: "outcome-unknown", code: "order-lookup-incomplete" } },
  },
  {
    name: "a complete snapshot read twice without the order is null (IBKR never booked it)",
    replies: [
      { status: 200, body: { orders: [], snapshot: true } },
      { status: 200, body: { orders: [], snapshot: true } },
    ],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: ID }),
    expected: { result: null },
  },
  {
    name: "an order rejection inside HTTP 200 for funds is insufficient-funds",
    replies: [lookup("MSFT", 272093), { status: 200, body: { error: "Order rejected - reason: Your account has insufficient funds (equity with loan value) to complete this order." } }],
    call: (client, accountId) => client.placeOrder(accountId, { clientOrderId: ID, ticker: "MSFT", assetClass: "stocks", side: "buy", quantity: "1000000", type: "limit", timeInForce: "day", limitPrice: "150" }),
    expected: { error: { kind: "rejected", code: "insufficient-funds" } },
  },
  {
    name: "a repeated cOID is duplicate-client-order-id (the core reconciles instead of failing)",
    replies: [lookup("NVDA", 4815747), { status: 200, body: { error: `Local order ID=${ID} is already registered.` } }],
    call: (client, accountId) => client.placeOrder(accountId, { clientOrderId: ID, ticker: "NVDA", assetClass: "stocks", side: "buy", quantity: "1", type: "limit", timeInForce: "day", limitPrice: "150" }),
    expected: { error: { kind: "rejected", code: "duplicate-client-order-id" } },
  },
  {
    name: "positions read stocks and futures with signed quantities and the per-unit average price",
    replies: [
      { status: 200, body: [{ id: ACCOUNT, currency: "USD" }] },
      {
        status: 200,
        body: [
          { acctId: ACCOUNT, conid: 265598, contractDesc: "AAPL", position: 10, avgCost: 150.5, avgPrice: 150.5, assetClass: "STK", ticker: "AAPL" },
          { acctId: ACCOUNT, conid: 711280067, contractDesc: "MES DEC2026", position: -2, avgCost: 30025, avgPrice: 6005, assetClass: "FUT", ticker: "MES" },
          { acctId: ACCOUNT, conid: 72063691, contractDesc: "BRK B", position: 0, avgCost: 0, avgPrice: 0, assetClass: "STK", ticker: "BRK B" },
        ],
      },
    ],
    call: (client, accountId) => client.getPositions(accountId),
    expected: {
      result: [
        { ticker: "AAPL", quantity: "10", avgPrice: "150.5" },
        { ticker: "MESZ2026", quantity: "-2", avgPrice: "6005" },
      ],
    },
  },
  {
    name: "a logged-out gateway's 401 that renewing cannot cure is auth-expired",
    replies: [
      { status: 401, body: { error: "not authenticated" } },
      { status: 401, body: { error: "not authenticated" } },
      { status: 401, body: { error: "not authenticated" } },
    ],
    call: (client, accountId) => client.getOpenOrders(accountId),
    expected: { error: { kind: "auth-expired", code: "login-refused" } },
  },
];
