/**
 * A Tradovate connection made with an API key (the token owner logs in once)
 * and the broker's maintenance window: a subscription set to `refuse` gets
 * `broker-maintenance` with nothing sent; one set to `queue` waits, in line,
 * and trades when the window ends.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAKE_TRADOVATE_LOGIN, TradovateFake } from "../../plugins/tradovate/fake";
import { authed, login, signup } from "../helpers/api";
import { sendAlert, settledSignal } from "../helpers/trader";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function routeToTradovate(fake: TradovateFake) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!request.url.startsWith("https://demo.tradovateapi.com/")) throw new TypeError(`network disabled in tests: ${request.url}`);
    return fake.fetch(request);
  });
}

describe("Tradovate: API-key session and the maintenance window", () => {
  it("refuse or queue until the window ends, per subscription", async () => {
    // A Tuesday, 09:00 in Chicago: outside the 16:00-17:00 halt.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-08T15:00:00Z"));
    const fake = new TradovateFake();
    routeToTradovate(fake);
    const user = await signup();
    let token = user.token;
    const conn = await authed(token).post<{ id: string; status: string; accounts: { id: string }[] }>("/api/connections", {
      broker: "tradovate",
      name: "Tradovate demo",
      credentials: { ...FAKE_TRADOVATE_LOGIN },
    });
    expect(conn.status, conn.text).toBe(201);
    expect(fake.logins, "one login, by the token owner").toBe(1);

    // Two strategies on the same account (one subscription per strategy and account), sent the same alert.
    const strategy = await authed(token).post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "MES refuse", assetClass: "futures" });
    const queued = await authed(token).post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "MES queue", assetClass: "futures" });
    const refuse = await authed(token).post<{ id: string }>("/api/subscriptions", { strategyId: strategy.body.id, connectionId: conn.body.id, settings: { quantity: 1 } });
    const queue = await authed(token).post<{ id: string }>("/api/subscriptions", { strategyId: queued.body.id, connectionId: conn.body.id, settings: { quantity: 1, maintenanceWindow: "queue" } });
    expect([refuse.status, queue.status]).toEqual([201, 201]);
    fake.setPrice("MESZ6", "5000");

    // 16:30 in Chicago: the daily halt.
    vi.setSystemTime(new Date("2026-12-08T22:30:00Z"));
    token = await login(user);
    const alert = await sendAlert(strategy.body.webhookUrl, { ticker: "MESZ2026", action: "buy", quantity: 1 });
    expect(alert.status, JSON.stringify(alert.body)).toBe(200);
    const waiting = await sendAlert(queued.body.webhookUrl, { ticker: "MESZ2026", action: "buy", quantity: 1 });
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(200);
    // The queued trade keeps the signal unsettled: wait for the refused one to be copied to the log.
    await vi.waitUntil(async () => {
      const now = (await authed(token).get<{ trades: { subscriptionId: string; status: string; messageCode?: string }[] }>(`/api/signals/${alert.body.id}`)).body;
      return now.trades?.find((t) => t.subscriptionId === refuse.body.id)?.status === "rejected" ? now : false;
    }, { timeout: 10_000, interval: 50 });
    const during = (await authed(token).get<{ trades: { subscriptionId: string; status: string; messageCode?: string }[] }>(`/api/signals/${alert.body.id}`)).body;
    expect(during.trades.find((t) => t.subscriptionId === refuse.body.id)).toMatchObject({ status: "rejected", messageCode: "broker-maintenance" });
    const held = await vi.waitUntil(async () => {
      const now = (await authed(token).get<{ trades: { subscriptionId: string; status: string; messageCode?: string }[] }>(`/api/signals/${waiting.body.id}`)).body;
      return now.trades?.find((t) => t.subscriptionId === queue.body.id && t.messageCode === "broker-maintenance");
    }, { timeout: 10_000, interval: 50 });
    expect(held, "the queued signal waits, saying why").toMatchObject({ status: "queued", messageCode: "broker-maintenance" });
    expect(await fake.orders(), "nothing sent during the halt").toEqual([]);

    // 17:01: the window is over; the queue's alarm runs the waiting signal.
    vi.setSystemTime(new Date("2026-12-08T23:01:00Z"));
    token = await login(user);
    await runDurableObjectAlarm(env.SUBSCRIPTION_QUEUE.getByName(queue.body.id));
    const after = await settledSignal(token, waiting.body.id!);
    expect(after.trades.find((t) => t.subscriptionId === queue.body.id)?.status).toBe("filled");
    expect((await fake.orders()).length).toBe(1);
    // The clock jumped 8 hours past the 90-minute token, so the owner logged in once more; never a third session.
    expect(fake.sessions(), "never more than Tradovate's two sessions").toBeLessThanOrEqual(2);
  });
});
