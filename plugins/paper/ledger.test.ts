import { describe, expect, it } from "vitest";
import {
  cancelOrder,
  LedgerError,
  newLedger,
  observePrice,
  placeOrder,
  positionViews,
  valuation,
  type LedgerOrder,
  type LedgerState,
  type NewOrder,
} from "./ledger";

const NOW = "2026-01-02T15:04:05.000Z";

function order(fields: Partial<NewOrder> & Pick<NewOrder, "side">): NewOrder {
  return { clientOrderId: null, ticker: "SPY", type: "market", quantity: "1", timeInForce: "gtc", ...fields };
}

/** Places an order and returns the new state plus the order. */
function place(state: LedgerState, fields: Partial<NewOrder> & Pick<NewOrder, "side">): { s: LedgerState; o: LedgerOrder } {
  const out = placeOrder(state, order(fields), NOW);
  return { s: out.state, o: out.result };
}

function observe(state: LedgerState, price: string, ticker = "SPY"): { s: LedgerState; changed: LedgerOrder[] } {
  const out = observePrice(state, ticker, price, NOW);
  return { s: out.state, changed: out.result };
}

function pos(state: LedgerState, ticker = "SPY") {
  return state.positions.get(ticker) ?? null;
}

function get(state: LedgerState, id: string): LedgerOrder {
  const o = state.orders.get(id);
  if (!o) throw new Error(`no order ${id}`);
  return o;
}

function refusal(fn: () => unknown): LedgerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error("expected a LedgerError");
}

describe("market orders", () => {
  it("fill at the reference price, which becomes the last price", () => {
    const { s, o } = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100" });
    expect(o).toMatchObject({ status: "filled", filledQuantity: "10", avgFillPrice: "100", id: "paper-000001" });
    expect(pos(s)).toEqual({ quantity: "10", avgPrice: "100" });
    expect(s.account.cash).toBe("99000");
    expect(s.prices.get("SPY")?.price).toBe("100");
    expect(valuation(s)).toMatchObject({ equity: "100000", marketValue: "1000", buyingPower: "99000" });
  });

  it("fill at the last observed price when the alert has none", () => {
    let s = observe(newLedger("100000", NOW), "250.5").s;
    const r = place(s, { side: "buy", quantity: "2" });
    s = r.s;
    expect(r.o.avgFillPrice).toBe("250.5");
    expect(s.account.cash).toBe("99499");
  });

  it("are refused with no-price when no price is known, changing nothing", () => {
    const start = newLedger("100000", NOW);
    const e = refusal(() => place(start, { side: "buy", ticker: "QQQ" }));
    expect(e.code).toBe("no-price");
    expect(e.status).toBe(422);
    expect(e.message).toContain("No price is known for QQQ on the paper account");
    expect(e.message).toContain('"price": "{{close}}"');
    expect(start.account.nextOrderSeq).toBe(1);
  });

  it("keep decimals exact (no float drift on cash)", () => {
    let s = newLedger("100000", NOW);
    for (let i = 0; i < 3; i++) s = place(s, { side: "buy", quantity: "0.1", referencePrice: "0.2" }).s;
    expect(s.account.cash).toBe("99999.94");
    expect(pos(s)?.quantity).toBe("0.3");
  });
});

