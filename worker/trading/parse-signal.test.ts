import { describe, expect, it } from "vitest";
import specExamples from "./fixtures/traderspost-spec-examples.json";
import { MESSAGE_CODES } from "./message-codes";
import { parseSignalBody, type ParseResult } from "./parse-signal";
import type { Signal } from "./signal-schema";

function ok(body: unknown): Signal {
  const r = parseSignalBody(typeof body === "string" ? body : JSON.stringify(body));
  if (!r.ok) throw new Error(`${r.messageCode}: ${r.message}`);
  expect(r.signals).toHaveLength(1);
  return r.signals[0]!;
}

function err(body: unknown): Extract<ParseResult, { ok: false }> {
  const r = parseSignalBody(typeof body === "string" ? body : JSON.stringify(body));
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.signals)}`);
  return r;
}

const base = { ticker: "SPY", action: "buy" };

describe("TradersPost OpenAPI examples (fixtures/traderspost-spec-examples.json)", () => {
  it.each([...specExamples.requestBodyExamples, ...specExamples.responsePayloadExamples].map((e, i) => [i, e] as const))(
    "example %i is accepted and normalized",
    (_, example) => {
      const s = ok(example);
      expect(s).toMatchObject({
        ticker: "AAPL",
        action: "buy",
        sentiment: "bullish",
        signalPrice: "191.25",
        quantity: "10",
        quantityType: "fixed_quantity",
        orderType: "market",
        time: "2025-06-18T14:30:00.000Z",
        test: true,
        takeProfit: { percent: "10" },
        stopLoss: { type: "stop", percent: "5" },
        extras: { strategy: "EMA_Crossover", comment: "Breakout entry", exitType: "trailing_atr" },
      });
      expect(s).not.toHaveProperty("price");
    },
  );

  const enumCases = Object.entries(specExamples.fieldEnums).flatMap(([field, values]) => values.map((v) => [field, v] as const));
  it.each(enumCases)("%s = %s is accepted", (field, value) => {
    let body: Record<string, unknown> = { ...base };
    if (field === "stopLoss.type") body.stopLoss = { type: value, ...(value === "trailing_stop" ? { trailAmount: 1 } : { percent: 5 }), ...(value === "stop_limit" ? { limitPrice: 9 } : {}) };
    else body[field] = value;
    if (field === "action" && value !== "buy") body = { ticker: "SPY", action: value };
    if (field === "orderType" && value === "trailing_stop") body.trailAmount = 1;
    if (field === "quantityType") body.quantity = 10;
    if (field === "quantityType" && value === "percent_of_position") body.action = "sell";
    expect(() => ok(body)).not.toThrow();
  });

  it("every messageCode the spec's 400 reply lists is a known Tradeloop code (or deliberately not produced)", () => {
    // "message tags" have no documented field (signals.md §1 lists none), so Tradeloop never produces this code.
    const notProduced = new Set(["invalid-message-tags"]);
    const unknown = specExamples.errorMessageCodes.filter((c) => !(c in MESSAGE_CODES) && !notProduced.has(c));
    expect(unknown).toEqual([]);
  });
});

describe("body handling", () => {
  it.each(["", "   ", "\n\t"])("empty body %j → empty-json", (body) => {
    expect(err(body).messageCode).toBe("empty-json");
  });
  it("a byte-order mark is ignored", () => {
    expect(ok(`\uFEFF${JSON.stringify(base)}`).ticker).toBe("SPY");
  });
  it("a trailing comma → malformed-json, and the message says so", () => {
    const e = err('{"ticker":"SPY","action":"buy",}');
    expect(e.messageCode).toBe("malformed-json");
    expect(e.message).toMatch(/trailing comma/);
    expect(e.message).toMatch(/comma right before a closing/);
  });
  it("curly quotes → malformed-json, and the message says so", () => {
    const e = err("{\u201Cticker\u201D: \u201CSPY\u201D, \u201Caction\u201D: \u201Cbuy\u201D}");
    expect(e.messageCode).toBe("malformed-json");
    expect(e.message).toMatch(/contains curly quotes/);
  });
  it.each(["5", '"buy"', "null", "true"])("non-object JSON %s → invalid-payload", (body) => {
    expect(err(body).messageCode).toBe("invalid-payload");
  });
  it("the echo payload is the JSON as sent", () => {
    const body = { ticker: " spy ", action: "BUY", price: "1.50", unknownField: [1, 2], extras: { a: 1 } };
    const r = parseSignalBody(JSON.stringify(body));
    expect(r.ok && r.payload).toEqual(body);
  });
  it("unknown fields are ignored", () => {
    expect(ok({ ...base, strategyName: "x", foo: { bar: 1 } })).not.toHaveProperty("foo");
  });
  it("null counts as not sent", () => {
    const s = ok({ ...base, quantity: null, sentiment: null, takeProfit: null, stopLoss: { type: "stop", percent: 2, amount: null } });
    expect(s.quantity).toBeUndefined();
    expect(s.sentiment).toBeUndefined();
    expect(s.takeProfit).toBeUndefined();
    expect(s.stopLoss).toMatchObject({ type: "stop", percent: "2" });
  });
});

describe("multi-signal messages", () => {
  it("a list of signals parses in order", () => {
    const r = parseSignalBody(JSON.stringify([{ ticker: "SPY", action: "exit" }, { ticker: "QQQ", action: "buy", quantity: 2 }]));
    expect(r.ok && r.signals.map((s) => `${s.action} ${s.ticker}`)).toEqual(["exit SPY", "buy QQQ"]);
  });
  it.each([0, 11])("%i signals → invalid-payload", (n) => {
    const e = err(Array.from({ length: n }, () => base));
    expect(e.messageCode).toBe("invalid-payload");
    expect(e.message).toMatch(/1 to 10/);
  });
  it("an error names the signal and the field", () => {
    const e = err([base, { ticker: "QQQ", action: "bu" }]);
    expect(e.messageCode).toBe("invalid-action");
    expect(e.field).toBe("1.action");
    expect(e.message).toMatch(/^Signal 2: "action" must be one of/);
  });
  it("a non-object entry → invalid-payload", () => {
    expect(err([base, 5]).messageCode).toBe("invalid-payload");
  });
});

describe("normalization", () => {
  it("trims, collapses and upper-cases the ticker", () => {
    expect(ok({ ...base, ticker: "  spy  250624c596 " }).ticker).toBe("SPY 250624C596");
  });
  it("matches enum values case-insensitively", () => {
    expect(ok({ ticker: "SPY", action: " BUY ", sentiment: "Long", orderType: "LIMIT" })).toMatchObject({ action: "buy", sentiment: "bullish", orderType: "limit" });
    expect(ok({ ticker: "SPY", action: "sell", sentiment: "short" }).sentiment).toBe("bearish");
  });
  it("normalizes numbers and numeric strings to canonical decimals", () => {
    expect(ok({ ...base, quantity: "2", price: "23810.25" })).toMatchObject({ quantity: "2", signalPrice: "23810.25" });
    expect(ok({ ...base, quantity: " 2.50 ", signalPrice: 0.1 })).toMatchObject({ quantity: "2.5", signalPrice: "0.1" });
    expect(ok({ ...base, quantity: "1e3", limitPrice: "+7.000" })).toMatchObject({ quantity: "1000", limitPrice: "7" });
  });
  it("signalPrice wins over its alias price", () => {
    expect(ok({ ...base, price: 1, signalPrice: 2 }).signalPrice).toBe("2");
  });
  it("maps old quantity type names", () => {
    expect(ok({ ...base, quantity: 100, quantityType: "amount_per_position" }).quantityType).toBe("dollar_amount");
    expect(ok({ ...base, quantity: 100, quantityType: "risk_per_position" }).quantityType).toBe("risk_dollar_amount");
  });
  it("accepts booleans as strings", () => {
    expect(ok({ ...base, extendedHours: "true", test: "FALSE", cancel: false })).toMatchObject({ extendedHours: true, test: false, cancel: false });
  });
  it("normalizes time", () => {
    expect(ok({ ...base, time: "2026-04-28T07:41:58.799-06:00" }).time).toBe("2026-04-28T13:41:58.799Z");
    expect(ok({ ...base, time: 1757426828000 }).time).toBe("2025-09-09T14:07:08.000Z");
  });
  it("normalizes delay", () => {
    expect(ok({ ...base, delay: 30 }).delay).toEqual({ kind: "relative", seconds: 30 });
    expect(ok({ ...base, delay: "+5 minutes" }).delay).toEqual({ kind: "relative", seconds: 300 });
    expect(ok({ ...base, delay: "2026-04-28T09:30:00-04:00" }).delay).toEqual({ kind: "absolute", at: "2026-04-28T13:30:00.000Z" });
  });
  it("keeps aliases out of the take profit and infers the stop loss type", () => {
    expect(ok({ ...base, takeProfit: { price: 20 } }).takeProfit).toEqual({ limitPrice: "20", percent: undefined, amount: undefined, pnlAmount: undefined });
    expect(ok({ ...base, stopLoss: { trailPrice: 1 } }).stopLoss).toMatchObject({ type: "trailing_stop", trailAmount: "1" });
    expect(ok({ ...base, stopLoss: { stopPrice: 9, limitPrice: 8.9 } }).stopLoss?.type).toBe("stop_limit");
    expect(ok({ ...base, stopLoss: { percent: 2 } }).stopLoss?.type).toBeUndefined();
  });
  it("keeps extras as sent", () => {
    const extras = { nested: { deep: [1, { x: "y" }] } };
    expect(ok({ ...base, extras }).extras).toEqual(extras);
  });
});

describe("field errors: stable code, and a message naming the field and what is allowed", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["missing ticker", { action: "buy" }, "invalid-payload", /"ticker" is required/],
    ["missing action", { ticker: "SPY" }, "invalid-payload", /"action" is required: send one of buy, sell/],
    ["null ticker", { ticker: null, action: "buy" }, "invalid-payload", /"ticker" is required/],
    ["bad action", { ticker: "NQ", action: "bu" }, "invalid-action", /^"action" must be one of buy, sell, exit, cancel, add, reverse, breakeven; got "bu"\.$/],
    ["numeric action", { ticker: "NQ", action: 1 }, "invalid-action", /"action" must be one of .*got 1\./],
    ["empty ticker", { ticker: "  ", action: "buy" }, "empty-ticker-name", /"ticker" is empty/],
    ["ticker characters", { ticker: "SP$Y", action: "buy" }, "invalid-ticker", /"ticker" must be a symbol/],
    ["unrendered placeholder", { ticker: "{{ticker}}", action: "buy" }, "invalid-ticker", /placeholder that was not filled in/],
    ["object ticker", { ticker: { a: 1 }, action: "buy" }, "invalid-ticker", /got an object/],
    ["sentiment", { ...base, sentiment: "up" }, "invalid-sentiment", /"sentiment" must be one of bullish, bearish, flat; got "up"/],
    ["exit + flat", { ticker: "GOOGL", action: "exit", sentiment: "flat" }, "invalid-sentiment-action", /"sentiment" only goes with action buy or sell/],
    ["cancel + sentiment", { ticker: "SPY", action: "cancel", sentiment: "bullish" }, "invalid-sentiment-action", /action "cancel"/],
    ["zero quantity", { ...base, quantity: 0 }, "invalid-quantity", /"quantity" must be a positive number/],
    ["negative quantity", { ...base, quantity: "-2" }, "invalid-quantity", /got "-2"/],
    ["NaN quantity", { ...base, quantity: "NaN" }, "invalid-quantity", /"quantity"/],
    ["Infinity quantity", { ...base, quantity: "Infinity" }, "invalid-quantity", /"quantity"/],
    ["huge quantity", { ...base, quantity: "1e999" }, "invalid-quantity", /"quantity"/],
    ["thousands separator", { ...base, quantity: "1,000" }, "invalid-quantity", /thousands separators/],
    ["boolean quantity", { ...base, quantity: true }, "invalid-quantity", /got true/],
    ["list quantity", { ...base, quantity: [1] }, "invalid-quantity", /got a list/],
    ["price", { ...base, price: "abc" }, "invalid-signal-price", /"price" must be a positive number/],
    ["signalPrice", { ...base, signalPrice: -1 }, "invalid-signal-price", /"signalPrice"/],
    ["limitPrice", { ...base, limitPrice: "" }, "invalid-limit-price", /"limitPrice"/],
    ["orderType", { ...base, orderType: "stop-limit" }, "invalid-order-type", /"orderType" must be one of market, limit, stop, stop_limit, trailing_stop/],
    ["quantityType", { ...base, quantity: 1, quantityType: "shares" }, "invalid-quantity-type", /"quantityType" must be one of/],
    ["quantityType without quantity", { ...base, quantityType: "dollar_amount" }, "quantity-type-requires-quantity", /needs a "quantity"/],
    ["quantityType with cancel", { ticker: "SPY", action: "cancel", quantity: 5, quantityType: "dollar_amount" }, "invalid-quantity-type-action", /"quantityType" only goes with action/],
    ["percent_of_position with add", { ticker: "SPY", action: "add", quantity: 5, quantityType: "percent_of_position" }, "invalid-percent-of-position-action", /percent_of_position/],
    ["risk type with exit", { ticker: "SPY", action: "exit", quantity: 5, quantityType: "risk_percent" }, "invalid-risk-dollar-amount-action", /"quantityType" "risk_percent"/],
    ["trailing_stop without trail", { ...base, orderType: "trailing_stop" }, "invalid-trailing-stop", /needs "trailAmount"/],
    ["trailing_stop with both trails", { ...base, orderType: "trailing_stop", trailAmount: 1, trailPercent: 1 }, "invalid-trailing-stop", /only one of/],
    ["trailPercent 100", { ...base, trailPercent: 100 }, "invalid-trail-percent", /"trailPercent" must be a number greater than 0 and below 100/],
    ["timeInForce", { ...base, timeInForce: "GTD" }, "invalid-time-in-force", /"timeInForce" must be one of day, gtc/],
    ["extendedHours", { ...base, extendedHours: "yes" }, "invalid-extended-hours", /"extendedHours" must be true or false/],
    ["time", { ...base, time: "yesterday" }, "invalid-time", /"time" must be an ISO-8601 time/],
    ["time placeholder", { ...base, time: "{{timenow}}" }, "invalid-time", /placeholder/],
    ["interval", { ...base, interval: "x".repeat(33) }, "invalid-interval", /"interval"/],
    ["ignoreTradingWindows", { ...base, ignoreTradingWindows: 1 }, "invalid-ignore-trading-windows", /"ignoreTradingWindows" must be true or false/],
    ["cancel", { ...base, cancel: "maybe" }, "invalid-cancel", /"cancel" must be true or false/],
    ["cancelOrderType", { ticker: "SPY", action: "cancel", cancelOrderType: "oco" }, "invalid-cancel-order-type", /"cancelOrderType" must be one of/],
    ["delay past 24 h", { ...base, delay: "+2 days" }, "invalid-delay-format", /at most 24 hours ahead/],
    ["delay seconds", { ...base, delay: 90_000 }, "invalid-delay-format", /"delay"/],
    ["delay without timezone", { ...base, delay: "2026-04-28T09:30:00" }, "invalid-delay-format", /"delay"/],
    ["cancelAfter", { ...base, cancelAfter: 0 }, "invalid-cancel-after", /"cancelAfter" must be a whole number from 1 to 3600/],
    ["marketPriceType", { ...base, marketPriceType: "mid" }, "invalid-market-price-type", /"marketPriceType" must be one of ask_bid, mark/],
    ["bidAskSpreadFilter", { ...base, bidAskSpreadFilter: 0 }, "invalid-bid-ask-spread-filter", /"bidAskSpreadFilter"/],
    ["bidAskSpreadFilterPercent", { ...base, bidAskSpreadFilterPercent: 101 }, "invalid-bid-ask-spread-filter-percent", /"bidAskSpreadFilterPercent"/],
    ["breakevenOffset", { ticker: "SPY", action: "breakeven", breakevenOffset: 0 }, "invalid-breakeven-offset", /"breakevenOffset" must be a number from 0.001 to 100/],
    ["message too short", { ...base, message: "hi" }, "invalid-message-length", /"message" must be text of 25 to 255 characters.*It has 2/],
    ["expiresAt", { ...base, expiresAt: "soon" }, "invalid-expires-at", /"expiresAt"/],
    ["test", { ...base, test: "nope" }, "invalid-test", /"test" must be true or false/],
    ["optionType", { ...base, optionType: "calls" }, "invalid-option-type", /"optionType" must be one of both, call, put/],
    ["intrinsicValue", { ...base, intrinsicValue: "atm" }, "invalid-intrinsic-value", /"intrinsicValue" must be one of itm, otm/],
    ["expiration", { ...base, expiration: "2024-02-30" }, "invalid-expiration", /"expiration" must be a date/],
    ["strikeCount", { ...base, strikeCount: 1.5 }, "invalid-strike-count", /"strikeCount" must be a whole number/],
    ["strikesAway", { ...base, strikesAway: -1 }, "invalid-strikes-away", /"strikesAway"/],
    ["strikePrice", { ...base, strikePrice: "x" }, "invalid-strike-price", /"strikePrice"/],
    ["alertId", { ...base, alertId: "a".repeat(129) }, "invalid-alert-id", /"alertId" must be text of 1 to 128 characters/],
    ["extras", { ...base, extras: [1] }, "invalid-extras", /"extras" must be a JSON object/],
    ["takeProfit type", { ...base, takeProfit: 10 }, "invalid-take-profit", /"takeProfit" must be an object/],
    ["takeProfit empty", { ...base, takeProfit: {} }, "invalid-take-profit-value-required", /"takeProfit" needs one value/],
    ["takeProfit percent", { ...base, takeProfit: { percent: -1 } }, "invalid-take-profit-percent", /"takeProfit.percent" must be a positive number/],
    ["takeProfit amount", { ...base, takeProfit: { amount: "x" } }, "invalid-take-profit-amount", /"takeProfit.amount"/],
    ["takeProfit limitPrice", { ...base, takeProfit: { limitPrice: 0 } }, "invalid-take-profit-limit-price", /"takeProfit.limitPrice"/],
    ["takeProfit price alias", { ...base, takeProfit: { price: 0 } }, "invalid-take-profit-limit-price", /"takeProfit.price"/],
    ["takeProfit pnlAmount", { ...base, takeProfit: { pnlAmount: 0 } }, "invalid-take-profit-pnl-amount", /"takeProfit.pnlAmount"/],
    ["takeProfit two relatives", { ...base, takeProfit: { percent: 1, amount: 1 } }, "invalid-take-profit-amount-and-percent", /only one of/],
    ["takeProfit relative + absolute", { ...base, takeProfit: { percent: 1, limitPrice: 1 } }, "invalid-take-profit-relative-and-absolute", /not both/],
    ["stopLoss type", { ...base, stopLoss: { type: "market", percent: 1 } }, "invalid-stop-loss-type", /"stopLoss.type" must be one of stop, stop_limit, trailing_stop/],
    ["stopLoss not object", { ...base, stopLoss: "5%" }, "invalid-stop-loss", /"stopLoss" must be an object/],
    ["stopLoss empty", { ...base, stopLoss: {} }, "invalid-stop-loss-value-required", /"stopLoss" needs a value/],
    ["stopLoss percent 100", { ...base, stopLoss: { percent: 100 } }, "invalid-stop-loss-percent", /"stopLoss.percent"/],
    ["stopLoss amount", { ...base, stopLoss: { amount: -5 } }, "invalid-stop-loss-amount", /"stopLoss.amount"/],
    ["stopLoss stopPrice", { ...base, stopLoss: { stopPrice: "0" } }, "invalid-stop-loss-stop-price", /"stopLoss.stopPrice"/],
    ["stopLoss pnlAmount", { ...base, stopLoss: { pnlAmount: "-1" } }, "invalid-stop-loss-pnl-amount", /"stopLoss.pnlAmount"/],
    ["stopLoss trailPrice", { ...base, stopLoss: { trailPrice: "x" } }, "invalid-stop-loss-trail-price", /"stopLoss.trailPrice"/],
    ["stopLoss limitPrice with stop", { ...base, stopLoss: { type: "stop", stopPrice: 9, limitPrice: 8 } }, "invalid-stop-loss-limit-price", /needs "stopLoss.type" "stop_limit"/],
    ["stopLoss trailAmount with stop", { ...base, stopLoss: { type: "stop", trailAmount: 1 } }, "invalid-stop-loss-trail-amount", /needs "stopLoss.type" "trailing_stop"/],
    ["stopLoss trailPercent with stop", { ...base, stopLoss: { type: "stop_limit", trailPercent: 1 } }, "invalid-stop-loss-trail-percent", /"stopLoss.trailPercent"/],
    ["stopLoss both trails", { ...base, stopLoss: { trailAmount: 1, trailPercent: 1 } }, "invalid-stop-loss-trail-value", /only one of/],
    ["stopLoss trailing with a percent", { ...base, stopLoss: { type: "trailing_stop", percent: 2 } }, "invalid-stop-loss-trail-value-required", /takes "trailAmount" \(price distance\) or "trailPercent" instead/],
    ["stopLoss trailing with percent", { ...base, stopLoss: { type: "trailing_stop", trailAmount: 1, percent: 2 } }, "invalid-stop-loss-relative-and-absolute", /only "trailAmount" or "trailPercent"/],
    ["stopLoss two relatives", { ...base, stopLoss: { percent: 1, amount: 1 } }, "invalid-stop-loss-amount-and-percent", /only one of/],
    ["stopLoss relative + absolute", { ...base, stopLoss: { percent: 1, stopPrice: 9 } }, "invalid-stop-loss-relative-and-absolute", /not both/],
    ["stop_limit without stop", { ...base, stopLoss: { type: "stop_limit", limitPrice: 9 } }, "invalid-stop-loss-stop-price-required", /needs a stop/],
  ];
  it.each(cases)("%s", (_, body, code, message) => {
    const e = err(body);
    expect(e.messageCode).toBe(code);
    expect(e.message).toMatch(message);
    expect(MESSAGE_CODES[code]?.scope).toBe("webhook");
    expect(e.payload).toEqual(body);
  });

  it("a bare stop loss type is accepted (values come from the subscription)", () => {
    expect(ok({ ...base, stopLoss: { type: "stop" } }).stopLoss?.type).toBe("stop");
    expect(ok({ ...base, stopLoss: { type: "trailing_stop" } }).stopLoss?.type).toBe("trailing_stop");
  });
  it("message of 25 characters is accepted", () => {
    expect(ok({ ...base, message: "x".repeat(25) }).message).toHaveLength(25);
  });
});

/** A small deterministic PRNG so the fuzz run is reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("never throws", () => {
  const nasty: unknown[] = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e-999", "0x10", "1_000", "１２", "٣", "", " ", "\u0000", "\uD800", "🚀", "{{close}}",
    1e308, -1e308, 5e-324, 0, -0, Number.MAX_SAFE_INTEGER, 1.7976931348623157e308,
    true, false, null, [], [1], {}, { a: { b: { c: {} } } }, "x".repeat(10_000),
  ];
  const fields = ["ticker", "action", "sentiment", "quantity", "quantityType", "price", "signalPrice", "orderType", "limitPrice", "stopPrice", "trailAmount",
    "trailPercent", "takeProfit", "stopLoss", "timeInForce", "extendedHours", "time", "interval", "delay", "cancelAfter", "message", "expiresAt", "expiration",
    "strikePrice", "strikeCount", "alertId", "extras", "breakevenOffset", "__proto__", "constructor"];

  it("handles every nasty value in every field", () => {
    for (const field of fields) {
      for (const value of nasty) {
        const text = JSON.stringify({ ticker: "SPY", action: "buy", [field]: value });
        const r = parseSignalBody(text);
        if (r.ok) {
          // Accepted: exactly the one signal sent, still the ticker and action it named (unless the nasty value replaced them).
          expect(r.signals, `${field}=${JSON.stringify(value)}`).toHaveLength(1);
          if (field !== "ticker") expect(r.signals[0]!.ticker, `${field}=${JSON.stringify(value)}`).toBe("SPY");
          if (field !== "action") expect(r.signals[0]!.action, `${field}=${JSON.stringify(value)}`).toBe("buy");
        } else {
          // Refused: a documented code (docs/signals.md lists MESSAGE_CODES) and a sentence, never a raw path.
          expect(MESSAGE_CODES[r.messageCode], `${field}=${JSON.stringify(value)} → ${r.messageCode}`).toBeTruthy();
          expect(r.message, r.messageCode).toMatch(/^[A-Z"`].{10,}[.)]$/s);
        }
      }
    }
  });

  it("survives random garbage bodies", () => {
    const rand = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.5) return pick(nasty);
      if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [pick(fields), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const body = rand() < 0.1 ? String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(rand() * 0x7f))) : JSON.stringify(value(0)) ?? "";
      expect(() => parseSignalBody(body)).not.toThrow();
    }
  });

  it("survives deep nesting and prototype keys", () => {
    expect(() => parseSignalBody("[".repeat(50_000) + "]".repeat(50_000))).not.toThrow();
    const r = parseSignalBody('{"ticker":"SPY","action":"buy","__proto__":{"polluted":true},"extras":{"__proto__":{"x":1}}}');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A non-string body (a caller bug) is an error, not a crash.
    expect(parseSignalBody(undefined as unknown as string).ok).toBe(false);
  });
});

