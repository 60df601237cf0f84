/**
 * The 26 documented test vectors of signals.md ("Test vectors"), run through
 * the real parser and `decide()`. All assume the subscription allows the
 * signal values used (the defaults do).
 *
 * Where a vector describes executor or broker behaviour (a trailing stop
 * following later prices, GET instead of POST), the test checks the planned
 * order or the code table and says so.
 */
import { describe, expect, it } from "vitest";
import { parseSignalBody } from "./parse-signal";
import { MESSAGE_CODES } from "./message-codes";
import { rejectionOf, summary, tradeOf } from "./testing";

const entryOf = (plan: ReturnType<typeof tradeOf>) => {
  const step = plan.steps.find((s) => s.kind === "order" && s.leg === "entry");
  if (!step || step.kind !== "order") throw new Error("no entry step");
  return step.order;
};

describe("vector 1: AMD percent TP and SL on a market buy", () => {
  it("buys 1 with TP 10% above and stop 5% below 143.12 (legs are sells, so they round up to the cent)", () => {
    const plan = tradeOf({ ticker: "AMD", action: "buy", signalPrice: 143.12, quantity: 1, takeProfit: { percent: 10 }, stopLoss: { type: "stop", percent: 5 } });
    expect(plan.outcome).toBe("enter-new-position");
    expect(summary(plan.steps)).toEqual(["entry buy 1 market"]);
    // 143.12 × 1.10 = 157.432 → 157.44; 143.12 × 0.95 = 135.964 → 135.97 (doc: ≈157.43 / ≈135.96).
    expect(entryOf(plan).bracket).toEqual({ takeProfit: { limitPrice: "157.44" }, stopLoss: { type: "stop", stopPrice: "135.97" } });
  });
});

describe("vector 2: MNQ TP amount from signal price or limit price", () => {
  it("market buy with TP 18600 (base = signal price)", () => {
    const plan = tradeOf({ ticker: "MNQ", action: "buy", orderType: "market", signalPrice: 18500, takeProfit: { amount: 100 } }, { assetClass: "futures" });
    expect(plan.ticker).toBe("MNQU2025"); // bare root → front month on 2025-09-09
    expect(summary(plan.steps)).toEqual(["entry buy 1 market"]);
    expect(entryOf(plan).bracket).toEqual({ takeProfit: { limitPrice: "18600" } });
  });
  it("limit buy with TP 18600 (base = limit price)", () => {
    const plan = tradeOf({ ticker: "MNQ", action: "buy", orderType: "limit", limitPrice: 18500, takeProfit: { amount: 100 } }, { assetClass: "futures" });
    expect(summary(plan.steps)).toEqual(["entry buy 1 limit @18500"]);
    expect(entryOf(plan).bracket?.takeProfit?.limitPrice).toBe("18600");
  });
});

describe("vector 3: dollar_amount", () => {
  it("$1000 at 100 buys 10", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", quantityType: "dollar_amount", quantity: 1000 }, { price: 100 });
    expect(summary(plan.steps)).toEqual(["entry buy 10 market"]);
  });
});

describe("vector 4: risk sizing", () => {
  it("risk_dollar_amount $100 with entry 100 and stop 90 buys 10, stop 90", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", signalPrice: 100, quantityType: "risk_dollar_amount", quantity: 100, stopLoss: { type: "stop", stopPrice: 90 } });
    expect(summary(plan.steps)).toEqual(["entry buy 10 market"]);
    expect(entryOf(plan).bracket).toEqual({ stopLoss: { type: "stop", stopPrice: "90" } });
  });
  it("risk_percent 1% of $10,000 equity buys 10", () => {
    const plan = tradeOf(
      { ticker: "SPY", action: "buy", signalPrice: 100, quantityType: "risk_percent", quantity: 1, stopLoss: { type: "stop", stopPrice: 90 } },
      { equity: 10_000 },
    );
    expect(summary(plan.steps)).toEqual(["entry buy 10 market"]);
  });
});

