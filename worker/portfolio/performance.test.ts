/**
 * The performance module: realized P&L, round trips, win rate, curve and
 * drawdown from fills, with hand-computed expectations.
 */
import { describe, expect, it } from "vitest";
import { computePerformance, type Fill, positionKey, unrealizedPnl } from "./performance";

let seq = 0;
function fill(side: "buy" | "sell", quantity: string, price: string, atSeconds: number, extra: Partial<Fill> = {}): Fill {
  seq += 1;
  return { orderId: `o${String(seq).padStart(4, "0")}`, book: "acct", subscriptionId: "sub-a", ticker: "AAPL", side, quantity, price, at: atSeconds * 1000, ...extra };
}

describe("computePerformance", () => {
  it("reports nothing for no fills", () => {
    const r = computePerformance([]);
    expect(r).toMatchObject({ realizedPnl: 0, tradeCount: 0, winRate: null, maxDrawdown: 0, fillCount: 0, equityCurve: [], openPositions: [] });
  });

  it("realizes P&L against the average price and counts a round trip only when flat again", () => {
    const r = computePerformance([fill("buy", "2", "100", 1), fill("buy", "2", "110", 2), fill("sell", "1", "120", 3), fill("sell", "3", "90", 4)]);
    // avg 105; +15 on 1, then -15 × 3 = -45 → -30; one losing trip.
    expect(r.realizedPnl).toBe(-30);
    expect(r).toMatchObject({ tradeCount: 1, wins: 0, losses: 1, winRate: 0 });
    expect(r.equityCurve).toEqual([
      { time: 0, value: 0 },
      { time: 3, value: 15 },
      { time: 4, value: -30 },
    ]);
    expect(r.maxDrawdown).toBe(45);
    expect(r.maxDrawdownPercent).toBeNull();
    expect(r.openPositions).toEqual([]);
  });

  it("handles shorts and decimal prices without float noise", () => {
    const r = computePerformance([fill("sell", "3", "0.3", 1), fill("buy", "3", "0.1", 2)]);
    expect(r.realizedPnl).toBe(0.6);
    expect(r).toMatchObject({ tradeCount: 1, wins: 1, winRate: 1 });
  });

  it("a reversal closes one trip and opens the next at the fill price, credited to the reversing subscription", () => {
    const r = computePerformance([fill("buy", "5", "10", 1), fill("sell", "8", "12", 2, { subscriptionId: "sub-b" })]);
    expect(r.realizedPnl).toBe(10);
    expect(r.tradeCount).toBe(1);
    expect(r.openPositions).toEqual([{ book: "acct", ticker: "AAPL", quantity: -3, avgPrice: 12, openedBySubscriptionId: "sub-b", openedAt: 2000 }]);
    expect(r.realizedByPosition.get(positionKey("acct", "aapl"))).toBe(10);
  });

  it("keeps books and tickers apart and sorts fills by time, then order id", () => {
    const r = computePerformance([
      fill("sell", "1", "50", 5, { book: "b2", ticker: "MSFT" }),
      fill("buy", "1", "40", 1, { book: "b2", ticker: "MSFT" }),
      fill("buy", "1", "100", 2),
    ]);
    expect(r.realizedPnl).toBe(10);
    expect(r.openPositions.map((p) => `${p.book}:${p.ticker}:${p.quantity}`)).toEqual(["acct:AAPL:1"]);
  });

  it("starts the curve at the starting equity a second before the first fill, merges fills within one second, and measures drawdown from the peak", () => {
    const r = computePerformance(
      [
        fill("buy", "1", "100", 10),
        fill("sell", "1", "150", 11),
        fill("buy", "1", "100", 11.5),
        fill("sell", "1", "80", 11.9),
        fill("buy", "1", "100", 12),
        fill("sell", "1", "90", 13),
      ],
      1000,
    );
    expect(r.equityCurve).toEqual([
      { time: 9, value: 1000 },
      { time: 11, value: 1030 },
      { time: 13, value: 1020 },
    ]);
    expect(r).toMatchObject({ realizedPnl: 20, tradeCount: 3, wins: 1, losses: 2 });
    // 1050 after the first trip, inside second 11, then down to 1020: the merged curve hides the peak, the drawdown does not.
    expect(r.maxDrawdown).toBe(30);
    expect(r.maxDrawdownPercent).toBeCloseTo(30 / 1050, 10);
  });

  it("ignores zero-quantity records", () => {
    expect(computePerformance([fill("buy", "0", "100", 1)]).fillCount).toBe(0);
  });
});

describe("unrealizedPnl", () => {
  it("is (mark − average) × signed quantity", () => {
    expect(unrealizedPnl(3, 190.25, 195.25)).toBe(15);
    expect(unrealizedPnl(-2, "10.1", "10.2")).toBe(-0.2);
  });
});
