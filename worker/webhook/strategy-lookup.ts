/**
 * The webhook's view of a strategy: the secret's hash, what the strategy
 * checks, its enabled subscriptions (their queues hold their own settings),
 * and the config version all of it was read at.
 *
 * It comes from an isolate cache when it can, so a warm webhook reads no D1
 * at all. The cache is kept honest by the config version (see
 * worker/execution/queue-config.ts): every change raises it, every queue of
 * the strategy is told, and a queue refuses a signal stamped older than what
 * it knows, upon which the webhook reads D1 again. Refusals are never decided
 * on cached data either (a cached hash that does not match, a cached
 * "disabled"): the webhook reads D1 before answering no. A strategy without
 * subscriptions is never cached, since no queue would catch a subscription
 * added later; its signals are logged in D1 anyway. The time-to-live bounds
 * staleness if a queue could not be told of a change.
 *
 * Raw SQL with explicit column aliases: D1 batches return rows as objects.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk";

export interface StrategyForWebhook {
  id: string;
  userId: string;
  secretHash: string;
  assetClass: AssetClass;
  allowedTickers: string[] | null;
  settings: Record<string, unknown>;
  enabled: boolean;
}

/** What the webhook knows of a strategy. */
export interface StrategyLookup {
  strategy: StrategyForWebhook;
  /** Enabled subscriptions that trade, in creation order. */
  subscriptionIds: string[];
  /**
   * Enabled subscriptions paused by their connection's expiry or disconnect:
   * the webhook logs each signal's trade for them as refused with `code`.
   */
  paused: PausedSubscription[];
  /** The strategy's config version this was read at: the stamp on every signal queued from it. */
  version: number;
  /** Read from D1 for this request (false: from the isolate cache). */
  fresh: boolean;
}

/** A subscription whose trades are refused while its connection cannot trade. */
export interface PausedSubscription {
  id: string;
  code: string;
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StrategyRow {
  id: string;
  user_id: string;
  secret_hash: string;
  asset_class: string;
  allowed_tickers: string | null;
  settings: string;
  enabled: number;
  config_version: number;
}

interface TargetRow {
  sub_id: string;
  sub_user_id: string;
  paused_code: string | null;
  paused_reason: string | null;
}

/** Returns null for an unknown (or malformed) strategy id. Throws if D1 is unavailable. */
export async function readStrategy(d1: D1Database, strategyId: string): Promise<StrategyLookup | null> {
  if (!UUID.test(strategyId)) return null;
  // One batch is one D1 transaction: the strategy, its subscriptions and the version agree.
  const [strategyResult, targetResult] = await d1.batch<StrategyRow | TargetRow>([
    d1
      .prepare(`SELECT id, user_id, secret_hash, asset_class, allowed_tickers, settings, enabled, config_version FROM strategies WHERE id = ? LIMIT 1`)
      .bind(strategyId),
    d1.prepare(`SELECT id AS sub_id, user_id AS sub_user_id, paused_code, paused_reason FROM subscriptions WHERE strategy_id = ? AND enabled = 1 ORDER BY created_at`).bind(strategyId),
  ]);
  const s = strategyResult?.results[0] as StrategyRow | undefined;
  if (!s) return null;
  const targets = (targetResult?.results ?? []) as TargetRow[];
  // Defence in depth: a subscription only ever trades for the strategy's owner.
  const owned = targets.filter((t) => t.sub_user_id === s.user_id);
  return {
    strategy: {
      id: s.id,
      userId: s.user_id,
      secretHash: s.secret_hash,
      assetClass: s.asset_class as AssetClass,
      allowedTickers: s.allowed_tickers ? (JSON.parse(s.allowed_tickers) as string[]) : null,
      settings: JSON.parse(s.settings) as Record<string, unknown>,
      enabled: s.enabled === 1,
    },
    subscriptionIds: owned.filter((t) => t.paused_code === null).map((t) => t.sub_id),
    paused: owned.flatMap((t) => (t.paused_code === null ? [] : [{ id: t.sub_id, code: t.paused_code, reason: t.paused_reason ?? "The subscription is paused." }])),
    version: s.config_version,
    fresh: true,
  };
}

/** A bounded, least-recently-used map with a time-to-live, for this isolate. */
export class StrategyCache {
  private readonly entries = new Map<string, { lookup: StrategyLookup; until: number }>();

  constructor(
    private readonly maxEntries = 1_000,
    /** Bounds how long a copy is used if a queue could not be told of a change. */
    private readonly ttlMs = 60_000,
  ) {}

  get(strategyId: string, now: number): StrategyLookup | undefined {
    const hit = this.entries.get(strategyId);
    if (!hit) return undefined;
    this.entries.delete(strategyId);
    if (hit.until <= now) return undefined;
    this.entries.set(strategyId, hit); // most recently used last
    return { ...hit.lookup, fresh: false };
  }

  set(strategyId: string, lookup: StrategyLookup, now: number): void {
    this.entries.delete(strategyId);
    // Only strategies whose queues can refuse a stale stamp are cached (see the module comment).
    if (lookup.subscriptionIds.length === 0) return;
    this.entries.set(strategyId, { lookup, until: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(strategyId: string): void {
    this.entries.delete(strategyId);
  }
}

/** This isolate's cache. */
const cache = new StrategyCache();

/**
 * The strategy from the isolate cache, or from D1 (then cached). With
 * `fresh`, always from D1. Returns null for an unknown strategy; throws if
 * D1 is unavailable.
 */
export async function lookupStrategy(d1: D1Database, strategyId: string, options: { fresh?: boolean } = {}): Promise<StrategyLookup | null> {
  const now = Date.now();
  if (!options.fresh) {
    const hit = cache.get(strategyId, now);
    if (hit) return hit;
  }
  const read = await readStrategy(d1, strategyId);
  if (read) cache.set(strategyId, read, now);
  else cache.delete(strategyId);
  return read;
}