describe("vector 5: percent_of_equity", () => {
  it("10% of $10,000 at 100 buys 10", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", quantityType: "percent_of_equity", quantity: 10 }, { equity: 10_000, price: 100 });
    expect(summary(plan.steps)).toEqual(["entry buy 10 market"]);
  });
});

describe("vector 6: percent_of_position", () => {
  it("exit 50% of 10 sells 5", () => {
    const plan = tradeOf({ ticker: "SPY", action: "exit", quantityType: "percent_of_position", quantity: 50 }, { position: 10 });
    expect(plan.outcome).toBe("exit-partial-position");
    expect(summary(plan.steps)).toEqual(["exit sell 5 market"]);
  });
  it("sell 50% of a 1-share AAPL position is Exit Quantity Zero", () => {
    const r = rejectionOf({ ticker: "AAPL", action: "sell", quantityType: "percent_of_position", quantity: 50 }, { position: 1 });
    expect(r.messageCode).toBe("exit-quantity-zero");
    expect(r.message).toMatch(/rounds down to 0/);
  });
});

describe("vector 7: exit quantity", () => {
  it.each([
    [{ quantity: 2 }, "exit-partial-position", "exit sell 2 market"],
    [{ quantity: 5 }, "close-open-position", "exit sell 5 market"],
    [{ quantity: 7 }, "close-open-position", "exit sell 5 market"],
    [{}, "close-open-position", "exit sell 5 market"],
  ])("exit %j while long 5", (extra, outcome, step) => {
    const plan = tradeOf({ ticker: "SPY", action: "exit", ...extra }, { position: 5 });
    expect(plan.outcome).toBe(outcome);
    expect(summary(plan.steps)).toEqual([step]);
  });
});

describe("vector 8: sentiment flat", () => {
  it("sell + flat while long sells everything (quantity ignored) and opens no short", () => {
    const plan = tradeOf({ ticker: "SPY", action: "sell", sentiment: "flat", quantity: 1 }, { position: 3 });
    expect(plan.outcome).toBe("close-open-position");
    expect(summary(plan.steps)).toEqual(["exit sell 3 market"]);
  });
  it("sell + flat with no position is rejected", () => {
    expect(rejectionOf({ ticker: "SPY", action: "sell", sentiment: "flat" }).messageCode).toBe("no-position-to-exit");
  });
  it("buy + flat only covers a short", () => {
    expect(summary(tradeOf({ ticker: "SPY", action: "buy", sentiment: "flat" }, { position: -4 }).steps)).toEqual(["exit buy 4 market"]);
    const r = rejectionOf({ ticker: "SPY", action: "buy", sentiment: "flat" }, { position: 4 });
    expect(r.messageCode).toBe("position-side-mismatch");
    expect(r.field).toBe("sentiment");
  });
});

describe("vector 9: partial cover", () => {
  it("short 10, buy 5 bearish: buys 5 and stays short 5", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", sentiment: "bearish", quantity: 5 }, { position: -10 });
    expect(plan.outcome).toBe("exit-partial-position");
    expect(summary(plan.steps)).toEqual(["exit buy 5 market"]);
  });
});

describe("vector 10: subtract exit quantity", () => {
  it("long 5, sell 8 bearish with subtract on: sell 5, then short 3", () => {
    const plan = tradeOf({ ticker: "TSLA", action: "sell", sentiment: "bearish", quantity: 8 }, { position: 5, settings: { subtractExitQuantity: true } });
    expect(plan.outcome).toBe("reverse-position");
    expect(summary(plan.steps)).toEqual(["exit sell 5 market (wait)", "entry sell 3 market"]);
  });
});

