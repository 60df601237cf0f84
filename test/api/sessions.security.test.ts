/**
 * Finding 5: sessions could not be revoked (a 7-day JWT in localStorage; "log
 * out" only forgot it in the browser). Now: 15-minute access tokens with a
 * refresh path, server-side revocation (log-out, log-out everywhere, password
 * change), HttpOnly/Secure/SameSite=Strict cookies for the dashboard with an
 * Origin check, and scoped API tokens for programs.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { API_ORIGIN, api, type ApiErrorJson, authed, signup, uniqueEmail } from "../helpers/api";

interface Session {
  user: { id: string; email: string };
  token: string;
  refreshToken: string;
  expiresAt: string;
}

const me = (token: string) => api<ApiErrorJson>("GET", "/api/auth/me", { token });

/** `name=value` pairs of a response's Set-Cookie headers, and the raw headers. */
function cookiesOf(headers: Headers): { jar: string; raw: string[] } {
  const raw = headers.getSetCookie();
  return { raw, jar: raw.map((c) => c.split(";")[0]).join("; ") };
}

async function loginWithCookies(): Promise<{ jar: string; raw: string[]; session: Session; password: string; email: string }> {
  const s = await signup();
  const res = await api<Session>("POST", "/api/auth/login", { json: { email: s.email, password: s.password } });
  expect(res.status, res.text).toBe(200);
  return { ...cookiesOf(res.headers), session: res.body, password: s.password, email: s.email };
}

/** A request as the dashboard makes it: cookies, same origin, no Authorization header. */
function fromDashboard(method: string, path: string, jar: string, json?: unknown) {
  return api<ApiErrorJson>(method, path, { headers: { Cookie: jar, Origin: API_ORIGIN, "Sec-Fetch-Site": "same-origin" }, ...(json !== undefined && { json }) });
}

describe("access tokens are short and sessions are server-side", () => {
  it("an access token lives 15 minutes (at most an hour) and names its session", async () => {
    const s = await signup();
    const claims = JSON.parse(atob(s.token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))) as { exp: number; iat: number; sid: string };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
    expect(claims.exp - claims.iat).toBe(900);
    const row = await env.DB.prepare("SELECT * FROM sessions WHERE id = ?").bind(claims.sid).first<Record<string, unknown>>();
    expect(row).toMatchObject({ user_id: s.user.id, revoked_at: null });
  });

  it("POST /api/auth/logout revokes the session server-side: the same token is refused afterwards", async () => {
    const s = await signup();
    expect((await me(s.token)).status).toBe(200);
    expect((await authed(s.token).post("/api/auth/logout")).status).toBe(204);
    const after = await me(s.token);
    expect(after.status).toBe(401);
    expect(after.body.error.messageCode).toBe("unauthorized");
    const refreshed = await api("POST", "/api/auth/refresh", { json: { refreshToken: (s as unknown as Session).refreshToken } });
    expect(refreshed.status).toBe(401);
  });

  it("log out everywhere ends every session of the account, and only that account's", async () => {
    const s = await signup();
    const second = await api<Session>("POST", "/api/auth/login", { json: { email: s.email, password: s.password } });
    const stranger = await signup();
    expect((await authed(second.body.token).post("/api/auth/logout-everywhere")).status).toBe(204);
    expect((await me(s.token)).status).toBe(401);
    expect((await me(second.body.token)).status).toBe(401);
    expect((await me(stranger.token)).status).toBe(200);
  });

  it("a password change needs the current password, revokes every session and answers a new one", async () => {
    const s = await signup(uniqueEmail(), "the old password");
    const other = await api<Session>("POST", "/api/auth/login", { json: { email: s.email, password: "the old password" } });
    const wrong = await authed(s.token).post<ApiErrorJson>("/api/auth/password", { currentPassword: "not it", newPassword: "a brand new password" });
    expect(wrong.status).toBe(401);
    const changed = await authed(s.token).post<Session>("/api/auth/password", { currentPassword: "the old password", newPassword: "a brand new password" });
    expect(changed.status, changed.text).toBe(200);
    expect((await me(s.token)).status).toBe(401);
    expect((await me(other.body.token)).status).toBe(401);
    expect((await me(changed.body.token)).status).toBe(200);
    expect((await api("POST", "/api/auth/login", { json: { email: s.email, password: "the old password" } })).status).toBe(401);
    expect((await api("POST", "/api/auth/login", { json: { email: s.email, password: "a brand new password" } })).status).toBe(200);
  });

  it("refresh rotates the refresh token; presenting an old one again ends the session (theft)", async () => {
    const s = (await signup()) as unknown as Session;
    const first = await api<Session>("POST", "/api/auth/refresh", { json: { refreshToken: s.refreshToken } });
    expect(first.status, first.text).toBe(200);
    expect(first.body.refreshToken).not.toBe(s.refreshToken);
    expect((await me(first.body.token)).status).toBe(200);
    // Within the grace period the replaced token still works once more (two tabs refreshing at once)...
    await env.DB.prepare("UPDATE sessions SET rotated_at = rotated_at - 60000").run();
    // ...after it, the replaced token is a stolen copy: refused, and the whole session ends.
    const replay = await api("POST", "/api/auth/refresh", { json: { refreshToken: s.refreshToken } });
    expect(replay.status).toBe(401);
    expect((await me(first.body.token)).status).toBe(401);
    expect((await api("POST", "/api/auth/refresh", { json: { refreshToken: first.body.refreshToken } })).status).toBe(401);
  });
});

