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
import { BrokerError, TERMINAL_ORDER_STATUSES } from "../../plugins/sdk";
import type { Env } from "../env";
import { log, newRequestId, withLogContext } from "../lib/log";
import type { TradePlan } from "../trading/types";
import type { QueuedSignal } from "./envelope";
import { BrokerClients, markConnectionExpired } from "./broker-clients";
import { AwaitingApproval, DeferUntil, isTerminal, refreshedStatus, ResumeLater, runTrade, WaitForOpen } from "./executor";
import { QueueStore, type OrderRow, type TradeRow, type UnqueuedTrade } from "./queue-store";
import { FillLedger, type LedgerFill } from "./fill-ledger";
import type { OrderSide } from "../../plugins/sdk/models";
import type { SubscriptionView } from "../trading/drift";
import { syncReadModel } from "./read-model";
import { flattenEnvelopes, type SubscriptionSnapshot } from "./flatten-signals";
import { lastRiskState, loadRiskInput } from "./risk-state";
import { dailyBreach, effectiveRisk, RISK_LOOKBACK_MS } from "../trading/risk";
import { resolveSettings } from "../trading/settings";
import type { FlattenReason } from "../trading/flatten";
import { emitEventsSafely } from "../notifications/emit";
import type { NotificationEvent } from "../notifications/events";
import { tradeNotification } from "../notifications/trade-events";

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
  /** This subscription's own fills and the lots they leave (fill-ledger.ts). */
  private readonly ledger: FillLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new QueueStore(ctx.storage.sql);
    this.ledger = new FillLedger(ctx.storage.sql);
    // Every fill an order row reports lands in the ledger in the same storage turn as the row.
    this.store.onOrderChange = (before, after, now) => this.recordFill(before, after, now);
    this.clients = new BrokerClients(env);
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.ledger.migrate();
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
    if (isTerminal(trade.status)) return this.snapshot(trade);
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

  /**
   * What this subscription's fills imply, for reconciliation: its lots, the
   * orders it follows as working (read back from the broker first, so a fill
   * or cancel that happened there is known), and the tickers in flight.
   */
  async reconcileView(subscriptionId: string): Promise<SubscriptionView> {
    await this.refreshLiveOrders();
    return {
      subscriptionId,
      positions: this.ledger.lots().map((l) => ({ ticker: l.ticker, quantity: l.quantity })),
      liveOrders: this.store.liveOrders().map((o) => ({ clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, ticker: o.ticker })),
      busyTickers: this.store.inFlightTickers(),
    };
  }

  /**
   * "Adopt the broker's state": this subscription's ledger now holds
   * `quantity` of `ticker` (an adjustment, realizing nothing), costed at the
   * broker's average `price`.
   */
  async adoptPosition(ticker: string, quantity: string, price: string): Promise<LedgerFill | null> {
    return this.ledger.adopt(ticker, quantity, price, Date.now());
  }

  /**
   * Closes every position this subscription's own fills hold, through its
   * queue (behind whatever is running). `key` makes the request idempotent
   * (the kill switch's activation time, a limit's trading day).
   */
  async flatten(base: SubscriptionSnapshot, reason: FlattenReason, key: string): Promise<{ tickers: string[] }> {
    const tickers = this.ledger
      .lots()
      .filter((l) => Number(l.quantity) !== 0)
      .map((l) => l.ticker);
    if (tickers.length > 0) await this.enqueue(await flattenEnvelopes(base, tickers, reason, key, Date.now()));
    return { tickers };
  }

  /**
   * After a trade: a daily limit reached that asks to flatten queues the
   * flatten, once per trading day (its start is the key). Entries are
   * already refused by the decision; this closes what is open. Priced with
   * the trade's signal price for its ticker; other lots count realized only.
   */
  private async flattenOnDailyBreach(envelope: QueuedSignal): Promise<void> {
    const settings = resolveSettings(envelope.subscription.settings);
    const state = lastRiskState(this.ctx.storage.sql);
    const limits = effectiveRisk(settings, state.account);
    if (!limits.dailyLossLimit?.value.flatten && !limits.dailyProfitTarget?.value.flatten) return;
    const now = Date.now();
    const price = envelope.signal.signalPrice ?? envelope.signal.limitPrice ?? null;
    const lots = this.ledger.lots().filter((l) => Number(l.quantity) !== 0);
    const breach = dailyBreach(
      limits,
      { realized: this.ledger.realizedSince(now - RISK_LOOKBACK_MS), lots, mark: (t) => (t === envelope.signal.ticker ? price : null) },
      new Date(now),
    );
    if (!breach?.flatten || lots.length === 0) return;
    const reason: FlattenReason = {
      messageCode: "daily-limit-flatten",
      message: `Flatten (${breach.code}): ${breach.message}`,
    };
    const { userId, strategy, subscription, account, connection } = envelope;
    await this.flatten({ userId, strategy, subscription, account, connection }, reason, `${breach.code}:${breach.dayStart.getTime()}`);
  }

  /** Asks the account's reconciler for a check after a trade; never holds the queue up. */
  private requestReconcile(accountId: string): void {
    this.env.ACCOUNT_RECONCILER.getByName(accountId)
      .requestCheck(accountId, "trade")
      .catch((err: unknown) => log.warn("reconcile request failed", { accountId, error: err instanceof Error ? err.message : String(err) }));
  }

  /**
   * Hands the trades just copied to D1 to the user's channels: filled,
   * rejected (risk blocks included), failed, waiting for approval. Event ids
   * are per trade and status, so a trade copied twice is one event.
   */
  private emitTradeEvents(trades: readonly TradeRow[]): void {
    const byUser = new Map<string, NotificationEvent[]>();
    for (const t of trades) {
      const envelope = this.store.envelopeFor(t.signalId);
      if (!envelope) continue;
      const plan = t.plan ? (JSON.parse(t.plan) as TradePlan) : null;
      const event = tradeNotification({
        id: t.id,
        subscriptionId: envelope.subscription.id,
        status: t.status,
        messageCode: t.messageCode,
        message: t.message,
        ticker: plan?.ticker ?? envelope.signal.ticker,
        updatedAt: t.updatedAt,
        signal: { id: t.signalId, ticker: envelope.signal.ticker, action: envelope.signal.action, strategyId: envelope.strategy.id, receivedAt: envelope.receivedAt },
        orders: this.store.ordersForTrade(t.id),
      });
      if (!event) continue;
      const list = byUser.get(envelope.userId) ?? [];
      list.push(event);
      byUser.set(envelope.userId, list);
    }
    for (const [userId, events] of byUser) void emitEventsSafely(this.env, userId, events);
  }

  /** The order's fill since its last report, into the ledger, priced with its trade's point value. */
  private recordFill(before: OrderRow | null, after: OrderRow, now: number): void {
    if (after.filledQuantity === (before?.filledQuantity ?? "0")) return;
    const trade = this.store.trade(after.tradeId);
    const plan = trade?.plan ? (JSON.parse(trade.plan) as TradePlan) : null;
    this.ledger.recordProgress(
      { clientOrderId: after.clientOrderId, ticker: after.ticker, side: after.side as OrderSide, pointValue: plan?.pointValue ?? "1" },
      before ?? { filledQuantity: "0", avgFillPrice: null },
      after,
      now,
    );
  }

  /** Drains whatever is due, catches the read model up, then re-arms. Safe to run twice. */
  override async alarm(): Promise<void> {
    // This alarm is spent; whatever is still needed is re-armed below.
    this.alarmAt = null;
    await withLogContext({ requestId: newRequestId("alarm") }, async () => {
      await this.kick();
      await this.cancelDueOrders();
      await this.refreshLiveOrders();
      await this.sync();
      await this.scheduleAlarm();
    });
  }

  // ---- the drain loop ----------------------------------------------------

  /** Starts the drain loop unless it is already running; returns the running loop. */
  private kick(): Promise<void> {
    if (!this.draining) {
      // A drain run is its own unit of work in the logs (no HTTP request started it).
      this.draining = withLogContext({ requestId: newRequestId("queue") }, () => this.drain())
        .catch((err: unknown) => {
          // Storage itself failed (the object is being reset): the alarm retries once it is back.
          log.error("queue: drain loop stopped", { error: err instanceof Error ? err.message : String(err) });
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
          risk: () => loadRiskInput(this.env.DB, this.ctx.storage.sql, this.ledger, { userId: item.envelope.userId, accountId: item.envelope.account.id }, Date.now()),
          lotOf: (ticker) => this.ledger.lots().find((l) => l.ticker === ticker)?.quantity ?? "0",
        });
        // The trade is done whatever happens here: a failure to queue the flatten is logged, never the trade's.
        if (!item.envelope.flatten) await this.flattenOnDailyBreach(item.envelope).catch((e: unknown) => log.error("daily-limit flatten not queued", { error: e instanceof Error ? e.message : String(e) }));
        // A trade that sent orders may have moved the account: compare it with the fills soon (debounced).
        if (this.store.ordersForTrade(item.tradeId).length > 0) this.requestReconcile(item.envelope.account.id);
      } catch (err) {
        if (err instanceof DeferUntil) {
          // The broker's maintenance window: the item waits (in line) for its end; the alarm wakes it.
          this.store.deferItem(item.seq, err.at);
          this.store.updateTrade(item.tradeId, { messageCode: "broker-maintenance", message: `${err.message} Queued until it ends ("maintenanceWindow": "queue").` }, Date.now());
          void this.syncSoon(false);
          await this.armAlarmBy(err.at);
          continue;
        }
        if (err instanceof WaitForOpen) {
          // Market closed, `marketHours: "queue"`: wait for the open without holding up other tickers.
          // One waiting trade per ticker: an older one waiting for the same ticker is replaced.
          const now = Date.now();
          for (const older of this.store.waitingForOpen(err.ticker, item.seq)) {
            this.store.markItem(older.seq, "done");
            this.store.updateTrade(
              older.tradeId,
              { status: "cancelled", messageCode: "replaced-by-newer-signal", message: `A newer signal for ${err.ticker} arrived while this one waited for the market to open, and replaced it; nothing was sent.` },
              now,
            );
          }
          this.store.deferItem(item.seq, err.at);
          this.store.updateTrade(item.tradeId, { status: "queued", messageCode: "queued-until-open", message: err.message }, now);
          void this.syncSoon(false);
          await this.armAlarmBy(err.at);
          continue;
        }
        if (err instanceof AwaitingApproval) {
          // The trade waits at the head of the queue; approve()/reject() or its deadline resume the loop.
          this.syncThenNotify(item);
          return;
        }
        const attempts = this.store.bumpAttempts(item.seq);
        const reason = err instanceof Error ? err.message : String(err);
        if (err instanceof ResumeLater && attempts < MAX_ATTEMPTS) {
          // Leave the item at the head: order is preserved, and the alarm retries it.
          log.warn("queue: resuming signal later", { subscriptionId: item.envelope.subscription.id, signalId: item.signalId, reason });
          void this.sync();
          return;
        }
        log.error("queue: signal failed", { subscriptionId: item.envelope.subscription.id, signalId: item.signalId, reason });
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
          log.warn("queue: cancelAfter failed, will retry", { clientOrderId: o.clientOrderId, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
  }

  private refreshTradeStatus(tradeId: string): void {
    const t = this.store.trade(tradeId);
    if (!t) return;
    const next = refreshedStatus(t.status, this.store.ordersForTrade(tradeId), t.plan ? (JSON.parse(t.plan) as TradePlan) : null);
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
        log.warn("queue: order refresh failed", { clientOrderId: o.clientOrderId, error: err instanceof Error ? err.message : String(err) });
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
        const trades = this.store.unsyncedTrades();
        await syncReadModel(this.env.DB, this.store);
        // Told once D1 has the trade, so a channel's link to it resolves.
        if (trades.length > 0) this.emitTradeEvents(trades);
      } catch (err) {
        log.warn("queue: read-model sync failed, will retry", { error: err instanceof Error ? err.message : String(err) });
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
