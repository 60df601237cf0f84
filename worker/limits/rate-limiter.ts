/**
 * Throttling: one `RateLimiter` Durable Object per key (`login-ip:<ip>`,
 * `webhook:<strategyId>`...) holding a token bucket.
 *
 * Why a Durable Object and not the Workers Rate Limiting binding: the binding
 * counts per Cloudflare location and only over fixed 10 s or 60 s periods set
 * in wrangler.toml, while Tradeloop needs a rate each strategy configures, an
 * hourly cap on refused-webhook log rows, and an exact `Retry-After`. One
 * object per key is a single, globally consistent counter, and isolate
 * memory (which a different isolate would not share) is never involved.
 *
 * Cost: one RPC per throttled request. The bucket is written with
 * `allowUnconfirmed`, so the reply does not wait for the write; losing the
 * very last write in a crash only gives back a token. An alarm deletes the
 * object's storage once its bucket is full again, so idle keys (every IP that
 * ever tried to log in) do not accumulate. That clean-up needs no precision,
 * so it is never planned sooner than `CLEANUP_DELAY_MS` ahead: a busy key
 * (a strategy's webhook at 50/s) would otherwise run an alarm after almost
 * every take, each one more invocation than the take itself (the bench
 * measured 2.1 ms of CPU per signal in that alarm).
 *
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** A token bucket: `capacity` requests at once, refilled at `refillPerSecond`. */
export interface RateRule {
  capacity: number;
  refillPerSecond: number;
}

/** The bucket's stored state. */
export interface BucketState {
  tokens: number;
  /** Epoch ms of `tokens`. */
  at: number;
}

/** What a take answers. */
export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** The bucket at `now`: refilled since `state.at`, never above capacity. Pure (virtual clocks in tests). */
export function refill(state: BucketState | null, rule: RateRule, now: number): BucketState {
  if (!state) return { tokens: rule.capacity, at: now };
  const elapsed = Math.max(0, now - state.at) / 1000;
  return { tokens: Math.min(rule.capacity, state.tokens + elapsed * rule.refillPerSecond), at: now };
}

/** Takes `cost` tokens if there are enough. Pure: returns the new state and the answer. */
export function takeFrom(state: BucketState | null, rule: RateRule, now: number, cost = 1): { state: BucketState; result: TakeResult } {
  const current = refill(state, rule, now);
  if (current.tokens >= cost) {
    const next = { tokens: current.tokens - cost, at: now };
    return { state: next, result: { ok: true, remaining: Math.floor(next.tokens) } };
  }
  const waitSeconds = (cost - current.tokens) / rule.refillPerSecond;
  return { state: current, result: { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) } };
}

/** The clean-up alarm is never planned sooner than this ahead. */
export const CLEANUP_DELAY_MS = 60_000;

/**
 * When to look at a bucket again to delete it: once it is full again, but
 * never sooner than `CLEANUP_DELAY_MS` after `now`. Pure (virtual clocks).
 */
export function cleanupAt(state: BucketState, rule: RateRule, now: number): number {
  const fullAt = state.at + ((rule.capacity - state.tokens) / rule.refillPerSecond) * 1000;
  return Math.max(fullAt, now + CLEANUP_DELAY_MS);
}

const BUCKET_KEY = "bucket";
const RULE_KEY = "rule";

/** One token bucket, addressed by name (`env.RATE_LIMITER.getByName(key)`). */
export class RateLimiter extends DurableObject<Env> {
  private bucket: BucketState | null = null;
  private rule: RateRule | null = null;
  private alarmArmed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.bucket = (await ctx.storage.get<BucketState>(BUCKET_KEY)) ?? null;
      this.rule = (await ctx.storage.get<RateRule>(RULE_KEY)) ?? null;
      this.alarmArmed = (await ctx.storage.getAlarm()) !== null;
    });
  }

  /**
   * Takes `cost` tokens under `rule`. Synchronous between reading and writing
   * the bucket (no await), so concurrent takes on one key never both spend
   * the last token.
   */
  async take(rule: RateRule, cost = 1): Promise<TakeResult> {
    const { state, result } = takeFrom(this.bucket, rule, Date.now(), cost);
    this.bucket = state;
    this.rule = rule;
    void this.ctx.storage.put({ [BUCKET_KEY]: state, [RULE_KEY]: rule }, { allowUnconfirmed: true });
    if (!this.alarmArmed) {
      this.alarmArmed = true;
      void this.ctx.storage.setAlarm(cleanupAt(state, rule, Date.now()), { allowUnconfirmed: true });
    }
    return result;
  }

  /** Garbage collection: a full bucket is the same as no bucket, so its storage goes. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    if (this.bucket && this.rule) {
      const current = refill(this.bucket, this.rule, now);
      if (current.tokens < this.rule.capacity) {
        await this.ctx.storage.setAlarm(cleanupAt(current, this.rule, now));
        return;
      }
    }
    this.bucket = null;
    this.rule = null;
    this.alarmArmed = false;
    await this.ctx.storage.deleteAll();
  }
}