describe("vector 11: side swap on a futures contract with string quantity and price", () => {
  const body = { ticker: "MNQU2025", action: "sell", quantity: "2", price: "23810.25", time: "2025-09-09T14:07:08Z", interval: "5" };
  const base = { assetClass: "futures" as const, position: 2, openOrders: [{ side: "sell" as const, type: "stop" as const, quantity: "2" }] };
  it("swap on: cancels orders, closes the long (waiting for the fill), shorts 2", () => {
    const plan = tradeOf(body, base);
    expect(plan.outcome).toBe("reverse-position");
    expect(summary(plan.steps)).toEqual(["cancel", "exit sell 2 market (wait)", "entry sell 2 market"]);
  });
  it("swap off: flat (Sides Swapping Disabled)", () => {
    const plan = tradeOf(body, { ...base, settings: { allowSideSwap: false } });
    expect(plan.outcome).toBe("sides-swapping-disabled");
    expect(summary(plan.steps)).toEqual(["cancel", "exit sell 2 market"]);
    expect(plan.message).toMatch(/allowSideSwap/);
  });
  it('quantity "4": short 2 with subtract on, short 4 without', () => {
    const four = { ...body, quantity: "4" };
    expect(summary(tradeOf(four, { ...base, settings: { subtractExitQuantity: true } }).steps)).toEqual(["cancel", "exit sell 2 market (wait)", "entry sell 2 market"]);
    expect(summary(tradeOf(four, base).steps)).toEqual(["cancel", "exit sell 2 market (wait)", "entry sell 4 market"]);
  });
});

describe("vector 12: sides and isolate sides", () => {
  it("short 2, Sides=Bullish, buy 2 with isolate sides fails", () => {
    const r = rejectionOf({ ticker: "SPY", action: "buy", quantity: 2 }, { position: -2, settings: { sides: "bullish", isolateSides: true } });
    expect(r.messageCode).toBe("isolate-sides-blocks-exit");
  });
  it("without isolate sides: cover, then long 2", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", quantity: 2 }, { position: -2, settings: { sides: "bullish" } });
    expect(summary(plan.steps)).toEqual(["exit buy 2 market (wait)", "entry buy 2 market"]);
  });
});

describe("vector 13: add to position", () => {
  it("long 2, buy 2: long 4 with allowAddToPosition", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", quantity: 2 }, { position: 2, settings: { allowAddToPosition: true } });
    expect(plan.outcome).toBe("add-to-position");
    expect(summary(plan.steps)).toEqual(["entry buy 2 market"]);
  });
  it("rejected without it, naming the setting", () => {
    const r = rejectionOf({ ticker: "SPY", action: "buy", quantity: 2 }, { position: 2 });
    expect(r.messageCode).toBe("add-to-position-disabled");
    expect(r.message).toBe('Already long 2 SPY and "allowAddToPosition" is off for this subscription; turn it on to add, or send an exit first.');
  });
  it("add with no position is rejected", () => {
    expect(rejectionOf({ ticker: "TSLA", action: "add", price: 700.0, quantity: 5 }).messageCode).toBe("no-position-to-add");
  });
});

describe("vector 14: signal quantity multiplier", () => {
  it("2 × 2.5 = 5", () => {
    expect(summary(tradeOf({ ticker: "SPY", action: "buy", quantity: 2 }, { settings: { quantityMultiplier: 2.5 } }).steps)).toEqual(["entry buy 5 market"]);
  });
  it("3 × 2.5 = 7.5 rounds down to 7", () => {
    expect(summary(tradeOf({ ticker: "SPY", action: "buy", quantity: 3 }, { settings: { quantityMultiplier: 2.5 } }).steps)).toEqual(["entry buy 7 market"]);
  });
});

