import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { DUMMY_PASSWORD_HASH, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../../worker/auth/password";
import { ACCESS_TTL_SECONDS, issueAccessToken, verifyAccessToken } from "../../worker/auth/session";
import { insertUser, isSignupOpen } from "../../worker/auth/users";
import { api, type ApiErrorJson, authed, signup, uniqueEmail } from "../helpers/api";

const b64url = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function claimsOf(token: string): Record<string, number | string> {
  return JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))) as Record<string, number | string>;
}

function sessionIdOf(token: string): string {
  return String(claimsOf(token).sid);
}

async function me(token: string) {
  return api<ApiErrorJson>("GET", "/api/auth/me", { token });
}

describe("passwords", () => {
  it("are stored as peppered PBKDF2-SHA256 (v2) with 100k iterations and a random salt, never in plaintext", async () => {
    const s = await signup(uniqueEmail(), "my secret password");
    const row = await env.DB.prepare("select * from users where id = ?").bind(s.user.id).first<Record<string, unknown>>();
    const stored = String(row?.password_hash);
    expect(stored).toMatch(new RegExp(`^v2\\$pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$`));
    expect(JSON.stringify(row)).not.toContain("my secret password");
    const again = await hashPassword("my secret password", env.PASSWORD_PEPPER);
    expect(again).not.toBe(stored);
  });

  it("verify accepts the right password only, and never throws on garbage", async () => {
    const pepper = env.PASSWORD_PEPPER;
    const h = await hashPassword("right password", pepper);
    expect((await verifyPassword("right password", h, pepper)).ok).toBe(true);
    expect((await verifyPassword("wrong password", h, pepper)).ok).toBe(false);
    expect((await verifyPassword("x", "garbage", pepper)).ok).toBe(false);
    expect((await verifyPassword("x", "pbkdf2-sha256$999999999$AA==$AA==", pepper)).ok).toBe(false);
    expect((await verifyPassword("", DUMMY_PASSWORD_HASH, pepper)).ok).toBe(false);
  });
});

describe("session tokens", () => {
  it("a token with a modified payload is 401", async () => {
    const a = await signup();
    const b = await signup();
    const [header, , sig] = a.token.split(".");
    const forged = `${header}.${b64url(JSON.stringify({ sub: b.user.id, sid: sessionIdOf(b.token), iss: "tradeloop", aud: "tradeloop", exp: 9999999999 }))}.${sig}`;
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.body.error.messageCode).toBe("unauthorized");
  });

  it("an expired token is 401", async () => {
    const s = await signup();
    const sid = sessionIdOf(s.token);
    const old = await issueAccessToken(env.JWT_SECRET, s.user.id, sid, new Date(Date.now() - (ACCESS_TTL_SECONDS + 60) * 1000));
    expect((await me(old.token)).status).toBe(401);
  });

  it("a token signed with another key is 401", async () => {
    const s = await signup();
    const other = await issueAccessToken("another-secret-that-is-long-enough-0123456789", s.user.id, sessionIdOf(s.token));
    expect((await me(other.token)).status).toBe(401);
  });

  it("alg=none is 401", async () => {
    const s = await signup();
    const unsigned = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(
      JSON.stringify({ sub: s.user.id, sid: sessionIdOf(s.token), iss: "tradeloop", aud: "tradeloop", exp: 9999999999 }),
    )}.`;
    expect((await me(unsigned)).status).toBe(401);
  });

  it("a correctly signed token for another audience is 401", async () => {
    const s = await signup();
    const token = await new SignJWT({ sid: sessionIdOf(s.token) })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(s.user.id)
      .setIssuer("tradeloop")
      .setAudience("something-else")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(env.JWT_SECRET));
    expect((await me(token)).status).toBe(401);
    expect(await verifyAccessToken(env.JWT_SECRET, token)).toBeNull();
  });

  it("missing, empty or non-Bearer Authorization is 401", async () => {
    for (const value of [undefined, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]) {
      const res = await api<ApiErrorJson>("GET", "/api/connections", { headers: value === undefined ? {} : { Authorization: value } });
      expect(res.status, String(value)).toBe(401);
      expect(res.body.error.messageCode).toBe("unauthorized");
    }
  });

  it("is issued for 15 minutes with issuer and audience tradeloop and its session id", async () => {
    const s = await signup();
    const payload = claimsOf(s.token);
    expect(payload).toMatchObject({ sub: s.user.id, iss: "tradeloop", aud: "tradeloop" });
    expect(typeof payload.sid).toBe("string");
    expect(Number(payload.exp) - Number(payload.iat)).toBe(15 * 60);
  });
});

describe("sign-up policy", () => {
  it("is open only when SIGNUP_OPEN is exactly \"true\"", () => {
    expect(isSignupOpen("true")).toBe(true);
    for (const v of [undefined, "", "false", "TRUE", "1", "yes"]) expect(isSignupOpen(v)).toBe(false);
  });

  it("when closed, only the first user of an empty deployment can sign up", async () => {
    await env.DB.prepare("delete from users").run();
    const first = { id: crypto.randomUUID(), email: uniqueEmail(), passwordHash: DUMMY_PASSWORD_HASH, createdAt: Date.now() };
    expect(await insertUser(env.DB, first, { onlyIfFirst: true })).toBe("created");
    const second = { id: crypto.randomUUID(), email: uniqueEmail(), passwordHash: DUMMY_PASSWORD_HASH, createdAt: Date.now() };
    expect(await insertUser(env.DB, second, { onlyIfFirst: true })).toBe("signup-closed");
    // A taken email does not leak through the closed path either.
    expect(await insertUser(env.DB, { ...second, email: first.email }, { onlyIfFirst: true })).toBe("signup-closed");
    // When open, the unique index reports duplicates.
    expect(await insertUser(env.DB, { ...second, email: first.email }, { onlyIfFirst: false })).toBe("email-taken");
    expect(await insertUser(env.DB, second, { onlyIfFirst: false })).toBe("created");
  });
});

describe("sign-up over HTTP with SIGNUP_OPEN=false", () => {
  // The binding is "true" for the test Worker, so the app is called directly with other bindings.
  const closedEnv = { ...env, SIGNUP_OPEN: "false" };
  const post = (email: string) =>
    app.request("/api/auth/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "long enough" }),
    }, closedEnv);

  it("lets the first user in, then answers 403 signup-closed", async () => {
    await env.DB.prepare("delete from users").run();
    expect((await post(uniqueEmail())).status).toBe(201);
    const second = await post(uniqueEmail());
    expect(second.status).toBe(403);
    expect(((await second.json()) as ApiErrorJson).error.messageCode).toBe("signup-closed");
  });
});

describe("responses", () => {
  it("never carry the password or its hash", async () => {
    const password = "do not echo me";
    const email = uniqueEmail();
    const bodies = [
      (await api("POST", "/api/auth/signup", { json: { email, password } })).text,
      (await api("POST", "/api/auth/login", { json: { email, password } })).text,
    ];
    const token = (JSON.parse(bodies[1]!) as { token: string }).token;
    bodies.push((await authed(token).get("/api/auth/me")).text);
    bodies.push((await api("POST", "/api/auth/login", { json: { email, password: "wrong one!" } })).text);
    for (const text of bodies) {
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/passwordHash|password_hash|pbkdf2/i);
    }
  });
});
