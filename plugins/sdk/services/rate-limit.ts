/**
 * Per-connection rate limiting: a token bucket holding the manifest's
 * `rateLimit.requests` tokens, refilled evenly over `perMs`.
 *
 * Limitation: buckets live in the memory of one Worker isolate. Two isolates
 * serving the same connection each have a full bucket, so the broker may see
 * up to N× the budget under heavy parallel load. Tradeloop serializes orders
 * per subscription and keeps broker calls few, so this is acceptable; an
 * exact limit would need the connection's Durable Object to hand out tokens.
 *
 * @module
 */
import { BrokerError } from "../errors";
import type { RateLimit } from "../manifest";

/** A token bucket. Not thread-safe across isolates (see the module note). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = limit.requests;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    const rate = this.limit.requests / this.limit.perMs;
    this.tokens = Math.min(this.limit.requests, this.tokens + (now - this.last) * rate);
    this.last = now;
  }

  /**
   * Takes one token and returns how long the caller must wait before sending
   * (0 = now). The token is reserved at once, so callers queue fairly.
   */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens * this.limit.perMs) / this.limit.requests);
  }
}

/** Buckets by connection id, for the life of the isolate. */
const buckets = new Map<string, TokenBucket>();

/** The bucket for one connection (created on first use). */
export function bucketFor(connectionId: string, limit: RateLimit): TokenBucket {
  let bucket = buckets.get(connectionId);
  if (!bucket) {
    bucket = new TokenBucket(limit);
    buckets.set(connectionId, bucket);
  }
  return bucket;
}

/**
 * Waits for a token. Refuses, `retryable`, when the wait would exceed
 * `maxWaitMs`: a request queued that long is better retried by the core.
 */
export async function takeToken(bucket: TokenBucket, maxWaitMs: number, wait: (ms: number) => Promise<void>): Promise<void> {
  const delay = bucket.reserve();
  if (delay === 0) return;
  if (delay > maxWaitMs) {
    throw new BrokerError("Tradeloop is holding requests back to stay within the broker's rate limit.", {
      code: "rate-limited",
      kind: "retryable",
      retryAfterMs: delay,
    });
  }
  await wait(delay);
}
