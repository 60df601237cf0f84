/**
 * The writing side of the config version (see queue-config.ts): every API
 * change that alters what a strategy's signals do raises the strategy's
 * `config_version` in the same D1 batch as the change, then tells each of
 * the strategy's queues before the API replies. From then on a webhook's
 * cached view stamped with an older version is refused by those queues, and
 * the webhook reads D1 again.
 *
 * A queue that cannot be told (unavailable right now) is logged; the webhook
 * cache's time-to-live bounds how long it may accept a stale stamp.
 *
 * @module
 */
import { inArray, sql, type SQL } from "drizzle-orm";
import { errorMessage } from "../../plugins/sdk";
import type { Db } from "../db/client";
import { strategies, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { log } from "../lib/log";

/** A strategy whose configuration changed, at its new version. */
export interface RaisedVersion {
  strategyId: string;
  version: number;
}

/**
 * The statement that raises the config version of the strategies matching
 * `where`, returning each new version. Put it in the same batch as the change.
 */
export function raiseConfigVersion(db: Db, where: SQL | undefined) {
  return db
    .update(strategies)
    .set({ configVersion: sql`${strategies.configVersion} + 1` })
    .where(where)
    .returning({ strategyId: strategies.id, version: strategies.configVersion });
}

/** The strategies that have a subscription on this connection (what a connection change touches). */
export function strategiesUsingConnection(db: Db, connectionId: string): SQL {
  return inArray(strategies.id, db.select({ id: subscriptions.strategyId }).from(subscriptions).where(sql`${subscriptions.connectionId} = ${connectionId}`));
}

/**
 * Tells the queues of these strategies (every subscription, enabled or not)
 * and `alsoTell` (subscriptions just deleted) that the configuration changed.
 * Resolves when every queue was told or given up on; never throws.
 */
export async function announceConfigChange(env: Env, db: Db, raised: readonly RaisedVersion[], alsoTell: readonly { subscriptionId: string; version: number }[] = []): Promise<void> {
  const versions = new Map(raised.map((r) => [r.strategyId, r.version]));
  const subs =
    versions.size === 0
      ? []
      : await db
          .select({ id: subscriptions.id, strategyId: subscriptions.strategyId })
          .from(subscriptions)
          .where(inArray(subscriptions.strategyId, [...versions.keys()]))
          .all()
          .catch((err: unknown) => {
            log.error("config change: could not list the subscriptions to tell", { error: errorMessage(err) });
            return [];
          });
  const tell = new Map<string, number>(alsoTell.map((t) => [t.subscriptionId, t.version]));
  for (const s of subs) tell.set(s.id, Math.max(tell.get(s.id) ?? 0, versions.get(s.strategyId) ?? 0));
  await Promise.all(
    [...tell].map(async ([subscriptionId, version]) => {
      const queue = () => env.SUBSCRIPTION_QUEUE.getByName(subscriptionId);
      try {
        await queue().configChanged(version);
      } catch {
        try {
          await queue().configChanged(version);
        } catch (err) {
          log.error("config change: a queue was not told of the new version", { subscriptionId, version, error: errorMessage(err) });
        }
      }
    }),
  );
}