describe("positions and P&L", () => {
  it("average the entry price when adding", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "1", referencePrice: "100" }).s;
    s = place(s, { side: "buy", quantity: "2", referencePrice: "101" }).s;
    expect(pos(s)).toEqual({ quantity: "3", avgPrice: "100.666666666666666667" });
  });

  it("realize P&L into cash on a partial close and keep the average", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100" }).s;
    s = place(s, { side: "sell", quantity: "4", referencePrice: "110" }).s;
    expect(pos(s)).toEqual({ quantity: "6", avgPrice: "100" });
    expect(s.account.realizedPnl).toBe("40");
    expect(s.account.cash).toBe("99440");
    expect(positionViews(s)[0]).toMatchObject({ marketValue: "660", unrealizedPnl: "60", lastPrice: "110" });
  });

  it("flip from long to short through zero, opening the new side at the fill price", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100" }).s;
    s = place(s, { side: "sell", quantity: "15", referencePrice: "90" }).s;
    expect(pos(s)).toEqual({ quantity: "-5", avgPrice: "90" });
    expect(s.account.realizedPnl).toBe("-100");
    expect(s.account.cash).toBe("100350");
    expect(valuation(s).equity).toBe("99900");
  });

  it("short, then cover at a profit", () => {
    let s = place(newLedger("100000", NOW), { side: "sell", quantity: "10", referencePrice: "50" }).s;
    expect(pos(s)).toEqual({ quantity: "-10", avgPrice: "50" });
    expect(s.account.cash).toBe("100500");
    s = observe(s, "40").s;
    expect(positionViews(s)[0]).toMatchObject({ marketValue: "-400", unrealizedPnl: "100" });
    expect(valuation(s).equity).toBe("100100");
    s = place(s, { side: "buy", quantity: "10" }).s;
    expect(pos(s)).toBeNull();
    expect(s.account).toMatchObject({ cash: "100100", realizedPnl: "100" });
  });
});

describe("limit orders", () => {
  it("rest until a later price crosses them, then fill at that price", () => {
    let s = observe(newLedger("100000", NOW), "100").s;
    const r = place(s, { side: "buy", type: "limit", limitPrice: "95", quantity: "3" });
    expect(r.o.status).toBe("open");
    s = observe(r.s, "96").s;
    expect(get(s, r.o.id).status).toBe("open");
    const hit = observe(s, "94");
    expect(hit.changed.map((o) => o.id)).toEqual([r.o.id]);
    expect(get(hit.s, r.o.id)).toMatchObject({ status: "filled", avgFillPrice: "94" });
    expect(pos(hit.s)).toEqual({ quantity: "3", avgPrice: "94" });
  });

  it("fill at once when marketable, at the better of limit and market", () => {
    const s = observe(newLedger("100000", NOW), "100").s;
    expect(place(s, { side: "buy", type: "limit", limitPrice: "105" }).o).toMatchObject({ status: "filled", avgFillPrice: "100" });
    expect(place(s, { side: "sell", type: "limit", limitPrice: "95" }).o).toMatchObject({ status: "filled", avgFillPrice: "100" });
  });

  it("take the limit price as the price when none is known", () => {
    const { s, o } = place(newLedger("100000", NOW), { side: "buy", type: "limit", limitPrice: "71" });
    expect(o).toMatchObject({ status: "filled", avgFillPrice: "71" });
    expect(s.prices.get("SPY")?.price).toBe("71");
  });

  it("expire at once when ioc and not marketable", () => {
    const s = observe(newLedger("100000", NOW), "100").s;
    const { o } = place(s, { side: "buy", type: "limit", limitPrice: "90", timeInForce: "ioc" });
    expect(o).toMatchObject({ status: "expired", reason: "not-marketable", filledQuantity: "0" });
  });
});

describe("stop orders", () => {
  it("trigger when crossed and fill at the crossing price (gaps included)", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "5", referencePrice: "100" }).s;
    const stop = place(s, { side: "sell", type: "stop", stopPrice: "95", quantity: "5" });
    expect(stop.o.status).toBe("open");
    s = observe(stop.s, "96").s;
    expect(get(s, stop.o.id).status).toBe("open");
    s = observe(s, "93").s;
    expect(get(s, stop.o.id)).toMatchObject({ status: "filled", avgFillPrice: "93" });
    expect(pos(s)).toBeNull();
  });

  it("buy stops trigger at or above the stop", () => {
    let s = observe(newLedger("100000", NOW), "100").s;
    const stop = place(s, { side: "buy", type: "stop", stopPrice: "105" });
    s = observe(stop.s, "105").s;
    expect(get(s, stop.o.id)).toMatchObject({ status: "filled", avgFillPrice: "105" });
  });

  it("stop-limit: triggers at the stop, then fills only within the limit", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "1", referencePrice: "100" }).s;
    const sl = place(s, { side: "sell", type: "stop_limit", stopPrice: "95", limitPrice: "94" });
    s = observe(sl.s, "93.5").s;
    expect(get(s, sl.o.id)).toMatchObject({ status: "open", triggered: true });
    s = observe(s, "94.5").s;
    expect(get(s, sl.o.id)).toMatchObject({ status: "filled", avgFillPrice: "94.5" });
  });

  it("rest untriggered when no price is known yet", () => {
    const { o } = place(newLedger("100000", NOW), { side: "buy", type: "stop", stopPrice: "10" });
    expect(o.status).toBe("open");
  });
});

