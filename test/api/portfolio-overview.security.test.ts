/**
 * Owner scoping of the positions, performance, paper-control and export
 * APIs: another user's ids are 404 and never appear; no session is 401; the
 * CSV defuses spreadsheet formulas an alert could carry.
 */
import { api } from "../helpers/api";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert, settledSignal } from "../helpers/trader";

describe("another user's portfolio", () => {
  it("is neither listed nor reachable through any id", async () => {
    const owner = await createTrader({ subscriptionSettings: { quantity: 1 } });
    const other = await createTrader();
    const sent = await sendAlert(owner.webhookUrl, { ticker: "AAPL", action: "buy", price: 10 });
    await settledSignal(owner.token, sent.body.id ?? "");

    const mine = await api<{ accounts: { accountId: string }[] }>("GET", "/api/portfolio", { token: other.token });
    expect(mine.body.accounts.map((a) => a.accountId)).toEqual([other.accountId]);

    const attempts: [string, string, unknown?][] = [
      ["POST", `/api/connections/${owner.connectionId}/paper/reset`, {}],
      ["POST", `/api/connections/${owner.connectionId}/paper/price`, { ticker: "AAPL", price: 1 }],
      ["DELETE", `/api/connections/${owner.connectionId}/orders/paper-000001`],
      ["GET", `/api/performance/subscriptions/${owner.subscriptionId}`],
      ["GET", `/api/performance/accounts/${owner.accountId}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, { token: other.token, ...(body !== undefined && { json: body }) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await api<{ subscriptions: unknown[]; accounts: { accountId: string }[] }>("GET", "/api/performance", { token: other.token });
    expect(list.body.accounts.map((a) => a.accountId)).toEqual([other.accountId]);
    const csv = await api<string>("GET", "/api/signals/export", { token: other.token });
    expect(csv.body.trim().split("\r\n")).toHaveLength(1);

    // The owner's position survived every attempt.
    const owned = await api<{ accounts: { positions: { ticker: string; quantity: number }[] }[] }>("GET", "/api/portfolio", { token: owner.token });
    expect(owned.body.accounts[0]?.positions).toEqual([expect.objectContaining({ ticker: "AAPL", quantity: 1 })]);
  });

  it("needs a session", async () => {
    for (const path of ["/api/portfolio", "/api/performance", "/api/signals/export"]) {
      expect((await api("GET", path)).status, path).toBe(401);
    }
  });
});

describe("CSV export", () => {
  it("defuses a formula in an alert's field", async () => {
    const t = await createTrader();
    const sent = await sendAlert(t.webhookUrl, { ticker: "AAPL", action: "buy", price: 10, quantity: 1, comment: "x" });
    await settledSignal(t.token, sent.body.id ?? "");
    const { signalsCsv } = await import("../../worker/api/signals");
    const csv = signalsCsv([
      {
        id: "s1",
        strategyId: "st",
        receivedAt: "2025-01-01T00:00:00.000Z",
        status: "rejected",
        outcome: "rejected",
        outcomeCode: "invalid-ticker",
        outcomeMessage: "-1 is not a ticker.",
        message: '=HYPERLINK("http://x")',
        payload: { ticker: "+1", action: "@x" },
        trades: [],
      },
    ]);
    const row = csv.split("\r\n")[1] ?? "";
    expect(row).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(row).toContain(`"'+1"`);
    expect(row).toContain(`"'-1 is not a ticker."`);
    expect(row).not.toMatch(/,[=+@-]/);
  });
});
