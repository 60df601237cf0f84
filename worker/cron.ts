/**
 * The Worker's one `scheduled` handler. Cloudflare calls it for each cron
 * expression in wrangler.toml's `[triggers] crons`; it runs the jobs listed
 * for that expression. A job is a small module in worker/jobs/; to add one,
 * add its expression to wrangler.toml and a line here.
 *
 * Jobs run one after another and each failure is logged without stopping
 * the others; a job must be safe to run twice (Cloudflare may retry).
 *
 * @module
 */
import { errorMessage } from "../plugins/sdk";
import type { Env } from "./env";
import { reconcileAccounts } from "./jobs/reconcile-accounts";
import { runSignalRetention } from "./jobs/signal-retention";
import { runVaultRotation } from "./jobs/vault-rotation";
import { log, newRequestId, withLogContext } from "./lib/log";

/** A scheduled job. */
export interface CronJob {
  name: string;
  run(env: Env, scheduledTime: number): Promise<unknown>;
}

/** Cron expression (exactly as in wrangler.toml) → the jobs it runs. */
export const CRON_JOBS: Readonly<Record<string, readonly CronJob[]>> = {
  // Every 30 minutes: finish any vault key rotation (re-wrap, or re-seal after a compromise);
  // ask every traded broker account for a reconciliation (drift) check.
  "*/30 * * * *": [
    { name: "vault-rotation", run: (env) => runVaultRotation(env) },
    { name: "reconcile-accounts", run: (env) => reconcileAccounts(env) },
  ],
  // Daily at 03:17 UTC: signal-log retention (and old sessions and audit events).
  "17 3 * * *": [{ name: "signal-retention", run: (env, at) => runSignalRetention(env, at) }],
};

/** The `scheduled` entry point (exported from worker/index.ts). */
export function scheduled(controller: Pick<ScheduledController, "cron" | "scheduledTime">, env: Env): Promise<void> {
  // One request id per cron run: every line its jobs log carries it (worker/lib/log.ts).
  return withLogContext({ requestId: newRequestId("cron") }, async () => {
    const jobs = CRON_JOBS[controller.cron];
    if (!jobs) {
      log.warn(`cron: no job for "${controller.cron}"; add it to worker/cron.ts or remove it from wrangler.toml`, { cron: controller.cron });
      return;
    }
    for (const job of jobs) {
      try {
        await job.run(env, controller.scheduledTime);
      } catch (e) {
        log.error("cron: job failed", { cron: controller.cron, job: job.name, error: errorMessage(e) });
      }
    }
  });
}
