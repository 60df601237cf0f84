/**
 * OANDA plugin tests, all inside workerd:
 * - static requests: an intent goes in, the exact HTTP request comes out;
 * - static responses: recorded-shape fixtures go in, normalized models (or
 *   BrokerErrors with the right kind) come out;
 * - scenarios against the stateful fake, through the real client and the
 *   core's plugin host (context, fetch service, pre-send guard).
 */
import { describe, expect, it } from "vitest";
import { BrokerError, type BrokerClient, type OrderRequest } from "../sdk";
import { connectPlugin } from "../sdk/host";
import type { RecordedFixture } from "../testkit";
import accounts from "./fixtures/accounts.json";
import summary from "./fixtures/account-summary.json";
import duplicate from "./fixtures/error-duplicate-client-order-id.json";
import notFound from "./fixtures/error-order-doesnt-exist.json";
import rateLimited from "./fixtures/error-rate-limited.json";
import unauthorized from "./fixtures/error-unauthorized.json";
import unitsPrecision from "./fixtures/error-units-precision.json";
import positions from "./fixtures/open-positions.json";
import trades from "./fixtures/open-trades.json";
import cancelled from "./fixtures/order-cancelled.json";
import insufficientMargin from "./fixtures/order-create-insufficient-margin.json";
import marketFilled from "./fixtures/order-create-market-filled.json";
import orderFilled from "./fixtures/order-get-filled.json";
import pending from "./fixtures/pending-orders-bracket.json";
import pricing from "./fixtures/pricing.json";
import fillTxn from "./fixtures/transaction-fill.json";
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

describe("static requests", () => {
  const headers = {
    authorization: `Bearer ${TOKEN}`,
    accept: "application/json",
    "accept-datetime-format": "RFC3339",
  };

  it("market bracket entry: signed units, FOK, REDUCE_FIRST, client id, on-fill TP and SL", async () => {
    const { client, sent } = scripted([marketFilled]);
    await client.placeOrder(ACCOUNT, order({ bracket: { takeProfit: { limitPrice: "1.115" }, stopLoss: { type: "stop", stopPrice: "1.09" } } }));
    expect(sent).toEqual([
      {
        method: "POST",
        url: `${BASE}/orders`,
        headers: { ...headers, "content-type": "application/json" },
        body: {
          order: {
            type: "MARKET",
            instrument: "EUR_USD",
            units: "1000",
            timeInForce: "FOK",
            positionFill: "REDUCE_FIRST",
            clientExtensions: { id: CID, tag: "tradeloop" },
            takeProfitOnFill: { price: "1.115", timeInForce: "GTC" },
            stopLossOnFill: { price: "1.09", timeInForce: "GTC" },
          },
        },
      },
    ]);
  });

  it("limit sell: negative units, GFD for day, price; trailing stop as a distance", async () => {
    const { client, sent } = scripted([{ status: 201, body: { orderCreateTransaction: { id: "7", type: "LIMIT_ORDER" } } }]);
    await client.placeOrder(
      ACCOUNT,
      order({ side: "sell", type: "limit", limitPrice: "1.2", quantity: "2500", bracket: { stopLoss: { type: "trailing_stop", trailAmount: "0.005" } } }),
    );
    expect(sent[0]?.body).toEqual({
      order: {
        type: "LIMIT",
        instrument: "EUR_USD",
        units: "-2500",
        price: "1.2",
        timeInForce: "GFD",
        positionFill: "REDUCE_FIRST",
        clientExtensions: { id: CID, tag: "tradeloop" },
        trailingStopLossOnFill: { distance: "0.005", timeInForce: "GTC" },
      },
    });
  });

  it("stop entry GTC, and IOC market", async () => {
    const { client, sent } = scripted([
      { status: 201, body: { orderCreateTransaction: { id: "8", type: "STOP_ORDER" } } },
      { status: 201, body: { orderCreateTransaction: { id: "9", type: "MARKET_ORDER" } } },
    ]);
    await client.placeOrder(ACCOUNT, order({ type: "stop", stopPrice: "1.11", timeInForce: "gtc" }));
    await client.placeOrder(ACCOUNT, order({ timeInForce: "ioc", ticker: "USDJPY" }));
    expect(sent.map((s) => s.body)).toEqual([
      { order: expect.objectContaining({ type: "STOP", price: "1.11", timeInForce: "GTC", units: "1000" }) },
      { order: expect.objectContaining({ type: "MARKET", instrument: "USD_JPY", timeInForce: "IOC" }) },
    ]);
  });

  it("reads: getOrder by client id (@) and by broker id, cancel, pending orders, positions, summary, pricing", async () => {
    const { client, sent } = scripted([notFound, notFound, cancelled, { status: 200, body: { orders: [] } }, positions, summary, accounts, pricing]);
    await client.getOrder(ACCOUNT, { clientOrderId: CID });
    await client.getOrder(ACCOUNT, { brokerOrderId: "6360" });
    await client.cancelOrder(ACCOUNT, { clientOrderId: CID });
    await client.getOpenOrders(ACCOUNT);
    await client.getPositions(ACCOUNT);
    await client.getBalance(ACCOUNT);
    await client.getQuote!("EURUSD", "forex");
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET ${BASE}/orders/@${CID}`,
      `GET ${BASE}/orders/6360`,
      `PUT ${BASE}/orders/@${CID}/cancel`,
      `GET ${BASE}/pendingOrders`,
      `GET ${BASE}/openPositions`,
      `GET ${BASE}/summary`,
      `GET ${OANDA_PRACTICE_URL}/accounts`,
      `GET ${BASE}/pricing?instruments=EUR_USD`,
    ]);
    for (const s of sent) expect(s.headers).toEqual(headers);
    expect(sent.every((s) => s.body === undefined)).toBe(true);
  });

  it("live connections talk to fxTrade; a base URL override is used as given", async () => {
    const live = scripted([accounts, summary], { environment: "live" });
    await live.client.testConnection();
    expect(live.sent[0]?.url).toBe(`${OANDA_LIVE_URL}/accounts`);
    const proxied = scripted([accounts, summary], { baseUrl: "https://oanda-proxy.example.com/v3/" });
    await proxied.client.testConnection();
    expect(proxied.sent.map((s) => s.url)).toEqual(["https://oanda-proxy.example.com/v3/accounts", `https://oanda-proxy.example.com/v3/accounts/${ACCOUNT}/summary`]);
  });

  it("refuses what OANDA cannot do before sending anything", async () => {
    const { client, sent } = scripted([]);
    for (const bad of [
      order({ type: "stop_limit", stopPrice: "1.1", limitPrice: "1.1" }),
      order({ type: "trailing_stop", trailAmount: "0.01" }),
      order({ timeInForce: "opg" }),
      order({ bracket: { stopLoss: { type: "stop_limit", stopPrice: "1", limitPrice: "1" } } }),
      order({ bracket: { stopLoss: { type: "trailing_stop", trailPercent: "1" } } }),
    ]) {
      const e = await brokerError(client.placeOrder(ACCOUNT, bad));
      expect(e.kind).toBe("unsupported");
    }
    expect(sent).toEqual([]);
  });
});

