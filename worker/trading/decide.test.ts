import { describe, expect, it } from "vitest";
import { MESSAGE_CODES, OUTCOME_CODES, TRADE_CODES } from "./message-codes";
import { decide } from "./decide";
import { FULL_FEATURES, inputFor, rejectionOf, run, summary, tradeOf } from "./testing";
import type { PlannedOrder } from "./types";

const entry = (body: unknown, s = {}): PlannedOrder => {
  const step = tradeOf(body, s).steps.find((x) => x.kind === "order" && x.leg === "entry");
  if (!step || step.kind !== "order") throw new Error("no entry");
  return step.order;
};
const spy = { ticker: "SPY", action: "buy" };
/** What a buy with a 3 % take profit does to a short of 2 (see "robustness"). */
const PINNED_DETERMINISM = ["exit buy 2 market (wait)", "entry buy 1 market"];

describe("cancelling open orders first", () => {
  const openOrders = [{ side: "buy" as const, type: "limit" as const }];
  it("before an entry from flat, when there are open orders", () => {
    expect(summary(tradeOf(spy, { openOrders }).steps)).toEqual(["cancel", "entry buy 1 market"]);
    expect(summary(tradeOf(spy).steps)).toEqual(["entry buy 1 market"]);
  });
  it("not when the subscription turns it off, and the signal's cancel flag wins", () => {
    expect(summary(tradeOf(spy, { openOrders, settings: { cancelOpenOrders: false } }).steps)).toEqual(["entry buy 1 market"]);
    expect(summary(tradeOf({ ...spy, cancel: false }, { openOrders }).steps)).toEqual(["entry buy 1 market"]);
    expect(summary(tradeOf({ ...spy, cancel: true }, { openOrders, settings: { cancelOpenOrders: false } }).steps)).toEqual(["cancel", "entry buy 1 market"]);
    expect(summary(tradeOf({ ...spy, cancel: true }, { openOrders, settings: { cancelOpenOrders: false, allowSignalCancel: false } }).steps)).toEqual(["entry buy 1 market"]);
  });
  it("cancelOrderType filters what is cancelled", () => {
    expect(summary(tradeOf({ ...spy, cancelOrderType: "stop" }, { openOrders }).steps)).toEqual(["entry buy 1 market"]);
    expect(tradeOf({ ...spy, cancelOrderType: "limit" }, { openOrders }).steps[0]).toEqual({ kind: "cancel", leg: "cancel", orderType: "limit" });
  });
  it("before a full exit, never before an add or a partial exit", () => {
    const stops = [{ side: "sell" as const, type: "stop" as const }];
    expect(summary(tradeOf({ ticker: "SPY", action: "exit" }, { position: 5, openOrders: stops }).steps)).toEqual(["cancel", "exit sell 5 market"]);
    expect(summary(tradeOf({ ticker: "SPY", action: "exit", quantity: 2 }, { position: 5, openOrders: stops }).steps)).toEqual(["exit sell 2 market"]);
    expect(summary(tradeOf({ ticker: "SPY", action: "add" }, { position: 5, openOrders: stops }).steps)).toEqual(["entry buy 1 market"]);
  });
  it("action cancel never flattens", () => {
    const plan = tradeOf({ ticker: "SPY", action: "cancel" }, { position: 5 });
    expect(plan.steps).toEqual([{ kind: "cancel", leg: "cancel" }]);
    expect(plan.message).toMatch(/position is kept/);
  });
});

