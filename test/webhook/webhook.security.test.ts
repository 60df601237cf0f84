import { api } from "../helpers/api";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert, settledSignal } from "../helpers/trader";

describe("webhook security", () => {
  it("a wrong secret gets 400 invalid-password, is logged, and the secret is not", async () => {
    const trader = await createTrader();
    const wrongSecret = "definitely-not-the-secret-0123456789";
    const url = trader.webhookUrl.replace(/[^/]+$/, wrongSecret);
    const res = await sendAlert(url, { ticker: "SPY", action: "buy", price: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, messageCode: "invalid-password" });
    const row = await env.DB.prepare("select * from signals where id = ?").bind(res.body.logId!).first<Record<string, unknown>>();
    expect(row).toMatchObject({ status: "rejected", message_code: "invalid-password", user_id: trader.userId });
    expect(JSON.stringify(row)).not.toContain(wrongSecret);
    // Nothing was traded.
    const trades = await env.DB.prepare("select count(*) as n from trades where signal_id = ?").bind(res.body.logId!).first<{ n: number }>();
    expect(trades?.n).toBe(0);
  });

  it("the real secret is never stored, only its hash", async () => {
    const trader = await createTrader();
    const secret = trader.webhookUrl.split("/").at(-1)!;
    expect(secret.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits of base64url
    const row = await env.DB.prepare("select * from strategies where id = ?").bind(trader.strategyId).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("one user's secret does not open another user's strategy", async () => {
    const alice = await createTrader();
    const bob = await createTrader();
    const bobSecret = bob.webhookUrl.split("/").at(-1)!;
    const res = await sendAlert(alice.webhookUrl.replace(/[^/]+$/, bobSecret), { ticker: "SPY", action: "buy" });
    expect(res.body.messageCode).toBe("invalid-password");
  });

  it("signals are visible only to their owner", async () => {
    const alice = await createTrader();
    const bob = await createTrader();
    const reply = await sendAlert(alice.webhookUrl, { ticker: "AAPL", action: "buy", price: 10 });
    await settledSignal(alice.token, reply.body.id!);
    const asBob = await api("GET", `/api/signals/${reply.body.id}`, { token: bob.token });
    expect(asBob.status).toBe(404);
    const bobList = await api<{ signals: unknown[] }>("GET", `/api/signals?strategyId=${alice.strategyId}`, { token: bob.token });
    expect(bobList.body.signals).toEqual([]);
    const anonymous = await api("GET", `/api/signals/${reply.body.id}`);
    expect(anonymous.status).toBe(401);
  });

  it("a rotated secret stops working at once", async () => {
    const trader = await createTrader();
    const rotated = await api<{ webhookUrl: string }>("POST", `/api/strategies/${trader.strategyId}/rotate-secret`, { token: trader.token });
    expect(rotated.status).toBe(200);
    expect((await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy" })).body.messageCode).toBe("invalid-password");
    expect((await sendAlert(rotated.body.webhookUrl, { ticker: "SPY", action: "buy", price: 1 })).status).toBe(200);
  });
});
