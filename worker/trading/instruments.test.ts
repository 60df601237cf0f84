import { describe, expect, it } from "vitest";
import { isTickerAllowed } from "./allowed-tickers";
import { frontMonth, parseFuturesTicker, referenceDate } from "./futures";
import { optionFromFields, parseOptionTicker } from "./options";
import { rejectionOf, signal, tradeOf } from "./testing";
import { resolveTicker } from "./tickers";

const d = (iso: string) => new Date(iso);

describe("futures tickers", () => {
  it("parses explicit contracts, normalizing the year to 4 digits", () => {
    const now = d("2025-09-09T12:00:00Z");
    expect(parseFuturesTicker("MNQU2025", now)).toEqual({ kind: "contract", contract: { root: "MNQ", month: "U", year: 2025, symbol: "MNQU2025" } });
    expect(parseFuturesTicker("ESZ25", now)).toMatchObject({ contract: { symbol: "ESZ2025" } });
    expect(parseFuturesTicker("ESZ5", now)).toMatchObject({ contract: { symbol: "ESZ2025" } });
    expect(parseFuturesTicker("ESH6", now)).toMatchObject({ contract: { symbol: "ESH2026" } });
    expect(parseFuturesTicker("M2KU2025", now)).toMatchObject({ contract: { root: "M2K" } });
    expect(parseFuturesTicker("NQ1!", now)).toEqual({ kind: "continuous", root: "NQ", nth: 1 });
    expect(parseFuturesTicker("MNQ", now)).toEqual({ kind: "root", root: "MNQ" });
    expect(parseFuturesTicker("AAPL", now)).toBeNull();
  });

  it("equity index reference date is the third Friday", () => {
    expect(referenceDate("third-friday", 2025, 9).toISOString().slice(0, 10)).toBe("2025-09-19");
    expect(referenceDate("third-friday", 2025, 12).toISOString().slice(0, 10)).toBe("2025-12-19");
  });

  it("rolls equity index futures two days before the third Friday (CME date)", () => {
    expect(frontMonth("NQ", d("2025-09-09T12:00:00Z"))?.symbol).toBe("NQU2025");
    // 2025-09-17 03:00Z is still the 16th in Chicago.
    expect(frontMonth("NQ", d("2025-09-17T03:00:00Z"))?.symbol).toBe("NQU2025");
    expect(frontMonth("NQ", d("2025-09-17T06:00:00Z"))?.symbol).toBe("NQZ2025");
    expect(frontMonth("NQ", d("2025-09-09T12:00:00Z"), 2)?.symbol).toBe("NQZ2025");
    expect(frontMonth("ES", d("2025-12-17T15:00:00Z"))?.symbol).toBe("ESH2026");
    expect(frontMonth("ES", d("2025-12-16T15:00:00Z"))?.symbol).toBe("ESZ2025");
  });

  it("rolls crude two days before its last trading day (3 business days before the 25th of the prior month)", () => {
    expect(referenceDate("crude", 2025, 12).toISOString().slice(0, 10)).toBe("2025-11-20");
    expect(frontMonth("CL", d("2025-11-17T15:00:00Z"))?.symbol).toBe("CLZ2025");
    expect(frontMonth("CL", d("2025-11-18T15:00:00Z"))?.symbol).toBe("CLF2026");
  });

  it("rolls gold two days before first notice day (last business day of the prior month)", () => {
    expect(referenceDate("metal-fnd", 2025, 12).toISOString().slice(0, 10)).toBe("2025-11-28");
    expect(frontMonth("GC", d("2025-11-25T15:00:00Z"))?.symbol).toBe("GCZ2025");
    expect(frontMonth("GC", d("2025-11-26T15:00:00Z"))?.symbol).toBe("GCG2026");
  });

  it("continuous symbols and bare roots resolve in decisions; unknown roots are refused", () => {
    expect(tradeOf({ ticker: "NQ1!", action: "buy" }, { assetClass: "futures", now: "2025-12-18T15:00:00Z" }).ticker).toBe("NQH2026");
    expect(tradeOf({ ticker: "mnqu25", action: "buy" }, { assetClass: "futures" }).ticker).toBe("MNQU2025");
    const r = rejectionOf({ ticker: "ZB1!", action: "buy" }, { assetClass: "futures" });
    expect(r.messageCode).toBe("ticker-does-not-exist");
    expect(r.message).toMatch(/explicit contract/);
    expect(rejectionOf({ ticker: "AAPL", action: "buy" }, { assetClass: "futures" }).messageCode).toBe("ticker-does-not-exist");
  });
});

