/**
 * Kraken conformance inputs in the kit's format: static request cases,
 * recorded-response cases and the documented API-Sign vector.
 *
 * @module
 */
import type { RecordedFixture, SigningVector, StaticRequestCase, StaticResponseCase } from "../testkit";
import type { OrderRequest } from "../sdk";
import addOrder from "./fixtures/add-order.json";
import balanceEx from "./fixtures/balance-ex.json";
import errFunds from "./fixtures/error-insufficient-funds.json";
import errArgs from "./fixtures/error-invalid-arguments.json";
import errKey from "./fixtures/error-invalid-key.json";
import errNonce from "./fixtures/error-invalid-nonce.json";
import errInvalidOrder from "./fixtures/error-invalid-order.json";
import errPermission from "./fixtures/error-permission-denied.json";
import errRate from "./fixtures/error-rate-limit.json";
import errUnavailable from "./fixtures/error-unavailable.json";
import errUnknownOrder from "./fixtures/error-unknown-order.json";
import openOrders from "./fixtures/open-orders.json";
import queryNew from "./fixtures/query-order-new.json";
import queryOrders from "./fixtures/query-orders.json";
import assetPairs from "./fixtures/asset-pairs-xbtusd.json";
import ticker from "./fixtures/ticker.json";
import tradeBalance from "./fixtures/trade-balance.json";
import { krakenSign } from "./signing";

/** Obviously fake test credentials (64 bytes of 0x01 as the private key). */
export const TEST_CREDENTIALS = {
  apiKey: "test-kraken-api-key",
  privateKey: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==",
};
export const TEST_BASE = "https://api.kraken.com";
export const TEST_NOW = new Date("2026-01-02T03:04:05.000Z");
/** The core's nonce service: microseconds of the (fixed) clock, +1 per call. */
const NONCE = TEST_NOW.getTime() * 1000;
const nonce = (i: number) => String(NONCE + i);
const HEADERS = { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "api-key": TEST_CREDENTIALS.apiKey, "api-sign": "<skipped>" };

const fixture = (f: unknown): RecordedFixture => f as RecordedFixture;

export const CID = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const CL_ORD_ID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

export const limitBuy: OrderRequest = {
  clientOrderId: CID,
  ticker: "BTCUSD",
  assetClass: "crypto",
  side: "buy",
  quantity: "1.25",
  type: "limit",
  timeInForce: "gtc",
  limitPrice: "27500",
};

const addUrl = `${TEST_BASE}/0/private/AddOrder`;
/** Before a connection's first order in a pair the host reads the pair's grid (public, no nonce). */
export const PAIRS_REPLY = fixture(assetPairs);
const pairsRequest = { method: "GET", url: `${TEST_BASE}/0/public/AssetPairs?pair=XBTUSD` };
const queryUrl = `${TEST_BASE}/0/private/QueryOrders`;

