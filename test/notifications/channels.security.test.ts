/**
 * Channels belong to their user, their secrets never come back out (not in
 * a list, a detail, a delivery, or an attempt's detail), and they are sealed
 * at rest.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authed, signup } from "../helpers/api";
import { routeNotifications } from "../helpers/notification-fakes";
import { createChannel, deliveriesOf, emitAndDeliver, tradeEvent } from "../helpers/notifications";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ownership", () => {
  it("another user's channel is a 404 for every route", async () => {
    const fakes = routeNotifications();
    const owner = await signup();
    const other = await signup();
    const channel = await createChannel(owner.token, { kind: "slack", name: "mine", settings: { url: fakes.slack.webhook() } });
    const a = authed(other.token);
    for (const res of [
      await a.get(`/api/channels/${channel.id}`),
      await a.patch(`/api/channels/${channel.id}`, { name: "theirs" }),
      await a.post(`/api/channels/${channel.id}/test`),
      await a.get(`/api/channels/${channel.id}/deliveries`),
      await a.post(`/api/channels/${channel.id}/rotate-secret`),
      await a.del(`/api/channels/${channel.id}`),
    ]) {
      expect(res.status, res.text).toBe(404);
    }
    expect((await a.get<unknown[]>("/api/channels")).body).toEqual([]);
    expect(fakes.slack.messages).toHaveLength(0);
  });

  it("a user's events reach only that user's channels", async () => {
    const fakes = routeNotifications();
    const owner = await signup();
    const other = await signup();
    await createChannel(owner.token, { kind: "slack", name: "mine", settings: { url: fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF2/ownerownerownerownerowner") } });
    await emitAndDeliver(other.user.id, [tradeEvent("trade-filled")]);
    expect(fakes.slack.messages).toHaveLength(0);
  });

  it("needs a session", async () => {
    const res = await authed("").get("/api/channels");
    expect(res.status).toBe(401);
  });
});

describe("secrets", () => {
  it("are sealed in D1 and never returned, even when a delivery fails on them", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const discordUrl = fakes.discord.webhook("223344556677889900", "SecretDiscordTokenSecretDiscordToken0123");
    const bot = fakes.telegram.bot("987654321:AAsecretTelegramTokenSecretTelegramTok");
    const apiKey = fakes.resend.apiKey("re_secret_resend_key_0123456789abcdef");
    const webhook = await createChannel(token, { kind: "webhook", name: "w", settings: { url: "https://hooks.example.com/tradeloop/events?token=querysecret123" } });
    const channels = [
      webhook,
      await createChannel(token, { kind: "discord", name: "d", settings: { url: discordUrl } }),
      await createChannel(token, { kind: "telegram", name: "t", settings: bot }),
      await createChannel(token, { kind: "email", name: "e", settings: { apiKey, from: "alerts@example.com", to: "me@example.com" } }),
    ];
    const secrets = ["SecretDiscordTokenSecretDiscordToken0123", "AAsecretTelegramTokenSecretTelegramTok", "re_secret_resend_key_0123456789abcdef", "querysecret123", webhook.secret!];
    // Make each service fail so their answers (and our error details) are recorded too.
    fakes.discord.faults.fail({ status: 500, body: { message: `bad ${discordUrl}` } });
    fakes.telegram.faults.fail({ status: 500, body: { ok: false, error_code: 500, description: `Internal error for bot${bot.botToken}` } });
    fakes.resend.faults.fail({ status: 500, body: { statusCode: 500, name: "application_error", message: `key ${apiKey}` } });
    fakes.receiver.faults.fail({ status: 500, body: `secret ${webhook.secret}` });
    await emitAndDeliver(user.id, [tradeEvent("trade-failed")]);

    const texts = [(await authed(token).get("/api/channels")).text];
    for (const c of channels) {
      texts.push((await authed(token).get(`/api/channels/${c.id}`)).text);
      texts.push(JSON.stringify(await deliveriesOf(token, c.id)));
    }
    for (const text of texts) for (const s of secrets) expect(text).not.toContain(s);

    const rows = await env.DB.prepare("SELECT * FROM channels WHERE user_id = ?").bind(user.id).all();
    const stored = JSON.stringify(rows.results);
    for (const s of secrets) expect(stored).not.toContain(s);
  });
});
