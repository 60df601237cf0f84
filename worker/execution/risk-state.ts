/**
 * The risk state a subscription's queue reads before deciding an entry: the
 * user's kill switch and the account's risk settings (D1), plus the
 * subscription's own fills (its fill ledger), assembled into the pure core's
 * `RiskInput` (worker/trading/risk.ts).
 *
 * Why read D1 at decision time: the kill switch must stop trades that were
 * already queued when it was turned on, so a snapshot taken at arrival would
 * be too old. The read runs beside the broker reads, so it adds no latency.
 *
 * Why a last-known copy: the queue is the truth and keeps trading while D1 is
 * down. If D1 cannot be read, the last state this queue read (kept in its own
 * SQLite) applies, so an active kill switch stays active through an outage.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { RiskSettingsSchema, type RiskSettings } from "../trading/settings";
import type { RiskInput } from "../trading/risk";
import { RISK_LOOKBACK_MS } from "../trading/risk";
import type { FillLedger } from "./fill-ledger";
import { log } from "../lib/log";

/** The D1 half of the risk state. */
export interface StoredRiskState {
  killSwitch: { active: boolean; since: number | null } | null;
  account: RiskSettings | null;
}

const CACHE_KEY = "risk_state";

/** Reads the user's kill switch and the account's risk settings in one D1 batch. Throws if D1 fails. */
export async function readRiskState(d1: D1Database, userId: string, accountId: string): Promise<StoredRiskState> {
  const [ks, acc] = await d1.batch<Record<string, unknown>>([
    d1.prepare(`SELECT active, activated_at FROM kill_switches WHERE user_id = ?`).bind(userId),
    d1.prepare(`SELECT settings FROM account_risk WHERE account_id = ? AND user_id = ?`).bind(accountId, userId),
  ]);
  const k = ks?.results[0];
  const a = acc?.results[0];
  // A row written by an older version that no longer parses is ignored rather than blocking every trade.
  const parsed = a ? RiskSettingsSchema.safeParse(JSON.parse(String(a.settings))) : null;
  return {
    killSwitch: k ? { active: Number(k.active) === 1, since: k.activated_at === null ? null : Number(k.activated_at) } : null,
    account: parsed?.success ? parsed.data : null,
  };
}

/** The last D1 risk state this queue read (none read yet: nothing set). */
export function lastRiskState(sql: SqlStorage): StoredRiskState {
  sql.exec(`CREATE TABLE IF NOT EXISTS risk_state_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const row = sql.exec(`SELECT value FROM risk_state_cache WHERE key = ?`, CACHE_KEY).toArray()[0];
  return row ? (JSON.parse(String(row.value)) as StoredRiskState) : { killSwitch: null, account: null };
}

/**
 * Loads the risk state for one decision: D1 (falling back to the last copy
 * this queue read) plus the ledger's fills and open lots. `mark` is left to
 * the caller (it knows the signal's price).
 */
export async function loadRiskInput(
  d1: D1Database,
  sql: SqlStorage,
  ledger: FillLedger,
  ids: { userId: string; accountId: string },
  now: number,
): Promise<Omit<RiskInput, "mark">> {
  sql.exec(`CREATE TABLE IF NOT EXISTS risk_state_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  let stored: StoredRiskState;
  try {
    stored = await readRiskState(d1, ids.userId, ids.accountId);
    sql.exec(`INSERT OR REPLACE INTO risk_state_cache (key, value) VALUES (?, ?)`, CACHE_KEY, JSON.stringify(stored));
  } catch (err) {
    log.warn("risk state: D1 unreadable; using the last known state", { error: errorMessage(err) });
    stored = lastRiskState(sql);
  }
  return {
    killSwitch: stored.killSwitch,
    account: stored.account,
    realized: ledger.realizedSince(now - RISK_LOOKBACK_MS),
    lots: ledger.lots().filter((l) => Number(l.quantity) !== 0),
  };
}