describe("vector 15: trading window ends 16:00; sell at 16:01", () => {
  const windows = { tradingWindows: [{ start: "09:30", end: "16:00" }], timezone: "America/New_York" };
  const now = "2025-09-09T20:01:00Z"; // 16:01 EDT
  it("flat when exits are allowed outside windows (the short entry is not placed)", () => {
    const plan = tradeOf({ ticker: "SPY", action: "sell" }, { position: 1, now, settings: { ...windows, allowExitsOutsideWindows: true } });
    expect(plan.outcome).toBe("exit-signal-no-new-position");
    expect(summary(plan.steps)).toEqual(["exit sell 1 market"]);
  });
  it("rejected (position kept) otherwise", () => {
    const r = rejectionOf({ ticker: "SPY", action: "sell" }, { position: 1, now, settings: windows });
    expect(r.messageCode).toBe("outside-trading-window");
    expect(r.message).toMatch(/allowExitsOutsideWindows/);
  });
});

describe("vector 16: errors", () => {
  it.each([
    ['{"ticker":"GOOGL","action":"exit","sentiment":"flat"}', "invalid-sentiment-action"],
    ['{"ticker":"NQ","action":"bu"}', "invalid-action"],
    ['{"ticker":"","action":"buy"}', "empty-ticker-name"],
    ['{"ticker":"SPY","action":"buy",}', "malformed-json"],
  ])("%s → %s (400)", (body, code) => {
    const r = parseSignalBody(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.messageCode).toBe(code);
    expect(MESSAGE_CODES[code]?.status).toBe(400);
  });
  it("GET → post-required: answered by the webhook route; the code is a 400 webhook code", () => {
    expect(MESSAGE_CODES["post-required"]).toMatchObject({ scope: "webhook", status: 400 });
  });
});

describe("vector 17: trailing stop exit", () => {
  it("exit as trailing_stop with trail 1 from 71 starts at 70", () => {
    // Moving the stop to 71 when the price reaches 72 is the broker's (or paper ledger's) job; this is the order it gets.
    const plan = tradeOf({ ticker: "SPY", action: "exit", orderType: "trailing_stop", signalPrice: 71, trailAmount: "1" }, { position: 3 });
    expect(summary(plan.steps)).toEqual(["exit sell 3 trailing_stop stop 70 trail 1"]);
  });
});

describe("vector 18: limit buy with trailing stop loss", () => {
  it("buy limit 71 + trailing SL starting at 70", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", orderType: "limit", limitPrice: 71, stopLoss: { type: "trailing_stop", trailAmount: 1 } });
    expect(summary(plan.steps)).toEqual(["entry buy 1 limit @71"]);
    expect(entryOf(plan).bracket).toEqual({ stopLoss: { type: "trailing_stop", stopPrice: "70", trailAmount: "1" } });
  });
});

describe("vector 19: stop loss amount from a limit entry", () => {
  it("limit 100, SL amount 10 → stop 90", () => {
    const plan = tradeOf({ ticker: "TSLA", action: "buy", orderType: "limit", limitPrice: 100, stopLoss: { type: "stop", amount: 10 } });
    expect(entryOf(plan).bracket).toEqual({ stopLoss: { type: "stop", stopPrice: "90" } });
  });
});

describe("vector 20: absolute TP and SL", () => {
  it("bracket TP 19.99 / SL 10.71", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", takeProfit: { limitPrice: 19.99 }, stopLoss: { type: "stop", stopPrice: 10.71 } });
    expect(entryOf(plan).bracket).toEqual({ takeProfit: { limitPrice: "19.99" }, stopLoss: { type: "stop", stopPrice: "10.71" } });
  });
  it("stop-limit SL 10.71 / 10.75", () => {
    const plan = tradeOf({ ticker: "SPY", action: "buy", takeProfit: { limitPrice: 19.99 }, stopLoss: { type: "stop_limit", stopPrice: 10.71, limitPrice: 10.75 } });
    expect(entryOf(plan).bracket?.stopLoss).toEqual({ type: "stop_limit", stopPrice: "10.71", limitPrice: "10.75" });
  });
});

