/**
 * Conformance layers 1 and 2 for Robinhood, as data.
 *
 * The static cases connect with Robinhood's own documented example
 * credential (API key and private key from the API reference's signature
 * example) at the kit's fixed clock, and Ed25519 is deterministic, so every
 * `x-signature` below is checked exactly. The expected values were computed
 * independently of this plugin (Python `cryptography`, same message layout).
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { StaticRequestCase, StaticResponseCase } from "../testkit";
import accountDeactivated from "./fixtures/account-deactivated.json";
import account from "./fixtures/account.json";
import bestBidAsk from "./fixtures/best-bid-ask.json";
import notCancelable from "./fixtures/cancel-not-cancelable.json";
import cancelled from "./fixtures/cancel-submitted.json";
import e401 from "./fixtures/error-401.json";
import e429 from "./fixtures/error-429.json";
import e503 from "./fixtures/error-503.json";
import insufficient from "./fixtures/error-insufficient.json";
import invalidUuid from "./fixtures/error-invalid-uuid.json";
import holdings from "./fixtures/holdings.json";
import created from "./fixtures/order-created-market.json";
import empty from "./fixtures/orders-empty.json";
import partial from "./fixtures/orders-partial-limit.json";

/** Robinhood's documented example credential (from the API reference's signature example; not a live key). */
export const DOC_CREDENTIALS = {
  apiKey: "rh-api-6148effc-c0b1-486c-8940-a1d099456be6",
  privateKey: "xQnTJVeQLmw1/Mg2YimEViSpw/SdJcgNXZ5kQkAXNPU=",
};
/** The public key the reference derives from that private key. */
export const DOC_PUBLIC_KEY = "jPItx4TLjcnSUnmnXQQyAKL4eJj3+oWNNMmmm2vATqk=";

export const BASE = "https://trading.robinhood.com";
export const ACCOUNT = "5QR24141";
const T = `${BASE}/api/v1/crypto/trading`;
/** The kit's fixed clock, 2026-01-02T03:04:05Z, in Unix seconds. */
const TS = "1767323045";

function signed(signature: string, withBody = false): Record<string, string> {
  return {
    accept: "application/json",
    "x-api-key": DOC_CREDENTIALS.apiKey,
    "x-timestamp": TS,
    "x-signature": signature,
    ...(withBody && { "content-type": "application/json; charset=utf-8" }),
  };
}

/** A market buy; its client id maps to the UUID 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9. */
export const marketBuy: OrderRequest = {
  clientOrderId: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  ticker: "BTCUSD",
  assetClass: "crypto",
  side: "buy",
  quantity: "0.001",
  type: "market",
  timeInForce: "gtc",
};
const UUID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";
const order = (over: Partial<OrderRequest>): OrderRequest => ({ ...marketBuy, ...over });