export const requestCases: StaticRequestCase[] = [
  {
    name: "market buy: signed form AddOrder with cl_ord_id (UUID layout of the core id), then QueryOrders",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, type: "market", limitPrice: undefined, quantity: "0.5" }),
    replies: [PAIRS_REPLY, fixture(addOrder), fixture(queryNew)],
    expected: [
      pairsRequest,
      { method: "POST", url: addUrl, headers: HEADERS, body: `nonce=${nonce(0)}&ordertype=market&type=buy&volume=0.5&pair=XBTUSD&cl_ord_id=${CL_ORD_ID}` },
      { method: "POST", url: queryUrl, headers: HEADERS, body: `nonce=${nonce(1)}&txid=OUF4EM-FRGI2-MQMWZD` },
    ],
    skipKeys: ["api-sign"],
  },
  {
    name: "limit entry with a conditional close (take profit)",
    call: (c, a) => c.placeOrder(a, { ...limitBuy, bracket: { takeProfit: { limitPrice: "30000" } } }),
    replies: [PAIRS_REPLY, fixture(addOrder), fixture(queryNew)],
    expected: [
      pairsRequest,
      {
        method: "POST",
        url: addUrl,
        body: `nonce=${nonce(0)}&ordertype=limit&type=buy&volume=1.25&pair=XBTUSD&price=27500&timeinforce=GTC&cl_ord_id=${CL_ORD_ID}&close%5Bordertype%5D=limit&close%5Bprice%5D=30000`,
      },
      { method: "POST", url: queryUrl, body: `nonce=${nonce(1)}&txid=OUF4EM-FRGI2-MQMWZD` },
    ],
    skipKeys: ["api-sign"],
  },
  {
    name: "stop-loss-limit sell, and a percent trailing stop (relative +x%)",
    call: async (c, a) => {
      await c.placeOrder(a, { ...limitBuy, side: "sell", type: "stop_limit", stopPrice: "22000", limitPrice: "21900", timeInForce: "day" });
      await c.placeOrder(a, { ...limitBuy, side: "sell", type: "trailing_stop", limitPrice: undefined, trailPercent: "2" });
    },
    replies: [PAIRS_REPLY, fixture(addOrder), fixture(queryNew), fixture(addOrder), fixture(queryNew)],
    expected: [
      pairsRequest,
      { method: "POST", url: addUrl, body: `nonce=${nonce(0)}&ordertype=stop-loss-limit&type=sell&volume=1.25&pair=XBTUSD&price=22000&price2=21900&timeinforce=GTC&cl_ord_id=${CL_ORD_ID}` },
      { method: "POST", url: queryUrl, body: `nonce=${nonce(1)}&txid=OUF4EM-FRGI2-MQMWZD` },
      { method: "POST", url: addUrl, body: `nonce=${nonce(2)}&ordertype=trailing-stop&type=sell&volume=1.25&pair=XBTUSD&price=%2B2%25&cl_ord_id=${CL_ORD_ID}` },
      { method: "POST", url: queryUrl, body: `nonce=${nonce(3)}&txid=OUF4EM-FRGI2-MQMWZD` },
    ],
    skipKeys: ["api-sign"],
  },
  {
    name: "getOrder by client id (open, then closed, filtered by cl_ord_id), cancel by txid, public ticker",
    call: async (c, a) => {
      await c.getOrder(a, { clientOrderId: CID });
      await c.cancelOrder(a, { brokerOrderId: "OUF4EM-FRGI2-MQMWZD" });
      await c.getQuote?.("BTCUSD", "crypto");
    },
    replies: [
      { status: 200, body: { error: [], result: { open: {} } } },
      { status: 200, body: { error: [], result: { closed: {}, count: 0 } } },
      { status: 200, body: { error: [], result: { count: 1 } } },
      fixture(ticker),
    ],
    expected: [
      { method: "POST", url: `${TEST_BASE}/0/private/OpenOrders`, headers: HEADERS, body: `nonce=${nonce(0)}&cl_ord_id=${CL_ORD_ID}` },
      { method: "POST", url: `${TEST_BASE}/0/private/ClosedOrders`, headers: HEADERS, body: `nonce=${nonce(1)}&cl_ord_id=${CL_ORD_ID}` },
      { method: "POST", url: `${TEST_BASE}/0/private/CancelOrder`, headers: HEADERS, body: `nonce=${nonce(2)}&txid=OUF4EM-FRGI2-MQMWZD` },
      { method: "GET", url: `${TEST_BASE}/0/public/Ticker?pair=XBTUSD`, headers: { accept: "application/json" } },
    ],
    skipKeys: ["api-sign"],
  },
];

