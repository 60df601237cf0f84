/**
 * Robinhood plugin tests, inside workerd:
 * - the documented Ed25519 signing vector, and the key derivation it implies;
 * - symbols and client-order-id mapping;
 * - conformance layers 1 and 2 from cases.ts (exact signatures included);
 * - scenarios against the stateful fake through the real client;
 * - the conformance kit's suite.
 */
import { describe, expect, it } from "vitest";
import { BrokerError, fromBase64, placeOrderOnce, toBase64, type BrokerClient, type OrderRequest } from "../sdk";
import { connectPlugin } from "../sdk/host";
import { runConformanceSuite, type SigningVector } from "../testkit";
import { KIT_NOW, testClient, type TestConnection } from "../testkit/harness";
import { runRequestCase, runResponseCase } from "../testkit/static-layers";
import { ACCOUNT, BASE, DOC_CREDENTIALS, DOC_PUBLIC_KEY, marketBuy, requestCases, responseCases } from "./cases";
import { createRobinhoodTestKey, ROBINHOOD_RATE_LIMIT_REPLY, RobinhoodFake } from "./fake";
import { robinhoodPlugin } from "./index";
import { fromVenueClientId, toVenueClientId } from "./mapping";
import { messageToSign, seedFromBase64, signRequest } from "./signing";
import { robinhoodSymbol } from "./symbols";

/**
 * The signature example in Robinhood's API reference. Its body is exactly the
 * text Python's `str(dict)` prints (single quotes, ": " and ", "), because the
 * reference's script signs f"{body}" of a dict; the signature covers those bytes.
 */
const DOCUMENTED_VECTOR = {
  timestamp: "1698708981",
  path: "/api/v1/crypto/trading/orders/",
  method: "POST",
  body: "{'client_order_id': '131de903-5a9c-4260-abc1-28d562a5dcf0', 'side': 'buy', 'symbol': 'BTC-USD', 'type': 'market', 'market_order_config': {'asset_quantity': '0.1'}}",
  signature: "q/nEtxp/P2Or3hph3KejBqnw5o9qeuQ+hYRnB56FaHbjDsNUY9KhB1asMxohDnzdVFSD7StaTqjSd9U9HvaRAw==",
};

const signingVectors: SigningVector[] = [
  {
    name: "Robinhood API reference: x-signature example (POST orders/)",
    compute: () => signRequest(seedFromBase64(DOC_CREDENTIALS.privateKey), { apiKey: DOC_CREDENTIALS.apiKey, ...DOCUMENTED_VECTOR }),
    expected: DOCUMENTED_VECTOR.signature,
  },
];

const docConnection: TestConnection = { plugin: robinhoodPlugin, credentials: DOC_CREDENTIALS, environment: "live", now: () => KIT_NOW };
const key = await createRobinhoodTestKey();

