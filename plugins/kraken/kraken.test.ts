/**
 * Kraken Spot plugin tests, inside workerd: the conformance kit (static
 * cases, fixtures, scenarios), the documented API-Sign vector, and
 * scenarios through the real client against the stateful fake.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { brokerErrorOf, runConformanceSuite, scriptedClient, testClient, type TestConnection } from "../testkit";
import type { BrokerClient, OrderRequest } from "../sdk";
import { requestCases, responseCases, signingVectors, TEST_BASE, TEST_CREDENTIALS, TEST_NOW } from "./cases";
import { expectedApiSign, KrakenFake } from "./fake";
import { krakenPlugin } from "./index";
import { fromClOrdId, toClOrdId } from "./mapping";
import { commonAsset, krakenPair, tickerFromPair } from "./symbols";

const ACCOUNT = "spot";
const base: Omit<TestConnection, "plugin"> = { credentials: TEST_CREDENTIALS, baseUrl: TEST_BASE, now: () => TEST_NOW, environment: "live", rateLimit: "off" };

/** Crypto trades around the clock: `day` is sent as GTC, so no close ever expires an order. */
const NO_SESSION = "Kraken spot has no sessions: the plugin sends day as GTC (crypto trades around the clock), so nothing expires at a close";

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: krakenPlugin,
  credentials: TEST_CREDENTIALS,
  accountId: ACCOUNT,
  environment: "live",
  baseUrl: TEST_BASE,
  now: TEST_NOW,
  requests: requestCases,
  responses: responseCases,
  signingVectors,
  fake: () => new KrakenFake({ apiKey: TEST_CREDENTIALS.apiKey, privateKey: TEST_CREDENTIALS.privateKey }),
  instrument: { ticker: "BTCUSD", assetClass: "crypto", price: "100", quantity: "1", unaffordableQuantity: "1000000000" },
  rateLimitReply: { status: 200, body: { error: ["EAPI:Rate limit exceeded"] } },
  venueClientOrderId: toClOrdId,
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
    "time-in-force/fok": "capabilities: no fok time in force",
    "bracket-entry": "capabilities: brackets.otoco unsupported",
    "bracket-short": "capabilities: brackets.otoco unsupported",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});

describe("kraken: documented API-Sign vector", () => {
  for (const v of signingVectors) it(v.name, async () => expect(await v.compute()).toBe(v.expected));
});

describe("kraken: refusals", () => {
  it("refuses what Kraken cannot do before sending anything", async () => {
    const { client, sent } = scriptedClient({ plugin: krakenPlugin, ...base }, []);
    const both = { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop" as const, stopPrice: "90" } };
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...limit("k1"), bracket: both }))).toMatchObject({ kind: "unsupported", code: "brackets-not-supported" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...limit("k2"), timeInForce: "fok" }))).toMatchObject({ code: "time-in-force-not-supported" });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...limit("k3"), clientOrderId: "an-id-that-is-far-too-long-for-kraken" }))).toMatchObject({ code: "invalid-client-order-id" });
    expect(sent).toHaveLength(0);
  });
});

