/**
 * The connection lifecycle's events reach the channels: a session that
 * cannot be renewed (connection-expired) and a grant about to end
 * (connection-expiring), each once, with the sentence the connection shows.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SchwabFake } from "../../plugins/schwab/fake";
import { TradestationFake } from "../../plugins/tradestation/fake";
import { authed, signup, workerFetch } from "../helpers/api";
import { routeNotifications } from "../helpers/notification-fakes";
import { createChannel, deliveriesOf, runNotifier } from "../helpers/notifications";
import { browserCookie, connectTradestation } from "../helpers/oauth";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("connection events on the channels", () => {
  it("connection-expired goes to Telegram once, with the connection's reason", async () => {
    const broker = new TradestationFake({ accessTokenTtlSeconds: 600 });
    const fakes = routeNotifications({ fallback: (r) => broker.fetch(r) });
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "telegram", name: "Phone", settings: fakes.telegram.bot(), failuresOnly: true });
    const conn = await connectTradestation(token, broker);
    broker.revokeGrant();
    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    await runDurableObjectAlarm(owner);
    await runDurableObjectAlarm(owner);
    await runNotifier(user.id);
    const reason = (await authed(token).get<{ statusReason: string }>(`/api/connections/${conn.id}`)).body.statusReason;
    expect(fakes.telegram.messages).toHaveLength(1);
    expect(fakes.telegram.messages[0]!.text).toContain("Connection expired");
    expect(fakes.telegram.messages[0]!.text).toContain(reason);
    expect(fakes.telegram.messages[0]!.text).toContain("Code: connection-expired");
    expect((await deliveriesOf(token, channel.id)).map((d) => [d.eventType, d.status])).toEqual([["connection-expired", "delivered"]]);
  });

  it("connection-expiring goes to a webhook, signed", async () => {
    const broker = new SchwabFake({ refreshTokenTtlSeconds: 12 * 3600, sendRefreshTokenExpiresIn: true });
    const fakes = routeNotifications({ fallback: (r) => broker.fetch(r) });
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "webhook", name: "Ops", settings: { url: fakes.receiver.url }, events: ["connection-expiring", "connection-expired"] });
    fakes.receiver.secret = channel.secret!;
    const start = await authed(token).get<{ url: string }>("/api/connections/oauth/schwab/start?name=Schwab");
    const back = await broker.authorize(new URL(start.body.url));
    const callback = await workerFetch(back.href, { redirect: "manual", headers: { cookie: browserCookie(start.headers) } });
    const id = new URL((callback.headers.get("location") ?? "").replace("/#/", "/")).searchParams.get("connected")!;
    await runDurableObjectAlarm(env.CONNECTION_SESSION.getByName(id));
    await runNotifier(user.id);
    expect(fakes.receiver.received).toHaveLength(1);
    expect(fakes.receiver.received[0]!.verified.ok).toBe(true);
    expect(fakes.receiver.received[0]!.event).toMatchObject({ type: "connection-expiring", messageCode: "connection-expiring", signal: null, trade: null, data: { connectionId: id } });
  });
});
