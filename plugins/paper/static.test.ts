/**
 * Paper-specific static tests the shared kit cases (cases.ts) do not cover:
 * settings-dependent requests (latency header, starting cash), the
 * session-only time-in-force mapping (sent through the raw plugin, since the
 * core's guard refuses opg/cls for this broker), and a check that the
 * recorded fixtures still match what the live ledger sends.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BrokerError, type BrokerClient, type OrderRequest, type PluginContext } from "../sdk";
import { createPluginContext } from "../sdk/host";
import type { PaperSettings } from "./manifest";
import accountFixture from "./fixtures/account.json";
import accountCreatedFixture from "./fixtures/account-created.json";
import fundsFixture from "./fixtures/error-insufficient-funds.json";
import noPriceFixture from "./fixtures/error-no-price.json";
import entryFixture from "./fixtures/order-filled-bracket-entry.json";
import shortFixture from "./fixtures/order-filled-short.json";
import positionsFixture from "./fixtures/positions.json";
import { paperPlugin } from "./index";

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

describe("paper-specific requests (the shared cases are in cases.ts, run by the kit in paper.test.ts)", () => {
  it("sends the connection's simulated latency as a header", async () => {
    const { client, sent } = scripted([entryFixture.response], { latencyMs: 40 });
    await client.placeOrder("paper", amdBracket);
    expect(sent[0]?.headers).toEqual({ accept: "application/json", "content-type": "application/json", "x-paper-latency-ms": "40" });
  });

  it("maps the session-only time in force opg/cls to day (the ledger knows no sessions)", async () => {
    const { client, sent } = scripted([shortFixture.response]);
    await client.placeOrder("paper", { ...amdBracket, bracket: undefined, referencePrice: undefined, timeInForce: "opg" });
    expect(sent[0]?.body).toMatchObject({ time_in_force: "day" });
    expect(sent[0]?.headers).not.toHaveProperty("x-paper-latency-ms");
  });

  it("sets the account up with the connection's own starting cash before retrying", async () => {
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

  it("keeps the ledger's message and body on refusals", async () => {
    const { client } = scripted([fundsFixture.response]);
    const e = await brokerError(client.placeOrder("paper", amdBracket));
    expect(e).toMatchObject({ message: fundsFixture.response.body.message, raw: fundsFixture.response.body, retryAfterMs: undefined });
    const slow = scripted([{ status: 429, body: { code: "slow-down", message: "Too many requests" }, headers: { "retry-after": "2" } }]);
    expect(await brokerError(slow.client.getBalance("paper"))).toMatchObject({ retryAfterMs: 2000 });
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
