/**
 * OANDA plugin tests, all inside workerd:
 * - static requests: an intent goes in, the exact HTTP request comes out;
 * - static responses: recorded-shape fixtures go in, normalized models (or
 *   BrokerErrors with the right kind) come out;
 * - scenarios against the stateful fake, through the real client and the
 *   core's plugin host (context, fetch service, pre-send guard);
 * - the conformance kit's layers 0-3 (static cases in cases.ts).
 */
import { describe, expect, it } from "vitest";
import { BrokerError, type BrokerClient, type OrderRequest } from "../sdk";
import { connectPlugin } from "../sdk/host";
import { runConformanceSuite, type RecordedFixture } from "../testkit";
import accounts from "./fixtures/accounts.json";
import summary from "./fixtures/account-summary.json";
import duplicate from "./fixtures/error-duplicate-client-order-id.json";
import rateLimited from "./fixtures/error-rate-limited.json";
import unauthorized from "./fixtures/error-unauthorized.json";
import unitsPrecision from "./fixtures/error-units-precision.json";
import pricing from "./fixtures/pricing.json";
import { oandaRequestCases, oandaResponseCases, STATIC_ACCOUNT, STATIC_TOKEN } from "./cases";
import { FAKE_ACCOUNT_ID, FAKE_LIVE_TOKEN, FAKE_PRACTICE_TOKEN, OandaFake } from "./fake";
import { oandaPlugin } from "./index";
import { OANDA_LIVE_URL, OANDA_PRACTICE_URL } from "./manifest";
import { oandaInstrument, tickerFromInstrument } from "./symbols";

const ACCOUNT = "101-001-1234567-001";
const BASE = `${OANDA_PRACTICE_URL}/accounts/${ACCOUNT}`;
const TOKEN = "12345678900987654321-abc34135acde13f13530";
const NOW = new Date("2026-01-02T03:04:05.000Z");
const CID = "tlfedcba9876543210fedcba9876543210";

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = RecordedFixture | { status: number; body?: unknown; headers?: Record<string, string> } | Error;

function toResponse(reply: Exclude<Reply, Error>): Response {
  const r = "response" in reply ? reply.response : reply;
  return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
    status: r.status,
    headers: { "content-type": "application/json", ...(r.headers as Record<string, string> | undefined) },
  });
}

/** A client whose transport records each request and answers from a script. */
function scripted(replies: Reply[], options: { environment?: "paper" | "live"; baseUrl?: string } = {}) {
  const sent: Captured[] = [];
  const environment = options.environment ?? "paper";
  const client = connectPlugin({
    plugin: oandaPlugin,
    connectionId: "conn-static",
    credentials: { token: TOKEN },
    settings: { environment },
    environment,
    baseUrl: options.baseUrl ?? (environment === "live" ? OANDA_LIVE_URL : OANDA_PRACTICE_URL),
    now: () => NOW,
    rateLimit: "off",
    logSink: () => undefined,
    transport: async (request) => {
      const text = await request.text();
      sent.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers.entries()), body: text === "" ? undefined : JSON.parse(text) });
      const reply = replies.shift();
      if (reply === undefined) throw new Error("script ran out of replies");
      if (reply instanceof Error) throw reply;
      return toResponse(reply);
    },
  });
  return { client, sent };
}

const order = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: CID,
  ticker: "EURUSD",
  assetClass: "forex",
  side: "buy",
  quantity: "1000",
  type: "market",
  timeInForce: "day",
  ...over,
});

async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof BrokerError)) throw new Error(`expected a BrokerError, got ${String(e)}`);
  return e;
}

describe("symbols", () => {
  it.each([
    ["EURUSD", "EUR_USD"],
    ["EUR/USD", "EUR_USD"],
    ["eur_usd", "EUR_USD"],
    ["OANDA:EURUSD", "EUR_USD"],
    ["USDJPY", "USD_JPY"],
    ["XAUUSD", "XAU_USD"],
    ["SPX500USD", "SPX500_USD"],
    ["DE30EUR", "DE30_EUR"],
  ])("%s → %s and back", (ticker, instrument) => {
    expect(oandaInstrument(ticker)).toBe(instrument);
    expect(oandaPlugin.symbol(ticker, "forex")).toBe(instrument);
    expect(tickerFromInstrument(instrument)).toBe(instrument.replace("_", ""));
  });

  it("refuses what cannot be an instrument", () => {
    expect(() => oandaInstrument("EU")).toThrow(BrokerError);
    expect(() => oandaInstrument("EURUSD1")).toThrow(/not an OANDA instrument/);
  });
});

