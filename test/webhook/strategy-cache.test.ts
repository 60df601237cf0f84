/**
 * The webhook's isolate cache of a strategy, and each queue's copy of its
 * subscription's settings: a warm webhook reads no D1, and every change
 * (settings, secret, enabled, subscriptions, connections, deletion) takes
 * effect on the very next signal, because the change raises the strategy's
 * config version and the queues refuse signals stamped older
 * (worker/execution/queue-config.ts, worker/webhook/strategy-lookup.ts).
 *
 * Every test first warms the cache with a signal, then changes something
 * through the API and sends again.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pauseSubscriptions, resumeSubscriptions } from "../../worker/connections/lifecycle";
import { StrategyCache, type StrategyLookup } from "../../worker/webhook/strategy-lookup";
import { api } from "../helpers/api";
import { ledgerSnapshot } from "../helpers/brokers";
import { createTrader, sendAlert, settledSignal, type Trader } from "../helpers/trader";

const BUY = { ticker: "SPY", action: "buy", quantity: 1, price: 100 };

/** Sends a buy, waits until it traded: the webhook's cache and the queue's copy are warm. */
async function warm(trader: Trader, subscriptions = 1): Promise<void> {
  const r = await sendAlert(trader.webhookUrl, BUY);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const s = await settledSignal(trader.token, r.body.id!);
  expect(s.trades).toHaveLength(subscriptions);
}

/** A second subscription of the trader's strategy, on its own paper connection. */
async function addSubscription(trader: Trader, settings: Record<string, unknown> = {}): Promise<{ subscriptionId: string; connectionId: string }> {
  const conn = await api<{ id: string }>("POST", "/api/connections", { token: trader.token, json: { broker: "paper", name: "Paper 2", settings: {} } });
  expect(conn.status).toBe(201);
  const sub = await api<{ id: string }>("POST", "/api/subscriptions", {
    token: trader.token,
    json: { strategyId: trader.strategyId, connectionId: conn.body.id, settings: { allowAddToPosition: true, ...settings } },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  return { subscriptionId: sub.body.id, connectionId: conn.body.id };
}

async function withTablesDown<T>(tables: readonly string[], fn: () => Promise<T>): Promise<T> {
  for (const t of tables) await env.DB.prepare(`ALTER TABLE ${t} RENAME TO ${t}_down`).run();
  try {
    return await fn();
  } finally {
    for (const t of tables) await env.DB.prepare(`ALTER TABLE ${t}_down RENAME TO ${t}`).run();
  }
}

describe("a warm webhook", () => {
  it("reads no D1 to accept a signal: it queues and executes with the strategy and subscription tables gone", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    await warm(trader);
    const reply = await withTablesDown(["strategies", "subscriptions"], () => sendAlert(trader.webhookUrl, BUY));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades).toMatchObject([{ status: "filled" }]);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(2);
  });

  it("never refuses on cached data: a wrong secret is checked against D1 (and 503 while D1 is down)", async () => {
    const trader = await createTrader();
    await warm(trader);
    const wrong = trader.webhookUrl.replace(/\/[^/]+$/, "/not-the-secret");
    const down = await withTablesDown(["strategies"], () => sendAlert(wrong, BUY));
    expect(down.status).toBe(503);
    const up = await sendAlert(wrong, BUY);
    expect(up.body).toMatchObject({ success: false, messageCode: "invalid-password" });
  });
});

