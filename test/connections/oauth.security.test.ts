/**
 * The OAuth flow's guards: a state works once, cannot be forged or moved to
 * another broker, a denied consent creates nothing, OAuth-only brokers refuse
 * pasted credentials, another user's connection cannot be reconnected or
 * disconnected, and the missing app secrets are named.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TradestationFake } from "../../plugins/tradestation/fake";
import { authed, signup, workerFetch, type ApiErrorJson } from "../helpers/api";
import { browserCookie, connectTradestation, routeToTradestation, runOAuthFlow } from "../helpers/oauth";

afterEach(() => {
  vi.restoreAllMocks();
});

const params = (location: string) => new URL(location.replace("/#/", "/")).searchParams;

async function connectionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM connections").first<{ n: number }>())?.n ?? 0;
}

describe("OAuth callback guards", () => {
  it("a state is single use: replaying the callback creates nothing more", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const { location, callbackUrl, cookie } = await runOAuthFlow(token, fake);
    expect(params(location).get("connected")).toBeTruthy();
    const before = await connectionCount();
    const replay = await workerFetch(callbackUrl, { redirect: "manual", headers: { cookie } });
    expect(replay.status).toBe(302);
    expect(params(replay.headers.get("location") ?? "").get("error")).toBe("oauth-state-used");
    expect(await connectionCount()).toBe(before);
    expect(fake.oauth.calls.authorization_code, "the code was never sent twice").toBe(1);
  });

  it("a forged or altered state is refused before any code exchange", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const start = await authed(token).get<{ url: string }>("/api/connections/oauth/tradestation/start");
    const back = await fake.authorize(new URL(start.body.url));
    const state = back.searchParams.get("state")!;
    back.searchParams.set("state", `${state.slice(0, -4)}AAAA`);
    const res = await workerFetch(back.href, { redirect: "manual", headers: { cookie: browserCookie(start.headers) } });
    expect(params(res.headers.get("location") ?? "").get("error")).toBe("oauth-state-invalid");
    expect(fake.oauth.calls.authorization_code).toBe(0);
  });

  it("a consent the user denied creates no connection and says so in words", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const start = await authed(token).get<{ url: string }>("/api/connections/oauth/tradestation/start");
    const state = new URL(start.body.url).searchParams.get("state")!;
    const before = await connectionCount();
    const res = await workerFetch(`http://tradeloop.test/api/connections/oauth/tradestation/callback?error=access_denied&error_description=User%20cancelled&state=${encodeURIComponent(state)}`, {
      redirect: "manual",
      headers: { cookie: browserCookie(start.headers) },
    });
    const back = params(res.headers.get("location") ?? "");
    expect(back.get("error")).toBe("oauth-denied");
    expect(back.get("message")).toMatch(/TradeStation did not authorise Tradeloop \(User cancelled\)/);
    expect(await connectionCount()).toBe(before);
  });

  it("a flow started by one browser cannot be finished by another (login CSRF): no connection, no code exchange", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const attacker = await signup();
    const start = await authed(attacker.token).get<{ url: string }>("/api/connections/oauth/tradestation/start");
    // The victim approves the attacker's link in their own browser, which has no (or another) binding cookie.
    const back = await fake.authorize(new URL(start.body.url));
    const before = await connectionCount();
    for (const headers of [{}, { cookie: "tradeloop_oauth=someone-elses-value" }] as Record<string, string>[]) {
      const res = await workerFetch(back.href, { redirect: "manual", headers });
      expect(params(res.headers.get("location") ?? "").get("error")).toBe("oauth-browser-mismatch");
    }
    expect(await connectionCount()).toBe(before);
    expect(fake.oauth.calls.authorization_code).toBe(0);
  });

  it("OAuth-only brokers refuse pasted credentials; start needs a signed-in user", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "tradestation", name: "TS", credentials: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/GET \/api\/connections\/oauth\/tradestation\/start/);
    const anonymous = await workerFetch("http://tradeloop.test/api/connections/oauth/tradestation/start");
    expect(anonymous.status).toBe(401);
  });

  it("another user's connection can be neither reconnected nor disconnected", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const alice = await signup();
    const conn = await connectTradestation(alice.token, fake);
    const mallory = await signup();
    const start = await authed(mallory.token).get<ApiErrorJson>(`/api/connections/oauth/tradestation/start?connectionId=${conn.id}`);
    expect(start.status).toBe(404);
    const disconnect = await authed(mallory.token).post(`/api/connections/${conn.id}/disconnect`);
    expect(disconnect.status).toBe(404);
    expect((await authed(alice.token).get<{ status: string }>(`/api/connections/${conn.id}`)).body.status).toBe("connected");
  });
});
