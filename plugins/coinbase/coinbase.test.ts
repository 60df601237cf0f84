/**
 * Coinbase plugin tests, inside workerd:
 * - the JWT each request carries, verified with jose against the key's public half;
 * - symbols;
 * - conformance layers 1 and 2 from cases.ts (static requests, recorded responses);
 * - scenarios against the stateful fake through the real client;
 * - the conformance kit's suite.
 */
import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it, vi } from "vitest";
import { BrokerError, placeOrderOnce, type BrokerClient, type OrderRequest } from "../sdk";
import { connectPlugin } from "../sdk/host";
import { runConformanceSuite } from "../testkit";
import { KIT_NOW, scriptedClient, testClient, type TestConnection } from "../testkit/harness";
import { runRequestCase, runResponseCase } from "../testkit/static-layers";
import { ACCOUNT, BASE, marketBuy, requestCases, responseCases } from "./cases";
import { COINBASE_RATE_LIMIT_REPLY, CoinbaseFake, createCoinbaseTestKey } from "./fake";
import accounts from "./fixtures/accounts.json";
import { coinbasePlugin } from "./index";
import { coinbaseSymbol } from "./symbols";

const key = await createCoinbaseTestKey();
const KEY_NAME = key.credentials.apiKeyName;
const connection: TestConnection = { plugin: coinbasePlugin, credentials: key.credentials, environment: "live", now: () => KIT_NOW };
const nowSeconds = Math.floor(KIT_NOW.getTime() / 1000);

function fakeClient(options: { canTrade?: boolean } = {}): { fake: CoinbaseFake; client: BrokerClient } {
  const fake = new CoinbaseFake({ keyName: KEY_NAME, publicKey: key.publicKey, now: () => KIT_NOW, ...options });
  return { fake, client: testClient(connection, fake.fetch) };
}

async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw e;
  }
  throw new Error("expected a BrokerError");
}

function bearer(headers: Record<string, string>): string {
  const token = headers.authorization?.replace(/^Bearer /, "");
  if (!token) throw new Error("no bearer token");
  return token;
}