describe("a change takes effect on the next signal", () => {
  it("a rotated secret: the old URL is refused, the new one accepted", async () => {
    const trader = await createTrader();
    await warm(trader);
    const rotated = await api<{ webhookUrl: string }>("POST", `/api/strategies/${trader.strategyId}/rotate-secret`, { token: trader.token });
    expect(rotated.status).toBe(200);
    const old = await sendAlert(trader.webhookUrl, BUY);
    expect(old.status).toBe(400);
    expect(old.body.messageCode).toBe("invalid-password");
    const fresh = await sendAlert(rotated.body.webhookUrl, BUY);
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
  });

  it("a disabled strategy is refused, and accepted again once enabled", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    await warm(trader);
    expect((await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { enabled: false } })).status).toBe(200);
    const off = await sendAlert(trader.webhookUrl, BUY);
    expect(off.body.messageCode).toBe("strategy-disabled");
    expect((await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { enabled: true } })).status).toBe(200);
    const on = await sendAlert(trader.webhookUrl, BUY);
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect((await settledSignal(trader.token, on.body.id!)).trades).toMatchObject([{ status: "filled" }]);
  });

  it("a strategy setting: a stale signal the new maxSignalAgeSeconds forbids is refused", async () => {
    const trader = await createTrader();
    await warm(trader);
    expect((await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { settings: { maxSignalAgeSeconds: 60 } } })).status).toBe(200);
    const late = await sendAlert(trader.webhookUrl, { ...BUY, time: new Date(Date.now() - 600_000).toISOString() });
    expect(late.status).toBe(400);
    expect(late.body.messageCode).toBe("signal-too-old");
  });

  it("a deleted strategy answers 404", async () => {
    const trader = await createTrader();
    await warm(trader);
    expect((await api("DELETE", `/api/strategies/${trader.strategyId}`, { token: trader.token })).status).toBe(204);
    const gone = await sendAlert(trader.webhookUrl, BUY);
    expect(gone.status).toBe(404);
  });

  it("a subscription's settings: the queue runs the next signal under the new ones", async () => {
    const trader = await createTrader();
    await warm(trader);
    const patched = await api("PATCH", `/api/subscriptions/${trader.subscriptionId}`, { token: trader.token, json: { settings: { ignoreExits: true } } });
    expect(patched.status).toBe(200);
    const exit = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "exit", price: 100 });
    expect(exit.status).toBe(200);
    expect((await settledSignal(trader.token, exit.body.id!)).trades).toMatchObject([{ status: "rejected", messageCode: "exit-ignored" }]);
  });

  it("a disabled subscription gets no trade, and gets them again once enabled", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const second = await addSubscription(trader);
    await warm(trader, 2);
    expect((await api("PATCH", `/api/subscriptions/${second.subscriptionId}`, { token: trader.token, json: { enabled: false } })).status).toBe(200);
    const one = await sendAlert(trader.webhookUrl, BUY);
    expect((await settledSignal(trader.token, one.body.id!)).trades.map((t) => t.subscriptionId)).toEqual([trader.subscriptionId]);
    expect((await api("PATCH", `/api/subscriptions/${second.subscriptionId}`, { token: trader.token, json: { enabled: true } })).status).toBe(200);
    const both = await sendAlert(trader.webhookUrl, BUY);
    expect((await settledSignal(trader.token, both.body.id!)).trades.map((t) => t.subscriptionId).sort()).toEqual([trader.subscriptionId, second.subscriptionId].sort());
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(2);
  });

  it("a deleted subscription gets no trade; a new one gets its first", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const second = await addSubscription(trader);
    await warm(trader, 2);
    expect((await api("DELETE", `/api/subscriptions/${second.subscriptionId}`, { token: trader.token })).status).toBe(204);
    const one = await sendAlert(trader.webhookUrl, BUY);
    expect((await settledSignal(trader.token, one.body.id!)).trades.map((t) => t.subscriptionId)).toEqual([trader.subscriptionId]);
    const third = await addSubscription(trader);
    const two = await sendAlert(trader.webhookUrl, BUY);
    expect((await settledSignal(trader.token, two.body.id!)).trades.map((t) => t.subscriptionId).sort()).toEqual([trader.subscriptionId, third.subscriptionId].sort());
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(1);
  });

  it("a subscription added while the cache was warm: the signal's outcome waits for both trades", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    await warm(trader);
    const second = await addSubscription(trader);
    const next = await sendAlert(trader.webhookUrl, BUY);
    expect(next.status).toBe(200);
    const row = await env.DB.prepare("SELECT expected_trades AS n FROM signals WHERE id = ?").bind(next.body.id!).first<{ n: number }>();
    await expect
      .poll(async () => (await api<{ outcome: string; trades: unknown[] }>("GET", `/api/signals/${next.body.id}`, { token: trader.token })).body, { timeout: 10_000 })
      .toMatchObject({ outcome: "traded", trades: [{}, {}] });
    expect(row === null || row.n === 2).toBe(true);
    const final = await env.DB.prepare("SELECT expected_trades AS n FROM signals WHERE id = ?").bind(next.body.id!).first<{ n: number }>();
    expect(final?.n).toBe(2);
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(1);
  });

  it("a deleted connection takes its subscription out of the next signal", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const second = await addSubscription(trader);
    await warm(trader, 2);
    expect((await api("DELETE", `/api/connections/${second.connectionId}`, { token: trader.token })).status).toBe(204);
    const next = await sendAlert(trader.webhookUrl, BUY);
    expect((await settledSignal(trader.token, next.body.id!)).trades.map((t) => t.subscriptionId)).toEqual([trader.subscriptionId]);
  });

  it("a paused subscription (its connection expired): the webhook refuses its trade itself; resumed, the next signal trades", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const second = await addSubscription(trader);
    await warm(trader, 2);
    const paused = await pauseSubscriptions(env, second.connectionId, "connection-expired", "The broker refused the credentials.");
    expect(paused).toEqual([second.subscriptionId]);
    const refused = await settledSignal(trader.token, (await sendAlert(trader.webhookUrl, BUY)).body.id!);
    // Refused at the webhook (the pause sentence), not by the queue: the cached view followed the pause.
    expect(refused.trades.find((t) => t.subscriptionId === second.subscriptionId)).toMatchObject({
      status: "rejected",
      messageCode: "connection-expired",
      message: "Nothing was sent: the subscription is paused. The broker refused the credentials.",
    });
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(1);
    expect(await resumeSubscriptions(env, trader.userId, second.connectionId)).toEqual([second.subscriptionId]);
    const traded = await settledSignal(trader.token, (await sendAlert(trader.webhookUrl, BUY)).body.id!);
    expect(traded.trades.map((t) => t.status), JSON.stringify(traded)).toEqual(["filled", "filled"]);
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(2);
  });

  it("a refused stamp never queues a signal twice: every subscription gets exactly one trade", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const second = await addSubscription(trader);
    await warm(trader, 2);
    // A change to one subscription makes the strategy's stamp stale for both queues.
    expect((await api("PATCH", `/api/subscriptions/${second.subscriptionId}`, { token: trader.token, json: { settings: { allowAddToPosition: true, quantity: 2 } } })).status).toBe(200);
    const next = await sendAlert(trader.webhookUrl, BUY);
    const signal = await settledSignal(trader.token, next.body.id!);
    expect(signal.trades).toHaveLength(2);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(2);
    expect((await ledgerSnapshot(second.connectionId)).orders).toHaveLength(2);
  });
});

