/**
 * Cron job: brings every stored credential under the current vault key
 * (the first key of `VAULT_KEYS`), a few hundred rows per run, so the
 * operator can drop an old key from the secret once the log says nothing is
 * left. `VAULT_ROTATION_MODE=reseal` makes it re-seal under fresh data keys
 * instead of re-wrapping (worker/connections/vault.ts says why).
 *
 * A run where nothing is stale costs one D1 query.
 *
 * @module
 */
import { getDb } from "../db/client";
import type { Env } from "../env";
import { rewrapStaleConnections, rotationMode } from "../connections/rotation";
import { log } from "../lib/log";

/** Rows per batch, and batches per run (D1's free plan allows 50 queries per invocation). */
const BATCH = 100;
const MAX_BATCHES = 5;

/** Runs the job; answers what it did (also logged). */
export async function runVaultRotation(env: Env): Promise<{ mode: string; rotated: number; failed: number; remaining: number }> {
  const mode = rotationMode(env.VAULT_ROTATION_MODE);
  const db = getDb(env.DB);
  let rotated = 0;
  let failed = 0;
  let remaining = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const step = await rewrapStaleConnections(db, env.VAULT_KEYS, BATCH, mode);
    rotated += step.rewrapped;
    failed += step.failed;
    remaining = step.remaining;
    // Stop when done, or when a batch made no progress (rows that cannot be opened stay stale).
    if (remaining === 0 || step.rewrapped === 0) break;
  }
  if (rotated > 0 || failed > 0 || remaining > 0) {
    log.info("cron: vault rotation", { job: "vault-rotation", mode, rotated, failed, remaining });
  }
  return { mode, rotated, failed, remaining };
}