describe("option tickers", () => {
  it.each([
    ["SPY 250624C596", "SPY 250624C596"],
    ["SPY250624C00596000", "SPY 250624C596"],
    ["SPY   250624C00596500", "SPY 250624C596.5"],
    ["SPY_250624P596.5", "SPY 250624P596.5"],
    [".SPY250624C596", "SPY 250624C596"],
    ["O:SPY250624C00596000", "SPY 250624C596"],
  ])("%s → %s", (input, symbol) => {
    expect(parseOptionTicker(input)?.symbol).toBe(symbol);
  });
  it("rejects impossible dates and non-options", () => {
    expect(parseOptionTicker("SPY 250231C596")).toBeNull();
    expect(parseOptionTicker("SPY")).toBeNull();
    expect(parseOptionTicker("MNQU2025")).toBeNull();
  });
  it("builds contracts from fields", () => {
    expect(optionFromFields("SPY", "put", "2024-05-10", "68.5")).toMatchObject({ symbol: "SPY 240510P68.5", expiration: "2024-05-10", right: "put" });
  });
  it("option fields that need a chain scan are refused with guidance", () => {
    const r = rejectionOf({ ticker: "SPY", action: "buy", optionType: "both", expiration: "+0 days", strikesAway: 1 }, { assetClass: "options" });
    expect(r.messageCode).toBe("option-contract-not-resolved");
    expect(r.message).toMatch(/does not scan option chains/);
    expect(rejectionOf({ ticker: "SPY", action: "buy" }, { assetClass: "options" }).messageCode).toBe("option-contract-not-resolved");
  });
  it("a contradicting optionType is refused", () => {
    expect(rejectionOf({ ticker: "SPY 250624C596", action: "buy", optionType: "put" }, { assetClass: "options" }).messageCode).toBe("invalid-ticker-and-option-type");
  });
  it("an option on a stocks strategy is the wrong asset class", () => {
    expect(rejectionOf({ ticker: "SPY 250624C596", action: "buy" }).messageCode).toBe("invalid-asset-class");
    expect(rejectionOf({ ticker: "NQ1!", action: "buy" }).messageCode).toBe("invalid-asset-class");
  });
  it("invert puts: buy sells to open a put", () => {
    const plan = tradeOf({ ticker: "SPY 250624P596", action: "buy" }, { assetClass: "options", settings: { invertPuts: true } });
    expect(plan.steps[0]).toMatchObject({ leg: "entry", order: { side: "sell" } });
    expect(tradeOf({ ticker: "SPY 250624P596", action: "buy" }, { assetClass: "options" }).steps[0]).toMatchObject({ order: { side: "buy" } });
  });
});

describe("crypto, forex, stocks", () => {
  it("accept their forms", () => {
    const now = d("2025-01-01T00:00:00Z");
    expect(resolveTicker(signal({ ticker: "btc/usd", action: "buy" }), "crypto", now)).toMatchObject({ ok: true, instrument: { ticker: "BTC/USD" } });
    expect(resolveTicker(signal({ ticker: "EUR/USD", action: "buy" }), "forex", now)).toMatchObject({ ok: true, instrument: { ticker: "EURUSD", tickSize: "0.00001" } });
    expect(resolveTicker(signal({ ticker: "USDJPY", action: "buy" }), "forex", now)).toMatchObject({ ok: true, instrument: { tickSize: "0.001" } });
    expect(resolveTicker(signal({ ticker: "BRK.B", action: "buy" }), "stocks", now)).toMatchObject({ ok: true });
    expect(resolveTicker(signal({ ticker: "EURUSDX", action: "buy" }), "forex", now)).toMatchObject({ ok: false, messageCode: "ticker-does-not-exist" });
  });
});

describe("allowed tickers", () => {
  const inst = (ticker: string, root: string) => ({ ticker, root, assetClass: "futures" as const, tickSize: "0.25", pointValue: "2" });
  it("match exact tickers, roots, underlyings and pairs without separators", () => {
    expect(isTickerAllowed(null, inst("MNQU2025", "MNQ"), "MNQU2025")).toBe(true);
    expect(isTickerAllowed(["MNQ"], inst("MNQU2025", "MNQ"), "MNQU2025")).toBe(true);
    expect(isTickerAllowed(["NQ"], inst("MNQU2025", "MNQ"), "MNQU2025")).toBe(false);
    expect(isTickerAllowed(["btc/usd"], { ...inst("BTCUSD", "BTCUSD"), assetClass: "crypto" }, "BTCUSD")).toBe(true);
  });
  it("strategy and subscription lists both apply", () => {
    expect(rejectionOf({ ticker: "TSLA", action: "buy" }, { allowedTickers: ["SPY"] })).toMatchObject({ messageCode: "unsupported-ticker", field: "ticker" });
    expect(rejectionOf({ ticker: "TSLA", action: "buy" }, { settings: { allowedTickers: ["spy"] } }).message).toMatch(/subscription's "allowedTickers"/);
    expect(tradeOf({ ticker: "SPY 250624C596", action: "buy" }, { assetClass: "options", allowedTickers: ["SPY"] }).ticker).toBe("SPY 250624C596");
  });
});