describe("position rules", () => {
  it("sell + bullish while long exits part and stays long", () => {
    const plan = tradeOf({ ticker: "SPY", action: "sell", sentiment: "bullish", quantity: 2 }, { position: 5 });
    expect(plan.outcome).toBe("exit-partial-position");
    expect(summary(plan.steps)).toEqual(["exit sell 2 market"]);
  });
  it("sell + bullish with nothing to reduce is rejected", () => {
    expect(rejectionOf({ ticker: "SPY", action: "sell", sentiment: "bullish" }).messageCode).toBe("no-position-to-exit");
    expect(rejectionOf({ ticker: "SPY", action: "sell", sentiment: "bullish" }, { position: -2 }).messageCode).toBe("position-side-mismatch");
  });
  it("exit with no position is rejected", () => {
    expect(rejectionOf({ ticker: "SPY", action: "exit" })).toMatchObject({ messageCode: "no-position-to-exit" });
  });
  it("reverse exits then enters the other side, overriding sides and side swapping", () => {
    const plan = tradeOf({ ticker: "SPY", action: "reverse", quantity: 2 }, { position: 3, settings: { allowSideSwap: false, sides: "bullish" } });
    expect(plan.outcome).toBe("reverse-position");
    expect(summary(plan.steps)).toEqual(["exit sell 3 market (wait)", "entry sell 2 market"]);
    expect(rejectionOf({ ticker: "SPY", action: "reverse" }).messageCode).toBe("no-position-to-reverse");
  });
  it("sides: an entry on a disallowed side is ignored; from the other side it only exits", () => {
    const r = rejectionOf(spy, { settings: { sides: "bearish" } });
    expect(r).toMatchObject({ messageCode: "entry-order-ignored", field: "sides" });
    const plan = tradeOf({ ticker: "SPY", action: "sell" }, { position: 2, settings: { sides: "bullish" } });
    expect(plan.outcome).toBe("exit-signal-no-new-position");
    expect(summary(plan.steps)).toEqual(["exit sell 2 market"]);
    expect(plan.message).toMatch(/"sides": "bullish"/);
  });
  it("ignoreExits ignores exit signals and flat sentiment", () => {
    expect(rejectionOf({ ticker: "SPY", action: "exit" }, { position: 2, settings: { ignoreExits: true } }).messageCode).toBe("exit-ignored");
    expect(rejectionOf({ ticker: "SPY", action: "sell", sentiment: "flat" }, { position: 2, settings: { ignoreExits: true } }).messageCode).toBe("exit-ignored");
  });
  it("percent_of_position on a buy while long adds that share when adding is allowed", () => {
    const body = { ticker: "SPY", action: "buy", quantityType: "percent_of_position", quantity: 50 };
    expect(summary(tradeOf(body, { position: 10, settings: { allowAddToPosition: true } }).steps)).toEqual(["entry buy 5 market"]);
    expect(rejectionOf(body, { position: 10 }).messageCode).toBe("add-to-position-disabled");
    expect(rejectionOf(body).messageCode).toBe("no-position-to-exit");
  });
  it("a fractional position exits exactly", () => {
    expect(summary(tradeOf({ ticker: "SPY", action: "exit" }, { position: "0.5" }).steps)).toEqual(["exit sell 0.5 market"]);
  });
});

describe("trading windows, lockout, signal age", () => {
  const windows = { tradingWindows: [{ start: "09:30", end: "16:00" }] };
  const night = "2025-09-09T02:00:00Z"; // 22:00 New York
  it("entries outside the windows are rejected unless the signal ignores windows", () => {
    expect(rejectionOf(spy, { now: night, settings: windows }).messageCode).toBe("outside-trading-window");
    expect(summary(tradeOf({ ...spy, ignoreTradingWindows: true }, { now: night, settings: windows }).steps)).toEqual(["entry buy 1 market"]);
    expect(rejectionOf({ ...spy, ignoreTradingWindows: true }, { now: night, settings: { ...windows, allowSignalIgnoreTradingWindows: false } }).messageCode).toBe("outside-trading-window");
  });
  it("cancels outside the windows need allowExitsOutsideWindows", () => {
    expect(rejectionOf({ ticker: "SPY", action: "cancel" }, { now: night, settings: windows }).messageCode).toBe("outside-trading-window");
    expect(tradeOf({ ticker: "SPY", action: "cancel" }, { now: night, settings: { ...windows, allowExitsOutsideWindows: true } }).outcome).toBe("cancel-open-orders");
  });
  it("an entry lockout blocks entries, not exits", () => {
    const lock = { entryLockedUntil: "2025-09-09T15:00:00Z" };
    expect(rejectionOf(spy, lock).messageCode).toBe("entry-blocked-by-lock");
    expect(tradeOf({ ticker: "SPY", action: "exit" }, { ...lock, position: 1 }).outcome).toBe("close-open-position");
    expect(tradeOf(spy, { entryLockedUntil: "2025-09-09T14:00:00Z" }).outcome).toBe("enter-new-position");
  });
  it("stale signals are rejected against the receive time", () => {
    const body = { ...spy, time: "2025-09-09T14:05:00Z" };
    expect(rejectionOf(body, { settings: { maxSignalAgeSeconds: 60 } })).toMatchObject({ messageCode: "signal-too-old", field: "time" });
    expect(rejectionOf(body, { maxSignalAgeSeconds: 60 }).messageCode).toBe("signal-too-old");
    expect(tradeOf(body, { settings: { maxSignalAgeSeconds: 60 }, receivedAt: "2025-09-09T14:05:30Z" }).outcome).toBe("enter-new-position");
    expect(tradeOf(spy, { settings: { maxSignalAgeSeconds: 60 } }).outcome).toBe("enter-new-position");
  });
});

