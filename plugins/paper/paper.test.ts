/**
 * The paper plugin end to end inside workerd: first the conformance kit (all
 * three layers, against a real PaperLedger Durable Object per scenario), then
 * the client built by the core's `brokerClientFor`, its requests routed to a
 * real PaperLedger with real SQLite storage.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { brokerClientFor } from "../../worker/connections/broker-client";
import { BrokerError, type BrokerClient, type OrderRequest } from "../sdk";
import { runConformanceSuite } from "../testkit";
import { paperRequestCases, paperResponseCases, STATIC_BASE } from "./cases";
import { PaperLedgerFake } from "./fake";
import { paperPlugin } from "./index";

/** The ledger simulates no market hours, so a `day` order never expires (README, "Time in force"). */
const NO_SESSION = "the ledger simulates no sessions: a day order never expires (README, Time in force)";
const STOCKS_ONLY = "run once above, with the stocks instrument (this run trades options)";
/** Every fill is complete (README, "How orders fill"). */
const NO_PARTIAL_FILLS = "the ledger fills every order completely (README: partial fills are not simulated)";

const LISTED = {
  "stop-limit/expiry": NO_SESSION,
  "trailing-stop/expiry": NO_SESSION,
  "oto/expiry": NO_SESSION,
  "oco/expiry": NO_SESSION,
  "time-in-force/session-close": NO_SESSION,
  "partial-fill": NO_PARTIAL_FILLS,
} as const;

/** The session scenarios run only for connections with a session (OAuth or a login broker). */
const NO_SESSION_SCENARIOS = "capabilities: the connection has no session (no OAuth, no login)";

runConformanceSuite({
  plugin: paperPlugin,
  credentials: {},
  accountId: "paper",
  baseUrl: STATIC_BASE,
  requests: paperRequestCases,
  responses: paperResponseCases,
  fake: () => new PaperLedgerFake(),
  instrument: { ticker: "AMD", assetClass: "stocks", price: "100", quantity: "10" },
  skip: LISTED,
  expectedSkips: { ...LISTED, "auth-expiry": "manifest: auth scheme none, nothing can expire", "modify": "capabilities: modify unsupported", "session-refresh-mid-session": NO_SESSION_SCENARIOS, "session-refresh-fails": NO_SESSION_SCENARIOS },
});

// Options too: the paper broker declares brackets (OTO, OCO, OTOCO) for every asset class, so the
// bracket, OCO and short-bracket scenarios must hold for contracts as well.
runConformanceSuite({
  plugin: paperPlugin,
  credentials: {},
  accountId: "paper",
  requests: [],
  responses: [],
  fake: () => new PaperLedgerFake(),
  instrument: { ticker: "SPY 250620C500", assetClass: "options", price: "5.00", quantity: "2" },
  skip: { ...LISTED, "static-requests": STOCKS_ONLY, "static-responses": STOCKS_ONLY },
  expectedSkips: { ...LISTED, "static-requests": STOCKS_ONLY, "static-responses": STOCKS_ONLY, "auth-expiry": "manifest: auth scheme none, nothing can expire", "modify": "capabilities: modify unsupported", "session-refresh-mid-session": NO_SESSION_SCENARIOS, "session-refresh-fails": NO_SESSION_SCENARIOS },
});


const ACCOUNT = "paper";

function connect(settings: Record<string, unknown> = { startingCash: 100000 }, id: string = crypto.randomUUID()) {
  return { id, client: brokerClientFor(env, { id, broker: "paper", settings }) };
}

async function ready(settings?: Record<string, unknown>): Promise<BrokerClient> {
  const { client } = connect(settings);
  await client.testConnection();
  return client;
}