describe("beyond the kit's static cases", () => {
  it("live connections talk to fxTrade; a base URL override is used as given", async () => {
    const live = scripted([accounts, summary], { environment: "live" });
    await live.client.testConnection();
    expect(live.sent[0]?.url).toBe(`${OANDA_LIVE_URL}/accounts`);
    const proxied = scripted([accounts, summary], { baseUrl: "https://oanda-proxy.example.com/v3/" });
    await proxied.client.testConnection();
    expect(proxied.sent.map((s) => s.url)).toEqual(["https://oanda-proxy.example.com/v3/accounts", `https://oanda-proxy.example.com/v3/accounts/${ACCOUNT}/summary`]);
  });

  it("shapes OANDA has no equivalent for are refused before anything is sent", async () => {
    const { client, sent } = scripted([]);
    for (const bad of [
      order({ type: "stop_limit", stopPrice: "1.1", limitPrice: "1.1" }),
      order({ type: "trailing_stop", trailAmount: "0.01" }),
      order({ timeInForce: "opg" }),
      order({ bracket: { stopLoss: { type: "stop_limit", stopPrice: "1", limitPrice: "1" } } }),
      order({ bracket: { stopLoss: { type: "trailing_stop", trailPercent: "1" } } }),
    ]) {
      expect((await brokerError(client.placeOrder(ACCOUNT, bad))).kind).toBe("unsupported");
    }
    expect(sent).toEqual([]);
  });

  it("the pricing account is looked up once per client", async () => {
    const { client, sent } = scripted([accounts, pricing, pricing]);
    await client.getQuote!("EURUSD", "forex");
    await client.getQuote!("EUR/USD", "forex");
    expect(sent.map((s) => s.url.split("/v3")[1])).toEqual(["/accounts", `/accounts/${ACCOUNT}/pricing?instruments=EUR_USD`, `/accounts/${ACCOUNT}/pricing?instruments=EUR_USD`]);
  });

  it("placeOrder error table: duplicate id, fractional units, bad token, 429, 5xx", async () => {
    const table: [Reply, string, string][] = [
      [duplicate, "duplicate-client-order-id", "rejected"],
      [unitsPrecision, "invalid-quantity", "rejected"],
      [unauthorized, "invalid-credentials", "auth-expired"],
      [rateLimited, "rate-limited", "retryable"],
      [{ status: 503, body: { errorMessage: "Service unavailable" } }, "broker-unavailable", "outcome-unknown"],
    ];
    for (const [reply, code, kind] of table) {
      const e = await brokerError(scripted([reply]).client.placeOrder(ACCOUNT, order()));
      expect({ code: e.code, kind: e.kind }).toEqual({ code, kind });
    }
    expect((await brokerError(scripted([rateLimited]).client.getBalance(ACCOUNT))).retryAfterMs).toBe(1000);
  });
});

describe("testConnection: telling the trader what is wrong", () => {
  it("a token for the other environment is wrong-environment (one probe of the other host)", async () => {
    const { client, sent } = scripted([unauthorized, accounts]);
    const e = await brokerError(client.testConnection());
    expect({ code: e.code, kind: e.kind }).toEqual({ code: "wrong-environment", kind: "auth-expired" });
    expect(e.message).toMatch(/live environment, but the connection is set to practice/);
    expect(sent.map((s) => s.url)).toEqual([`${OANDA_PRACTICE_URL}/accounts`, `${OANDA_LIVE_URL}/accounts`]);
  });

  it("a token neither environment knows is invalid-credentials", async () => {
    const e = await brokerError(scripted([unauthorized, unauthorized]).client.testConnection());
    expect({ code: e.code, kind: e.kind }).toEqual({ code: "invalid-credentials", kind: "auth-expired" });
  });

  it("behind a base URL override there is no probe", async () => {
    const { client, sent } = scripted([unauthorized], { baseUrl: "https://proxy.example.com/v3" });
    expect((await brokerError(client.testConnection())).code).toBe("invalid-credentials");
    expect(sent).toHaveLength(1);
  });

  it("only MT4-linked accounts: no usable account", async () => {
    const mt4Only = { status: 200, body: { accounts: [{ id: "101-001-1-002", mt4AccountID: 1, tags: ["MT4"] }] } };
    expect((await brokerError(scripted([mt4Only]).client.testConnection())).code).toBe("no-usable-account");
  });
});

/** A client connected to the fake through the core's plugin host. */
function againstFake(fake: OandaFake, token = FAKE_PRACTICE_TOKEN, environment: "paper" | "live" = "paper"): BrokerClient {
  return connectPlugin({
    plugin: oandaPlugin,
    connectionId: `conn-fake-${crypto.randomUUID()}`,
    credentials: { token },
    settings: { environment },
    environment,
    baseUrl: environment === "live" ? OANDA_LIVE_URL : OANDA_PRACTICE_URL,
    rateLimit: "off",
    logSink: () => undefined,
    transport: fake.fetch,
  });
}