describe("sizing", () => {
  it("the subscription's sizing modes apply when the signal sends no quantity", () => {
    expect(summary(tradeOf(spy, { price: 100, settings: { sizingMode: "dollar_amount", sizingValue: 1000 } }).steps)).toEqual(["entry buy 10 market"]);
    expect(summary(tradeOf(spy, { price: 50, equity: 20_000, settings: { sizingMode: "percent_of_equity", sizingValue: 5 } }).steps)).toEqual(["entry buy 20 market"]);
    expect(
      summary(tradeOf(spy, { price: 100, equity: 10_000, settings: { sizingMode: "risk_percent", sizingValue: 1, stopLoss: { type: "stop", amount: 5 } } }).steps),
    ).toEqual(["entry buy 20 market"]);
    expect(rejectionOf(spy, { settings: { sizingMode: "dollar_amount" } })).toMatchObject({ messageCode: "sizing-value-required", field: "sizingValue" });
  });
  it("the subscription quantity when signal quantities are not allowed", () => {
    expect(summary(tradeOf({ ...spy, quantity: 9 }, { settings: { allowSignalQuantity: false, quantity: 3 } }).steps)).toEqual(["entry buy 3 market"]);
    // An exit then exits everything.
    expect(summary(tradeOf({ ticker: "SPY", action: "exit", quantity: 1 }, { position: 4, settings: { allowSignalQuantity: false } }).steps)).toEqual(["exit sell 4 market"]);
  });
  it("fractional quantities only when allowed", () => {
    const body = { ...spy, quantityType: "dollar_amount", quantity: 1000 };
    expect(summary(tradeOf(body, { price: 300 }).steps)).toEqual(["entry buy 3 market"]);
    expect(summary(tradeOf(body, { price: 300, settings: { allowFractional: true } }).steps)).toEqual(["entry buy 3.333333 market"]);
    expect(summary(tradeOf(body, { price: 300, settings: { allowFractional: true }, features: { ...FULL_FEATURES, fractional: false } }).steps)).toEqual(["entry buy 3 market"]);
  });
  it("a quantity that rounds to zero is rejected", () => {
    expect(rejectionOf({ ...spy, quantityType: "dollar_amount", quantity: 50 }, { price: 100 }).messageCode).toBe("entry-quantity-zero");
  });
  it("needs a price, and says to send one", () => {
    const r = rejectionOf({ ...spy, quantityType: "dollar_amount", quantity: 1000 });
    expect(r).toMatchObject({ messageCode: "no-price", field: "price" });
    expect(r.message).toMatch(/"price": \{\{close\}\}/);
  });
  it("needs equity for percent types", () => {
    expect(rejectionOf({ ...spy, quantityType: "percent_of_equity", quantity: 10 }, { price: 100 }).messageCode).toBe("equity-unavailable");
  });
  it("futures refuse dollar, equity and risk sizing", () => {
    const r = rejectionOf({ ticker: "MNQU2025", action: "buy", quantityType: "dollar_amount", quantity: 1000, price: 20000 }, { assetClass: "futures" });
    expect(r).toMatchObject({ messageCode: "invalid-quantity-type-for-asset-class", field: "quantityType" });
    expect(rejectionOf({ ticker: "MNQU2025", action: "buy" }, { assetClass: "futures", settings: { sizingMode: "percent_of_equity", sizingValue: 5 } }).field).toBe("sizingMode");
  });
  it("risk sizing uses the point value for futures-like instruments (options: 100 per contract)", () => {
    const plan = tradeOf(
      { ticker: "SPY 250624C596", action: "buy", price: 5, quantityType: "risk_dollar_amount", quantity: 1000, stopLoss: { type: "stop", stopPrice: 3 } },
      { assetClass: "options" },
    );
    expect(summary(plan.steps)).toEqual(["entry buy 5 market"]); // $1000 / ($2 × 100)
  });
  it("risk sizing needs a price-based stop loss", () => {
    const body = { ...spy, price: 100, quantityType: "risk_dollar_amount", quantity: 100 };
    expect(rejectionOf(body).messageCode).toBe("quantity-type-requires-stop-loss");
    expect(rejectionOf({ ...body, stopLoss: { type: "stop", pnlAmount: 50 } }).messageCode).toBe("quantity-type-requires-stop-loss");
    expect(summary(tradeOf({ ...body, stopLoss: { type: "trailing_stop", trailAmount: 2 } }).steps)).toEqual(["entry buy 50 market"]);
  });
});

