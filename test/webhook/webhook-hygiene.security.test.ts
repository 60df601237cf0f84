/**
 * Findings 3, 4 and 12, and the per-strategy webhook protections:
 *
 * - a POST with a wrong secret stores no payload (time, IP, size and code
 *   only), at most 20 such rows per strategy per hour; an unknown strategy
 *   id stores nothing;
 * - the secret may travel in the `X-Webhook-Passphrase` header or a
 *   `passphrase` field instead of the URL, and is never stored or echoed;
 * - bodies are cut off at 64 KB while they stream, and deeply nested JSON is
 *   refused before parsing;
 * - source restrictions (TradingView's servers, own CIDR ranges) and a
 *   configurable webhook rate, with TradersPost's codes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, authed } from "../helpers/api";
import { createTrader, sendAlert, type Trader, type WebhookReply } from "../helpers/trader";

const SIGNAL = { ticker: "AAPL", action: "buy", quantity: 1, price: 10 };
/** One of the addresses TradingView publishes for its webhook alerts (worker/webhook/source-rules.ts has the list and its source). */
const TRADINGVIEW_IP = "52.89.214.238";

/** The webhook URL without its secret, and the secret. */
function split(trader: Trader): { bare: string; secret: string } {
  const url = new URL(trader.webhookUrl);
  const parts = url.pathname.split("/");
  const secret = parts.pop()!;
  return { bare: `${url.origin}${parts.join("/")}`, secret };
}

async function rowsOf(strategyId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM signals WHERE strategy_id = ? ORDER BY received_at").bind(strategyId).all<Record<string, unknown>>();
  return results;
}

async function setStrategySettings(trader: Trader, settings: Record<string, unknown>) {
  const res = await authed(trader.token).patch(`/api/strategies/${trader.strategyId}`, { settings });
  expect(res.status, res.text).toBe(200);
}

