/**
 * Market hours through the queue: with `marketHours: "queue"` a signal that
 * arrives while its market is closed waits for the open (outcome pending),
 * a newer signal for the same ticker replaces it, other tickers are not held
 * up, and at the open it is decided afresh; `reject` refuses at once.
 * The clock is set with fake Dates, never waited on.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTrader, positionOf, sendAlert, settledSignal } from "../helpers/trader";
import { api, login } from "../helpers/api";

afterEach(() => {
  vi.useRealTimers();
});

interface TradeView {
  status: string;
  messageCode?: string;
}

async function tradeOf(token: string, signalId: string, want: (t: TradeView) => boolean): Promise<TradeView> {
  return vi.waitUntil(
    async () => {
      const t = (await api<{ trades: TradeView[] }>("GET", `/api/signals/${signalId}`, { token })).body.trades?.[0];
      return t && want(t) ? t : false;
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe("market hours", () => {
  it("queue: waits for the open, a newer signal for the ticker replaces the older, others are not held up", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    // Saturday 10:00 in New York: US equities closed until Monday 09:30.
    vi.setSystemTime(new Date("2026-12-05T15:00:00Z"));
    const trader = await createTrader({ subscriptionSettings: { marketHours: "queue" } });
    const first = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    expect((await tradeOf(trader.token, first.body.id!, (t) => t.messageCode === "queued-until-open")).status).toBe("queued");
    const newer = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 2, price: 100 });
    const other = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 });
    expect(await tradeOf(trader.token, newer.body.id!, (t) => t.messageCode === "queued-until-open")).toMatchObject({ status: "queued" });
    expect(await tradeOf(trader.token, other.body.id!, (t) => t.messageCode === "queued-until-open")).toMatchObject({ status: "queued" });
    expect(await tradeOf(trader.token, first.body.id!, (t) => t.status === "cancelled")).toMatchObject({ messageCode: "replaced-by-newer-signal" });
    const signal = (await api<{ outcome: string }>("GET", `/api/signals/${newer.body.id}`, { token: trader.token })).body;
    expect(signal.outcome).toBe("pending");
    expect(await positionOf(trader, "SPY")).toBe(0);

    // Monday 09:31 New York: the alarm runs what waited, decided now.
    vi.setSystemTime(new Date("2026-12-07T14:31:00Z"));
    await runDurableObjectAlarm(env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId));
    // Two days on, the 15-minute access token has expired: log in again.
    trader.token = await login(trader);
    expect((await settledSignal(trader.token, newer.body.id!)).trades[0]!.status).toBe("filled");
    expect((await settledSignal(trader.token, other.body.id!)).trades[0]!.status).toBe("filled");
    expect(await positionOf(trader, "SPY")).toBe(2);
    expect(await positionOf(trader, "AAPL")).toBe(1);
  });

  it("reject: refuses at once with outside-market-hours, naming the next open", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-05T15:00:00Z"));
    const trader = await createTrader({ subscriptionSettings: { marketHours: "reject" } });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 }, { query: "?wait=10000" });
    expect(reply.body.trades?.[0]).toMatchObject({ status: "rejected", messageCode: "outside-market-hours" });
    expect((reply.body.trades?.[0] as { message?: string }).message).toContain("2026-12-07");
  });
});
