import { describe, expect, it } from "vitest";
import { Big } from "../../plugins/sdk/decimal";
import { floorToStep, quantityStep, roundPrice, roundPriceForSide, tickSizeFor } from "./rounding";
import type { Instrument } from "./tickers";

const stock: Instrument = { ticker: "SPY", assetClass: "stocks", root: "SPY", tickSize: null, pointValue: "1" };
const crypto: Instrument = { ticker: "BTCUSD", assetClass: "crypto", root: "BTCUSD", tickSize: null, pointValue: "1" };
const mnq: Instrument = { ticker: "MNQU2025", assetClass: "futures", root: "MNQ", tickSize: "0.25", pointValue: "2" };
const r = (price: string, tick: string, side: "buy" | "sell") => roundPriceForSide(new Big(price), new Big(tick), side).toFixed();

describe("price rounding: sells up, buys down", () => {
  it("the documented example: sell 1.07375 at tick 0.0001 → 1.0738", () => {
    expect(r("1.07375", "0.0001", "sell")).toBe("1.0738");
    expect(r("1.07375", "0.0001", "buy")).toBe("1.0737");
  });
  it("leaves prices on the tick alone", () => {
    expect(r("100.25", "0.25", "sell")).toBe("100.25");
    expect(r("100.25", "0.25", "buy")).toBe("100.25");
    expect(r("0.3", "0.1", "sell")).toBe("0.3"); // no 0.30000000000000004
  });
  it("MNQ quarter-point ticks", () => {
    expect(roundPrice(new Big("25000.7625"), mnq, "sell").toFixed()).toBe("25001");
    expect(roundPrice(new Big("25000.7625"), mnq, "buy").toFixed()).toBe("25000.75");
    expect(roundPrice(new Big("22619.7375"), mnq, "sell").toFixed()).toBe("22619.75");
  });
  it("stock ticks depend on the price (sub-penny below $1)", () => {
    expect(tickSizeFor(stock, new Big("12.3")).toFixed()).toBe("0.01");
    expect(tickSizeFor(stock, new Big("0.5")).toFixed()).toBe("0.0001");
    expect(roundPrice(new Big("0.123456"), stock, "sell").toFixed()).toBe("0.1235");
    expect(roundPrice(new Big("157.432"), stock, "buy").toFixed()).toBe("157.43");
  });
  it("crypto below $1 keeps 8 decimals", () => {
    expect(roundPrice(new Big("0.000012345678"), crypto, "buy").toFixed()).toBe("0.00001234");
    expect(roundPrice(new Big("64123.456"), crypto, "sell").toFixed()).toBe("64123.46");
  });
  it("a broker tick overrides the tables", () => {
    expect(roundPrice(new Big("100.03"), stock, "sell", "0.05").toFixed()).toBe("100.05");
  });
});

describe("quantity rounding: always down", () => {
  it("whole units", () => {
    expect(floorToStep(new Big("7.5"), new Big(1)).toFixed()).toBe("7");
    expect(floorToStep(new Big("0.99"), new Big(1)).toFixed()).toBe("0");
  });
  it("fractional steps", () => {
    expect(floorToStep(new Big("0.1234567"), quantityStep(stock, true, true)).toFixed()).toBe("0.123456");
    expect(floorToStep(new Big("0.123456789"), quantityStep(crypto, true, true)).toFixed()).toBe("0.12345678");
  });
  it("fractional only when the subscription, the asset class and the broker all allow it", () => {
    expect(quantityStep(stock, false, true).toFixed()).toBe("1");
    expect(quantityStep(stock, true, false).toFixed()).toBe("1");
    expect(quantityStep(mnq, true, true).toFixed()).toBe("1");
  });
});
