import { describe, expect, it } from "vitest";
import { compareAccount, type BrokerView, type SubscriptionView } from "./drift";

const sub = (id: string, positions: [string, string][], extra: Partial<SubscriptionView> = {}): SubscriptionView => ({
  subscriptionId: id,
  positions: positions.map(([ticker, quantity]) => ({ ticker, quantity })),
  liveOrders: [],
  busyTickers: [],
  ...extra,
});
const broker = (positions: [string, string][], openOrders: BrokerView["openOrders"] = []): BrokerView => ({ positions: positions.map(([ticker, quantity]) => ({ ticker, quantity })), openOrders });

describe("position drift", () => {
  it("none when the broker holds what the fills imply, summed over subscriptions", () => {
    expect(compareAccount(broker([["AAPL", "15"]]), [sub("a", [["AAPL", "10"]]), sub("b", [["AAPL", "5"]])])).toEqual([]);
  });
  it("a position closed at the broker by hand", () => {
    const [d, ...rest] = compareAccount(broker([]), [sub("a", [["AAPL", "10"]])]);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ key: "position:AAPL", kind: "position", brokerQuantity: "0", expectedQuantity: "10", subscriptions: [{ subscriptionId: "a", quantity: "10" }] });
    expect(d!.message).toBe("The broker holds 0 AAPL, but Tradeloop's fills imply 10 (10 for subscription a): a trade outside Tradeloop, a missed fill, or an assignment. Adopt the broker's position if it is right.");
  });
  it("a position opened at the broker in a ticker a subscription trades, even when flat by its fills", () => {
    expect(compareAccount(broker([["MNQH2026", "-2"]]), [sub("a", [["MNQH2026", "0"]])])).toMatchObject([{ brokerQuantity: "-2", expectedQuantity: "0", subscriptions: [] }]);
  });
  it("broker positions in tickers no subscription trades are not compared", () => {
    expect(compareAccount(broker([["MSFT", "100"]]), [sub("a", [["AAPL", "0"]])])).toEqual([]);
  });
  it("decimal-exact, tickers compared case-insensitively", () => {
    expect(compareAccount(broker([["btcusd", "0.3"]]), [sub("a", [["BTCUSD", "0.1"]]), sub("b", [["BTCUSD", "0.2"]])])).toEqual([]);
  });
  it("a ticker with a trade in flight is left for later", () => {
    expect(compareAccount(broker([]), [sub("a", [["AAPL", "10"]], { busyTickers: ["AAPL"] })])).toEqual([]);
  });
});

describe("order drift", () => {
  const order = (brokerOrderId: string, clientOrderId: string | null, ticker = "AAPL") => ({ brokerOrderId, clientOrderId, ticker, side: "sell", quantity: "5", type: "limit" });
  it("an open order at the broker that no subscription placed", () => {
    const drifts = compareAccount(broker([["AAPL", "10"]], [order("b-9", null)]), [sub("a", [["AAPL", "10"]])]);
    expect(drifts).toMatchObject([{ key: "unknown-order:b-9", kind: "unknown-order", order: { brokerOrderId: "b-9", side: "sell", quantity: "5", type: "limit" } }]);
    expect(drifts[0]!.message).toContain("no Tradeloop subscription placed");
  });
  it("ours are known by client id or broker id (bracket legs have only the latter)", () => {
    const a = sub("a", [["AAPL", "10"]], { liveOrders: [{ clientOrderId: "tl1", brokerOrderId: null, ticker: "AAPL" }, { clientOrderId: "tl1-take_profit", brokerOrderId: "b-2", ticker: "AAPL" }] });
    expect(compareAccount(broker([["AAPL", "10"]], [order("b-1", "tl1"), order("b-2", null)]), [a])).toEqual([]);
  });
  it("an order we follow as working that the broker no longer lists", () => {
    const a = sub("a", [["AAPL", "10"]], { liveOrders: [{ clientOrderId: "tl7", brokerOrderId: "b-7", ticker: "AAPL" }] });
    expect(compareAccount(broker([["AAPL", "10"]]), [a])).toMatchObject([{ key: "missing-order:tl7", kind: "missing-order", ticker: "AAPL" }]);
  });
  it("orders in tickers no subscription trades are not compared", () => {
    expect(compareAccount(broker([], [order("b-1", null, "MSFT")]), [sub("a", [["AAPL", "0"]])])).toEqual([]);
  });
});
