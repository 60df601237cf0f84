/**
 * The Alpaca plugin against the conformance kit (layers 0-3), plus the
 * Alpaca-specific checks the kit does not make: retry timing from
 * X-Ratelimit-Reset, the 401 message naming the environment, transport
 * failures through the core's fetch, the credentials form and venue rules.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BrokerError, type OrderRequest } from "../sdk";
import { runConformanceSuite } from "../testkit";
import { scriptedClient, testClient, type TestConnection } from "../testkit/harness";
import { ACCOUNT_ID, CREDENTIALS, requestCases, responseCases } from "./cases";
import { AlpacaFake } from "./fake";
import { alpacaPlugin } from "./index";

const NOW = new Date("2026-01-02T03:04:05.000Z");

runConformanceSuite({
  plugin: alpacaPlugin,
  credentials: CREDENTIALS,
  environment: "paper",
  accountId: ACCOUNT_ID,
  now: NOW,
  requests: requestCases,
  responses: responseCases,
  fake: () => new AlpacaFake(),
  instrument: { ticker: "AAPL", assetClass: "stocks", price: "100", quantity: "1" },
  // Alpaca's documented 429: no Retry-After, an X-Ratelimit-Reset in UNIX seconds.
  rateLimitReply: {
    status: 429,
    body: { code: 42910000, message: "rate limit exceeded" },
    headers: { "x-ratelimit-limit": "200", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" },
  },
  expectedSkips: {
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "session-refresh-mid-session": "capabilities: the connection has no session (no OAuth, no login)",
    "session-refresh-fails": "capabilities: the connection has no session (no OAuth, no login)",
  },
});

const OAUTH_SKIP = {
  "static-requests": "run once above with the API-key scheme; the OAuth scheme changes only the Authorization header, checked by the scenarios",
  "static-responses": "run once above with the API-key scheme; the answers are the same whatever the scheme",
  "transport-errors": "run once above with the API-key scheme; the transport is the same whatever the scheme",
  "session-refresh-mid-session":
    "Alpaca's OAuth tokens never expire and come without a refresh token, so there is nothing to renew mid-session; a refused token means the user must connect again (session-refresh-fails)",
} as const;

// The second auth scheme: a connection made through Alpaca's OAuth (the fake plays the consent page and
// the token endpoint), trading with the session's bearer token instead of a key pair.
runConformanceSuite({
  plugin: alpacaPlugin,
  // Only the contract layer reads these (the credentials form); an OAuth connection sends none of them.
  credentials: CREDENTIALS,
  authMethod: "oauth",
  environment: "paper",
  accountId: ACCOUNT_ID,
  now: NOW,
  requests: [],
  responses: [],
  fake: () => new AlpacaFake(),
  instrument: { ticker: "AAPL", assetClass: "stocks", price: "100", quantity: "1" },
  rateLimitReply: {
    status: 429,
    body: { code: 42910000, message: "rate limit exceeded" },
    headers: { "x-ratelimit-limit": "200", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" },
  },
  skip: OAUTH_SKIP,
  expectedSkips: {
    ...OAUTH_SKIP,
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
  },
});

// The same kit on the other asset classes: their capabilities gate what cannot run (no shorting,
// no stop orders for crypto; day-only market/limit options), and every other scenario must pass.
for (const { instrument, skips } of [
  {
    instrument: { ticker: "BTCUSD", assetClass: "crypto", price: "50000", quantity: "0.01" },
    skips: {
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
        "time-in-force/session-close": "capabilities: day and gtc are not both declared",
        "modify": "capabilities: modify unsupported",
        "time-in-force/fok": "capabilities: no fok time in force",
        "bracket-entry": "capabilities: brackets.otoco unsupported",
        "bracket-short": "capabilities: brackets.otoco unsupported",
        "session-refresh-mid-session": "capabilities: the connection has no session (no OAuth, no login)",
        "session-refresh-fails": "capabilities: the connection has no session (no OAuth, no login)",
    },
  },
  {
    instrument: { ticker: "SPY 250624C596", assetClass: "options", price: "3.10", quantity: "2" },
    skips: {
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
        "stop-limit/fill": "capabilities: no stop_limit orders",
        "stop-limit/cancel": "capabilities: no stop_limit orders",
        "stop-limit/expiry": "capabilities: no stop_limit orders",
        "trailing-stop/fill": "capabilities: trailingStop unsupported",
        "trailing-stop/cancel": "capabilities: trailingStop unsupported",
        "trailing-stop/expiry": "capabilities: trailingStop unsupported",
        "oto/fill": "capabilities: brackets.oto unsupported",
        "oto/cancel": "capabilities: brackets.oto unsupported",
        "oto/expiry": "capabilities: brackets.oto unsupported",
        "oco/fill": "capabilities: brackets.oco unsupported",
        "oco/cancel": "capabilities: brackets.oco unsupported",
        "oco/expiry": "capabilities: brackets.oco unsupported",
        "time-in-force/session-close": "capabilities: day and gtc are not both declared",
        "modify": "capabilities: modify unsupported",
        "time-in-force/ioc": "capabilities: no ioc time in force",
        "time-in-force/fok": "capabilities: no fok time in force",
        "bracket-entry": "capabilities: brackets.otoco unsupported",
        "bracket-short": "capabilities: brackets.otoco unsupported",
        "session-refresh-mid-session": "capabilities: the connection has no session (no OAuth, no login)",
        "session-refresh-fails": "capabilities: the connection has no session (no OAuth, no login)",
    },
  },
] as const) {
  runConformanceSuite({
    plugin: alpacaPlugin,
    credentials: CREDENTIALS,
    accountId: ACCOUNT_ID,
    now: NOW,
    requests: [],
    responses: [],
    fake: () => new AlpacaFake(),
    instrument,
    skip: {
      "static-requests": `run once above, with the stocks instrument (this run trades ${instrument.assetClass})`,
      "static-responses": `run once above, with the stocks instrument (this run trades ${instrument.assetClass})`,
    },
    expectedSkips: {
      "static-requests": `run once above, with the stocks instrument (this run trades ${instrument.assetClass})`,
      "static-responses": `run once above, with the stocks instrument (this run trades ${instrument.assetClass})`,
      ...skips,
    },
  });
}

const connection = (environment: "paper" | "live" = "paper", settings: Record<string, unknown> = {}): TestConnection => ({
  plugin: alpacaPlugin,
  credentials: CREDENTIALS,
  environment,
  settings: { environment, ...settings },
  now: () => NOW,
});

const order: OrderRequest = { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "market", timeInForce: "day" };

describe("alpaca: errors beyond the fixtures", () => {
  it("live connections talk to api.alpaca.markets with the same headers", async () => {
    const { client, sent } = scriptedClient(connection("live"), []);
    await client.getBalance(ACCOUNT_ID).catch(() => undefined);
    expect(sent[0]?.url).toBe("https://api.alpaca.markets/v2/account");
  });

  it("a 429 waits until X-Ratelimit-Reset when there is no Retry-After", async () => {
    const reset = String(NOW.getTime() / 1000 + 7);
    const { client } = scriptedClient(connection(), [{ status: 429, body: { code: 42910000, message: "rate limit exceeded" }, headers: { "x-ratelimit-reset": reset } }]);
    const e = await client.getPositions(ACCOUNT_ID).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "retryable", code: "rate-limited", retryAfterMs: 7000 });
  });

  it("a 401 tells the trader which environment the key must belong to", async () => {
    for (const env of ["paper", "live"] as const) {
      const { client } = scriptedClient(connection(env), [{ status: 401, body: { code: 40110000, message: "request is not authorized" } }]);
      const e = (await client.testConnection().catch((x: unknown) => x)) as BrokerError;
      expect(e.kind).toBe("auth-expired");
      expect(e.message).toContain(`for the ${env} environment`);
      expect(e.message).toMatch(/separate/);
    }
  });

  it("a timeout or reset while placing is outcome-unknown; on a read it is retryable", async () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const place = scriptedClient(connection(), [timeout]).client.placeOrder(ACCOUNT_ID, order);
    await expect(place).rejects.toMatchObject({ kind: "outcome-unknown", code: "broker-timeout" });
    const reset = scriptedClient(connection(), [new TypeError("fetch failed")]).client.placeOrder(ACCOUNT_ID, order);
    await expect(reset).rejects.toMatchObject({ kind: "outcome-unknown", code: "broker-unreachable" });
    const read = scriptedClient(connection(), [timeout]).client.getPositions(ACCOUNT_ID);
    await expect(read).rejects.toMatchObject({ kind: "retryable", code: "broker-timeout" });
  });

  it("a 200 with an unreadable order body after placing is outcome-unknown, not a failure", async () => {
    const { client } = scriptedClient(connection(), [{ status: 200, body: { unexpected: true } }]);
    await expect(client.placeOrder(ACCOUNT_ID, order)).rejects.toMatchObject({ kind: "outcome-unknown", code: "bad-response" });
  });

  it("modifyOrder PATCHes the order (Alpaca books a replacement) and a lost answer is outcome-unknown", async () => {
    const { client, sent } = scriptedClient(connection(), [new DOMException("lost", "TimeoutError")]);
    const e = await client.modifyOrder?.(ACCOUNT_ID, { brokerOrderId: "61e69015-8549-4bfd-b9c3-01e75843f47d" }, { limitPrice: "101.50", quantity: "3" }).catch((x: unknown) => x);
    expect(sent[0]).toMatchObject({ method: "PATCH", url: "https://paper-api.alpaca.markets/v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d", body: { qty: "3", limit_price: "101.5" } });
    expect(e).toMatchObject({ kind: "outcome-unknown" });
  });
});

describe("alpaca: venue rules refuse before sending", () => {
  const refused = async (intent: Partial<OrderRequest>, messageCode: string) => {
    const { client, sent } = scriptedClient(connection(), []);
    const e = (await client.placeOrder(ACCOUNT_ID, { ...order, ...intent }).catch((x: unknown) => x)) as BrokerError;
    expect(e).toBeInstanceOf(BrokerError);
    expect({ kind: e.kind, code: e.code }).toEqual({ kind: "unsupported", code: messageCode });
    expect(e.message.length).toBeGreaterThan(20);
    expect(sent).toEqual([]);
  };

  it.each<[string, Partial<OrderRequest>, string]>([
    ["a trailing stop as a bracket's stop loss", { bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "trailing_stop", trailPercent: "2" } } }, "venue-trailing-stop-leg"],
    ["a bracket with time in force ioc", { timeInForce: "ioc", bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "90" } } }, "venue-bracket-time-in-force"],
    ["a buy bracket with the take profit below the stop", { bracket: { takeProfit: { limitPrice: "90" }, stopLoss: { type: "stop", stopPrice: "95" } } }, "bracket-prices"],
    ["extended hours on a market order", { extendedHours: true }, "venue-extended-hours-limit-day"],
    ["fractional shares on a limit order", { quantity: "0.5", type: "limit", limitPrice: "100" }, "venue-fractional-rules"],
    ["a stop order at the opening auction", { type: "stop", stopPrice: "100", timeInForce: "opg" }, "venue-auction-order-type"],
    ["a trailing stop with time in force ioc", { type: "trailing_stop", trailPercent: "1", timeInForce: "ioc" }, "venue-trailing-stop-time-in-force"],
    ["crypto with time in force day", { ticker: "BTCUSD", assetClass: "crypto", timeInForce: "day" }, "time-in-force-not-supported"],
    ["a crypto bracket", { ticker: "BTCUSD", assetClass: "crypto", timeInForce: "gtc", bracket: { stopLoss: { type: "stop", stopPrice: "90" } } }, "brackets-not-supported"],
    ["a fractional option", { ticker: "SPY 250624C596", assetClass: "options", quantity: "0.5", type: "limit", limitPrice: "3" }, "fractional-not-supported"],
    ["an option stop order", { ticker: "SPY 250624C596", assetClass: "options", type: "stop", stopPrice: "3" }, "order-type-not-supported"],
  ])("%s", async (_what, intent, code) => refused(intent, code));

  it("fractional market day orders and brackets within the rules go out", async () => {
    const { client, sent } = scriptedClient(connection(), []);
    await client.placeOrder(ACCOUNT_ID, { ...order, quantity: "0.25" }).catch(() => undefined);
    await client.placeOrder(ACCOUNT_ID, { ...order, timeInForce: "gtc", bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "90" } } }).catch(() => undefined);
    expect(sent.length).toBe(2);
  });
});

describe("alpaca: connection form and settings", () => {
  it("the credentials schema exports to JSON Schema with labels, help, a link and secret markers", () => {
    const schema = z.toJSONSchema(alpacaPlugin.manifest.auth.credentials, { io: "input" }) as unknown as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      "x-link": string;
    };
    expect(schema.required).toEqual(["keyId", "secretKey"]);
    // The key ID is an identifier Alpaca shows in clear: readable in the form, so the trader can check it.
    expect(schema.properties.keyId).toMatchObject({ title: "API key ID", "x-secret": false, "x-link": "https://app.alpaca.markets/" });
    expect(schema.properties.secretKey).toMatchObject({ title: "Secret key", "x-secret": true, writeOnly: true });
    expect(String(schema.properties.keyId?.description)).toMatch(/paper and live/i);
    expect(schema["x-link"]).toBe("https://app.alpaca.markets/");
  });

  it("settings: environment defaults to paper; unknown keys are stripped; a bad feed is refused in one sentence", () => {
    const settings = alpacaPlugin.manifest.settings;
    expect(settings.parse({ startingCash: 5 })).toEqual({ environment: "paper" });
    expect(() => testClient(connection("paper", { dataFeed: "opra" }), async () => new Response("{}"))).toThrow(/dataFeed is invalid/);
  });

  it("missing credentials are refused before any request, asking to enter them again", () => {
    expect(() => testClient({ ...connection(), credentials: { keyId: "", secretKey: "x" } }, async () => new Response("{}"))).toThrow(/enter them again/);
  });

  it("quotes go to data.alpaca.markets, or to the override host (proxy, local fake broker)", async () => {
    const official = scriptedClient(connection("paper", { dataFeed: "iex" }), []);
    await official.client.getQuote?.("AAPL", "stocks").catch(() => undefined);
    expect(official.sent[0]?.url).toBe("https://data.alpaca.markets/v2/stocks/quotes/latest?symbols=AAPL&feed=iex");
    const proxied = scriptedClient({ ...connection(), baseUrl: "http://127.0.0.1:8123" }, []);
    await proxied.client.getQuote?.("SPY250624C00596000", "options").catch(() => undefined);
    expect(proxied.sent[0]?.url).toBe("http://127.0.0.1:8123/v1beta1/options/quotes/latest?symbols=SPY250624C00596000");
  });

  it("the core's client order ids (tl + 32 hex) fit Alpaca's 48-character rule; longer ids are refused", () => {
    const rules = alpacaPlugin.capabilities.orders.stocks.clientOrderId;
    expect(rules.maxLength).toBe(48);
    expect(rules.pattern.test(`tl${"a".repeat(32)}`)).toBe(true);
    expect(rules.pattern.test("x".repeat(49))).toBe(false);
    expect(alpacaPlugin.canSubmit({ ...order, clientOrderId: "x".repeat(49) })).toMatchObject({ ok: false, reason: { messageCode: "invalid-client-order-id" } });
  });
});
