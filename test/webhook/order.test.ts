/**
 * The order Tradeloop guarantees for one subscription (stated in
 * worker/execution/subscription-queue.ts and docs/performance.md): signals
 * run in the order they reach the subscription's queue, so a signal whose
 * webhook reply came back before the next one was sent always runs first,
 * also while the queue is busy with a slow broker, and also when a
 * configuration change makes the webhook read the strategy again in
 * between. Requests in flight at the same time have no defined order.
 */
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { ledgerSnapshot } from "../helpers/brokers";
import { createTrader, sendAlert, settledSignal } from "../helpers/trader";

describe("order of signals for one subscription", () => {
  it("sequential signals execute in the order sent, behind a slow broker and across configuration changes", async () => {
    // 40 ms per broker call: every signal waits behind the one before it.
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true }, connectionSettings: { latencyMs: 40 } });
    const quantities = [1, 2, 3, 4, 5, 6, 7, 8];
    const ids: string[] = [];
    for (const [i, quantity] of quantities.entries()) {
      // Every third signal follows a change that makes the webhook's view stale (the strategy is read again).
      if (i % 3 === 2) {
        const patched = await api("PATCH", `/api/subscriptions/${trader.subscriptionId}`, { token: trader.token, json: { settings: { allowAddToPosition: true, quantity } } });
        expect(patched.status).toBe(200);
      }
      const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity, price: 100 });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      ids.push(reply.body.id!);
    }
    for (const id of ids) expect((await settledSignal(trader.token, id, 30_000)).trades[0]?.status).toBe("filled");
    const orders = (await ledgerSnapshot(trader.connectionId)).orders;
    expect(orders.map((o) => Number(o.quantity))).toEqual(quantities);
  });

  it("a delayed signal joins the line when it is due: the signals behind it do not wait", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const delayed = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 9, price: 100, delay: 1 });
    const now = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    expect((await settledSignal(trader.token, now.body.id!)).trades[0]?.status).toBe("filled");
    expect((await settledSignal(trader.token, delayed.body.id!, 30_000)).trades[0]?.status).toBe("filled");
    expect((await ledgerSnapshot(trader.connectionId)).orders.map((o) => Number(o.quantity))).toEqual([1, 9]);
  });
});
