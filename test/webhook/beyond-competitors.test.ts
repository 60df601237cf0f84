/**
 * What no competitor does: idempotent deliveries, stale-alert refusal,
 * synchronous outcomes, multi-signal messages and alert templates.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { ledgerSnapshot } from "../helpers/brokers";
import { createTrader, positionOf, sendAlert, settledSignal } from "../helpers/trader";
import { renderAlert, TradingViewStrategy } from "../helpers/tradingview";

describe("idempotency", () => {
  it("the same alertId within 24 h is a duplicate: 200, duplicate:true, the original id, no trade", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const alert = { ticker: "SPY", action: "buy", quantity: 1, price: 100, alertId: "bar-2026-11-22T10:00" };
    const first = await sendAlert(trader.webhookUrl, alert);
    await settledSignal(trader.token, first.body.id!);
    const again = await sendAlert(trader.webhookUrl, alert);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ success: true, duplicate: true, id: first.body.id });
    expect(again.body.logId).not.toBe(first.body.id);
    // Logged, pointing at the original, with no trade.
    const row = await env.DB.prepare("select duplicate_of, message_code from signals where id = ?").bind(again.body.logId!).first();
    expect(row).toEqual({ duplicate_of: first.body.id, message_code: "duplicate" });
    const trades = await env.DB.prepare("select count(*) as n from trades where signal_id = ?").bind(again.body.logId!).first<{ n: number }>();
    expect(trades?.n).toBe(0);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(1);
  });

  it("racing copies of one alertId create exactly one trade", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const alert = { ticker: "QQQ", action: "buy", quantity: 1, price: 400, alertId: "race-1" };
    const replies = await Promise.all(Array.from({ length: 10 }, () => sendAlert(trader.webhookUrl, alert)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const originals = replies.filter((r) => !r.body.duplicate);
    expect(originals).toHaveLength(1);
    expect(new Set(replies.map((r) => r.body.id))).toEqual(new Set([originals[0]!.body.id]));
    await settledSignal(trader.token, originals[0]!.body.id!);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(1);
    expect(await positionOf(trader, "QQQ")).toBe(1);
  });

  it("a different alertId is a new signal", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const a = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 1, alertId: "a" });
    const b = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 1, alertId: "b" });
    expect(b.body.duplicate).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it("duplicateWindowSeconds treats a byte-identical body as a duplicate, only within the window", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const patched = await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { settings: { duplicateWindowSeconds: 60 } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const body = '{"ticker":"AAPL","action":"buy","price":150}';
    const first = await sendAlert(trader.webhookUrl, body, { contentType: "application/json" });
    const second = await sendAlert(trader.webhookUrl, body, { contentType: "application/json" });
    expect(second.body).toMatchObject({ duplicate: true, id: first.body.id });
    // Not byte-identical: a new signal.
    const third = await sendAlert(trader.webhookUrl, '{"ticker":"AAPL", "action":"buy","price":150}', { contentType: "application/json" });
    expect(third.body.duplicate).toBeUndefined();
  });

  it("an alertId longer than 128 characters is refused naming the field", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", alertId: "x".repeat(129) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/alertId/);
  });
});

describe("stale alerts", () => {
  it("a strategy's maxSignalAgeSeconds refuses a late alert with signal-too-old", async () => {
    const trader = await createTrader();
    await api("PATCH", `/api/strategies/${trader.strategyId}`, { token: trader.token, json: { settings: { maxSignalAgeSeconds: 30 } } });
    const late = new Date(Date.now() - 90_000).toISOString();
    const res = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 1, time: late });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ messageCode: "signal-too-old", field: "time" });
    const fresh = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 1, time: new Date().toISOString() });
    expect(fresh.status).toBe(200);
  });

  it("a subscription's maxSignalAgeSeconds rejects its trade", async () => {
    const trader = await createTrader({ subscriptionSettings: { maxSignalAgeSeconds: 30 } });
    const res = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 1, time: new Date(Date.now() - 120_000).toISOString() });
    expect(res.status).toBe(200);
    const signal = await settledSignal(trader.token, res.body.id!);
    expect(signal.trades[0]).toMatchObject({ status: "rejected", messageCode: "signal-too-old" });
  });
});

describe("multi-signal messages", () => {
  it("runs up to 10 signals in order, each with its own outcome", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, [
      { ticker: "SPY", action: "buy", quantity: 2, price: 100 },
      { ticker: "SPY", action: "exit", price: 101 },
      { ticker: "SPY", action: "exit", price: 101 },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ids = (res.body as unknown as { signals: { id: string }[] }).signals.map((s) => s.id);
    expect(ids).toHaveLength(3);
    const outcomes = [];
    for (const id of ids) outcomes.push((await settledSignal(trader.token, id)).trades[0]?.status);
    expect(outcomes).toEqual(["filled", "filled", "rejected"]);
    expect(await positionOf(trader, "SPY")).toBe(0);
  });

  it("refuses more than 10 signals", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, Array.from({ length: 11 }, () => ({ ticker: "SPY", action: "buy" })));
    expect(res.status).toBe(400);
    expect(res.body.messageCode).toBe("invalid-payload");
  });
});

describe("delay", () => {
  it("a delayed signal is accepted at once and executes when due", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", price: 10, delay: 1 });
    expect(res.status).toBe(200);
    expect((await ledgerSnapshot(trader.connectionId)).orders).toHaveLength(0);
    const signal = await settledSignal(trader.token, res.body.id!, 10_000);
    expect(signal.trades[0]?.status).toBe("filled");
  });

  it("a delay more than 24 h ahead is refused with invalid-delay-format", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", delay: 90_000 });
    expect(res.status).toBe(400);
    expect(res.body.messageCode).toBe("invalid-delay-format");
  });
});

describe("alert templates", () => {
  /** What TrendSpider fills in (%alert_symbol%, %last_price%). */
  const trendSpider: Record<string, string> = { "%alert_symbol%": "SPY", "%last_price%": "501.25" };
  const templatesOf = async (trader: Awaited<ReturnType<typeof createTrader>>) => {
    const res = await api<{ templates: { id: string; kind: string; body: string }[] }>("GET", `/api/strategies/${trader.strategyId}/templates`, { token: trader.token });
    expect(res.status).toBe(200);
    return res.body.templates;
  };

  it("the TradingView strategy template sends the strategy's position, which the webhook turns into the same position", async () => {
    const trader = await createTrader();
    const template = (await templatesOf(trader)).find((t) => t.id === "tradingview-strategy")!.body;
    expect(JSON.parse(template)).toMatchObject({ targetPosition: "{{strategy.position_size}}", action: "{{strategy.order.action}}", sentiment: "{{strategy.market_position}}" });
    // The exact values TradingView substitutes for a strategy that goes long 3, then flips to short 2 (one sell of 5).
    const tv = new TradingViewStrategy("SPY");
    for (const [action, contracts, close] of [["buy", 3, 501.25], ["sell", 5, 499.5]] as const) {
      const values = tv.fill(action, contracts, close);
      const rendered = renderAlert(template, values);
      const reply = await sendAlert(trader.webhookUrl, rendered, { contentType: "text/plain" });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.payload).toMatchObject({ targetPosition: values["strategy.position_size"], action: values["strategy.order.action"] });
      await settledSignal(trader.token, reply.body.id!);
      expect(await positionOf(trader, "SPY")).toBe(tv.position);
    }
    expect(tv.position).toBe(-2);
  });

  it("every JSON template, rendered with the values its sender substitutes, is accepted by the webhook and trades", async () => {
    const trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true } });
    const templates = await templatesOf(trader);
    const ids = templates.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(["tradingview-strategy", "tradingview-indicator-buy", "trendspider", "curl", "curl-target", "mt5"]));
    const tv = new TradingViewStrategy("SPY");
    const json = templates.filter((x) => x.kind === "json");
    // The loop below must have something to check: the strategy template, the indicator's three alerts, TrendSpider.
    expect(json.map((t) => t.id).sort()).toEqual(["tradingview-indicator-buy", "tradingview-indicator-exit", "tradingview-indicator-sell", "tradingview-strategy", "trendspider"]);
    for (const t of json) {
      const values = tv.fill("buy", 1, 501.25);
      const rendered = Object.entries(trendSpider).reduce((out, [k, v]) => out.replaceAll(k, v), renderAlert(t.body, values));
      expect(rendered).not.toMatch(/\{\{|%alert/);
      const reply = await sendAlert(trader.webhookUrl, rendered, { contentType: "text/plain" });
      expect(reply.status, `${t.id}: ${JSON.stringify(reply.body)}`).toBe(200);
      const signal = await settledSignal(trader.token, reply.body.id!);
      expect(signal.trades[0]?.status, `${t.id}: ${JSON.stringify(signal.trades[0])}`).toBe("filled");
    }
  });

  it("the target curl template holds the position it names", async () => {
    const trader = await createTrader();
    const curl = (await templatesOf(trader)).find((t) => t.id === "curl-target")!.body;
    const body = /-d '([^']+)'/.exec(curl)?.[1];
    expect(JSON.parse(body!)).toMatchObject({ targetPosition: "2" });
    for (let i = 0; i < 2; i++) {
      const reply = await sendAlert(trader.webhookUrl, body!, { contentType: "application/json" });
      expect(reply.status).toBe(200);
      await settledSignal(trader.token, reply.body.id!);
      expect(await positionOf(trader, "SPY")).toBe(2);
    }
  });

  it("the curl template posts a working signal once the URL is filled in", async () => {
    const trader = await createTrader();
    const res = await api<{ templates: { id: string; body: string }[] }>("GET", `/api/strategies/${trader.strategyId}/templates`, { token: trader.token });
    const curl = res.body.templates.find((t) => t.id === "curl")!.body;
    const body = /-d '([^']+)'/.exec(curl)?.[1];
    expect(body).toBeTruthy();
    const reply = await sendAlert(trader.webhookUrl, body!, { contentType: "application/json" });
    expect(reply.status).toBe(200);
    expect(curl).toContain(`/webhook/${trader.strategyId}/`);
  });

  it("templates of someone else's strategy are 404", async () => {
    const a = await createTrader();
    const b = await createTrader();
    expect((await api("GET", `/api/strategies/${a.strategyId}/templates`, { token: b.token })).status).toBe(404);
  });
});
