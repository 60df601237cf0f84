/**
 * The account's audit log (`GET /api/audit`): log-ins, failed log-ins,
 * API token creation and revocation, connection changes, webhook secret
 * rotation, approvals and password changes, readable by the owner only and
 * never holding a secret.
 */
import { describe, expect, it } from "vitest";
import { FAKE_PRACTICE_TOKEN } from "../../plugins/oanda/fake";
import { api, authed, signup } from "../helpers/api";
import { createTrader, sendAlert } from "../helpers/trader";

interface AuditPage {
  events: { action: string; at: string; ip: string | null; detail: Record<string, unknown> | null }[];
  nextCursor: string | null;
}

describe("GET /api/audit", () => {
  it("records what happened to the account, newest first, without secrets", async () => {
    const trader = await createTrader({ subscriptionSettings: { autoSubmit: false } });
    const me = await authed(trader.token).get<{ user: { email: string } }>("/api/auth/me");
    const email = me.body.user.email;
    await api("POST", "/api/auth/login", { json: { email, password: "not my password" }, headers: { "CF-Connecting-IP": "203.0.113.50" } });
    const login = await api<{ token: string }>("POST", "/api/auth/login", { json: { email, password: "correct horse battery" } });
    const token = login.body.token;
    const a = authed(token);
    const created = await a.post<{ id: string; token: string }>("/api/auth/tokens", { name: "bot", scopes: ["read"] });
    await a.del(`/api/auth/tokens/${created.body.id}`);
    const rotated = await a.post<{ webhookUrl: string }>(`/api/strategies/${trader.strategyId}/rotate-secret`);
    await a.patch(`/api/connections/${trader.connectionId}`, { name: "Renamed" });
    const reply = await sendAlert(rotated.body.webhookUrl, { ticker: "AAPL", action: "buy", quantity: 1, price: 10 });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    // The subscription waits for approval (autoSubmit false): approve it once it shows up.
    let tradeId: string | undefined;
    await expect.poll(async () => (tradeId = (await a.get<{ trades: { id: string }[] }>("/api/approvals")).body.trades[0]?.id), { timeout: 15_000 }).toBeTruthy();
    expect((await a.post(`/api/trades/${tradeId}/approve`)).status).toBe(200);
    const changed = await a.post<{ token: string }>("/api/auth/password", { currentPassword: "correct horse battery", newPassword: "another long password" });

    const page = await authed(changed.body.token).get<AuditPage>("/api/audit?limit=50");
    expect(page.status, page.text).toBe(200);
    const actions = page.body.events.map((e) => e.action);
    for (const action of ["signup", "login-failed", "login", "token-created", "token-revoked", "strategy-secret-rotated", "connection-created", "connection-updated", "password-changed"]) {
      expect(actions, action).toContain(action);
    }
    expect(actions).toContain("trade-approved");
    expect(actions[0]).toBe("password-changed");
    expect(page.body.events.find((e) => e.action === "login-failed")?.ip).toBe("203.0.113.50");
    expect(page.body.events.find((e) => e.action === "connection-updated")?.detail).toMatchObject({ changed: ["name"] });
    expect(page.text).not.toContain(created.body.token);
    expect(page.text).not.toContain(new URL(rotated.body.webhookUrl).pathname.split("/").at(-1)!);
    expect(page.text).not.toMatch(/correct horse|another long password/);
  });

  it("shows only the caller's own events, and pages by cursor", async () => {
    const a = await signup();
    const b = await signup();
    for (let i = 0; i < 3; i++) await authed(a.token).post("/api/auth/tokens", { name: `t${i}`, scopes: ["read"] });
    const mine = await authed(a.token).get<AuditPage>("/api/audit?limit=2");
    expect(mine.body.events).toHaveLength(2);
    expect(mine.body.nextCursor).not.toBeNull();
    const rest = await authed(a.token).get<AuditPage>(`/api/audit?limit=50&cursor=${encodeURIComponent(mine.body.nextCursor!)}`);
    expect(rest.body.events.map((e) => e.action)).toEqual(["token-created", "signup"]);
    const theirs = await authed(b.token).get<AuditPage>("/api/audit");
    expect(theirs.body.events.map((e) => e.action)).toEqual(["signup"]);
  });

  it("a connection created with credentials is recorded without them", async () => {
    const s = await signup();
    const { routeOanda } = await import("../helpers/oanda-network");
    const { OandaFake } = await import("../../plugins/oanda/fake");
    routeOanda(new OandaFake());
    await authed(s.token).post("/api/connections", { broker: "oanda", name: "O", credentials: { token: FAKE_PRACTICE_TOKEN } });
    const page = await authed(s.token).get<AuditPage>("/api/audit");
    expect(page.body.events.map((e) => e.action)).toContain("connection-created");
    expect(page.text).not.toContain(FAKE_PRACTICE_TOKEN);
  });
});
