/** The kit's in-memory book that plugin fakes build on. */
import { describe, expect, it } from "vitest";
import { FakeLedger, LedgerRejection } from "./fake-ledger";

describe("FakeLedger", () => {
  it("fills market orders at the last price and keeps signed positions and cash", () => {
    const book = new FakeLedger({ cash: "1000" });
    book.setPrice("X", "10");
    book.place({ symbol: "X", side: "buy", type: "market", quantity: "5" });
    book.place({ symbol: "X", side: "sell", type: "market", quantity: "8" });
    expect(book.positionList()).toEqual([{ symbol: "X", quantity: "-3", avgPrice: "10" }]);
    expect(book.cash).toBe("1030");
    expect(book.equity()).toBe("1000");
  });

  it("rests limits and stops until the price crosses them", () => {
    const book = new FakeLedger();
    book.setPrice("X", "100");
    const limit = book.place({ symbol: "X", side: "buy", type: "limit", quantity: "1", limitPrice: "95" });
    const stop = book.place({ symbol: "X", side: "sell", type: "stop", quantity: "1", stopPrice: "90" });
    expect([limit.status, stop.status]).toEqual(["open", "open"]);
    book.setPrice("X", "94");
    expect([limit.status, limit.avgFillPrice, stop.status]).toEqual(["filled", "94", "open"]);
    book.setPrice("X", "89");
    expect([stop.status, stop.avgFillPrice]).toEqual(["filled", "89"]);
  });

  it("ends immediate orders at once: ioc keeps what filled, fok fills all or nothing", () => {
    const book = new FakeLedger();
    book.setPrice("X", "100");
    const away = book.place({ symbol: "X", side: "buy", type: "limit", quantity: "1", limitPrice: "95", immediate: "ioc" });
    const killed = book.place({ symbol: "X", side: "buy", type: "limit", quantity: "1", limitPrice: "95", immediate: "fok" });
    expect([away.status, killed.status, book.open()]).toEqual(["cancelled", "cancelled", []]);
    book.partialFillNext("2");
    const partly = book.place({ symbol: "X", side: "buy", type: "limit", quantity: "5", limitPrice: "101", immediate: "ioc" });
    expect([partly.status, partly.filledQuantity]).toEqual(["cancelled", "2"]);
    book.partialFillNext("2");
    const whole = book.place({ symbol: "X", side: "buy", type: "limit", quantity: "5", limitPrice: "101", immediate: "fok" });
    expect([whole.status, whole.filledQuantity]).toEqual(["cancelled", "0"]);
    book.setPrice("X", "94");
    expect(book.positionList()).toEqual([{ symbol: "X", quantity: "2", avgPrice: "100" }]);
  });

  it("turns a bracket into an OCO pair once the entry fills", () => {
    const book = new FakeLedger();
    book.setPrice("X", "100");
    const entry = book.place({ symbol: "X", side: "buy", type: "market", quantity: "2", takeProfit: { limitPrice: "110" }, stopLoss: { stopPrice: "90" } });
    const legs = book.open();
    expect(legs.map((l) => [l.role, l.parentId, l.side, l.quantity])).toEqual([
      ["take_profit", entry.id, "sell", "2"],
      ["stop_loss", entry.id, "sell", "2"],
    ]);
    book.setPrice("X", "111");
    expect(legs.map((l) => l.status)).toEqual(["filled", "cancelled"]);
    expect(book.positionList()).toEqual([]);
  });

  it("fills part of the next order, then the rest as the price allows; cancel keeps the fills", () => {
    const book = new FakeLedger();
    book.setPrice("X", "100");
    book.partialFillNext("1");
    const o = book.place({ symbol: "X", side: "buy", type: "market", quantity: "3" });
    expect([o.status, o.filledQuantity]).toEqual(["partially_filled", "1"]);
    book.cancel(o.id);
    expect([o.status, o.filledQuantity]).toEqual(["cancelled", "1"]);
  });

  it("refuses what a broker refuses", () => {
    const book = new FakeLedger({ cash: "100", shorting: false });
    book.setPrice("X", "10");
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof LedgerRejection ? e.code : String(e);
      }
      return "accepted";
    };
    expect(code(() => book.place({ symbol: "X", side: "buy", type: "market", quantity: "11" }))).toBe("insufficient-funds");
    expect(code(() => book.place({ symbol: "X", side: "sell", type: "market", quantity: "1" }))).toBe("short-not-allowed");
    expect(code(() => book.place({ symbol: "Y", side: "buy", type: "market", quantity: "1" }))).toBe("no-price");
    book.place({ clientOrderId: "c1", symbol: "X", side: "buy", type: "market", quantity: "1" });
    expect(code(() => book.place({ clientOrderId: "c1", symbol: "X", side: "buy", type: "market", quantity: "1" }))).toBe("duplicate-client-order-id");
    expect(code(() => book.cancel(book.byClientId("c1")!.id))).toBe("order-not-cancelable");
    expect(code(() => book.cancel("nope"))).toBe("order-not-found");
  });
});
