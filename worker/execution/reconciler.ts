/**
 * AccountReconciler: one Durable Object per broker account that compares
 * the broker's positions and open orders with what the account's
 * subscriptions' own fills imply (worker/trading/drift.ts), and keeps the
 * account's drift rows in D1 (their only writer).
 *
 * When: after every trade (the queue asks, debounced so a burst is one
 * check), on a schedule (the cron job worker/jobs/reconcile-accounts.ts),
 * after "adopt the broker's state", and on demand (`POST /api/drift/check`).
 *
 * Why a second look: the broker and the queues are read at slightly
 * different moments, so a fill landing in between looks like drift for an
 * instant. A new finding is `suspected`; a check at least
 * {@link CONFIRM_MS} later that still finds it confirms it (`open`), and
 * only then is the user told (`drift-detected`, on their channels and in
 * `GET /api/events`). A finding that goes away resolves itself.
 *
 * One check at a time per account (a check awaits the broker and the
 * queues, so a second request would otherwise interleave with it).
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { DurableObject } from "cloudflare:workers";
import { and, eq, ne } from "drizzle-orm";
import { NOT_TRADING } from "../connections/lifecycle";
import { clientForConnection } from "../connections/store";
import { getDb } from "../db/client";
import { accounts, connections, drift, events, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { emitEventsSafely } from "../notifications/emit";
import type { NotificationEvent } from "../notifications/events";
import { compareAccount, type Drift } from "../trading/drift";
import { Big, toDecimal } from "../../plugins/sdk/decimal";

/** A finding must still be there this long after it was first seen before the user is told. */
export const CONFIRM_MS = 30_000;
/** A trade asks for a check this long after it (a burst of trades is one check). */
export const AFTER_TRADE_DEBOUNCE_MS = 5_000;

export type CheckReason = "trade" | "schedule" | "adopt" | "request";

/** What an adoption did, or why it could not. */
export type AdoptResult =
  | { ok: true; subscriptionId: string; quantity: string; check: CheckResult }
  | { ok: false; code: "not-found" | "invalid-request"; message: string; field?: string };

/** What one check found. */
export interface CheckResult {
  accountId: string;
  /** False when the account could not be checked (gone, connection expired, broker unreachable). */
  checked: boolean;
  /** Why it could not be checked. */
  reason?: string;
  /** Drift found in this check, with its row's status after it. */
  drifts: (Drift & { id: string; status: "suspected" | "open" })[];
  /** Rows that resolved in this check. */
  resolved: number;
}

export class AccountReconciler extends DurableObject<Env> {
  private running: Promise<CheckResult> | null = null;