describe("order types, time in force, extended hours", () => {
  it("uses the signal's order type and prices, or the subscription's when not allowed", () => {
    expect(entry({ ...spy, orderType: "limit", limitPrice: "99.999" })).toMatchObject({ type: "limit", limitPrice: "99.99" });
    expect(entry({ ticker: "SPY", action: "sell", orderType: "limit", limitPrice: "99.991" })).toMatchObject({ side: "sell", limitPrice: "100" });
    expect(entry({ ...spy, orderType: "limit", limitPrice: 99 }, { settings: { allowSignalOrderType: false } })).toMatchObject({ type: "market" });
    expect(entry(spy, { settings: { entryOrderType: "limit" }, price: 10 })).toMatchObject({ type: "limit", limitPrice: "10" });
  });
  it("a limit without a price takes the quote by marketPriceType", () => {
    const quote = { bid: "99.5", ask: "100.5", last: "100.1" };
    expect(entry({ ...spy, orderType: "limit" }, { quote })).toMatchObject({ limitPrice: "100" });
    expect(entry({ ...spy, orderType: "limit", marketPriceType: "ask_bid" }, { quote })).toMatchObject({ limitPrice: "100.5" });
    expect(entry({ ...spy, orderType: "limit" }, { quote, settings: { marketPriceType: "last" } })).toMatchObject({ limitPrice: "100.1" });
    expect(rejectionOf({ ...spy, orderType: "limit" })).toMatchObject({ messageCode: "no-price", field: "limitPrice" });
  });
  it("stop, stop-limit and trailing entries", () => {
    expect(entry({ ...spy, orderType: "stop", stopPrice: 101 })).toMatchObject({ type: "stop", stopPrice: "101" });
    expect(entry({ ...spy, orderType: "stop_limit", stopPrice: 101, limitPrice: 101.5 })).toMatchObject({ type: "stop_limit", stopPrice: "101", limitPrice: "101.5" });
    expect(entry({ ...spy, orderType: "trailing_stop", trailPercent: 2, price: 100 })).toMatchObject({ type: "trailing_stop", trailPercent: "2", stopPrice: "102" });
  });
  it("time in force: signal, subscription, asset-class default, broker fallback", () => {
    expect(entry({ ...spy, timeInForce: "gtc" }).timeInForce).toBe("gtc");
    expect(entry(spy).timeInForce).toBe("day");
    expect(entry({ ticker: "BTCUSD", action: "buy" }, { assetClass: "crypto" }).timeInForce).toBe("gtc");
    expect(entry({ ...spy, timeInForce: "opg" }, { settings: { timeInForce: "gtc" }, features: { ...FULL_FEATURES, timeInForce: ["day", "gtc"] } }).timeInForce).toBe("gtc");
    expect(entry({ ...spy, timeInForce: "opg" }, { features: { ...FULL_FEATURES, timeInForce: ["ioc"] } }).timeInForce).toBe("ioc");
  });
  it("extended hours need a limit order on stocks or options, and a broker that takes them", () => {
    expect(rejectionOf({ ...spy, extendedHours: true })).toMatchObject({ messageCode: "extended-hours-requires-limit", field: "orderType" });
    expect(entry({ ...spy, extendedHours: true, orderType: "limit", limitPrice: 100 })).toMatchObject({ extendedHours: true });
    expect(rejectionOf({ ticker: "BTCUSD", action: "buy", extendedHours: true }, { assetClass: "crypto" }).messageCode).toBe("invalid-extended-hours");
    expect(rejectionOf({ ...spy, extendedHours: true, orderType: "limit", limitPrice: 1 }, { features: { ...FULL_FEATURES, extendedHours: false } }).messageCode).toBe("extended-hours-not-supported");
    expect(rejectionOf({ ticker: "SPY", action: "exit" }, { position: 1, settings: { extendedHours: true } }).messageCode).toBe("extended-hours-requires-limit");
  });
  it("an order type the broker lacks falls back to the subscription default, else is rejected", () => {
    const features = { ...FULL_FEATURES, orderTypes: ["market", "limit"] as const };
    expect(entry({ ...spy, orderType: "stop", stopPrice: 1 }, { features: { ...features, orderTypes: [...features.orderTypes] } }).type).toBe("market");
    expect(rejectionOf({ ...spy, orderType: "stop", stopPrice: 1 }, { features: { ...FULL_FEATURES, orderTypes: ["limit"] } }).messageCode).toBe("order-type-not-supported");
    expect(rejectionOf({ ...spy, orderType: "trailing_stop", trailAmount: 1 }, { features: { ...FULL_FEATURES, trailingStop: "unsupported", orderTypes: ["trailing_stop"] } }).messageCode).toBe("trailing-stop-not-supported");
  });
  it("a subscription default trailing stop without a signal trail is refused", () => {
    expect(rejectionOf(spy, { settings: { entryOrderType: "trailing_stop" } }).messageCode).toBe("invalid-trailing-stop");
  });
  it("cancelAfter: the signal's applies to the exit, the subscription's to entries", () => {
    const exit = tradeOf({ ticker: "SPY", action: "exit", cancelAfter: 30 }, { position: 1 }).steps[0];
    expect(exit).toMatchObject({ leg: "exit", cancelAfterSeconds: 30 });
    expect(tradeOf(spy, { settings: { entryCancelAfterSeconds: 90 } }).steps[0]).toMatchObject({ leg: "entry", cancelAfterSeconds: 90 });
  });
  it("shorting: a broker without it refuses short entries; a swap then only exits", () => {
    const features = { ...FULL_FEATURES, shorting: false };
    expect(rejectionOf({ ticker: "SPY", action: "sell" }, { features }).messageCode).toBe("shorting-not-supported");
    const plan = tradeOf({ ticker: "SPY", action: "sell" }, { features, position: 1 });
    expect(plan.outcome).toBe("exit-signal-no-new-position");
  });
  it("the spread filter refuses wide quotes and is skipped without one", () => {
    const quote = { bid: "100", ask: "100.5", last: null };
    expect(rejectionOf({ ...spy, bidAskSpreadFilter: 0.1 }, { quote })).toMatchObject({ messageCode: "spread-filter-exceeded", field: "bidAskSpreadFilter" });
    expect(rejectionOf(spy, { quote, settings: { bidAskSpreadFilterPercent: 0.2 } }).messageCode).toBe("spread-filter-exceeded");
    expect(tradeOf(spy, { quote, settings: { bidAskSpreadFilterPercent: 1 } }).outcome).toBe("enter-new-position");
    expect(tradeOf({ ...spy, bidAskSpreadFilter: 0.1 }).outcome).toBe("enter-new-position");
  });
});

