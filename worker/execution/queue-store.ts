/**
 * The SubscriptionQueue's own SQLite tables: the queue of signals, and the
 * trades and orders it produced. This storage is the truth about execution;
 * D1 holds a copy (the read model) that `read-model.ts` keeps in step.
 *
 * Every method is synchronous. Durable Object SQLite calls made without an
 * `await` between them commit together, which is what makes "mark the order
 * as sending" and friends atomic.
 *
 * @module
 */
import type { OrderRole, OrderStatus } from "../../plugins/sdk";
import type { PlannedOrder } from "../trading/types";
import type { QueuedSignal } from "./envelope";
import type { TradeStatus } from "../trading/trade-status";
import { chunk } from "../lib/chunk";

const SCHEMA_VERSION = 2;

/** A trade for another subscription whose queue could not take the signal. */
export interface UnqueuedTrade {
  tradeId: string;
  subscriptionId: string;
}

export interface QueueItem {
  seq: number;
  signalId: string;
  tradeId: string;
  envelope: QueuedSignal;
  state: "queued" | "executing" | "done";
  notBefore: number | null;
  /** Times this item was resumed after a failure; bounded so a poison item cannot block the queue forever. */
  attempts: number;
}

export interface TradeRow {
  id: string;
  signalId: string;
  status: TradeStatus;
  messageCode: string | null;
  message: string | null;
  /** The decision's plan (JSON), fixed once decided so a resumed trade never re-decides. */
  plan: string | null;
  nextStep: number;
  /** Manual approval (`autoSubmit: false`): none → pending → approved. */
  approval: "none" | "pending" | "approved";
  approvalDeadline: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
  syncedVersion: number;
}

/**
 * `planned` → `sending` (persisted before the request leaves) → `acked`.
 * A row found in `sending` after a restart means the outcome is unknown:
 * reconcile with getOrder(clientOrderId) before anything else.
 */
export type SendState = "planned" | "sending" | "acked";

export interface OrderRow {
  id: string;
  clientOrderId: string;
  tradeId: string;
  signalId: string;
  leg: string;
  role: OrderRole;
  brokerOrderId: string | null;
  ticker: string;
  side: string;
  quantity: string;
  type: string;
  timeInForce: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  trailAmount: string | null;
  trailPercent: string | null;
  status: OrderStatus;
  filledQuantity: string;
  avgFillPrice: string | null;
  message: string | null;
  sendState: SendState;
  /** When a still-working order is to be cancelled (`cancelAfter`). */
  cancelAt: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
  syncedVersion: number;
}

type SqlRow = Record<string, SqlStorageValue>;

/** Rows per multi-row statement (two bound values each). */
const ROWS_PER_STATEMENT = 200;

/** The trade fields the executor and the queue change, and their columns. */
type TradePatch = Partial<Pick<TradeRow, "status" | "messageCode" | "message" | "plan" | "nextStep" | "approval" | "approvalDeadline">>;
const TRADE_COLUMNS: readonly (readonly [keyof TradePatch, string])[] = [
  ["status", "status"],
  ["messageCode", "message_code"],
  ["message", "message"],
  ["plan", "plan"],
  ["nextStep", "next_step"],
  ["approval", "approval"],
  ["approvalDeadline", "approval_deadline"],
];

// Column reads may be undefined under noUncheckedIndexedAccess; the schema guarantees presence.
const str = (v: SqlStorageValue | undefined): string => String(v);
const strOrNull = (v: SqlStorageValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlStorageValue | undefined): number => Number(v);