describe("static responses", () => {
  it("testConnection: v20 accounts with their currency and alias, MT4-linked ones left out", async () => {
    const { client, sent } = scripted([accounts, summary]);
    expect(await client.testConnection()).toEqual([{ brokerAccountId: ACCOUNT, mode: "paper", name: "Primary", currency: "USD" }]);
    expect(sent).toHaveLength(2);
  });

  it("balance: cash = balance, equity = NAV, buying power = free margin", async () => {
    const { client } = scripted([summary]);
    const balance = await client.getBalance(ACCOUNT);
    expect({ ...balance, raw: undefined }).toEqual({ currency: "USD", cash: "100012.3456", equity: "100007.8456", buyingPower: "99985.7556", raw: undefined });
    expect(balance.raw).toEqual(summary.response.body);
  });

  it("positions: net of the long and short sides, shorts negative", async () => {
    const { client } = scripted([positions]);
    const result = await client.getPositions(ACCOUNT);
    expect(result.map(({ raw: _raw, ...p }) => p)).toEqual([
      { ticker: "EURUSD", quantity: "1000", avgPrice: "1.1045" },
      { ticker: "USDJPY", quantity: "-2500", avgPrice: "151.234" },
    ]);
  });

  it("open orders: bracket legs get instrument and size from their trade, and the entry order as parent", async () => {
    const { client, sent } = scripted([pending, trades, fillTxn]);
    const open = await client.getOpenOrders(ACCOUNT);
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/pendingOrders`, `${BASE}/openTrades`, `${BASE}/transactions/6361`]);
    expect(open.map(({ raw: _raw, ...o }) => o)).toEqual([
      {
        brokerOrderId: "6367",
        clientOrderId: "tl0123456789abcdef0123456789abcdef",
        ticker: "EURUSD",
        side: "sell",
        type: "limit",
        quantity: "500",
        limitPrice: "1.12000",
        stopPrice: null,
        timeInForce: "gtc",
        status: "open",
        filledQuantity: "0",
        avgFillPrice: null,
        createdAt: "2026-01-02T03:04:05.123456789Z",
      },
      expect.objectContaining({ brokerOrderId: "6362", ticker: "EURUSD", side: "sell", type: "stop", quantity: "1000", stopPrice: "1.09000", role: "stop_loss", parentBrokerOrderId: "6360", clientOrderId: null }),
      expect.objectContaining({ brokerOrderId: "6363", ticker: "EURUSD", side: "sell", type: "limit", quantity: "1000", limitPrice: "1.11500", role: "take_profit", parentBrokerOrderId: "6360" }),
    ]);
  });

  it("placeOrder: a 201 with a fill is a filled order at the trade's price", async () => {
    const { client } = scripted([marketFilled]);
    const placed = await client.placeOrder(ACCOUNT, order());
    expect({ ...placed, raw: undefined }).toEqual({
      brokerOrderId: "6360",
      clientOrderId: CID,
      ticker: "EURUSD",
      side: "buy",
      type: "market",
      quantity: "1000",
      limitPrice: null,
      stopPrice: null,
      timeInForce: "day",
      status: "filled",
      filledQuantity: "1000",
      avgFillPrice: "1.1045",
      createdAt: "2026-01-02T03:04:05.123456789Z",
      raw: undefined,
    });
    expect(placed.raw).toEqual(marketFilled.response.body);
  });

  it("placeOrder: 201 + orderCancelTransaction INSUFFICIENT_MARGIN is an insufficient-funds refusal", async () => {
    const { client } = scripted([insufficientMargin]);
    const e = await brokerError(client.placeOrder(ACCOUNT, order({ quantity: "100000000" })));
    expect({ code: e.code, kind: e.kind, status: e.status }).toEqual({ code: "insufficient-funds", kind: "rejected", status: 201 });
    expect(e.raw).toEqual(insufficientMargin.response.body);
  });

  it.each([
    ["duplicate client id", duplicate, "duplicate-client-order-id", "rejected"],
    ["fractional units", unitsPrecision, "invalid-quantity", "rejected"],
    ["bad token", unauthorized, "invalid-credentials", "auth-expired"],
    ["429", rateLimited, "rate-limited", "retryable"],
    ["5xx on an order", { status: 503, body: { errorMessage: "Service unavailable" } }, "broker-unavailable", "outcome-unknown"],
    ["non-JSON 502", { status: 502, body: undefined }, "broker-unavailable", "outcome-unknown"],
  ] as const)("placeOrder errors: %s", async (_name, reply, code, kind) => {
    const { client } = scripted([reply as Reply]);
    const e = await brokerError(client.placeOrder(ACCOUNT, order()));
    expect({ code: e.code, kind: e.kind }).toEqual({ code, kind });
  });

  it("429 carries Retry-After; a 5xx on a read is retryable", async () => {
    const limited = await brokerError(scripted([rateLimited]).client.getBalance(ACCOUNT));
    expect(limited.retryAfterMs).toBe(1000);
    const down = await brokerError(scripted([{ status: 500, body: { errorMessage: "oops" } }]).client.getPositions(ACCOUNT));
    expect(down.kind).toBe("retryable");
  });

  it("getOrder: ORDER_DOESNT_EXIST is null, any other 404 is an error", async () => {
    expect(await scripted([notFound]).client.getOrder(ACCOUNT, { clientOrderId: "tlnope" })).toBeNull();
    const e = await brokerError(scripted([{ status: 404, body: { errorMessage: "Account not found" } }]).client.getOrder(ACCOUNT, { clientOrderId: "x" }));
    expect(e.code).toBe("not-found");
  });

  it("getOrder of a filled order reads its fill for units and price", async () => {
    const { client, sent } = scripted([orderFilled, fillTxn]);
    const found = await client.getOrder(ACCOUNT, { clientOrderId: CID });
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/orders/@${CID}`, `${BASE}/transactions/6361`]);
    expect(found).toMatchObject({ brokerOrderId: "6360", clientOrderId: CID, status: "filled", filledQuantity: "1000", avgFillPrice: "1.1045", type: "market", timeInForce: "fok" });
  });

  it("quote: top of book bid and ask, no last price", async () => {
    const { client } = scripted([accounts, pricing, pricing]);
    expect(await client.getQuote!("EURUSD", "forex")).toEqual({ ticker: "EURUSD", bid: "1.10443", ask: "1.10450", last: null, at: "2026-01-02T03:04:05.123456789Z" });
    // The account used for prices is looked up once per client.
    await client.getQuote!("EURUSD", "forex");
  });

  it("a transport failure on an order is outcome-unknown, on a read retryable", async () => {
    const placing = await brokerError(scripted([new TypeError("network down")]).client.placeOrder(ACCOUNT, order()));
    expect(placing.kind).toBe("outcome-unknown");
    const reading = await brokerError(scripted([new TypeError("network down")]).client.getBalance(ACCOUNT));
    expect(reading.kind).toBe("retryable");
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

  it("trailing stop follows the market up and closes the trade on the way down", async () => {
    const fake = new OandaFake();
    const client = againstFake(fake);
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
