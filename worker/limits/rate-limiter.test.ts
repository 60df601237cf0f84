/**
 * The RateLimiter Durable Object (one token bucket per key) running in
 * workerd, and the bucket arithmetic on a virtual clock.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { takeFrom } from "./rate-limiter";
import { RATE_RULES } from "./throttle";

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

describe("the documented limits", () => {
  it("match docs/security.md", () => {
    expect(RATE_RULES.loginAccount.capacity).toBe(10);
    expect(RATE_RULES.loginIp.capacity).toBe(30);
    expect(RATE_RULES.signupIp.capacity).toBe(5);
    expect(RATE_RULES.webhookRefusedLog.capacity).toBe(20);
  });
});