function fakeClient(options: { status?: string; pageSize?: number } = {}): { fake: RobinhoodFake; client: BrokerClient } {
  const fake = new RobinhoodFake({ apiKey: key.credentials.apiKey, publicKey: key.publicKey, now: () => KIT_NOW, ...options });
  const client = testClient({ plugin: robinhoodPlugin, credentials: key.credentials, environment: "live", now: () => KIT_NOW }, fake.fetch);
  return { fake, client };
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

describe("robinhood: signing", () => {
  it("reproduces the documented x-signature byte for byte", async () => {
    const vector = signingVectors[0];
    expect(await vector?.compute()).toBe(vector?.expected);
  });

  it("signs api key + timestamp + path + METHOD + body, no separators, body left out when empty", () => {
    expect(messageToSign({ apiKey: "K", timestamp: "1", path: "/p/?a=b", method: "get", body: "" })).toBe("K1/p/?a=bGET");
    expect(messageToSign({ apiKey: "K", timestamp: "1", path: "/p/", method: "POST", body: "{}" })).toBe("K1/p/POST{}");
  });

  it("the documented seed yields the documented public key (PKCS#8 wrapping is right)", async () => {
    const seed = seedFromBase64(DOC_CREDENTIALS.privateKey);
    const pkcs8 = new Uint8Array([...fromBase64("MC4CAQAwBQYDK2VwBCIEIA=="), ...seed]);
    const priv = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
    const jwk = (await crypto.subtle.exportKey("jwk", priv)) as JsonWebKey;
    expect(toBase64(fromBase64(jwk.x ?? ""))).toBe(DOC_PUBLIC_KEY);
  });

  it("accepts tweetnacl's 64-byte secret key (seed + public key), as Robinhood's Node script prints it", async () => {
    const seed = seedFromBase64(DOC_CREDENTIALS.privateKey);
    const sixtyFour = toBase64(new Uint8Array([...seed, ...fromBase64(DOC_PUBLIC_KEY)]));
    const sig = await signRequest(seedFromBase64(sixtyFour), { apiKey: DOC_CREDENTIALS.apiKey, ...DOCUMENTED_VECTOR });
    expect(sig).toBe(DOCUMENTED_VECTOR.signature);
  });

  it("a private key that is not a base64 Ed25519 key fails with what to do", () => {
    expect(() => seedFromBase64("not base64!")).toThrow(BrokerError);
    expect(() => seedFromBase64(toBase64(new Uint8Array(16)))).toThrow(/32 bytes/);
  });
});

describe("robinhood: symbols and client order ids", () => {
  it.each([
    ["BTCUSD", "BTC-USD"],
    ["ROBINHOOD:ETHUSD", "ETH-USD"],
    ["doge/usd", "DOGE-USD"],
    ["SHIB-USD", "SHIB-USD"],
  ])("%s → %s", (ticker, symbol) => {
    expect(robinhoodSymbol(ticker, "crypto")).toBe(symbol);
  });

  it("refuses non-USD pairs and other asset classes", () => {
    for (const t of ["BTCUSDT", "ETH-BTC", "USD"]) expect(() => robinhoodSymbol(t, "crypto")).toThrow(BrokerError);
    expect(() => robinhoodSymbol("AAPL", "stocks")).toThrow(/crypto only/);
  });

  it("tl + 32 hex ↔ UUID, losslessly", () => {
    const id = "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    expect(toVenueClientId(id)).toBe("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
    expect(fromVenueClientId(toVenueClientId(id))).toBe(id);
    expect(() => toVenueClientId("order-1")).toThrow(BrokerError);
  });
});

describe("robinhood: static requests (layer 1)", () => {
  it.each(requestCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await runRequestCase(docConnection, ACCOUNT, c);
  });
});

describe("robinhood: recorded responses (layer 2)", () => {
  it.each(responseCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await runResponseCase(docConnection, ACCOUNT, c);
  });
});