describe("coinbase: JWT per request", () => {
  it("is ES256, signed by the key, with kid/nonce headers and iss/sub/nbf/exp/uri claims", async () => {
    const { client, sent } = scriptedClient(connection, [accounts]);
    await client.getPositions(ACCOUNT);
    const token = bearer(sent[0]?.headers ?? {});
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: "ES256", kid: KEY_NAME, nonce: expect.stringMatching(/^[0-9a-f]{64}$/), typ: "JWT" });
    const { payload } = await jwtVerify(token, key.publicKey, { algorithms: ["ES256"], currentDate: KIT_NOW });
    // The query string (?limit=250) is not part of the signed uri.
    expect(payload).toEqual({ uri: "GET api.coinbase.com/api/v3/brokerage/accounts", sub: KEY_NAME, iss: "cdp", nbf: nowSeconds, exp: nowSeconds + 120 });
  });

  it("binds each token to its own method and path, with a fresh nonce", async () => {
    const { client, sent } = scriptedClient(connection, [{ status: 200, body: { success: true, success_response: { order_id: "o-1" } } }]);
    await client.placeOrder(ACCOUNT, marketBuy);
    const [post, get] = sent.map((r) => bearer(r.headers));
    if (!post || !get) throw new Error("expected two requests");
    expect((await jwtVerify(post, key.publicKey, { currentDate: KIT_NOW })).payload.uri).toBe("POST api.coinbase.com/api/v3/brokerage/orders");
    expect((await jwtVerify(get, key.publicKey, { currentDate: KIT_NOW })).payload.uri).toBe("GET api.coinbase.com/api/v3/brokerage/orders/historical/o-1");
    expect(decodeProtectedHeader(post).nonce).not.toBe(decodeProtectedHeader(get).nonce);
  });

  it("is refused by a verifier holding another key, and after exp", async () => {
    const other = await createCoinbaseTestKey(KEY_NAME);
    const { client, sent } = scriptedClient(connection, [accounts]);
    await client.getPositions(ACCOUNT);
    const token = bearer(sent[0]?.headers ?? {});
    await expect(jwtVerify(token, other.publicKey)).rejects.toMatchObject({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    await expect(jwtVerify(token, key.publicKey, { currentDate: new Date(KIT_NOW.getTime() + 121_000) })).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED", claim: "exp" });
  });

  it("imports the PEM once per client, not once per request", async () => {
    const spy = vi.spyOn(crypto.subtle, "importKey");
    try {
      const { client } = scriptedClient(connection, [accounts, accounts, accounts]);
      await client.getPositions(ACCOUNT);
      await client.getPositions(ACCOUNT);
      await client.getPositions(ACCOUNT);
      expect(spy.mock.calls.filter(([format]) => format === "pkcs8")).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("accepts PKCS#8 PEMs and keys pasted with literal \\n", async () => {
    const pkcs8Pem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.exportKey("pkcs8", (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]) as CryptoKeyPair).privateKey) as ArrayBuffer)))}\n-----END PRIVATE KEY-----`;
    for (const privateKey of [pkcs8Pem, key.credentials.privateKey.replace(/\n/g, "\\n")]) {
      const { client, sent } = scriptedClient({ ...connection, credentials: { apiKeyName: KEY_NAME, privateKey } }, [accounts]);
      await client.getPositions(ACCOUNT);
      expect(sent).toHaveLength(1);
    }
  });

  it("a key that is not ECDSA P-256 fails with a sentence saying what to do", async () => {
    const broken = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----";
    const { client, sent } = scriptedClient({ ...connection, credentials: { apiKeyName: KEY_NAME, privateKey: broken } });
    const e = await brokerError(client.testConnection());
    expect(e.code).toBe("invalid-credentials");
    expect(e.kind).toBe("auth-expired");
    expect(e.message).toMatch(/ECDSA/);
    expect(sent).toHaveLength(0);
  });
});

describe("coinbase: symbols", () => {
  it.each([
    ["BTCUSD", "BTC-USD"],
    ["ETHUSDC", "ETH-USDC"],
    ["COINBASE:SOLUSD", "SOL-USD"],
    ["btc/usd", "BTC-USD"],
    ["ETH-BTC", "ETH-BTC"],
    ["DOGEUSDT", "DOGE-USDT"],
  ])("%s → %s", (ticker, product) => {
    expect(coinbaseSymbol(ticker, "crypto")).toBe(product);
  });

  it("refuses other asset classes and unknown quotes", () => {
    expect(() => coinbaseSymbol("AAPL", "stocks")).toThrow(BrokerError);
    expect(() => coinbaseSymbol("BTCXYZ", "crypto")).toThrow(/quote currency/);
  });
});

describe("coinbase: static requests (layer 1)", () => {
  it.each(requestCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await runRequestCase(connection, ACCOUNT, c);
  });
});

describe("coinbase: recorded responses (layer 2)", () => {
  it.each(responseCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await runResponseCase(connection, ACCOUNT, c);
  });
});

describe("coinbase: scenarios against the fake", () => {
  const limitBuy = (over: Partial<OrderRequest> = {}): OrderRequest => ({ ...marketBuy, type: "limit", limitPrice: "100", quantity: "2", ...over });

  it("a market buy fills at the last price and becomes a position", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const placed = await client.placeOrder(ACCOUNT, { ...marketBuy, quantity: "3" });
    expect(placed).toMatchObject({ status: "filled", filledQuantity: "3", avgFillPrice: "100", clientOrderId: marketBuy.clientOrderId });
    expect(await client.getPositions(ACCOUNT)).toMatchObject([{ ticker: "BTCUSD", quantity: "3" }]);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "99700", equity: "100000" });
  });

  it("a limit rests, fills when the price crosses, and is found by client id", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "105");
    const placed = await client.placeOrder(ACCOUNT, limitBuy());
    expect(placed.status).toBe("open");
    expect(await client.getOpenOrders(ACCOUNT)).toHaveLength(1);
    fake.setPrice("BTC-USD", "99");
    expect(await client.getOrder(ACCOUNT, { clientOrderId: marketBuy.clientOrderId })).toMatchObject({ status: "filled", avgFillPrice: "100" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "tl-never-sent" })).toBeNull();
  });

  it("bracket entry: the attached TP/SL works after the fill and closes the position", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const entry = await client.placeOrder(ACCOUNT, limitBuy({ bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "95" } } }));
    expect(entry.status).toBe("filled");
    const legs = await client.getOpenOrders(ACCOUNT);
    expect(legs).toMatchObject([
      { parentBrokerOrderId: entry.brokerOrderId, side: "sell", quantity: "2", type: "limit", limitPrice: "110", role: "take_profit" },
      { parentBrokerOrderId: entry.brokerOrderId, side: "sell", quantity: "2", type: "stop", stopPrice: "95", role: "stop_loss" },
    ]);
    expect(fake.orders()).toHaveLength(2); // the entry and ONE bracket order at the venue
    fake.setPrice("BTC-USD", "94");
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "99988" });
    const [take, stop] = legs;
    if (!take || !stop) throw new Error("expected two legs");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "94" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: take.brokerOrderId })).toMatchObject({ status: "cancelled", filledQuantity: "0" });
  });

  it("a stop-limit triggers on the stop, then works as a limit", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const o = await client.placeOrder(ACCOUNT, limitBuy({ type: "stop_limit", stopPrice: "104", limitPrice: "106" }));
    fake.setPrice("BTC-USD", "103");
    expect((await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))?.status).toBe("open");
    fake.setPrice("BTC-USD", "105");
    expect((await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))?.status).toBe("filled");
  });

  it("cancel: a working order goes, a second cancel says it is no longer cancelable", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "105");
    const o = await client.placeOrder(ACCOUNT, limitBuy());
    await client.cancelOrder(ACCOUNT, { clientOrderId: marketBuy.clientOrderId });
    expect((await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))?.status).toBe("cancelled");
    expect((await brokerError(client.cancelOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))).code).toBe("order-not-cancelable");
    expect((await brokerError(client.cancelOrder(ACCOUNT, { brokerOrderId: "no-such-order" }))).code).toBe("order-not-found");
  });

  it("partial fill: the rest keeps working until cancelled", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.partialFillNext("0.5");
    const o = await client.placeOrder(ACCOUNT, limitBuy());
    expect(o).toMatchObject({ status: "partially_filled", filledQuantity: "0.5" });
    await client.cancelOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "cancelled", filledQuantity: "0.5" });
  });

  it("insufficient funds comes back as success:false and a rejection", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const e = await brokerError(client.placeOrder(ACCOUNT, { ...marketBuy, quantity: "5000" }));
    expect([e.kind, e.code, e.status]).toEqual(["rejected", "insufficient-funds", 200]);
    expect(fake.orders()).toEqual([]);
  });

  it("a reused client order id returns the existing order, never a second one", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const first = await client.placeOrder(ACCOUNT, marketBuy);
    const again = await client.placeOrder(ACCOUNT, marketBuy);
    expect(again.brokerOrderId).toBe(first.brokerOrderId);
    expect(fake.orders()).toHaveLength(1);
  });

  it("a lost reply is reconciled by client id without a second order", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.loseNextReply();
    const placed = await placeOrderOnce(client, ACCOUNT, marketBuy, { wait: async () => {} });
    expect(placed).toMatchObject({ status: "filled", clientOrderId: marketBuy.clientOrderId });
    expect(fake.orders()).toHaveLength(1);
  });

  it("429 then success", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.failNext(COINBASE_RATE_LIMIT_REPLY);
    const placed = await placeOrderOnce(client, ACCOUNT, marketBuy, { wait: async () => {} });
    expect(placed.status).toBe("filled");
    expect(fake.orders()).toHaveLength(1);
  });

  it("expired credentials are auth-expired", async () => {
    const { fake, client } = fakeClient();
    fake.expireAuth();
    const e = await brokerError(client.getBalance(ACCOUNT));
    expect([e.kind, e.code]).toEqual(["auth-expired", "auth-failed"]);
  });

  it("a token signed by another key is refused by the fake", async () => {
    const other = await createCoinbaseTestKey(KEY_NAME);
    const fake = new CoinbaseFake({ keyName: KEY_NAME, publicKey: other.publicKey, now: () => KIT_NOW });
    const e = await brokerError(testClient(connection, fake.fetch).getPositions(ACCOUNT));
    expect(e.kind).toBe("auth-expired");
  });

  it("testConnection: the portfolio, or why the key cannot trade", async () => {
    expect(await fakeClient().client.testConnection()).toEqual([
      { brokerAccountId: "7e5b1c1e-0000-4000-8000-00000000f01d", mode: "live", name: "Coinbase default portfolio", currency: "USD" },
    ]);
    const e = await brokerError(fakeClient({ canTrade: false }).client.testConnection());
    expect(e.code).toBe("permission-denied");
    expect(e.message).toMatch(/Trade permission/);
  });

  it("a paper connection has no Coinbase environment: one actionable sentence", async () => {
    // What the core builds for a connection left on "paper": the manifest has no paper URL, so the base is empty.
    const client = connectPlugin({
      plugin: coinbasePlugin,
      connectionId: "c-1",
      credentials: key.credentials,
      settings: {},
      environment: "paper",
      baseUrl: "",
      transport: async () => new Response("{}"),
      rateLimit: "off",
    });
    const e = await brokerError(client.testConnection());
    expect(e.code).toBe("wrong-environment");
    expect(e.message).toMatch(/live/);
  });

  it("intents Coinbase cannot take are refused before sending", async () => {
    const { fake, client } = fakeClient();
    const refusals = [
      { ...marketBuy, type: "stop" as const, stopPrice: "90" },
      { ...marketBuy, type: "trailing_stop" as const, trailPercent: "1" },
      limitBuy({ timeInForce: "day" }),
      limitBuy({ bracket: { takeProfit: { limitPrice: "110" } } }),
      limitBuy({ bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop_limit", stopPrice: "95", limitPrice: "94" } } }),
    ];
    for (const intent of refusals) expect((await brokerError(client.placeOrder(ACCOUNT, intent))).kind).toBe("unsupported");
    expect(fake.seen).toEqual([]);
  });

  it("the client order id scan pages through history", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "1");
    for (let i = 0; i < 260; i++) await client.placeOrder(ACCOUNT, { ...marketBuy, quantity: "1", clientOrderId: `tl${String(i).padStart(32, "0")}` });
    const fresh = testClient(connection, fake.fetch);
    expect(await fresh.getOrder(ACCOUNT, { clientOrderId: `tl${"0".repeat(32)}` })).toMatchObject({ status: "filled" });
  });
});

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: coinbasePlugin,
  credentials: key.credentials,
  environment: "live",
  baseUrl: BASE,
  accountId: ACCOUNT,
  requests: requestCases,
  responses: responseCases,
  // Scenarios run on the real clock, so the fake checks nbf/exp against real time too.
  fake: () => new CoinbaseFake({ keyName: KEY_NAME, publicKey: key.publicKey }),
  instrument: { ticker: "BTCUSD", assetClass: "crypto", price: "100", quantity: "1", unaffordableQuantity: "1000000000" },
  rateLimitReply: COINBASE_RATE_LIMIT_REPLY,
  skip: {},
  expectedSkips: {
    "LongFromZero/stop": "capabilities: no stop orders",
    "CloseFromLong/stop": "capabilities: no stop orders",
    "ShortFromZero/market": "capabilities: shorting unsupported",
    "ShortFromZero/limit": "capabilities: shorting unsupported",
    "ShortFromZero/stop": "capabilities: no stop orders",
    "CloseFromShort/market": "capabilities: shorting unsupported",
    "CloseFromShort/limit": "capabilities: shorting unsupported",
    "CloseFromShort/stop": "capabilities: no stop orders",
    "LongFromShort/market": "capabilities: shorting unsupported",
    "LongFromShort/limit": "capabilities: shorting unsupported",
    "LongFromShort/stop": "capabilities: no stop orders",
    "ShortFromLong/market": "capabilities: shorting unsupported",
    "ShortFromLong/limit": "capabilities: shorting unsupported",
    "ShortFromLong/stop": "capabilities: no stop orders",
    "stop-limit/expiry": "capabilities: no day time in force, so nothing expires at the session's close",
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oto/fill": "capabilities: brackets.oto unsupported",
    "oto/cancel": "capabilities: brackets.oto unsupported",
    "oto/expiry": "capabilities: brackets.oto unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "modify": "capabilities: modify unsupported",
    "time-in-force/session-close": "capabilities: day and gtc are not both declared",
    "bracket-short": "capabilities: shorting unsupported",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});
