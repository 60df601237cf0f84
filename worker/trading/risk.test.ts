/**
 * The risk controls, market hours and P&L arithmetic in the pure core:
 * each block is its own messageCode, entries stop and exits pass, a flip
 * keeps its exit, and the day's P&L is counted exactly over each limit's
 * own trading day.
 */
import { describe, expect, it } from "vitest";
import { RULE_CODES } from "./message-codes";
import { applyFill, fillDelta, FLAT, unrealized, type Lot } from "./pnl";
import { dailyBreach, effectiveRisk, tradingDayEnd, tradingDayStart } from "./risk";
import { resolveSettings } from "./settings";
import { tradeOf, rejectionOf, run, summary } from "./testing";
import { tradeOutcome } from "./signal-outcome";

const buy = (quantity: string, price: string, pointValue = "1") => ({ side: "buy" as const, quantity, price, pointValue });
const sell = (quantity: string, price: string, pointValue = "1") => ({ side: "sell" as const, quantity, price, pointValue });

describe("P&L from fills (average cost)", () => {
  it("buys average in; a partial sell realizes against the average; the rest keeps it", () => {
    let lot: Lot = FLAT;
    lot = applyFill(lot, buy("10", "100")).lot;
    lot = applyFill(lot, buy("10", "110")).lot;
    expect(lot).toEqual({ quantity: "20", avgPrice: "105" });
    const r = applyFill(lot, sell("5", "120"));
    expect(r).toEqual({ lot: { quantity: "15", avgPrice: "105" }, realized: "75" });
    expect(applyFill(r.lot, sell("15", "100"))).toEqual({ lot: FLAT, realized: "-75" });
  });
  it("shorts realize the other way, with the point value (MNQ: $2 a point)", () => {
    const short = applyFill(FLAT, sell("2", "25000.25", "2")).lot;
    expect(short).toEqual({ quantity: "-2", avgPrice: "25000.25" });
    expect(applyFill(short, buy("2", "24990.25", "2")).realized).toBe("40");
  });
  it("a fill through zero closes the lot and opens the other side at the fill price", () => {
    const r = applyFill({ quantity: "3", avgPrice: "50" }, sell("5", "45"));
    expect(r).toEqual({ lot: { quantity: "-2", avgPrice: "45" }, realized: "-15" });
  });
  it("no float error: 0.1 + 0.2 lots at 0.1 prices", () => {
    const lot = applyFill(applyFill(FLAT, buy("0.1", "0.1")).lot, buy("0.2", "0.1")).lot;
    expect(lot).toEqual({ quantity: "0.3", avgPrice: "0.1" });
    expect(applyFill(lot, sell("0.3", "0.3")).realized).toBe("0.06");
  });
  it("order progress becomes fills: cumulative quantity and average price to the fill in between", () => {
    expect(fillDelta({ filledQuantity: "0", avgFillPrice: null }, { filledQuantity: "4", avgFillPrice: "10" })).toEqual({ quantity: "4", price: "10" });
    // 4 @ 10 then 6 more: average 10.6 over 10 means the 6 filled at 11.
    expect(fillDelta({ filledQuantity: "4", avgFillPrice: "10" }, { filledQuantity: "10", avgFillPrice: "10.6" })).toEqual({ quantity: "6", price: "11" });
    expect(fillDelta({ filledQuantity: "4", avgFillPrice: "10" }, { filledQuantity: "4", avgFillPrice: "10" })).toBeNull();
  });
  it("unrealized at a mark", () => {
    expect(unrealized({ quantity: "-3", avgPrice: "20" }, "18.5", "1")).toBe("4.5");
  });
});

describe("which limits are in force", () => {
  it("per field, the stricter of the subscription's and the account's; flatten if either asks", () => {
    const settings = resolveSettings({ maxPositionQuantity: 100, dailyLossLimit: { amount: 500 }, lossLockoutMinutes: 10 });
    const limits = effectiveRisk(settings, { maxPositionQuantity: 50, maxOpenPositions: 3, dailyLossLimit: { amount: 800, resetTime: "17:00", timezone: "America/New_York", flatten: true }, lossLockoutMinutes: 30 });
    expect(limits.maxPositionQuantity).toEqual({ value: 50, from: "account" });
    expect(limits.maxOpenPositions).toEqual({ value: 3, from: "account" });
    expect(limits.dailyLossLimit).toEqual({ value: { amount: 500, resetTime: "00:00", timezone: "America/New_York", flatten: true }, from: "subscription" });
    expect(limits.lossLockoutMinutes).toEqual({ value: 30, from: "account" });
    expect(effectiveRisk(resolveSettings({}), null)).toEqual({});
  });
});