describe("kraken: symbols and client ids", () => {
  it("maps BTC to XBT and back, and reads legacy asset codes", () => {
    expect(krakenPair("BTCUSD", "crypto")).toBe("XBTUSD");
    expect(krakenPair("KRAKEN:ETHBTC", "crypto")).toBe("ETHXBT");
    expect(krakenPair("DOGE/USD", "crypto")).toBe("XDGUSD");
    expect(tickerFromPair("XBTUSD")).toBe("BTCUSD");
    expect(tickerFromPair("XXBTZUSD")).toBe("BTCUSD");
    expect(tickerFromPair("XBT/EUR")).toBe("BTCEUR");
    expect(commonAsset("XXBT")).toBe("BTC");
    expect(commonAsset("ZUSD")).toBe("USD");
    expect(commonAsset("SOL")).toBe("SOL");
  });

  it("sends the core's 34-character id as a UUID and reads it back", () => {
    const id = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    expect(toClOrdId(id)).toBe("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
    expect(fromClOrdId(toClOrdId(id))).toBe(id);
    expect(toClOrdId("short-id")).toBe("short-id");
  });
});

// ------------------------------------------------------------------ scenarios

let seq = 0;
function limit(id?: string): OrderRequest {
  seq += 1;
  return { clientOrderId: id ?? `k${seq}${crypto.randomUUID().slice(0, 8)}`, ticker: "BTCUSD", assetClass: "crypto", side: "buy", quantity: "1", type: "limit", timeInForce: "gtc", limitPrice: "95" };
}
const market = (id?: string): OrderRequest => ({ ...limit(id), type: "market", limitPrice: undefined });

describe("kraken: scenarios against the fake broker", () => {
  let fake: KrakenFake;
  let client: BrokerClient;
  const connect = (f: KrakenFake): BrokerClient =>
    testClient({ plugin: krakenPlugin, rateLimit: "off", credentials: { apiKey: f.apiKey, privateKey: f.privateKey }, baseUrl: TEST_BASE, now: () => new Date(), environment: "live" }, (r) => f.fetch(r));
  beforeEach(() => {
    fake = new KrakenFake();
    fake.setPrice("XBTUSD", "100");
    client = connect(fake);
  });

  it("testConnection checks funds and order permissions and returns the live spot account", async () => {
    expect(await client.testConnection()).toEqual([{ brokerAccountId: "spot", mode: "live", name: "Kraken Spot", currency: "USD" }]);
    expect(fake.calls.map((c) => c.method)).toEqual(["BalanceEx", "OpenOrders"]);
  });

  it("a paper connection without a base URL is told Kraken has no sandbox", async () => {
    const paper = testClient({ plugin: krakenPlugin, rateLimit: "off", credentials: TEST_CREDENTIALS, baseUrl: "", now: () => new Date(), environment: "paper" }, (r) => fake.fetch(r));
    expect(await brokerErrorOf(paper.testConnection())).toMatchObject({ kind: "rejected", code: "wrong-environment" });
  });

  it("a wrong private key is auth-expired invalid-credentials", async () => {
    const bad = testClient({ plugin: krakenPlugin, rateLimit: "off", credentials: { apiKey: fake.apiKey, privateKey: TEST_CREDENTIALS.privateKey.replace("AQ", "AA") }, baseUrl: TEST_BASE, now: () => new Date() }, (r) => fake.fetch(r));
    expect(await brokerErrorOf(bad.getPositions(ACCOUNT))).toMatchObject({ kind: "auth-expired", code: "invalid-credentials" });
  });

  it("long from zero and close from long at market; balance and equity follow", async () => {
    expect(await client.placeOrder(ACCOUNT, market())).toMatchObject({ status: "filled", avgFillPrice: "100", ticker: "BTCUSD" });
    expect((await client.getPositions(ACCOUNT)).map((p) => [p.ticker, p.quantity])).toEqual([["BTCUSD", "1"]]);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "99900", equity: "100000", buyingPower: "99900" });
    fake.setPrice("XBTUSD", "120");
    expect(await client.placeOrder(ACCOUNT, { ...market(), side: "sell" })).toMatchObject({ status: "filled", avgFillPrice: "120" });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
    expect((await client.getBalance(ACCOUNT)).cash).toBe("100020");
  });

  it("limit rests (holding funds), fills on the cross, found by client id in open then closed orders", async () => {
    const o = await client.placeOrder(ACCOUNT, limit("tl0000000000000000000000000000000a"));
    expect(o).toMatchObject({ status: "open", clientOrderId: "tl0000000000000000000000000000000a" });
    expect((await client.getBalance(ACCOUNT)).buyingPower).toBe("99905");
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "tl0000000000000000000000000000000a" })).toMatchObject({ status: "open" });
    fake.setPrice("XBTUSD", "94");
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "tl0000000000000000000000000000000a" })).toMatchObject({ status: "filled", avgFillPrice: "95" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "filled" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "never-sent" })).toBeNull();
  });

  it("stop and trailing stop sells", async () => {
    await client.placeOrder(ACCOUNT, { ...market(), quantity: "2" });
    const stop = await client.placeOrder(ACCOUNT, { ...market(), side: "sell", type: "stop", stopPrice: "90" });
    const trail = await client.placeOrder(ACCOUNT, { ...market(), side: "sell", type: "trailing_stop", trailAmount: "5" });
    fake.setPrice("XBTUSD", "110");
    fake.setPrice("XBTUSD", "104");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: trail.brokerOrderId })).toMatchObject({ type: "trailing_stop", status: "filled", avgFillPrice: "104" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "open" });
    fake.setPrice("XBTUSD", "89");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "89" });
  });

  it("conditional close: the stop loss appears when the entry fills, linked to it", async () => {
    const entry = await client.placeOrder(ACCOUNT, { ...market(), bracket: { stopLoss: { type: "stop", stopPrice: "90" } } });
    expect(entry.status).toBe("filled");
    const [leg] = await client.getOpenOrders(ACCOUNT);
    expect(leg).toMatchObject({ parentBrokerOrderId: entry.brokerOrderId, role: "stop_loss", side: "sell", type: "stop", stopPrice: "90", quantity: "1" });
    fake.setPrice("XBTUSD", "85");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: leg!.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "85" });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("cancel by client id and by broker id; cancelling again is order-not-found", async () => {
    const a = await client.placeOrder(ACCOUNT, limit());
    const b = await client.placeOrder(ACCOUNT, limit());
    await client.cancelOrder(ACCOUNT, { clientOrderId: a.clientOrderId! });
    await client.cancelOrder(ACCOUNT, { brokerOrderId: b.brokerOrderId });
    expect(await client.getOpenOrders(ACCOUNT)).toEqual([]);
    expect((await client.getBalance(ACCOUNT)).buyingPower).toBe("100000");
    expect(await brokerErrorOf(client.cancelOrder(ACCOUNT, { brokerOrderId: b.brokerOrderId }))).toMatchObject({ code: "order-not-found" });
  });

  it("partial fill is cumulative", async () => {
    fake.partialFillNext("0.25");
    const o = await client.placeOrder(ACCOUNT, { ...limit(), limitPrice: "100" });
    expect(o).toMatchObject({ status: "partially_filled", filledQuantity: "0.25" });
    fake.setPrice("XBTUSD", "99");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "filled", filledQuantity: "1" });
  });

  it("insufficient funds (HTTP 200 error[]) books nothing; no shorting", async () => {
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...market(), quantity: "1000000000" }))).toMatchObject({ kind: "rejected", code: "insufficient-funds", status: 200 });
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, { ...market(), side: "sell" }))).toMatchObject({ code: "insufficient-funds" });
    expect(fake.orders()).toEqual([]);
  });

  it("rate limit then success", async () => {
    fake.failNext({ status: 200, body: { error: ["EAPI:Rate limit exceeded"] } });
    expect(await brokerErrorOf(client.getOpenOrders(ACCOUNT))).toMatchObject({ kind: "retryable", code: "rate-limited" });
    expect(await client.getOpenOrders(ACCOUNT)).toEqual([]);
  });

  it("a lost AddOrder reply is outcome-unknown; getOrder by client id finds the one order", async () => {
    fake.loseNextReply();
    const req = market("tl000000000000000000000000000000bb");
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, req))).toMatchObject({ kind: "outcome-unknown" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: req.clientOrderId })).toMatchObject({ status: "filled", clientOrderId: req.clientOrderId });
    expect(fake.orders()).toHaveLength(1);
  });

  it("an order booked whose read-back fails is reported pending, never as a retryable error", async () => {
    const booked = scriptedClient({ plugin: krakenPlugin, ...base }, [{ status: 200, body: { error: [], result: { descr: { order: "buy 1 XBTUSD @ market" }, txid: ["OAAAAA-BBBBB-CCCCCC"] } } }, { status: 503 }]);
    expect(await booked.client.placeOrder(ACCOUNT, market("tl000000000000000000000000000000cc"))).toMatchObject({ brokerOrderId: "OAAAAA-BBBBB-CCCCCC", status: "pending", filledQuantity: "0" });
  });

  it("a lost read reply is retryable (reads are idempotent POSTs)", async () => {
    fake.loseNextReply();
    expect(await brokerErrorOf(client.getOpenOrders(ACCOUNT))).toMatchObject({ kind: "retryable" });
  });

  it("auth expiry is auth-expired", async () => {
    fake.expireAuth();
    expect(await brokerErrorOf(client.getBalance(ACCOUNT))).toMatchObject({ kind: "auth-expired", code: "invalid-credentials" });
  });

  it("nonces only go up, across calls of one connection", async () => {
    await client.getOpenOrders(ACCOUNT);
    await client.getPositions(ACCOUNT);
    await client.getOpenOrders(ACCOUNT);
    const nonces = fake.calls.map((c) => BigInt(c.fields.get("nonce") ?? "0"));
    expect(nonces.every((n, i) => i === 0 || n > (nonces[i - 1] as bigint))).toBe(true);
  });

  it("a second open order with the same client id is duplicate-client-order-id", async () => {
    const req = limit();
    await client.placeOrder(ACCOUNT, req);
    expect(await brokerErrorOf(client.placeOrder(ACCOUNT, req))).toMatchObject({ code: "duplicate-client-order-id" });
  });

  it("quote from the public ticker", async () => {
    expect(await client.getQuote?.("BTCUSD", "crypto")).toMatchObject({ ticker: "BTCUSD", bid: "100", ask: "100", last: "100" });
  });
});

