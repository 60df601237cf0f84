/**
 * SubscriptionQueue: one Durable Object per subscription. It is the single
 * writer of that subscription's trades and orders, and it runs its signals
 * strictly one at a time, in the order they reach it.
 *
 * Why explicit serialization: a Durable Object's input gate does NOT hold
 * while we `await fetch()` to a broker, so two RPC calls could otherwise
 * interleave mid-trade. `enqueue()` therefore only appends to the SQLite
 * queue and returns; a single drain loop (one promise per instance) takes
 * the head item, finishes it completely, then takes the next.
 *
 * Why an alarm: the drain loop lives in memory. If the object is evicted or
 * crashes mid-trade, the alarm (armed whenever work is pending) starts a new
 * loop, which resumes the interrupted trade from its persisted step.
 *
 * The object owns its constructor, its RPC methods and the drain loop. The
 * rest is parts, each saying when it next needs to wake, with one owner of
 * the alarm (alarm-planner.ts): its settings copy (queue-config.ts), the
 * read-model sync (read-model-sync.ts), resting orders (resting-orders.ts),
 * `?wait=` waiters (trade-waiters.ts) and trade status
 * (trade-status-keeper.ts). Broker clients come from broker-clients.ts. The
 * guardrails (fills ledger, risk state, flatten, reconciliation's view, trade
 * events) are queue-guardrails.ts.
 *
 * Order guarantee: signals run in the order their `enqueue` calls reach this
 * object. Two webhook requests in flight at the same time reach it in either
 * order; a signal whose webhook reply came back before the next was sent
 * always runs first (test/webhook/order.test.ts).
 *
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import { errorMessage } from "../../plugins/sdk";
import type { Env } from "../env";
import { log, newRequestId, withLogContext } from "../lib/log";
import { isTerminalTradeStatus } from "../trading/trade-status";
import type { TradePlan } from "../trading/types";
import { AlarmPlanner, type Wakeable } from "./alarm-planner";
import { BrokerClients, markConnectionExpired } from "./broker-clients";
import type { EnqueueRequest, EnqueueResult, QueuedSignal } from "./envelope";
import { AwaitingApproval, DeferUntil, ResumeLater, runTrade, WaitForOpen } from "./executor";
import { QueueConfig } from "./queue-config";
import { QueueGuardrails } from "./queue-guardrails";
import type { SubscriptionSnapshot } from "./flatten-signals";
import type { LedgerFill } from "./fill-ledger";
import type { SubscriptionView } from "../trading/drift";
import type { FlattenReason } from "../trading/flatten";
import { QueueStore, type OrderRow, type TradeRow, type UnqueuedTrade } from "./queue-store";
import { ReadModelSync } from "./read-model-sync";
import { RestingOrders } from "./resting-orders";
import { TradeStatusKeeper } from "./trade-status-keeper";
import { TradeWaiters } from "./trade-waiters";

/** How soon the alarm checks on queued work (a drain loop that should be running). */
const WATCHDOG_MS = 15_000;
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
  private readonly alarms: AlarmPlanner;
  private readonly config: QueueConfig;
  private readonly clients: BrokerClients;
  private readonly readModel: ReadModelSync;
  private readonly waiters = new TradeWaiters<TradeSnapshot>();
  private readonly tradeStatus: TradeStatusKeeper;
  private readonly resting: RestingOrders;
  private readonly guardrails: QueueGuardrails;
  private draining: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new QueueStore(ctx.storage.sql);
    this.alarms = new AlarmPlanner(ctx.storage);
    this.clients = new BrokerClients(env);
    this.guardrails = new QueueGuardrails(this.store, ctx.storage.sql, env, (signals) => this.enqueue(signals));
    this.readModel = new ReadModelSync(this.store, env.DB, WATCHDOG_MS, (at) => this.alarms.wakeBy(at), (trades) => this.guardrails.tradesCopied(trades));
    this.tradeStatus = new TradeStatusKeeper(this.store, () => this.kick());
    const drainPart: Wakeable = {
      name: "drain loop",
      nextWakeAt: (now) => {
        const delayed = this.store.nextDelayedAt(now);
        const due = this.store.head(now) !== null ? now + WATCHDOG_MS : null;
        return due === null ? delayed : delayed === null ? due : Math.min(due, delayed);
      },
      wake: () => this.kick(),
    };
    this.resting = new RestingOrders(this.store, (connection) => this.clients.for(connection), (tradeId) => this.tradeStatus.refresh(tradeId));
    // The alarm runs them in this order: signals first, then upkeep, then the copy of it all to D1.
    this.alarms.register(drainPart, this.tradeStatus, this.resting, this.waiters, this.readModel);
    this.config = new QueueConfig(this.store, env.DB);
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.guardrails.migrate();
      // A fresh instance after eviction or a crash resumes unfinished work at
      // once: the drain loop, and the copy of rows the last instance left
      // unsynced (a copy in flight, or "copied" marks still held in memory
      // when it died). Then every part's needs are planned, so the alarm
      // remains the guarantee when no request arrives.
      const now = Date.now();
      if (this.store.head(now)) void this.kick();
      if (this.store.unsyncedCount() > 0) void this.readModel.now();
      await this.alarms.replan();
    });
  }

  /**
   * Appends signals (in order) to this subscription's queue, under the
   * settings copy the webhook's stamp names (queue-config.ts). Durable when
   * it returns: the inserts commit together before the reply leaves (output
   * gate). Idempotent per signal id, so the webhook may safely retry.
   * `{ stale: true }`: the webhook's view of the configuration is older than
   * this queue's, and nothing was queued.
   *
   * The webhook leaves the D1 log to us: a signal that runs at once reaches
   * D1 with the sync after its trade (off the order's path); one that waits
   * (delayed, or behind other work) is copied now, so the API shows it queued.
   */
  async enqueue(request: EnqueueRequest | readonly QueuedSignal[]): Promise<EnqueueResult> {
    let configVersion: number | null = null;
    let signals: readonly (EnqueueRequest["signals"][number] | QueuedSignal)[];
    if (Array.isArray(request)) {
      // A webhook of the previous version (during a deployment) sends whole envelopes, settings included.
      signals = request as readonly QueuedSignal[];
    } else {
      const r = request as EnqueueRequest;
      const check = await this.config.check(r.subscriptionId, r.configVersion);
      if (!check.ok) return { stale: true };
      configVersion = check.config.version;
      signals = r.signals;
    }
    const now = Date.now();
    let enqueued = 0;
    let wakeAt = now + WATCHDOG_MS;
    let waits = this.draining !== null;
    for (const envelope of signals) {
      const notBefore = envelope.notBefore ?? null;
      if (!this.store.enqueue(envelope, configVersion, now, notBefore)) continue;
      enqueued++;
      if (notBefore !== null && notBefore > now) {
        waits = true;
        wakeAt = Math.min(wakeAt, notBefore);
      }
    }
    if (enqueued === 0) return { enqueued };
    // The watchdog (or the delay's wake-up) is armed before the reply: if this instance dies
    // before the drain loop gets to the signal, the alarm runs it.
    await this.alarms.wakeBy(wakeAt);
    // Behind a running drain loop, its next (batched) copy carries this signal too.
    if (waits) void this.readModel.soon(this.draining !== null);
    void this.kick();
    return { enqueued };
  }

  /**
   * The subscription's strategy changed (settings, secret, subscriptions,
   * connections): signals stamped older than `version` are refused from now
   * on, and the settings copy is read again on the next signal.
   */
  async configChanged(version: number): Promise<void> {
    this.config.changed(version);
    // Credentials or connection settings may have changed: build clients afresh.
    this.clients.clear();
  }

  /**
   * The webhook could not write the signal's D1 log row; write it with the
   * next sync, together with the trades of subscriptions whose queues could
   * not take the signal (recorded as failed, so they are visible).
   */
  async ensureLogged(signalId: string, unqueued: readonly UnqueuedTrade[] = []): Promise<boolean> {
    const marked = this.store.markLogNeeded(signalId, unqueued);
    if (marked) void this.readModel.now();
    await this.alarms.replan();
    return marked;
  }

  /** Resolves when the signal's trade is terminal, or with its current state after `timeoutMs`. */
  async waitForTrade(signalId: string, timeoutMs: number): Promise<TradeSnapshot | null> {
    const trade = this.store.tradeBySignal(signalId);
    if (!trade) return null;
    if (isTerminalTradeStatus(trade.status)) return this.snapshot(trade);
    return this.waiters.wait(signalId, timeoutMs, () => {
      const t = this.store.tradeBySignal(signalId);
      return t ? this.snapshot(t) : null;
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
    void this.readModel.now();
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
    return { queued: this.store.pendingCount(), unsynced: this.store.unsyncedCount() };
  }

  /**
   * What this subscription's fills imply, for reconciliation: its lots, the
   * orders it follows as working (read back from the broker first, so a fill
   * or cancel that happened there is known), and the tickers in flight.
   */
  async reconcileView(subscriptionId: string): Promise<SubscriptionView> {
    await this.resting.readBack();
    return this.guardrails.view(subscriptionId);
  }

  /** "Adopt the broker's state": this subscription's fills now hold `quantity` of `ticker`, costed at `price`. */
  async adoptPosition(ticker: string, quantity: string, price: string): Promise<LedgerFill | null> {
    return this.guardrails.adopt(ticker, quantity, price);
  }

  /**
   * Closes every position this subscription's own fills hold, at market,
   * through this queue (kill switch, daily limit). Idempotent per `key`.
   */
  async flatten(base: SubscriptionSnapshot, reason: FlattenReason, key: string): Promise<{ tickers: string[] }> {
    return this.guardrails.flatten(base, reason, key);
  }

  /** Runs every part that is due (signals, approvals, resting orders, the D1 copy), then re-arms. Safe to run twice. */
  override async alarm(): Promise<void> {
    // An alarm run is its own unit of work in the logs (no HTTP request started it).
    await withLogContext({ requestId: newRequestId("alarm") }, () => this.alarms.run());
  }

  // ---- the drain loop ----------------------------------------------------

  /** Starts the drain loop unless it is already running; returns the running loop. */
  private kick(): Promise<void> {
    if (!this.draining) {
      // A drain run is its own unit of work in the logs (no HTTP request started it).
      this.draining = withLogContext({ requestId: newRequestId("queue") }, () => this.drain())
        .catch((err: unknown) => {
          // Storage itself failed (the object is being reset): the alarm retries once it is back.
          log.error("queue: drain loop stopped", { error: errorMessage(err) });
        })
        .finally(() => {
          this.draining = null;
          // The loop is a part too: when it stops, the owner plans from every part again (an item left at
          // the head for a retry, rows whose copy is still in flight), since the alarm that started it may be spent.
          this.alarms.replan().catch((err: unknown) => log.error("queue: alarm replan failed", { error: errorMessage(err) }));
        });
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (let item = this.store.head(Date.now()); item; item = this.store.head(Date.now())) {
      try {
        const { connection } = item.envelope;
        await runTrade({
          store: this.store,
          client: () => this.clients.for(connection),
          envelope: item.envelope,
          now: Date.now,
          wakeBy: (at) => void this.alarms.wakeBy(at),
          onAuthExpired: async (error) => {
            this.clients.drop(connection.id);
            await markConnectionExpired(this.env, connection.id, error.message);
          },
          risk: this.guardrails.riskFor(item.envelope),
          lotOf: (ticker) => this.guardrails.lotOf(ticker),
        });
        await this.guardrails.afterTrade(item.envelope, item.tradeId);
      } catch (err) {
        if (err instanceof DeferUntil) {
          // The broker's maintenance window: the item waits (in line) for its end; the alarm wakes it.
          this.store.deferItem(item.seq, err.at);
          this.store.updateTrade(item.tradeId, { messageCode: "broker-maintenance", message: `${err.message} Queued until it ends ("maintenanceWindow": "queue").` }, Date.now());
          void this.readModel.soon(false);
          await this.alarms.wakeBy(err.at);
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
          void this.readModel.soon(false);
          await this.alarms.wakeBy(err.at);
          continue;
        }
        if (err instanceof AwaitingApproval) {
          // The trade waits at the head of the queue; approve()/reject() or its deadline resume the loop.
          const deadline = this.store.trade(item.tradeId)?.approvalDeadline;
          if (deadline) await this.alarms.wakeBy(deadline);
          this.syncThenNotify(item);
          return;
        }
        const attempts = this.store.bumpAttempts(item.seq);
        const reason = errorMessage(err);
        if (err instanceof ResumeLater && attempts < MAX_ATTEMPTS) {
          // Leave the item at the head: order is preserved, and the alarm retries it.
          log.warn("queue: resuming signal later", { subscriptionId: item.envelope.subscription.id, signalId: item.signalId, reason });
          void this.readModel.now();
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

  /**
   * `?wait=` callers hear of a trade once D1 has its copy (or the attempt
   * failed), so the API they query next agrees with the reply.
   */
  private syncThenNotify(item: { tradeId: string; signalId: string }, backlog = false): void {
    void this.readModel.soon(backlog).then(() => {
      if (!this.waiters.has(item.signalId)) return;
      const trade = this.store.trade(item.tradeId);
      if (trade) this.waiters.notify(item.signalId, this.snapshot(trade));
    });
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
