/**
 * Static conformance layers for the paper plugin, with no ledger behind it:
 * 1. requests: an intent goes in, the exact HTTP request comes out;
 * 2. responses: a recorded ledger response (fixtures/) goes in, a normalized
 *    model or a BrokerError with the right kind comes out.
 * A last test checks the fixtures still match what the live ledger sends.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BrokerError, type BrokerClient, type OrderRequest, type PluginContext } from "../sdk";
import { createPluginContext } from "../sdk/host";
import type { PaperSettings } from "./manifest";
import accountFixture from "./fixtures/account.json";
import accountCreatedFixture from "./fixtures/account-created.json";
import duplicateFixture from "./fixtures/error-duplicate-client-order-id.json";
import fundsFixture from "./fixtures/error-insufficient-funds.json";
import noPriceFixture from "./fixtures/error-no-price.json";
import entryFixture from "./fixtures/order-filled-bracket-entry.json";
import shortFixture from "./fixtures/order-filled-short.json";
import legsFixture from "./fixtures/orders-open-bracket-legs.json";
import positionsFixture from "./fixtures/positions.json";
import { paperPlugin } from "./index";
import { toBalance, toBrokerOrder, toPosition } from "./mapping";
import { WireAccountSchema, WireOrderListSchema, WireOrderSchema, WirePositionListSchema } from "./wire";

const BASE = "https://paper.tradeloop.internal/ledgers/conn-1";
const NOW = new Date("2026-11-22T12:00:00.000Z");

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A client whose fetch records each request and answers from a script. */
function scripted(replies: Reply[], settings: Record<string, unknown> = {}): { client: BrokerClient; sent: Captured[] } {
  const sent: Captured[] = [];
  const client = paperPlugin.connect(
    createPluginContext({
      plugin: paperPlugin,
      connectionId: "conn-1",
      credentials: {},
      settings,
      environment: "paper",
      baseUrl: BASE,
      now: () => NOW,
      logSink: () => {},
      transport: async (request) => {
        const text = await request.text();
        sent.push({
          method: request.method,
          url: request.url,
          headers: Object.fromEntries(request.headers.entries()),
          body: text === "" ? undefined : JSON.parse(text),
        });
        const reply = replies.shift();
        if (reply === undefined) throw new Error("script ran out of replies");
        if (reply instanceof Error) throw reply;
        return new Response(reply.body === undefined ? "" : JSON.stringify(reply.body), {
          status: reply.status,
          headers: { "content-type": "application/json", ...reply.headers },
        });
      },
    }) as PluginContext<Record<string, never>, PaperSettings>,
  );
  return { client, sent };
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

const amdBracket: OrderRequest = {
  clientOrderId: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  ticker: "AMD",
  assetClass: "stocks",
  side: "buy",
  quantity: "10",
  type: "market",
  timeInForce: "gtc",
  referencePrice: "143.12",
  bracket: { takeProfit: { limitPrice: "157.43" }, stopLoss: { type: "stop", stopPrice: "135.96" } },
};

describe("static requests", () => {
  it("placeOrder sends the exact POST /orders", async () => {
    const { client, sent } = scripted([entryFixture.response], { latencyMs: 40 });
    await client.placeOrder("paper", amdBracket);
    expect(sent).toEqual([
      {
        method: "POST",
        url: `${BASE}/orders`,
        headers: { accept: "application/json", "content-type": "application/json", "x-paper-latency-ms": "40" },
        body: {
          client_order_id: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
          symbol: "AMD",
          side: "buy",
          type: "market",
          qty: "10",
          time_in_force: "gtc",
          reference_price: "143.12",
          take_profit: { limit_price: "157.43" },
          stop_loss: { type: "stop", stop_price: "135.96" },
        },
      },
    ]);
  });

  it("maps trailing stops, stop limits and session-only time in force", async () => {
    const { client, sent } = scripted([shortFixture.response, shortFixture.response]);
    await client.placeOrder("paper", { ...amdBracket, bracket: undefined, referencePrice: undefined, type: "trailing_stop", side: "sell", trailPercent: "2.5", timeInForce: "opg" });
    await client.placeOrder("paper", { ...amdBracket, bracket: undefined, referencePrice: undefined, type: "stop_limit", stopPrice: "10.71", limitPrice: "10.75", timeInForce: "day" });
    expect(sent.map((r) => r.body)).toEqual([
      { client_order_id: amdBracket.clientOrderId, symbol: "AMD", side: "sell", type: "trailing_stop", qty: "10", time_in_force: "day", trail_percent: "2.5" },
      { client_order_id: amdBracket.clientOrderId, symbol: "AMD", side: "buy", type: "stop_limit", qty: "10", time_in_force: "day", limit_price: "10.75", stop_price: "10.71" },
    ]);
    expect(sent[0]?.headers).not.toHaveProperty("x-paper-latency-ms");
  });

  it("reads and cancels by either id, lists open orders, marks prices and sets up the account", async () => {
    const order = entryFixture.response;
    const { client, sent } = scripted([
      order,
      order,
      order,
      order,
      legsFixture.response,
      { status: 200, body: { symbol: "AMD", price: "150", orders: [] } },
      accountCreatedFixture.response,
      accountFixture.response,
      positionsFixture.response,
    ]);
    await client.getOrder("paper", { clientOrderId: "tl:a/b" });
    await client.getOrder("paper", { brokerOrderId: "paper-000001" });
    await client.cancelOrder("paper", { brokerOrderId: "paper-000001" });
    await client.cancelOrder("paper", { clientOrderId: "tl-x" });
    await client.getOpenOrders("paper");
    await client.observePrice?.("paper", "AMD", "150");
    await client.testConnection();
    await client.getBalance("paper");
    await client.getPositions("paper");
    expect(sent.map((r) => [r.method, r.url.slice(BASE.length), r.body])).toEqual([
      ["GET", "/orders/by-client-id/tl%3Aa%2Fb", undefined],
      ["GET", "/orders/paper-000001", undefined],
      ["DELETE", "/orders/paper-000001", undefined],
      ["DELETE", "/orders/by-client-id/tl-x", undefined],
      ["GET", "/orders?status=open", undefined],
      ["POST", "/prices", { symbol: "AMD", price: "150" }],
      ["POST", "/account", { starting_cash: "100000" }],
      ["GET", "/account", undefined],
      ["GET", "/positions", undefined],
    ]);
  });
});

describe("static responses", () => {
  it("maps a filled order", () => {
    const wire = WireOrderSchema.parse(entryFixture.response.body);
    expect(toBrokerOrder(wire)).toEqual({
      brokerOrderId: "paper-000001",
      clientOrderId: "tl0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      ticker: "AMD",
      side: "buy",
      type: "market",
      quantity: "10",
      limitPrice: null,
      stopPrice: null,
      timeInForce: "gtc",
      status: "filled",
      filledQuantity: "10",
      avgFillPrice: "143.12",
      parentBrokerOrderId: null,
      createdAt: wire.created_at,
      updatedAt: wire.updated_at,
      raw: wire,
    });
  });

  it("maps bracket legs with their parent and role", () => {
    const legs = WireOrderListSchema.parse(legsFixture.response.body).orders.map(toBrokerOrder);
    expect(legs.map((o) => ({ id: o.brokerOrderId, role: o.role, parent: o.parentBrokerOrderId, status: o.status, cid: o.clientOrderId }))).toEqual([
      { id: "paper-000002", role: "take_profit", parent: "paper-000001", status: "open", cid: null },
      { id: "paper-000003", role: "stop_loss", parent: "paper-000001", status: "open", cid: null },
    ]);
  });

  it("maps signed positions and the balance", () => {
    const positions = WirePositionListSchema.parse(positionsFixture.response.body).positions.map(toPosition);
    expect(positions.map(({ raw: _raw, ...p }) => p)).toEqual([
      { ticker: "AMD", quantity: "10", avgPrice: "143.12" },
      { ticker: "TSLA", quantity: "-3", avgPrice: "250.5" },
    ]);
    const { raw: _raw, ...balance } = toBalance(WireAccountSchema.parse(accountFixture.response.body));
    expect(balance).toEqual({ currency: "USD", cash: "99320.3", equity: "100068.8", buyingPower: "97817.3" });
  });

  it("maps recorded refusals to rejected BrokerErrors with stable codes", async () => {
    for (const [fixture, code, status] of [
      [fundsFixture, "insufficient-funds", 422],
      [noPriceFixture, "no-price", 422],
      [duplicateFixture, "duplicate-client-order-id", 409],
    ] as const) {
      const { client } = scripted([fixture.response]);
      const e = await brokerError(client.placeOrder("paper", amdBracket));
      expect(e).toMatchObject({ code, kind: "rejected", status, message: fixture.response.body.message, raw: fixture.response.body });
    }
  });

  it("a 429 is retryable and carries Retry-After", async () => {
    const { client } = scripted([{ status: 429, body: { code: "slow-down", message: "Too many requests" }, headers: { "retry-after": "2" } }]);
    expect(await brokerError(client.getBalance("paper"))).toMatchObject({ kind: "retryable", code: "rate-limited", retryAfterMs: 2000 });
  });

  it("a 5xx or no answer is outcome-unknown for placeOrder and retryable for reads", async () => {
    const s1 = scripted([{ status: 503, body: { code: "internal", message: "down" } }]);
    expect(await brokerError(s1.client.placeOrder("paper", amdBracket))).toMatchObject({ kind: "outcome-unknown", status: 503 });
    const s2 = scripted([{ status: 500 }]);
    expect(await brokerError(s2.client.getPositions("paper"))).toMatchObject({ kind: "retryable", status: 500 });
    const s3 = scripted([new Error("connection reset")]);
    expect(await brokerError(s3.client.placeOrder("paper", amdBracket))).toMatchObject({ kind: "outcome-unknown", code: "broker-unreachable" });
    const s4 = scripted([new Error("connection reset")]);
    expect(await brokerError(s4.client.getOpenOrders("paper"))).toMatchObject({ kind: "retryable" });
    const s5 = scripted([{ status: 200, body: { unexpected: true } }]);
    expect(await brokerError(s5.client.placeOrder("paper", amdBracket))).toMatchObject({ kind: "outcome-unknown", code: "bad-response" });
  });

  it("getOrder is null only for the ledger's own order-not-found, never for a wrong route", async () => {
    const s1 = scripted([{ status: 404, body: { code: "order-not-found", message: "no" } }]);
    expect(await s1.client.getOrder("paper", { clientOrderId: "x" })).toBeNull();
    const s2 = scripted([{ status: 404, body: { code: "route-not-found", message: "no route" } }]);
    expect(await brokerError(s2.client.getOrder("paper", { clientOrderId: "x" }))).toMatchObject({ kind: "rejected" });
  });

  it("sets the account up and retries once when the ledger is not initialised", async () => {
    const { client, sent } = scripted(
      [{ status: 409, body: { code: "not-initialized", message: "set up first" } }, accountCreatedFixture.response, entryFixture.response],
      { startingCash: 2500.5 },
    );
    expect((await client.placeOrder("paper", amdBracket)).status).toBe("filled");
    expect(sent.map((r) => [r.method, r.url.slice(BASE.length), r.body])).toEqual([
      ["POST", "/orders", expect.anything()],
      ["POST", "/account", { starting_cash: "2500.5" }],
      ["POST", "/orders", expect.anything()],
    ]);
  });
});

describe("fixtures match the live ledger", () => {
  const keysOf = (o: unknown) => Object.keys(o as object).sort();

  it("orders, positions and account have the recorded shapes", async () => {
    const id = crypto.randomUUID();
    const ledger = env.PAPER_LEDGER.getByName(id);
    const post = async (path: string, body: unknown) =>
      (await ledger.fetch(`https://paper.tradeloop.internal/ledgers/${id}${path}`, { method: "POST", body: JSON.stringify(body) })).json();
    const get = async (path: string) => (await ledger.fetch(`https://paper.tradeloop.internal/ledgers/${id}${path}`)).json();
    expect(keysOf(await post("/account", {}))).toEqual(keysOf(accountCreatedFixture.response.body));
    const order = await post("/orders", { symbol: "AMD", side: "buy", type: "market", qty: "1", reference_price: "100" });
    expect(keysOf(order)).toEqual(keysOf(entryFixture.response.body));
    const { positions } = (await get("/positions")) as { positions: unknown[] };
    expect(keysOf(positions[0])).toEqual(keysOf(positionsFixture.response.body.positions[0]));
    expect(keysOf(await get("/account"))).toEqual(keysOf(accountFixture.response.body));
    const refused = await post("/orders", { symbol: "QQQ", side: "buy", type: "market", qty: "1" });
    expect(refused).toEqual(noPriceFixture.response.body);
  });
});
