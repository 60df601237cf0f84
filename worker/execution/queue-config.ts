/**
 * A SubscriptionQueue's own copy of its subscription's settings, and the
 * version check that keeps the webhook's isolate cache honest.
 *
 * Every change that alters what a strategy's signals do (the strategy, its
 * secret, its subscriptions, their connections) raises the strategy's
 * `config_version` in D1 in the same batch as the change, and then tells each
 * of the strategy's queues (`configChanged`) before the API replies. The
 * webhook stamps each signal with the version it checked it against (from
 * its cache, or from D1). The queue, which is on every accepted signal's
 * path anyway, then decides:
 *
 * - stamped older than the copy it holds, or than a change it was told of:
 *   `stale`, nothing queued; the webhook reads D1 again and starts over.
 *   That is how a rotated secret, a disabled strategy or subscription, or a
 *   deleted one stops being accepted from a warm cache, without the webhook
 *   reading D1 on every signal;
 * - stamped newer than its copy (or it has none): it reads its settings from
 *   D1 once, stores them in its SQLite, and continues;
 * - equal: it queues the signal under its copy. No D1 read on either side.
 *
 * A signal queued under a copy keeps running under it, whatever changes
 * later (the item records the version). If telling a queue of a change fails,
 * the webhook cache's time-to-live bounds how long a stale copy is used.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk";
import type { SubscriptionConfig } from "./envelope";
import type { QueueStore } from "./queue-store";

/** Meta keys in the queue's SQLite. */
const WANTED_KEY = "config_wanted";

interface ConfigRow {
  sub_id: string;
  sub_user_id: string;
  sub_enabled: number;
  sub_settings: string;
  account_id: string;
  broker_account_id: string;
  connection_id: string;
  broker: string;
  connection_settings: string;
  strategy_id: string;
  strategy_user_id: string;
  asset_class: string;
  allowed_tickers: string | null;
  strategy_settings: string;
  strategy_enabled: number;
  config_version: number;
}

/**
 * Reads a subscription's settings from D1: null when the subscription is
 * gone, disabled, or its strategy is (then no signal may be queued for it).
 * Throws if D1 is unavailable.
 */
export async function loadSubscriptionConfig(d1: D1Database, subscriptionId: string): Promise<SubscriptionConfig | null> {
  const r = await d1
    .prepare(
      `SELECT s.id AS sub_id, s.user_id AS sub_user_id, s.enabled AS sub_enabled, s.settings AS sub_settings,
              a.id AS account_id, a.broker_account_id,
              c.id AS connection_id, c.broker, c.settings AS connection_settings,
              st.id AS strategy_id, st.user_id AS strategy_user_id, st.asset_class, st.allowed_tickers,
              st.settings AS strategy_settings, st.enabled AS strategy_enabled, st.config_version
         FROM subscriptions s
         JOIN strategies st ON st.id = s.strategy_id
         JOIN accounts a ON a.id = s.account_id
         JOIN connections c ON c.id = s.connection_id
        WHERE s.id = ?`,
    )
    .bind(subscriptionId)
    .first<ConfigRow>();
  // Defence in depth: a subscription only ever trades for its strategy's owner.
  if (!r || r.sub_enabled !== 1 || r.strategy_enabled !== 1 || r.sub_user_id !== r.strategy_user_id) return null;
  return {
    version: r.config_version,
    userId: r.strategy_user_id,
    strategy: {
      id: r.strategy_id,
      assetClass: r.asset_class as AssetClass,
      allowedTickers: r.allowed_tickers ? (JSON.parse(r.allowed_tickers) as string[]) : null,
      settings: JSON.parse(r.strategy_settings) as Record<string, unknown>,
    },
    subscription: { id: r.sub_id, settings: JSON.parse(r.sub_settings) as Record<string, unknown> },
    account: { id: r.account_id, brokerAccountId: r.broker_account_id },
    connection: { id: r.connection_id, broker: r.broker, settings: JSON.parse(r.connection_settings) as Record<string, unknown> },
  };
}

/** Outcome of the version check for one enqueue. */
export type ConfigCheck = { ok: true; config: SubscriptionConfig } | { ok: false };

/** The queue's settings copy: the newest one held, and the newest version it was told of. */
export class QueueConfig {
  /** Read from storage on first use (the constructor runs before the schema is migrated). */
  private held: { current: SubscriptionConfig | null; wanted: number } | null = null;
  /** Read from D1 and found no usable subscription (deleted, disabled): every signal is refused. */
  private gone = false;
  /** The D1 read in flight; enqueues wait for it, so they keep their arrival order. */
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: QueueStore,
    private readonly d1: D1Database,
  ) {}

  /** The newest copy held, and the newest version announced (the highest a `configChanged` carried). */
  private state(): { current: SubscriptionConfig | null; wanted: number } {
    this.held ??= { current: this.store.latestConfig(), wanted: Number(this.store.meta(WANTED_KEY) ?? 0) };
    return this.held;
  }

  /**
   * Records that the configuration changed to `version` (persisted: an
   * evicted queue must not forget it). The copy is read again on the next
   * signal, not now: a change to a sibling subscription costs nothing until then.
   */
  changed(version: number): void {
    const state = this.state();
    if (version <= state.wanted) return;
    state.wanted = version;
    this.gone = false;
    this.store.setMeta(WANTED_KEY, String(version));
  }

  /**
   * The copy a signal stamped `version` runs under, reading D1 first when
   * this queue's copy is older than the stamp or than an announced change.
   * `{ ok: false }` when the stamp is stale or the subscription may not trade.
   */
  async check(subscriptionId: string, version: number): Promise<ConfigCheck> {
    while (this.loading) await this.loading;
    const state = this.state();
    const held = state.current;
    const behind = held === null || this.gone || held.version < state.wanted || held.version < version;
    if (behind) {
      this.loading = this.load(subscriptionId).finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
    const copy = state.current;
    if (this.gone || copy === null || copy.version !== version) return { ok: false };
    return { ok: true, config: copy };
  }

  private async load(subscriptionId: string): Promise<void> {
    const loaded = await loadSubscriptionConfig(this.d1, subscriptionId);
    if (!loaded) {
      this.gone = true;
      return;
    }
    this.gone = false;
    const state = this.state();
    if (state.current === null || loaded.version >= state.current.version) {
      this.store.saveConfig(loaded, Date.now());
      state.current = loaded;
    }
  }
}