describe("trailing stops", () => {
  it("vector 17: a sell trailing by 1 from 71 starts at 70 and moves to 71 when price hits 72", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "1", referencePrice: "71" }).s;
    const ts = place(s, { side: "sell", type: "trailing_stop", trailAmount: "1", referencePrice: "71" });
    expect(ts.o).toMatchObject({ status: "open", stopPrice: "70", waterMark: "71" });
    s = observe(ts.s, "72").s;
    expect(get(s, ts.o.id)).toMatchObject({ stopPrice: "71", waterMark: "72" });
    s = observe(s, "71.5").s;
    expect(get(s, ts.o.id)).toMatchObject({ status: "open", stopPrice: "71" });
    s = observe(s, "71").s;
    expect(get(s, ts.o.id)).toMatchObject({ status: "filled", avgFillPrice: "71" });
  });

  it("buy trailing stops follow the low-water mark by a percentage", () => {
    let s = place(newLedger("100000", NOW), { side: "sell", quantity: "1", referencePrice: "200" }).s;
    const ts = place(s, { side: "buy", type: "trailing_stop", trailPercent: "5" });
    expect(ts.o.stopPrice).toBe("210");
    s = observe(ts.s, "180").s;
    expect(get(s, ts.o.id).stopPrice).toBe("189");
    s = observe(s, "190").s;
    expect(get(s, ts.o.id)).toMatchObject({ status: "filled", avgFillPrice: "190" });
  });

  it("need a price to trail from", () => {
    expect(refusal(() => place(newLedger("100000", NOW), { side: "sell", type: "trailing_stop", trailAmount: "1" })).code).toBe("no-price");
  });

  it("need exactly one trail", () => {
    const e = refusal(() => place(newLedger("100000", NOW), { side: "sell", type: "trailing_stop", referencePrice: "5" }));
    expect(e).toMatchObject({ code: "invalid-order", field: "trailAmount" });
  });
});

