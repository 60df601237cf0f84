/**
 * Finding 6: no throttling (25 wrong passwords in a row all answered 401)
 * and sign-up hashed a password before checking whether sign-up was open.
 * Now log-in is throttled per account and per address, sign-up per address,
 * with 429 `too-many-requests` and Retry-After, counted by the RateLimiter
 * Durable Object (running here in workerd), and a closed sign-up is refused
 * before any PBKDF2 work. The limits are the documented ones (docs/security.md):
 * 10 attempts per account, 30 per address, 5 sign-ups per address. The counter
 * itself is tested in worker/limits/rate-limiter.test.ts.
 */

/** docs/security.md, "Throttling". */
const LOGIN_PER_ACCOUNT = 10;
const LOGIN_PER_ADDRESS = 30;
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { API_ORIGIN, api, type ApiErrorJson, signup, testClientIp, uniqueEmail } from "../helpers/api";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("log-in", () => {
  it("25 wrong passwords in a row: after 10 the account answers 429 with Retry-After, even with the right password", async () => {
    const s = await signup();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i++) {
      // A new address each time: the per-account limit holds even against a botnet.
      const res = await api<ApiErrorJson>("POST", "/api/auth/login", { json: { email: s.email, password: `wrong ${i}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("Retry-After");
        expect(res.body.error.messageCode).toBe("too-many-requests");
      }
    }
    expect(statuses.slice(0, LOGIN_PER_ACCOUNT).every((st) => st === 401)).toBe(true);
    expect(statuses.slice(LOGIN_PER_ACCOUNT).every((st) => st === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const right = await api("POST", "/api/auth/login", { json: { email: s.email, password: s.password } });
    expect(right.status).toBe(429);
  });

  it("one address spraying many accounts is stopped after 30 attempts", async () => {
    const ip = testClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      statuses.push((await api("POST", "/api/auth/login", { headers: { "CF-Connecting-IP": ip }, json: { email: uniqueEmail("spray"), password: "Summer2026!" } })).status);
    }
    expect(statuses.filter((st) => st === 401)).toHaveLength(LOGIN_PER_ADDRESS);
    expect(statuses.slice(LOGIN_PER_ADDRESS).every((st) => st === 429)).toBe(true);
  });
});

describe("sign-up", () => {
  it("is throttled per address", async () => {
    const ip = testClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await api("POST", "/api/auth/signup", { headers: { "CF-Connecting-IP": ip }, json: { email: uniqueEmail(), password: "long enough" } })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
  });

  it("a closed sign-up is refused before the password is hashed", async () => {
    await signup(); // the deployment has an owner, so the closed rule applies
    const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
    const res = await app.request(
      `${API_ORIGIN}/api/auth/signup`,
      { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": testClientIp() }, body: JSON.stringify({ email: uniqueEmail(), password: "long enough" }) },
      { ...env, SIGNUP_OPEN: "false" },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as ApiErrorJson).error.messageCode).toBe("signup-closed");
    expect(deriveBits).not.toHaveBeenCalled();
  });
});