describe("vector 21: subscription TP/SL defaults on SPY @660", () => {
  const body = { ticker: "SPY", action: "buy", price: 660 };
  it("TP 5% → 693, SL 5% → 627", () => {
    const plan = tradeOf(body, { settings: { takeProfit: { percent: 5 }, stopLoss: { type: "stop", percent: 5 } } });
    expect(entryOf(plan).bracket).toEqual({ takeProfit: { limitPrice: "693" }, stopLoss: { type: "stop", stopPrice: "627" } });
  });
  it("TP amount 10 → 670", () => {
    expect(entryOf(tradeOf(body, { settings: { takeProfit: { amount: 10 } } })).bracket).toEqual({ takeProfit: { limitPrice: "670" } });
  });
  it("a signal TP overrides the default, unless the subscription turns signal TP off", () => {
    const withSignal = { ...body, takeProfit: { amount: 20 } };
    expect(entryOf(tradeOf(withSignal, { settings: { takeProfit: { percent: 5 } } })).bracket?.takeProfit?.limitPrice).toBe("680");
    expect(entryOf(tradeOf(withSignal, { settings: { takeProfit: { percent: 5 }, allowSignalTakeProfit: false } })).bracket?.takeProfit?.limitPrice).toBe("693");
  });
});

describe("vector 22: futures offsets (MNQ, tick 0.25)", () => {
  const mnq = (price: number, extra: object) =>
    entryOf(tradeOf({ ticker: "MNQU2025", action: "buy", price, ...extra }, { assetClass: "futures" })).bracket;
  it("entry 25,125.25 with 100-point offsets → TP 25,225.25 / SL 25,025.25", () => {
    expect(mnq(25125.25, { takeProfit: { amount: 100 }, stopLoss: { type: "stop", amount: 100 } })).toEqual({
      takeProfit: { limitPrice: "25225.25" },
      stopLoss: { type: "stop", stopPrice: "25025.25" },
    });
  });
  it("1% at 25,000 → 25,250 / 24,750", () => {
    expect(mnq(25000, { takeProfit: { percent: 1 }, stopLoss: { type: "stop", percent: 1 } })).toEqual({
      takeProfit: { limitPrice: "25250" },
      stopLoss: { type: "stop", stopPrice: "24750" },
    });
  });
  it("@23810.25: TP amount 250 → 24060.25; SL amount 250 → 23560.25 (the doc's 24060.25 is a doc error)", () => {
    expect(mnq(23810.25, { takeProfit: { amount: 250 }, stopLoss: { type: "stop", amount: 250 } })).toEqual({
      takeProfit: { limitPrice: "24060.25" },
      stopLoss: { type: "stop", stopPrice: "23560.25" },
    });
  });
  it("@23810.25: 5% TP exact 25000.7625 → 25001; 5% SL exact 22619.7375 → 22619.75 (sell legs round up to the 0.25 tick)", () => {
    // The doc shows TP "25000" and SL 22619.75 ("exact 22619.74"). Neither 25000.76 nor 22619.74 is on
    // MNQ's 0.25 tick; the documented rounding rule (sells up) gives 25001 and 22619.75.
    expect(mnq(23810.25, { takeProfit: { percent: 5 }, stopLoss: { type: "stop", percent: 5 } })).toEqual({
      takeProfit: { limitPrice: "25001" },
      stopLoss: { type: "stop", stopPrice: "22619.75" },
    });
  });
});

