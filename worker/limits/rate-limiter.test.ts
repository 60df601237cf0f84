/**
 * The RateLimiter Durable Object (one token bucket per key) running in
 * workerd, and the bucket arithmetic on a virtual clock.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CLEANUP_DELAY_MS, cleanupAt, takeFrom } from "./rate-limiter";
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

  it("plans its clean-up at most once a minute on a busy key, and never before the bucket is full (virtual clock)", () => {
    // A strategy's webhook at 50/s against 6,000/min: the bucket is one token short 20 ms after each take.
    const busy = { capacity: 6000, refillPerSecond: 100 };
    const afterTake = takeFrom(null, busy, 1_000).state;
    expect(cleanupAt(afterTake, busy, 1_000)).toBe(1_000 + CLEANUP_DELAY_MS);
    // A nearly empty slow bucket is cleaned up only once it is full again (an hour here), never earlier.
    const slow = { capacity: 10, refillPerSecond: 10 / 3600 };
    let state = takeFrom(null, slow, 0).state;
    for (let i = 0; i < 9; i++) state = takeFrom(state, slow, 0).state; // empty: 10 taken at once
    expect(cleanupAt(state, slow, 0)).toBeCloseTo(3_600_000, 0);
    expect(cleanupAt(state, slow, 0)).toBeGreaterThan(CLEANUP_DELAY_MS);
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