describe("the trading day", () => {
  const futuresDay = { resetTime: "17:00", timezone: "America/New_York" };
  it("starts at the last reset before now, and ends at the next", () => {
    expect(tradingDayStart(new Date("2026-03-10T20:00:00Z"), futuresDay).toISOString()).toBe("2026-03-09T21:00:00.000Z");
    expect(tradingDayStart(new Date("2026-03-10T21:00:00Z"), futuresDay).toISOString()).toBe("2026-03-10T21:00:00.000Z");
    expect(tradingDayEnd(new Date("2026-03-10T20:00:00Z"), futuresDay).toISOString()).toBe("2026-03-10T21:00:00.000Z");
  });
  it("across the daylight saving change the day is 23 hours long", () => {
    const midnight = { resetTime: "00:00", timezone: "America/New_York" };
    const at = new Date("2026-03-08T12:00:00Z");
    expect(tradingDayStart(at, midnight).toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(tradingDayEnd(at, midnight).toISOString()).toBe("2026-03-09T04:00:00.000Z");
  });
});

const NOW = "2026-03-10T15:00:00Z";
const at = (iso: string) => Date.parse(iso);

describe("kill switch", () => {
  const on = { killSwitch: { active: true, since: at("2026-03-10T14:00:00Z") } };
  it("refuses an entry with kill-switch-active, a rule outcome (nothing traded)", () => {
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, risk: on });
    expect(r.messageCode).toBe("kill-switch-active");
    expect(r.message).toContain("since 2026-03-10T14:00:00.000Z");
    expect(tradeOutcome({ status: "rejected", messageCode: r.messageCode, message: r.message }).outcome).toBe("nothing-traded");
  });
  it("lets an exit through", () => {
    expect(summary(tradeOf({ ticker: "AAPL", action: "exit" }, { now: NOW, position: 5, risk: on }).steps)).toEqual(["exit sell 5 market"]);
  });
  it("turns a flip into the exit alone, saying why", () => {
    const t = tradeOf({ ticker: "AAPL", action: "sell", quantity: 5 }, { now: NOW, position: 5, risk: on });
    expect(t.outcome).toBe("exit-signal-no-new-position");
    expect(summary(t.steps)).toEqual(["exit sell 5 market"]);
    expect(t.message).toContain("kill switch is on");
  });
  it("a targetPosition that would add is refused; one that reduces runs", () => {
    expect(rejectionOf({ ticker: "AAPL", action: "buy", targetPosition: 8, price: 190 }, { now: NOW, position: 5, risk: on }).messageCode).toBe("kill-switch-active");
    expect(summary(tradeOf({ ticker: "AAPL", action: "sell", targetPosition: 2, price: 190 }, { now: NOW, position: 5, risk: on }).steps)).toEqual(["exit sell 3 market"]);
  });
  it("off: trades as usual", () => {
    expect(tradeOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, risk: { killSwitch: { active: false, since: null } } }).outcome).toBe("enter-new-position");
  });
});

