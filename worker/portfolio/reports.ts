/**
 * Performance per subscription and per account: loads the fills of each
 * scope and runs them through the pure performance module. A paper
 * account's curve starts at its starting cash and counts only fills after
 * its last reset (a reset empties positions without closing fills, so the
 * history before it cannot be replayed into today's positions); other
 * curves are realized P&L from 0.
 *
 * @module
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, connections, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { loadFills } from "./fills";
import { PAPER_BROKER, paperAccount } from "./paper-controls";
import { computePerformance, type Fill, type PerformanceReport } from "./performance";

/** What the performance screen shows for one scope. */
export type PerformanceView = Omit<PerformanceReport, "realizedByPosition" | "openPositions"> & {
  currency: string;
  /** Where the curve starts: a paper account's starting cash, else 0 (P&L only). */
  startingEquity: number;
  /** ISO time of a paper account's last reset (fills before it are not counted), else null. */
  since: string | null;
};

interface PaperStart {
  startingEquity: number;
  since: number | null;
}

/** The starting cash and last reset of every paper account the user has, by account id. */
async function paperStarts(env: Env, db: Db, userId: string): Promise<Map<string, PaperStart>> {
  const [connectionRows, accountRows] = await Promise.all([
    db.select().from(connections).where(eq(connections.userId, userId)).all(),
    db.select().from(accounts).where(eq(accounts.userId, userId)).all(),
  ]);
  const out = new Map<string, PaperStart>();
  await Promise.all(
    connectionRows
      .filter((c) => c.broker === PAPER_BROKER)
      .map(async (c) => {
        // An unreadable ledger still lets the report run, from 0 and over all fills.
        const ledger = await paperAccount(env, c).catch(() => null);
        if (!ledger) return;
        const start = { startingEquity: Number(ledger.starting_cash), since: ledger.reset_at ? Date.parse(ledger.reset_at) : null };
        for (const a of accountRows) if (a.connectionId === c.id) out.set(a.id, start);
      }),
  );
  return out;
}

function view(fills: Fill[], currency: string, start: PaperStart | undefined): PerformanceView {
  const kept = start?.since ? fills.filter((f) => f.at > (start.since ?? 0)) : fills;
  const { realizedByPosition: _r, openPositions: _o, ...report } = computePerformance(kept, start?.startingEquity ?? 0);
  return { ...report, currency, startingEquity: start?.startingEquity ?? 0, since: start?.since ? new Date(start.since).toISOString() : null };
}

/** Performance of every subscription and every account of `userId`. */
export async function performanceReports(env: Env, db: Db, userId: string): Promise<{ subscriptions: Map<string, PerformanceView>; accounts: Map<string, PerformanceView> }> {
  const [subscriptionRows, accountRows, starts, byAccount, bySubscription] = await Promise.all([
    db.select().from(subscriptions).where(eq(subscriptions.userId, userId)).all(),
    db.select().from(accounts).where(eq(accounts.userId, userId)).all(),
    paperStarts(env, db, userId),
    loadFills(db, { userId, bookBy: "account" }),
    loadFills(db, { userId, bookBy: "subscription" }),
  ]);
  const currencyOf = new Map(accountRows.map((a) => [a.id, a.currency]));
  const subs = new Map<string, PerformanceView>();
  for (const s of subscriptionRows) {
    const start = starts.get(s.accountId);
    // A subscription has no cash of its own: its curve is P&L from 0, over the account's fills since reset.
    subs.set(s.id, view(bySubscription.filter((f) => f.book === s.id), currencyOf.get(s.accountId) ?? "USD", start ? { startingEquity: 0, since: start.since } : undefined));
  }
  const accts = new Map<string, PerformanceView>();
  for (const a of accountRows) accts.set(a.id, view(byAccount.filter((f) => f.book === a.id), a.currency, starts.get(a.id)));
  return { subscriptions: subs, accounts: accts };
}

/** Performance of one subscription or account of `userId`; 404 when it is not theirs. */
export async function performanceOf(env: Env, db: Db, userId: string, kind: "subscription" | "account", id: string): Promise<PerformanceView> {
  const all = await performanceReports(env, db, userId);
  const found = (kind === "subscription" ? all.subscriptions : all.accounts).get(id);
  if (!found) throw new AppError("not-found", kind === "subscription" ? "Subscription not found." : "Account not found.", { field: "id" });
  return found;
}
