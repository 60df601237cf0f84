/**
 * The throttles Tradeloop applies and how a request is charged against them
 * (the counters live in the RateLimiter Durable Object, rate-limiter.ts).
 *
 * | key                       | rule                                  | guards against                  |
 * | ------------------------- | ------------------------------------- | ------------------------------- |
 * | `login-account:<sha256>`  | 10 at once, then 1 per minute         | guessing one account's password |
 * | `login-ip:<ip>`           | 30 at once, then 1 per 10 s           | spraying many accounts from one address |
 * | `signup-ip:<ip>`          | 5 at once, then 1 per 10 minutes      | mass account creation           |
 * | `webhook:<strategyId>`    | the strategy's `webhookRatePerMinute` | a runaway alert loop            |
 * | `webhook-refused:<id>`    | 20 log rows per hour                  | filling a log with refused calls |
 *
 * A request over its limit gets 429 `too-many-requests` with `Retry-After`.
 * If the limiter itself cannot be reached the request goes through (and the
 * failure is logged): a throttle must never stop trading or lock everyone
 * out; the passwords stay peppered and slow to hash either way.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { sha256Hex } from "../auth/encoding";
import type { Env } from "../env";
import { AppError } from "../errors";
import type { RateRule, TakeResult } from "./rate-limiter";
import { log } from "../lib/log";

/** The fixed rules (the webhook's is per strategy: {@link webhookRule}). */
export const RATE_RULES = {
  loginAccount: { capacity: 10, refillPerSecond: 1 / 60 },
  loginIp: { capacity: 30, refillPerSecond: 1 / 10 },
  signupIp: { capacity: 5, refillPerSecond: 1 / 600 },
  webhookRefusedLog: { capacity: 20, refillPerSecond: 20 / 3600 },
} as const satisfies Record<string, RateRule>;

/** A strategy's webhook rule: `perMinute` at once, refilled evenly over the minute. */
export function webhookRule(perMinute: number): RateRule {
  return { capacity: perMinute, refillPerSecond: perMinute / 60 };
}

/** The caller's address as Cloudflare saw it ("unknown" when the header is missing, e.g. local tools). */
export function clientIp(headers: Headers): string {
  return headers.get("cf-connecting-ip")?.trim() || "unknown";
}

/** The limiter key for an account, without the email in it. */
export async function accountKey(prefix: string, email: string): Promise<string> {
  return `${prefix}:${await sha256Hex(email.toLowerCase())}`;
}

/** Charges one request to `key`. Fails open (and logs) when the limiter cannot answer. */
export async function take(env: Env, key: string, rule: RateRule, cost = 1): Promise<TakeResult> {
  try {
    return await env.RATE_LIMITER.getByName(key).take(rule, cost);
  } catch (e) {
    log.error("rate limiter unavailable", { limit: key.split(":")[0], error: errorMessage(e) });
    return { ok: true, remaining: 0 };
  }
}

/** The API's 429: one sentence and the wait. */
export function tooManyRequests(retryAfterSeconds: number, what: string): AppError {
  return new AppError("too-many-requests", `Too many ${what}; wait ${retryAfterSeconds} s and try again.`, { retryAfterSeconds });
}

/** Charges every key; throws 429 with the longest wait when any is exhausted. */
export async function throttle(env: Env, charges: readonly { key: string; rule: RateRule }[], what: string): Promise<void> {
  const results = await Promise.all(charges.map((c) => take(env, c.key, c.rule)));
  const waits = results.flatMap((r) => (r.ok ? [] : [r.retryAfterSeconds]));
  if (waits.length > 0) throw tooManyRequests(Math.max(...waits), what);
}
