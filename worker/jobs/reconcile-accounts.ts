/**
 * Scheduled reconciliation: asks every broker account that a subscription
 * trades for a check (worker/execution/reconciler.ts), so drift from a
 * trade outside Tradeloop, a missed fill or an assignment shows even when
 * no signal arrives. Each account's reconciler runs its own check off this
 * job's path; this job only rings them.
 *
 * @module
 */
import type { Env } from "../env";
import { log } from "../lib/log";

/** Requests a check of every account with an enabled subscription. Returns how many were asked. */
export async function reconcileAccounts(env: Pick<Env, "DB" | "ACCOUNT_RECONCILER">): Promise<{ accounts: number; failed: number }> {
  const rows = await env.DB.prepare(`SELECT DISTINCT account_id FROM subscriptions WHERE enabled = 1`).all<{ account_id: string }>();
  const ids = rows.results.map((r) => r.account_id);
  const results = await Promise.allSettled(ids.map((id) => env.ACCOUNT_RECONCILER.getByName(id).requestCheck(id, "schedule")));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (failed > 0) log.error("reconcile job: accounts could not be asked", { failed, of: ids.length });
  return { accounts: ids.length, failed };
}
