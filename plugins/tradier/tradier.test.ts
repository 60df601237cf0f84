/**
 * The Tradier plugin against the conformance kit (layers 0-3), plus the
 * Tradier-specific checks: transport failures on the order POST itself
 * (placing starts with a position read), venue rules, the connection form,
 * and the fake's quirks and OTOCO lifecycle through the real client.
 */
import { describe, expect, it } from "vitest";
import { BrokerError, type OrderRequest } from "../sdk";
import { runConformanceSuite } from "../testkit";
import { scriptedClient, testClient, type TestConnection } from "../testkit/harness";
import { ACCOUNT, CREDENTIALS, requestCases, responseCases } from "./cases";
import { TradierFake, TRADIER_FAKE_ACCOUNT, TRADIER_FAKE_CREDENTIALS } from "./fake";
import { tradierPlugin } from "./index";

const NOW = new Date("2026-01-02T03:04:05.000Z");
const POSITION_READ =
  "Tradier's side (buy_to_cover, sell_short...) depends on the position, so placeOrder first reads it; a transport failure on that read is rightly retryable (nothing was sent). The same failure on the order POST itself is outcome-unknown: tested below";

const STOCKS_ONLY = "run once above, with the stocks instrument (this run trades options)";

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: tradierPlugin,
  credentials: CREDENTIALS,
  environment: "paper",
  accountId: ACCOUNT,
  now: NOW,
  requests: requestCases,
  responses: responseCases,
  fake: () => new TradierFake(),
  instrument: { ticker: "AAPL", assetClass: "stocks", price: "100", quantity: "1" },
  // Tradier signals a spent quota with a 400 "Quota Violation" (and X-Ratelimit-* headers).
  rateLimitReply: { status: 400, body: "Quota Violation", headers: { "content-type": "text/plain", "x-ratelimit-available": "0", "x-ratelimit-expiry": "0" } },
  skip: {
    "transport-errors": POSITION_READ,
  },
  expectedSkips: {
    "transport-errors": POSITION_READ,
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "time-in-force/ioc": "capabilities: no ioc time in force",
    "time-in-force/fok": "capabilities: no fok time in force",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});

runConformanceSuite({
  plugin: tradierPlugin,
  credentials: CREDENTIALS,
  accountId: ACCOUNT,
  now: NOW,
  requests: [],
  responses: [],
  fake: () => new TradierFake(),
  instrument: { ticker: "SPY 180720C274", assetClass: "options", price: "3.10", quantity: "2" },
  rateLimitReply: { status: 400, body: "Quota Violation", headers: { "content-type": "text/plain" } },
  skip: {
    "static-requests": STOCKS_ONLY,
    "static-responses": STOCKS_ONLY,
    "transport-errors": POSITION_READ,
  },
  expectedSkips: {
    "transport-errors": POSITION_READ,
    "static-requests": STOCKS_ONLY,
    "static-responses": STOCKS_ONLY,
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "time-in-force/ioc": "capabilities: no ioc time in force",
    "time-in-force/fok": "capabilities: no fok time in force",
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});

const connection = (environment: "paper" | "live" = "paper"): TestConnection => ({
  plugin: tradierPlugin,
  credentials: CREDENTIALS,
  environment,
  settings: { environment },
  now: () => NOW,
});
const order: OrderRequest = { clientOrderId: "tl0123456789abcdef0123456789abcdef", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "market", timeInForce: "day" };
const flat = { status: 200, body: { positions: "null" } };

describe("tradier: placing, when the order request itself fails", () => {
  it("a reset or timeout on the POST is outcome-unknown; on the position read it is retryable", async () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    await expect(scriptedClient(connection(), [flat, timeout]).client.placeOrder(ACCOUNT, order)).rejects.toMatchObject({ kind: "outcome-unknown", code: "broker-timeout" });
    await expect(scriptedClient(connection(), [flat, new TypeError("reset")]).client.placeOrder(ACCOUNT, order)).rejects.toMatchObject({ kind: "outcome-unknown" });
    await expect(scriptedClient(connection(), [new TypeError("reset")]).client.placeOrder(ACCOUNT, order)).rejects.toMatchObject({ kind: "retryable" });
  });

  it("a 5xx on the POST is never 'nothing happened'; on the position read it is retryable", async () => {
    await expect(scriptedClient(connection(), [flat, { status: 503, body: {} }]).client.placeOrder(ACCOUNT, order)).rejects.toMatchObject({ kind: "outcome-unknown" });
    await expect(scriptedClient(connection(), [{ status: 503, body: {} }]).client.placeOrder(ACCOUNT, order)).rejects.toMatchObject({ kind: "retryable" });
  });

  it("a 401 names the environment whose token is expected", async () => {
    for (const env of ["paper", "live"] as const) {
      const { client } = scriptedClient(connection(env), [{ status: 401, body: "Invalid Access Token", headers: { "content-type": "text/plain" } }]);
      const e = (await client.testConnection().catch((x: unknown) => x)) as BrokerError;
      expect(e.kind).toBe("auth-expired");
      expect(e.message).toContain(env === "paper" ? "sandbox environment" : "live environment");
    }
  });

  it("a spent quota waits until X-Ratelimit-Expiry (epoch ms)", async () => {
    const { client } = scriptedClient(connection(), [{ status: 400, body: "Quota Violation", headers: { "x-ratelimit-expiry": String(NOW.getTime() + 12_000) } }]);
    await expect(client.getBalance(ACCOUNT)).rejects.toMatchObject({ kind: "retryable", code: "rate-limited", retryAfterMs: 12_000 });
  });

  it("modifyOrder cannot change the quantity (Tradier's PUT has no quantity)", async () => {
    const { client, sent } = scriptedClient(connection(), []);
    await expect(client.modifyOrder?.(ACCOUNT, { brokerOrderId: "1" }, { quantity: "3" })).rejects.toMatchObject({ kind: "unsupported" });
    expect(sent).toEqual([]);
  });
});