let seq = 0;
function req(fields: Partial<OrderRequest> & Pick<OrderRequest, "side">): OrderRequest {
  seq += 1;
  return {
    clientOrderId: `tl-test-${seq}-${crypto.randomUUID().slice(0, 8)}`,
    ticker: "SPY",
    assetClass: "stocks",
    quantity: "1",
    type: "market",
    timeInForce: "gtc",
    ...fields,
  };
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

/** Raw call to the ledger's REST API, as the plugin makes it. */
function api(connectionId: string, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return env.PAPER_LEDGER.getByName(connectionId).fetch(`https://paper.tradeloop.internal/ledgers/${connectionId}${path}`, init);
}

describe("paper plugin through the PaperLedger Durable Object", () => {
  it("is the registered paper plugin with a settings schema", () => {
    expect(paperPlugin.manifest.id).toBe("paper");
    expect(paperPlugin.manifest.settings?.parse({})).toEqual({ startingCash: 100000, latencyMs: 0 });
    expect(paperPlugin.symbol("SPY 250624C596", "options")).toBe("SPY 250624C596");
  });

  it("testConnection sets up the account and returns exactly one paper account", async () => {
    const { client } = connect({ startingCash: 25000 });
    expect(await client.testConnection()).toEqual([{ brokerAccountId: "paper", mode: "paper", name: "Paper account", currency: "USD" }]);
    // Idempotent: a second call neither fails nor refunds.
    expect(await client.testConnection()).toHaveLength(1);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ currency: "USD", cash: "25000", equity: "25000", buyingPower: "25000" });
  });

  it("sets itself up on first use when testConnection was never called", async () => {
    const { client } = connect({ startingCash: 5000 });
    expect((await client.getBalance(ACCOUNT)).cash).toBe("5000");
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("fills a market buy at the alert's price and reports position and balance", async () => {
    const client = await ready();
    const order = await client.placeOrder(ACCOUNT, req({ side: "buy", quantity: "10", referencePrice: "100.25" }));
    expect(order).toMatchObject({ status: "filled", filledQuantity: "10", avgFillPrice: "100.25", ticker: "SPY", side: "buy" });
    expect(order.brokerOrderId).toMatch(/^paper-\d{6}$/);
    const positions = await client.getPositions(ACCOUNT);
    expect(positions.map(({ raw: _raw, ...p }) => p)).toEqual([{ ticker: "SPY", quantity: "10", avgPrice: "100.25" }]);
    expect(await client.getBalance(ACCOUNT)).toMatchObject({ cash: "98997.5", equity: "100000" });

    // A later market order without a price fills at the last one; a short goes negative.
    await client.placeOrder(ACCOUNT, req({ side: "sell", quantity: "15" }));
    const [spy] = await client.getPositions(ACCOUNT);
    expect(spy).toMatchObject({ quantity: "-5", avgPrice: "100.25" });
  });

  it("refuses a market order with no known price with no-price", async () => {
    const client = await ready();
    const e = await brokerError(client.placeOrder(ACCOUNT, req({ side: "buy", ticker: "QQQ" })));
    expect(e).toMatchObject({ code: "no-price", kind: "rejected", status: 422 });
    expect(e.message).toContain('Add "price" to the alert');
  });

  it("rests a limit order until observePrice crosses it", async () => {
    const client = await ready();
    await client.observePrice?.(ACCOUNT, "AAPL", "200");
    const order = await client.placeOrder(ACCOUNT, req({ side: "buy", ticker: "AAPL", type: "limit", limitPrice: "190", quantity: "2" }));
    expect(order.status).toBe("open");
    expect((await client.getOpenOrders(ACCOUNT)).map((o) => o.brokerOrderId)).toEqual([order.brokerOrderId]);
    await client.observePrice?.(ACCOUNT, "AAPL", "189.5");
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: order.brokerOrderId })).toMatchObject({ status: "filled", avgFillPrice: "189.5" });
    expect(await client.getOpenOrders(ACCOUNT)).toEqual([]);
  });

  it("turns a bracket into an OCO exit pair that later prices trigger", async () => {
    const client = await ready();
    const entry = await client.placeOrder(
      ACCOUNT,
      req({
        side: "buy",
        quantity: "4",
        referencePrice: "143.12",
        bracket: { takeProfit: { limitPrice: "157.43" }, stopLoss: { type: "stop", stopPrice: "135.96" } },
      }),
    );
    expect(entry.status).toBe("filled");
    const legs = await client.getOpenOrders(ACCOUNT);
    expect(legs.map((o) => [o.role, o.side, o.type, o.quantity, o.limitPrice, o.stopPrice, o.parentBrokerOrderId])).toEqual([
      ["take_profit", "sell", "limit", "4", "157.43", null, entry.brokerOrderId],
      ["stop_loss", "sell", "stop", "4", null, "135.96", entry.brokerOrderId],
    ]);
    await client.observePrice?.(ACCOUNT, "SPY", "135");
    const [tp, sl] = legs;
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: sl?.brokerOrderId ?? "" })).toMatchObject({ status: "filled", avgFillPrice: "135" });
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: tp?.brokerOrderId ?? "" })).toMatchObject({ status: "cancelled" });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("refuses a second order with the same client order id; getOrder finds the first", async () => {
    const client = await ready();
    const first = req({ side: "buy", referencePrice: "50" });
    const placed = await client.placeOrder(ACCOUNT, first);
    const e = await brokerError(client.placeOrder(ACCOUNT, { ...first, quantity: "3" }));
    expect(e).toMatchObject({ code: "duplicate-client-order-id", kind: "rejected", status: 409 });
    const found = await client.getOrder(ACCOUNT, { clientOrderId: first.clientOrderId });
    expect(found).toMatchObject({ brokerOrderId: placed.brokerOrderId, clientOrderId: first.clientOrderId, quantity: "1", status: "filled" });
    expect((await client.getPositions(ACCOUNT))[0]?.quantity).toBe("1");
  });

  it("returns null for unknown orders by either id", async () => {
    const client = await ready();
    expect(await client.getOrder(ACCOUNT, { clientOrderId: "never-sent" })).toBeNull();
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: "paper-999999" })).toBeNull();
  });

  it("cancels by broker or client id; unknown orders are an error", async () => {
    const client = await ready();
    await client.observePrice?.(ACCOUNT, "SPY", "100");
    const a = await client.placeOrder(ACCOUNT, req({ side: "buy", type: "limit", limitPrice: "90" }));
    const bReq = req({ side: "sell", type: "limit", limitPrice: "110" });
    await client.placeOrder(ACCOUNT, bReq);
    await client.cancelOrder(ACCOUNT, { brokerOrderId: a.brokerOrderId });
    await client.cancelOrder(ACCOUNT, { clientOrderId: bReq.clientOrderId });
    await client.cancelOrder(ACCOUNT, { brokerOrderId: a.brokerOrderId }); // idempotent
    expect(await client.getOpenOrders(ACCOUNT)).toEqual([]);
    expect(await client.getOrder(ACCOUNT, { clientOrderId: bReq.clientOrderId })).toMatchObject({ status: "cancelled" });
    expect(await brokerError(client.cancelOrder(ACCOUNT, { brokerOrderId: "paper-999999" }))).toMatchObject({ code: "order-not-found", status: 404 });
  });

  it("refuses an order beyond buying power with insufficient-funds", async () => {
    const client = await ready({ startingCash: 1000 });
    const e = await brokerError(client.placeOrder(ACCOUNT, req({ side: "buy", quantity: "11", referencePrice: "100" })));
    expect(e).toMatchObject({ code: "insufficient-funds", kind: "rejected", status: 422 });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
  });

  it("latencyMs makes every call at least that slow", async () => {
    const latencyMs = 250;
    const client = await ready({ startingCash: 1000, latencyMs });
    const started = Date.now();
    await client.getBalance(ACCOUNT);
    const balanceMs = Date.now() - started;
    const placedAt = Date.now();
    await client.placeOrder(ACCOUNT, req({ side: "buy", referencePrice: "10" }));
    const placeMs = Date.now() - placedAt;
    expect(balanceMs).toBeGreaterThanOrEqual(latencyMs);
    expect(placeMs).toBeGreaterThanOrEqual(latencyMs);
  });

  it("rejects settings out of range when connecting", () => {
    expect(() => connect({ latencyMs: 60_000 })).toThrow(BrokerError);
  });
});

