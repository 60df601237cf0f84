/**
 * Cron job: trims the signal log. Signals older than `SIGNAL_RETENTION_DAYS`
 * (default 90; "0" keeps everything) are deleted with their trades and
 * orders, but only once every trade of the signal is finished: a signal
 * whose trade still waits (queued, pending approval, an open order) stays.
 * Also ends the bookkeeping of old sessions (expired or revoked 30+ days
 * ago) and audit events older than a year.
 *
 * D1 has no DELETE ... LIMIT, so each round picks the oldest N signals in a
 * subquery; the three deletes of a round run in one batch (one transaction)
 * and pick the same rows, since deleting a signal's finished trades does not
 * change which signals qualify.
 *
 * @module
 */
import type { Env } from "../env";
import { log } from "../lib/log";

/** Default days of signal log kept. */
export const DEFAULT_SIGNAL_RETENTION_DAYS = 90;
/** Audit events are kept this long. */
export const AUDIT_RETENTION_DAYS = 365;
/** Revoked or expired sessions are kept this long (so the audit trail can name them). */
const SESSION_RECORD_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;
const ROUND = 500;
const MAX_ROUNDS = 10;

/** Trade statuses after which nothing more can happen. */
const FINISHED = ["filled", "rejected", "failed", "cancelled"];

/** The retention in force: a whole number of days, 0 = keep everything. */
export function retentionDays(setting: string | undefined): number {
  if (setting === undefined || setting.trim() === "") return DEFAULT_SIGNAL_RETENTION_DAYS;
  const n = Number(setting);
  return Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_SIGNAL_RETENTION_DAYS;
}

const OLD_SIGNALS = `SELECT id FROM signals s
  WHERE s.received_at < ?1
    AND NOT EXISTS (SELECT 1 FROM trades t WHERE t.signal_id = s.id AND t.status NOT IN (${FINISHED.map((f) => `'${f}'`).join(", ")}))
  ORDER BY s.received_at, s.id LIMIT ${ROUND}`;

/** Runs the job at `now`; answers how many signals it deleted (also logged). */
export async function runSignalRetention(env: Env, now = Date.now()): Promise<{ days: number; signals: number }> {
  const days = retentionDays(env.SIGNAL_RETENTION_DAYS);
  let signals = 0;
  if (days > 0) {
    const cutoff = now - days * DAY_MS;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [, , deleted] = await env.DB.batch([
        env.DB.prepare(`DELETE FROM orders WHERE signal_id IN (${OLD_SIGNALS})`).bind(cutoff),
        env.DB.prepare(`DELETE FROM trades WHERE signal_id IN (${OLD_SIGNALS})`).bind(cutoff),
        env.DB.prepare(`DELETE FROM signals WHERE id IN (${OLD_SIGNALS})`).bind(cutoff),
      ]);
      const n = deleted?.meta.changes ?? 0;
      signals += n;
      if (n < ROUND) break;
    }
  }
  await env.DB.batch([
    env.DB.prepare("DELETE FROM audit_events WHERE at < ?").bind(now - AUDIT_RETENTION_DAYS * DAY_MS),
    env.DB.prepare("DELETE FROM sessions WHERE (revoked_at IS NOT NULL AND revoked_at < ?1) OR expires_at < ?1").bind(now - SESSION_RECORD_DAYS * DAY_MS),
  ]);
  if (signals > 0) log.info("cron: signal log trimmed", { job: "signal-retention", days, signals });
  return { days, signals };
}
