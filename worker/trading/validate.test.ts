import { describe, expect, it } from "vitest";
import { parseSignalBody } from "./parse-signal";
import { resolveDelay } from "./delay";
import { signal } from "./testing";
import { validateSignalForStrategy } from "./validate";

const now = new Date("2026-04-28T13:00:00Z");

describe("validateSignalForStrategy (the webhook's strategy-level 400s)", () => {
  it("accepts and resolves", () => {
    expect(validateSignalForStrategy(signal({ ticker: "NQ1!", action: "buy" }), { assetClass: "futures", allowedTickers: ["NQ"] }, now)).toMatchObject({
      ok: true,
      instrument: { ticker: "NQM2026" },
    });
  });
  it.each([
    [{ ticker: "SPY 250624C596", action: "buy" }, "stocks", null, "invalid-asset-class"],
    [{ ticker: "TSLA", action: "buy" }, "stocks", ["SPY"], "unsupported-ticker"],
    [{ ticker: "NOPE!", action: "buy" }, "futures", null, "ticker-does-not-exist"],
    [{ ticker: "MNQU2026", action: "buy", quantity: 100, quantityType: "dollar_amount" }, "futures", null, "invalid-quantity-type-for-asset-class"],
    [{ ticker: "BTCUSD", action: "buy", extendedHours: true }, "crypto", null, "invalid-extended-hours"],
  ] as const)("%j on %s → %s", (body, assetClass, allowedTickers, code) => {
    const r = validateSignalForStrategy(signal(body), { assetClass, allowedTickers }, now);
    expect(r).toMatchObject({ ok: false, messageCode: code });
  });
});

describe("delay", () => {
  it("relative delays count from receipt", () => {
    expect(resolveDelay({ kind: "relative", seconds: 300 }, now)).toEqual({ ok: true, at: new Date("2026-04-28T13:05:00Z") });
    expect(resolveDelay(undefined, now)).toEqual({ ok: true, at: now });
  });
  it("absolute times must be within the next 24 hours", () => {
    expect(resolveDelay({ kind: "absolute", at: "2026-04-28T13:30:00.000Z" }, now)).toEqual({ ok: true, at: new Date("2026-04-28T13:30:00Z") });
    expect(resolveDelay({ kind: "absolute", at: "2026-04-28T12:59:30.000Z" }, now)).toEqual({ ok: true, at: now });
    expect(resolveDelay({ kind: "absolute", at: "2026-04-28T12:00:00.000Z" }, now)).toMatchObject({ ok: false, messageCode: "invalid-delay-format" });
    expect(resolveDelay({ kind: "absolute", at: "2026-04-29T13:00:01.000Z" }, now)).toMatchObject({ ok: false, messageCode: "invalid-delay-format" });
  });
  it("parseSignalBody checks absolute delays when given the receive time", () => {
    const body = JSON.stringify({ ticker: "SPY", action: "buy", delay: "2026-04-30T09:30:00-04:00" });
    expect(parseSignalBody(body).ok).toBe(true);
    expect(parseSignalBody(body, { now })).toMatchObject({ ok: false, messageCode: "invalid-delay-format", field: "delay" });
  });
});
