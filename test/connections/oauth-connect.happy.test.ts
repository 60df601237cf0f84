/**
 * The whole OAuth connect flow through the Worker's routes, in workerd,
 * against the TradeStation fake's authorization server: start → sign-in →
 * callback → tokens sealed with their one owner → accounts listed → trading
 * on the session; a renewal on the owner's alarm; concurrent callers sharing
 * one renewal.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TradestationFake } from "../../plugins/tradestation/fake";
import type { ConnectionSession } from "../../worker/connections/session-object";
import { authed, signup } from "../helpers/api";
import { connectTradestation, routeToTradestation } from "../helpers/oauth";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every value the owner's storage holds, as text (to prove no token is stored in clear). */
async function storedText(connectionId: string): Promise<string> {
  const stub = env.CONNECTION_SESSION.getByName(connectionId);
  return runInDurableObject(stub, async (_instance: ConnectionSession, state) => JSON.stringify([...(await state.storage.list()).entries()]));
}

describe("OAuth connect flow (TradeStation fake)", () => {
  it("start → approve → callback creates a connected OAuth connection with its accounts, and the dashboard gets its id", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const start = await authed(token).get<{ url: string; note: string | null }>("/api/connections/oauth/tradestation/start?environment=demo&name=TS%20sim");
    expect(start.status, start.text).toBe(200);
    const url = new URL(start.body.url);
    expect(url.origin + url.pathname).toBe("https://signin.tradestation.com/authorize");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "kit-oauth-client-id",
      redirect_uri: "http://tradeloop.test/api/connections/oauth/tradestation/callback",
      scope: "offline_access MarketData ReadAccount Trade",
      audience: "https://api.tradestation.com",
      code_challenge_method: "S256",
    });
    expect(url.searchParams.get("code_challenge"), "PKCE: only the challenge travels").toMatch(/^[\w-]{43}$/);

    const conn = await connectTradestation(token, fake);
    expect(conn).toMatchObject({ status: "connected", authMethod: "oauth", statusReason: null, credentialsHint: null });
    expect(conn.accounts.map((a) => [a.brokerAccountId, a.mode])).toEqual([["11111111", "paper"]]);
    expect(fake.oauth.calls.authorization_code, "one code exchange").toBe(1);

    // The tokens live sealed with their owner, never in clear, never in D1.
    const stored = await storedText(conn.id);
    expect(stored).toContain("v2.");
    expect(stored).not.toMatch(/ts-access-|ts-refresh-/);
    const row = await env.DB.prepare("SELECT credentials_ciphertext, auth_method FROM connections WHERE id = ?").bind(conn.id).first();
    expect(row).toEqual({ credentials_ciphertext: null, auth_method: "oauth" });

    // The API reads through the session.
    const balance = await authed(token).get<{ cash: number }>(`/api/connections/${conn.id}/balance`);
    expect(balance.status, balance.text).toBe(200);
    expect(balance.body.cash).toBe(100000);
    const events = await authed(token).get<{ kind: string; connectionId: string }[]>("/api/events");
    expect(events.body.map((e) => e.kind)).toContain("connection-connected");
  });

  it("the owner's alarm renews a token that is due, once, and schedules the next renewal", async () => {
    // A 10-minute token is inside the 15-minute renewal margin from the start.
    const fake = new TradestationFake({ accessTokenTtlSeconds: 600 });
    routeToTradestation(fake);
    const { token } = await signup();
    const conn = await connectTradestation(token, fake);
    const stub = env.CONNECTION_SESSION.getByName(conn.id);
    const before = await stub.describe();
    expect(before.alarmAt, "an alarm is armed").not.toBeNull();
    // (Listing the accounts at the callback already renewed once: a 10-minute token is due at once.)
    const refreshes = fake.oauth.calls.refresh_token;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(fake.oauth.calls.refresh_token, "the alarm refreshed, once").toBe(refreshes + 1);
    const after = await stub.describe();
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt ?? 0);
    expect(after.failures).toBe(0);
    expect((await authed(token).get(`/api/connections/${conn.id}/positions`)).status).toBe(200);
  });

  it("an access token that dies mid-session is renewed once for three concurrent readers", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const conn = await connectTradestation(token, fake);
    fake.expireAccessToken();
    const reads = await Promise.all(["positions", "balance", "orders"].map((what) => authed(token).get(`/api/connections/${conn.id}/${what}`)));
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(fake.oauth.calls.refresh_token, "one refresh for three callers").toBe(1);
    expect((await authed(token).get<{ status: string }>(`/api/connections/${conn.id}`)).body.status).toBe("connected");
  });
});
