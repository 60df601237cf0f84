/**
 * Notification channels end to end: each kind created through the API,
 * tested and fed events, against fakes of Discord, Slack, Telegram and
 * Resend that follow those services' documented APIs, and a receiver that
 * verifies the outbound webhook's signature as the docs say.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SIGNATURE_HEADER, verifySignature } from "../../worker/notifications/signing";
import { authed, signup } from "../helpers/api";
import { routeNotifications } from "../helpers/notification-fakes";
import { createChannel, deliveriesOf, emitAndDeliver, runNotifier, tradeEvent, type ChannelJson, type DeliveryJson } from "../helpers/notifications";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("webhook channel", () => {
  it("shows its signing secret once; each delivery is signed over the raw body and verifies", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "webhook", name: "My endpoint", settings: { url: fakes.receiver.url } });
    expect(channel.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    fakes.receiver.secret = channel.secret!;
    const listed = await authed(token).get<ChannelJson[]>("/api/channels");
    expect(listed.text).not.toContain(channel.secret!);
    expect(listed.body[0]).toMatchObject({ kind: "webhook", settings: { url: fakes.receiver.url }, events: null, failuresOnly: false });
    expect(listed.body[0]).not.toHaveProperty("secret");

    const event = tradeEvent("trade-rejected");
    await emitAndDeliver(user.id, [event]);
    expect(fakes.receiver.received).toHaveLength(1);
    const got = fakes.receiver.received[0]!;
    expect(got.verified.ok).toBe(true);
    expect(got.event).toEqual(event);
    expect(got.headers.get("X-Tradeloop-Event")).toBe("trade-rejected");
    expect(got.headers.get("X-Tradeloop-Event-Id")).toBe(event.id);
    expect(got.headers.get(SIGNATURE_HEADER)).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    // A different body, secret or an old timestamp does not verify.
    const header = got.headers.get(SIGNATURE_HEADER);
    expect((await verifySignature(header, got.body.replace("AAPL", "MSFT"), channel.secret!, Math.floor(Date.now() / 1000))).ok).toBe(false);
    expect((await verifySignature(header, got.body, "whsec_other", Math.floor(Date.now() / 1000))).ok).toBe(false);
    expect(await verifySignature(header, got.body, channel.secret!, Math.floor(Date.now() / 1000) + 301)).toEqual({ ok: false, reason: "stale" });

    const [delivery] = await deliveriesOf(token, channel.id);
    expect(delivery).toMatchObject({ eventId: event.id, eventType: "trade-rejected", status: "delivered", attempts: [{ n: 1, result: "delivered", httpStatus: 204 }] });
  });

  it("retries a failing endpoint with backoff, every attempt visible, and signs each attempt afresh", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "webhook", name: "Flaky", settings: { url: fakes.receiver.url } });
    fakes.receiver.secret = channel.secret!;
    fakes.receiver.faults.fail({ status: 503, body: "deploying" });
    fakes.receiver.faults.fail("network");
    const event = tradeEvent("trade-failed");
    await emitAndDeliver(user.id, [event]);
    let [d] = await deliveriesOf(token, channel.id);
    expect(d).toMatchObject({ status: "pending", attempts: [{ n: 1, result: "retry", httpStatus: 503 }] });
    expect(d!.attempts[0]!.detail).toContain("deploying");
    // The next attempt waits the first backoff step (10 s).
    const wait = Date.parse(d!.nextAttemptAt!) - Date.now();
    expect(wait).toBeGreaterThan(5_000);
    expect(wait).toBeLessThanOrEqual(10_000);
    // Not due yet: an alarm run now sends nothing.
    await runNotifier(user.id, { advance: false });
    expect(fakes.receiver.received).toHaveLength(1);

    await runNotifier(user.id);
    [d] = await deliveriesOf(token, channel.id);
    expect(d!.attempts.map((a) => [a.n, a.result, a.httpStatus])).toEqual([
      [1, "retry", 503],
      [2, "retry", null],
    ]);
    expect(d!.attempts[1]!.detail).toContain("could not be reached");
    await runNotifier(user.id);
    [d] = await deliveriesOf(token, channel.id);
    expect(d).toMatchObject({ status: "delivered" });
    expect(d!.attempts.map((a) => a.result)).toEqual(["retry", "retry", "delivered"]);
    // Every delivery that reached the endpoint carried the same event id, each with a valid signature.
    expect(fakes.receiver.received.map((r) => r.event.id)).toEqual([event.id, event.id]);
    expect(fakes.receiver.received.every((r) => r.verified.ok)).toBe(true);
    const shown = await authed(token).get<ChannelJson>(`/api/channels/${channel.id}`);
    expect(shown.body).toMatchObject({ lastError: null });
    expect(shown.body.lastDeliveryAt).not.toBeNull();
  });

  it("gives up after eight attempts; the channel says why", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "webhook", name: "Down", settings: { url: fakes.receiver.url } });
    fakes.receiver.faults.fail({ status: 500, body: "boom" }, 20);
    await emitAndDeliver(user.id, [tradeEvent("trade-failed")]);
    for (let i = 0; i < 9; i++) await runNotifier(user.id);
    const [d] = await deliveriesOf(token, channel.id);
    expect(d!.status).toBe("failed");
    expect(d!.attempts).toHaveLength(8);
    const lastError = (await authed(token).get<ChannelJson>(`/api/channels/${channel.id}`)).body.lastError;
    expect(lastError).toContain("HTTP 500");
    expect(lastError).toContain("Gave up after 8 attempts.");
  });

  it("rotate-secret: the new secret signs from then on", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "webhook", name: "Rotating", settings: { url: fakes.receiver.url } });
    const rotated = await authed(token).post<ChannelJson>(`/api/channels/${channel.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(channel.secret);
    fakes.receiver.secret = rotated.body.secret!;
    await emitAndDeliver(user.id, [tradeEvent("trade-filled")]);
    expect(fakes.receiver.received[0]!.verified.ok).toBe(true);
  });
});

describe("Discord", () => {
  it("posts the event as content with no mentions, waiting for Discord to confirm the message", async () => {
    const fakes = routeNotifications();
    const { token } = await signup();
    const url = fakes.discord.webhook();
    const channel = await createChannel(token, { kind: "discord", name: "Trading room", settings: { url } });
    expect(channel.settings.url).toBe("https://discord.com/api/webhooks/112233445566778899/••••");
    expect(JSON.stringify(channel)).not.toContain(new URL(url).pathname.split("/").pop());
    const test = await authed(token).post<{ delivered: boolean; delivery: DeliveryJson }>(`/api/channels/${channel.id}/test`);
    expect(test.status, test.text).toBe(200);
    expect(test.body).toMatchObject({ delivered: true, delivery: { eventType: "test", status: "delivered", attempts: [{ n: 1, result: "delivered", httpStatus: 200 }] } });
    expect(fakes.discord.messages).toEqual([
      { webhookId: "112233445566778899", content: expect.stringContaining('the "Trading room" channel works'), allowedMentions: { parse: [] }, wait: true },
    ]);
  });

  it("waits as long as Discord's 429 retry_after asks", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "discord", name: "Room", settings: { url: fakes.discord.webhook() } });
    fakes.discord.faults.fail({ status: 429, body: { message: "You are being rate limited.", retry_after: 42.5, global: false }, headers: { "Retry-After": "43" } });
    await emitAndDeliver(user.id, [tradeEvent("trade-filled")]);
    const [d] = await deliveriesOf(token, channel.id);
    expect(d!.attempts[0]).toMatchObject({ result: "retry", httpStatus: 429 });
    const wait = Date.parse(d!.nextAttemptAt!) - Date.now();
    expect(wait).toBeGreaterThan(40_000);
    await runNotifier(user.id);
    expect(fakes.discord.messages).toHaveLength(1);
  });

  it("a deleted Discord webhook is not retried; the channel shows Discord's answer", async () => {
    const fakes = routeNotifications();
    const { token } = await signup();
    const channel = await createChannel(token, { kind: "discord", name: "Gone", settings: { url: "https://discord.com/api/webhooks/555555555555555555/TokenTokenTokenTokenTokenToken" } });
    const test = await authed(token).post<{ delivered: boolean; delivery: DeliveryJson }>(`/api/channels/${channel.id}/test`);
    expect(test.body.delivered).toBe(false);
    expect(test.body.delivery).toMatchObject({ status: "failed", attempts: [{ result: "failed", httpStatus: 404 }] });
    expect(test.body.delivery.attempts[0]!.detail).toContain("Unknown Webhook");
    expect(fakes.discord.messages).toHaveLength(0);
    expect((await authed(token).get<ChannelJson>(`/api/channels/${channel.id}`)).body.lastError).toContain("Unknown Webhook");
  });
});

describe("Slack", () => {
  it("posts text to the incoming webhook", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "slack", name: "#trades", settings: { url: fakes.slack.webhook() } });
    expect(channel.settings.url).toBe("https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/••••");
    await emitAndDeliver(user.id, [tradeEvent("trade-rejected", { message: "Today's P&L reached the daily loss limit." })]);
    expect(fakes.slack.messages).toHaveLength(1);
    expect(fakes.slack.messages[0]!.text).toContain("Trade rejected: buy AAPL");
    expect(fakes.slack.messages[0]!.text).toContain("Code: daily-loss-limit-reached");
    expect((await deliveriesOf(token, channel.id))[0]).toMatchObject({ status: "delivered", attempts: [{ httpStatus: 200 }] });
  });

  it("an archived channel (410 channel_is_archived) fails at once", async () => {
    const fakes = routeNotifications();
    const { token } = await signup();
    const url = fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF9/zyxwvutsrqponmlkjihgfedc");
    fakes.slack.archive(url);
    const channel = await createChannel(token, { kind: "slack", name: "#old", settings: { url } });
    const test = await authed(token).post<{ delivered: boolean; delivery: DeliveryJson }>(`/api/channels/${channel.id}/test`);
    expect(test.body.delivery).toMatchObject({ status: "failed", attempts: [{ httpStatus: 410 }] });
    expect(test.body.delivery.attempts[0]!.detail).toContain("channel_is_archived");
  });
});

describe("Telegram", () => {
  it("sends the event with sendMessage to the chat", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const bot = fakes.telegram.bot();
    const channel = await createChannel(token, { kind: "telegram", name: "Phone", settings: bot });
    expect(channel.settings).toEqual({ botToken: "123456789:••••", chatId: "-1001234567890" });
    await emitAndDeliver(user.id, [tradeEvent("connection-expired", { signal: null, trade: null, messageCode: "connection-expired", message: 'The "Alpaca" connection expired.' })]);
    expect(fakes.telegram.messages).toHaveLength(1);
    expect(fakes.telegram.messages[0]).toMatchObject({ chatId: -1001234567890, body: { link_preview_options: { is_disabled: true } } });
    expect(fakes.telegram.messages[0]!.text).toContain('The "Alpaca" connection expired.');
    expect((await deliveriesOf(token, channel.id))[0]!.status).toBe("delivered");
  });

  it("honours retry_after on 429, and a wrong chat is not retried", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const bot = fakes.telegram.bot();
    const channel = await createChannel(token, { kind: "telegram", name: "Phone", settings: bot });
    fakes.telegram.faults.fail({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } } });
    await emitAndDeliver(user.id, [tradeEvent("trade-failed")]);
    const [d] = await deliveriesOf(token, channel.id);
    expect(Date.parse(d!.nextAttemptAt!) - Date.now()).toBeGreaterThan(28_000);
    await runNotifier(user.id);
    expect(fakes.telegram.messages).toHaveLength(1);

    const lost = await createChannel(token, { kind: "telegram", name: "Wrong chat", settings: { botToken: bot.botToken, chatId: "-1009999999999" } });
    const test = await authed(token).post<{ delivered: boolean; delivery: DeliveryJson }>(`/api/channels/${lost.id}/test`);
    expect(test.body.delivery).toMatchObject({ status: "failed", attempts: [{ httpStatus: 400 }] });
    expect(test.body.delivery.attempts[0]!.detail).toContain("chat not found");
  });
});

describe("email (Resend)", () => {
  it("sends with the API key and the delivery id as Idempotency-Key, so a retry after a lost reply sends once", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const apiKey = fakes.resend.apiKey();
    const channel = await createChannel(token, { kind: "email", name: "Inbox", settings: { apiKey, from: "Tradeloop <alerts@example.com>", to: ["me@example.com", "partner@example.com"] } });
    expect(channel.settings).toEqual({ provider: "resend", apiKey: "••••stuv", from: "Tradeloop <alerts@example.com>", to: ["me@example.com", "partner@example.com"] });
    // The first reply is lost after Resend accepted the mail: the retry carries the same key.
    fakes.resend.faults.fail({ status: 502, body: { statusCode: 502, name: "application_error", message: "upstream" } });
    await emitAndDeliver(user.id, [tradeEvent("drift-detected", { messageCode: "drift-detected", message: "The broker holds 0 AAPL; Tradeloop's fills imply 10." })]);
    await runNotifier(user.id);
    const [d] = await deliveriesOf(token, channel.id);
    expect(d!.attempts.map((a) => a.result)).toEqual(["retry", "delivered"]);
    expect(fakes.resend.sent).toHaveLength(1);
    expect(fakes.resend.sent[0]).toMatchObject({ from: "Tradeloop <alerts@example.com>", to: ["me@example.com", "partner@example.com"], subject: "[Tradeloop] Drift detected: buy AAPL", idempotencyKey: d!.id });
    expect(fakes.resend.sent[0]!.text).toContain("Tradeloop's fills imply 10.");
  });

  it("an invalid API key fails at once with Resend's reason", async () => {
    routeNotifications();
    const { token } = await signup();
    const channel = await createChannel(token, { kind: "email", name: "Inbox", settings: { apiKey: "re_not_a_real_key_0000", from: "alerts@example.com", to: "me@example.com" } });
    const test = await authed(token).post<{ delivered: boolean; delivery: DeliveryJson }>(`/api/channels/${channel.id}/test`);
    expect(test.body.delivery).toMatchObject({ status: "failed", attempts: [{ httpStatus: 403 }] });
    expect(test.body.delivery.attempts[0]!.detail).toContain("API key is invalid");
  });
});

describe("which channel gets which event", () => {
  it("an event filter, and the failures-only switch", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const everything = await createChannel(token, { kind: "slack", name: "all", settings: { url: fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF3/aaaaaaaaaaaaaaaaaaaaaaaa") } });
    const fills = await createChannel(token, { kind: "slack", name: "fills", settings: { url: fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF4/bbbbbbbbbbbbbbbbbbbbbbbb") }, events: ["trade-filled"] });
    const failures = await createChannel(token, { kind: "slack", name: "failures", settings: { url: fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF5/cccccccccccccccccccccccc") }, failuresOnly: true });
    const off = await createChannel(token, { kind: "slack", name: "off", settings: { url: fakes.slack.webhook("/services/T0ABCDEF1/B0ABCDEF6/dddddddddddddddddddddddd") } });
    expect((await authed(token).patch(`/api/channels/${off.id}`, { enabled: false })).status).toBe(200);
    await emitAndDeliver(user.id, [tradeEvent("trade-filled"), tradeEvent("trade-rejected"), tradeEvent("approval-pending"), tradeEvent("drift-detected")]);
    const types = async (c: ChannelJson) => (await deliveriesOf(token, c.id)).map((d) => d.eventType).sort();
    expect(await types(everything)).toEqual(["approval-pending", "drift-detected", "trade-filled", "trade-rejected"]);
    expect(await types(fills)).toEqual(["trade-filled"]);
    expect(await types(failures)).toEqual(["drift-detected", "trade-rejected"]);
    expect(await types(off)).toEqual([]);
    expect(fakes.slack.messages).toHaveLength(7);
  });

  it("the same event reported twice is delivered once", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    await createChannel(token, { kind: "slack", name: "all", settings: { url: fakes.slack.webhook() } });
    const event = tradeEvent("trade-filled");
    await emitAndDeliver(user.id, [event]);
    await emitAndDeliver(user.id, [event, event]);
    expect(fakes.slack.messages).toHaveLength(1);
  });

  it("deliveries pending for a deleted channel are dropped", async () => {
    const fakes = routeNotifications();
    const { token, user } = await signup();
    const channel = await createChannel(token, { kind: "slack", name: "soon gone", settings: { url: fakes.slack.webhook() } });
    fakes.slack.faults.fail({ status: 500, body: "rollup_error" });
    await emitAndDeliver(user.id, [tradeEvent("trade-filled")]);
    const pending = (await deliveriesOf(token, channel.id))[0]!;
    expect(pending.status).toBe("pending");
    expect((await authed(token).del(`/api/channels/${channel.id}`)).status).toBe(204);
    await runNotifier(user.id);
    expect(fakes.slack.messages).toHaveLength(0);
  });
});