describe("concurrency: the ledger is the single writer", () => {
  it("40 concurrent market buys end in a position of exactly 40 with 40 distinct orders", async () => {
    const client = await ready();
    const orders = await Promise.all(
      Array.from({ length: 40 }, () => client.placeOrder(ACCOUNT, req({ side: "buy", ticker: "MNQ", referencePrice: "100.1" }))),
    );
    expect(new Set(orders.map((o) => o.brokerOrderId)).size).toBe(40);
    expect(orders.every((o) => o.status === "filled")).toBe(true);
    expect(await client.getPositions(ACCOUNT)).toMatchObject([{ ticker: "MNQ", quantity: "40", avgPrice: "100.1" }]);
    expect((await client.getBalance(ACCOUNT)).cash).toBe("95996");
  });

  it("with a slow broker, concurrent requests still apply one at a time", async () => {
    const client = await ready({ startingCash: 100000, latencyMs: 30 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.placeOrder(ACCOUNT, req({ side: i % 2 === 0 ? "buy" : "sell", quantity: "3", referencePrice: String(100 + i) })),
      ),
    );
    const [pos] = await client.getPositions(ACCOUNT);
    expect(pos).toBeUndefined(); // 10 buys and 10 sells of 3 net to flat, whatever the interleaving
    const bal = await client.getBalance(ACCOUNT);
    expect(bal.cash).toBe(bal.equity);
  });

  it("with a slow broker, requests still apply in the order they arrived", async () => {
    const client = await ready({ startingCash: 100000, latencyMs: 40 });
    const sent = Array.from({ length: 10 }, (_, i) => req({ side: "buy", ticker: "ORD", referencePrice: String(10 + i) }));
    const placed = await Promise.all(sent.map((r) => client.placeOrder(ACCOUNT, r)));
    expect(placed.map((o) => o.brokerOrderId)).toEqual([...placed.map((o) => o.brokerOrderId)].sort());
    expect(placed.map((o) => o.avgFillPrice)).toEqual(sent.map((r) => r.referencePrice));
    // The last order to arrive set the last price.
    await client.placeOrder(ACCOUNT, req({ side: "sell", ticker: "ORD", quantity: "10" }));
    expect((await client.getBalance(ACCOUNT)).cash).toBe(String(100000 - 145 + 190));
  });

  it("the same client order id sent 10 times at once books exactly one order", async () => {
    const client = await ready();
    const one = req({ side: "buy", referencePrice: "20" });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.placeOrder(ACCOUNT, one)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused.map((r) => (r.reason as BrokerError).code)).toEqual(Array(9).fill("duplicate-client-order-id"));
    expect((await client.getPositions(ACCOUNT))[0]?.quantity).toBe("1");
  });
});