describe("the dashboard's cookies", () => {
  it("log-in sets HttpOnly, Secure, SameSite=Strict __Host- cookies and still answers {user, token}", async () => {
    const { raw, session } = await loginWithCookies();
    expect(session).toMatchObject({ user: { id: expect.any(String) }, token: expect.any(String) });
    expect(raw).toHaveLength(2);
    for (const cookie of raw) {
      expect(cookie).toMatch(/^__Host-tradeloop_(access|refresh)=/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it("the cookies authenticate the dashboard with no Authorization header; log-out ends them", async () => {
    const { jar } = await loginWithCookies();
    expect((await fromDashboard("GET", "/api/auth/me", jar)).status).toBe(200);
    const out = await fromDashboard("POST", "/api/auth/logout", jar);
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().every((c) => /Max-Age=0/.test(c))).toBe(true);
    expect((await fromDashboard("GET", "/api/auth/me", jar)).status).toBe(401);
  });

  it("an expired access cookie is renewed from the refresh cookie, transparently", async () => {
    const { jar } = await loginWithCookies();
    const onlyRefresh = jar.split("; ").filter((c) => c.startsWith("__Host-tradeloop_refresh=")).join("; ");
    const res = await fromDashboard("GET", "/api/auth/me", onlyRefresh);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().map((c) => c.split("=")[0]).sort()).toEqual(["__Host-tradeloop_access", "__Host-tradeloop_refresh"]);
  });

  it("a state-changing request with the cookies from another origin is 403, whatever the route", async () => {
    const { jar } = await loginWithCookies();
    const forged = await api<ApiErrorJson>("POST", "/api/strategies", {
      headers: { Cookie: jar, Origin: "https://evil.example" },
      json: { name: "Planted", assetClass: "stocks" },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.messageCode).toBe("forbidden");
    // Without Origin and without Sec-Fetch-Site: same-origin, a cookie request is not the dashboard either.
    const bare = await api<ApiErrorJson>("POST", "/api/strategies", { headers: { Cookie: jar }, json: { name: "Planted", assetClass: "stocks" } });
    expect(bare.status).toBe(403);
    // Log-in CSRF: a cross-origin log-in is refused too.
    const login = await api("POST", "/api/auth/login", { headers: { Origin: "https://evil.example" }, json: { email: "a@b.example", password: "x" } });
    expect(login.status).toBe(403);
    const same = await fromDashboard("POST", "/api/strategies", jar, { name: "Mine", assetClass: "stocks" });
    expect(same.status, same.text).toBe(201);
  });
});

describe("API tokens", () => {
  it("create shows the token once, stores only its hash, lists it with last use, and revoke ends it", async () => {
    const s = await signup();
    const created = await authed(s.token).post<{ id: string; token: string; scopes: string[]; lastUsedAt: null }>("/api/auth/tokens", { name: "script", scopes: ["read"] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.token).toMatch(/^tlk_[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(created.body.id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(created.body.token);
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await authed(created.body.token).get("/api/strategies")).status).toBe(200);
    const list = await authed(s.token).get<{ id: string; name: string; lastUsedAt: string | null; token?: string }[]>("/api/auth/tokens");
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: created.body.id, name: "script", lastUsedAt: expect.any(String) });
    expect(list.body[0]).not.toHaveProperty("token");

    expect((await authed(s.token).del(`/api/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await authed(created.body.token).get("/api/strategies")).status).toBe(401);
  });

  it("a read token cannot change anything; a trade token can; no token can manage the account", async () => {
    const s = await signup();
    const read = (await authed(s.token).post<{ token: string }>("/api/auth/tokens", { name: "r", scopes: ["read"] })).body.token;
    const trade = (await authed(s.token).post<{ token: string }>("/api/auth/tokens", { name: "t", scopes: ["trade"] })).body.token;
    const refused = await authed(read).post<ApiErrorJson>("/api/strategies", { name: "x", assetClass: "stocks" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/read scope/);
    expect((await authed(read).del(`/api/connections/${crypto.randomUUID()}`)).status).toBe(403);
    expect((await authed(trade).post("/api/strategies", { name: "x", assetClass: "stocks" })).status).toBe(201);
    for (const token of [read, trade]) {
      expect((await authed(token).post("/api/auth/tokens", { name: "escalate", scopes: ["trade"] })).status).toBe(403);
      expect((await authed(token).post("/api/auth/logout-everywhere")).status).toBe(403);
      expect((await authed(token).post("/api/auth/password", { currentPassword: "x", newPassword: "yyyyyyyy" })).status).toBe(403);
    }
    expect((await authed(read).get("/api/auth/me")).status).toBe(200);
  });

  it("someone else's token id is 404", async () => {
    const a = await signup();
    const b = await signup();
    const t = await authed(a.token).post<{ id: string }>("/api/auth/tokens", { name: "mine", scopes: ["read"] });
    expect((await authed(b.token).del(`/api/auth/tokens/${t.body.id}`)).status).toBe(404);
  });
});
