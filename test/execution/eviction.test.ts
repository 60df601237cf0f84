/**
 * A SubscriptionQueue may be evicted or crash at any moment, even while a
 * broker request is in flight. The queue in SQLite plus the alarm must
 * resume the work, and the client order id plus reconciliation must keep it
 * to exactly one order at the broker.
 *
 * No sleep decides where a crash lands. A delayed signal is made due on a
 * virtual clock (its `not_before` moved into the past), and a crash "in the
 * middle of a broker call" is placed there by holding the call at the broker
 * (test/helpers/alpaca.ts): the test waits until the request has reached the
 * broker (or the broker has answered), checks that the queue has recorded the
 * order as being sent and what the broker holds, and only then aborts every
 * object.
 */
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { brokerClientFor } from "../../worker/connections/broker-client";
import { clientOrderIdFor } from "../../worker/execution/client-order-id";
import type { SubscriptionQueue } from "../../worker/execution/subscription-queue";
import { alpacaUnderTest, type AlpacaUnderTest } from "../helpers/alpaca";
import { ledgerSnapshot, type BrokerSide } from "../helpers/brokers";
import { createTrader, positionOf, sendAlert, settledSignal, type Trader } from "../helpers/trader";

type Queue = DurableObjectStub<SubscriptionQueue>;

const queueOf = (trader: Trader): Queue => env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);

/** Runs the queue's alarm until nothing is queued: the recovery path after a crash, awaited, not slept on. */
async function recover(queue: Queue): Promise<void> {
  await expect
    .poll(
      async () => {
        await runDurableObjectAlarm(queue).catch(() => false);
        return (await queue.pendingWork()).queued;
      },
      { timeout: 20_000, interval: 20 },
    )
    .toBe(0);
}

/** The delayed signal's time has come: its `not_before` moves into the past (the clock jumped forward). */
async function makeDue(queue: Queue, signalId: string): Promise<void> {
  await runInDurableObject(queue, (_instance, state) => {
    state.storage.sql.exec(`UPDATE queue SET not_before = ? WHERE signal_id = ?`, Date.now() - 1, signalId);
  });
}

/** How the queue has recorded one of its orders: `sending` while the broker call is in flight. */
async function sendState(queue: Queue, clientOrderId: string): Promise<string | null> {
  return runInDurableObject(queue, (_instance, state) => {
    const row = state.storage.sql.exec<{ send_state: string }>(`SELECT send_state FROM orders WHERE client_order_id = ?`, clientOrderId).toArray()[0];
    return row?.send_state ?? null;
  });
}

async function expectExactlyOnce(trader: Trader, broker: BrokerSide, signalId: string, ticker: string, quantity: number): Promise<void> {
  const signal = await settledSignal(trader.token, signalId);
  expect(signal.trades[0]?.status).toBe("filled");
  const atBroker = (await broker.snapshot(trader.connectionId)).orders;
  expect(atBroker.map((o) => o.clientOrderId), "exactly one order at the broker, under our client order id").toEqual([signal.trades[0]?.orders[0]?.clientOrderId]);
  expect(await positionOf(trader, ticker)).toBe(quantity);
  // The D1 copy may trail the trade by one sync (or one alarm); it must catch up completely.
  await expect.poll(() => queueOf(trader).pendingWork(), { timeout: 10_000, interval: 100 }).toEqual({ queued: 0, unsynced: 0 });
}

const paper: BrokerSide = { name: "paper", connect: () => Promise.reject(new Error("unused")), snapshot: ledgerSnapshot, fixedPrice: null };