describe("fake kraken: its own verifier agrees with Kraken's documented API-Sign example", () => {
  // docs.kraken.com, Spot REST "Authentication": the published secret, nonce, path, payload and signature.
  const DOC = {
    secret: "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
    nonce: "1616492376594",
    path: "/0/private/AddOrder",
    payload: "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
    apiSign: "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
  };

  it("computes the published API-Sign from the published inputs", async () => {
    expect(await expectedApiSign(DOC.secret, DOC.path, DOC.nonce, DOC.payload)).toBe(DOC.apiSign);
  });

  it("accepts a request carrying it and refuses one with a changed signature", async () => {
    const send = (apiSign: string) =>
      new KrakenFake({ apiKey: "doc-key", privateKey: DOC.secret }).fetch(
        new Request(`https://api.kraken.com${DOC.path}`, {
          method: "POST",
          headers: { "api-key": "doc-key", "api-sign": apiSign, "content-type": "application/x-www-form-urlencoded" },
          body: DOC.payload,
        }),
      );
    const accepted = (await (await send(DOC.apiSign)).json()) as { error: string[] };
    expect(accepted.error).not.toContain("EAPI:Invalid signature");
    const refused = (await (await send(`A${DOC.apiSign.slice(1)}`)).json()) as { error: string[] };
    expect(refused.error).toEqual(["EAPI:Invalid signature"]);
  });
});
