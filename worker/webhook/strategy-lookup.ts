/**
 * The one D1 round trip of the webhook's hot path: the strategy and every
 * enabled subscription with its account and connection, in a single batch.
 *
 * Raw SQL with explicit column aliases: D1 batches return rows as objects, so
 * joined tables' same-named columns (`id`, `settings`) must not collide.
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

export interface SubscriptionTarget {
  id: string;
  settings: Record<string, unknown>;
  /** Set while the connection's expiry or disconnect pauses the subscription: its trades are refused with `code`. */
  paused: { code: string; reason: string } | null;
  account: { id: string; brokerAccountId: string };
  connection: { id: string; broker: string; settings: Record<string, unknown> };
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
}

interface TargetRow {
  sub_id: string;
  sub_user_id: string;
  sub_settings: string;
  paused_code: string | null;
  paused_reason: string | null;
  account_id: string;
  broker_account_id: string;
  connection_id: string;
  broker: string;
  connection_settings: string;
}

/** Returns null for an unknown (or malformed) strategy id. Throws if D1 is unavailable. */
export async function lookupStrategy(
  d1: D1Database,
  strategyId: string,
): Promise<{ strategy: StrategyForWebhook; targets: SubscriptionTarget[] } | null> {
  if (!UUID.test(strategyId)) return null;
  const [strategyResult, targetResult] = await d1.batch<StrategyRow | TargetRow>([
    d1
      .prepare(
        `SELECT id, user_id, secret_hash, asset_class, allowed_tickers, settings, enabled FROM strategies WHERE id = ? LIMIT 1`,
      )
      .bind(strategyId),
    d1
      .prepare(
        `SELECT s.id AS sub_id, s.user_id AS sub_user_id, s.settings AS sub_settings, s.paused_code, s.paused_reason,
                a.id AS account_id, a.broker_account_id,
                c.id AS connection_id, c.broker, c.settings AS connection_settings
           FROM subscriptions s
           JOIN accounts a ON a.id = s.account_id
           JOIN connections c ON c.id = s.connection_id
          WHERE s.strategy_id = ? AND s.enabled = 1
          ORDER BY s.created_at`,
      )
      .bind(strategyId),
  ]);
  const s = strategyResult?.results[0] as StrategyRow | undefined;
  if (!s) return null;
  const targets = (targetResult?.results ?? []) as TargetRow[];
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
    // Defence in depth: a subscription only ever trades for the strategy's owner.
    targets: targets
      .filter((t) => t.sub_user_id === s.user_id)
      .map((t) => ({
        id: t.sub_id,
        settings: JSON.parse(t.sub_settings) as Record<string, unknown>,
        paused: t.paused_code ? { code: t.paused_code, reason: t.paused_reason ?? "The subscription is paused." } : null,
        account: { id: t.account_id, brokerAccountId: t.broker_account_id },
        connection: { id: t.connection_id, broker: t.broker, settings: JSON.parse(t.connection_settings) as Record<string, unknown> },
      })),
  };
}
