/**
 * A signal says what happened, not only whether the alert was taken:
 * `outcome`, `outcomeMessage` and `outcomeCode` on every signal of
 * `GET /api/signals` and `GET /api/signals/:id` (and in a `?wait=` reply),
 * derived from its trades. `status` keeps meaning "did we take the alert".
 */
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { createTrader, sendAlert, type Trader } from "../helpers/trader";

interface OutcomeView {
  id: string;
  status: string;
  outcome?: string;
  outcomeCode?: string | null;
  outcomeMessage?: string;
  trades: { status: string; messageCode?: string; outcome?: string }[];
}

const PENDING = new Set(["queued", "executing"]);

/** The signal once `expected` trades are in D1 and none is still running. */
async function finished(token: string, signalId: string, expected = 1): Promise<OutcomeView> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await api<OutcomeView>("GET", `/api/signals/${signalId}`, { token });
    if (res.status === 200 && res.body.trades.length >= expected && res.body.trades.every((t) => !PENDING.has(t.status))) return res.body;
    if (Date.now() > deadline) throw new Error(`signal ${signalId} did not finish: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The same signal as the list shows it. */
async function listed(token: string, signalId: string): Promise<OutcomeView | undefined> {
  const res = await api<{ signals: OutcomeView[] }>("GET", "/api/signals?limit=200", { token });
  expect(res.status).toBe(200);
  return res.body.signals.find((s) => s.id === signalId);
}

async function send(trader: Trader, alert: unknown): Promise<string> {
  const reply = await sendAlert(trader.webhookUrl, alert);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.id!;
}

describe("signal outcome", () => {
  it("a filled entry is traded, with the trade's outcome code and sentence", async () => {
    const trader = await createTrader();
    const id = await send(trader, { ticker: "AAPL", action: "buy", quantity: 2, price: 190 });
    const signal = await finished(trader.token, id);
    expect(signal).toMatchObject({ status: "accepted", outcome: "traded", outcomeCode: "enter-new-position", outcomeMessage: "Entry: Buy 2 AAPL at market." });
    expect(await listed(trader.token, id)).toMatchObject({ outcome: "traded", outcomeCode: "enter-new-position" });
  });

  it.each([
    ["no position to exit", { ticker: "SPY", action: "sell", sentiment: "flat", price: 500 }, "no-position-to-exit", /no open SPY position/],
    ["no price to size from", { ticker: "SPY", action: "buy", quantityType: "dollar_amount", quantity: 1000 }, "no-price", /needs the current price/],
  ])("an accepted signal that trades nothing (%s) is nothing-traded, with the reason", async (_, alert, code, reason) => {
    const trader = await createTrader();
    const id = await send(trader, alert);
    const signal = await finished(trader.token, id);
    expect(signal.status).toBe("accepted");
    expect(signal).toMatchObject({ outcome: "nothing-traded", outcomeCode: code });
    expect(signal.outcomeMessage).toMatch(reason);
    expect(await listed(trader.token, id)).toMatchObject({ outcome: "nothing-traded", outcomeCode: code });
  });

  it("a same-side buy with allowAddToPosition off is nothing-traded (add-to-position-disabled)", async () => {
    const trader = await createTrader();
    await finished(trader.token, await send(trader, { ticker: "QQQ", action: "buy", price: 480 }));
    const signal = await finished(trader.token, await send(trader, { ticker: "QQQ", action: "buy", price: 481 }));
    expect(signal).toMatchObject({ outcome: "nothing-traded", outcomeCode: "add-to-position-disabled" });
    expect(signal.outcomeMessage).toMatch(/"allowAddToPosition" is off/);
  });

  it("an order the broker refuses is rejected, with the broker's code", async () => {
    const trader = await createTrader({ connectionSettings: { startingCash: 100 } });
    const signal = await finished(trader.token, await send(trader, { ticker: "SPY", action: "buy", quantity: 10, price: 500 }));
    expect(signal).toMatchObject({ status: "accepted", outcome: "rejected", outcomeCode: "insufficient-funds" });
  });

  it("an alert the webhook refuses is rejected, with the webhook's code", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "bu" });
    expect(reply.status).toBe(400);
    const res = await api<OutcomeView>("GET", `/api/signals/${reply.body.logId}`, { token: trader.token });
    expect(res.body).toMatchObject({ status: "rejected", outcome: "rejected", outcomeCode: "invalid-action" });
    expect(res.body.outcomeMessage).toMatch(/"action" must be one of/);
  });

  it("a strategy without subscriptions trades nothing, and says so", async () => {
    const trader = await createTrader();
    await api("DELETE", `/api/subscriptions/${trader.subscriptionId}`, { token: trader.token });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy" });
    const res = await api<OutcomeView>("GET", `/api/signals/${reply.body.id}`, { token: trader.token });
    expect(res.body).toMatchObject({ status: "accepted", outcome: "nothing-traded", outcomeCode: "no-subscriptions" });
    expect(res.body.outcomeMessage).toMatch(/no enabled subscription/);
  });

  it("a duplicate delivery trades nothing, and points at the original", async () => {
    const trader = await createTrader();
    const alert = { ticker: "SPY", action: "buy", price: 500, alertId: "bar-1" };
    const first = await send(trader, alert);
    await finished(trader.token, first);
    const again = await sendAlert(trader.webhookUrl, alert);
    const res = await api<OutcomeView>("GET", `/api/signals/${again.body.logId}`, { token: trader.token });
    expect(res.body).toMatchObject({ outcome: "nothing-traded", outcomeCode: "duplicate" });
  });

  it("a trade waiting for approval is awaiting-approval", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    const id = await send(trader, { ticker: "SPY", action: "buy", price: 500 });
    const deadline = Date.now() + 15_000;
    let signal: OutcomeView;
    do {
      signal = (await api<OutcomeView>("GET", `/api/signals/${id}`, { token: trader.token })).body;
      if (signal.trades?.[0]?.status === "pending_approval") break;
      await new Promise((r) => setTimeout(r, 25));
    } while (Date.now() < deadline);
    expect(signal).toMatchObject({ outcome: "awaiting-approval" });
  });

  it("traded on one subscription and nothing on another is partly-traded, and the message says which did not and why", async () => {
    const trader = await createTrader();
    await finished(trader.token, await send(trader, { ticker: "SPY", action: "buy", quantity: 5, price: 500 }));
    // A second account follows the same strategy from now on: it holds no SPY.
    const conn = await api<{ id: string }>("POST", "/api/connections", { token: trader.token, json: { broker: "paper", name: "Second paper" } });
    const sub = await api("POST", "/api/subscriptions", { token: trader.token, json: { strategyId: trader.strategyId, connectionId: conn.body.id } });
    expect(sub.status).toBe(201);
    const signal = await finished(trader.token, await send(trader, { ticker: "SPY", action: "exit", price: 505 }), 2);
    expect(signal).toMatchObject({ status: "accepted", outcome: "partly-traded", outcomeCode: "no-position-to-exit" });
    expect(signal.outcomeMessage).toMatch(/^Traded on 1 of 2 subscriptions; the other did not: There is no open SPY position to exit/);
    expect(signal.trades.map((t) => t.outcome).sort()).toEqual(["nothing-traded", "traded"]);
  });

  it("the ?wait= reply carries the outcome next to the trades, keeping TradersPost's fields", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "exit", price: 500 }, { query: "?wait=2000" });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, id: reply.body.logId, outcome: "nothing-traded", outcomeCode: "no-position-to-exit" });
    expect((reply.body as { outcomeMessage?: string }).outcomeMessage).toMatch(/no open SPY position/);
  });
});
