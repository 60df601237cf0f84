/**
 * SubscriptionQueue: one Durable Object per subscription. It is the single
 * writer of that subscription's trades and orders, and it runs its signals
 * strictly one at a time, in arrival order.
 *
 * Why explicit serialization: a Durable Object's input gate does NOT hold
 * while we `await fetch()` to a broker, so two RPC calls could otherwise
 * interleave mid-trade. `enqueue()` therefore only appends to the SQLite
 * queue and returns; a single drain loop (one promise per instance) takes
 * the head item, finishes it completely, then takes the next.
 *
 * Why an alarm: the drain loop lives in memory. If the object is evicted or
 * crashes mid-trade, the alarm (set whenever work is pending) starts a new
 * loop, which resumes the interrupted trade from its persisted step. The
 * alarm is multiplexed: delayed signals, watchdog, read-model retries and
 * resting-order refreshes all compute one next wake-up time.
 *
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import { BrokerError, errorMessage, TERMINAL_ORDER_STATUSES } from "../../plugins/sdk";
import type { Env } from "../env";
import type { TradePlan } from "../trading/types";
import type { QueuedSignal } from "./envelope";
import { BrokerClients, markConnectionExpired } from "./broker-clients";
import { AwaitingApproval, ResumeLater, runTrade } from "./executor";
import { isTerminalTradeStatus, refreshedTradeStatus } from "../trading/trade-status";
import { QueueStore, type OrderRow, type TradeRow, type UnqueuedTrade } from "./queue-store";
import { syncReadModel } from "./read-model";

/** How often the alarm checks on a drain loop that should be running. */
const WATCHDOG_MS = 15_000;
/** Retry interval for a failed D1 read-model write. */
const SYNC_RETRY_MS = 5_000;
/** Poll interval for resting orders (limits, bracket legs) at the broker. */
const LIVE_ORDER_POLL_MS = 60_000;
/**
 * While a backlog drains, D1 copies are batched: at most one per this
 * interval, so one D1 batch carries many trades instead of one each (the
 * bench profile showed the per-trade sync as the largest CPU item under
 * load). A quiet queue still copies right after each trade.
 */
const BUSY_SYNC_INTERVAL_MS = 100;
/** Resume attempts before an item that keeps failing is given up (and marked failed). */
const MAX_ATTEMPTS = 6;

/** A trade as the webhook's `?wait=` reply and the tests see it. */
export interface TradeSnapshot {
  tradeId: string;
  signalId: string;
  status: TradeRow["status"];
  messageCode: string | null;
  message: string | null;
  /** The decided plan, once decided: what an approver is asked to approve. */
  plan: TradePlan | null;
  /** Epoch ms by which a pending approval must be given. */
  approvalDeadline: number | null;
  orders: Pick<
    OrderRow,
    | "id"
    | "clientOrderId"
    | "brokerOrderId"
    | "ticker"
    | "side"
    | "quantity"
    | "type"
    | "limitPrice"
    | "stopPrice"
    | "status"
    | "filledQuantity"
    | "avgFillPrice"
    | "role"
  >[];
}