describe("brackets", () => {
  const bracket = { takeProfit: { limitPrice: "110" }, stopLoss: { type: "stop" as const, stopPrice: "95" } };

  function legs(s: LedgerState, parentId: string) {
    const found = [...s.orders.values()].filter((o) => o.parentId === parentId);
    const tp = found.find((o) => o.role === "take_profit");
    const sl = found.find((o) => o.role === "stop_loss");
    if (!tp || !sl) throw new Error("legs missing");
    return { tp, sl };
  }

  it("create an OCO exit pair once the entry fills; the take profit cancels the stop", () => {
    const entry = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100", bracket });
    const { tp, sl } = legs(entry.s, entry.o.id);
    expect(tp).toMatchObject({ side: "sell", type: "limit", limitPrice: "110", quantity: "10", status: "open", ocoGroup: entry.o.id });
    expect(sl).toMatchObject({ side: "sell", type: "stop", stopPrice: "95", quantity: "10", status: "open", ocoGroup: entry.o.id });
    const hit = observe(entry.s, "111");
    expect(get(hit.s, tp.id)).toMatchObject({ status: "filled", avgFillPrice: "111" });
    expect(get(hit.s, sl.id)).toMatchObject({ status: "cancelled", reason: "oco-sibling-filled" });
    expect(pos(hit.s)).toBeNull();
    expect(hit.s.account.realizedPnl).toBe("110");
  });

  it("the stop loss cancels the take profit", () => {
    const entry = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100", bracket });
    const { tp, sl } = legs(entry.s, entry.o.id);
    const s = observe(entry.s, "94").s;
    expect(get(s, sl.id)).toMatchObject({ status: "filled", avgFillPrice: "94" });
    expect(get(s, tp.id)).toMatchObject({ status: "cancelled", reason: "oco-sibling-filled" });
  });

  it("wait for a resting entry to fill before creating the legs", () => {
    let s = observe(newLedger("100000", NOW), "103").s;
    const entry = place(s, { side: "buy", type: "limit", limitPrice: "100", bracket });
    expect([...entry.s.orders.values()].filter((o) => o.parentId !== null)).toHaveLength(0);
    s = observe(entry.s, "99").s;
    expect(get(s, entry.o.id).status).toBe("filled");
    expect(legs(s, entry.o.id).tp.status).toBe("open");
  });

  it("vector 18: buy limit 71 with a trailing stop loss of 1 starts the stop at 70", () => {
    const entry = place(newLedger("100000", NOW), {
      side: "buy",
      type: "limit",
      limitPrice: "71",
      bracket: { takeProfit: { limitPrice: "80" }, stopLoss: { type: "trailing_stop", trailAmount: "1" } },
    });
    expect(legs(entry.s, entry.o.id).sl).toMatchObject({ type: "trailing_stop", stopPrice: "70", waterMark: "71" });
  });

  it("short entries get buy-side exits", () => {
    const entry = place(newLedger("100000", NOW), {
      side: "sell",
      quantity: "2",
      referencePrice: "50",
      bracket: { takeProfit: { limitPrice: "45" }, stopLoss: { type: "stop", stopPrice: "55" } },
    });
    const { tp } = legs(entry.s, entry.o.id);
    const s = observe(entry.s, "44").s;
    expect(get(s, tp.id)).toMatchObject({ side: "buy", status: "filled", avgFillPrice: "44" });
    expect(pos(s)).toBeNull();
  });

  it("refuse exits on the wrong side of the entry", () => {
    const e = refusal(() => place(newLedger("100000", NOW), { side: "buy", referencePrice: "100", bracket: { takeProfit: { limitPrice: "90" } } }));
    expect(e).toMatchObject({ code: "invalid-bracket", field: "takeProfit.limitPrice" });
  });

  it("cancel the legs when another order closes the position", () => {
    const entry = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100", bracket });
    const { tp, sl } = legs(entry.s, entry.o.id);
    const s = place(entry.s, { side: "sell", quantity: "10" }).s;
    expect(get(s, tp.id)).toMatchObject({ status: "cancelled", reason: "position-closed" });
    expect(get(s, sl.id)).toMatchObject({ status: "cancelled", reason: "position-closed" });
  });

  it("legs are reduce-only: a leg larger than what is left fills only the rest", () => {
    const entry = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100", bracket });
    const { tp } = legs(entry.s, entry.o.id);
    let s = place(entry.s, { side: "sell", quantity: "4" }).s;
    s = observe(s, "112").s;
    expect(get(s, tp.id)).toMatchObject({ status: "cancelled", reason: "reduce-only", filledQuantity: "6", avgFillPrice: "112" });
    expect(pos(s)).toBeNull();
  });

  it("cancelling one leg cancels its sibling", () => {
    const entry = place(newLedger("100000", NOW), { side: "buy", quantity: "10", referencePrice: "100", bracket });
    const { tp, sl } = legs(entry.s, entry.o.id);
    const out = cancelOrder(entry.s, tp.id, NOW);
    expect(out.result).toMatchObject({ status: "cancelled", reason: null });
    expect(get(out.state, sl.id)).toMatchObject({ status: "cancelled", reason: "oco-sibling-cancelled" });
  });
});

