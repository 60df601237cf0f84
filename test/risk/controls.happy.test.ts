/**
 * Risk controls end to end (webhook → queue → paper broker): each block is
 * the trade's outcome with its own messageCode, entries stop and exits still
 * run, the daily limits count the subscription's own fills (realized, plus
 * unrealized at the signal's price), and a limit with `flatten` closes
 * what the subscription holds, once.
 */
import { describe, expect, it } from "vitest";
import { createTrader, positionOf } from "../helpers/trader";
import { api } from "../helpers/api";
import { drained, trade } from "./support";

describe("daily loss limit", () => {
  it("a realized loss reaching the limit stops entries with daily-loss-limit-reached; exits still run", async () => {
    const trader = await createTrader({ subscriptionSettings: { dailyLossLimit: { amount: 50 } } });
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 10, price: 100 })).status).toBe("filled");
    expect((await trade(trader, { ticker: "SPY", action: "exit", quantity: 5, price: 90 })).status).toBe("filled");
    expect(await positionOf(trader, "SPY")).toBe(5);

    const blocked = await trade(trader, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 });
    expect(blocked).toMatchObject({ status: "rejected", messageCode: "daily-loss-limit-reached" });
    expect(blocked.message).toContain("-50.00");
    expect(await positionOf(trader, "AAPL")).toBe(0);

    expect((await trade(trader, { ticker: "SPY", action: "exit", price: 95 })).status).toBe("filled");
    expect(await positionOf(trader, "SPY")).toBe(0);
  });

  it("counts the open position's loss at the signal's price (unrealized)", async () => {
    const trader = await createTrader({ subscriptionSettings: { dailyLossLimit: { amount: 100 }, allowAddToPosition: true } });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 10, price: 100 });
    const add = await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 89 });
    expect(add).toMatchObject({ status: "rejected", messageCode: "daily-loss-limit-reached" });
    expect(add.message).toContain("unrealized -110.00");
    expect(await positionOf(trader, "SPY")).toBe(10);
  });

  it("with flatten, reaching the limit closes every position the subscription holds, once", async () => {
    const trader = await createTrader({ subscriptionSettings: { dailyLossLimit: { amount: 50, flatten: true } } });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 10, price: 100 });
    await trade(trader, { ticker: "AAPL", action: "buy", quantity: 5, price: 200 });
    await trade(trader, { ticker: "SPY", action: "exit", quantity: 5, price: 90 });
    await drained(trader.subscriptionId);
    expect(await positionOf(trader, "SPY")).toBe(0);
    expect(await positionOf(trader, "AAPL")).toBe(0);

    const log = await api<{ signals: { payload: { flatten?: string }; outcome: string; trades: { message?: string }[] }[] }>("GET", "/api/signals", { token: trader.token });
    const flattens = log.body.signals.filter((s) => s.payload.flatten === "daily-limit-flatten");
    expect(flattens.map((s) => s.outcome)).toEqual(["traded", "traded"]);
    expect(flattens[0]!.trades[0]!.message).toContain("daily-loss-limit-reached");

    // The next signal (refused) does not flatten again: nothing is open, and the day's flatten is keyed once.
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 90 })).messageCode).toBe("daily-loss-limit-reached");
    await drained(trader.subscriptionId);
    const after = await api<{ signals: { payload: { flatten?: string } }[] }>("GET", "/api/signals", { token: trader.token });
    expect(after.body.signals.filter((s) => s.payload.flatten)).toHaveLength(2);
  });
});

describe("daily profit target", () => {
  it("a realized profit reaching the target stops entries with daily-profit-target-reached", async () => {
    const trader = await createTrader({ subscriptionSettings: { dailyProfitTarget: { amount: 100 } } });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 10, price: 100 });
    await trade(trader, { ticker: "SPY", action: "exit", price: 111 });
    const blocked = await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 111 });
    expect(blocked).toMatchObject({ status: "rejected", messageCode: "daily-profit-target-reached" });
  });
});

describe("position caps and lockout", () => {
  it("maxPositionQuantity refuses an entry that would leave a larger position (max-position-exceeded)", async () => {
    const trader = await createTrader({ subscriptionSettings: { maxPositionQuantity: 5 } });
    const r = await trade(trader, { ticker: "SPY", action: "buy", quantity: 6, price: 100 });
    expect(r).toMatchObject({ status: "rejected", messageCode: "max-position-exceeded" });
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 5, price: 100 })).status).toBe("filled");
  });

  it("maxPositionNotional refuses an entry worth more than the cap", async () => {
    const trader = await createTrader({ subscriptionSettings: { maxPositionNotional: 1000 } });
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 11, price: 100 })).messageCode).toBe("max-position-exceeded");
  });

  it("maxOpenPositions refuses an entry into another ticker once the account holds that many (max-open-positions-reached)", async () => {
    const trader = await createTrader({ subscriptionSettings: { maxOpenPositions: 1 } });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    const r = await trade(trader, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 });
    expect(r).toMatchObject({ status: "rejected", messageCode: "max-open-positions-reached" });
    expect(r.message).toContain("SPY");
  });

  it("lossLockoutMinutes locks entries after a losing exit", async () => {
    const trader = await createTrader({ subscriptionSettings: { lossLockoutMinutes: 30 } });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    await trade(trader, { ticker: "SPY", action: "exit", price: 99 });
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 99 })).messageCode).toBe("entry-blocked-by-lock");
  });
});

describe("account-level risk settings", () => {
  it("apply to every subscription on the account, the stricter value winning", async () => {
    const trader = await createTrader({ subscriptionSettings: { maxPositionQuantity: 100 } });
    const put = await api<{ settings: Record<string, unknown> }>("PUT", `/api/accounts/${trader.accountId}/risk`, {
      token: trader.token,
      json: { maxPositionQuantity: 5, dailyLossLimit: { amount: 20 } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.settings).toMatchObject({ maxPositionQuantity: 5, dailyLossLimit: { amount: 20, resetTime: "00:00", timezone: "America/New_York", flatten: false } });
    expect((await api<{ settings: unknown }>("GET", `/api/accounts/${trader.accountId}/risk`, { token: trader.token })).body.settings).toEqual(put.body.settings);

    const capped = await trade(trader, { ticker: "SPY", action: "buy", quantity: 6, price: 100 });
    expect(capped).toMatchObject({ status: "rejected", messageCode: "max-position-exceeded" });
    expect(capped.message).toContain("the account's maxPositionQuantity of 5");

    await trade(trader, { ticker: "SPY", action: "buy", quantity: 5, price: 100 });
    await trade(trader, { ticker: "SPY", action: "exit", price: 95 });
    const limited = await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 95 });
    expect(limited.messageCode).toBe("daily-loss-limit-reached");
    expect(limited.message).toContain("the account's daily loss limit");

    // {} removes them.
    await api("PUT", `/api/accounts/${trader.accountId}/risk`, { token: trader.token, json: {} });
    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 95 })).status).toBe("filled");
  });
});