export class QueueStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Idempotent schema setup; run from the constructor under blockConcurrencyWhile. */
  migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const row = this.sql.exec(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
    const version = row ? Number(row.value) : 0;
    if (version >= SCHEMA_VERSION) return;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        signal_id TEXT NOT NULL UNIQUE,
        trade_id TEXT NOT NULL,
        envelope TEXT NOT NULL,
        state TEXT NOT NULL,
        not_before INTEGER,
        enqueued_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        log_needed INTEGER NOT NULL DEFAULT 0,
        log_extra TEXT
      );
      CREATE INDEX IF NOT EXISTS queue_state_idx ON queue (state, seq);
      CREATE TABLE IF NOT EXISTS trades (
        id TEXT PRIMARY KEY,
        signal_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        message_code TEXT,
        message TEXT,
        plan TEXT,
        next_step INTEGER NOT NULL DEFAULT 0,
        approval TEXT NOT NULL DEFAULT 'none',
        approval_deadline INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        synced_version INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS trades_unsynced_idx ON trades (synced_version, version);
      CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL UNIQUE,
        trade_id TEXT NOT NULL,
        signal_id TEXT NOT NULL,
        leg TEXT NOT NULL,
        role TEXT NOT NULL,
        broker_order_id TEXT,
        ticker TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity TEXT NOT NULL,
        type TEXT NOT NULL,
        time_in_force TEXT,
        limit_price TEXT,
        stop_price TEXT,
        trail_amount TEXT,
        trail_percent TEXT,
        status TEXT NOT NULL,
        filled_quantity TEXT NOT NULL DEFAULT '0',
        avg_fill_price TEXT,
        message TEXT,
        send_state TEXT NOT NULL,
        cancel_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        synced_version INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS orders_trade_idx ON orders (trade_id);
    `);
    // v2: partial indexes, so every per-signal bookkeeping query touches only live rows. Finished
    // items stay (their envelopes serve later syncs and order refreshes), so without these each
    // query would scan the subscription's whole history (measured by `npm run bench --profile`).
    this.sql.exec(`
      CREATE INDEX IF NOT EXISTS queue_live_idx ON queue (seq) WHERE state != 'done';
      CREATE INDEX IF NOT EXISTS queue_delayed_idx ON queue (not_before) WHERE state != 'done' AND not_before IS NOT NULL;
      CREATE INDEX IF NOT EXISTS queue_log_idx ON queue (seq) WHERE log_needed = 1;
      CREATE INDEX IF NOT EXISTS trades_dirty_idx ON trades (id) WHERE version > synced_version;
      CREATE INDEX IF NOT EXISTS trades_approval_idx ON trades (approval_deadline) WHERE approval = 'pending';
      CREATE INDEX IF NOT EXISTS orders_dirty_idx ON orders (client_order_id) WHERE version > synced_version;
      CREATE INDEX IF NOT EXISTS orders_live_idx ON orders (created_at)
        WHERE send_state = 'acked' AND status IN ('pending', 'open', 'partially_filled');
      CREATE INDEX IF NOT EXISTS orders_cancel_idx ON orders (cancel_at)
        WHERE cancel_at IS NOT NULL AND status IN ('pending', 'open', 'partially_filled');
    `);
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
  }

  // ---- queue -------------------------------------------------------------

  /**
   * Appends a signal. Returns false if this signal was already enqueued (a
   * retried delivery from the webhook), so enqueue is idempotent.
   */
  enqueue(envelope: QueuedSignal, now: number, notBefore: number | null): boolean {
    const existing = this.sql.exec(`SELECT 1 FROM queue WHERE signal_id = ?`, envelope.signalId).toArray();
    if (existing.length > 0) return false;
    this.sql.exec(
      `INSERT INTO queue (signal_id, trade_id, envelope, state, not_before, enqueued_at) VALUES (?, ?, ?, 'queued', ?, ?)`,
      envelope.signalId,
      envelope.tradeId,
      JSON.stringify(envelope),
      notBefore,
      now,
    );
    this.sql.exec(
      `INSERT INTO trades (id, signal_id, status, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?)`,
      envelope.tradeId,
      envelope.signalId,
      now,
      now,
    );
    return true;
  }

  /**
   * The oldest unfinished item that is due, in arrival order. A signal with a
   * `delay` joins the line when it becomes due instead of blocking the
   * signals behind it.
   */
  head(now: number): QueueItem | null {
    const row = this.sql
      .exec(
        `SELECT * FROM queue WHERE state != 'done' AND (not_before IS NULL OR not_before <= ?) ORDER BY seq LIMIT 1`,
        now,
      )
      .toArray()[0];
    return row ? this.toItem(row) : null;
  }

  bumpAttempts(seq: number): number {
    this.sql.exec(`UPDATE queue SET attempts = attempts + 1 WHERE seq = ?`, seq);
    return num(this.sql.exec(`SELECT attempts FROM queue WHERE seq = ?`, seq).one().attempts);
  }

  markItem(seq: number, state: QueueItem["state"]): void {
    this.sql.exec(`UPDATE queue SET state = ? WHERE seq = ?`, state, seq);
  }

  pendingCount(): number {
    return num(this.sql.exec(`SELECT count(*) AS n FROM queue WHERE state != 'done'`).one().n ?? 0);
  }

  /**
   * Records trades of OTHER subscriptions that could not be queued while D1
   * was down, so this queue writes them (as failed) with its next sync.
   */
  markLogNeeded(signalId: string, unqueued: readonly UnqueuedTrade[]): boolean {
    return (
      this.sql.exec(`UPDATE queue SET log_needed = 1, log_extra = ? WHERE signal_id = ?`, JSON.stringify(unqueued), signalId)
        .rowsWritten > 0
    );
  }

  signalsNeedingLog(): { envelope: QueuedSignal; unqueued: UnqueuedTrade[] }[] {
    return this.sql
      .exec(`SELECT envelope, log_extra FROM queue WHERE log_needed = 1`)
      .toArray()
      .map((r) => ({
        envelope: JSON.parse(str(r.envelope)) as QueuedSignal,
        unqueued: r.log_extra ? (JSON.parse(str(r.log_extra)) as UnqueuedTrade[]) : [],
      }));
  }

  clearLogNeeded(signalIds: readonly string[]): void {
    for (const part of chunk(signalIds, ROWS_PER_STATEMENT)) {
      this.sql.exec(`UPDATE queue SET log_needed = 0 WHERE signal_id IN (${part.map(() => "?").join(", ")})`, ...part);
    }
  }

  envelopeFor(signalId: string): QueuedSignal | null {
    const row = this.sql.exec(`SELECT envelope FROM queue WHERE signal_id = ?`, signalId).toArray()[0];
    return row ? (JSON.parse(str(row.envelope)) as QueuedSignal) : null;
  }

  // ---- trades ------------------------------------------------------------

  trade(id: string): TradeRow | null {
    const row = this.sql.exec(`SELECT * FROM trades WHERE id = ?`, id).toArray()[0];
    return row ? this.toTrade(row) : null;
  }

  tradeBySignal(signalId: string): TradeRow | null {
    const row = this.sql.exec(`SELECT * FROM trades WHERE signal_id = ?`, signalId).toArray()[0];
    return row ? this.toTrade(row) : null;
  }

  /** Writes only the patched columns (no read first: this runs several times per trade). */
  updateTrade(id: string, patch: TradePatch, now: number): void {
    const sets: string[] = [];
    const args: SqlStorageValue[] = [];
    for (const [key, column] of TRADE_COLUMNS) {
      if (!(key in patch)) continue;
      sets.push(`${column} = ?`);
      args.push(patch[key] ?? null);
    }
    const written = this.sql.exec(
      `UPDATE trades SET ${sets.map((x) => `${x}, `).join("")}updated_at = ?, version = version + 1 WHERE id = ?`,
      ...args,
      now,
      id,
    ).rowsWritten;
    if (written === 0) throw new Error(`trade ${id} not found`);
  }

  unsyncedTrades(): TradeRow[] {
    return this.sql.exec(`SELECT * FROM trades WHERE version > synced_version`).toArray().map((r) => this.toTrade(r));
  }

  /**
   * Records that D1 holds these versions. One statement for the whole sync (one per row
   * showed in the bench profile); a row changed since it was read keeps a higher version.
   */
  markTradesSynced(rows: readonly { id: string; version: number }[]): void {
    for (const part of chunk(rows, ROWS_PER_STATEMENT)) {
      this.sql.exec(
        `UPDATE trades SET synced_version = max(synced_version, v.column2)
         FROM (VALUES ${part.map(() => "(?, ?)").join(", ")}) AS v WHERE trades.id = v.column1`,
        ...part.flatMap((r) => [r.id, r.version]),
      );
    }
  }

  // ---- orders ------------------------------------------------------------

  order(clientOrderId: string): OrderRow | null {
    const row = this.sql.exec(`SELECT * FROM orders WHERE client_order_id = ?`, clientOrderId).toArray()[0];
    return row ? this.toOrder(row) : null;
  }

  ordersForTrade(tradeId: string): OrderRow[] {
    return this.sql
      .exec(`SELECT * FROM orders WHERE trade_id = ? ORDER BY created_at, leg`, tradeId)
      .toArray()
      .map((r) => this.toOrder(r));
  }

  /** Orders the broker may still change (resting limits, bracket legs...). */
  liveOrders(): OrderRow[] {
    return this.sql
      .exec(
        `SELECT * FROM orders WHERE send_state = 'acked' AND status IN ('pending', 'open', 'partially_filled') ORDER BY created_at`,
      )
      .toArray()
      .map((r) => this.toOrder(r));
  }

  /** Records an order as about to be sent. Must be durable before the request leaves. */
  insertPlannedOrder(
    input: { id: string; clientOrderId: string; tradeId: string; signalId: string; leg: string; ticker: string; order: PlannedOrder },
    now: number,
  ): void {
    const o = input.order;
    this.sql.exec(
      `INSERT INTO orders (id, client_order_id, trade_id, signal_id, leg, role, ticker, side, quantity, type, time_in_force,
         limit_price, stop_price, trail_amount, trail_percent, status, send_state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 'sending', ?, ?)`,
      input.id,
      input.clientOrderId,
      input.tradeId,
      input.signalId,
      input.leg,
      o.role,
      input.ticker,
      o.side,
      o.quantity,
      o.type,
      o.timeInForce,
      o.limitPrice ?? null,
      o.stopPrice ?? null,
      o.trailAmount ?? null,
      o.trailPercent ?? null,
      now,
      now,
    );
  }

  /** Inserts an order the broker created on its own (a bracket leg), keyed by its broker id. */
  upsertChildOrder(row: Omit<OrderRow, "version" | "syncedVersion" | "createdAt" | "updatedAt" | "cancelAt">, now: number): void {
    const existing = this.order(row.clientOrderId);
    if (existing) {
      this.updateOrder(row.clientOrderId, row, now);
      return;
    }
    this.sql.exec(
      `INSERT INTO orders (id, client_order_id, trade_id, signal_id, leg, role, broker_order_id, ticker, side, quantity, type,
         time_in_force, limit_price, stop_price, trail_amount, trail_percent, status, filled_quantity, avg_fill_price, message,
         send_state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      row.clientOrderId,
      row.tradeId,
      row.signalId,
      row.leg,
      row.role,
      row.brokerOrderId,
      row.ticker,
      row.side,
      row.quantity,
      row.type,
      row.timeInForce,
      row.limitPrice,
      row.stopPrice,
      row.trailAmount,
      row.trailPercent,
      row.status,
      row.filledQuantity,
      row.avgFillPrice,
      row.message,
      row.sendState,
      now,
      now,
    );
  }

  updateOrder(
    clientOrderId: string,
    patch: Partial<Pick<OrderRow, "brokerOrderId" | "status" | "filledQuantity" | "avgFillPrice" | "message" | "sendState" | "limitPrice" | "stopPrice">>,
    now: number,
  ): void {
    const cur = this.order(clientOrderId);
    if (!cur) throw new Error(`order ${clientOrderId} not found`);
    const n = { ...cur, ...patch };
    const changed =
      n.brokerOrderId !== cur.brokerOrderId ||
      n.status !== cur.status ||
      n.filledQuantity !== cur.filledQuantity ||
      n.avgFillPrice !== cur.avgFillPrice ||
      n.message !== cur.message ||
      n.sendState !== cur.sendState ||
      n.limitPrice !== cur.limitPrice ||
      n.stopPrice !== cur.stopPrice;
    if (!changed) return;
    this.sql.exec(
      `UPDATE orders SET broker_order_id = ?, status = ?, filled_quantity = ?, avg_fill_price = ?, message = ?, send_state = ?,
         limit_price = ?, stop_price = ?, updated_at = ?, version = version + 1 WHERE client_order_id = ?`,
      n.brokerOrderId,
      n.status,
      n.filledQuantity,
      n.avgFillPrice,
      n.message,
      n.sendState,
      n.limitPrice,
      n.stopPrice,
      now,
      clientOrderId,
    );
  }

  /** Working orders whose `cancelAfter` time has come. */
  ordersDueForCancel(now: number): OrderRow[] {
    return this.sql
      .exec(
        `SELECT * FROM orders WHERE cancel_at IS NOT NULL AND cancel_at <= ? AND status IN ('pending', 'open', 'partially_filled')`,
        now,
      )
      .toArray()
      .map((r) => this.toOrder(r));
  }

  setCancelAt(clientOrderId: string, at: number | null): void {
    this.sql.exec(`UPDATE orders SET cancel_at = ? WHERE client_order_id = ?`, at, clientOrderId);
  }

  unsyncedOrders(): OrderRow[] {
    return this.sql.exec(`SELECT * FROM orders WHERE version > synced_version`).toArray().map((r) => this.toOrder(r));
  }

  /** As markTradesSynced, for orders. */
  markOrdersSynced(rows: readonly { clientOrderId: string; version: number }[]): void {
    for (const part of chunk(rows, ROWS_PER_STATEMENT)) {
      this.sql.exec(
        `UPDATE orders SET synced_version = max(synced_version, v.column2)
         FROM (VALUES ${part.map(() => "(?, ?)").join(", ")}) AS v WHERE orders.client_order_id = v.column1`,
        ...part.flatMap((r) => [r.clientOrderId, r.version]),
      );
    }
  }

  /**
   * Everything the alarm planner needs, in one statement: the due head, the
   * next delay, approval deadline and cancel time, unsynced rows, live orders.
   */
  alarmInputs(now: number): {
    due: boolean;
    nextDelayedAt: number | null;
    nextApprovalDeadline: number | null;
    nextCancelAt: number | null;
    unsynced: boolean;
    liveOrders: boolean;
  } {
    const r = this.sql
      .exec(
        `SELECT
           EXISTS (SELECT 1 FROM queue WHERE state != 'done' AND (not_before IS NULL OR not_before <= ?1)) AS due,
           (SELECT min(not_before) FROM queue WHERE state != 'done' AND not_before IS NOT NULL AND not_before > ?1) AS delayed,
           (SELECT min(approval_deadline) FROM trades WHERE approval = 'pending') AS approval,
           (SELECT min(cancel_at) FROM orders WHERE cancel_at IS NOT NULL AND status IN ('pending', 'open', 'partially_filled')) AS cancel,
           (EXISTS (SELECT 1 FROM trades WHERE version > synced_version)
             OR EXISTS (SELECT 1 FROM orders WHERE version > synced_version)
             OR EXISTS (SELECT 1 FROM queue WHERE log_needed = 1)) AS unsynced,
           EXISTS (SELECT 1 FROM orders WHERE send_state = 'acked' AND status IN ('pending', 'open', 'partially_filled')) AS live`,
        now,
      )
      .one();
    const time = (v: SqlStorageValue | undefined) => (v === null || v === undefined ? null : num(v));
    return {
      due: num(r.due) === 1,
      nextDelayedAt: time(r.delayed),
      nextApprovalDeadline: time(r.approval),
      nextCancelAt: time(r.cancel),
      unsynced: num(r.unsynced) === 1,
      liveOrders: num(r.live) === 1,
    };
  }

  // ---- row mapping -------------------------------------------------------

  private toItem(r: SqlRow): QueueItem {
    return {
      seq: num(r.seq),
      signalId: str(r.signal_id),
      tradeId: str(r.trade_id),
      envelope: JSON.parse(str(r.envelope)) as QueuedSignal,
      state: str(r.state) as QueueItem["state"],
      notBefore: r.not_before === null ? null : num(r.not_before),
      attempts: num(r.attempts),
    };
  }

  private toTrade(r: SqlRow): TradeRow {
    return {
      id: str(r.id),
      signalId: str(r.signal_id),
      status: str(r.status) as TradeStatus,
      messageCode: strOrNull(r.message_code),
      message: strOrNull(r.message),
      plan: strOrNull(r.plan),
      nextStep: num(r.next_step),
      approval: str(r.approval) as TradeRow["approval"],
      approvalDeadline: r.approval_deadline === null || r.approval_deadline === undefined ? null : num(r.approval_deadline),
      createdAt: num(r.created_at),
      updatedAt: num(r.updated_at),
      version: num(r.version),
      syncedVersion: num(r.synced_version),
    };
  }

  private toOrder(r: SqlRow): OrderRow {
    return {
      id: str(r.id),
      clientOrderId: str(r.client_order_id),
      tradeId: str(r.trade_id),
      signalId: str(r.signal_id),
      leg: str(r.leg),
      role: str(r.role) as OrderRole,
      brokerOrderId: strOrNull(r.broker_order_id),
      ticker: str(r.ticker),
      side: str(r.side),
      quantity: str(r.quantity),
      type: str(r.type),
      timeInForce: strOrNull(r.time_in_force),
      limitPrice: strOrNull(r.limit_price),
      stopPrice: strOrNull(r.stop_price),
      trailAmount: strOrNull(r.trail_amount),
      trailPercent: strOrNull(r.trail_percent),
      status: str(r.status) as OrderStatus,
      filledQuantity: str(r.filled_quantity),
      avgFillPrice: strOrNull(r.avg_fill_price),
      message: strOrNull(r.message),
      sendState: str(r.send_state) as SendState,
      cancelAt: r.cancel_at === null || r.cancel_at === undefined ? null : num(r.cancel_at),
      createdAt: num(r.created_at),
      updatedAt: num(r.updated_at),
      version: num(r.version),
      syncedVersion: num(r.synced_version),
    };
  }
}
