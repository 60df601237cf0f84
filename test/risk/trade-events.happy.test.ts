/**
 * Trade events from real trades reach every channel kind: a fill and a
 * risk block (the kill switch) go through the webhook, the queue and the
 * Notifier to fake Discord, Slack, Telegram and Resend endpoints and to a
 * receiver that verifies the signature, each channel with its own filter.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { routeNotifications, type NotificationFakes } from "../helpers/notification-fakes";
import { createChannel, runNotifier } from "../helpers/notifications";
import { createTrader, sendAlert } from "../helpers/trader";
import { drained, killSwitch, trade } from "./support";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the user's Notifier until `done` holds (events reach it just after the queue's D1 copy). */
async function deliverUntil(userId: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("the expected notifications did not arrive");
    await runNotifier(userId);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const counts = (f: NotificationFakes) => [f.discord.messages.length, f.slack.messages.length, f.telegram.messages.length, f.resend.sent.length, f.receiver.received.length];

describe("trade events on every channel", () => {
  it("a fill and a kill-switch block reach Discord, Slack (failures only), Telegram (rejections), email (fills) and a signed webhook", async () => {
    const fakes = routeNotifications();
    const trader = await createTrader();
    await createChannel(trader.token, { kind: "discord", name: "Discord", settings: { url: fakes.discord.webhook() } });
    await createChannel(trader.token, { kind: "slack", name: "Slack", settings: { url: fakes.slack.webhook() }, failuresOnly: true });
    await createChannel(trader.token, { kind: "telegram", name: "Telegram", settings: fakes.telegram.bot(), events: ["trade-rejected"] });
    await createChannel(trader.token, { kind: "email", name: "Email", settings: { apiKey: fakes.resend.apiKey(), from: "alerts@example.com", to: "me@example.com" }, events: ["trade-filled"] });
    const hook = await createChannel(trader.token, { kind: "webhook", name: "Hook", settings: { url: fakes.receiver.url } });
    fakes.receiver.secret = hook.secret!;

    expect((await trade(trader, { ticker: "SPY", action: "buy", quantity: 2, price: 100 })).status).toBe("filled");
    await killSwitch(trader.token, { active: true });
    expect((await trade(trader, { ticker: "AAPL", action: "buy", quantity: 1, price: 200 })).messageCode).toBe("kill-switch-active");
    await drained(trader.subscriptionId);

    await deliverUntil(trader.userId, () => counts(fakes).join() === [2, 1, 1, 1, 2].join());

    expect(fakes.slack.messages[0]!.text).toContain("Code: kill-switch-active");
    expect(fakes.telegram.messages[0]!.text).toContain("kill switch is on");
    expect(fakes.resend.sent[0]!.subject).toContain("SPY");
    expect(fakes.discord.messages.map((m) => m.content ?? "").join("\n")).toContain("kill-switch-active");

    const events = fakes.receiver.received;
    expect(events.every((e) => e.verified.ok)).toBe(true);
    const rejected = events.map((e) => e.event).find((e) => e.type === "trade-rejected")!;
    expect(rejected).toMatchObject({
      type: "trade-rejected",
      messageCode: "kill-switch-active",
      signal: { ticker: "AAPL", action: "buy" },
      trade: { subscriptionId: trader.subscriptionId, status: "rejected", ticker: "AAPL", orders: [] },
    });
    const filled = events.map((e) => e.event).find((e) => e.type === "trade-filled")!;
    expect(filled).toMatchObject({ messageCode: "enter-new-position", trade: { status: "filled", orders: [{ side: "buy", quantity: "2", status: "filled", filledQuantity: "2" }] } });

    // Nothing is told twice: another pass of the Notifier sends nothing new.
    await runNotifier(trader.userId);
    expect(counts(fakes)).toEqual([2, 1, 1, 1, 2]);
  });

  it("a trade waiting for approval is told as approval-pending, with the trade", async () => {
    const fakes = routeNotifications();
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    await createChannel(trader.token, { kind: "discord", name: "Discord", settings: { url: fakes.discord.webhook() }, events: ["approval-pending"] });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    expect(reply.status).toBe(200);
    await deliverUntil(trader.userId, () => fakes.discord.messages.length === 1);
    expect(fakes.discord.messages[0]!.content ?? JSON.stringify(fakes.discord.messages[0])).toContain("SPY");
  });
});
