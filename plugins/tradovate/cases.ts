/**
 * Static cases for Tradovate, written from the partner documentation (no
 * recording could be made from this machine).
 *
 * @module
 */
import type { StaticRequestCase, StaticResponseCase } from "../testkit";

const BASE = "https://demo.tradovateapi.com/v1";
export const STATIC_ACCESS_TOKEN = "tradovate-static-access-token-0123";
const accounts = { status: 200, body: [{ id: 700001, name: "DEMO700001", active: true }] };

export const requestCases: StaticRequestCase[] = [
  {
    name: "a bracket is placeOSO with bracket1 (take profit) and bracket2 (stop loss), isAutomated and our clOrdId",
    call: (client, accountId) =>
      client.placeOrder(accountId, {
        clientOrderId: "tl0123456789abcdef0123456789abcdef",
        ticker: "MESZ2026",
        assetClass: "futures",
        side: "buy",
        quantity: "2",
        type: "limit",
        timeInForce: "day",
        limitPrice: "4150",
        bracket: { takeProfit: { limitPrice: "4200" }, stopLoss: { type: "stop", stopPrice: "4100" } },
      }),
    replies: [accounts, { status: 200, body: { orderId: 9001, oso1Id: 9002, oso2Id: 9003 } }],
    expected: [
      { method: "GET", url: `${BASE}/account/list`, headers: { authorization: `Bearer ${STATIC_ACCESS_TOKEN}`, accept: "application/json" } },
      {
        method: "POST",
        url: `${BASE}/order/placeOSO`,
        body: {
          accountSpec: "DEMO700001",
          accountId: 700001,
          clOrdId: "tl0123456789abcdef0123456789abcdef",
          action: "Buy",
          symbol: "MESZ6",
          orderQty: 2,
          orderType: "Limit",
          price: 4150,
          timeInForce: "Day",
          isAutomated: true,
          bracket1: { action: "Sell", orderType: "Limit", price: 4200 },
          bracket2: { action: "Sell", orderType: "Stop", stopPrice: 4100 },
        },
      },
      { method: "GET", url: `${BASE}/order/item?id=9001` },
    ],
  },
  {
    name: "cancel is POST /order/cancelorder with the order id",
    call: (client, accountId) => client.cancelOrder(accountId, { brokerOrderId: "9001" }),
    replies: [{ status: 200, body: { commandId: 1 } }],
    expected: [{ method: "POST", url: `${BASE}/order/cancelorder`, body: { orderId: 9001 } }],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "an order is read from its order, version and fills; the contract name maps back to a 4-digit year",
    replies: [
      { status: 200, body: { id: 9001, accountId: 700001, contractId: 2000001, action: "Sell", ordStatus: "Working", timestamp: "2026-01-02T03:04:05Z" } },
      { status: 200, body: [{ id: 90010, orderId: 9001, orderQty: 3, orderType: "Limit", price: 4200.25, timeInForce: "GTC" }] },
      { status: 200, body: [{ id: 900100, orderId: 9001, qty: 1, price: 4200.25 }] },
      { status: 200, body: { id: 2000001, name: "MESZ6" } },
    ],
    call: (client, accountId) => client.getOrder(accountId, { brokerOrderId: "9001" }),
    expected: {
      result: {
        brokerOrderId: "9001",
        clientOrderId: null,
        ticker: "MESZ2026",
        side: "sell",
        type: "limit",
        quantity: "3",
        limitPrice: "4200.25",
        stopPrice: null,
        timeInForce: "gtc",
        status: "partially_filled",
        filledQuantity: "1",
        avgFillPrice: "4200.25",
        createdAt: "2026-01-02T03:04:05Z",
      },
    },
  },
  {
    name: "a refusal inside a 200 (failureText, margin) is insufficient-funds",
    replies: [accounts, { status: 200, body: { failureReason: "RiskCheck", failureText: "Insufficient margin for the order" } }],
    call: (client, accountId) =>
      client.placeOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "MESZ2026", assetClass: "futures", side: "buy", quantity: "500", type: "market", timeInForce: "day" }),
    expected: { error: { kind: "rejected", code: "insufficient-funds" } },
  },
  {
    name: "looking an order up by client id cannot say 'absent': outcome-unknown",
    replies: [],
    call: (client, accountId) => client.getOrder(accountId, { clientOrderId: "tl0123456789abcdef0123456789abcdef" }),
    expected: { error: { kind: "outcome-unknown", code: "client-order-id-lookup-unsupported" } },
  },
];
