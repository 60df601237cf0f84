/**
 * The one D1 round trip of the webhook's hot path: the strategy and every
 * enabled subscription with its account and connection, in a single batch.
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { AssetClass } from "../../plugins/sdk";
import * as schema from "../db/schema";

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
  account: { id: string; brokerAccountId: string };
  connection: { id: string; broker: string; settings: Record<string, unknown> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns null for an unknown (or malformed) strategy id. Throws if D1 is unavailable. */
export async function lookupStrategy(
  d1: D1Database,
  strategyId: string,
): Promise<{ strategy: StrategyForWebhook; targets: SubscriptionTarget[] } | null> {
  if (!UUID.test(strategyId)) return null;
  const db = drizzle(d1, { schema });
  const [strategyRows, targetRows] = await db.batch([
    db
      .select({
        id: schema.strategies.id,
        userId: schema.strategies.userId,
        secretHash: schema.strategies.secretHash,
        assetClass: schema.strategies.assetClass,
        allowedTickers: schema.strategies.allowedTickers,
        settings: schema.strategies.settings,
        enabled: schema.strategies.enabled,
      })
      .from(schema.strategies)
      .where(eq(schema.strategies.id, strategyId))
      .limit(1),
    db
      .select({
        id: schema.subscriptions.id,
        userId: schema.subscriptions.userId,
        settings: schema.subscriptions.settings,
        accountId: schema.accounts.id,
        brokerAccountId: schema.accounts.brokerAccountId,
        connectionId: schema.connections.id,
        broker: schema.connections.broker,
        connectionSettings: schema.connections.settings,
      })
      .from(schema.subscriptions)
      .innerJoin(schema.accounts, eq(schema.accounts.id, schema.subscriptions.accountId))
      .innerJoin(schema.connections, eq(schema.connections.id, schema.subscriptions.connectionId))
      .where(and(eq(schema.subscriptions.strategyId, strategyId), eq(schema.subscriptions.enabled, true))),
  ]);
  const s = strategyRows[0];
  if (!s) return null;
  return {
    strategy: { ...s, assetClass: s.assetClass as AssetClass },
    // Defence in depth: a subscription only ever trades for the strategy's owner.
    targets: targetRows
      .filter((t) => t.userId === s.userId)
      .map((t) => ({
        id: t.id,
        settings: t.settings,
        account: { id: t.accountId, brokerAccountId: t.brokerAccountId },
        connection: { id: t.connectionId, broker: t.broker, settings: t.connectionSettings },
      })),
  };
}
