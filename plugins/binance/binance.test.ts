/**
 * Binance Spot plugin tests, inside workerd:
 * - the conformance kit (all layers, once its runner lands);
 * - both documented signing vectors, and the signature of a sent request;
 * - scenarios through the real client against the stateful fake broker.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { brokerErrorOf, runConformanceSuite, scriptedClient, testClient, type TestConnection } from "../testkit";
import type { BrokerClient, OrderRequest } from "../sdk";
import { requestCases, responseCases, signingVectors, TEST_BASE, TEST_CREDENTIALS, TEST_NOW } from "./cases";
import { forgetSentSymbols } from "./client";
import { BinanceFake } from "./fake";
import { binancePlugin } from "./index";
import { signPayload } from "./signing";
import { binanceSymbol, tickerFromSymbol } from "./symbols";

const ACCOUNT = "spot";
const base: Omit<TestConnection, "plugin"> = { credentials: TEST_CREDENTIALS, baseUrl: TEST_BASE, now: () => TEST_NOW, rateLimit: "off" };

/** Crypto trades around the clock: `day` is sent as GTC, so no close ever expires an order. */
const NO_SESSION = "Binance Spot has no sessions: the plugin sends day as GTC (crypto trades around the clock), so nothing expires at a close";

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: binancePlugin,
  credentials: TEST_CREDENTIALS,
  accountId: ACCOUNT,
  baseUrl: TEST_BASE,
  now: TEST_NOW,
  requests: requestCases,
  responses: responseCases,
  signingVectors,
  fake: () => {
    const fake = new BinanceFake({ apiKey: TEST_CREDENTIALS.apiKey, secretKey: TEST_CREDENTIALS.secretKey });
    // The scenarios sell what they bought; shorting is not possible on Spot.
    return fake;
  },
  instrument: { ticker: "BTCUSD", assetClass: "crypto", price: "100", quantity: "1", unaffordableQuantity: "1000000000" },
  rateLimitReply: { status: 429, body: { code: -1003, msg: "Too many requests." }, headers: { "retry-after": "0" } },
  skip: { "stop-limit/expiry": NO_SESSION, "trailing-stop/expiry": NO_SESSION, "oto/expiry": NO_SESSION, "time-in-force/session-close": NO_SESSION },
  expectedSkips: {
    "ShortFromZero/market": "capabilities: shorting unsupported",
    "ShortFromZero/limit": "capabilities: shorting unsupported",
    "ShortFromZero/stop": "capabilities: shorting unsupported",
    "CloseFromShort/market": "capabilities: shorting unsupported",
    "CloseFromShort/limit": "capabilities: shorting unsupported",
    "CloseFromShort/stop": "capabilities: shorting unsupported",
    "LongFromShort/market": "capabilities: shorting unsupported",
    "LongFromShort/limit": "capabilities: shorting unsupported",
    "LongFromShort/stop": "capabilities: shorting unsupported",
    "ShortFromLong/market": "capabilities: shorting unsupported",
    "ShortFromLong/limit": "capabilities: shorting unsupported",
    "ShortFromLong/stop": "capabilities: shorting unsupported",
    "stop-limit/expiry": NO_SESSION,
    "trailing-stop/expiry": NO_SESSION,
    "oto/expiry": NO_SESSION,
    "time-in-force/session-close": NO_SESSION,
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "modify": "capabilities: modify unsupported",
    "bracket-short": "capabilities: shorting unsupported",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});

describe("binance: documented signing vectors", () => {
  for (const v of signingVectors) it(v.name, async () => expect(await v.compute()).toBe(v.expected));
});

