/**
 * The Tradier plugin's static conformance cases (kit layers 1 and 2). The
 * fixtures are built from Tradier's documented examples, including the
 * quirks (one-element lists as objects, `"null"` lists, HTTP 200 errors).
 * Imported by the tests only.
 *
 * @module
 */
import type { OrderRequest } from "../sdk";
import type { FakeReply, RecordedFixture, StaticRequestCase, StaticResponseCase } from "../testkit/types";
import { TRADIER_FAKE_CREDENTIALS } from "./fake";
import balancesCash from "./fixtures/balances-cash.json";
import balancesMargin from "./fixtures/balances-margin.json";
import errBuyingPower from "./fixtures/error-buying-power.json";
import errCancelFinalized from "./fixtures/error-cancel-finalized.json";
import errDayTrading from "./fixtures/error-day-trading.json";
import errInvalidParameter from "./fixtures/error-invalid-parameter.json";
import errNotFound from "./fixtures/error-order-not-found.json";
import errQuota from "./fixtures/error-quota.json";
import errSymbol from "./fixtures/error-symbol-not-found.json";
import errAuth from "./fixtures/error-unauthorized.json";
import errWrongSide from "./fixtures/error-wrong-side.json";
import errXml from "./fixtures/error-xml.json";
import orderAck from "./fixtures/order-ack.json";
import orderOtoco from "./fixtures/order-otoco.json";
import orderPartial from "./fixtures/order-partially-filled.json";
import orderRejected from "./fixtures/order-rejected.json";
import orders from "./fixtures/orders.json";
import ordersNull from "./fixtures/orders-null.json";
import ordersSingle from "./fixtures/orders-single.json";
import positions from "./fixtures/positions.json";
import positionsNull from "./fixtures/positions-null.json";
import positionsSingle from "./fixtures/positions-single.json";
import profile from "./fixtures/profile.json";
import profileClosed from "./fixtures/profile-closed.json";
import profileSingle from "./fixtures/profile-single.json";
import quotesSingle from "./fixtures/quotes-single.json";
import quotesUnmatched from "./fixtures/quotes-unmatched.json";

/** The fake credentials every case uses. */
export const CREDENTIALS = { ...TRADIER_FAKE_CREDENTIALS };
/** The first account of the documented profile example. */
export const ACCOUNT = "VA000001";
/** The sandbox host. */
export const SANDBOX = "https://sandbox.tradier.com/v1";
const CID = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";

const AUTH = { accept: "application/json", authorization: `Bearer ${CREDENTIALS.token}` };
const FORM = { ...AUTH, "content-type": "application/x-www-form-urlencoded" };
const fixture = (f: unknown): RecordedFixture => f as RecordedFixture;
const positionsOf = (...list: { symbol: string; quantity: number; cost_basis: number }[]): FakeReply => ({
  status: 200,
  body: { positions: list.length === 1 ? { position: list[0] } : { position: list } },
});

const buy: OrderRequest = { clientOrderId: CID, ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "10", type: "market", timeInForce: "day" };

const getPositions = { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/positions`, headers: AUTH };
const post = (body: string) => ({ method: "POST", url: `${SANDBOX}/accounts/${ACCOUNT}/orders`, headers: FORM, body });
const listToday = { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/orders?includeTags=true&page=1&limit=100`, headers: AUTH };

