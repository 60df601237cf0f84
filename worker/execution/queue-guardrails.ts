/**
 * The guardrails of one SubscriptionQueue, as a part of it: the
 * subscription's own fills (fill-ledger.ts), the risk state its entries are
 * decided under (risk-state.ts), flattening (kill switch, daily limits),
 * reconciliation's view of the subscription, and the trade events its
 * channels hear of.
 *
 * Why in the queue: the queue is the single writer of its trades and orders,
 * so every fill it learns of is recorded here in the same synchronous
 * storage turn as the order row (nothing lost on eviction, nothing counted
 * twice), and a flatten is just more signals in its own line, behind what
 * it is already running.
 *
 * @module
 */
import type { Decimal } from "../../plugins/sdk/decimal";
import { errorMessage } from "../../plugins/sdk";
import type { OrderSide } from "../../plugins/sdk/models";
import type { Env } from "../env";
import { log } from "../lib/log";
import { emitEventsSafely } from "../notifications/emit";
import type { NotificationEvent } from "../notifications/events";
import { tradeNotification } from "../notifications/trade-events";
import type { SubscriptionView } from "../trading/drift";
import type { FlattenReason } from "../trading/flatten";
import { dailyBreach, effectiveRisk, RISK_LOOKBACK_MS, type RiskInput } from "../trading/risk";
import { resolveSettings } from "../trading/settings";
import type { TradePlan } from "../trading/types";
import type { QueuedSignal } from "./envelope";
import { FillLedger, type LedgerFill } from "./fill-ledger";
import { flattenEnvelopes, type SubscriptionSnapshot } from "./flatten-signals";
import type { OrderRow, QueueStore, TradeRow } from "./queue-store";
import { lastRiskState, loadRiskInput } from "./risk-state";

/** The guardrails part of one SubscriptionQueue (see the module comment). */
export class QueueGuardrails {
  /** This subscription's own fills and the lots they leave. */
  readonly ledger: FillLedger;

  constructor(
    private readonly store: QueueStore,
    private readonly sql: SqlStorage,
    private readonly env: Pick<Env, "DB" | "NOTIFIER" | "ACCOUNT_RECONCILER">,
    /** Appends whole envelopes to the queue (a flatten's exits). */
    private readonly enqueue: (signals: readonly QueuedSignal[]) => Promise<unknown>,
  ) {
    this.ledger = new FillLedger(sql);
    // Every fill an order row reports lands in the ledger in the same storage turn as the row.
    store.onOrderChange = (before, after, now) => this.recordFill(before, after, now);
  }

  /** Idempotent schema setup; run with the queue's own, under blockConcurrencyWhile. */
  migrate(): void {
    this.ledger.migrate();
  }

  /** The risk state an entry of `envelope` is decided under (D1 beside the broker, plus the ledger). */
  riskFor(envelope: QueuedSignal): () => Promise<Omit<RiskInput, "mark">> {
    return () => loadRiskInput(this.env.DB, this.sql, this.ledger, { userId: envelope.userId, accountId: envelope.account.id }, Date.now());
  }

  /** This subscription's own position in a ticker by its fills. */
  lotOf(ticker: string): Decimal {
    return this.ledger.lots().find((l) => l.ticker === ticker)?.quantity ?? "0";
  }

  /**
   * After a trade ran: a daily limit that asks to flatten queues the flatten
   * (once per trading day), and a trade that sent orders asks the account's
   * reconciler for a check. Never fails the finished trade.
   */
  async afterTrade(envelope: QueuedSignal, tradeId: string): Promise<void> {
    if (!envelope.flatten) {
      await this.flattenOnDailyBreach(envelope).catch((e: unknown) => log.error("daily-limit flatten not queued", { error: errorMessage(e) }));
    }
    if (this.store.ordersForTrade(tradeId).length > 0) this.requestReconcile(envelope.account.id);
  }

  /**
   * Closes every position this subscription's own fills hold, through its
   * queue (behind whatever is running). `key` makes the request idempotent
   * (the kill switch's activation time, a limit's trading day).
   */
  async flatten(base: SubscriptionSnapshot, reason: FlattenReason, key: string): Promise<{ tickers: string[] }> {
    const tickers = this.openLots().map((l) => l.ticker);
    if (tickers.length > 0) await this.enqueue(await flattenEnvelopes(base, tickers, reason, key, Date.now()));
    return { tickers };
  }

  /** What this subscription's fills imply, for reconciliation (read its working orders back first). */
  view(subscriptionId: string): SubscriptionView {
    return {
      subscriptionId,
      positions: this.ledger.lots().map((l) => ({ ticker: l.ticker, quantity: l.quantity })),
      liveOrders: this.store.liveOrders().map((o) => ({ clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, ticker: o.ticker })),
      busyTickers: this.store.inFlightTickers(),
    };
  }

  /** "Adopt the broker's state": the ledger holds `quantity` of `ticker` (an adjustment, realizing nothing). */
  adopt(ticker: string, quantity: Decimal, price: Decimal): LedgerFill | null {
    return this.ledger.adopt(ticker, quantity, price, Date.now());
  }

  /**
   * Hands trades just copied to D1 to the user's channels: filled, rejected
   * (risk blocks included), failed, waiting for approval. Event ids are per
   * trade and status, so a trade copied twice is one event.
   */
  tradesCopied(trades: readonly TradeRow[]): void {
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

  private openLots() {
    return this.ledger.lots().filter((l) => Number(l.quantity) !== 0);
  }

  /**
   * A daily limit reached that asks to flatten queues the flatten, once per
   * trading day (its start is the key). Entries are already refused by the
   * decision; this closes what is open. Priced with the trade's signal price
   * for its ticker; other lots count realized only.
   */
  private async flattenOnDailyBreach(envelope: QueuedSignal): Promise<void> {
    const limits = effectiveRisk(resolveSettings(envelope.subscription.settings), lastRiskState(this.sql).account);
    if (!limits.dailyLossLimit?.value.flatten && !limits.dailyProfitTarget?.value.flatten) return;
    const now = Date.now();
    const price = envelope.signal.signalPrice ?? envelope.signal.limitPrice ?? null;
    const lots = this.openLots();
    const breach = dailyBreach(
      limits,
      { realized: this.ledger.realizedSince(now - RISK_LOOKBACK_MS), lots, mark: (t) => (t === envelope.signal.ticker ? price : null) },
      new Date(now),
    );
    if (!breach?.flatten || lots.length === 0) return;
    const reason: FlattenReason = { messageCode: "daily-limit-flatten", message: `Flatten (${breach.code}): ${breach.message}` };
    const { userId, strategy, subscription, account, connection } = envelope;
    await this.flatten({ userId, strategy, subscription, account, connection }, reason, `${breach.code}:${breach.dayStart.getTime()}`);
  }

  /** Asks the account's reconciler for a (debounced) check; never holds the queue up. */
  private requestReconcile(accountId: string): void {
    this.env.ACCOUNT_RECONCILER.getByName(accountId)
      .requestCheck(accountId, "trade")
      .catch((err: unknown) => log.warn("reconcile request failed", { accountId, error: errorMessage(err) }));
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
}
