/**
 * Alerts that race: the SubscriptionQueue must run them one at a time, in
 * arrival order, with no lost or duplicated orders. Arrival order is made
 * by awaiting each webhook reply (the signal is queued when it answers),
 * never by a timer.
 */
import { api } from "../helpers/api";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { alpacaUnderTest } from "../helpers/alpaca";
import { ledgerSnapshot } from "../helpers/brokers";
import { createTrader, positionOf, sendAlert, settledSignal } from "../helpers/trader";

const BURST = 40;

async function burst(webhookUrl: string, n: number, body: (i: number) => unknown) {
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => sendAlert(webhookUrl, body(i))));
  for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(200);
  return replies.map((r) => r.body.id!);
}

describe("concurrency", () => {
  it(`${BURST} concurrent buys with add allowed end at exactly ${BURST}, with ${BURST} distinct orders`, async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const ids = await burst(trader.webhookUrl, BURST, () => ({ ticker: "SPY", action: "buy", quantity: 1, price: 100 }));
    const signals = await Promise.all(ids.map((id) => settledSignal(trader.token, id, 30_000)));

    expect(signals.map((s) => s.trades[0]?.status)).toEqual(Array(BURST).fill("filled"));
    expect(await positionOf(trader, "SPY")).toBe(BURST);

    const atBroker = (await ledgerSnapshot(trader.connectionId)).orders;
    expect(atBroker).toHaveLength(BURST);
    expect(new Set(atBroker.map((o) => o.clientOrderId)).size).toBe(BURST);
    const ours = signals.map((s) => s.trades[0]!.orders[0]!.clientOrderId).sort();
    expect(atBroker.map((o) => o.clientOrderId).sort()).toEqual(ours);
  });

  it(`with add disallowed the same burst ends at exactly 1, with ${BURST - 1} trades rejected`, async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: false } });
    const ids = await burst(trader.webhookUrl, BURST, () => ({ ticker: "SPY", action: "buy", quantity: 1, price: 100 }));
    const signals = await Promise.all(ids.map((id) => settledSignal(trader.token, id, 30_000)));
    const statuses = signals.map((s) => s.trades[0]?.status);

    expect(statuses.filter((s) => s === "filled")).toHaveLength(1);
    expect(statuses.filter((s) => s === "rejected")).toHaveLength(BURST - 1);
    expect(await positionOf(trader, "SPY")).toBe(1);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(1);
  });

  it("keeps strict arrival order while a slow broker holds each order", async () => {
    // 40 ms per broker call: each trade awaits the broker several times, so
    // without explicit serialization later signals would overtake earlier ones.
    const trader = await createTrader({
      subscriptionSettings: { allowAddToPosition: true },
      connectionSettings: { latencyMs: 40 },
    });
    const ids: string[] = [];
    const inFlight: Promise<unknown>[] = [];
    for (let i = 1; i <= 8; i++) {
      // Each POST is replied to (and so queued) before the next is sent: arrival order = i.
      const reply = await sendAlert(trader.webhookUrl, { ticker: "QQQ", action: "buy", quantity: i, price: 400 });
      ids.push(reply.body.id!);
      inFlight.push(settledSignal(trader.token, reply.body.id!, 30_000));
    }
    await Promise.all(inFlight);
    const atBroker = (await ledgerSnapshot(trader.connectionId)).orders;
    expect(atBroker.map((o) => Number(o.quantity))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await positionOf(trader, "QQQ")).toBe(36);
  });

  it("an exit that arrives while its entry's order is still at the broker runs after the entry", async () => {
    // The entry's order call is held at the broker (booked, answer not yet back), so the exit provably
    // arrives mid-trade; nothing about it depends on how fast the machine is.
    const alpaca = alpacaUnderTest("200");
    try {
      const trader = await createTrader({ broker: alpaca.broker });
      const held = alpaca.holdReply({ method: "POST", path: "/v2/orders" });
      const buy = await sendAlert(trader.webhookUrl, { ticker: "IWM", action: "buy", quantity: 3, price: 200 });
      await held.reached;
      const exit = await sendAlert(trader.webhookUrl, { ticker: "IWM", action: "exit", price: 200 });
      expect([buy.status, exit.status]).toEqual([200, 200]);
      // The exit is queued behind the entry, which is still executing.
      expect((await env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId).pendingWork()).queued).toBe(2);
      held.release();
      const exitSignal = await settledSignal(trader.token, exit.body.id!);
      expect((await settledSignal(trader.token, buy.body.id!)).trades[0]?.status).toBe("filled");
      expect(exitSignal.trades[0]).toMatchObject({ status: "filled", messageCode: "close-open-position" });
      expect((await alpaca.broker.snapshot(trader.connectionId)).orders.map((o) => [o.side, o.quantity])).toEqual([
        ["buy", "3"],
        ["sell", "3"],
      ]);
      expect(await positionOf(trader, "IWM")).toBe(0);
    } finally {
      alpaca.restore();
    }
  });

  it("two subscriptions of one strategy each get their own trade", async () => {
    const trader = await createTrader();
    const conn2 = await api<{ id: string }>("POST", "/api/connections", { token: trader.token, json: { broker: "paper", name: "Second" } });
    const sub2 = await api<{ id: string }>("POST", "/api/subscriptions", {
      token: trader.token,
      json: { strategyId: trader.strategyId, connectionId: conn2.body.id, settings: { quantity: 7 } },
    });
    expect(sub2.status).toBe(201);
    const reply = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", price: 150 });
    const signal = await settledSignal(trader.token, reply.body.id!);
    const bySub = Object.fromEntries(signal.trades.map((t) => [t.subscriptionId, t.orders[0]?.quantity]));
    expect(bySub).toEqual({ [trader.subscriptionId]: 1, [sub2.body.id]: 7 });
  });
});