describe("robinhood: scenarios against the fake", () => {
  const limitBuy = (over: Partial<OrderRequest> = {}): OrderRequest => ({ ...marketBuy, type: "limit", limitPrice: "100", quantity: "2", ...over });

  it("market buy, then sell: position and buying power follow", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    expect(await client.placeOrder(ACCOUNT, { ...marketBuy, quantity: "3" })).toMatchObject({ status: "filled", avgFillPrice: "100", clientOrderId: marketBuy.clientOrderId });
    expect(await client.getPositions(ACCOUNT)).toMatchObject([{ ticker: "BTCUSD", quantity: "3" }]);
    fake.setPrice("BTC-USD", "110");
    await client.placeOrder(ACCOUNT, { ...marketBuy, side: "sell", quantity: "1", clientOrderId: `tl${"1".repeat(32)}` });
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "99810", equity: "100030" });
  });

  it("limit rests, then fills; found by client id; an unknown client id is null", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "105");
    const o = await client.placeOrder(ACCOUNT, limitBuy());
    expect(o.status).toBe("open");
    expect((await client.getOpenOrders(ACCOUNT)).map((x) => x.brokerOrderId)).toEqual([o.brokerOrderId]);
    fake.setPrice("BTC-USD", "99");
    expect(await client.getOrder(ACCOUNT, { clientOrderId: marketBuy.clientOrderId })).toMatchObject({ status: "filled", avgFillPrice: "100" });
    expect(await client.getOrder(ACCOUNT, { clientOrderId: `tl${"f".repeat(32)}` })).toBeNull();
  });

  it("stop (stop_loss) and stop-limit trigger on the last price", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    await client.placeOrder(ACCOUNT, { ...marketBuy, quantity: "2" });
    const stop = await client.placeOrder(ACCOUNT, { ...marketBuy, clientOrderId: `tl${"2".repeat(32)}`, side: "sell", type: "stop", stopPrice: "95", quantity: "1" });
    const stopLimit = await client.placeOrder(ACCOUNT, limitBuy({ clientOrderId: `tl${"3".repeat(32)}`, type: "stop_limit", stopPrice: "104", limitPrice: "106", quantity: "1" }));
    fake.setPrice("BTC-USD", "94");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stop.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "94" });
    fake.setPrice("BTC-USD", "105");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: stopLimit.brokerOrderId })).toMatchObject({ status: "filled" });
  });

  it("cancel, and a second cancel is not-cancelable; unknown ids are not-found", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "105");
    const o = await client.placeOrder(ACCOUNT, limitBuy());
    await client.cancelOrder(ACCOUNT, { clientOrderId: marketBuy.clientOrderId });
    expect((await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))?.status).toBe("cancelled");
    expect((await brokerError(client.cancelOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId }))).code).toBe("order-not-cancelable");
    expect((await brokerError(client.cancelOrder(ACCOUNT, { brokerOrderId: "497f6eca-6276-4993-bfeb-0000000000ff" }))).code).toBe("order-not-found");
  });

  it("partial fill, then cancel keeps what filled", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.partialFillNext("0.5");
    const o = await client.placeOrder(ACCOUNT, limitBuy());
    expect(o).toMatchObject({ status: "partially_filled", filledQuantity: "0.5" });
    expect(await client.getOpenOrders(ACCOUNT)).toHaveLength(1);
    await client.cancelOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: o.brokerOrderId })).toMatchObject({ status: "cancelled", filledQuantity: "0.5" });
  });

  it("a reused client order id is refused and reconciled to the first order", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    const first = await client.placeOrder(ACCOUNT, marketBuy);
    const e = await brokerError(client.placeOrder(ACCOUNT, marketBuy));
    expect(e.code).toBe("duplicate-client-order-id");
    expect(await placeOrderOnce(client, ACCOUNT, marketBuy, { wait: async () => {} })).toMatchObject({ brokerOrderId: first.brokerOrderId });
    expect(fake.orders()).toHaveLength(1);
  });

  it("a lost reply is reconciled without a second order", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.loseNextReply();
    expect(await placeOrderOnce(client, ACCOUNT, marketBuy, { wait: async () => {} })).toMatchObject({ status: "filled" });
    expect(fake.orders()).toHaveLength(1);
  });

  it("429 then success; insufficient funds; auth expiry", async () => {
    const { fake, client } = fakeClient();
    fake.setPrice("BTC-USD", "100");
    fake.failNext(ROBINHOOD_RATE_LIMIT_REPLY);
    expect((await placeOrderOnce(client, ACCOUNT, marketBuy, { wait: async () => {} })).status).toBe("filled");
    const funds = await brokerError(client.placeOrder(ACCOUNT, { ...marketBuy, clientOrderId: `tl${"9".repeat(32)}`, quantity: "5000" }));
    expect([funds.kind, funds.code]).toEqual(["rejected", "insufficient-funds"]);
    fake.expireAuth();
    expect((await brokerError(client.getBalance(ACCOUNT))).kind).toBe("auth-expired");
  });

  it("the fake refuses a wrong signature and a stale timestamp", async () => {
    const fake = new RobinhoodFake({ apiKey: key.credentials.apiKey, publicKey: DOC_PUBLIC_KEY, now: () => KIT_NOW });
    const wrongKey = testClient({ plugin: robinhoodPlugin, credentials: key.credentials, environment: "live", now: () => KIT_NOW }, fake.fetch);
    expect((await brokerError(wrongKey.getPositions(ACCOUNT))).code).toBe("auth-failed");
    const right = new RobinhoodFake({ apiKey: key.credentials.apiKey, publicKey: key.publicKey, now: () => new Date(KIT_NOW.getTime() + 31_000) });
    const stale = testClient({ plugin: robinhoodPlugin, credentials: key.credentials, environment: "live", now: () => KIT_NOW }, right.fetch);
    expect((await brokerError(stale.getPositions(ACCOUNT))).code).toBe("auth-failed");
  });

  it("pagination: holdings and the client-id scan follow `next`", async () => {
    const { fake, client } = fakeClient({ pageSize: 2 });
    for (const [i, sym] of ["BTC-USD", "ETH-USD", "SOL-USD"].entries()) {
      fake.setPrice(sym, "10");
      await client.placeOrder(ACCOUNT, { ...marketBuy, ticker: sym.replace("-", ""), quantity: "1", clientOrderId: `tl${String(i).repeat(32)}` });
    }
    expect((await client.getPositions(ACCOUNT)).map((p) => p.ticker).sort()).toEqual(["BTCUSD", "ETHUSD", "SOLUSD"]);
    const fresh = testClient({ plugin: robinhoodPlugin, credentials: key.credentials, environment: "live", now: () => KIT_NOW }, fake.fetch);
    expect(await fresh.getOrder(ACCOUNT, { clientOrderId: `tl${"0".repeat(32)}` })).toMatchObject({ ticker: "BTCUSD", status: "filled" });
  });

  it("testConnection: the account, or why it cannot trade; a paper connection is told to use live", async () => {
    expect(await fakeClient().client.testConnection()).toEqual([{ brokerAccountId: "FAKE0RH0CRYPTO01", mode: "live", name: "Robinhood Crypto ••TO01", currency: "USD" }]);
    expect((await brokerError(fakeClient({ status: "deactivated" }).client.testConnection())).code).toBe("no-usable-account");
    const paper = connectPlugin({
      plugin: robinhoodPlugin,
      connectionId: "c-1",
      credentials: key.credentials,
      settings: {},
      environment: "paper",
      baseUrl: "",
      transport: async () => new Response("{}"),
      rateLimit: "off",
    });
    const e = await brokerError(paper.testConnection());
    expect([e.code, e.message]).toEqual(["wrong-environment", expect.stringMatching(/live/)]);
  });

  it("brackets and trailing stops are refused before sending", async () => {
    const { fake, client } = fakeClient();
    const refusals: OrderRequest[] = [
      limitBuy({ bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "95" } } }),
      limitBuy({ bracket: { stopLoss: { type: "stop", stopPrice: "95" } } }),
      { ...marketBuy, type: "trailing_stop", trailPercent: "1" },
      limitBuy({ timeInForce: "ioc" }),
    ];
    for (const intent of refusals) expect((await brokerError(client.placeOrder(ACCOUNT, intent))).kind).toBe("unsupported");
    expect(fake.seen).toEqual([]);
  });
});