  /** Asks for a check soon (`trade`: after a short debounce); returns at once. */
  async requestCheck(accountId: string, reason: CheckReason): Promise<void> {
    await this.ctx.storage.put("accountId", accountId);
    const at = Date.now() + (reason === "trade" ? AFTER_TRADE_DEBOUNCE_MS : 0);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Checks now (waiting for a check already running, then running one). */
  async checkNow(accountId: string): Promise<CheckResult> {
    await this.ctx.storage.put("accountId", accountId);
    if (this.running) await this.running.catch(() => undefined);
    return this.run(accountId);
  }

  /**
   * "Adopt the broker's state" for a position drift: one subscription's
   * fills ledger takes the difference (an adjustment that realizes nothing),
   * so Tradeloop's fills imply what the broker holds. `subscriptionId` names
   * which subscription takes it when several trade the ticker; `price`
   * costs added units when the broker reports no average price. Then checks
   * again; the row resolves as `adopted`.
   */
  async adopt(accountId: string, driftId: string, choice: { subscriptionId?: string; price?: string }): Promise<AdoptResult> {
    await this.ctx.storage.put("accountId", accountId);
    if (this.running) await this.running.catch(() => undefined);
    const db = getDb(this.env.DB);
    const row = await db.select().from(drift).where(and(eq(drift.id, driftId), eq(drift.accountId, accountId))).get();
    if (!row || row.status === "resolved") return { ok: false, code: "not-found", message: "That drift is not open any more (it resolved, or was adopted)." };
    if (row.kind !== "position" || row.brokerQuantity === null) {
      return { ok: false, code: "invalid-request", message: "Only a position drift can be adopted; an order drift clears once the order is cancelled at the broker or reaches its end." };
    }
    const detail = row.detail as { subscriptions?: { subscriptionId: string; quantity: string }[]; traders?: string[]; brokerAvgPrice?: string | null };
    const traders = detail.traders ?? [];
    const target = choice.subscriptionId ?? (traders.length === 1 ? traders[0] : undefined);
    if (!target || !traders.includes(target)) {
      return {
        ok: false,
        code: "invalid-request",
        field: "subscriptionId",
        message: `Several subscriptions trade ${row.ticker} on this account (${traders.join(", ")}): say which one takes the broker's position with "subscriptionId".`,
      };
    }
    const others = (detail.subscriptions ?? []).filter((s) => s.subscriptionId !== target).reduce((sum, s) => sum.plus(s.quantity), new Big(0));
    const quantity = toDecimal(new Big(row.brokerQuantity).minus(others));
    // A price is needed only for units the ledger gains (more, or the other side); fewer keep their average cost.
    const current = new Big(detail.subscriptions?.find((s) => s.subscriptionId === target)?.quantity ?? "0");
    const next = new Big(quantity);
    const gains = !next.eq(0) && (current.eq(0) || next.gt(0) !== current.gt(0) || next.abs().gt(current.abs()));
    const price = detail.brokerAvgPrice ?? choice.price ?? (gains ? null : "0");
    if (price === null) {
      return { ok: false, code: "invalid-request", field: "price", message: `The broker reports no average price for ${row.ticker}: send the "price" to cost the adopted position at.` };
    }
    await this.env.SUBSCRIPTION_QUEUE.getByName(target).adoptPosition(row.ticker, quantity, price);
    const now = Date.now();
    await db.update(drift).set({ status: "resolved", resolvedAt: now, resolution: "adopted", lastSeenAt: now }).where(eq(drift.id, row.id));
    const after = await this.run(accountId);
    return { ok: true, subscriptionId: target, quantity, check: after };
  }

  override async alarm(): Promise<void> {
    const accountId = await this.ctx.storage.get<string>("accountId");
    if (!accountId) return;
    const result = await this.run(accountId);
    // A suspicion is looked at again once it is old enough to confirm.
    if (result.drifts.some((d) => d.status === "suspected")) await this.ctx.storage.setAlarm(Date.now() + CONFIRM_MS);
  }

  private run(accountId: string): Promise<CheckResult> {
    this.running ??= this.check(accountId).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async check(accountId: string): Promise<CheckResult> {
    const db = getDb(this.env.DB);
    const row = await db
      .select({ account: accounts, connection: connections })
      .from(accounts)
      .innerJoin(connections, eq(connections.id, accounts.connectionId))
      .where(eq(accounts.id, accountId))
      .get();
    if (!row) return { accountId, checked: false, reason: "The account no longer exists.", drifts: [], resolved: 0 };
    if (NOT_TRADING.has(row.connection.status)) {
      return { accountId, checked: false, reason: `The "${row.connection.name}" connection is ${row.connection.status}; reconnect it to compare positions.`, drifts: [], resolved: 0 };
    }
    const subs = await db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.accountId, accountId)).all();
    if (subs.length === 0) return { accountId, checked: true, drifts: [], resolved: await this.persist(row.account.userId, accountId, row.connection.id, []) };
    let found: Drift[];
    try {
      const client = await clientForConnection(this.env, row.connection);
      const brokerAccountId = row.account.brokerAccountId;
      // The queues first: each reads its working orders back from the broker before answering.
      const views = await Promise.all(subs.map((s) => this.env.SUBSCRIPTION_QUEUE.getByName(s.id).reconcileView(s.id)));
      const [positions, openOrders] = await Promise.all([client.getPositions(brokerAccountId), client.getOpenOrders(brokerAccountId)]);
      found = compareAccount(
        { positions, openOrders: openOrders.map((o) => ({ brokerOrderId: o.brokerOrderId, clientOrderId: o.clientOrderId, ticker: o.ticker, side: o.side, quantity: o.quantity, type: o.type })) },
        views,
      );
    } catch (err) {
      return { accountId, checked: false, reason: `The broker could not be read (${errorMessage(err)}); the next check tries again.`, drifts: [], resolved: 0 };
    }
    const live = await this.persistFound(row.account.userId, accountId, row.connection.id, found);
    return { accountId, checked: true, drifts: live.drifts, resolved: live.resolved };
  }

