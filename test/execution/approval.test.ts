/** Manual approval and cancel-after, both driven by the queue's alarm, with deadlines moved on a virtual clock instead of slept through. */
import { api } from "../helpers/api";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ledgerSnapshot } from "../helpers/brokers";
import { createTrader, positionOf, sendAlert, settledSignal } from "../helpers/trader";

interface Pending {
  id: string;
  signalId: string;
  status: string;
  orders: { side: string; quantity: string }[];
}

/** Awaits the signal's trade in the approval queue (the queue copies it to D1 right after it stops to wait). */
async function pendingFor(token: string, signalId: string): Promise<Pending> {
  let found: Pending | undefined;
  await expect
    .poll(
      async () => {
        found = (await api<{ trades: Pending[] }>("GET", "/api/approvals", { token })).body.trades.find((t) => t.signalId === signalId);
        return found !== undefined;
      },
      { timeout: 30_000, interval: 25 },
    )
    .toBe(true);
  return found!;
}

describe("manual approval (autoSubmit: false)", () => {
  it("waits as pending_approval, lists in the approval queue, and executes once approved", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 2, price: 100 });
    const pending = await pendingFor(trader.token, reply.body.id!);
    expect(pending.status).toBe("pending_approval");
    expect(pending.orders).toEqual([expect.objectContaining({ side: "buy", quantity: "2" })]);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(0);

    // A later signal waits behind the pending trade: order is preserved.
    const exit = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "exit", price: 101 });

    const approved = await api<{ status: string }>("POST", `/api/trades/${pending.id}/approve`, { token: trader.token });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status).toBe("filled");
    // The exit (also needing approval) is now the pending one.
    const pendingExit = await pendingFor(trader.token, exit.body.id!);
    await api("POST", `/api/trades/${pendingExit.id}/approve`, { token: trader.token });
    await settledSignal(trader.token, exit.body.id!);
    expect(await positionOf(trader, "SPY")).toBe(0);
    // Approving twice is a conflict, not a second order.
    expect((await api("POST", `/api/trades/${pending.id}/approve`, { token: trader.token })).status).toBe(409);
  });

  it("a rejected trade sends nothing", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 100 });
    const pending = await pendingFor(trader.token, reply.body.id!);
    const res = await api<{ status: string; messageCode: string }>("POST", `/api/trades/${pending.id}/reject`, { token: trader.token });
    expect(res.body).toMatchObject({ status: "rejected", messageCode: "approval-rejected" });
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status).toBe("rejected");
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(0);
  });

  it("an approval that times out cancels the trade", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false, approvalTimeoutSeconds: 30 } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 100 });
    const pending = await pendingFor(trader.token, reply.body.id!);
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    // Move the deadline into the past instead of waiting 30 s, then let the alarm fire.
    await runInDurableObject(queue, (_i, state) => {
      state.storage.sql.exec(`UPDATE trades SET approval_deadline = ? WHERE id = ?`, Date.now() - 1, pending.id);
    });
    await runDurableObjectAlarm(queue);
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]).toMatchObject({ status: "cancelled", messageCode: "approval-timeout" });
  });

  it("another user cannot approve", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    const other = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 100 });
    const pending = await pendingFor(trader.token, reply.body.id!);
    expect((await api("POST", `/api/trades/${pending.id}/approve`, { token: other.token })).status).toBe(404);
    expect((await api<{ trades: unknown[] }>("GET", "/api/approvals", { token: other.token })).body.trades).toEqual([]);
  });
});

describe("cancelAfter", () => {
  it("cancels a resting entry limit order once entryCancelAfterSeconds is up", async () => {
    // An hour: it cannot come due by itself while the test runs.
    const trader = await createTrader({ subscriptionSettings: { entryCancelAfterSeconds: 3600 } });
    // Establish a market price, then a buy limit far below it rests.
    await settledSignal(trader.token, (await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "cancel", price: 100 })).body.id!).catch(() => undefined);
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", orderType: "limit", limitPrice: 90, price: 100 });
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status).toBe("open");
    // The second passes on a virtual clock: the order's cancel time moves into the past, then the alarm fires.
    const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
    await runInDurableObject(queue, (_i, state) => {
      const moved = state.storage.sql.exec(`UPDATE orders SET cancel_at = ? WHERE cancel_at IS NOT NULL RETURNING id`, Date.now() - 1).toArray();
      expect(moved.length, "the resting entry has a cancel time").toBe(1);
    });
    await runDurableObjectAlarm(queue);
    await expect
      .poll(async () => (await settledSignal(trader.token, reply.body.id!)).trades[0]?.orders[0]?.status, { timeout: 10_000 })
      .toBe("cancelled");
    expect(((await ledgerSnapshot(trader.connectionId)).orders).find((o) => o.side === "buy")?.status).toBe("cancelled");
  });
});
