/**
 * The kill switch, end to end through the API, the webhook and the paper
 * broker: entries stop on every subscription (queued ones too), exits
 * still run, and `flatten` closes what each subscription's own fills hold.
 */
import { describe, expect, it } from "vitest";
import { createTrader, positionOf } from "../helpers/trader";
import { api } from "../helpers/api";
import { drained, killSwitch, trade } from "./support";

describe("kill switch", () => {
  it("refuses every entry with kill-switch-active while exits still run, and lets entries through again once off", async () => {
    const trader = await createTrader();
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 })).status).toBe("filled");

    const on = await killSwitch(trader.token, { active: true });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ active: true, flatten: null });
    expect(on.body.activatedAt).not.toBeNull();
    expect((await api("GET", "/api/kill-switch", { token: trader.token })).body).toMatchObject({ active: true });

    const blocked = await trade(trader, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 });
    expect(blocked).toMatchObject({ status: "rejected", messageCode: "kill-switch-active" });
    expect(blocked.message).toContain("kill switch is on");
    const add = await trade(trader, { ticker: "SPY", action: "add", quantity: 1, price: 100 });
    expect(add.messageCode).toBe("kill-switch-active");
    expect(await positionOf(trader, "AAPL")).toBe(0);
    expect(await positionOf(trader, "SPY")).toBe(3);

    expect((await trade(trader, { ticker: "SPY", action: "exit", price: 101 })).status).toBe("filled");
    expect(await positionOf(trader, "SPY")).toBe(0);

    const off = await killSwitch(trader.token, { active: false });
    expect(off.body).toMatchObject({ active: false, activatedAt: null });
    expect((await trade(trader, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 })).status).toBe("filled");
  });

  it("stops an entry that was already queued (delayed) when the switch went on", async () => {
    const trader = await createTrader();
    const reply = await api<{ id: string }>("POST", trader.webhookUrl, { json: { ticker: "MSFT", action: "buy", quantity: 2, price: 300, delay: 1 } });
    expect(reply.status).toBe(200);
    await killSwitch(trader.token, { active: true });
    await drained(trader.subscriptionId);
    const signal = await api<{ trades: { status: string; messageCode: string }[] }>("GET", `/api/signals/${reply.body.id}`, { token: trader.token });
    expect(signal.body.trades[0]).toMatchObject({ status: "rejected", messageCode: "kill-switch-active" });
    expect(await positionOf(trader, "MSFT")).toBe(0);
  });

  it("flatten closes each position the subscription's own fills hold, at market, and a repeat queues nothing new", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await trade(trader, { ticker: "AAPL", action: "sell", quantity: 2, price: 200 });
    expect(await positionOf(trader, "AAPL")).toBe(-2);

    const res = await killSwitch(trader.token, { active: true, flatten: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.flatten).toEqual({ subscriptions: 1, positions: 2, failed: 0 });
    await drained(trader.subscriptionId);
    expect(await positionOf(trader, "SPY")).toBe(0);
    expect(await positionOf(trader, "AAPL")).toBe(0);

    // Each flatten is in the signal log with its outcome.
    const log = await api<{ signals: { payload: { flatten?: string }; outcome: string }[] }>("GET", "/api/signals", { token: trader.token });
    const flattens = log.body.signals.filter((s) => s.payload.flatten === "kill-switch-flatten");
    expect(flattens).toHaveLength(2);
    expect(flattens.map((s) => s.outcome)).toEqual(["traded", "traded"]);

    const again = await killSwitch(trader.token, { active: true, flatten: true });
    expect(again.body.flatten).toEqual({ subscriptions: 1, positions: 0, failed: 0 });
  });

  it("flatten leaves another strategy's share of the same ticker alone", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    // A second strategy on the same account buys 4 more SPY.
    const strategy = await api<{ id: string; webhookUrl: string }>("POST", "/api/strategies", { token: trader.token, json: { name: "Other", assetClass: "stocks" } });
    const sub = await api<{ id: string }>("POST", "/api/subscriptions", {
      token: trader.token,
      json: { strategyId: strategy.body.id, connectionId: trader.connectionId, settings: { allowAddToPosition: true } },
    });
    const other = { ...trader, webhookUrl: strategy.body.webhookUrl, subscriptionId: sub.body.id };
    await trade(other, { ticker: "SPY", action: "buy", quantity: 4, price: 100 });
    expect(await positionOf(trader, "SPY")).toBe(7);

    // The second subscription is switched off, so the flatten reaches only the first: it closes its own 3, not the broker's 7.
    const off = await api("PATCH", `/api/subscriptions/${other.subscriptionId}`, { token: trader.token, json: { enabled: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const res = await killSwitch(trader.token, { active: true, flatten: true });
    expect(res.body.flatten).toEqual({ subscriptions: 1, positions: 1, failed: 0 });
    await drained(trader.subscriptionId);
    expect(await positionOf(trader, "SPY")).toBe(4);
  });
});
