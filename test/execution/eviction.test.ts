/**
 * A SubscriptionQueue may be evicted at any moment, even while a broker
 * request is in flight. The alarm must resume the work, and the client order
 * id plus reconciliation must keep it to exactly one order.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerOrders } from "../helpers/paper";
import { createTrader, positionOf, sendAlert, settledSignal } from "../helpers/trader";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("eviction", () => {
  for (const evictAfterMs of [0, 30, 120, 250]) {
    it(`a signal queued, then the object evicted after ${evictAfterMs} ms, still executes exactly once`, async () => {
      const trader = await createTrader({ connectionSettings: { latencyMs: 100 } });
      const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 2, price: 100 });
      expect(reply.status).toBe(200);
      const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);

      await sleep(evictAfterMs);
      await evictDurableObject(queue);
      // Let any request the evicted object had in flight land at the broker.
      await sleep(150);
      // The alarm is the recovery path: run it now instead of waiting for the watchdog.
      for (let i = 0; i < 5 && (await queue.pendingWork()).queued > 0; i++) await runDurableObjectAlarm(queue);

      const signal = await settledSignal(trader.token, reply.body.id!, 30_000);
      expect(signal.trades[0]?.status).toBe("filled");
      const atBroker = await ledgerOrders(trader.connectionId);
      expect(atBroker).toHaveLength(1);
      expect(atBroker[0]?.client_order_id).toBe(signal.trades[0]?.orders[0]?.clientOrderId);
      expect(await positionOf(trader, "SPY")).toBe(2);
      expect(await queue.pendingWork()).toEqual({ queued: 0, unsynced: 0 });
    });
  }
});
