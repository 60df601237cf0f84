/**
 * A SubscriptionQueue may be evicted or crash at any moment, even while a
 * broker request is in flight. The queue in SQLite plus the alarm must
 * resume the work, and the client order id plus reconciliation must keep it
 * to exactly one order at the broker.
 */
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { brokerClientFor } from "../../worker/connections/broker-client";
import { clientOrderIdFor } from "../../worker/execution/client-order-id";
import type { SubscriptionQueue } from "../../worker/execution/subscription-queue";
import { ledgerOrders } from "../helpers/paper";
import { createTrader, positionOf, sendAlert, settledSignal, type Trader } from "../helpers/trader";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the queue's alarm until nothing is queued (the recovery path after a crash). */
async function recover(queue: DurableObjectStub<SubscriptionQueue>): Promise<void> {
  for (let i = 0; i < 10 && (await queue.pendingWork()).queued > 0; i++) {
    await runDurableObjectAlarm(queue);
    await sleep(20);
  }
}

async function expectExactlyOnce(trader: Trader, signalId: string, ticker: string, quantity: number) {
  const signal = await settledSignal(trader.token, signalId, 30_000);
  expect(signal.trades[0]?.status).toBe("filled");
  const atBroker = await ledgerOrders(trader.connectionId);
  expect(atBroker).toHaveLength(1);
  expect(atBroker[0]?.client_order_id).toBe(signal.trades[0]?.orders[0]?.clientOrderId);
  expect(await positionOf(trader, ticker)).toBe(quantity);
  const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
  // The D1 copy may trail the trade by one sync (or one alarm); it must catch up completely.
  await expect.poll(() => queue.pendingWork(), { timeout: 10_000, interval: 100 }).toEqual({ queued: 0, unsynced: 0 });
}

describe("eviction and crashes", () => {
  it("a signal queued, then the object evicted before it ran, executes exactly once from the alarm", async () => {
    const trader = await createTrader();
    // `delay` keeps the signal in the queue (scheduled by alarm) while we evict.
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 2, price: 100, delay: 1 });
    expect(reply.status).toBe(200);
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    expect((await queue.pendingWork()).queued).toBe(1);

    await evictDurableObject(queue);
    expect(await ledgerOrders(trader.connectionId)).toHaveLength(0);
    await sleep(1_100);
    await recover(queue);
    await expectExactlyOnce(trader, reply.body.id!, "SPY", 2);
  });

  it("a crash after the broker accepted the order but before we recorded it is reconciled, not resent", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", quantity: 3, price: 150, delay: 1 });
    const signalId = reply.body.id!;
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    const clientOrderId = await clientOrderIdFor(signalId, trader.subscriptionId, "entry");

    // Simulate the instant of the crash: the queue had persisted "sending" for
    // the entry, the request reached the broker, and the reply was lost.
    await runInDurableObject(queue, (_instance, state) => {
      const now = Date.now();
      const trade = state.storage.sql.exec<{ id: string }>(`SELECT id FROM trades WHERE signal_id = ?`, signalId).one();
      state.storage.sql.exec(
        `INSERT INTO orders (id, client_order_id, trade_id, signal_id, leg, role, ticker, side, quantity, type, time_in_force, status, send_state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'entry', 'entry', 'AAPL', 'buy', '3', 'market', 'day', 'pending', 'sending', ?, ?)`,
        crypto.randomUUID(),
        clientOrderId,
        trade.id,
        signalId,
        now,
        now,
      );
    });
    const broker = brokerClientFor(env, { id: trader.connectionId, broker: "paper", settings: {} });
    await broker.placeOrder("paper", {
      clientOrderId,
      ticker: "AAPL",
      assetClass: "stocks",
      side: "buy",
      quantity: "3",
      type: "market",
      timeInForce: "day",
      referencePrice: "150",
    });

    await evictDurableObject(queue);
    await sleep(1_100);
    await recover(queue);
    await expectExactlyOnce(trader, signalId, "AAPL", 3);
  });

  for (const crashAfterMs of [0, 60, 150]) {
    it(`every object aborted ${crashAfterMs} ms into a slow broker call still ends with exactly one order`, async () => {
      const trader = await createTrader({ connectionSettings: { latencyMs: 100 } });
      const reply = await sendAlert(trader.webhookUrl, { ticker: "QQQ", action: "buy", quantity: 4, price: 400 });
      expect(reply.status).toBe(200);
      await sleep(crashAfterMs);
      // Kills in-flight work in every Durable Object, the queue and the paper ledger alike.
      await abortAllDurableObjects().catch(() => undefined);
      await sleep(250);
      await recover(env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId));
      await expectExactlyOnce(trader, reply.body.id!, "QQQ", 4);
    });
  }
  it("rows the last instance copied to D1 but had not marked as copied are copied again by the next instance, with no alarm to wait for", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "QQQ", action: "buy", quantity: 1, price: 400 });
    expect(reply.status).toBe(200);
    await expectExactlyOnce(trader, reply.body.id!, "QQQ", 1);
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    // The "copied" marks ride on the next write turn (queue-store.ts), so an idle queue holds them in memory only.
    const dirtyOnDisk = await runInDurableObject(queue, (_instance, state) =>
      state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM trades WHERE version > synced_version`).one().n,
    );
    expect(dirtyOnDisk, "precondition: the trade's copied mark is still in memory").toBeGreaterThan(0);

    // Evicted while idle: the marks are lost, and nothing else will ever write or wake this queue.
    await evictDurableObject(queue);
    // The next instance copies the rows again on its own (an idempotent upsert), without any alarm being run here.
    await expect.poll(() => queue.pendingWork(), { timeout: 10_000, interval: 100 }).toEqual({ queued: 0, unsynced: 0 });
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status).toBe("filled");
  });
});
