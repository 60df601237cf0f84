/**
 * `targetPosition` through the real parser and `decide()`: the trade is the
 * difference between the account's position and the strategy's (scaled),
 * under the same rules a buy/sell follows.
 */
import { describe, expect, it } from "vitest";
import { FULL_FEATURES, rejectionOf, summary, tradeOf } from "./testing";

/** The TradingView template's signal: action and sentiment as TradingView renders them next to the target. */
function tv(target: number | string, extra: Record<string, unknown> = {}) {
  const n = Number(target);
  return {
    ticker: "AAPL",
    action: n >= 0 ? "buy" : "sell",
    sentiment: n > 0 ? "long" : n < 0 ? "short" : "flat",
    targetPosition: String(target),
    price: "190",
    ...extra,
  };
}

describe("the difference to the target, from every kind of position", () => {
  it.each([
    // [account, strategy target, outcome, steps]
    [0, 1, "enter-new-position", ["entry buy 1 market"]],
    [0, -2, "enter-new-position", ["entry sell 2 market"]],
    [1, 3, "add-to-position", ["entry buy 2 market"]],
    [-1, -3, "add-to-position", ["entry sell 2 market"]],
    [3, 1, "exit-partial-position", ["exit sell 2 market"]],
    [-3, -1, "exit-partial-position", ["exit buy 2 market"]],
    [2, 0, "close-open-position", ["exit sell 2 market"]],
    [-2, 0, "close-open-position", ["exit buy 2 market"]],
    [1, -1, "reverse-position", ["exit sell 1 market (wait)", "entry sell 1 market"]],
    [-2, 3, "reverse-position", ["exit buy 2 market (wait)", "entry buy 3 market"]],
  ] as const)("account %s, target %s: %s", (position, target, outcome, steps) => {
    const plan = tradeOf(tv(target), { position });
    expect(plan.outcome).toBe(outcome);
    expect(summary(plan.steps)).toEqual(steps);
  });

  it("the action does not decide the direction: the difference does (a missed alert heals)", () => {
    // The strategy sold 1 (action sell) to go from 3 to 2, but the account missed the add and holds 1.
    const plan = tradeOf({ ...tv(2), action: "sell" }, { position: 1 });
    expect(summary(plan.steps)).toEqual(["entry buy 1 market"]);
  });

  it("at the target already: nothing is sent, and the message says so", () => {
    const r = rejectionOf(tv(2), { position: 2 });
    expect(r).toMatchObject({ messageCode: "position-at-target", field: "targetPosition" });
    expect(r.message).toBe("The strategy's position is 2: target long 2 AAPL, and the account already holds long 2 AAPL; nothing was sent.");
    expect(rejectionOf(tv(0)).messageCode).toBe("position-at-target");
  });

  it("the message states the target and what the account held", () => {
    expect(tradeOf(tv(-1), { position: 1 }).message).toBe(
      "The strategy's position is -1: target short 1 AAPL; the account held long 1 AAPL. Exit: Sell 1 AAPL at market; then entry: Sell 1 AAPL at market.",
    );
  });

  it("adds are not blocked by allowAddToPosition (off by default): a target cannot stack", () => {
    expect(summary(tradeOf(tv(2), { position: 1, settings: { allowAddToPosition: false } }).steps)).toEqual(["entry buy 1 market"]);
  });
});

describe("scaling by the subscription", () => {
  it("multiplies by quantityMultiplier and rounds toward zero to whole units", () => {
    expect(summary(tradeOf(tv(2), { settings: { quantityMultiplier: 3 } }).steps)).toEqual(["entry buy 6 market"]);
    expect(summary(tradeOf(tv(1), { settings: { quantityMultiplier: 2.5 } }).steps)).toEqual(["entry buy 2 market"]);
    expect(summary(tradeOf(tv("-1.5")).steps)).toEqual(["entry sell 1 market"]);
    // 0.4 rounds to 0: the account is flat, which is the target.
    expect(rejectionOf(tv("0.4")).messageCode).toBe("position-at-target");
  });

  it("keeps fractions where the subscription and the broker allow them", () => {
    expect(summary(tradeOf(tv(1), { settings: { quantityMultiplier: 2.5, allowFractional: true }, features: FULL_FEATURES }).steps)).toEqual(["entry buy 2.5 market"]);
    expect(summary(tradeOf({ ...tv("0.0125"), ticker: "BTCUSD" }, { assetClass: "crypto", position: "0.01", settings: { allowFractional: true }, features: FULL_FEATURES }).steps)).toEqual([
      "entry buy 0.0025 market",
    ]);
  });

  it("with allowSignalQuantity off, only the direction counts: the subscription's size, a same-side position kept", () => {
    const settings = { allowSignalQuantity: false, quantity: 5 };
    expect(summary(tradeOf(tv(1), { settings }).steps)).toEqual(["entry buy 5 market"]);
    expect(rejectionOf(tv(2), { position: 5, settings }).messageCode).toBe("position-at-target");
    expect(rejectionOf(tv(2), { position: 3, settings }).messageCode).toBe("position-at-target");
    expect(summary(tradeOf(tv(-1), { position: 5, settings }).steps)).toEqual(["exit sell 5 market (wait)", "entry sell 5 market"]);
    expect(summary(tradeOf(tv(0), { position: 5, settings }).steps)).toEqual(["exit sell 5 market"]);
  });

  it("with allowSignalQuantity off and dollar sizing, the size comes from the price", () => {
    const settings = { allowSignalQuantity: false, sizingMode: "dollar_amount" as const, sizingValue: 1000 };
    expect(summary(tradeOf(tv(1, { price: "100" }), { settings }).steps)).toEqual(["entry buy 10 market"]);
    expect(rejectionOf(tv(1, { price: undefined }), { settings }).messageCode).toBe("no-price");
  });
});