describe("daily loss limit and profit target", () => {
  const lossLimit = { dailyLossLimit: { amount: 500 } };
  it("realized losses of today reach the limit: entries stop with daily-loss-limit-reached, exits run", () => {
    const risk = { realized: [{ at: at("2026-03-10T14:00:00Z"), amount: "-300" }, { at: at("2026-03-10T14:30:00Z"), amount: "-200" }] };
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: lossLimit, risk });
    expect(r.messageCode).toBe("daily-loss-limit-reached");
    expect(r.message).toContain("-500.00");
    expect(r.message).toContain("2026-03-11T04:00:00.000Z");
    expect(tradeOf({ ticker: "AAPL", action: "exit" }, { now: NOW, position: 3, settings: lossLimit, risk }).outcome).toBe("close-open-position");
  });
  it("yesterday's losses do not count (the day resets at resetTime in its zone)", () => {
    const risk = { realized: [{ at: at("2026-03-10T03:59:00Z"), amount: "-600" }] }; // 23:59 New York, the day before
    expect(tradeOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: lossLimit, risk }).outcome).toBe("enter-new-position");
  });
  it("unrealized losses count where a price is known, and are named when one is not", () => {
    const lots = [
      { ticker: "MSFT", quantity: "10", avgPrice: "400", pointValue: "1" },
      { ticker: "NVDA", quantity: "5", avgPrice: "900", pointValue: "1" },
    ];
    const realized = [{ at: at("2026-03-10T14:00:00Z"), amount: "-200" }];
    // MSFT marked at 370: -300 unrealized, -500 in all; NVDA has no price.
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: lossLimit, risk: { realized, lots, marks: { MSFT: "370" } } });
    expect(r.messageCode).toBe("daily-loss-limit-reached");
    expect(r.message).toContain("unrealized -300.00 on 1 open position");
    expect(r.message).toContain("NVDA not counted: no price known");
    // Without the MSFT price only the realized -200 counts.
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: lossLimit, risk: { realized, lots } }).kind).toBe("trade");
  });
  it("the signal's own ticker is marked at the signal's price", () => {
    const lots = [{ ticker: "AAPL", quantity: "10", avgPrice: "250", pointValue: "1" }];
    expect(rejectionOf({ ticker: "AAPL", action: "buy", price: 200 }, { now: NOW, position: 10, settings: { ...lossLimit, allowAddToPosition: true }, risk: { lots } }).messageCode).toBe("daily-loss-limit-reached");
  });
  it("the profit target stops entries too, and the loss limit is reported first", () => {
    const win = { realized: [{ at: at("2026-03-10T14:00:00Z"), amount: "1000.01" }] };
    expect(rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: { dailyProfitTarget: { amount: 1000 } }, risk: win }).messageCode).toBe("daily-profit-target-reached");
    const limits = effectiveRisk(resolveSettings({ dailyLossLimit: { amount: 100 }, dailyProfitTarget: { amount: 100 } }));
    const breach = dailyBreach(limits, { realized: [{ at: at(NOW) - 1000, amount: "-100" }], lots: [], mark: () => null }, new Date(NOW));
    expect(breach?.code).toBe("daily-loss-limit-reached");
  });
  it("each limit counts over its own trading day", () => {
    // A futures-style day from 17:00: a loss at 16:30 New York belongs to the day before 17:00.
    const settings = { dailyLossLimit: { amount: 100, resetTime: "17:00", timezone: "America/New_York" } };
    const realized = [{ at: at("2026-03-10T20:30:00Z"), amount: "-150" }];
    expect(rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: "2026-03-10T20:45:00Z", settings, risk: { realized } }).messageCode).toBe("daily-loss-limit-reached");
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: "2026-03-10T21:00:00Z", settings, risk: { realized } }).kind).toBe("trade");
  });
  it("flatten is reported with the breach", () => {
    const limits = effectiveRisk(resolveSettings({ dailyLossLimit: { amount: 100, flatten: true } }));
    const breach = dailyBreach(limits, { realized: [{ at: at(NOW) - 1000, amount: "-120" }], lots: [], mark: () => null }, new Date(NOW));
    expect(breach).toMatchObject({ code: "daily-loss-limit-reached", flatten: true, dayStart: new Date("2026-03-10T04:00:00Z") });
  });
});

describe("loss lockout", () => {
  it("locks entries for lossLockoutMinutes after a losing exit (entry-blocked-by-lock)", () => {
    const risk = { realized: [{ at: at("2026-03-10T14:50:00Z"), amount: "-10" }] };
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: { lossLockoutMinutes: 15 }, risk });
    expect(r.messageCode).toBe("entry-blocked-by-lock");
    expect(r.message).toContain("2026-03-10T15:05:00.000Z");
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: "2026-03-10T15:05:00Z", settings: { lossLockoutMinutes: 15 }, risk }).kind).toBe("trade");
  });
  it("a winning exit locks nothing", () => {
    const risk = { realized: [{ at: at("2026-03-10T14:50:00Z"), amount: "10" }] };
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings: { lossLockoutMinutes: 15 }, risk }).kind).toBe("trade");
  });
});

describe("maximum open positions", () => {
  const settings = { maxOpenPositions: 2, allowAddToPosition: true };
  it("refuses a position in a third ticker", () => {
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, settings, openPositionTickers: ["MSFT", "NVDA"] });
    expect(r.messageCode).toBe("max-open-positions-reached");
    expect(r.message).toContain("MSFT, NVDA");
  });
  it("adding to a ticker already held is not a new position", () => {
    expect(tradeOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, position: 1, settings, openPositionTickers: ["AAPL", "MSFT"] }).outcome).toBe("add-to-position");
  });
  it("comes from the account's settings too", () => {
    expect(rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: NOW, openPositionTickers: ["MSFT"], risk: { account: { maxOpenPositions: 1 } } }).message).toContain("the account's maxOpenPositions");
  });
});

