/**
 * Claims the README and docs/signals.md make about the webhook, each held to
 * a test: `?wait=` is capped at 2,500 ms, and the duplicate windows (a
 * strategy's `duplicateWindowSeconds`, an `alertId`'s 24 hours) expire. The
 * windows are crossed on a virtual clock (the original's receive time moved
 * back in D1), never by sleeping.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALERT_ID_WINDOW_MS } from "../../worker/webhook/dedupe";
import { alpacaUnderTest } from "../helpers/alpaca";
import { api, expectStatus } from "../helpers/api";
import { createTrader, sendAlert, settledSignal } from "../helpers/trader";

/** Moves a logged signal's receive time `ms` into the past: the clock moved on by that much. */
async function ageSignal(signalId: string, ms: number): Promise<void> {
  const res = await env.DB.prepare(`UPDATE signals SET received_at = received_at - ? WHERE id = ?`).bind(ms, signalId).run();
  expect(res.meta.changes, `signal ${signalId} in D1`).toBe(1);
}

describe("?wait= is capped at 2,500 ms", () => {
  it("asked to wait ten minutes for a trade held at the broker, the reply comes after the cap with the trade still executing", async () => {
    // The trade cannot end by itself: its order call is held at the broker until the test lets it go.
    const alpaca = alpacaUnderTest("100");
    try {
      const trader = await createTrader({ broker: alpaca.broker });
      const held = alpaca.holdReply({ method: "POST", path: "/v2/orders" });
      const started = Date.now();
      const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 100 }, { query: "?wait=600000" });
      const waitedMs = Date.now() - started;
      console.log("?wait=600000 answered after", waitedMs, "ms");
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      // The reply did not end because the trade did: it is still executing, its order at the broker.
      await held.reached;
      expect(reply.body.trades?.map((t) => t.status)).toEqual(["executing"]);
      // It waited (an unfinished trade holds the reply up to the cap), then stopped: 600 s were asked, and
      // the upper bound is ten times the cap, far from any scheduling noise.
      expect(waitedMs).toBeGreaterThanOrEqual(2_000);
      expect(waitedMs).toBeLessThan(25_000);
      held.release();
      expect((await settledSignal(trader.token, reply.body.id!)).trades[0]?.status).toBe("filled");
    } finally {
      alpaca.restore();
    }
  });
});

describe("duplicate windows expire", () => {
  it("a byte-identical body is a duplicate within duplicateWindowSeconds and a new signal once the window has passed", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    expectStatus(await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { settings: { duplicateWindowSeconds: 60 } } }), 200);
    const body = '{"ticker":"AAPL","action":"buy","price":150}';
    const first = await sendAlert(trader.webhookUrl, body, { contentType: "application/json" });
    expect(await sendAlert(trader.webhookUrl, body, { contentType: "application/json" }).then((r) => r.body)).toMatchObject({ duplicate: true, id: first.body.id });
    // 59 s later: still inside the window.
    await ageSignal(first.body.id!, 59_000);
    expect(await sendAlert(trader.webhookUrl, body, { contentType: "application/json" }).then((r) => r.body)).toMatchObject({ duplicate: true, id: first.body.id });
    // 61 s after the original: the window has passed, the same body is a new signal.
    await ageSignal(first.body.id!, 2_000);
    const later = await sendAlert(trader.webhookUrl, body, { contentType: "application/json" });
    expect(later.status).toBe(200);
    expect(later.body.duplicate).toBeUndefined();
    expect(later.body.id).not.toBe(first.body.id);
  });

  it("an alertId is remembered for 24 hours, then the same id is a new signal", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const alert = { ticker: "SPY", action: "buy", price: 1, alertId: "bar-close-1" };
    const first = await sendAlert(trader.webhookUrl, alert);
    await ageSignal(first.body.id!, ALERT_ID_WINDOW_MS - 1_000);
    expect((await sendAlert(trader.webhookUrl, alert)).body).toMatchObject({ duplicate: true, id: first.body.id });
    await ageSignal(first.body.id!, 2_000);
    const later = await sendAlert(trader.webhookUrl, alert);
    expect(later.body.duplicate).toBeUndefined();
    expect(later.body.id).not.toBe(first.body.id);
  });
});