/** Layer 1: intents in, exact HTTP requests out. */
export const requestCases: StaticRequestCase[] = [
  {
    name: "market buy when flat: reads the position, then POSTs a form with side buy and our id as tag",
    call: (c, a) => c.placeOrder(a, buy),
    replies: [fixture(positionsNull), fixture(orderAck)],
    expected: [getPositions, post(`class=equity&symbol=AAPL&side=buy&quantity=10&type=market&duration=day&tag=${CID}`)],
  },
  {
    name: "the side names the effect on the position: sell (long), sell_short (flat), buy_to_cover (short)",
    call: async (c, a) => {
      await c.placeOrder(a, { ...buy, side: "sell", type: "limit", limitPrice: "101.50", timeInForce: "gtc" });
      await c.placeOrder(a, { ...buy, side: "sell", type: "stop", stopPrice: "95" });
      await c.placeOrder(a, { ...buy, type: "stop_limit", stopPrice: "105", limitPrice: "105.25" });
    },
    replies: [
      positionsOf({ symbol: "AAPL", quantity: 10, cost_basis: 1000 }),
      fixture(orderAck),
      fixture(positionsNull),
      fixture(orderAck),
      positionsOf({ symbol: "AAPL", quantity: -10, cost_basis: -1000 }),
      fixture(orderAck),
    ],
    expected: [
      getPositions,
      post(`class=equity&symbol=AAPL&side=sell&quantity=10&type=limit&price=101.5&duration=gtc&tag=${CID}`),
      getPositions,
      post(`class=equity&symbol=AAPL&side=sell_short&quantity=10&type=stop&stop=95&duration=day&tag=${CID}`),
      getPositions,
      post(`class=equity&symbol=AAPL&side=buy_to_cover&quantity=10&type=stop_limit&price=105.25&stop=105&duration=day&tag=${CID}`),
    ],
  },
  {
    name: "OTOCO: entry, take profit and stop loss as indexed legs, one duration, one tag",
    call: (c, a) =>
      c.placeOrder(a, {
        ...buy,
        ticker: "SPY",
        quantity: "100",
        type: "limit",
        limitPrice: "299",
        timeInForce: "gtc",
        bracket: { takeProfit: { limitPrice: "310" }, stopLoss: { type: "stop", stopPrice: "290" } },
      }),
    replies: [fixture(positionsNull), fixture(orderAck)],
    expected: [
      getPositions,
      post(
        "class=otoco&duration=gtc" +
          "&symbol%5B0%5D=SPY&side%5B0%5D=buy&quantity%5B0%5D=100&type%5B0%5D=limit&price%5B0%5D=299" +
          "&symbol%5B1%5D=SPY&side%5B1%5D=sell&quantity%5B1%5D=100&type%5B1%5D=limit&price%5B1%5D=310" +
          "&symbol%5B2%5D=SPY&side%5B2%5D=sell&quantity%5B2%5D=100&type%5B2%5D=stop&stop%5B2%5D=290" +
          `&tag=${CID}`,
      ),
    ],
  },
  {
    name: "OTO on a short entry: the exit buys to cover with a stop-limit",
    call: (c, a) =>
      c.placeOrder(a, { ...buy, side: "sell", type: "stop", stopPrice: "95", bracket: { stopLoss: { type: "stop_limit", stopPrice: "104", limitPrice: "104.5" } } }),
    replies: [fixture(positionsNull), fixture(orderAck)],
    expected: [
      getPositions,
      post(
        "class=oto&duration=day" +
          "&symbol%5B0%5D=AAPL&side%5B0%5D=sell_short&quantity%5B0%5D=10&type%5B0%5D=stop&stop%5B0%5D=95" +
          "&symbol%5B1%5D=AAPL&side%5B1%5D=buy_to_cover&quantity%5B1%5D=10&type%5B1%5D=stop_limit&price%5B1%5D=104.5&stop%5B1%5D=104" +
          `&tag=${CID}`,
      ),
    ],
  },
  {
    name: "options: the underlying as symbol, the OCC symbol as option_symbol, buy_to_open / sell_to_close",
    call: async (c, a) => {
      await c.placeOrder(a, { ...buy, ticker: "SPY 180720C274", assetClass: "options", quantity: "2", type: "limit", limitPrice: "3.10" });
      await c.placeOrder(a, { ...buy, ticker: "SPY180720C00274000", assetClass: "options", side: "sell", quantity: "2", type: "market" });
    },
    replies: [fixture(positionsNull), fixture(orderAck), fixture(positions), fixture(orderAck)],
    expected: [
      getPositions,
      post(`class=option&symbol=SPY&option_symbol=SPY180720C00274000&side=buy_to_open&quantity=2&type=limit&price=3.1&duration=day&tag=${CID}`),
      getPositions,
      post(`class=option&symbol=SPY&option_symbol=SPY180720C00274000&side=sell_to_close&quantity=2&type=market&duration=day&tag=${CID}`),
    ],
  },
  {
    name: "extended hours go out as the pre or post session by the New York clock (22:04 ET here: post)",
    call: (c, a) => c.placeOrder(a, { ...buy, type: "limit", limitPrice: "100", extendedHours: true }),
    replies: [fixture(positionsNull), fixture(orderAck)],
    expected: [getPositions, post(`class=equity&symbol=AAPL&side=buy&quantity=10&type=limit&price=100&duration=post&tag=${CID}`)],
  },
  {
    name: "reads: profile, balances, positions, today's orders with tags (paged), one order with its tag",
    call: async (c, a) => {
      await c.testConnection();
      await c.getBalance(a);
      await c.getPositions(a);
      await c.getOpenOrders(a);
      await c.getOrder(a, { brokerOrderId: "229063" });
    },
    replies: [fixture(profile), fixture(balancesMargin), fixture(positions), fixture(orders), fixture(orderOtoco)],
    expected: [
      { method: "GET", url: `${SANDBOX}/user/profile`, headers: AUTH },
      { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/balances`, headers: AUTH },
      getPositions,
      listToday,
      { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/orders/229063?includeTags=true`, headers: AUTH },
    ],
  },
  {
    name: "getOrder by client id scans today's orders for the tag, then yesterday's (New York dates) before saying null",
    call: (c, a) => c.getOrder(a, { clientOrderId: CID }),
    replies: [fixture(ordersNull), fixture(ordersNull)],
    expected: [listToday, { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/orders?includeTags=true&page=1&limit=100&filter=all&start=2025-12-31&end=2026-01-01`, headers: AUTH }],
  },
  {
    name: "cancel by broker id is one DELETE; by client id it finds the tag first; modify is a PUT of the changed fields",
    call: async (c, a) => {
      await c.cancelOrder(a, { brokerOrderId: "228175" });
      await c.cancelOrder(a, { clientOrderId: CID });
      await c.modifyOrder?.(a, { brokerOrderId: "230002" }, { limitPrice: "131.00", timeInForce: "gtc" });
    },
    replies: [fixture(orderAck), fixture(orders), fixture(orderAck), fixture(orderAck), fixture(orderPartial)],
    expected: [
      { method: "DELETE", url: `${SANDBOX}/accounts/${ACCOUNT}/orders/228175`, headers: AUTH },
      listToday,
      { method: "DELETE", url: `${SANDBOX}/accounts/${ACCOUNT}/orders/229063`, headers: AUTH },
      { method: "PUT", url: `${SANDBOX}/accounts/${ACCOUNT}/orders/230002`, headers: FORM, body: "duration=gtc&price=131" },
      { method: "GET", url: `${SANDBOX}/accounts/${ACCOUNT}/orders/230002?includeTags=true`, headers: AUTH },
    ],
  },
  {
    name: "quotes: GET /markets/quotes without greeks",
    call: async (c) => c.getQuote?.("AAPL", "stocks"),
    replies: [fixture(quotesSingle)],
    expected: [{ method: "GET", url: `${SANDBOX}/markets/quotes?symbols=AAPL&greeks=false`, headers: AUTH }],
  },
];

const place = (order: Partial<OrderRequest> = {}) => (c: Parameters<StaticResponseCase["call"]>[0], a: string) => c.placeOrder(a, { ...buy, ...order });
const row = (o: { brokerOrderId: string; ticker: string; side: string; type: string; status: string; parentBrokerOrderId?: string | null | undefined; role?: string | undefined; filledQuantity: string; clientOrderId: string | null }) => ({
  id: o.brokerOrderId,
  ticker: o.ticker,
  side: o.side,
  type: o.type,
  status: o.status,
  parent: o.parentBrokerOrderId ?? null,
  role: o.role ?? null,
  filled: o.filledQuantity,
  tag: o.clientOrderId,
});

/** Layer 2: recorded responses in, models or BrokerErrors out. */
export const responseCases: StaticResponseCase[] = [
  {
    name: "profile (documented example): every active account, in the connection's mode",
    replies: [fixture(profile)],
    call: (c) => c.testConnection(),
    expected: {
      result: [
        { brokerAccountId: "VA000001", mode: "paper", name: "Tradier sandbox VA000001 (margin)", currency: "USD" },
        { brokerAccountId: "VA000002", mode: "paper", name: "Tradier sandbox VA000002 (margin)", currency: "USD" },
        { brokerAccountId: "VA000003", mode: "paper", name: "Tradier sandbox VA000003 (cash)", currency: "USD" },
      ],
    },
  },
  {
    name: "profile with one account: a bare object, read as a list",
    replies: [fixture(profileSingle)],
    call: (c) => c.testConnection(),
    expected: { result: [{ brokerAccountId: "VA000001", mode: "paper", name: "Tradier sandbox VA000001 (margin)", currency: "USD" }] },
  },
  {
    name: "a profile with no active account fails the connection test",
    replies: [fixture(profileClosed)],
    call: (c) => c.testConnection(),
    expected: { error: { kind: "rejected", code: "no-usable-account" } },
  },
  {
    name: "margin balances (documented example): JSON numbers become decimal strings; buying power from margin.stock_buying_power",
    replies: [fixture(balancesMargin)],
    call: (c, a) => c.getBalance(a),
    expected: { result: { currency: "USD", cash: "6363.86", equity: "17798.36", buyingPower: "12727.72" } },
  },
  {
    name: "cash account balances: buying power from cash.cash_available",
    replies: [fixture(balancesCash)],
    call: (c, a) => c.getBalance(a),
    expected: { result: { currency: "USD", cash: "6363.86", equity: "17798.36", buyingPower: "4343.38" } },
  },
  {
    name: "positions: average price from the cost basis (÷100 for option contracts), shorts negative",
    replies: [fixture(positions)],
    call: (c, a) => c.getPositions(a),
    expected: {
      result: [
        { ticker: "AAPL", quantity: "1", avgPrice: "207.01" },
        { ticker: "TSLA", quantity: "-10", avgPrice: "182.05" },
        { ticker: "SPY 180720C274", quantity: "2", avgPrice: "3.1" },
      ],
    },
  },
  {
    name: "one position: a bare object, read as a list",
    replies: [fixture(positionsSingle)],
    call: (c, a) => c.getPositions(a),
    expected: { result: [{ ticker: "AAPL", quantity: "10", avgPrice: "100" }] },
  },
  {
    name: "no position: the string \"null\", read as an empty list",
    replies: [fixture(positionsNull)],
    call: (c, a) => c.getPositions(a),
    expected: { result: [] },
  },
  {
    name: "open orders: finished ones drop out; an OTOCO's working exits carry its id and their role",
    replies: [fixture(orders)],
    call: async (c, a) => (await c.getOpenOrders(a)).map(row),
    expected: {
      result: [
        { id: "230001", ticker: "AMD", side: "sell", type: "limit", status: "open", parent: null, role: null, filled: "0", tag: "tl99990000aaaabbbbccccddddeeeeffff" },
        { id: "229065", ticker: "SPY", side: "sell", type: "limit", status: "open", parent: "229063", role: "take_profit", filled: "0", tag: null },
        { id: "229066", ticker: "SPY", side: "sell", type: "stop", status: "open", parent: "229063", role: "stop_loss", filled: "0", tag: null },
      ],
    },
  },
  {
    name: "one open order (a bare object) and no order (\"null\")",
    replies: [fixture(ordersSingle), fixture(ordersNull)],
    call: async (c, a) => [(await c.getOpenOrders(a)).map(row), await c.getOpenOrders(a)],
    expected: {
      result: [
        [{ id: "230001", ticker: "AMD", side: "buy", type: "limit", status: "open", parent: null, role: null, filled: "0", tag: "tl99990000aaaabbbbccccddddeeeeffff" }],
        [],
      ],
    },
  },
  {
    name: "an OTOCO read by id is its entry: the parent's id and tag, the first leg's fills",
    replies: [fixture(orderOtoco)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "229063" }),
    expected: {
      result: {
        brokerOrderId: "229063",
        clientOrderId: CID,
        ticker: "SPY",
        side: "buy",
        type: "limit",
        quantity: "100",
        limitPrice: "299",
        stopPrice: null,
        timeInForce: "gtc",
        status: "filled",
        filledQuantity: "100",
        avgFillPrice: "298.95",
        parentBrokerOrderId: null,
        role: "entry",
        createdAt: "2018-06-01T12:02:29.682Z",
        updatedAt: "2018-06-01T12:30:02.385Z",
      },
    },
  },
  {
    name: "a partially filled limit order",
    replies: [fixture(orderPartial)],
    call: async (c, a) => {
      const o = await c.getOrder(a, { brokerOrderId: "230002" });
      return o && { status: o.status, quantity: o.quantity, filled: o.filledQuantity, avg: o.avgFillPrice, limit: o.limitPrice, tag: o.clientOrderId };
    },
    expected: { result: { status: "partially_filled", quantity: "100", filled: "40", avg: "130.5", limit: "130.5", tag: "tl11112222333344445555666677778888" } },
  },
  {
    name: "an order rejected after it was accepted reads rejected",
    replies: [fixture(orderRejected)],
    call: async (c, a) => (await c.getOrder(a, { brokerOrderId: "230003" }))?.status,
    expected: { result: "rejected" },
  },
  {
    name: "getOrder by client id finds the order by its tag among today's orders",
    replies: [fixture(orders)],
    call: async (c, a) => {
      const o = await c.getOrder(a, { clientOrderId: CID });
      return o && { id: o.brokerOrderId, tag: o.clientOrderId, role: o.role };
    },
    expected: { result: { id: "229063", tag: CID, role: "entry" } },
  },
  {
    name: "Tradier's 'Order not found' → null",
    replies: [fixture(errNotFound)],
    call: (c, a) => c.getOrder(a, { brokerOrderId: "999" }),
    expected: { result: null },
  },
  {
    name: "the POST answer (id and ok only) → the order as sent, pending, under Tradier's id",
    replies: [fixture(positionsNull), fixture(orderAck)],
    call: place(),
    expected: {
      result: {
        brokerOrderId: "257459",
        clientOrderId: CID,
        ticker: "AAPL",
        side: "buy",
        type: "market",
        quantity: "10",
        limitPrice: null,
        stopPrice: null,
        timeInForce: "day",
        status: "pending",
        filledQuantity: "0",
        avgFillPrice: null,
        parentBrokerOrderId: null,
      },
    },
  },
  {
    name: "HTTP 200 with errors (buying power) → rejected insufficient-funds",
    replies: [fixture(positionsNull), fixture(errBuyingPower)],
    call: place(),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 200 } },
  },
  {
    name: "HTTP 200 with a documented code among several errors → its mapping",
    replies: [fixture(positionsNull), fixture(errDayTrading)],
    call: place(),
    expected: { error: { kind: "rejected", code: "insufficient-funds", status: 200 } },
  },
  {
    name: "a side Tradier finds wrong for the position → position-side-mismatch",
    replies: [fixture(positionsNull), fixture(errWrongSide)],
    call: place({ side: "sell" }),
    expected: { error: { kind: "rejected", code: "position-side-mismatch", status: 200 } },
  },
  {
    name: "a sell larger than the long position is refused before sending (Tradier never flips)",
    replies: [positionsOf({ symbol: "AAPL", quantity: 5, cost_basis: 500 })],
    call: place({ side: "sell" }),
    expected: { error: { kind: "rejected", code: "position-side-mismatch" } },
  },
  {
    name: "HTTP 400 bad parameter → rejected invalid-request",
    replies: [fixture(positionsNull), fixture(errInvalidParameter)],
    call: place(),
    expected: { error: { kind: "rejected", code: "invalid-request", status: 400 } },
  },
  {
    name: "HTTP 400 symbol not found → invalid-symbol",
    replies: [fixture(errSymbol)],
    call: async (c) => c.getQuote?.("TNX", "stocks"),
    expected: { error: { kind: "rejected", code: "invalid-symbol", status: 400 } },
  },
  {
    name: "HTTP 401 (text body) → auth-expired invalid-credentials",
    replies: [fixture(errAuth)],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "auth-expired", code: "invalid-credentials", status: 401 } },
  },
  {
    name: "a 401 on the connection test where the token works on the other host → wrong-environment",
    replies: [fixture(errAuth), fixture(profileSingle)],
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
    name: "'Quota Violation' (a 400) → retryable rate-limited",
    replies: [fixture(errQuota)],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "retryable", code: "rate-limited", status: 400 } },
  },
  {
    name: "cancel of a filled order, refused with HTTP 200 → order-not-cancelable",
    replies: [fixture(errCancelFinalized)],
    call: (c, a) => c.cancelOrder(a, { brokerOrderId: "228175" }),
    expected: { error: { kind: "rejected", code: "order-not-cancelable", status: 200 } },
  },
  {
    name: "an XML answer (the Accept header lost on the way) → bad-response, retryable on a read",
    replies: [fixture(errXml)],
    call: (c, a) => c.getBalance(a),
    expected: { error: { kind: "retryable", code: "bad-response", status: 200 } },
  },
  {
    name: "one quote: a bare object; epoch-ms times become ISO",
    replies: [fixture(quotesSingle)],
    call: async (c) => c.getQuote?.("AAPL", "stocks"),
    expected: { result: { ticker: "AAPL", bid: "208.2", ask: "208.22", last: "208.21", at: "2026-01-02T03:04:05.000Z" } },
  },
  {
    name: "an unmatched symbol → invalid-symbol",
    replies: [fixture(quotesUnmatched)],
    call: async (c) => c.getQuote?.("NOPE", "stocks"),
    expected: { error: { kind: "rejected", code: "invalid-symbol" } },
  },
];