describe("maximum position", () => {
  it("refuses an entry that would pass maxPositionQuantity (max-position-exceeded)", () => {
    expect(rejectionOf({ ticker: "AAPL", action: "buy", quantity: 11, price: 190 }, { now: NOW, settings: { maxPositionQuantity: 10 } }).messageCode).toBe("max-position-exceeded");
    expect(tradeOf({ ticker: "AAPL", action: "buy", quantity: 10, price: 190 }, { now: NOW, settings: { maxPositionQuantity: 10 } }).outcome).toBe("enter-new-position");
  });
  it("counts the position an add would leave", () => {
    const r = rejectionOf({ ticker: "AAPL", action: "buy", quantity: 3, price: 190 }, { now: NOW, position: 8, settings: { maxPositionQuantity: 10, allowAddToPosition: true } });
    expect(r.message).toContain("to 11");
  });
  it("a flip whose new side is too big runs its exit only", () => {
    const t = tradeOf({ ticker: "AAPL", action: "sell", quantity: 20, price: 190 }, { now: NOW, position: 5, settings: { maxPositionQuantity: 10 } });
    expect(t.outcome).toBe("exit-signal-no-new-position");
    expect(summary(t.steps)).toEqual(["exit sell 5 market"]);
    expect(t.message).toContain("to -20");
  });
  it("by value: quantity × price × point value", () => {
    // MNQ at 20,000 × $2 = $40,000 a contract.
    const futures = { now: NOW, assetClass: "futures" as const, settings: { maxPositionNotional: 50_000 } };
    expect(tradeOf({ ticker: "MNQH2026", action: "buy", quantity: 1, price: 20000 }, futures).outcome).toBe("enter-new-position");
    const r = rejectionOf({ ticker: "MNQH2026", action: "buy", quantity: 2, price: 20000 }, futures);
    expect(r).toMatchObject({ messageCode: "max-position-exceeded", field: "maxPositionNotional" });
    expect(r.message).toContain("80000.00");
  });
  it("without a price the value cannot be checked: no-price", () => {
    expect(rejectionOf({ ticker: "AAPL", action: "buy", quantity: 1 }, { now: NOW, settings: { maxPositionNotional: 1000 } }).messageCode).toBe("no-price");
  });
  it("a targetPosition past the cap is refused; a flip to it keeps the exit", () => {
    expect(rejectionOf({ ticker: "AAPL", action: "buy", targetPosition: 12, price: 190 }, { now: NOW, position: 5, settings: { maxPositionQuantity: 10 } }).messageCode).toBe("max-position-exceeded");
    const t = tradeOf({ ticker: "AAPL", action: "sell", targetPosition: -12, price: 190 }, { now: NOW, position: 5, settings: { maxPositionQuantity: 10 } });
    expect(summary(t.steps)).toEqual(["exit sell 5 market"]);
  });
});

describe("market hours", () => {
  const saturday = "2026-03-07T15:00:00Z";
  it("ignore (default): no check", () => {
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: saturday }).kind).toBe("trade");
  });
  it("reject: outside-market-hours, naming the next open", () => {
    const r = rejectionOf({ ticker: "AAPL", action: "buy", price: 190 }, { now: saturday, settings: { marketHours: "reject" } });
    expect(r.messageCode).toBe("outside-market-hours");
    expect(r.message).toContain("2026-03-09T13:30:00.000Z");
  });
  it("queue: a deferral until the open, for the instrument's ticker", () => {
    const d = run({ ticker: "NQ1!", action: "buy", price: 20000 }, { now: "2026-03-07T15:00:00Z", assetClass: "futures", settings: { marketHours: "queue" } });
    expect(d).toMatchObject({ kind: "defer", messageCode: "queued-until-open", until: Date.parse("2026-03-08T22:00:00Z"), ticker: "NQH2026" });
  });
  it("extended-hours orders may run in the pre-market", () => {
    const preMarket = "2026-03-09T12:00:00Z";
    const body = { ticker: "AAPL", action: "buy", orderType: "limit", limitPrice: 190, extendedHours: true };
    expect(run(body, { now: preMarket, settings: { marketHours: "reject" } }).kind).toBe("trade");
    expect(run({ ticker: "AAPL", action: "buy", price: 190 }, { now: preMarket, settings: { marketHours: "reject" } }).kind).toBe("reject");
  });
  it("cancels run while the market is closed; crypto never closes", () => {
    expect(run({ ticker: "AAPL", action: "cancel" }, { now: saturday, settings: { marketHours: "reject" }, openOrders: [{ side: "buy", type: "limit" }] }).kind).toBe("trade");
    expect(run({ ticker: "BTCUSD", action: "buy", price: 60000 }, { now: saturday, assetClass: "crypto", settings: { marketHours: "reject" } }).kind).toBe("trade");
  });
});

describe("the codes", () => {
  it("every risk and market-hours block is a rule code (the signal says nothing traded, with the reason)", () => {
    for (const code of ["max-position-exceeded", "max-open-positions-reached", "daily-loss-limit-reached", "daily-profit-target-reached", "kill-switch-active", "outside-market-hours", "replaced-by-newer-signal"]) {
      expect(code in RULE_CODES, code).toBe(true);
    }
  });
});
