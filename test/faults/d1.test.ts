/**
 * D1 failures during a webhook.
 *
 * How D1 is made to fail: the test renames a real table in the real (local)
 * D1 database, `ALTER TABLE signals RENAME TO signals_down`, so every
 * statement the Worker sends against it fails inside D1 with "no such
 * table", exactly where an outage would surface (the batch is refused as a
 * whole). Renaming it back is the outage ending. A queue's own storage is
 * broken the same way, by renaming its SQLite `queue` table inside the
 * Durable Object. Nothing in the Worker is mocked or wrapped.
 *
 * - D1 down, queue up: the signal is durably queued, so the reply is 200,
 *   it executes, and the log row catches up once D1 is back.
 * - D1 down, queue down: nothing was stored, so the reply is 503
 *   `temporarily-unavailable`, never 200, and nothing executes.
 */
import { api } from "../helpers/api";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert, type Trader } from "../helpers/trader";
import { ledgerSnapshot } from "../helpers/brokers";
import { queueOf, settleQueues } from "./support";

async function renameD1Table(from: string, to: string): Promise<void> {
  await env.DB.prepare(`ALTER TABLE ${from} RENAME TO ${to}`).run();
}

/** Runs `fn` with a D1 table gone; always puts it back. */
async function withD1TableDown<T>(table: string, fn: () => Promise<T>): Promise<T> {
  await renameD1Table(table, `${table}_down`);
  try {
    return await fn();
  } finally {
    await renameD1Table(`${table}_down`, table);
  }
}

/** Breaks (or repairs) a subscription queue's own SQLite queue table. */
async function setQueueStorage(subscriptionId: string, up: boolean): Promise<void> {
  await runInDurableObject(queueOf(subscriptionId), (_instance, state) => {
    state.storage.sql.exec(up ? `ALTER TABLE queue_down RENAME TO queue` : `ALTER TABLE queue RENAME TO queue_down`);
  });
}

async function signalRows(strategyId: string): Promise<{ id: string; status: string }[]> {
  const res = await env.DB.prepare(`SELECT id, status FROM signals WHERE strategy_id = ?`).bind(strategyId).all<{ id: string; status: string }>();
  return res.results;
}

async function expectNoOrders(trader: Pick<Trader, "connectionId">): Promise<void> {
  expect((await ledgerSnapshot(trader.connectionId)).orders).toEqual([]);
}

const BUY = { ticker: "SPY", action: "buy", quantity: 3, price: 100 };