describe("tradier: venue rules refuse before sending", () => {
  it.each<[string, Partial<OrderRequest>, string]>([
    ["a bracket entered at market", { bracket: { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop", stopPrice: "90" } } }, "venue-bracket-entry-type"],
    ["extended hours on a market order", { extendedHours: true }, "venue-extended-hours-limit-day"],
    ["a buy bracket whose take profit is under its stop", { type: "limit", limitPrice: "100", bracket: { takeProfit: { limitPrice: "90" }, stopLoss: { type: "stop", stopPrice: "95" } } }, "bracket-prices"],
    ["a trailing stop", { type: "trailing_stop", trailPercent: "1" }, "trailing-stop-not-supported"],
    ["time in force ioc", { timeInForce: "ioc" }, "time-in-force-not-supported"],
    ["a fractional quantity", { quantity: "0.5" }, "fractional-not-supported"],
    ["a tag with characters Tradier refuses", { clientOrderId: "tl_0123" }, "invalid-client-order-id"],
  ])("%s", async (_what, intent, code) => {
    const { client, sent } = scriptedClient(connection(), []);
    const e = (await client.placeOrder(ACCOUNT, { ...order, ...intent }).catch((x: unknown) => x)) as BrokerError;
    expect({ kind: e.kind, code: e.code }).toEqual({ kind: "unsupported", code });
    expect(sent).toEqual([]);
  });
});

describe("tradier: connection form", () => {
  it("the token field has a label, help naming sandbox vs live, a link, and is secret", async () => {
    const { z } = await import("zod");
    const schema = z.toJSONSchema(tradierPlugin.manifest.auth.credentials, { io: "input" }) as unknown as { properties: { token: Record<string, unknown> } };
    expect(schema.properties.token).toMatchObject({ title: "Access token", "x-secret": true, "x-link": "https://dash.tradier.com/settings/api" });
    expect(String(schema.properties.token.description)).toMatch(/sandbox.*live/i);
  });

  it("settings.accountNumber picks one of several accounts; an unknown one is an actionable error", async () => {
    const profile = { status: 200, body: { profile: { account: [{ account_number: "VA1", status: "active", type: "margin" }, { account_number: "VA2", status: "active", type: "cash" }] } } };
    const pick = scriptedClient({ ...connection(), settings: { accountNumber: "VA2" } }, [profile]);
    expect((await pick.client.testConnection()).map((a) => a.brokerAccountId)).toEqual(["VA2"]);
    const wrong = scriptedClient({ ...connection(), settings: { accountNumber: "VA9" } }, [profile]);
    await expect(wrong.client.testConnection()).rejects.toMatchObject({ code: "invalid-settings", message: expect.stringMatching(/VA9/) });
  });
});

describe("fake tradier: quirks over raw HTTP", () => {
  const call = async (fake: TradierFake, method: string, path: string, body?: string, accept = "application/json") => {
    const res = await fake.fetch(
      new Request(`https://sandbox.tradier.com/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TRADIER_FAKE_CREDENTIALS.token}`, accept, ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        body: body ?? null,
      }),
    );
    const text = await res.text();
    return { status: res.status, text, json: (() => { try { return JSON.parse(text) as unknown; } catch { return undefined; } })(), headers: res.headers };
  };
  const acct = `/accounts/${TRADIER_FAKE_ACCOUNT}`;

  it("answers XML unless asked for JSON, and sends the rate-limit headers", async () => {
    const fake = new TradierFake();
    const xml = await call(fake, "GET", `${acct}/balances`, undefined, "*/*");
    expect(xml.text.startsWith("<?xml")).toBe(true);
    const json = await call(fake, "GET", `${acct}/balances`);
    expect(json.headers.get("x-ratelimit-allowed")).toBe("60");
    expect(json.headers.get("x-ratelimit-used")).toBe("2");
  });

  it("lists are \"null\", a bare object, then an array", async () => {
    const fake = new TradierFake();
    fake.setPrice("AAPL", "100");
    fake.setPrice("MSFT", "50");
    expect((await call(fake, "GET", `${acct}/positions`)).json).toEqual({ positions: "null" });
    await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=AAPL&side=buy&quantity=2&type=market&duration=day");
    expect((await call(fake, "GET", `${acct}/positions`)).json).toMatchObject({ positions: { position: { symbol: "AAPL", quantity: 2, cost_basis: 200 } } });
    await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=MSFT&side=buy&quantity=1&type=market&duration=day");
    expect((await call(fake, "GET", `${acct}/positions`)).json).toMatchObject({ positions: { position: [{ symbol: "AAPL" }, { symbol: "MSFT" }] } });
  });

  it("downstream refusals are HTTP 200 with errors; bad parameters are 400; a bad token is a text 401", async () => {
    const fake = new TradierFake();
    fake.setPrice("AAPL", "100");
    expect(await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=AAPL&side=buy&quantity=5000&type=market&duration=day")).toMatchObject({
      status: 200,
      json: { errors: { error: "You do not have enough buying power for this trade." } },
    });
    expect(await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=AAPL&side=sell&quantity=1&type=market&duration=day")).toMatchObject({
      status: 200,
      json: { errors: { error: "Backoffice rejected override of the order. Unexpected SellOrder" } },
    });
    expect(await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=AAPL&side=buy&quantity=1&type=market&duration=week")).toMatchObject({
      status: 400,
      json: { errors: { error: "Invalid Parameter: duration" } },
    });
    const res = await fake.fetch(new Request(`https://sandbox.tradier.com/v1/user/profile`, { headers: { authorization: "Bearer nope" } }));
    expect([res.status, await res.text()]).toEqual([401, "Invalid Access Token"]);
  });

  it("tags appear only with includeTags=true", async () => {
    const fake = new TradierFake();
    fake.setPrice("AAPL", "100");
    await call(fake, "POST", `${acct}/orders`, "class=equity&symbol=AAPL&side=buy&quantity=1&type=limit&price=90&duration=gtc&tag=my-tag-1");
    expect((await call(fake, "GET", `${acct}/orders`)).json).not.toMatchObject({ orders: { order: { tag: "my-tag-1" } } });
    expect((await call(fake, "GET", `${acct}/orders?includeTags=true`)).json).toMatchObject({ orders: { order: { tag: "my-tag-1", status: "open", price: 90 } } });
  });
});

