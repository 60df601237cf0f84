/**
 * The retry policy every broker call shares: exponential back-off with jitter
 * (between half and all of the ceiling, so bursts spread but never retry at once), honouring the broker's Retry-After, and only for failures that
 * certainly did not reach the broker's book (`retryable`). Anything else is
 * returned to the caller, which decides (reconcile, reject, fail).
 *
 * @module
 */
import { BrokerError } from "../errors";

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** Ceiling of the first back-off; doubles per retry. */
  baseMs: number;
  /** Longest single wait, Retry-After included. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 200, maxMs: 5_000 };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before attempt `n` (1-based retry count). */
export function backoffMs(policy: RetryPolicy, n: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Runs `fn`, retrying `retryable` BrokerErrors per the policy. Never retries
 * `outcome-unknown`: resending something that may have been executed is how
 * orders get doubled; the caller reconciles instead.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, wait: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BrokerError) || err.kind !== "retryable" || attempt >= policy.attempts) throw err;
      await wait(backoffMs(policy, attempt, err.retryAfterMs));
    }
  }
}