describe("buying power (no leverage: gross exposure ≤ equity)", () => {
  it("allows longs up to equity and refuses beyond", () => {
    const s = newLedger("1000", NOW);
    expect(place(s, { side: "buy", quantity: "10", referencePrice: "100" }).o.status).toBe("filled");
    const e = refusal(() => place(s, { side: "buy", quantity: "11", referencePrice: "100" }));
    expect(e.code).toBe("insufficient-funds");
    expect(e.message).toContain("Insufficient buying power");
  });

  it("allows shorts up to equity and refuses beyond", () => {
    const s = newLedger("1000", NOW);
    expect(place(s, { side: "sell", quantity: "10", referencePrice: "100" }).o.status).toBe("filled");
    expect(refusal(() => place(s, { side: "sell", quantity: "10.01", referencePrice: "100" })).code).toBe("insufficient-funds");
  });

  it("never needs funds to reduce, even when under water", () => {
    let s = place(newLedger("1000", NOW), { side: "buy", quantity: "10", referencePrice: "100" }).s;
    s = observe(s, "50").s;
    expect(valuation(s)).toMatchObject({ equity: "500", buyingPower: "0" });
    expect(refusal(() => place(s, { side: "buy", quantity: "1" })).code).toBe("insufficient-funds");
    expect(place(s, { side: "sell", quantity: "10" }).o.status).toBe("filled");
  });

  it("judges a flip by the position it leaves", () => {
    const s = place(newLedger("1000", NOW), { side: "buy", quantity: "10", referencePrice: "100" }).s;
    expect(place(s, { side: "sell", quantity: "20" }).o.status).toBe("filled");
    expect(refusal(() => place(s, { side: "sell", quantity: "21" })).code).toBe("insufficient-funds");
  });

  it("checks resting orders at placement, and again when they trigger", () => {
    let s = observe(newLedger("1000", NOW), "100").s;
    expect(refusal(() => place(s, { side: "buy", type: "limit", limitPrice: "90", quantity: "12" })).code).toBe("insufficient-funds");
    const limit = place(s, { side: "buy", type: "limit", limitPrice: "90", quantity: "10" });
    s = place(limit.s, { side: "buy", quantity: "5" }).s;
    s = observe(s, "90").s;
    expect(get(s, limit.o.id)).toMatchObject({ status: "rejected", reason: "insufficient-funds", filledQuantity: "0" });
    expect(pos(s)?.quantity).toBe("5");
  });

  it("a refused order changes nothing, not even the price it carried", () => {
    const s = observe(newLedger("1000", NOW), "100").s;
    refusal(() => place(s, { side: "buy", quantity: "100", referencePrice: "120" }));
    expect(s.prices.get("SPY")?.price).toBe("100");
    expect(s.account.nextOrderSeq).toBe(1);
  });
});

describe("ordering and cancellation", () => {
  it("marks the alert's price first, so resting orders it crosses fill before the new order", () => {
    let s = place(newLedger("100000", NOW), { side: "buy", quantity: "1", referencePrice: "100" }).s;
    const resting = place(s, { side: "sell", type: "limit", limitPrice: "105" });
    const next = place(resting.s, { side: "buy", quantity: "1", referencePrice: "106" });
    s = next.s;
    expect(get(s, resting.o.id)).toMatchObject({ status: "filled", avgFillPrice: "106" });
    expect(get(s, resting.o.id).seq).toBeLessThan(next.o.seq);
    expect(next.o.avgFillPrice).toBe("106");
    expect(pos(s)).toEqual({ quantity: "1", avgPrice: "106" });
  });

  it("cancels open orders idempotently and refuses to cancel filled ones", () => {
    const s = observe(newLedger("100000", NOW), "100").s;
    const limit = place(s, { side: "buy", type: "limit", limitPrice: "90" });
    const once = cancelOrder(limit.s, limit.o.id, NOW);
    expect(once.result.status).toBe("cancelled");
    const twice = cancelOrder(once.state, limit.o.id, NOW);
    expect(twice.result.status).toBe("cancelled");
    expect(twice.changes.orders.size).toBe(0);
    const filled = place(s, { side: "buy" });
    expect(refusal(() => cancelOrder(filled.s, filled.o.id, NOW))).toMatchObject({ code: "order-not-cancelable", status: 422 });
    expect(refusal(() => cancelOrder(s, "paper-999999", NOW))).toMatchObject({ code: "order-not-found", status: 404 });
  });

  it("reports exactly what changed", () => {
    const out = placeOrder(newLedger("100000", NOW), order({ side: "buy", quantity: "2", referencePrice: "10", ticker: "AAPL" }), NOW);
    expect([...out.changes.orders]).toEqual(["paper-000001"]);
    expect([...out.changes.positions]).toEqual(["AAPL"]);
    expect([...out.changes.prices]).toEqual(["AAPL"]);
    expect(out.changes.fills).toEqual([{ orderId: "paper-000001", ticker: "AAPL", side: "buy", quantity: "2", price: "10", at: NOW }]);
    expect(out.changes.account).toBe(true);
  });
});