describe("fake tradier through the real client", () => {
  const client = (fake: TradierFake) =>
    testClient({ plugin: tradierPlugin, credentials: TRADIER_FAKE_CREDENTIALS, settings: {}, now: () => new Date() }, (r) => fake.fetch(r));

  it("an OTOCO: legs pend until the entry fills, then one exit filling cancels the other", async () => {
    const fake = new TradierFake();
    fake.setPrice("SPY", "300");
    const c = client(fake);
    const [account] = await c.testConnection();
    const id = account!.brokerAccountId;
    const entry = await c.placeOrder(id, {
      clientOrderId: "tlotoco",
      ticker: "SPY",
      assetClass: "stocks",
      side: "buy",
      quantity: "3",
      type: "limit",
      limitPrice: "299",
      timeInForce: "gtc",
      bracket: { takeProfit: { limitPrice: "310" }, stopLoss: { type: "stop", stopPrice: "290" } },
    });
    expect(entry).toMatchObject({ status: "pending", role: "entry", clientOrderId: "tlotoco" });
    let open = await c.getOpenOrders(id);
    expect(open.map((o) => [o.role, o.status])).toEqual([
      ["entry", "open"],
      ["take_profit", "pending"],
      ["stop_loss", "pending"],
    ]);
    fake.setPrice("SPY", "298");
    expect(await c.getOrder(id, { brokerOrderId: entry.brokerOrderId })).toMatchObject({ status: "filled", filledQuantity: "3", avgFillPrice: "298" });
    open = await c.getOpenOrders(id);
    expect(open.map((o) => [o.role, o.type, o.side, o.parentBrokerOrderId, o.status])).toEqual([
      ["take_profit", "limit", "sell", entry.brokerOrderId, "open"],
      ["stop_loss", "stop", "sell", entry.brokerOrderId, "open"],
    ]);
    fake.setPrice("SPY", "311");
    expect(await c.getOpenOrders(id)).toEqual([]);
    expect(await c.getPositions(id)).toEqual([]);
    expect((await c.getOrder(id, { clientOrderId: "tlotoco" }))?.brokerOrderId).toBe(entry.brokerOrderId);
  });

  it("a bracket whose entry would close a position is refused before the POST: its exits would open a new one", async () => {
    const fake = new TradierFake();
    fake.setPrice("AAPL", "100");
    const c = client(fake);
    const [account] = await c.testConnection();
    const id = account!.brokerAccountId;
    await c.placeOrder(id, { clientOrderId: "tlb1", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "2", type: "market", timeInForce: "day" });
    const before = fake.orders().length;
    const closing = c.placeOrder(id, {
      clientOrderId: "tlb2",
      ticker: "AAPL",
      assetClass: "stocks",
      side: "sell",
      quantity: "2",
      type: "limit",
      limitPrice: "99",
      timeInForce: "day",
      bracket: { takeProfit: { limitPrice: "90" }, stopLoss: { type: "stop", stopPrice: "105" } },
    });
    await expect(closing).rejects.toMatchObject({ kind: "rejected", code: "invalid-order", message: expect.stringMatching(/closes a position/) });
    expect(fake.orders()).toHaveLength(before);
  });

  it("shorting, covering and an option round trip pick Tradier's sides from the position", async () => {
    const fake = new TradierFake();
    fake.setPrice("AAPL", "100");
    fake.setPrice("SPY180720C00274000", "3.10");
    const c = client(fake);
    const [account] = await c.testConnection();
    const id = account!.brokerAccountId;
    const base = { assetClass: "stocks", ticker: "AAPL", quantity: "4", type: "market", timeInForce: "day" } as const;
    await c.placeOrder(id, { ...base, clientOrderId: "tls1", side: "sell" });
    expect((await c.getPositions(id)).map((p) => [p.ticker, p.quantity, p.avgPrice])).toEqual([["AAPL", "-4", "100"]]);
    await expect(c.placeOrder(id, { ...base, clientOrderId: "tls2", side: "buy", quantity: "5" })).rejects.toMatchObject({ code: "position-side-mismatch" });
    await c.placeOrder(id, { ...base, clientOrderId: "tls3", side: "buy" });
    await c.placeOrder(id, { ...base, ticker: "SPY 180720C274", assetClass: "options", quantity: "2", clientOrderId: "tlo1", side: "buy" });
    expect((await c.getPositions(id)).map((p) => [p.ticker, p.quantity, p.avgPrice])).toEqual([["SPY 180720C274", "2", "3.1"]]);
    // 2 contracts × 3.10 × 100 = 620.
    expect((await c.getBalance(id)).cash).toBe("99380");
    expect(await c.getQuote?.("SPY 180720C274", "options")).toMatchObject({ bid: "3.1", ask: "3.1", last: "3.1" });
  });
});
