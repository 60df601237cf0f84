/**
 * Per-user caps: how many strategies and connections one account may have,
 * and how many subscriptions one strategy may fan out to. They bound what a
 * single (possibly compromised) account can make the Worker do per signal
 * and how much it can store. The operator changes them with vars
 * (`MAX_STRATEGIES_PER_USER`, `MAX_CONNECTIONS_PER_USER`,
 * `MAX_SUBSCRIPTIONS_PER_STRATEGY`).
 *
 * Counted before the insert, so two creations racing at the cap can pass it
 * by one; a cap is a bound on abuse, not an invariant anything relies on.
 *
 * @module
 */
import type { Env } from "../env";
import { AppError } from "../errors";

/** The defaults when the operator sets nothing. */
export const CAP_DEFAULTS = { strategies: 100, connections: 25, subscriptionsPerStrategy: 25 } as const;

type CapName = keyof typeof CAP_DEFAULTS;

const VARS: Record<CapName, keyof Env> = {
  strategies: "MAX_STRATEGIES_PER_USER",
  connections: "MAX_CONNECTIONS_PER_USER",
  subscriptionsPerStrategy: "MAX_SUBSCRIPTIONS_PER_STRATEGY",
};

/** A cap in force: the operator's var when it is a positive integer, else the default. */
export function capOf(env: Env, name: CapName): number {
  const raw = env[VARS[name]];
  const n = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : CAP_DEFAULTS[name];
}

const COUNTS: Record<CapName, { sql: string; what: string }> = {
  strategies: { sql: "SELECT count(*) AS n FROM strategies WHERE user_id = ?", what: "strategies" },
  connections: { sql: "SELECT count(*) AS n FROM connections WHERE user_id = ?", what: "broker connections" },
  subscriptionsPerStrategy: { sql: "SELECT count(*) AS n FROM subscriptions WHERE strategy_id = ?", what: "subscriptions on this strategy" },
};

/** Throws 409 `limit-reached` when creating one more would pass the cap. `scopeId` is the user id, or the strategy id for subscriptions. */
export async function assertUnderCap(env: Env, name: CapName, scopeId: string): Promise<void> {
  const cap = capOf(env, name);
  const row = await env.DB.prepare(COUNTS[name].sql).bind(scopeId).first<{ n: number }>();
  if ((row?.n ?? 0) >= cap) {
    throw new AppError(
      "limit-reached",
      `You have ${row?.n ?? 0} ${COUNTS[name].what}, the most this Tradeloop allows (${String(VARS[name])}=${cap}); delete one first or ask the operator to raise it.`,
    );
  }
}
