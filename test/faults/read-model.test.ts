/**
 * Reading the read model back at volume (found by `npm run bench`, which
 * pages through every signal of a strategy to account for it).
 */
import { api } from "../helpers/api";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert, settledSignal } from "../helpers/trader";

describe("signal list at volume", () => {
  // Regression (worker/api/signals.ts): the list endpoint loaded the page's trades and orders with
  // inArray(signalId, ids) plus the user id, i.e. limit + 1 bound parameters; D1 allows 100, so a
  // page of 100 or more signals answered 500 "too many SQL variables" (fixed in d566b33).
  it("GET /api/signals?limit=200 with 100 signals answers 200", async () => {
    // 100 alerts in a burst: above the default webhook rate (60 per minute), so the strategy allows more.
    const trader = await createTrader({ strategySettings: { webhookRatePerMinute: 6000 } });
    let last = "";
    for (let i = 0; i < 100; i++) {
      const r = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "cancel", price: 100 });
      expect(r.status).toBe(200);
      last = r.body.id!;
    }
    // One queue, in order: once the last signal is settled in D1, so are the 99 before it.
    await settledSignal(trader.token, last);
    const list = await api<{ signals: unknown[] }>("GET", `/api/signals?strategyId=${trader.strategyId}&limit=200`, { token: trader.token });
    expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
    expect(list.body.signals).toHaveLength(100);
  });
});