describe("D1 failures during a webhook", () => {
  it("D1 down but the queue up: 200, the signal executes, and the log row and trade catch up when D1 is back", async () => {
    const trader = await createTrader();
    const reply = await withD1TableDown("signals", async () => {
      const r = await sendAlert(trader.webhookUrl, BUY);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.success).toBe(true);
      // It runs while D1 is still down: the queue needs nothing from D1.
      await expect
        .poll(async () => (await ledgerSnapshot(trader.connectionId)).orders.map((o) => o.status), { timeout: 10_000, interval: 50 })
        .toEqual(["filled"]);
      const down = await env.DB.prepare(`SELECT count(*) AS n FROM signals_down WHERE id = ?`).bind(r.body.id!).first<{ n: number }>();
      expect(down?.n).toBe(0);
      // The read model is behind, and the queue knows it.
      expect((await queueOf(trader.subscriptionId).pendingWork()).unsynced).toBeGreaterThan(0);
      return r;
    });

    // D1 is back. The queue's alarm (5 s later in production; run now) writes what was missed.
    await runDurableObjectAlarm(queueOf(trader.subscriptionId));
    await settleQueues([trader.subscriptionId], 20_000);
    expect(await signalRows(trader.strategyId)).toEqual([{ id: reply.body.id!, status: "accepted" }]);
    const view = await api<{ trades: { status: string; orders: unknown[] }[] }>("GET", `/api/signals/${reply.body.id}`, { token: trader.token });
    expect(view.status).toBe(200);
    expect(view.body.trades).toMatchObject([{ status: "filled", orders: [{ quantity: 3, status: "filled" }] }]);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(1);
  });

  it("D1 down and the queue's storage down: 503 temporarily-unavailable, nothing executes, and a resend executes once", async () => {
    const trader = await createTrader();
    await setQueueStorage(trader.subscriptionId, false);
    try {
      await withD1TableDown("signals", async () => {
        const r = await sendAlert(trader.webhookUrl, BUY);
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.body).toMatchObject({ success: false, messageCode: "temporarily-unavailable" });
      });
    } finally {
      await setQueueStorage(trader.subscriptionId, true);
    }
    // Nothing was stored anywhere, so there is nothing that could still run: the checks hold at once
    // (and the resend below ending with exactly one order proves the first never executed).
    expect(await signalRows(trader.strategyId)).toEqual([]);
    expect(await queueOf(trader.subscriptionId).pendingWork()).toEqual({ queued: 0, unsynced: 0 });
    await expectNoOrders(trader);

    const again = await sendAlert(trader.webhookUrl, BUY);
    expect(again.status).toBe(200);
    await settleQueues([trader.subscriptionId], 20_000);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(1);
  });

  it("D1 down with no subscription to queue to: 503, never 200", async () => {
    const trader = await createTrader();
    const del = await api("DELETE", `/api/subscriptions/${trader.subscriptionId}`, { token: trader.token });
    expect(del.status).toBeLessThan(300);
    await withD1TableDown("signals", async () => {
      const r = await sendAlert(trader.webhookUrl, BUY);
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.messageCode).toBe("temporarily-unavailable");
    });
  });

  it("D1 down for the strategy lookup: 503, nothing queued", async () => {
    const trader = await createTrader();
    await withD1TableDown("strategies", async () => {
      const r = await sendAlert(trader.webhookUrl, BUY);
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.messageCode).toBe("temporarily-unavailable");
    });
    expect(await queueOf(trader.subscriptionId).pendingWork()).toEqual({ queued: 0, unsynced: 0 });
    await expectNoOrders(trader);
  });

  it("D1 down when an alertId needs the dedupe check: 503, nothing queued", async () => {
    const trader = await createTrader();
    await withD1TableDown("signals", async () => {
      const r = await sendAlert(trader.webhookUrl, { ...BUY, alertId: "a-1" });
      expect(r.status, JSON.stringify(r.body)).toBe(503);
    });
    expect(await queueOf(trader.subscriptionId).pendingWork()).toEqual({ queued: 0, unsynced: 0 });
    await expectNoOrders(trader);
  });

  it("a rejected signal while D1 is down is a 503 (it could not be logged), never a 200", async () => {
    const trader = await createTrader();
    await withD1TableDown("signals", async () => {
      const r = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "bu" });
      expect(r.status).toBe(503);
    });
  });

  // Regression: with D1 down, one subscription's queue stored the signal and another's did not;
  // route.ts used to answer 503 "Nothing was executed; send it again" while the first subscription
  // executed it anyway, so a sender that retried duplicated that trade. A 503 must leave no trace
  // at any broker; since 88771c7 such a signal is accepted (200) and the log catches up from the queue.
  it("D1 down and one of two queues down: a 503 must not be followed by an execution", async () => {
    const trader = await createTrader();
    const conn2 = await api<{ id: string }>("POST", "/api/connections", { token: trader.token, json: { broker: "paper", name: "Second" } });
    const sub2 = await api<{ id: string }>("POST", "/api/subscriptions", {
      token: trader.token,
      json: { strategyId: trader.strategyId, connectionId: conn2.body.id },
    });
    expect(sub2.status).toBe(201);
    await setQueueStorage(sub2.body.id, false);
    let reply: Awaited<ReturnType<typeof sendAlert>> | null = null;
    try {
      await withD1TableDown("signals", async () => {
        reply = await sendAlert(trader.webhookUrl, BUY);
      });
    } finally {
      await setQueueStorage(sub2.body.id, true);
    }
    const r = reply as Awaited<ReturnType<typeof sendAlert>> | null;
    if (r === null) throw new Error("no reply");
    await settleQueues([trader.subscriptionId, sub2.body.id], 20_000);
    const first = (await ledgerSnapshot(trader.connectionId)).orders;
    const second = (await ledgerSnapshot(conn2.body.id)).orders;
    if (r.status === 503) {
      // Not accepted: no trace at either broker.
      expect(r.body.messageCode).toBe("temporarily-unavailable");
      expect({ first: first.length, second: second.length }).toEqual({ first: 0, second: 0 });
      return;
    }
    // Accepted: the first subscription executed it exactly once, and the second, whose queue could not
    // take it, placed nothing and shows the signal's trade as failed (queue-unavailable) once D1 is back.
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(first.map((o) => [o.side, o.quantity, o.status])).toEqual([["buy", "3", "filled"]]);
    expect(second).toEqual([]);
    await expect
      .poll(
        async () =>
          env.DB.prepare(`SELECT subscription_id, status, message_code FROM trades WHERE signal_id = ? ORDER BY subscription_id`)
            .bind(r.body.id!)
            .all<{ subscription_id: string; status: string; message_code: string | null }>()
            .then((x) => Object.fromEntries(x.results.map((t) => [t.subscription_id, [t.status, t.message_code]]))),
        { timeout: 20_000, interval: 100 },
      )
      .toEqual({ [trader.subscriptionId]: ["filled", expect.anything()], [sub2.body.id]: ["failed", "queue-unavailable"] });
  });
});
