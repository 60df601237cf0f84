/**
 * Finding 6: no throttling (25 wrong passwords in a row all answered 401)
 * and sign-up hashed a password before checking whether sign-up was open.
 * Now log-in is throttled per account and per address, sign-up per address,
 * with 429 `too-many-requests` and Retry-After, counted by the RateLimiter
 * Durable Object (running here in workerd), and a closed sign-up is refused
 * before any PBKDF2 work.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { takeFrom } from "../../worker/limits/rate-limiter";
import { RATE_RULES } from "../../worker/limits/throttle";
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
    expect(statuses.slice(0, RATE_RULES.loginAccount.capacity).every((st) => st === 401)).toBe(true);
    expect(statuses.slice(RATE_RULES.loginAccount.capacity).every((st) => st === 429)).toBe(true);
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
    expect(statuses.filter((st) => st === 401)).toHaveLength(RATE_RULES.loginIp.capacity);
    expect(statuses.slice(RATE_RULES.loginIp.capacity).every((st) => st === 429)).toBe(true);
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

describe("the RateLimiter Durable Object", () => {
  it("counts in one place per key, whichever stub asks, and answers how long to wait", async () => {
    const rule = { capacity: 3, refillPerSecond: 1 / 3600 };
    const key = `test:${crypto.randomUUID()}`;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await env.RATE_LIMITER.getByName(key).take(rule));
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, false]);
    expect(answers[3]).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
    expect((answers[3] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(3000);
    // Another key is another bucket.
    expect((await env.RATE_LIMITER.getByName(`${key}:other`).take(rule)).ok).toBe(true);
  });

  it("refills at the rule's rate (virtual clock)", () => {
    const rule = { capacity: 2, refillPerSecond: 1 };
    let state = takeFrom(null, rule, 0).state;
    state = takeFrom(state, rule, 0).state;
    const empty = takeFrom(state, rule, 0);
    expect(empty.result).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(takeFrom(empty.state, rule, 999).result.ok).toBe(false);
    expect(takeFrom(empty.state, rule, 1000).result.ok).toBe(true);
    expect(takeFrom(empty.state, rule, 60_000).state.tokens).toBeLessThanOrEqual(rule.capacity);
  });
});