describe("take profit and stop loss", () => {
  it("a short entry mirrors, and its buy legs round down", () => {
    expect(entry({ ticker: "SPY", action: "sell", price: "100.03", takeProfit: { percent: 10 }, stopLoss: { percent: 5 } }).bracket).toEqual({
      takeProfit: { limitPrice: "90.02" }, // 90.027 → 90.02
      stopLoss: { type: "stop", stopPrice: "105.03" }, // 105.0315 → 105.03
    });
  });
  it("pnlAmount converts dollars with quantity × point value", () => {
    expect(entry({ ticker: "MNQU2025", action: "buy", quantity: 2, price: 20000, takeProfit: { pnlAmount: 200 }, stopLoss: { pnlAmount: 100 } }, { assetClass: "futures" }).bracket).toEqual({
      takeProfit: { limitPrice: "20050" },
      stopLoss: { type: "stop", stopPrice: "19975" },
    });
    expect(rejectionOf({ ticker: "XYZU2025", action: "buy", price: 10, takeProfit: { pnlAmount: 200 } }, { assetClass: "futures" }).messageCode).toBe("point-value-unknown");
  });
  it("prices on the wrong side of the entry are refused", () => {
    expect(rejectionOf({ ...spy, price: 100, takeProfit: { limitPrice: 99 } })).toMatchObject({ messageCode: "invalid-take-profit-limit-price", field: "takeProfit.limitPrice" });
    expect(rejectionOf({ ...spy, price: 100, stopLoss: { stopPrice: 101 } })).toMatchObject({ messageCode: "invalid-stop-loss-stop-price" });
    expect(rejectionOf({ ticker: "SPY", action: "sell", price: 10, takeProfit: { amount: 20 } }).messageCode).toBe("invalid-take-profit-limit-price");
  });
  it("relative values need an entry price", () => {
    expect(rejectionOf({ ...spy, takeProfit: { percent: 5 } })).toMatchObject({ messageCode: "no-price", field: "takeProfit" });
  });
  it("a stop loss that only names a type takes the subscription's value", () => {
    const settings = { stopLoss: { type: "stop" as const, percent: 2 } };
    expect(entry({ ...spy, price: 100, stopLoss: { type: "stop_limit" } }, { settings }).bracket?.stopLoss).toEqual({ type: "stop_limit", stopPrice: "98", limitPrice: "98" });
    expect(entry({ ...spy, price: 100, stopLoss: { type: "trailing_stop", trailAmount: 1 } }, { settings }).bracket?.stopLoss).toMatchObject({ trailAmount: "1" });
    expect(entry({ ...spy, price: 100, stopLoss: { type: "trailing_stop" } }, { settings: { stopLoss: { type: "stop" as const, percent: 2 } } }).bracket?.stopLoss).toEqual({
      type: "trailing_stop",
      stopPrice: "98",
      trailPercent: "2",
    });
    expect(rejectionOf({ ...spy, price: 100, stopLoss: { type: "stop" } }).messageCode).toBe("invalid-stop-loss-value-required");
    expect(rejectionOf({ ...spy, price: 100, stopLoss: { type: "trailing_stop" } }).messageCode).toBe("invalid-stop-loss-trail-value-required");
  });
  it("the subscription's stop-limit offset puts the limit past the stop", () => {
    const settings = { stopLoss: { type: "stop_limit" as const, amount: 2, limitOffset: 0.5 } };
    expect(entry({ ...spy, price: 100 }, { settings }).bracket?.stopLoss).toEqual({ type: "stop_limit", stopPrice: "98", limitPrice: "97.5" });
    expect(entry({ ticker: "SPY", action: "sell", price: 100 }, { settings }).bracket?.stopLoss).toEqual({ type: "stop_limit", stopPrice: "102", limitPrice: "102.5" });
  });
  it("a signal stop loss is ignored when the subscription turns signal stop losses off", () => {
    expect(entry({ ...spy, price: 100, stopLoss: { percent: 3 } }, { settings: { allowSignalStopLoss: false } }).bracket).toBeUndefined();
  });
});