describe("binance: transport and refusals", () => {
  it("the signature in the query is the HMAC of everything before it", async () => {
    const { client, sent } = scriptedClient({ plugin: binancePlugin, ...base }, [{ status: 200, body: [] }]);
    await client.getOpenOrders(ACCOUNT);
    const url = sent[0]!.url;
    const [signed, signature] = url.slice(url.indexOf("?") + 1).split("&signature=") as [string, string];
    expect(signed).toBe(`recvWindow=5000&timestamp=${TEST_NOW.getTime()}`);
    expect(signature).toBe(await signPayload(TEST_CREDENTIALS.secretKey, signed));
  });

  it("a 5xx on a read is retryable, on placement outcome-unknown; no answer likewise", async () => {
    const read = scriptedClient({ plugin: binancePlugin, ...base }, [{ status: 502 }]);
    expect(await brokerErrorOf(read.client.getOpenOrders(ACCOUNT))).toMatchObject({ kind: "retryable", status: 502 });
    const place = scriptedClient({ plugin: binancePlugin, ...base }, [{ status: 500, body: { code: -1000, msg: "An unknown error occurred while processing the request." } }]);
    expect(await brokerErrorOf(place.client.placeOrder(ACCOUNT, marketBuy("x1")))).toMatchObject({ kind: "outcome-unknown" });
    const lost = scriptedClient({ plugin: binancePlugin, ...base }, [new Error("connection reset")]);
    expect(await brokerErrorOf(lost.client.placeOrder(ACCOUNT, marketBuy("x2")))).toMatchObject({ kind: "outcome-unknown", code: "broker-unreachable" });
  });

  it("refuses what Binance cannot do before sending anything", async () => {
    const { client, sent } = scriptedClient({ plugin: binancePlugin, ...base }, []);
    const bracket = { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop" as const, stopPrice: "90" } };
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy("b1"), type: "stop", stopPrice: "120", bracket }))).toMatchObject({ kind: "unsupported", code: "venue-bracket-entry-type" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy("b2"), type: "trailing_stop", trailAmount: "5" }))).toMatchObject({ kind: "unsupported", code: "venue-trail-percent-only" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy("b3"), timeInForce: "opg" as const, type: "limit", limitPrice: "1" }))).toMatchObject({ kind: "unsupported", code: "time-in-force-not-supported" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy("b4"), clientOrderId: "bad id with spaces" }))).toMatchObject({ code: "invalid-client-order-id" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy("b5"), assetClass: "stocks", ticker: "AAPL" }))).toMatchObject({ kind: "unsupported", code: "asset-class-not-supported" });
    expect(sent).toHaveLength(0);
  });
});

describe("binance: symbols", () => {
  it("maps TradingView tickers to Binance symbols and back", () => {
    expect(binanceSymbol("BTCUSD", "crypto")).toBe("BTCUSDT");
    expect(binanceSymbol("BINANCE:ETHUSDT", "crypto")).toBe("ETHUSDT");
    expect(binanceSymbol("eth/btc", "crypto")).toBe("ETHBTC");
    expect(binanceSymbol("SOLFDUSD", "crypto")).toBe("SOLFDUSD");
    expect(tickerFromSymbol("BTCUSDT")).toBe("BTCUSD");
    expect(tickerFromSymbol("ETHBTC")).toBe("ETHBTC");
  });
});

// ------------------------------------------------------------------ scenarios

let seq = 0;
function marketBuy(id?: string): OrderRequest {
  seq += 1;
  return { clientOrderId: id ?? `tc${seq}x${crypto.randomUUID().slice(0, 8)}`, ticker: "BTCUSD", assetClass: "crypto", side: "buy", quantity: "1", type: "market", timeInForce: "gtc" };
}

function connect(fake: BinanceFake, now: () => Date = () => new Date()): BrokerClient {
  return testClient({ plugin: binancePlugin, rateLimit: "off", credentials: { apiKey: fake.apiKey, secretKey: fake.secretKey }, baseUrl: TEST_BASE, now }, (r) => fake.fetch(r));
}