export const requestCases: StaticRequestCase[] = [
  {
    name: "testConnection reads the account, signed",
    call: (c) => c.testConnection(),
    replies: [account],
    expected: [
      { method: "GET", url: `${T}/accounts/`, headers: signed("2O1jCqW0FoCiGTWHT2UDKaHNrP8dGwZkyViC5c62p80raRkEly1W1KWIK8We118t4di5iaNe0lWiHi5kt00hBg==") },
    ],
  },
  {
    name: "getBalance: account, holdings, then quotes for what is held",
    call: (c, a) => c.getBalance(a),
    replies: [account, holdings],
    expected: [
      { method: "GET", url: `${T}/accounts/` },
      { method: "GET", url: `${T}/holdings/`, headers: signed("8B0piA97Trdo0J3sx38Dvh0KzEKngvXk7yFmfGNiaxmpqrqPhQ3Yh7r8s21gR/G8jYt2X8T4ay2I5QcMLL83Cw==") },
      {
        method: "GET",
        url: `${BASE}/api/v1/crypto/marketdata/best_bid_ask/?symbol=BTC-USD`,
        headers: signed("bJpxtuNqk0RpRoy+s0hNW/QjbgFpUuUFa1abr3TbGQov9mdy3l4PIunfXVLzsHKnvDmL8MSPiIdIiLZuwWMJCg=="),
      },
    ],
  },
  {
    name: "getOpenOrders: open, then partially filled (the state filter takes one value)",
    call: (c, a) => c.getOpenOrders(a),
    replies: [empty, empty],
    expected: [
      { method: "GET", url: `${T}/orders/?state=open`, headers: signed("l0FRlL1D+UO+Rr/FQjdIhSeehotIfw7ReMs1hInXXOaKGoRds7HLxJD5eKpoXa0oDGR5ighJN5s8ncGtmoA6AA==") },
      { method: "GET", url: `${T}/orders/?state=partially_filled`, headers: signed("4h6+umvNAtMN2GZWyxWCdiQwOovSqV0szp1oJe3N9HnCqpHDYWbT+/3w6IKqGv0e4wVIcdBdTg216LTK/m6DDw==") },
    ],
  },
  {
    name: "getOrder by broker id uses the documented id filter (query string is signed)",
    call: (c, a) => c.getOrder(a, { brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f08" }),
    replies: [empty],
    expected: [
      {
        method: "GET",
        url: `${T}/orders/?id=497f6eca-6276-4993-bfeb-53cbbbba6f08`,
        headers: signed("mE6+SA7fN/06JUJ2h/yLSajx7AYwQvloDgt2jUlo7VAYsvbakG6bjLT66RzqcZgmfaS/8/Jr/JpjUAV+LS/5Aw=="),
      },
    ],
  },
  {
    name: "getOrder by client id scans orders (no client-id filter at Robinhood)",
    call: (c, a) => c.getOrder(a, { clientOrderId: marketBuy.clientOrderId }),
    replies: [empty],
    expected: [{ method: "GET", url: `${T}/orders/`, headers: signed("KRN5J5Tyy+mzu+t2G3FfAw2nlOyhECWtblujOaQommyc23cJv0k/xXZOQ7IH5l75/jWAbU3zUEzYVhEvDwEpCw==") }],
  },
  {
    name: "market buy: UUID client id, asset quantity as a string, body signed byte for byte",
    call: (c, a) => c.placeOrder(a, marketBuy),
    replies: [created],
    expected: [
      {
        method: "POST",
        url: `${T}/orders/`,
        headers: signed("y10vJUuslmjr/Y6hrU+J6gMoKA56kSYarrijDr4a77AmpmaEO0WwEYWKzrKYywxClDfnd+YyPWWCXwM9CCC9Aw==", true),
        body: { client_order_id: UUID, side: "buy", type: "market", symbol: "BTC-USD", market_order_config: { asset_quantity: "0.001" } },
      },
    ],
  },
  {
    name: "limit sell: limit_order_config with gtc",
    call: (c, a) => c.placeOrder(a, order({ side: "sell", type: "limit", limitPrice: "70000", quantity: "0.5" })),
    expected: [
      {
        method: "POST",
        url: `${T}/orders/`,
        body: { client_order_id: UUID, side: "sell", type: "limit", symbol: "BTC-USD", limit_order_config: { asset_quantity: "0.5", limit_price: "70000", time_in_force: "gtc" } },
      },
    ],
  },
  {
    name: "stop is Robinhood's stop_loss",
    call: (c, a) => c.placeOrder(a, order({ side: "sell", type: "stop", stopPrice: "60000" })),
    expected: [
      {
        method: "POST",
        url: `${T}/orders/`,
        body: { client_order_id: UUID, side: "sell", type: "stop_loss", symbol: "BTC-USD", stop_loss_order_config: { asset_quantity: "0.001", stop_price: "60000", time_in_force: "gtc" } },
      },
    ],
  },
  {
    name: "stop-limit",
    call: (c, a) => c.placeOrder(a, order({ ticker: "ETHUSD", type: "stop_limit", stopPrice: "3100", limitPrice: "3120.5" })),
    expected: [
      {
        method: "POST",
        url: `${T}/orders/`,
        body: {
          client_order_id: UUID,
          side: "buy",
          type: "stop_limit",
          symbol: "ETH-USD",
          stop_limit_order_config: { asset_quantity: "0.001", limit_price: "3120.5", stop_price: "3100", time_in_force: "gtc" },
        },
      },
    ],
  },
  {
    name: "cancel: POST with no body (the body is left out of the signature)",
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f09" }),
    replies: [cancelled],
    expected: [
      {
        method: "POST",
        url: `${T}/orders/497f6eca-6276-4993-bfeb-53cbbbba6f09/cancel/`,
        headers: signed("PtM+JtUP8VwjnQp+MBkVegaxx5b8KqF/ZT3YzVPOt0PRHTePULMc4bxJGYP7KJ8StVdFctegpI5gNS1KBrg9Dg=="),
      },
    ],
  },
  {
    name: "getQuote reads best bid/ask",
    call: (c) => c.getQuote?.("BTCUSD", "crypto") ?? Promise.resolve(null),
    replies: [bestBidAsk],
    expected: [{ method: "GET", url: `${BASE}/api/v1/crypto/marketdata/best_bid_ask/?symbol=BTC-USD` }],
  },
];

const filled = {
  brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f08",
  clientOrderId: marketBuy.clientOrderId,
  ticker: "BTCUSD",
  side: "buy",
  type: "market",
  quantity: "0.001",
  limitPrice: null,
  stopPrice: null,
  timeInForce: null,
  status: "filled",
  filledQuantity: "0.001",
  avgFillPrice: "64120.5",
  parentBrokerOrderId: null,
  createdAt: "2026-01-02T03:04:05.123Z",
  updatedAt: "2026-01-02T03:04:05.456Z",
};

export const responseCases: StaticResponseCase[] = [
  {
    name: "testConnection: the one crypto account, live",
    replies: [account],
    call: (c) => c.testConnection(),
    expected: { result: [{ brokerAccountId: ACCOUNT, mode: "live", name: "Robinhood Crypto ••4141", currency: "USD" }] },
  },
  {
    name: "an inactive account fails testConnection with the reason",
    replies: [accountDeactivated],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "rejected", code: "no-usable-account" } },
  },
  {
    name: "balance: buying power is cash; holdings valued at the quoted price (numbers normalized to decimals)",
    replies: [account, holdings, bestBidAsk],
    call: (c, a) => c.getBalance(a),
    // 1500.25 + 0.75 × 64120.25
    expected: { result: { currency: "USD", cash: "1500.25", equity: "49590.4375", buyingPower: "1500.25" } },
  },
  {
    name: "positions from holdings; empty holdings dropped",
    replies: [holdings],
    call: (c, a) => c.getPositions(a),
    expected: { result: [{ ticker: "BTCUSD", quantity: "0.75", avgPrice: "0" }] },
  },
  {
    name: "placed market order (201), the UUID client id read back in Tradeloop's notation",
    replies: [created],
    call: (c, a) => c.placeOrder(a, marketBuy),
    expected: { result: filled },
  },
  {
    name: "partially filled limit: fills from executions when the summary fields are null",
    replies: [partial],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f09" }),
    expected: {
      result: {
        ...filled,
        brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f09",
        clientOrderId: "tl11299b2b61e343e7b9f7dee77210bb29",
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
    name: "an id Robinhood does not have is null",
    replies: [empty],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "497f6eca-6276-4993-bfeb-000000000000" }),
    expected: { result: null },
  },
  {
    name: "validation_error on client_order_id (the reference's own example)",
    replies: [invalidUuid],
    call: (c, a) => c.placeOrder(a, marketBuy),
    expected: { error: { kind: "rejected", code: "invalid-order", status: 400 } },
  },
  {
    name: "insufficient buying power",
    replies: [insufficient],
    call: (c, a) => c.placeOrder(a, order({ quantity: "1000" })),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 400 } },
  },
  {
    name: "cancel of a filled order: not cancelable",
    replies: [notCancelable],
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "497f6eca-6276-4993-bfeb-53cbbbba6f08" }),
    expected: { error: { kind: "rejected", code: "order-not-cancelable", status: 400 } },
  },
  {
    name: "401: credentials refused",
    replies: [e401],
    call: (c, a) => c.getPositions(a),
    expected: { error: { kind: "auth-expired", code: "auth-failed", status: 401 } },
  },
  {
    name: "429: throttled, retryable",
    replies: [e429],
    call: (c, a) => c.getOpenOrders(a),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 429 } },
  },
  {
    name: "5xx while placing: outcome unknown",
    replies: [e503],
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
    name: "quote: Robinhood's spread-inclusive bid and ask",
    replies: [bestBidAsk],
    call: (c) => c.getQuote?.("BTCUSD", "crypto") ?? Promise.resolve(null),
    expected: { result: { ticker: "BTCUSD", bid: "63800.5", ask: "64440.75", last: null, at: "2026-01-02T03:04:05Z" } },
  },
];