describe("targetPosition", () => {
  it("accepts the signed numbers TradingView renders for {{strategy.position_size}}, as strings or numbers", () => {
    for (const [sent, parsed] of [
      ["2", "2"],
      ["-1", "-1"],
      ["-1.0", "-1"],
      ["0", "0"],
      ["-0", "0"],
      ["0.0025", "0.0025"],
      [-3, "-3"],
      [0, "0"],
    ] as const) {
      expect(ok({ ...base, targetPosition: sent }).targetPosition, String(sent)).toBe(parsed);
    }
  });

  it("refuses a value that is not a number, in a sentence that says what the sign means", () => {
    const e = err({ ...base, targetPosition: "long" });
    expect(e).toMatchObject({ messageCode: "invalid-target-position", field: "targetPosition" });
    expect(e.message).toMatch(/^"targetPosition" must be the position to hold after this signal: a number, positive for long, negative for short, 0 for flat/);
    expect(err({ ...base, targetPosition: "1,000" }).message).toMatch(/Leave out thousands separators/);
    expect(err({ ...base, targetPosition: "{{strategy.position_size}}" }).message).toMatch(/placeholder that was not filled in/);
    expect(err({ ...base, targetPosition: true }).messageCode).toBe("invalid-target-position");
  });

  it("goes only with buy or sell", () => {
    const e = err({ ticker: "SPY", action: "exit", targetPosition: "0" });
    expect(e).toMatchObject({ messageCode: "invalid-target-position-action", field: "targetPosition" });
    expect(e.message).toMatch(/only goes with action buy or sell/);
  });

  it("refuses a sentiment on the other side of the target", () => {
    expect(ok({ ...base, sentiment: "long", targetPosition: "1" }).sentiment).toBe("bullish");
    expect(ok({ ...base, sentiment: "flat", targetPosition: "0" }).targetPosition).toBe("0");
    const e = err({ ...base, sentiment: "long", targetPosition: "-1" });
    expect(e).toMatchObject({ messageCode: "invalid-target-position-sentiment", field: "sentiment" });
    expect(e.message).toBe(
      '"sentiment" says long but "targetPosition" -1 is short; they must agree. Send "sentiment": "{{strategy.market_position}}" with "targetPosition": "{{strategy.position_size}}", or remove "sentiment".',
    );
    expect(err({ ...base, sentiment: "flat", targetPosition: "2" }).messageCode).toBe("invalid-target-position-sentiment");
  });

  it("counts units, so a quantityType other than fixed_quantity is refused", () => {
    expect(ok({ ...base, targetPosition: "1", quantityType: "fixed_quantity" }).targetPosition).toBe("1");
    const e = err({ ...base, targetPosition: "1", quantityType: "dollar_amount", quantity: 1000 });
    expect(e).toMatchObject({ messageCode: "invalid-target-position-quantity-type", field: "quantityType" });
  });
});
