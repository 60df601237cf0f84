/**
 * A refresh that fails for good: the connection is `expired` (with a reason
 * and a time), its subscriptions pause, the event is recorded, and the next
 * signal is still logged, its trade refused with `connection-expired` and
 * nothing sent. Reconnecting does not resume trading by itself; resuming does.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TradestationFake } from "../../plugins/tradestation/fake";
import { authed, signup } from "../helpers/api";
import { connectTradestation, routeToTradestation, runOAuthFlow, type OAuthConnection } from "../helpers/oauth";
import { subscribe } from "../helpers/oauth-trading";
import { sendAlert, settledSignal } from "../helpers/trader";

afterEach(() => {
  vi.restoreAllMocks();
});

interface Sub {
  id: string;
  paused: { code: string; reason: string; at: string } | null;
}

describe("a refresh that fails for good", () => {
  it("expires the connection, pauses its subscriptions, logs the next signal as connection-expired and records the event", async () => {
    // A 10-minute token: the owner's alarm is due for a renewal at once.
    const fake = new TradestationFake({ accessTokenTtlSeconds: 600 });
    routeToTradestation(fake);
    const { token } = await signup();
    const conn = await connectTradestation(token, fake);
    const { webhookUrl, subscriptionId } = await subscribe(token, conn.id);

    // TradeStation stops honouring the refresh token (revoked at the broker, say).
    fake.revokeGrant();
    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    await runDurableObjectAlarm(owner);

    const after = await authed(token).get<OAuthConnection>(`/api/connections/${conn.id}`);
    expect(after.body.status).toBe("expired");
    expect(after.body.statusReason).toMatch(/TradeStation refused to renew the session .*Reconnect it, then resume its subscriptions\./);
    expect(Date.parse(after.body.statusAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect((await owner.describe()).hasTokens, "the dead tokens are dropped").toBe(false);

    const sub = await authed(token).get<Sub>(`/api/subscriptions/${subscriptionId}`);
    expect(sub.body.paused).toMatchObject({ code: "connection-expired" });

    const events = await authed(token).get<{ kind: string; connectionId: string; message: string; data: { pausedSubscriptions: string[] } }[]>("/api/events");
    const expired = events.body.find((e) => e.kind === "connection-expired");
    expect(expired).toMatchObject({ connectionId: conn.id, data: { pausedSubscriptions: [subscriptionId] } });
    expect(expired?.message).toBe(after.body.statusReason);

    // The next alert is taken and logged; its trade is refused with the pause code; nothing reaches the broker.
    fake.setPrice("AAPL", "100");
    const alert = await sendAlert(webhookUrl, { ticker: "AAPL", action: "buy", quantity: 1 });
    expect(alert.status, JSON.stringify(alert.body)).toBe(200);
    const signal = await settledSignal(token, alert.body.id!);
    expect(signal.status).toBe("accepted");
    expect(signal.trades).toMatchObject([{ subscriptionId, status: "rejected", messageCode: "connection-expired" }]);
    expect(signal as unknown as { outcome: string; outcomeCode: string }).toMatchObject({ outcome: "rejected", outcomeCode: "connection-expired" });
    expect(signal.trades[0]?.message).toMatch(/^Nothing was sent: the subscription is paused\./);
    expect(await fake.orders()).toEqual([]);

    // Resuming is refused until the connection works again.
    const early = await authed(token).post(`/api/connections/${conn.id}/resume-subscriptions`);
    expect(early.status).toBe(409);

    // Reconnect by OAuth: connected again, but the subscription stays paused until the user resumes it.
    const { location } = await runOAuthFlow(token, fake, `?connectionId=${conn.id}`);
    expect(location).toContain(`connected=${conn.id}`);
    expect((await authed(token).get<OAuthConnection>(`/api/connections/${conn.id}`)).body.status).toBe("connected");
    expect((await authed(token).get<Sub>(`/api/subscriptions/${subscriptionId}`)).body.paused).not.toBeNull();
    const resumed = await authed(token).post<{ resumed: string[] }>(`/api/connections/${conn.id}/resume-subscriptions`);
    expect(resumed.body).toEqual({ resumed: [subscriptionId] });
    const traded = await sendAlert(webhookUrl, { ticker: "AAPL", action: "buy", quantity: 1 }, { query: "?wait=2500" });
    const settled = await settledSignal(token, traded.body.id!);
    expect(settled.trades[0]?.status, JSON.stringify(settled.trades)).toBe("filled");
    expect(fake.positionOf("AAPL")).toBe("1");
  });

  it("a refresh that fails for now (the sign-in host is down) is retried with backoff and leaves the connection connected", async () => {
    const fake = new TradestationFake({ accessTokenTtlSeconds: 600 });
    const spy = routeToTradestation(fake);
    const { token } = await signup();
    const conn = await connectTradestation(token, fake);
    spy.mockRejectedValue(new TypeError("connection refused"));
    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    await runDurableObjectAlarm(owner);
    const state = await owner.describe();
    expect(state.failures).toBe(1);
    expect(state.hasTokens).toBe(true);
    expect(state.alarmAt ?? 0, "retried within a couple of minutes").toBeLessThanOrEqual(Date.now() + 61_000);
    expect((await authed(token).get<OAuthConnection>(`/api/connections/${conn.id}`)).body.status).toBe("connected");
  });
});