// The whole kit runs with Robinhood's documented example credential: static signatures are exact,
// and the fake verifies every scenario request against the documented public key.
/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: robinhoodPlugin,
  credentials: DOC_CREDENTIALS,
  environment: "live",
  baseUrl: BASE,
  accountId: ACCOUNT,
  requests: requestCases,
  responses: responseCases,
  signingVectors,
  // Scenarios run on the real clock; the fake checks x-timestamp against it.
  fake: () => new RobinhoodFake({ apiKey: DOC_CREDENTIALS.apiKey, publicKey: DOC_PUBLIC_KEY }),
  instrument: { ticker: "BTCUSD", assetClass: "crypto", price: "100", quantity: "1" },
  rateLimitReply: ROBINHOOD_RATE_LIMIT_REPLY,
  venueClientOrderId: toVenueClientId,
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
    "time-in-force/ioc": "capabilities: no ioc time in force",
    "time-in-force/fok": "capabilities: no fok time in force",
    "bracket-entry": "capabilities: brackets.otoco unsupported",
    "bracket-short": "capabilities: brackets.otoco unsupported",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});

describe("fake robinhood: its own verifier agrees with Robinhood's documented x-signature example", () => {
  // The reference's example request, signed with the documented key; the body is the exact bytes that were signed.
  const send = (signature: string) =>
    new RobinhoodFake({ apiKey: DOC_CREDENTIALS.apiKey, publicKey: DOC_PUBLIC_KEY, now: () => new Date(Number(DOCUMENTED_VECTOR.timestamp) * 1000) }).fetch(
      new Request(`https://trading.robinhood.com${DOCUMENTED_VECTOR.path}`, {
        method: DOCUMENTED_VECTOR.method,
        headers: { "x-api-key": DOC_CREDENTIALS.apiKey, "x-timestamp": DOCUMENTED_VECTOR.timestamp, "x-signature": signature, "content-type": "application/json" },
        body: DOCUMENTED_VECTOR.body,
      }),
    );

  it("accepts the published signature (the Python-dict body then fails as JSON, not as a signature)", async () => {
    expect((await send(DOCUMENTED_VECTOR.signature)).status).not.toBe(401);
  });

  it("refuses the same request with a changed signature (401)", async () => {
    const bytes = fromBase64(DOCUMENTED_VECTOR.signature);
    bytes[0] = bytes[0]! ^ 1;
    expect((await send(toBase64(bytes))).status).toBe(401);
  });
});
