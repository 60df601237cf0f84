import { describe, expect, it } from "vitest";
import { api, authed, client, signup, uniqueEmail } from "../helpers/api";

describe("auth: happy paths", () => {
  it("signs up with 201 {user:{id,email}, token, expiresAt, refreshToken} and lower-cases the email", async () => {
    const email = uniqueEmail("MiXeD").toUpperCase();
    const res = await api<{ user: { id: string; email: string }; token: string }>("POST", "/api/auth/signup", {
      json: { email: `  ${email} `, password: "long enough" },
    });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["expiresAt", "refreshToken", "token", "user"]);
    expect(res.body.user).toEqual({ id: expect.any(String), email: email.toLowerCase() });
    expect(res.body.token.split(".")).toHaveLength(3);
  });

  it("logs in with 200 and the same shape, case-insensitively", async () => {
    const s = await signup();
    const res = await api<{ user: { id: string; email: string }; token: string }>("POST", "/api/auth/login", {
      json: { email: s.email.toUpperCase(), password: s.password },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toEqual(s.user);
    expect(typeof res.body.token).toBe("string");
  });

  it("GET /api/auth/me returns the token's user", async () => {
    const s = await signup();
    const res = await authed(s.token).get<{ user: unknown }>("/api/auth/me");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: s.user });
  });

  it("works through the typed hc<AppType> client", async () => {
    const s = await signup();
    const res = await client(s.token).api.auth.me.$get();
    expect(res.status).toBe(200);
    if (res.status === 200) expect((await res.json()).user.email).toBe(s.email);
  });

  it("serves /api/health without auth", async () => {
    const res = await api("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });
});