describe("a caller without the secret cannot write into the owner's log", () => {
  it("a wrong secret keeps time, source IP and size, never the sender's text", async () => {
    const trader = await createTrader();
    const lure = "PLEASE CALL +1 555 0100 TO RECOVER YOUR ACCOUNT ".repeat(40);
    const url = trader.webhookUrl.replace(/[^/]+$/, "an-old-secret-that-was-rotated-long-ago");
    const res = await api<WebhookReply>("POST", url, { raw: lure, headers: { "content-type": "text/plain", "cf-connecting-ip": "203.0.113.9" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, messageCode: "invalid-password" });
    const [row] = await rowsOf(trader.strategyId);
    expect(row).toMatchObject({ status: "rejected", message_code: "invalid-password", source_ip: "203.0.113.9", body_bytes: lure.length, user_id: trader.userId });
    expect(JSON.parse(String(row!.payload))).toEqual({});
    expect(JSON.stringify(row)).not.toContain("555 0100");
  });

  it("an unknown strategy id stores nothing", async () => {
    const ghost = crypto.randomUUID();
    const res = await api<WebhookReply>("POST", `/webhook/${ghost}/whatever`, { raw: JSON.stringify({ ...SIGNAL, note: "spam" }) });
    expect(res.status).toBe(404);
    expect(res.body.logId).toBeUndefined();
    expect(await rowsOf(ghost)).toEqual([]);
  });

  it("refused requests are capped at 20 log rows per strategy per hour; every one is still answered", async () => {
    const trader = await createTrader();
    const url = trader.webhookUrl.replace(/[^/]+$/, "wrong");
    for (let i = 0; i < 25; i++) {
      const res = await sendAlert(url, SIGNAL);
      expect(res.body.messageCode).toBe("invalid-password");
    }
    expect((await rowsOf(trader.strategyId)).length).toBe(20);
  });
});

describe("the secret outside the URL", () => {
  it("a `passphrase` field authenticates, and is neither stored nor echoed", async () => {
    const trader = await createTrader();
    const { bare, secret } = split(trader);
    const res = await sendAlert(bare, { ...SIGNAL, passphrase: secret });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(secret);
    // The subscription's queue copies the accepted signal to D1 on its own time.
    await expect.poll(async () => (await rowsOf(trader.strategyId)).length).toBe(1);
    expect(JSON.stringify(await rowsOf(trader.strategyId))).not.toContain(secret);
  });

  it("the X-Webhook-Passphrase header authenticates", async () => {
    const trader = await createTrader();
    const { bare, secret } = split(trader);
    const res = await api<WebhookReply>("POST", bare, { json: SIGNAL, headers: { "x-webhook-passphrase": secret } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("without any secret, or with a wrong passphrase, it is invalid-password", async () => {
    const trader = await createTrader();
    const { bare } = split(trader);
    expect((await sendAlert(bare, SIGNAL)).body.messageCode).toBe("invalid-password");
    expect((await sendAlert(bare, { ...SIGNAL, passphrase: "guess" })).body.messageCode).toBe("invalid-password");
    expect(JSON.stringify(await rowsOf(trader.strategyId))).not.toContain("guess");
  });

  it("a passphrase sent alongside the URL's secret is stripped before logging too", async () => {
    const trader = await createTrader();
    const res = await sendAlert(trader.webhookUrl, [{ ...SIGNAL, passphrase: "extra-secret-value" }]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain("extra-secret-value");
    await expect.poll(async () => (await rowsOf(trader.strategyId)).length).toBe(1);
    expect(JSON.stringify(await rowsOf(trader.strategyId))).not.toContain("extra-secret-value");
  });
});

describe("bodies", () => {
  it("a chunked body is cut off at 64 KB while streaming, not read whole", async () => {
    const trader = await createTrader();
    let pulled = 0;
    const chunk = new TextEncoder().encode(`{"pad":"${"x".repeat(16 * 1024 - 10)}"}\n`);
    const total = 4 * 1024 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await api<WebhookReply>("POST", trader.webhookUrl, { raw: stream as unknown as string, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(res.body.messageCode).toBe("payload-too-large");
    // 64 KB plus what the runtime buffers ahead: far from the 4 MB offered.
    expect(pulled).toBeLessThan(256 * 1024);
  });

  it("JSON nested 2,000 deep is refused with json-too-deep and never stored as a structure", async () => {
    const trader = await createTrader();
    const deep = `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`;
    const res = await sendAlert(trader.webhookUrl, `{"ticker":"AAPL","action":"buy","quantity":1,"price":10,"extra":${deep}}`, { contentType: "application/json" });
    expect(res.status).toBe(400);
    expect(res.body.messageCode).toBe("json-too-deep");
    const [row] = await rowsOf(trader.strategyId);
    expect(typeof (JSON.parse(String(row!.payload)) as { raw?: unknown }).raw).toBe("string");
  });
});

describe("per-strategy source restrictions and rate", () => {
  it("TradingView only: its published servers pass, anyone else is not-trading-view", async () => {
    const trader = await createTrader();
    await setStrategySettings(trader, { allowedSources: { tradingView: true } });
    const other = await api<WebhookReply>("POST", trader.webhookUrl, { json: SIGNAL, headers: { "cf-connecting-ip": "198.51.100.20" } });
    expect(other.status).toBe(400);
    expect(other.body.messageCode).toBe("not-trading-view");
    const tv = await api<WebhookReply>("POST", trader.webhookUrl, { json: SIGNAL, headers: { "cf-connecting-ip": TRADINGVIEW_IP } });
    expect(tv.status, JSON.stringify(tv.body)).toBe(200);
  });

  it("own CIDR ranges (IPv4 and IPv6): inside passes, outside is invalid-ip-address", async () => {
    const trader = await createTrader();
    await setStrategySettings(trader, { allowedSources: { ipAddresses: ["203.0.113.0/24", "2001:db8::/32"] } });
    for (const ip of ["203.0.113.77", "2001:db8:1::5"]) {
      const ok = await api<WebhookReply>("POST", trader.webhookUrl, { json: SIGNAL, headers: { "cf-connecting-ip": ip } });
      expect(ok.status, `${ip}: ${JSON.stringify(ok.body)}`).toBe(200);
    }
    const out = await api<WebhookReply>("POST", trader.webhookUrl, { json: SIGNAL, headers: { "cf-connecting-ip": "203.0.114.1" } });
    expect(out.body.messageCode).toBe("invalid-ip-address");
    const bad = await authed(trader.token).patch<{ error: { field: string } }>(`/api/strategies/${trader.strategyId}`, { settings: { allowedSources: { ipAddresses: ["not-an-ip"] } } });
    expect(bad.status).toBe(400);
  });

  it("a strategy's webhookRatePerMinute: over it is 429 too-many-requests with Retry-After, and nothing is queued", async () => {
    const trader = await createTrader();
    await setStrategySettings(trader, { webhookRatePerMinute: 3 });
    const replies: { status: number; body: WebhookReply }[] = [];
    for (let i = 0; i < 4; i++) replies.push(await sendAlert(trader.webhookUrl, { ...SIGNAL, alertId: `a${i}` }));
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies[3]).toMatchObject({ status: 429, body: { messageCode: "too-many-requests" } });
    const raw = await fetchRaw(trader.webhookUrl, SIGNAL);
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    const accepted = async () => (await rowsOf(trader.strategyId)).filter((r) => r.status === "accepted").length;
    await expect.poll(accepted).toBe(3);
    const refused = (await rowsOf(trader.strategyId)).filter((r) => r.message_code === "too-many-requests");
    expect(refused.length).toBe(2);
    expect(refused.every((r) => JSON.parse(String(r.payload)) && String(r.payload) === "{}")).toBe(true);
  });
});

async function fetchRaw(url: string, body: unknown): Promise<Response> {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(new Request(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }));
}