describe("broker bracket capabilities", () => {
  const both = { ...spy, price: 100, takeProfit: { amount: 5 }, stopLoss: { amount: 5 } };
  it("native or emulated-by-plugin brackets ride on the entry", () => {
    expect(tradeOf(both, { features: FULL_FEATURES }).steps).toHaveLength(1);
    const emulated = { ...FULL_FEATURES, brackets: { oto: "emulated", oco: "emulated", otoco: "emulated" } as const };
    expect(entry(both, { features: emulated }).bracket).toEqual({ takeProfit: { limitPrice: "105" }, stopLoss: { type: "stop", stopPrice: "95" } });
  });
  it("without OTOCO, TP plus SL is refused (two unlinked exits could both fill)", () => {
    const features = { ...FULL_FEATURES, brackets: { oto: "native", oco: "unsupported", otoco: "unsupported" } as const };
    expect(rejectionOf(both, { features }).messageCode).toBe("brackets-not-supported");
    expect(entry({ ...spy, price: 100, takeProfit: { amount: 5 } }, { features }).bracket).toEqual({ takeProfit: { limitPrice: "105" } });
  });
  it("without any brackets, a single leg is placed after the entry fills", () => {
    const features = { ...FULL_FEATURES, brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" } as const };
    expect(summary(tradeOf({ ...spy, price: 100, takeProfit: { amount: 5 } }, { features }).steps)).toEqual(["entry buy 1 market (wait)", "entry-tp sell 1 limit @105"]);
    const sl = tradeOf({ ...spy, price: 100, stopLoss: { amount: 5 } }, { features });
    expect(summary(sl.steps)).toEqual(["entry buy 1 market (wait)", "entry-sl sell 1 stop stop 95"]);
    expect(sl.steps[1]).toMatchObject({ order: { role: "stop_loss", timeInForce: "gtc" } });
  });
});

describe("breakeven", () => {
  const body = { ticker: "SPY", action: "breakeven", orderType: "stop" };
  it("needs a position with an average price and a stop order type", () => {
    expect(rejectionOf(body).messageCode).toBe("breakeven-not-supported");
    expect(rejectionOf(body, { position: 1, avgPrice: "0" }).messageCode).toBe("breakeven-not-supported");
    expect(rejectionOf({ ticker: "SPY", action: "breakeven" }, { position: 1 })).toMatchObject({ messageCode: "breakeven-order-type-required", field: "orderType" });
    expect(summary(tradeOf({ ticker: "SPY", action: "breakeven" }, { position: 1, avgPrice: 50, settings: { exitOrderType: "stop" } }).steps)).toEqual(["breakeven sell 1 stop stop 50"]);
  });
  it("stop-limit breakeven and tick rounding", () => {
    const plan = tradeOf({ ticker: "SPY", action: "breakeven", orderType: "stop_limit" }, { position: -3, avgPrice: "100.005" });
    expect(summary(plan.steps)).toEqual(["breakeven buy 3 stop_limit @100 stop 100"]);
    expect(plan.steps[0]).toMatchObject({ order: { role: "stop_loss", timeInForce: "gtc" } });
  });
  it("a subscription can ignore the signal's offset", () => {
    expect(summary(tradeOf({ ...body, breakevenOffset: 5 }, { position: 1, avgPrice: 100, settings: { allowSignalBreakevenOffset: false, breakevenOffset: 1 } }).steps)).toEqual(["breakeven sell 1 stop stop 101"]);
  });
});

describe("robustness", () => {
  it("is deterministic: the same input, built twice, gives the same decision, and a real one", () => {
    const body = { ...spy, price: 100, takeProfit: { percent: 3 } };
    const first = decide(inputFor(body, { position: -2 }));
    expect(decide(inputFor(body, { position: -2 }))).toEqual(first);
    // Pinned, so two equal empty or rejected results cannot pass for determinism.
    expect(summary(tradeOf(body, { position: -2 }).steps)).toEqual(PINNED_DETERMINISM);
    expect(entry(body, { position: -2 }).bracket).toEqual({ takeProfit: { limitPrice: "103" } });
  });
  it("never throws, even on a broken account snapshot", () => {
    const input = inputFor(spy);
    const broken = { ...input, account: { ...input.account, positionQuantity: "lots" } };
    const d = decide(broken);
    expect(d).toMatchObject({ kind: "reject", messageCode: "internal-error" });
  });
  it("every decision in a sweep of signals × scenarios is well formed", () => {
    const actions = ["buy", "sell", "exit", "cancel", "add", "reverse", "breakeven"];
    const extras: Record<string, unknown>[] = [
      {},
      { sentiment: "flat" },
      { sentiment: "bearish", quantity: 3 },
      { sentiment: "bullish", quantity: "0.5" },
      { quantity: 2, quantityType: "percent_of_position" },
      { quantity: 500, quantityType: "dollar_amount" },
      { quantity: 1, quantityType: "risk_percent", stopLoss: { percent: 2 } },
      { orderType: "limit", limitPrice: 99 },
      { orderType: "stop" },
      { orderType: "trailing_stop", trailPercent: 1 },
      { takeProfit: { percent: 5 }, stopLoss: { type: "trailing_stop", trailAmount: 2 } },
      { takeProfit: { limitPrice: 1 } },
      { extendedHours: true },
    ];
    const scenarios = [
      {},
      { position: 4, price: 100 },
      { position: -4, equity: 10_000 },
      { position: "0.3", settings: { allowAddToPosition: true, allowFractional: true } },
      { price: 100, settings: { allowSideSwap: false, subtractExitQuantity: true, sides: "bearish" as const } },
      { position: 2, features: { ...FULL_FEATURES, brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" } as const, shorting: false } },
    ];
    let trades = 0;
    for (const action of actions) {
      for (const extra of extras) {
        const body = { ticker: "SPY", action, ...extra };
        if (extra.sentiment && action !== "buy" && action !== "sell") continue;
        if (extra.quantityType && (action === "cancel" || action === "breakeven")) continue;
        if (extra.quantityType === "percent_of_position" && (action === "add" || action === "reverse")) continue;
        if (extra.quantityType === "risk_percent" && action === "exit") continue;
        for (const s of scenarios) {
          const d = run(body, s);
          if (d.kind === "reject") {
            expect(d.messageCode in TRADE_CODES || d.messageCode in MESSAGE_CODES).toBe(true);
            expect(d.messageCode).not.toBe("internal-error");
            expect(d.message.length).toBeGreaterThan(20);
          } else if (d.kind === "defer") {
            throw new Error(`no scenario queues for the market: ${d.message}`);
          } else {
            trades++;
            expect(d.outcome in OUTCOME_CODES).toBe(true);
            expect(d.steps.length).toBeGreaterThan(0);
            const legs = d.steps.map((x) => x.leg);
            expect(new Set(legs).size).toBe(legs.length);
            for (const step of d.steps) {
              if (step.kind !== "order") continue;
              expect(step.order.quantity).toMatch(/^\d+(\.\d+)?$/);
              expect(Number(step.order.quantity)).toBeGreaterThan(0);
              for (const p of [step.order.limitPrice, step.order.stopPrice]) if (p !== undefined) expect(p).toMatch(/^\d+(\.\d+)?$/);
            }
            // Only the last order step may skip waiting when an order follows it.
            d.steps.forEach((step, i) => {
              if (step.kind === "order" && i < d.steps.length - 1) expect(step.waitForFill).toBe(true);
            });
          }
        }
      }
    }
    expect(trades).toBeGreaterThan(100);
  });
});

describe("time in force of stop legs", () => {
  it("an emulated bracket leg is gtc even when the entry is day; a breakeven stop honours the signal", () => {
    const features = { ...FULL_FEATURES, brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" } as const };
    const plan = tradeOf({ ...spy, price: 100, timeInForce: "day", stopLoss: { amount: 5 } }, { features });
    expect(plan.steps.map((s) => (s.kind === "order" ? s.order.timeInForce : null))).toEqual(["day", "gtc"]);
    expect(tradeOf({ ticker: "SPY", action: "breakeven", orderType: "stop", timeInForce: "day" }, { position: 1 }).steps[0]).toMatchObject({ order: { timeInForce: "day" } });
  });
});