describe("vector 23: breakeven", () => {
  const body = { ticker: "SPY", action: "breakeven", orderType: "stop" };
  it("stop at the average entry price", () => {
    const plan = tradeOf(body, { position: 10, avgPrice: 100 });
    expect(plan.outcome).toBe("breakeven");
    expect(summary(plan.steps)).toEqual(["breakeven sell 10 stop stop 100"]);
  });
  it("$1.50 offset: long avg 100 → 101.50; short → 98.50", () => {
    expect(summary(tradeOf(body, { position: 10, avgPrice: 100, settings: { breakevenOffset: 1.5 } }).steps)).toEqual(["breakeven sell 10 stop stop 101.5"]);
    expect(summary(tradeOf(body, { position: -10, avgPrice: 100, settings: { breakevenOffset: 1.5 } }).steps)).toEqual(["breakeven buy 10 stop stop 98.5"]);
  });
  it('"breakevenOffset": 5 → 105 (long)', () => {
    expect(summary(tradeOf({ ...body, breakevenOffset: 5 }, { position: 10, avgPrice: 100 }).steps)).toEqual(["breakeven sell 10 stop stop 105"]);
  });
  it("replaces an existing stop", () => {
    const plan = tradeOf(body, { position: 10, avgPrice: 100, openOrders: [{ side: "sell", type: "stop" }, { side: "sell", type: "limit" }] });
    expect(summary(plan.steps)).toEqual(["cancel-stop stop", "breakeven sell 10 stop stop 100"]);
  });
});

describe("vector 24: cancel with cancelOrderType", () => {
  it("cancels only stop orders; the position is kept", () => {
    const plan = tradeOf({ ticker: "SPY", action: "cancel", cancelOrderType: "stop" }, { position: 5 });
    expect(plan.outcome).toBe("cancel-open-orders");
    expect(plan.steps).toEqual([{ kind: "cancel", leg: "cancel", orderType: "stop" }]);
  });
});

describe("vector 25: option by fields equals the OCC ticker", () => {
  it("SPY call 2024-05-10 strike 68 ≡ SPY 240510C68", () => {
    const a = tradeOf({ ticker: "SPY", action: "buy", optionType: "call", expiration: "2024-05-10", strikePrice: 68 }, { assetClass: "options" });
    const b = tradeOf({ ticker: "SPY 240510C68", action: "buy" }, { assetClass: "options" });
    expect(a.ticker).toBe("SPY 240510C68");
    expect(b.ticker).toBe("SPY 240510C68");
    expect(a.steps).toEqual(b.steps);
  });
});

describe("vector 26: the TradingView strategy template", () => {
  const template =
    '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","sentiment":"{{strategy.market_position}}","quantity":"{{strategy.order.contracts}}","price":"{{close}}","time":"{{timenow}}","interval":"{{interval}}"}';
  const render = (values: Record<string, string>) => template.replace(/\{\{([^}]+)\}\}/g, (_, k: string) => values[k] ?? "");
  const values = { ticker: "AAPL", interval: "5", close: "191.25", timenow: "2025-06-18T14:30:00Z" };
  it("a rendered entry (market_position long) parses to a normalized signal and opens a long", () => {
    const body = render({ ...values, "strategy.order.action": "buy", "strategy.market_position": "long", "strategy.order.contracts": "10" });
    const parsed = parseSignalBody(body);
    expect(parsed.ok && parsed.signals[0]).toMatchObject({ ticker: "AAPL", action: "buy", sentiment: "bullish", quantity: "10", signalPrice: "191.25", time: "2025-06-18T14:30:00.000Z", interval: "5" });
    expect(summary(tradeOf(body).steps)).toEqual(["entry buy 10 market"]);
  });
  it("a rendered exit (market_position flat) closes the long", () => {
    const body = render({ ...values, "strategy.order.action": "sell", "strategy.market_position": "flat", "strategy.order.contracts": "10" });
    expect(summary(tradeOf(body, { position: 10 }).steps)).toEqual(["exit sell 10 market"]);
  });
  it("a one-signal flip (contracts = |old| + new) with subtract exit quantity", () => {
    const body = render({ ...values, "strategy.order.action": "sell", "strategy.market_position": "short", "strategy.order.contracts": "20" });
    expect(summary(tradeOf(body, { position: 10, settings: { subtractExitQuantity: true } }).steps)).toEqual(["exit sell 10 market (wait)", "entry sell 10 market"]);
  });
});
