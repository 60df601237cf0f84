/**
 * Static cases for TradeStation: the exact requests the plugin sends, and
 * what it makes of TradeStation's documented answers (written from the v3
 * reference; no sandbox recording could be made from this machine).
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

const BASE = "https://sim-api.tradestation.com/v3";
const ACCOUNT = "11111111";
/** The token the static layers' session hands out. */
export const STATIC_ACCESS_TOKEN = "ts-static-access-token-0123456789";
const auth = { authorization: `Bearer ${STATIC_ACCESS_TOKEN}`, accept: "application/json" };

const order = (fields: Record<string, unknown>) => ({
  AccountID: ACCOUNT,
  OrderID: "924",
  Status: "OPN",
  OrderType: "Limit",
  LimitPrice: "99.5",
  Duration: "GTC",
  FilledPrice: "0",
  Legs: [{ BuyOrSell: "Buy", Symbol: "AAPL", QuantityOrdered: "2", ExecQuantity: "0", AssetType: "STOCK" }],
  ...fields,
});

export const requestCases: StaticRequestCase[] = [
  {
    name: "testConnection lists the accounts with the bearer token",
    call: (client) => client.testConnection(),
    replies: [{ status: 200, body: { Accounts: [] } }],
    expected: [{ method: "GET", url: `${BASE}/brokerage/accounts`, headers: auth }],
  },
  {
    name: "a buy limit with a bracket reads the position, then sends the entry with an OSO group of type BRK",
    call: (client, accountId) =>
      client.placeOrder(accountId, {
        clientOrderId: "tl0123456789abcdef0123456789abcdef",
        ticker: "NASDAQ:AAPL",
        assetClass: "stocks",
        side: "buy",
        quantity: "2",
        type: "limit",
        timeInForce: "gtc",
        limitPrice: "99.5",
        bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "95" } },
      }),
    replies: [{ status: 200, body: { Positions: [] } }, { status: 200, body: { Orders: [{ OrderID: "924", Message: "Sent" }] } }],
    expected: [
      { method: "GET", url: `${BASE}/brokerage/accounts/${ACCOUNT}/positions` },
      {
        method: "POST",
        url: `${BASE}/orderexecution/orders`,
        headers: { ...auth, "content-type": "application/json" },
        body: {
          AccountID: ACCOUNT,
          Symbol: "AAPL",
          Quantity: "2",
          OrderType: "Limit",
          TradeAction: "BUY",
          TimeInForce: { Duration: "GTC" },
          Route: "Intelligent",
          LimitPrice: "99.5",
          OSOs: [
            {
              Type: "BRK",
              Orders: [
                { AccountID: ACCOUNT, Symbol: "AAPL", Quantity: "2", TradeAction: "SELL", TimeInForce: { Duration: "GTC" }, Route: "Intelligent", OrderType: "Limit", LimitPrice: "110" },
                { AccountID: ACCOUNT, Symbol: "AAPL", Quantity: "2", TradeAction: "SELL", TimeInForce: { Duration: "GTC" }, Route: "Intelligent", OrderType: "StopMarket", StopPrice: "95" },
              ],
            },
          ],
        },
      },
      { method: "GET", url: `${BASE}/brokerage/accounts/${ACCOUNT}/orders/924` },
    ],
  },
  {
    name: "a sell while flat is a SELLSHORT",
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "sell", quantity: "1", type: "market", timeInForce: "day" }),
    replies: [{ status: 200, body: { Positions: [] } }, { status: 200, body: { Orders: [{ OrderID: "925", Message: "Sent" }] } }],
    expected: [
      { method: "GET", url: `${BASE}/brokerage/accounts/${ACCOUNT}/positions` },
      {
        method: "POST",
        url: `${BASE}/orderexecution/orders`,
        body: { AccountID: ACCOUNT, Symbol: "AAPL", Quantity: "1", OrderType: "Market", TradeAction: "SELLSHORT", TimeInForce: { Duration: "DAY" }, Route: "Intelligent" },
      },
      { method: "GET", url: `${BASE}/brokerage/accounts/${ACCOUNT}/orders/925` },
    ],
  },
  {
    name: "cancel is a DELETE by order id",
    call: (client, accountId) => client.cancelOrder(accountId, { brokerOrderId: "924" }),
    expected: [{ method: "DELETE", url: `${BASE}/orderexecution/orders/924`, headers: auth }],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "a partly filled order (FLP) keeps its cumulative fill",
    replies: [{ status: 200, body: { Orders: [order({ Status: "FLP", FilledPrice: "99.4", Legs: [{ BuyOrSell: "Buy", Symbol: "AAPL", QuantityOrdered: "2", ExecQuantity: "1", AssetType: "STOCK" }] })] } }],
    call: (client, accountId) => client.getOrder(accountId, { brokerOrderId: "924" }),
    expected: {
      result: {
        brokerOrderId: "924",
        clientOrderId: null,
        ticker: "AAPL",
        side: "buy",
        type: "limit",
        quantity: "2",
        limitPrice: "99.5",
        stopPrice: null,
        timeInForce: "gtc",
        status: "partially_filled",
        filledQuantity: "1",
        avgFillPrice: "99.4",
      },
    },
  },
  {
    name: "a short position is a negative quantity",
    replies: [{ status: 200, body: { Positions: [{ AccountID: ACCOUNT, Symbol: "MSFT", Quantity: "3", LongShort: "Short", AveragePrice: "410.25" }] } }],
    call: (client, accountId) => client.getPositions(accountId),
    expected: { result: [{ ticker: "MSFT", quantity: "-3", avgPrice: "410.25" }] },
  },
  {
    name: "a refusal inside a 200 (Error FAILED, buying power) is insufficient-funds",
    replies: [{ status: 200, body: { Positions: [] } }, { status: 200, body: { Orders: [{ Error: "FAILED", Message: "Order failed. Reason: Insufficient buying power." }] } }],
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "100000", type: "market", timeInForce: "day" }),
    expected: { error: { kind: "rejected", code: "insufficient-funds" } },
  },
  {
    name: "looking an order up by client id cannot say 'absent': outcome-unknown",
    replies: [],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef" }),
    expected: { error: { kind: "outcome-unknown", code: "client-order-id-lookup-unsupported" } },
  },
  {
    name: "cancelling a filled order is order-not-cancelable",
    replies: [{ status: 400, body: { Error: "BadRequest", Message: "Order cannot be canceled: it is already filled or canceled." } }],
    call: (client, accountId) => client.cancelOrder(accountId, { brokerOrderId: "924" }),
    expected: { error: { kind: "rejected", code: "order-not-cancelable", status: 400 } },
  },
];
