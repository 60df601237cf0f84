/**
 * Duplicate deliveries. Alert senders retry (TradingView is documented to
 * deliver late and third parties report retries), and TradersPost treats
 * every POST as new. Tradeloop recognises a repeat two ways:
 *
 * - the same `alertId` on the same strategy within 24 hours;
 * - a byte-identical body within the strategy's `duplicateWindowSeconds`.
 *
 * The check and the insert of the signal's log row are ONE conditional
 * statement, and D1 runs statements one at a time, so two racing copies of
 * the same alert cannot both be accepted. A repeat is still logged (every
 * received signal is), pointing at the original with `duplicate_of`.
 *
 * @module
 */
import type { SignalLogRow } from "../execution/envelope";

/** How long an `alertId` is remembered. */
export const ALERT_ID_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface DedupeRule {
  alertId: string | null;
  /** 0 = off. */
  duplicateWindowMs: number;
}

export function needsDedupe(rule: DedupeRule): boolean {
  return rule.alertId !== null || rule.duplicateWindowMs > 0;
}

/**
 * Inserts the signal's log row unless an earlier accepted original matches.
 * Returns the original's id when this delivery is a duplicate, else null.
 */
export async function insertUnlessDuplicate(d1: D1Database, row: SignalLogRow, rule: DedupeRule): Promise<string | null> {
  // A matching earlier original (never another duplicate row), oldest first.
  const match = `SELECT id FROM signals
      WHERE strategy_id = ?1 AND status = 'accepted' AND duplicate_of IS NULL AND id != ?2 AND (
        (?3 IS NOT NULL AND alert_id = ?3 AND received_at > ?4)
        OR (?5 > 0 AND body_hash = ?6 AND received_at > ?7))
      ORDER BY received_at LIMIT 1`;
  const matchArgs = [
    row.strategyId,
    row.id,
    rule.alertId,
    row.receivedAt - ALERT_ID_WINDOW_MS,
    rule.duplicateWindowMs,
    row.bodyHash,
    row.receivedAt - rule.duplicateWindowMs,
  ];
  const columns = `id, user_id, strategy_id, received_at, status, payload, source_ip, content_type, alert_id, body_hash`;
  const values = [
    row.id,
    row.userId,
    row.strategyId,
    row.receivedAt,
    "accepted",
    JSON.stringify(row.payload),
    row.sourceIp,
    row.contentType,
    row.alertId,
    row.bodyHash,
  ];
  // The match's ?1..?7 follow the row's ?1..?10 and the original's expected trade count (?11).
  const shift = (sqlText: string, by: number) => sqlText.replace(/\?(\d)/g, (_, n: string) => `?${Number(n) + by}`);
  const [, , result] = await d1.batch<{ duplicate_of: string | null }>([
    // 1. the original: only when nothing matches
    d1
      .prepare(
        `INSERT INTO signals (${columns}, expected_trades) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 WHERE NOT EXISTS (${shift(match, 11)})`,
      )
      .bind(...values, row.expectedTrades ?? null, ...matchArgs),
    // 2. otherwise the duplicate's own log row, pointing at the original (it queues nothing: no expected trades)
    d1
      .prepare(
        `INSERT INTO signals (${columns}, message_code, message, duplicate_of)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'duplicate',
                'Same alert as an earlier signal; not executed again.', (${shift(match, 10)})
         WHERE NOT EXISTS (SELECT 1 FROM signals WHERE id = ?1)`,
      )
      .bind(...values, ...matchArgs),
    d1.prepare(`SELECT duplicate_of FROM signals WHERE id = ?`).bind(row.id),
  ]);
  return result?.results[0]?.duplicate_of ?? null;
}