describe("the rules a buy/sell follows apply to the trade towards the target", () => {
  const noShorting = { ...FULL_FEATURES, shorting: false };

  it("no shorting at the broker: a flip only closes the long; a short from flat is refused", () => {
    const plan = tradeOf(tv(-1), { position: 1, features: noShorting });
    expect(plan.outcome).toBe("exit-signal-no-new-position");
    expect(summary(plan.steps)).toEqual(["exit sell 1 market"]);
    expect(plan.message).toMatch(/does not allow short positions/);
    expect(rejectionOf(tv(-1), { features: noShorting }).messageCode).toBe("shorting-not-supported");
  });

  it("sides: a long-only subscription closes on a short target and never opens one", () => {
    const settings = { sides: "bullish" as const };
    expect(tradeOf(tv(-2), { position: 2, settings }).outcome).toBe("exit-signal-no-new-position");
    expect(rejectionOf(tv(-2), { settings }).messageCode).toBe("entry-order-ignored");
  });

  it("allowSideSwap off: a flip only closes", () => {
    const plan = tradeOf(tv(-1), { position: 1, settings: { allowSideSwap: false } });
    expect(plan.outcome).toBe("sides-swapping-disabled");
    expect(summary(plan.steps)).toEqual(["exit sell 1 market"]);
  });

  it("isolateSides: a flip is refused", () => {
    expect(rejectionOf(tv(-1), { position: 1, settings: { isolateSides: true } }).messageCode).toBe("isolate-sides-blocks-exit");
  });

  it("ignoreExits: a reduction or a flat target keeps the position", () => {
    expect(rejectionOf(tv(1), { position: 2, settings: { ignoreExits: true } }).messageCode).toBe("exit-ignored");
    expect(rejectionOf(tv(0), { position: 2, settings: { ignoreExits: true } }).messageCode).toBe("exit-ignored");
  });

  it("trading windows: entries wait for the window, exits run outside it only when allowed", () => {
    const closed = { tradingWindows: [{ start: "09:30", end: "16:00" }], timezone: "UTC" };
    const now = "2025-09-09T20:00:00Z";
    expect(rejectionOf(tv(1), { settings: closed, now }).messageCode).toBe("outside-trading-window");
    expect(rejectionOf(tv(0), { position: 1, settings: closed, now }).messageCode).toBe("outside-trading-window");
    expect(summary(tradeOf(tv(0), { position: 1, settings: { ...closed, allowExitsOutsideWindows: true }, now }).steps)).toEqual(["exit sell 1 market"]);
    // A flip outside the window with exits allowed: close only.
    expect(tradeOf(tv(-1), { position: 1, settings: { ...closed, allowExitsOutsideWindows: true }, now }).outcome).toBe("exit-signal-no-new-position");
  });

  it("an entry lockout blocks adds and entries", () => {
    expect(rejectionOf(tv(2), { position: 1, entryLockedUntil: "2025-09-10T00:00:00Z" }).messageCode).toBe("entry-blocked-by-lock");
  });

  it("open orders are cancelled before an entry from flat, a flip or a full exit, never before an add or a partial exit", () => {
    const openOrders = [{ side: "sell" as const, type: "stop" as const }];
    expect(summary(tradeOf(tv(1), { openOrders }).steps)).toEqual(["cancel", "entry buy 1 market"]);
    expect(summary(tradeOf(tv(-1), { position: 1, openOrders }).steps)).toEqual(["cancel", "exit sell 1 market (wait)", "entry sell 1 market"]);
    expect(summary(tradeOf(tv(0), { position: 1, openOrders }).steps)).toEqual(["cancel", "exit sell 1 market"]);
    expect(summary(tradeOf(tv(2), { position: 1, openOrders }).steps)).toEqual(["entry buy 1 market"]);
    expect(summary(tradeOf(tv(1), { position: 2, openOrders }).steps)).toEqual(["exit sell 1 market"]);
  });

  it("take profit and stop loss go on the entry it opens", () => {
    const plan = tradeOf(tv(1, { takeProfit: { percent: 10 }, stopLoss: { percent: 5 } }), {});
    const step = plan.steps[0];
    expect(step?.kind === "order" && step.order.bracket).toEqual({ takeProfit: { limitPrice: "209" }, stopLoss: { type: "stop", stopPrice: "180.5" } });
  });

  it("invertPuts: a long strategy position is a short put position", () => {
    const put = { ticker: "SPY 250620P600", targetPosition: "1", action: "buy", price: "5" };
    expect(summary(tradeOf(put, { assetClass: "options", settings: { invertPuts: true } }).steps)).toEqual(["entry sell 1 market"]);
    expect(summary(tradeOf(put, { assetClass: "options" }).steps)).toEqual(["entry buy 1 market"]);
  });
});
