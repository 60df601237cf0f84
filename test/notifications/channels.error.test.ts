/**
 * Channel creation refuses what would not work or would not be safe, with a
 * sentence that names the field: URLs outside the host rules, settings a
 * kind does not take, missing values, too many channels.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_CHANNELS_PER_USER } from "../../worker/api/channels";
import { authed, signup, type ApiErrorJson } from "../helpers/api";
import { routeNotifications } from "../helpers/notification-fakes";

afterEach(() => {
  vi.restoreAllMocks();
});

async function refused(body: Record<string, unknown>) {
  const { token } = await signup();
  const res = await authed(token).post<ApiErrorJson>("/api/channels", body);
  expect(res.status, res.text).toBe(400);
  return res.body.error;
}

describe("host rules for channel URLs", () => {
  it.each([
    ["http://hooks.example.com/x", "must use https"],
    ["https://10.0.0.5/hook", "IP address"],
    ["https://[fd00::1]/hook", "IP address"],
    ["https://169.254.169.254/latest/meta-data", "IP address"],
    ["https://intranet/hook", "single-label"],
    ["https://printer.local/hook", "internal name"],
    ["https://user:pass@hooks.example.com/x", "user name or password"],
    ["not a url", "not a valid URL"],
  ])("webhook %s is refused (%s)", async (url, message) => {
    const error = await refused({ kind: "webhook", name: "x", settings: { url } });
    expect(error).toMatchObject({ messageCode: "invalid-request", field: "settings.url" });
    expect(error.message).toContain(message);
  });

  it("this machine only in development (the tests run as development)", async () => {
    const { token } = await signup();
    const res = await authed(token).post("/api/channels", { kind: "webhook", name: "local", settings: { url: "http://127.0.0.1:9000/hook" } });
    expect(res.status, res.text).toBe(201);
  });

  it.each([
    ["discord", "https://evil.example.com/api/webhooks/112233445566778899/AbCdEfGhIjKlMnOpQrStUvWx", "must be a Discord webhook URL"],
    ["discord", "https://discord.com/channels/1/2", "must be a Discord webhook URL"],
    ["discord", "http://discord.com/api/webhooks/112233445566778899/AbCdEfGhIjKlMnOpQrStUvWx", "must use https"],
    ["slack", "https://hooks.slack.com.evil.example/services/T0/B0/abcdefghijkl", "must be a Slack incoming-webhook URL"],
    ["slack", "https://hooks.slack.com/triggers/T0/123/abc", "must be a Slack incoming-webhook URL"],
  ])("%s %s is refused", async (kind, url, message) => {
    const error = await refused({ kind, name: "x", settings: { url } });
    expect(error.field).toBe("settings.url");
    expect(error.message).toContain(message);
  });
});

describe("settings per kind", () => {
  it("a missing value names its field", async () => {
    const error = await refused({ kind: "telegram", name: "x", settings: { botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0" } });
    expect(error).toMatchObject({ field: "settings.chatId" });
    expect(error.message).toBe("settings.chatId is required.");
  });
  it("a setting another kind takes is named", async () => {
    const error = await refused({ kind: "slack", name: "x", settings: { url: "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx", chatId: "1" } });
    expect(error.message).toBe("settings.chatId is not a recognized field.");
  });
  it("a malformed bot token, chat id or email address", async () => {
    expect((await refused({ kind: "telegram", name: "x", settings: { botToken: "nope", chatId: "1" } })).field).toBe("settings.botToken");
    expect((await refused({ kind: "telegram", name: "x", settings: { botToken: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", chatId: "me" } })).field).toBe("settings.chatId");
    expect((await refused({ kind: "email", name: "x", settings: { apiKey: "re_123456789", from: "alerts@example.com", to: "not-an-address" } })).field).toBe("settings.to");
    expect((await refused({ kind: "email", name: "x", settings: { apiKey: "re_123456789", from: "alerts", to: "me@example.com" } })).field).toBe("settings.from");
  });
  it("an unknown kind or event type", async () => {
    expect((await refused({ kind: "pager", name: "x", settings: {} })).field).toBe("kind");
    expect((await refused({ kind: "slack", name: "x", settings: { url: "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx" }, events: ["trade-exploded"] })).field).toBe("events.0");
    expect((await refused({ kind: "slack", name: "x", settings: { url: "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx" }, events: ["test"] })).field).toBe("events.0");
  });
});

describe("limits and state", () => {
  it(`at most ${MAX_CHANNELS_PER_USER} channels per user`, async () => {
    routeNotifications();
    const { token } = await signup();
    for (let i = 0; i < MAX_CHANNELS_PER_USER; i++) {
      const res = await authed(token).post("/api/channels", { kind: "webhook", name: `c${i}`, settings: { url: `https://hooks.example.com/${i}` } });
      expect(res.status, res.text).toBe(201);
    }
    const res = await authed(token).post<ApiErrorJson>("/api/channels", { kind: "webhook", name: "one more", settings: { url: "https://hooks.example.com/x" } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("delete one first");
  });
  it("rotate-secret is for webhook channels only", async () => {
    const { token } = await signup();
    const created = await authed(token).post<{ id: string }>("/api/channels", { kind: "slack", name: "s", settings: { url: "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx" } });
    const res = await authed(token).post<ApiErrorJson>(`/api/channels/${created.body.id}/rotate-secret`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Only webhook channels");
  });
});