describe("binance: scenarios against the fake broker", () => {
  let fake: BinanceFake;
  let client: BrokerClient;
  beforeEach(() => {
    fake = new BinanceFake();
    fake.setPrice("BTCUSDT", "100");
    client = connect(fake);
  });

  it("testConnection reaches one paper account; wrong secret is an auth problem", async () => {
    expect(await client.testConnection()).toEqual([{ brokerAccountId: "354937868", mode: "paper", name: "Binance Spot Testnet", currency: "USDT" }]);
    const bad = testClient({ plugin: binancePlugin, rateLimit: "off", credentials: { apiKey: fake.apiKey, secretKey: "wrong" }, baseUrl: TEST_BASE, now: () => new Date(), environment: "live" }, (r) => fake.fetch(r));
    expect(await brokerErrorOf(bad.testConnection())).toMatchObject({ kind: "auth-expired", code: "invalid-credentials" });
  });

  it("long from zero and close from long, market: positions and balance follow", async () => {
    const buy = await client.placeOrder(ACCOUNT, marketBuy());
    expect(buy).toMatchObject({ status: "filled", filledQuantity: "1", avgFillPrice: "100", ticker: "BTCUSD" });
    expect((await client.getPositions(ACCOUNT)).map((p) => [p.ticker, p.quantity])).toEqual([["BTCUSD", "1"]]);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "99900", equity: "100000" });
    fake.setPrice("BTCUSDT", "110");
    const sell = await client.placeOrder(ACCOUNT, { ...marketBuy(), side: "sell" });
    expect(sell).toMatchObject({ status: "filled", avgFillPrice: "110" });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
    expect((await client.getBalance(ACCOUNT)).cash).toBe("100010");
  });

  it("limit rests, fills when the price crosses, readable by client and broker id", async () => {
    const o = await client.placeOrder(ACCOUNT, { ...marketBuy(), type: "limit", limitPrice: "95" });
    expect(o.status).toBe("open");
    expect((await client.getOpenOrders(ACCOUNT)).map((x) => x.brokerOrderId)).toEqual([o.brokerOrderId]);
    fake.setPrice("BTCUSDT", "94");
    expect(await client.getOrder(ACCOUNT, { clientOrderId: o.clientOrderId! })).toMatchObject({ status: "filled", avgFillPrice: "95" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "filled" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "never-sent" })).toBeNull();
  });

  it("stop and trailing stop sells trigger on the way down", async () => {
    await client.placeOrder(ACCOUNT, { ...marketBuy(), quantity: "2" });
    const stop = await client.placeOrder(ACCOUNT, { ...marketBuy(), side: "sell", type: "stop", stopPrice: "90" });
    const trail = await client.placeOrder(ACCOUNT, { ...marketBuy(), side: "sell", type: "trailing_stop", trailPercent: "5" });
    fake.setPrice("BTCUSDT", "120");
    fake.setPrice("BTCUSDT", "113");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: trail.brokerOrderId })).toMatchObject({ type: "trailing_stop", status: "filled", avgFillPrice: "113" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "open" });
    fake.setPrice("BTCUSDT", "89");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "89" });
  });

  it("OTOCO bracket: legs are linked to the entry, wake on its fill, and cancel each other", async () => {
    const entry = await client.placeOrder(ACCOUNT, {
      ...marketBuy("tl00000000000000000000000000000001"),
      type: "limit",
      limitPrice: "99",
      bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "90" } },
    });
    expect(entry).toMatchObject({ status: "open", clientOrderId: "tl00000000000000000000000000000001" });
    const legs = (await client.getOpenOrders(ACCOUNT)).filter((o) => o.parentBrokerOrderId === entry.brokerOrderId);
    expect(legs.map((l) => [l.role, l.clientOrderId, l.side])).toEqual([
      ["take_profit", "tp00000000000000000000000000000001", "sell"],
      ["stop_loss", "sl00000000000000000000000000000001", "sell"],
    ]);
    fake.setPrice("BTCUSDT", "98");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: entry.brokerOrderId })).toMatchObject({ status: "filled" });
    fake.setPrice("BTCUSDT", "111");
    const tp = await client.getOrder(ACCOUNT, { clientOrderId: "tp00000000000000000000000000000001" });
    const sl = await client.getOrder(ACCOUNT, { clientOrderId: "sl00000000000000000000000000000001" });
    expect([tp?.status, sl?.status]).toEqual(["filled", "cancelled"]);
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("market entry with exits: a capped marketable LIMIT entry fills, the OCO legs wake, the stop cancels the take profit", async () => {
    const entry = await client.placeOrder(ACCOUNT, { ...marketBuy("tl00000000000000000000000000000002"), bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "90" } } });
    expect(entry).toMatchObject({ status: "filled", avgFillPrice: "100", limitPrice: "100.5" });
    const legs = (await client.getOpenOrders(ACCOUNT)).filter((o) => o.parentBrokerOrderId === entry.brokerOrderId);
    expect(legs.map((l) => [l.role, l.status])).toEqual([
      ["take_profit", "open"],
      ["stop_loss", "open"],
    ]);
    fake.setPrice("BTCUSDT", "89");
    const [tp, sl] = await Promise.all(legs.map((l) => client.getOrder(ACCOUNT, { brokerOrderId: l.brokerOrderId })));
    expect([tp?.status, sl?.status, sl?.avgFillPrice]).toEqual(["cancelled", "filled", "89"]);
  });

  it("cancel by client id and by broker id; a second cancel is order-not-found", async () => {
    const a = await client.placeOrder(ACCOUNT, { ...marketBuy(), type: "limit", limitPrice: "50" });
    const b = await client.placeOrder(ACCOUNT, { ...marketBuy(), type: "limit", limitPrice: "51" });
    await client.cancelOrder(ACCOUNT, { clientOrderId: a.clientOrderId! });
    await client.cancelOrder(ACCOUNT, { brokerOrderId: b.brokerOrderId });
    expect(await client.getOpenOrders(ACCOUNT)).toEqual([]);
    expect((await client.getBalance(ACCOUNT)).buyingPower).toBe("100000");
    expect(await brokerErrorOf(client.cancelOrder(ACCOUNT, { brokerOrderId: b.brokerOrderId }))).toMatchObject({ code: "order-not-found" });
  });

  it("partial fill is cumulative and the rest keeps working", async () => {
    fake.partialFillNext("0.4");
    const o = await client.placeOrder(ACCOUNT, { ...marketBuy(), type: "limit", limitPrice: "100" });
    expect(o).toMatchObject({ status: "partially_filled", filledQuantity: "0.4" });
    fake.setPrice("BTCUSDT", "99");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "filled", filledQuantity: "1" });
  });

  it("insufficient funds is rejected and books nothing; selling what is not held too (no shorting)", async () => {
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy(), quantity: "1000000000" }))).toMatchObject({ kind: "rejected", code: "insufficient-funds" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...marketBuy(), side: "sell" }))).toMatchObject({ code: "insufficient-funds" });
    expect(fake.orders()).toEqual([]);
  });

  it("429 then success", async () => {
    fake.failNext({ status: 429, body: { code: -1003, msg: "Too many requests." }, headers: { "retry-after": "2" } });
    expect(await brokerErrorOf(client.getPositions(ACCOUNT))).toMatchObject({ kind: "retryable", code: "rate-limited", retryAfterMs: 2000 });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("a lost reply is outcome-unknown and reconciles to the one order, even from a fresh isolate", async () => {
    fake.loseNextReply();
    const req = marketBuy();
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, req))).toMatchObject({ kind: "outcome-unknown" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: req.clientOrderId })).toMatchObject({ status: "filled" });
    forgetSentSymbols();
    // Without the isolate's memory the client finds it through the account's holdings.
    expect(await connect(fake).getOrder(ACCOUNT, { clientOrderId: req.clientOrderId })).toMatchObject({ status: "filled" });
    expect(fake.orders()).toHaveLength(1);
    // A resend with the same id while it is open would be refused; here it is filled, so Binance would accept it:
    // reconciliation (above), not the id, is what prevents the double.
  });

  it("auth expiry is auth-expired", async () => {
    fake.expireAuth();
    expect(await brokerErrorOf(client.getBalance(ACCOUNT))).toMatchObject({ kind: "auth-expired", code: "invalid-credentials", status: 401 });
  });

  it("-1021: a skewed clock is resynced from /api/v3/time and the request goes through once", async () => {
    const skewed = new BinanceFake({ clock: () => Date.now() + 30_000 });
    skewed.setPrice("BTCUSDT", "100");
    const c = connect(skewed);
    expect((await c.placeOrder(ACCOUNT, marketBuy())).status).toBe("filled");
    expect(skewed.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/v3/order", "GET /api/v3/time", "POST /api/v3/order"]);
    expect(skewed.orders()).toHaveLength(1);
  });

  it("duplicate open client id is refused as duplicate-client-order-id", async () => {
    const req = { ...marketBuy(), type: "limit" as const, limitPrice: "50" };
    await client.placeOrder(ACCOUNT, req);
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, req))).toMatchObject({ code: "duplicate-client-order-id" });
  });

  it("quote from the book ticker", async () => {
    expect(await client.getQuote?.("BTCUSD", "crypto")).toMatchObject({ ticker: "BTCUSD", bid: "100", ask: "100", last: null });
  });
});

describe("fake binance: its own verifier agrees with Binance's documented signing example", () => {
  // rest-api.md, "SIGNED Endpoint Examples for POST /api/v3/order": key, secret, payload and signature as published.
  const DOC = {
    apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    secretKey: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    payload: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
    signature: "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
  };
  const send = (signature: string) =>
    new BinanceFake({ apiKey: DOC.apiKey, secretKey: DOC.secretKey }).fetch(
      new Request(`https://api.binance.com/api/v3/order?${DOC.payload}&signature=${signature}`, { method: "POST", headers: { "x-mbx-apikey": DOC.apiKey } }),
    );

  it("accepts the published signature (the order then fails on the unlisted symbol, not on the signature)", async () => {
    const res = await send(DOC.signature);
    expect(await res.json()).toEqual({ code: -1121, msg: "Invalid symbol." });
  });

  it("refuses the same request with one hex digit of the signature changed (-1022)", async () => {
    const res = await send(`${DOC.signature.slice(0, -1)}0`);
    expect([res.status, await res.json()]).toEqual([400, { code: -1022, msg: "Signature for this request is not valid." }]);
  });
});