export class SubscriptionQueue extends DurableObject<Env> {
  private readonly store: QueueStore;
  private draining: Promise<void> | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private syncPending = false;
  private deferredSync: Promise<void> | null = null;
  /** The armed alarm as last set or read (undefined: not read yet in this instance). */
  private alarmAt: number | null | undefined = undefined;
  private readonly waiters = new Map<string, Set<(t: TradeSnapshot) => void>>();
  private readonly clients: BrokerClients;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new QueueStore(ctx.storage.sql);
    this.clients = new BrokerClients(env);
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      // A fresh instance after eviction or a crash resumes unfinished work at
      // once; the alarm remains the guarantee when no request arrives.
      if (this.store.head(Date.now())) void this.kick();
    });
  }

  /**
   * Appends signals (in order) to this subscription's queue. Durable when it
   * returns: the inserts commit together before the reply leaves (output
   * gate). Idempotent per signal id, so the webhook may safely retry.
   *
   * The webhook leaves the D1 log to us: a signal that runs at once reaches
   * D1 with the sync after its trade (off the order's path); one that waits
   * (delayed, or behind other work) is copied now, so the API shows it queued.
   */
  async enqueue(batch: readonly QueuedSignal[]): Promise<{ enqueued: number }> {
    const now = Date.now();
    let enqueued = 0;
    let wakeAt = now + WATCHDOG_MS;
    let waits = this.draining !== null;
    for (const envelope of batch) {
      const notBefore = envelope.notBefore ?? null;
      if (!this.store.enqueue(envelope, now, notBefore)) continue;
      enqueued++;
      if (notBefore !== null && notBefore > now) {
        waits = true;
        wakeAt = Math.min(wakeAt, notBefore);
      }
    }
    if (enqueued === 0) return { enqueued };
    // The watchdog (or the delay's wake-up) is armed before the reply: if this instance dies
    // before the drain loop gets to the signal, the alarm runs it.
    await this.armAlarmBy(wakeAt);
    // Behind a running drain loop, its next (batched) copy carries this signal too.
    if (waits) void this.syncSoon(this.draining !== null);
    void this.kick();
    return { enqueued };
  }

  /**
   * The webhook could not write the signal's D1 log row; write it with the
   * next sync, together with the trades of subscriptions whose queues could
   * not take the signal (recorded as failed, so they are visible).
   */
  async ensureLogged(signalId: string, unqueued: readonly UnqueuedTrade[] = []): Promise<boolean> {
    const marked = this.store.markLogNeeded(signalId, unqueued);
    if (marked) void this.sync();
    await this.scheduleAlarm();
    return marked;
  }

  /** Resolves when the signal's trade is terminal, or with its current state after `timeoutMs`. */
  async waitForTrade(signalId: string, timeoutMs: number): Promise<TradeSnapshot | null> {
    const trade = this.store.tradeBySignal(signalId);
    if (!trade) return null;
    if (isTerminalTradeStatus(trade.status)) return this.snapshot(trade);
    return new Promise<TradeSnapshot | null>((resolve) => {
      const done = (t: TradeSnapshot | null) => {
        clearTimeout(timer);
        this.waiters.get(signalId)?.delete(onDone);
        resolve(t);
      };
      const onDone = (t: TradeSnapshot) => done(t);
      const timer = setTimeout(() => {
        const t = this.store.tradeBySignal(signalId);
        done(t ? this.snapshot(t) : null);
      }, timeoutMs);
      let set = this.waiters.get(signalId);
      if (!set) this.waiters.set(signalId, (set = new Set()));
      set.add(onDone);
    });
  }

  /**
   * Approves or rejects a trade waiting for manual approval. Returns the
   * trade's state, or null when it is not (or no longer) waiting.
   */
  async decideApproval(tradeId: string, approve: boolean): Promise<TradeSnapshot | null> {
    const trade = this.store.trade(tradeId);
    if (!trade || trade.approval !== "pending" || trade.status !== "pending_approval") return null;
    if (approve) {
      this.store.updateTrade(tradeId, { approval: "approved", status: "executing" }, Date.now());
    } else {
      this.store.updateTrade(
        tradeId,
        { approval: "approved", status: "rejected", messageCode: "approval-rejected", message: "The trade was rejected by its approver; nothing was sent." },
        Date.now(),
      );
    }
    void this.sync();
    // The drain loop picks the trade up (approved) or passes over it (rejected: terminal).
    await this.kick();
    const after = this.store.trade(tradeId);
    return after ? this.snapshot(after) : null;
  }

  /** A trade by its id (approvals). */
  async getTradeById(tradeId: string): Promise<TradeSnapshot | null> {
    const t = this.store.trade(tradeId);
    return t ? this.snapshot(t) : null;
  }

  /** The current state of a signal's trade (tests, diagnostics). */
  async getTrade(signalId: string): Promise<TradeSnapshot | null> {
    const t = this.store.tradeBySignal(signalId);
    return t ? this.snapshot(t) : null;
  }

  /** Work still outstanding: queued items and rows not yet copied to D1. */
  async pendingWork(): Promise<{ queued: number; unsynced: number }> {
    return {
      queued: this.store.pendingCount(),
      unsynced: this.store.unsyncedTrades().length + this.store.unsyncedOrders().length + this.store.signalsNeedingLog().length,
    };
  }

  /** Drains whatever is due, catches the read model up, then re-arms. Safe to run twice. */
  override async alarm(): Promise<void> {
    // This alarm is spent; whatever is still needed is re-armed below.
    this.alarmAt = null;
    await this.kick();
    await this.cancelDueOrders();
    await this.refreshLiveOrders();
    await this.sync();
    await this.scheduleAlarm();
  }

  // ---- the drain loop ----------------------------------------------------

  /** Starts the drain loop unless it is already running; returns the running loop. */
  private kick(): Promise<void> {
    if (!this.draining) {
      this.draining = this.drain()
        .catch((err: unknown) => {
          // Storage itself failed (the object is being reset): the alarm retries once it is back.
          console.error(`drain loop stopped: ${errorMessage(err)}`);
        })
        .finally(() => {
          this.draining = null;
          // Re-arm for whatever is left (delayed items, unsynced rows, resting orders) or clear the watchdog.
          this.scheduleAlarm().catch(() => undefined);
        });
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (let item = this.store.head(Date.now()); item; item = this.store.head(Date.now())) {
      this.store.markItem(item.seq, "executing");
      try {
        const { connection } = item.envelope;
        await runTrade({
          store: this.store,
          client: () => this.clients.for(connection),
          envelope: item.envelope,
          now: Date.now,
          onAuthExpired: async (error) => {
            this.clients.drop(connection.id);
            await markConnectionExpired(this.env, connection.id, error.message);
          },
        });
      } catch (err) {
        if (err instanceof AwaitingApproval) {
          // The trade waits at the head of the queue; approve()/reject() or its deadline resume the loop.
          this.syncThenNotify(item);
          return;
        }
        const attempts = this.store.bumpAttempts(item.seq);
        const reason = errorMessage(err);
        if (err instanceof ResumeLater && attempts < MAX_ATTEMPTS) {
          // Leave the item at the head: order is preserved, and the alarm retries it.
          console.warn(`subscription ${item.envelope.subscription.id}: resuming signal ${item.signalId} later: ${reason}`);
          void this.sync();
          return;
        }
        console.error(`subscription ${item.envelope.subscription.id}: signal ${item.signalId} failed: ${reason}`);
        this.store.updateTrade(
          item.tradeId,
          {
            status: "failed",
            messageCode: err instanceof ResumeLater ? "order-outcome-unknown" : "internal-error",
            message:
              err instanceof ResumeLater
                ? "Tradeloop could not confirm with the broker whether this order was placed. Check the broker account before sending it again."
                : "Tradeloop hit an unexpected error while executing this trade; nothing further was sent.",
          },
          Date.now(),
        );
      }
      this.store.markItem(item.seq, "done");
      // Copy to D1 without holding up the next signal: D1 is the read model, not the truth.
      this.syncThenNotify(item, this.store.head(Date.now()) !== null);
    }
  }

  /** `cancelAfter`: cancels orders still working when their time is up. Idempotent (alarms may run twice). */
  private async cancelDueOrders(): Promise<void> {
    for (const o of this.store.ordersDueForCancel(Date.now())) {
      const envelope = this.store.envelopeFor(o.signalId);
      if (!envelope || !o.brokerOrderId) continue;
      try {
        const client = await this.clients.for(envelope.connection);
        await client.cancelOrder(envelope.account.brokerAccountId, { brokerOrderId: o.brokerOrderId });
        this.store.setCancelAt(o.clientOrderId, null);
        const found = await client.getOrder(envelope.account.brokerAccountId, { brokerOrderId: o.brokerOrderId });
        if (found) {
          this.store.updateOrder(o.clientOrderId, { status: found.status, filledQuantity: found.filledQuantity, avgFillPrice: found.avgFillPrice }, Date.now());
        }
        this.refreshTradeStatus(o.tradeId);
      } catch (err) {
        if (err instanceof BrokerError && (err.code === "order-not-found" || err.code === "order-not-cancelable")) {
          this.store.setCancelAt(o.clientOrderId, null); // it filled or went away first
        } else {
          console.warn(`cancelAfter of ${o.clientOrderId} failed, will retry: ${errorMessage(err)}`);
        }
      }
    }
  }

  private refreshTradeStatus(tradeId: string): void {
    const t = this.store.trade(tradeId);
    if (!t) return;
    const next = refreshedTradeStatus(t.status, this.store.ordersForTrade(tradeId), t.plan ? (JSON.parse(t.plan) as TradePlan) : null);
    if (next !== t.status) this.store.updateTrade(tradeId, { status: next }, Date.now());
  }

  /** Polls resting orders so fills that happen later become visible. */
  private async refreshLiveOrders(): Promise<void> {
    const live = this.store.liveOrders();
    const touched = new Set<string>();
    for (const o of live.slice(0, 50)) {
      const envelope = this.store.envelopeFor(o.signalId);
      if (!envelope) continue;
      try {
        const client = await this.clients.for(envelope.connection);
        const found = await client.getOrder(envelope.account.brokerAccountId, o.brokerOrderId ? { brokerOrderId: o.brokerOrderId } : { clientOrderId: o.clientOrderId });
        if (!found) continue;
        this.store.updateOrder(
          o.clientOrderId,
          { status: found.status, filledQuantity: found.filledQuantity, avgFillPrice: found.avgFillPrice },
          Date.now(),
        );
        if (TERMINAL_ORDER_STATUSES.has(found.status)) touched.add(o.tradeId);
      } catch (err) {
        console.warn(`refresh of order ${o.clientOrderId} failed: ${errorMessage(err)}`);
      }
    }
    for (const tradeId of touched) this.refreshTradeStatus(tradeId);
  }

  // ---- read model and alarm ----------------------------------------------

  /** Serialized D1 sync: each run starts after the previous one, so D1 never goes back in time. */
  private sync(): Promise<void> {
    // Coalesce: while a sync is waiting to start, later requests ride on it (it reads the rows
    // when it starts, so it carries their changes too). Under load this turns one D1 batch per
    // trade into one per burst.
    if (this.syncPending) return this.syncing;
    this.syncPending = true;
    this.syncing = this.syncing.then(async () => {
      this.syncPending = false;
      try {
        await syncReadModel(this.env.DB, this.store);
      } catch (err) {
        console.warn(`read-model sync failed, will retry: ${errorMessage(err)}`);
        await this.scheduleAlarm();
      }
    });
    return this.syncing;
  }

  /** A D1 copy now, or within BUSY_SYNC_INTERVAL_MS while a backlog is draining (one batch for many trades). */
  private syncSoon(backlog: boolean): Promise<void> {
    if (!backlog) return this.sync();
    // An instance that dies before the timer fires leaves the rows unsynced; the alarm's sync retry covers them.
    this.deferredSync ??= new Promise<void>((resolve) => setTimeout(resolve, BUSY_SYNC_INTERVAL_MS)).then(() => {
      this.deferredSync = null;
      return this.sync();
    });
    return this.deferredSync;
  }

  /**
   * `?wait=` callers hear of a trade once D1 has its copy (or the attempt
   * failed), so the API they query next agrees with the reply.
   */
  private syncThenNotify(item: { tradeId: string; signalId: string }, backlog = false): void {
    void this.syncSoon(backlog).then(() => {
      if (!this.waiters.get(item.signalId)?.size) return;
      const trade = this.store.trade(item.tradeId);
      if (trade) this.notify(trade);
    });
  }

  /**
   * Makes sure the alarm fires no later than `at`. The alarm time is cached,
   * so the common case (already armed earlier) costs no storage call.
   */
  private async armAlarmBy(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    const current = this.alarmAt;
    if (current !== null && current <= at && current >= Date.now()) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const due = this.store.alarmInputs(now);
    const candidates: number[] = [];
    if (due.due) candidates.push(now + WATCHDOG_MS);
    if (due.nextDelayedAt !== null) candidates.push(due.nextDelayedAt);
    if (due.nextApprovalDeadline !== null) candidates.push(due.nextApprovalDeadline);
    if (due.nextCancelAt !== null) candidates.push(due.nextCancelAt);
    if (due.unsynced) candidates.push(now + SYNC_RETRY_MS);
    if (due.liveOrders) candidates.push(now + LIVE_ORDER_POLL_MS);
    if (candidates.length === 0) {
      this.alarmAt = null;
      await this.ctx.storage.deleteAlarm();
      return;
    }
    // Only move the alarm earlier (or set it): a later candidate must not postpone an earlier need.
    await this.armAlarmBy(Math.min(...candidates));
  }

  private notify(trade: TradeRow): void {
    const set = this.waiters.get(trade.signalId);
    if (!set || set.size === 0) return;
    const snap = this.snapshot(trade);
    for (const fn of [...set]) fn(snap);
  }

  private snapshot(t: TradeRow): TradeSnapshot {
    return {
      tradeId: t.id,
      signalId: t.signalId,
      status: t.status,
      messageCode: t.messageCode,
      message: t.message,
      plan: t.plan ? (JSON.parse(t.plan) as TradePlan) : null,
      approvalDeadline: t.approval === "pending" ? t.approvalDeadline : null,
      orders: this.store.ordersForTrade(t.id).map((o) => ({
        id: o.id,
        clientOrderId: o.clientOrderId,
        brokerOrderId: o.brokerOrderId,
        ticker: o.ticker,
        side: o.side,
        quantity: o.quantity,
        type: o.type,
        limitPrice: o.limitPrice,
        stopPrice: o.stopPrice,
        status: o.status,
        filledQuantity: o.filledQuantity,
        avgFillPrice: o.avgFillPrice,
        role: o.role,
      })),
    };
  }
}