describe("the ledger's REST API", () => {
  it("answers errors as JSON {code, message} with proper statuses", async () => {
    const { id, client } = connect();
    const before = await api(id, "GET", "/account");
    expect(before.status).toBe(409);
    expect(await before.json()).toMatchObject({ code: "not-initialized" });
    await client.testConnection();

    const bad = await api(id, "POST", "/orders", { symbol: "SPY", side: "buy", type: "limit", qty: "1" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: "invalid-order", field: "limit_price" });

    const badQty = await api(id, "POST", "/orders", { symbol: "SPY", side: "buy", type: "market", qty: "-1" });
    expect(await badQty.json()).toMatchObject({ code: "invalid-order", field: "qty" });

    const notJson = await env.PAPER_LEDGER.getByName(id).fetch(`https://paper.tradeloop.internal/ledgers/${id}/orders`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(422);

    const missing = await api(id, "GET", "/orders/paper-424242");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "order-not-found" });

    const noRoute = await api(id, "GET", "/nope");
    expect(noRoute.status).toBe(404);
    expect(await noRoute.json()).toMatchObject({ code: "route-not-found" });
  });

  it("lists fills and prices, and reset starts over with new cash but never reuses order ids", async () => {
    const { id, client } = connect();
    await client.testConnection();
    const first = await client.placeOrder(ACCOUNT, req({ side: "buy", quantity: "2", referencePrice: "10" }));
    const fills = (await (await api(id, "GET", "/fills")).json()) as { fills: unknown[] };
    expect(fills.fills).toEqual([expect.objectContaining({ order_id: first.brokerOrderId, qty: "2", price: "10", symbol: "SPY" })]);
    const prices = (await (await api(id, "GET", "/prices")).json()) as { prices: unknown[] };
    expect(prices.prices).toEqual([expect.objectContaining({ symbol: "SPY", price: "10" })]);

    const reset = await api(id, "POST", "/reset", { starting_cash: "2500" });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ cash: "2500", equity: "2500", starting_cash: "2500" });
    expect(await client.getPositions(ACCOUNT)).toEqual([]);
    expect(await client.getOrder(ACCOUNT, { brokerOrderId: first.brokerOrderId })).toBeNull();
    const second = await client.placeOrder(ACCOUNT, req({ side: "buy", referencePrice: "10" }));
    expect(second.brokerOrderId).not.toBe(first.brokerOrderId);
  });

  it("POST /prices reports the orders the price changed", async () => {
    const { id, client } = connect();
    await client.testConnection();
    await client.observePrice?.(ACCOUNT, "ETHUSD", "3000");
    const limit = await client.placeOrder(ACCOUNT, req({ side: "buy", ticker: "ETHUSD", assetClass: "crypto", type: "limit", limitPrice: "2900", quantity: "0.5" }));
    const res = await api(id, "POST", "/prices", { symbol: "ETHUSD", price: 2899.99 });
    expect(await res.json()).toMatchObject({
      symbol: "ETHUSD",
      price: "2899.99",
      orders: [expect.objectContaining({ id: limit.brokerOrderId, status: "filled", filled_avg_price: "2899.99" })],
    });
  });
});