export const responseCases: StaticResponseCase[] = [
  {
    name: "QueryOrders: a filled stop-loss-limit (documented example)",
    replies: [fixture(queryOrders)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "OBCMZD-JIEE7-77TH3F" }),
    expected: {
      result: {
        brokerOrderId: "OBCMZD-JIEE7-77TH3F",
        clientOrderId: null,
        ticker: "BTCUSD",
        side: "buy",
        type: "stop_limit",
        quantity: "1.25",
        limitPrice: null,
        stopPrice: "27500",
        timeInForce: null,
        status: "filled",
        filledQuantity: "1.25",
        avgFillPrice: "27500",
        createdAt: "2023-07-06T17:44:56.781Z",
        updatedAt: "2023-07-06T17:44:59.192Z",
      },
    },
  },
  {
    name: "AddOrder + QueryOrders: the placed order with its client id read back",
    replies: [PAIRS_REPLY, fixture(addOrder), fixture(queryNew)],
    call: async (c, a) => {
      const o = await c.placeOrder(a, limitBuy);
      return [o.brokerOrderId, o.clientOrderId, o.status, o.limitPrice, o.ticker];
    },
    expected: { result: ["OUF4EM-FRGI2-MQMWZD", CID, "open", "27500", "BTCUSD"] },
  },
  {
    name: "OpenOrders: partial fill, and a conditional close linked to its entry by refid",
    replies: [fixture(openOrders)],
    call: async (c, a) =>
      (await c.getOpenOrders(a)).map((o) => [o.brokerOrderId, o.status, o.filledQuantity, o.avgFillPrice, o.type, o.stopPrice, o.parentBrokerOrderId ?? null, o.role ?? null]),
    expected: {
      result: [
        ["OQCLML-BW3P3-BUCMWZ", "partially_filled", "0.375", "30010", "limit", null, null, null],
        ["OB5VMB-B4U2U-DK2WRW", "open", "0", null, "stop", "22000", "OUF4EM-FRGI2-MQMWZD", "stop_loss"],
      ],
    },
  },
  {
    name: "BalanceEx → positions (earn mirrors and zero balances left out) and TradeBalance → equity",
    replies: [fixture(balanceEx), fixture(balanceEx), fixture(tradeBalance)],
    call: async (c, a) => ({ positions: (await c.getPositions(a)).map(({ raw: _r, ...p }) => p), balance: (({ raw: _r, ...b }) => b)(await c.getBalance(a)) }),
    expected: {
      result: {
        positions: [
          { ticker: "BTCUSD", quantity: "1.234", avgPrice: "0" },
          { ticker: "SOLUSD", quantity: "10.5", avgPrice: "0" },
        ],
        balance: { currency: "USD", cash: "25435.21", equity: "100145.3211", buyingPower: "17185.45" },
      },
    },
  },
  {
    name: "Ticker keyed XXBTZUSD",
    replies: [fixture(ticker)],
    call: async (c) => {
      const q = await c.getQuote?.("BTCUSD", "crypto");
      return [q?.bid, q?.ask, q?.last];
    },
    expected: { result: ["30300", "30300.1", "30303.2"] },
  },
  {
    name: "EOrder:Invalid order on QueryOrders means null",
    replies: [fixture(errInvalidOrder)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "OXXXXX-XXXXX-XXXXXX" }),
    expected: { result: null },
  },
  // Audit: the same string from AddOrder is a refused order; read as "order not found" it would tell reconciliation nothing was placed.
  err("EOrder:Invalid order from AddOrder is a refused order (invalid-order), not order-not-found", errInvalidOrder, "place", "rejected", "invalid-order"),
  err("HTTP 200 with EOrder:Insufficient funds is rejected", errFunds, "place", "rejected", "insufficient-funds"),
  err("EGeneral:Invalid arguments is rejected invalid-order", errArgs, "place", "rejected", "invalid-order"),
  err("EAPI:Invalid key is auth-expired invalid-credentials", errKey, "balance", "auth-expired", "invalid-credentials"),
  err("EAPI:Invalid nonce is retryable (nothing ran)", errNonce, "balance", "retryable", "invalid-nonce"),
  err("EGeneral:Permission denied is permission-denied", errPermission, "balance", "rejected", "permission-denied"),
  err("EService:Unavailable while placing is outcome-unknown", errUnavailable, "place", "outcome-unknown", "broker-unavailable"),
  err("EService:Unavailable on a read is retryable", errUnavailable, "open", "retryable", "broker-unavailable"),
  err("EOrder:Unknown order on cancel is order-not-found", errUnknownOrder, "cancel", "rejected", "order-not-found"),
  err("EAPI:Rate limit exceeded is retryable", errRate, "open", "retryable", "rate-limited"),
  {
    name: "HTTP 502 with an HTML body while placing is outcome-unknown",
    replies: [PAIRS_REPLY, { status: 502, body: "<html>Bad gateway</html>" }],
    call: (c, a) => c.placeOrder(a, limitBuy),
    expected: { error: { kind: "outcome-unknown", code: "broker-unavailable", status: 502 } },
  },
];

function err(name: string, f: unknown, call: "place" | "balance" | "open" | "cancel", kind: "rejected" | "auth-expired" | "retryable" | "outcome-unknown", code: string): StaticResponseCase {
  return {
    name,
    // placeOrder reads the pair's grid first.
    replies: call === "place" ? [PAIRS_REPLY, fixture(f)] : [fixture(f)],
    call: (c, a) =>
      call === "place"
        ? c.placeOrder(a, limitBuy)
        : call === "balance"
          ? c.getBalance(a)
          : call === "open"
            ? c.getOpenOrders(a)
            : c.cancelOrder(a, { brokerOrderId: "OUF4EM-FRGI2-MQMWZD" }),
    expected: { error: { kind, code, status: 200 } },
  };
}

/** The API-Sign example from docs.kraken.com (Spot REST authentication). */
export const signingVectors: SigningVector[] = [
  {
    name: "Kraken API-Sign, documented AddOrder example",
    compute: () =>
      krakenSign(
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
        "/0/private/AddOrder",
        "1616492376594",
        "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
      ),
    expected: "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
  },
];
