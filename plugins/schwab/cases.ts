/**
 * Static cases for Schwab, written from the Trader API documentation (no
 * recording could be made from this machine).
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

const BASE = "https://api.schwabapi.com/trader/v1";
const HASH = "E5B5A2B7C1D9F00A1B2C3D4E5F60718293A4B5C6D7E8F9011223344556677889";
export const STATIC_ACCESS_TOKEN = "schwab-static-access-token-0123456789";
const noPositions = { status: 200, body: { securitiesAccount: { accountNumber: "12345678", positions: [], currentBalances: { cashBalance: 1000 } } } };

export const requestCases: StaticRequestCase[] = [
  {
    name: "testConnection lists account numbers and their hashes",
    call: (client) => client.testConnection(),
    replies: [{ status: 200, body: [] }],
    expected: [{ method: "GET", url: `${BASE}/accounts/accountNumbers`, headers: { authorization: `Bearer ${STATIC_ACCESS_TOKEN}`, accept: "application/json" } }],
  },
  {
    name: "a bracket is a TRIGGER order whose child is an OCO of the two exits",
    call: (client, accountId) =>
      client.placeOrder(accountId, {
        clientOrderId: "tl0123456789abcdef0123456789abcdef",
        ticker: "AAPL",
        assetClass: "stocks",
        side: "buy",
        quantity: "2",
        type: "limit",
        timeInForce: "day",
        limitPrice: "99.5",
        bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "95" } },
      }),
    replies: [noPositions, { status: 201, headers: { location: `${BASE}/accounts/${HASH}/orders/1001` } }],
    expected: [
      { method: "GET", url: `${BASE}/accounts/${HASH}?fields=positions` },
      {
        method: "POST",
        url: `${BASE}/accounts/${HASH}/orders`,
        body: {
          session: "NORMAL",
          duration: "DAY",
          orderType: "LIMIT",
          orderStrategyType: "TRIGGER",
          price: "99.5",
          orderLegCollection: [{ instruction: "BUY", quantity: 2, instrument: { symbol: "AAPL", assetType: "EQUITY" } }],
          childOrderStrategies: [
            {
              orderStrategyType: "OCO",
              childOrderStrategies: [
                { session: "NORMAL", duration: "GOOD_TILL_CANCEL", orderStrategyType: "SINGLE", orderLegCollection: [{ instruction: "SELL", quantity: 2, instrument: { symbol: "AAPL", assetType: "EQUITY" } }], orderType: "LIMIT", price: "110" },
                { session: "NORMAL", duration: "GOOD_TILL_CANCEL", orderStrategyType: "SINGLE", orderLegCollection: [{ instruction: "SELL", quantity: 2, instrument: { symbol: "AAPL", assetType: "EQUITY" } }], orderType: "STOP", stopPrice: "95" },
              ],
            },
          ],
        },
      },
      { method: "GET", url: `${BASE}/accounts/${HASH}/orders/1001` },
    ],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "the order id comes from the Location header of the 201",
    replies: [
      noPositions,
      { status: 201, headers: { location: `${BASE}/accounts/${HASH}/orders/1002` } },
      { status: 200, body: { orderId: 1002, status: "WORKING", orderType: "LIMIT", duration: "DAY", price: 99.5, quantity: 1, filledQuantity: 0, orderLegCollection: [{ instruction: "BUY", quantity: 1, instrument: { symbol: "AAPL", assetType: "EQUITY" } }] } },
    ],
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "limit", timeInForce: "day", limitPrice: "99.5" }),
    expected: {
      result: {
        brokerOrderId: "1002",
        clientOrderId: "tl0123456789abcdef0123456789abcdef",
        ticker: "AAPL",
        side: "buy",
        type: "limit",
        quantity: "1",
        limitPrice: "99.5",
        stopPrice: null,
        timeInForce: "day",
        status: "open",
        filledQuantity: "0",
        avgFillPrice: null,
      },
    },
  },
  {
    name: "long and short quantities net into one signed position",
    replies: [{ status: 200, body: { securitiesAccount: { accountNumber: "12345678", currentBalances: {}, positions: [{ longQuantity: 0, shortQuantity: 5, averagePrice: 182.1, instrument: { symbol: "MSFT", assetType: "EQUITY" } }] } } }],
    call: (client, accountId) => client.getPositions(accountId),
    expected: { result: [{ ticker: "MSFT", quantity: "-5", avgPrice: "182.1" }] },
  },
  {
    name: "an order refused for buying power is insufficient-funds",
    replies: [noPositions, { status: 400, body: { message: "Order rejected: insufficient buying power", errors: [] } }],
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "100000", type: "market", timeInForce: "day" }),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 400 } },
  },
  {
    name: "looking an order up by client id cannot say 'absent': outcome-unknown",
    replies: [],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef" }),
    expected: { error: { kind: "outcome-unknown", code: "client-order-id-lookup-unsupported" } },
  },
];