describe("scenarios against the fake", () => {
  it("connects, trades long, closes with REDUCE_FIRST, and realizes P/L", async () => {
    const fake = new OandaFake();
    const client = againstFake(fake);
    expect(await client.testConnection()).toEqual([{ brokerAccountId: FAKE_ACCOUNT_ID, mode: "paper", name: "Primary", currency: "USD" }]);
    fake.setPrice("EUR_USD", "1.1");
    const entry = await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tl01" }));
    expect(entry).toMatchObject({ status: "filled", filledQuantity: "1000", avgFillPrice: "1.1" });
    expect(await client.getPositions(FAKE_ACCOUNT_ID)).toMatchObject([{ ticker: "EURUSD", quantity: "1000", avgPrice: "1.1" }]);
    fake.setPrice("EUR_USD", "1.12");
    await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tl02", side: "sell" }));
    expect(await client.getPositions(FAKE_ACCOUNT_ID)).toEqual([]);
    expect(await client.getBalance(FAKE_ACCOUNT_ID)).toMatchObject({ cash: "100020", equity: "100020" });
    // Reversal in one order: sell 1500 from flat-long 0 → short 1500; buy 2500 → long 1000.
    await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tl03", side: "sell", quantity: "1500" }));
    await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tl04", quantity: "2500" }));
    expect(await client.getPositions(FAKE_ACCOUNT_ID)).toMatchObject([{ ticker: "EURUSD", quantity: "1000" }]);
  });

  it("bracket entry: the on-fill legs are open orders with the entry as parent; the take profit closes the trade and cancels the stop", async () => {
    const fake = new OandaFake();
    const client = againstFake(fake);
    fake.setPrice("EUR_USD", "1.1");
    const entry = await client.placeOrder(
      FAKE_ACCOUNT_ID,
      order({ bracket: { takeProfit: { limitPrice: "1.12" }, stopLoss: { type: "stop", stopPrice: "1.09" } } }),
    );
    const legs = await client.getOpenOrders(FAKE_ACCOUNT_ID);
    expect(legs.map((o) => [o.role, o.type, o.side, o.quantity, o.parentBrokerOrderId])).toEqual(
      expect.arrayContaining([
        ["take_profit", "limit", "sell", "1000", entry.brokerOrderId],
        ["stop_loss", "stop", "sell", "1000", entry.brokerOrderId],
      ]),
    );
    fake.setPrice("EUR_USD", "1.125");
    expect(await client.getOpenOrders(FAKE_ACCOUNT_ID)).toEqual([]);
    expect(await client.getPositions(FAKE_ACCOUNT_ID)).toEqual([]);
    const statuses = Object.fromEntries(fake.orders().map((o) => [o.id, o.status]));
    expect(Object.values(statuses).sort()).toEqual(["cancelled", "filled", "filled"]);
  });

  it("trailing stop on fill (mapping and fake, below the pre-send guard): follows the market up, closes on the way down", async () => {
    // The capabilities say trailingStop unsupported (see manifest.ts), so the guarded client refuses
    // it; the plugin's own client still maps it to trailingStopLossOnFill.
    const fake = new OandaFake();
    expect((await brokerError(againstFake(fake).placeOrder(FAKE_ACCOUNT_ID, order({ bracket: { stopLoss: { type: "trailing_stop", trailAmount: "0.01" } } })))).code).toBe(
      "trailing-stop-not-supported",
    );
    const client = oandaPlugin.connect({
      credentials: { token: FAKE_PRACTICE_TOKEN },
      settings: { environment: "paper" },
      environment: "paper",
      baseUrl: OANDA_PRACTICE_URL,
      fetch: (request) => fake.fetch(request),
      now: () => new Date(),
      nonce: () => String(Date.now()),
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    fake.setPrice("EUR_USD", "1.1");
    await client.placeOrder(FAKE_ACCOUNT_ID, order({ bracket: { stopLoss: { type: "trailing_stop", trailAmount: "0.01" } } }));
    fake.setPrice("EUR_USD", "1.15");
    const [leg] = await client.getOpenOrders(FAKE_ACCOUNT_ID);
    expect(leg).toMatchObject({ type: "trailing_stop", stopPrice: "1.14", role: "stop_loss" });
    fake.setPrice("EUR_USD", "1.139");
    expect(await client.getPositions(FAKE_ACCOUNT_ID)).toEqual([]);
  });

  it("limit orders rest, fill when crossed, and cancel; cancelling twice is order-not-found", async () => {
    const fake = new OandaFake();
    const client = againstFake(fake);
    fake.setPrice("EUR_USD", "1.1");
    const resting = await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tlA", type: "limit", limitPrice: "1.09", timeInForce: "gtc" }));
    expect(resting.status).toBe("open");
    const other = await client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tlB", type: "limit", limitPrice: "1.05", timeInForce: "gtc" }));
    fake.setPrice("EUR_USD", "1.085");
    expect(await client.getOrder(FAKE_ACCOUNT_ID, { clientOrderId: "tlA" })).toMatchObject({ status: "filled", filledQuantity: "1000", avgFillPrice: "1.085" });
    await client.cancelOrder(FAKE_ACCOUNT_ID, { brokerOrderId: other.brokerOrderId });
    expect(await client.getOrder(FAKE_ACCOUNT_ID, { brokerOrderId: other.brokerOrderId })).toMatchObject({ status: "cancelled", filledQuantity: "0" });
    expect((await brokerError(client.cancelOrder(FAKE_ACCOUNT_ID, { brokerOrderId: other.brokerOrderId }))).code).toBe("order-not-found");
  });

  it("insufficient margin, duplicate client id, lost reply reconciled by client id", async () => {
    const fake = new OandaFake();
    const client = againstFake(fake);
    fake.setPrice("EUR_USD", "1.1");
    expect((await brokerError(client.placeOrder(FAKE_ACCOUNT_ID, order({ quantity: "1000000000" })))).code).toBe("insufficient-funds");
    fake.loseNextReply();
    const lost = await brokerError(client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tlLOST" })));
    expect(lost.kind).toBe("outcome-unknown");
    expect(await client.getOrder(FAKE_ACCOUNT_ID, { clientOrderId: "tlLOST" })).toMatchObject({ status: "filled", clientOrderId: "tlLOST" });
    expect((await brokerError(client.placeOrder(FAKE_ACCOUNT_ID, order({ clientOrderId: "tlLOST" })))).code).toBe("duplicate-client-order-id");
    expect(fake.orders().filter((o) => o.clientOrderId === "tlLOST")).toHaveLength(1);
  });

  it("auth expiry and the wrong environment", async () => {
    const fake = new OandaFake();
    expect((await brokerError(againstFake(fake, FAKE_LIVE_TOKEN).testConnection())).code).toBe("wrong-environment");
    expect(await againstFake(fake, FAKE_LIVE_TOKEN, "live").testConnection()).toHaveLength(1);
    expect((await brokerError(againstFake(fake, FAKE_PRACTICE_TOKEN, "live").testConnection())).code).toBe("wrong-environment");
    fake.expireAuth();
    const e = await brokerError(againstFake(fake).getBalance(FAKE_ACCOUNT_ID));
    expect({ code: e.code, kind: e.kind }).toEqual({ code: "invalid-credentials", kind: "auth-expired" });
  });

  it("quotes from the pricing endpoint", async () => {
    const fake = new OandaFake({ halfSpread: "0.00005" });
    fake.setPrice("EUR_USD", "1.1");
    expect(await againstFake(fake).getQuote!("EUR/USD", "forex")).toMatchObject({ ticker: "EURUSD", bid: "1.09995", ask: "1.10005", last: null });
  });
});

const NO_PARTIAL_FILLS =
  "OANDA orders have no partially-filled state (an order fills in one transaction, FOK/IOC cancel the rest); the fake does not model partial fills";

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: oandaPlugin,
  credentials: { token: STATIC_TOKEN },
  settings: { environment: "paper" },
  accountId: STATIC_ACCOUNT,
  requests: oandaRequestCases,
  responses: oandaResponseCases,
  // The scenarios log in with the fake's practice token (the kit reuses `credentials`), see fake.ts.
  fake: () => new OandaFake({ acceptToken: STATIC_TOKEN }),
  // USD/JPY: two-decimal prices, as the kit's price steps (±2-6 %, rounded to 0.01) need.
  instrument: { ticker: "USDJPY", assetClass: "forex", price: "150", quantity: "1000", unaffordableQuantity: "1000000000" },
  rateLimitReply: rateLimited.response,
  // OANDA ends a GFD order at the day's close as state CANCELLED (the reason lives in the cancelling transaction).
  expiryStatus: "cancelled",
  skip: { "partial-fill": NO_PARTIAL_FILLS },
  expectedSkips: {
    "stop-limit/fill": "capabilities: no stop_limit orders",
    "stop-limit/cancel": "capabilities: no stop_limit orders",
    "stop-limit/expiry": "capabilities: no stop_limit orders",
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "modify": "capabilities: modify unsupported",
    "partial-fill": NO_PARTIAL_FILLS,
    "session-refresh-mid-session": NO_SESSION_SCENARIOS,
    "session-refresh-fails": NO_SESSION_SCENARIOS,
  },
});