  /** Resolves every live row (nothing drifts). */
  private async persist(userId: string, accountId: string, connectionId: string, found: Drift[]): Promise<number> {
    return (await this.persistFound(userId, accountId, connectionId, found)).resolved;
  }

  /**
   * Brings the account's drift rows in line with a check: new findings are
   * suspected, findings seen again after {@link CONFIRM_MS} are confirmed
   * (and told), rows not found any more are resolved.
   */
  private async persistFound(userId: string, accountId: string, connectionId: string, found: Drift[]): Promise<{ drifts: CheckResult["drifts"]; resolved: number }> {
    const db = getDb(this.env.DB);
    const now = Date.now();
    const live = await db.select().from(drift).where(and(eq(drift.accountId, accountId), ne(drift.status, "resolved"))).all();
    const byKey = new Map(live.map((r) => [r.key, r]));
    const statements = [];
    const out: CheckResult["drifts"] = [];
    const confirmed: { id: string; d: Drift }[] = [];
    for (const d of found) {
      const detail = { subscriptions: d.subscriptions, traders: d.traders, brokerAvgPrice: d.brokerAvgPrice, order: d.order };
      const prior = byKey.get(d.key);
      byKey.delete(d.key);
      if (!prior) {
        const id = crypto.randomUUID();
        statements.push(
          db.insert(drift).values({
            id,
            userId,
            accountId,
            key: d.key,
            kind: d.kind,
            ticker: d.ticker,
            brokerQuantity: d.brokerQuantity,
            expectedQuantity: d.expectedQuantity,
            detail,
            message: d.message,
            status: "suspected",
            firstSeenAt: now,
            lastSeenAt: now,
          }),
        );
        out.push({ ...d, id, status: "suspected" });
        continue;
      }
      const confirm = prior.status === "suspected" && now - prior.firstSeenAt >= CONFIRM_MS;
      const status = confirm || prior.status === "open" ? "open" : "suspected";
      statements.push(
        db
          .update(drift)
          .set({ brokerQuantity: d.brokerQuantity, expectedQuantity: d.expectedQuantity, detail, message: d.message, lastSeenAt: now, status, ...(confirm ? { confirmedAt: now } : {}) })
          .where(eq(drift.id, prior.id)),
      );
      if (confirm) confirmed.push({ id: prior.id, d });
      out.push({ ...d, id: prior.id, status });
    }
    for (const gone of byKey.values()) {
      statements.push(db.update(drift).set({ status: "resolved", resolvedAt: now, resolution: "agrees", lastSeenAt: now }).where(eq(drift.id, gone.id)));
    }
    for (const c of confirmed) {
      statements.push(
        db.insert(events).values({
          id: `drift-${c.id}`,
          userId,
          kind: "drift-detected",
          connectionId,
          message: c.d.message,
          data: { driftId: c.id, accountId, key: c.d.key, ticker: c.d.ticker, brokerQuantity: c.d.brokerQuantity, expectedQuantity: c.d.expectedQuantity },
          createdAt: now,
        }),
      );
    }
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
    if (confirmed.length > 0) {
      await emitEventsSafely(this.env, userId, confirmed.map((c) => driftNotification(c.id, accountId, c.d, now)));
    }
    return { drifts: out, resolved: [...byKey.values()].length };
  }
}

/** A confirmed drift as a notification. */
export function driftNotification(id: string, accountId: string, d: Drift, at: number): NotificationEvent {
  return {
    id: `drift-detected:${id}`,
    type: "drift-detected",
    createdAt: new Date(at).toISOString(),
    messageCode: "drift-detected",
    message: d.message,
    signal: null,
    trade: null,
    data: { driftId: id, accountId, kind: d.kind, ticker: d.ticker, brokerQuantity: d.brokerQuantity, expectedQuantity: d.expectedQuantity, subscriptions: d.subscriptions, order: d.order },
  };
}