describe("eviction and crashes (paper broker)", () => {
  it("a signal queued, then the object evicted before it ran, executes exactly once when it falls due", async () => {
    const trader = await createTrader();
    // An hour's delay: nothing can run it before the test moves the clock.
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 2, price: 100, delay: 3600 });
    expect(reply.status).toBe(200);
    const queue = queueOf(trader);
    expect((await queue.pendingWork()).queued).toBe(1);

    await evictDurableObject(queue);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(0);
    await makeDue(queue, reply.body.id!);
    await recover(queue);
    await expectExactlyOnce(trader, paper, reply.body.id!, "SPY", 2);
  });

  it("a crash after the broker accepted the order but before the queue recorded the answer is reconciled, not resent", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", quantity: 3, price: 150, delay: 3600 });
    const signalId = reply.body.id!;
    const queue = queueOf(trader);
    const clientOrderId = await clientOrderIdFor(signalId, trader.subscriptionId, "entry");

    // The instant of the crash, made exactly: the queue had persisted "sending" for the entry, the
    // request reached the broker, and the reply was lost.
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
    await makeDue(queue, signalId);
    await recover(queue);
    await expectExactlyOnce(trader, paper, signalId, "AAPL", 3);
  });

  it("rows the last instance copied to D1 but had not marked as copied are copied again by the next instance, with no alarm to wait for", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "QQQ", action: "buy", quantity: 1, price: 400 });
    expect(reply.status).toBe(200);
    await expectExactlyOnce(trader, paper, reply.body.id!, "QQQ", 1);
    const queue = queueOf(trader);
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

describe("crashes in the middle of a broker call (Alpaca, held at the broker)", () => {
  let alpaca: AlpacaUnderTest;
  const started = (): AlpacaUnderTest => (alpaca ??= alpacaUnderTest("400"));
  afterAll(() => alpaca?.restore());
  const ORDER_POST = { method: "POST", path: "/v2/orders" } as const;

  /** A trader on Alpaca, a buy sent, and its order call held where `hold` says; resolves once it is held there. */
  async function buyHeldAt(where: "request" | "reply") {
    const a = started();
    const trader = await createTrader({ broker: a.broker });
    const hold = where === "request" ? a.holdRequest(ORDER_POST) : a.holdReply(ORDER_POST);
    const reply = await sendAlert(trader.webhookUrl, { ticker: "QQQ", action: "buy", quantity: 4, price: 400 });
    expect(reply.status).toBe(200);
    const signalId = reply.body.id!;
    await hold.reached;
    const clientOrderId = await clientOrderIdFor(signalId, trader.subscriptionId, "entry");
    return { a, trader, hold, signalId, clientOrderId };
  }

  it("the broker booked the order, its answer is in flight, every object is aborted: reconciled to exactly one order", async () => {
    const { a, trader, hold, signalId, clientOrderId } = await buyHeldAt("reply");
    // The crash lands mid-call: the queue has recorded the order as being sent, and the broker holds it.
    expect(await sendState(queueOf(trader), clientOrderId)).toBe("sending");
    expect((await a.broker.snapshot(trader.connectionId)).orders.map((o) => o.clientOrderId)).toEqual([clientOrderId]);
    await abortAllDurableObjects().catch(() => undefined);
    hold.release(); // the answer would go to an object that no longer waits for it
    await recover(queueOf(trader));
    await expectExactlyOnce(trader, a.broker, signalId, "QQQ", 4);
  });

  it("the request was on its way when every object was aborted, and arrives after the queue placed it again: still one order", async () => {
    const { a, trader, hold, signalId, clientOrderId } = await buyHeldAt("request");
    expect(await sendState(queueOf(trader), clientOrderId)).toBe("sending");
    expect((await a.broker.snapshot(trader.connectionId)).orders, "the broker has not seen it yet").toEqual([]);
    await abortAllDurableObjects().catch(() => undefined);
    await recover(queueOf(trader));
    // The original request finally reaches the broker (its sender is gone): the same client order id is refused.
    const late = await hold.deliverLate();
    expect([late.status, await late.json()]).toEqual([422, { code: 40010001, message: "client_order_id must be unique" }]);
    await expectExactlyOnce(trader, a.broker, signalId, "QQQ", 4);
  });
});