describe("a queue's version check", () => {
  it("refuses a signal stamped older than its copy, and queues nothing", async () => {
    const trader = await createTrader();
    await warm(trader);
    const row = await env.DB.prepare("SELECT config_version AS v FROM strategies WHERE id = ?").bind(trader.strategyId).first<{ v: number }>();
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    const signal = { ticker: "SPY", action: "buy", quantity: 1, signalPrice: "100" } as never;
    const logRow = { id: crypto.randomUUID(), userId: trader.userId, strategyId: trader.strategyId, receivedAt: Date.now(), status: "accepted" as const, payload: {}, sourceIp: null, contentType: null, alertId: null, bodyHash: null };
    const envelope = { signalId: logRow.id, tradeId: crypto.randomUUID(), receivedAt: logRow.receivedAt, notBefore: null, signal, logRow };
    expect(await queue.enqueue({ subscriptionId: trader.subscriptionId, configVersion: row!.v - 1, signals: [envelope] })).toEqual({ stale: true });
    expect((await queue.pendingWork()).queued).toBe(0);
    expect(await queue.getTrade(logRow.id)).toBeNull();
  });
});

describe("StrategyCache", () => {
  const lookup = (n: number): StrategyLookup => ({
    strategy: { id: `s${n}`, userId: "u", secretHash: "h", assetClass: "stocks", allowedTickers: null, settings: {}, enabled: true },
    subscriptionIds: ["sub"],
    paused: [],
    version: 1,
    fresh: true,
  });

  it("serves a copy until its time-to-live, marked as not fresh", () => {
    const cache = new StrategyCache(10, 1_000);
    cache.set("a", lookup(1), 0);
    expect(cache.get("a", 999)).toMatchObject({ fresh: false, version: 1 });
    expect(cache.get("a", 1_000)).toBeUndefined();
  });

  it("keeps the most recently used entries within its bound", () => {
    const cache = new StrategyCache(2, 60_000);
    cache.set("a", lookup(1), 0);
    cache.set("b", lookup(2), 0);
    cache.get("a", 1);
    cache.set("c", lookup(3), 2);
    expect(cache.get("b", 3)).toBeUndefined();
    expect(cache.get("a", 3)).toBeDefined();
    expect(cache.get("c", 3)).toBeDefined();
  });

  it("never caches a strategy without subscriptions (no queue would notice one added)", () => {
    const cache = new StrategyCache(10, 60_000);
    cache.set("a", { ...lookup(1), subscriptionIds: [] }, 0);
    expect(cache.get("a", 1)).toBeUndefined();
  });
});
