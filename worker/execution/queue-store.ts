/**
 * The SubscriptionQueue's own SQLite tables: the queue of signals, the
 * trades and orders it produced, and its copies of the subscription's
 * settings. This storage is the truth about execution; D1 holds a copy (the
 * read model) that read-model.ts keeps in step.
 *
 * Every method is synchronous. Durable Object SQLite calls made without an
 * `await` between them commit together (one implicit transaction per write
 * turn), which is what makes "the plan and the first order's `sending` mark"
 * and friends atomic. A write turn costs a commit, several times the cost of
 * a statement (measured: `npm run bench -- --only turns`), so the executor
 * groups its writes into as few turns as crash safety allows, and the
 * read-model sync's "copied" marks are kept in memory and written with the
 * next write turn (a lost mark only re-sends an idempotent upsert: the next
 * instance copies every row it finds unsynced as it starts).
 *
 * Rows are described once, by column maps (worker/lib/sql-columns.ts), from
 * which inserts, patch updates and row readers are generated. The "working
 * order" condition is built from the SDK's order statuses, and the schema
 * evolves through {@link MIGRATIONS}, a list indexed by version.
 *
 * @module
 */
import { OrderStatusSchema, TERMINAL_ORDER_STATUSES, type OrderRole, type OrderStatus } from "../../plugins/sdk";
import { chunk } from "../lib/chunk";
import { int, intOrNull, json, RowType, sqlList, text, textOrNull, type ColumnMap } from "../lib/sql-columns";
import type { PlannedOrder } from "../trading/types";
import type { TradeStatus } from "../trading/trade-status";
import type { QueuedSignal, SignalEnvelope, SubscriptionConfig } from "./envelope";

/** A trade for another subscription whose queue could not take the signal. */
export interface UnqueuedTrade {
  tradeId: string;
  subscriptionId: string;
}

/** A queued signal, joined with the settings it arrived under. */
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

/** A row of the `queue` table as stored. */
interface QueueRow {
  seq: number;
  signalId: string;
  tradeId: string;
  /**
   * The signal as the webhook sent it. Rows written before queues held their
   * own settings (schema v2, `configVersion` null) carry the whole
   * QueuedSignal here instead.
   */
  envelope: SignalEnvelope | QueuedSignal;
  state: QueueItem["state"];
  notBefore: number | null;
  enqueuedAt: number;
  attempts: number;
  logNeeded: number;
  logExtra: string | null;
  /** The settings copy (config table) the signal arrived under; null for v2 rows. */
  configVersion: number | null;
}

const QUEUE = new RowType<QueueRow>("queue", {
  seq: int("seq"),
  signalId: text("signal_id"),
  tradeId: text("trade_id"),
  envelope: json("envelope"),
  state: text("state"),
  notBefore: intOrNull("not_before"),
  enqueuedAt: int("enqueued_at"),
  attempts: int("attempts"),
  logNeeded: int("log_needed"),
  logExtra: textOrNull("log_extra"),
  configVersion: intOrNull("config_version"),
} satisfies ColumnMap<QueueRow>);

const TRADES = new RowType<TradeRow>("trades", {
  id: text("id"),
  signalId: text("signal_id"),
  status: text("status"),
  messageCode: textOrNull("message_code"),
  message: textOrNull("message"),
  plan: textOrNull("plan"),
  nextStep: int("next_step"),
  approval: text("approval"),
  approvalDeadline: intOrNull("approval_deadline"),
  createdAt: int("created_at"),
  updatedAt: int("updated_at"),
  version: int("version"),
  syncedVersion: int("synced_version"),
} satisfies ColumnMap<TradeRow>);

const ORDERS = new RowType<OrderRow>("orders", {
  id: text("id"),
  clientOrderId: text("client_order_id"),
  tradeId: text("trade_id"),
  signalId: text("signal_id"),
  leg: text("leg"),
  role: text("role"),
  brokerOrderId: textOrNull("broker_order_id"),
  ticker: text("ticker"),
  side: text("side"),
  quantity: text("quantity"),
  type: text("type"),
  timeInForce: textOrNull("time_in_force"),
  limitPrice: textOrNull("limit_price"),
  stopPrice: textOrNull("stop_price"),
  trailAmount: textOrNull("trail_amount"),
  trailPercent: textOrNull("trail_percent"),
  status: text("status"),
  filledQuantity: text("filled_quantity"),
  avgFillPrice: textOrNull("avg_fill_price"),
  message: textOrNull("message"),
  sendState: text("send_state"),
  cancelAt: intOrNull("cancel_at"),
  createdAt: int("created_at"),
  updatedAt: int("updated_at"),
  version: int("version"),
  syncedVersion: int("synced_version"),
} satisfies ColumnMap<OrderRow>);

/** The trade fields the executor and the queue change. */
export type TradePatch = Partial<Pick<TradeRow, "status" | "messageCode" | "message" | "plan" | "nextStep" | "approval" | "approvalDeadline">>;

/** The order fields a broker answer can change. */
export type OrderPatch = Partial<Pick<OrderRow, "brokerOrderId" | "status" | "filledQuantity" | "avgFillPrice" | "message" | "sendState" | "limitPrice" | "stopPrice">>;

const ORDER_PATCH_FIELDS = ["brokerOrderId", "status", "filledQuantity", "avgFillPrice", "message", "sendState", "limitPrice", "stopPrice"] as const satisfies readonly (keyof OrderPatch)[];

// ---- named SQL fragments ----------------------------------------------------

/** Order statuses the broker may still change: the SDK's statuses that are not terminal. */
const WORKING_STATUSES = OrderStatusSchema.options.filter((s) => !TERMINAL_ORDER_STATUSES.has(s));
/** An order still working at the broker. */
export const WORKING_ORDER = `status IN (${sqlList(WORKING_STATUSES)})`;
/** An order the broker acknowledged and may still change: what resting-order upkeep polls. */
export const LIVE_ORDER = `send_state = 'acked' AND ${WORKING_ORDER}`;
/** An order whose `cancelAfter` time is set and that can still be cancelled. */
const CANCELLABLE_ORDER = `cancel_at IS NOT NULL AND ${WORKING_ORDER}`;
/** A queue item not finished yet. */
const OPEN_ITEM = `state != 'done'`;
/** A row changed since D1 last got a copy. */
const DIRTY = `version > synced_version`;

/**
 * The schema, one entry per version: entry i takes a queue from version i to
 * i + 1. Applied in order from the constructor (under blockConcurrencyWhile),
 * each with its version mark in the same transaction.
 */
export const MIGRATIONS: readonly string[] = [
  // v1: the queue, its trades and orders.
  `CREATE TABLE IF NOT EXISTS queue (
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
   CREATE INDEX IF NOT EXISTS orders_trade_idx ON orders (trade_id);`,
  // v2: partial indexes, so every per-signal bookkeeping query touches only live rows. Finished
  // items stay (their envelopes serve later syncs and order refreshes), so without these each
  // query would scan the subscription's whole history (measured by `npm run bench --profile`).
  `CREATE INDEX IF NOT EXISTS queue_live_idx ON queue (seq) WHERE ${OPEN_ITEM};
   CREATE INDEX IF NOT EXISTS queue_delayed_idx ON queue (not_before) WHERE ${OPEN_ITEM} AND not_before IS NOT NULL;
   CREATE INDEX IF NOT EXISTS queue_log_idx ON queue (seq) WHERE log_needed = 1;
   CREATE INDEX IF NOT EXISTS trades_dirty_idx ON trades (id) WHERE ${DIRTY};
   CREATE INDEX IF NOT EXISTS trades_approval_idx ON trades (approval_deadline) WHERE approval = 'pending';
   CREATE INDEX IF NOT EXISTS orders_dirty_idx ON orders (client_order_id) WHERE ${DIRTY};
   CREATE INDEX IF NOT EXISTS orders_live_idx ON orders (created_at) WHERE ${LIVE_ORDER};
   CREATE INDEX IF NOT EXISTS orders_cancel_idx ON orders (cancel_at) WHERE ${CANCELLABLE_ORDER};`,
  // v3: the queue keeps its own copies of its subscription's settings, one per config version, and
  // each signal names the copy it arrived under (its envelope no longer carries the settings).
  `ALTER TABLE queue ADD COLUMN config_version INTEGER;
   CREATE TABLE IF NOT EXISTS config (version INTEGER PRIMARY KEY, body TEXT NOT NULL, loaded_at INTEGER NOT NULL);`,
];

/** Rows per multi-row statement (two bound values each). */
const ROWS_PER_STATEMENT = 200;

export class QueueStore {
  /**
   * Told of every order row change in the same synchronous turn as the write
   * (so the fill ledger commits with the order row): `before` is null for a
   * row inserted with its state (a bracket leg).
   */
  onOrderChange: ((before: OrderRow | null, after: OrderRow, now: number) => void) | null = null;

  /** Read-model "copied" marks not written yet: they ride on the next write turn (see the module comment). */
  private readonly syncedTrades = new Map<string, number>();
  private readonly syncedOrders = new Map<string, number>();
  private readonly loggedSignals = new Set<string>();
  /** Parsed settings copies by version (they never change once written). */
  private readonly configs = new Map<number, SubscriptionConfig>();

  constructor(private readonly sql: SqlStorage) {}

  /** Applies the migrations this queue has not run yet; run from the constructor under blockConcurrencyWhile. */
  migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    for (let version = Number(this.meta("schema_version") ?? 0); version < MIGRATIONS.length; version++) {
      this.sql.exec(MIGRATIONS[version]!);
      this.setMeta("schema_version", String(version + 1));
    }
  }

  /** The schema version this queue is at (tests, diagnostics). */
  schemaVersion(): number {
    return Number(this.meta("schema_version") ?? 0);
  }

  meta(key: string): string | null {
    const row = this.sql.exec(`SELECT value FROM meta WHERE key = ?`, key).toArray()[0];
    return row ? String(row.value) : null;
  }

  setMeta(key: string, value: string): void {
    this.beginWrite();
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, value);
  }

  /**
   * Writes the synced marks held in memory. Every write method calls this
   * first, so the marks join a write turn that happens anyway.
   */
  private beginWrite(): void {
    if (this.syncedTrades.size === 0 && this.syncedOrders.size === 0 && this.loggedSignals.size === 0) return;
    const trades = [...this.syncedTrades];
    const orders = [...this.syncedOrders];
    const logged = [...this.loggedSignals];
    this.syncedTrades.clear();
    this.syncedOrders.clear();
    this.loggedSignals.clear();
    for (const part of chunk(trades, ROWS_PER_STATEMENT)) {
      this.sql.exec(
        `UPDATE trades SET synced_version = max(synced_version, v.column2)
         FROM (VALUES ${part.map(() => "(?, ?)").join(", ")}) AS v WHERE trades.id = v.column1`,
        ...part.flat(),
      );
    }
    for (const part of chunk(orders, ROWS_PER_STATEMENT)) {
      this.sql.exec(
        `UPDATE orders SET synced_version = max(synced_version, v.column2)
         FROM (VALUES ${part.map(() => "(?, ?)").join(", ")}) AS v WHERE orders.client_order_id = v.column1`,
        ...part.flat(),
      );
    }
    for (const part of chunk(logged, ROWS_PER_STATEMENT)) {
      this.sql.exec(`UPDATE queue SET log_needed = 0 WHERE signal_id IN (${part.map(() => "?").join(", ")})`, ...part);
    }
  }

  /** Writes pending synced marks now (a turn of their own: only when nothing else is about to write). */
  flushSyncedMarks(): void {
    this.beginWrite();
  }

  // ---- settings copies ---------------------------------------------------

  /** Stores a settings copy (the same version read twice replaces its body). */
  saveConfig(config: SubscriptionConfig, now: number): void {
    this.beginWrite();
    this.sql.exec(`INSERT OR REPLACE INTO config (version, body, loaded_at) VALUES (?, ?, ?)`, config.version, JSON.stringify(config), now);
    this.configs.set(config.version, config);
  }

  /** The settings copy of a version, or null if this queue never stored it. */
  config(version: number): SubscriptionConfig | null {
    const cached = this.configs.get(version);
    if (cached) return cached;
    const row = this.sql.exec(`SELECT body FROM config WHERE version = ?`, version).toArray()[0];
    if (!row) return null;
    const config = JSON.parse(String(row.body)) as SubscriptionConfig;
    this.configs.set(version, config);
    return config;
  }

  /** The newest settings copy, or null before the first load. */
  latestConfig(): SubscriptionConfig | null {
    const row = this.sql.exec(`SELECT max(version) AS v FROM config`).one();
    return row.v === null || row.v === undefined ? null : this.config(Number(row.v));
  }

  // ---- queue -------------------------------------------------------------

  /**
   * Appends a signal under a settings copy (`configVersion`), or, for a v2
   * webhook during a deployment, a whole envelope (`configVersion` null).
   * Returns false if this signal was already enqueued (a retried delivery),
   * so enqueue is idempotent.
   */
  enqueue(envelope: SignalEnvelope | QueuedSignal, configVersion: number | null, now: number, notBefore: number | null): boolean {
    this.beginWrite();
    // signal_id is UNIQUE: a repeated delivery writes nothing (one statement instead of a check and an insert).
    const item = { signalId: envelope.signalId, tradeId: envelope.tradeId, envelope, state: "queued" as const, notBefore, enqueuedAt: now, configVersion };
    if (QUEUE.insert(this.sql, item, "ON CONFLICT (signal_id) DO NOTHING").rowsWritten === 0) return false;
    TRADES.insert(this.sql, { id: envelope.tradeId, signalId: envelope.signalId, status: "queued", createdAt: now, updatedAt: now });
    return true;
  }

  /**
   * The oldest unfinished item that is due, in arrival order. A signal with a
   * `delay` joins the line when it becomes due instead of blocking the
   * signals behind it.
   */
  head(now: number): QueueItem | null {
    const row = this.sql
      .exec(`SELECT ${QUEUE.columns} FROM queue WHERE ${OPEN_ITEM} AND (not_before IS NULL OR not_before <= ?) ORDER BY seq LIMIT 1`, now)
      .toArray()[0];
    return row ? this.toItem(QUEUE.read(row)) : null;
  }

  bumpAttempts(seq: number): number {
    this.beginWrite();
    return Number(this.sql.exec(`UPDATE queue SET attempts = attempts + 1 WHERE seq = ? RETURNING attempts`, seq).one().attempts);
  }

  /** Puts an item back to wait until `at` (a broker maintenance window); its place in line is kept. */
  deferItem(seq: number, at: number): void {
    this.beginWrite();
    QUEUE.update(this.sql, { state: "queued", notBefore: at }, "seq = ?", [seq]);
  }

  /** Items waiting for their market to open (trade code `queued-until-open`) for a signal ticker, other than `exceptSeq`. */
  waitingForOpen(signalTicker: string, exceptSeq: number): { seq: number; tradeId: string }[] {
    return this.sql
      .exec(
        `SELECT q.seq, q.trade_id FROM queue q JOIN trades t ON t.id = q.trade_id
          WHERE q.state = 'queued' AND q.seq != ? AND t.message_code = 'queued-until-open'
            AND upper(json_extract(q.envelope, '$.signal.ticker')) = upper(?)`,
        exceptSeq,
        signalTicker,
      )
      .toArray()
      .map((r) => ({ seq: Number(r.seq), tradeId: String(r.trade_id) }));
  }

  markItem(seq: number, state: QueueItem["state"]): void {
    this.beginWrite();
    QUEUE.update(this.sql, { state }, "seq = ?", [seq]);
  }

  pendingCount(): number {
    return Number(this.sql.exec(`SELECT count(*) AS n FROM queue WHERE ${OPEN_ITEM}`).one().n ?? 0);
  }

  /** When the earliest delayed item becomes due, or null. */
  nextDelayedAt(now: number): number | null {
    const v = this.sql.exec(`SELECT min(not_before) AS t FROM queue WHERE ${OPEN_ITEM} AND not_before IS NOT NULL AND not_before > ?`, now).one().t;
    return v === null || v === undefined ? null : Number(v);
  }

  /**
   * Records trades of OTHER subscriptions that could not be queued while D1
   * was down, so this queue writes them (as failed) with its next sync.
   */
  markLogNeeded(signalId: string, unqueued: readonly UnqueuedTrade[]): boolean {
    this.beginWrite();
    return QUEUE.update(this.sql, { logNeeded: 1, logExtra: JSON.stringify(unqueued) }, "signal_id = ?", [signalId]) > 0;
  }

  signalsNeedingLog(): { envelope: QueuedSignal; unqueued: UnqueuedTrade[] }[] {
    return this.sql
      .exec(`SELECT ${QUEUE.columns} FROM queue WHERE log_needed = 1`)
      .toArray()
      .map((r) => QUEUE.read(r))
      .filter((r) => !this.loggedSignals.has(r.signalId))
      .map((r) => ({ envelope: this.materialize(r), unqueued: r.logExtra ? (JSON.parse(r.logExtra) as UnqueuedTrade[]) : [] }));
  }

  /** Records that D1 has these signals' log rows (written with the next write turn). */
  clearLogNeeded(signalIds: readonly string[]): void {
    for (const id of signalIds) this.loggedSignals.add(id);
  }

  envelopeFor(signalId: string): QueuedSignal | null {
    const row = this.sql.exec(`SELECT ${QUEUE.columns} FROM queue WHERE signal_id = ?`, signalId).toArray()[0];
    return row ? this.materialize(QUEUE.read(row)) : null;
  }

  // ---- trades ------------------------------------------------------------

  trade(id: string): TradeRow | null {
    const row = this.sql.exec(`SELECT ${TRADES.columns} FROM trades WHERE id = ?`, id).toArray()[0];
    return row ? TRADES.read(row) : null;
  }

  tradeBySignal(signalId: string): TradeRow | null {
    const row = this.sql.exec(`SELECT ${TRADES.columns} FROM trades WHERE signal_id = ?`, signalId).toArray()[0];
    return row ? TRADES.read(row) : null;
  }

  /** Writes only the patched columns (no read first: this runs several times per trade). */
  updateTrade(id: string, patch: TradePatch, now: number): void {
    this.beginWrite();
    if (TRADES.update(this.sql, { ...patch, updatedAt: now }, "id = ?", [id], "version = version + 1") === 0) throw new Error(`trade ${id} not found`);
  }

  unsyncedTrades(): TradeRow[] {
    return this.sql
      .exec(`SELECT ${TRADES.columns} FROM trades WHERE ${DIRTY}`)
      .toArray()
      .map((r) => TRADES.read(r))
      .filter((t) => (this.syncedTrades.get(t.id) ?? 0) < t.version);
  }

  /** Records that D1 holds these versions (written with the next write turn; a row changed since keeps a higher version). */
  markTradesSynced(rows: readonly { id: string; version: number }[]): void {
    for (const r of rows) this.syncedTrades.set(r.id, Math.max(r.version, this.syncedTrades.get(r.id) ?? 0));
  }

  /** When the earliest pending approval runs out, or null. */
  nextApprovalDeadline(): number | null {
    const v = this.sql.exec(`SELECT min(approval_deadline) AS t FROM trades WHERE approval = 'pending'`).one().t;
    return v === null || v === undefined ? null : Number(v);
  }

  // ---- orders ------------------------------------------------------------

  order(clientOrderId: string): OrderRow | null {
    const row = this.sql.exec(`SELECT ${ORDERS.columns} FROM orders WHERE client_order_id = ?`, clientOrderId).toArray()[0];
    return row ? ORDERS.read(row) : null;
  }

  ordersForTrade(tradeId: string): OrderRow[] {
    return this.sql
      .exec(`SELECT ${ORDERS.columns} FROM orders WHERE trade_id = ? ORDER BY created_at, leg`, tradeId)
      .toArray()
      .map((r) => ORDERS.read(r));
  }

  /** Orders the broker may still change (resting limits, bracket legs...). */
  liveOrders(limit = 1_000): OrderRow[] {
    return this.sql
      .exec(`SELECT ${ORDERS.columns} FROM orders WHERE ${LIVE_ORDER} ORDER BY created_at LIMIT ?`, limit)
      .toArray()
      .map((r) => ORDERS.read(r));
  }

  hasLiveOrders(): boolean {
    return this.sql.exec(`SELECT EXISTS (SELECT 1 FROM orders WHERE ${LIVE_ORDER}) AS x`).one().x === 1;
  }

  /** Records an order as about to be sent. Must be durable before the request leaves. */
  insertPlannedOrder(
    input: { id: string; clientOrderId: string; tradeId: string; signalId: string; leg: string; ticker: string; order: PlannedOrder },
    now: number,
  ): void {
    const o = input.order;
    this.beginWrite();
    ORDERS.insert(this.sql, {
      id: input.id,
      clientOrderId: input.clientOrderId,
      tradeId: input.tradeId,
      signalId: input.signalId,
      leg: input.leg,
      role: o.role,
      ticker: input.ticker,
      side: o.side,
      quantity: o.quantity,
      type: o.type,
      timeInForce: o.timeInForce,
      limitPrice: o.limitPrice ?? null,
      stopPrice: o.stopPrice ?? null,
      trailAmount: o.trailAmount ?? null,
      trailPercent: o.trailPercent ?? null,
      status: "pending",
      sendState: "sending",
      createdAt: now,
      updatedAt: now,
    });
  }

  /** Inserts an order the broker created on its own (a bracket leg), keyed by its broker id. */
  upsertChildOrder(row: Omit<OrderRow, "version" | "syncedVersion" | "createdAt" | "updatedAt" | "cancelAt">, now: number): void {
    if (this.order(row.clientOrderId)) {
      this.updateOrder(row.clientOrderId, row, now);
      return;
    }
    this.beginWrite();
    ORDERS.insert(this.sql, { ...row, createdAt: now, updatedAt: now });
    this.onOrderChange?.(null, { ...row, cancelAt: null, createdAt: now, updatedAt: now, version: 1, syncedVersion: 0 }, now);
  }

  /** Tickers with a trade executing or an order whose send is not yet confirmed (reconciliation leaves them for later). */
  inFlightTickers(): string[] {
    const rows = this.sql
      .exec(
        `SELECT ticker FROM orders WHERE send_state != 'acked'
         UNION SELECT json_extract(q.envelope, '$.signal.ticker') FROM queue q WHERE q.state = 'executing'
         UNION SELECT json_extract(t.plan, '$.ticker') FROM queue q JOIN trades t ON t.id = q.trade_id WHERE q.state = 'executing' AND t.plan IS NOT NULL`,
      )
      .toArray();
    return rows.map((r) => r.ticker).filter((t): t is string => typeof t === "string");
  }

  /** Writes the fields the broker's answer changed; nothing (and no new version to copy) when nothing did. */
  updateOrder(clientOrderId: string, patch: OrderPatch, now: number): void {
    const cur = this.order(clientOrderId);
    if (!cur) throw new Error(`order ${clientOrderId} not found`);
    const changed: OrderPatch = {};
    for (const f of ORDER_PATCH_FIELDS) {
      if (f in patch && patch[f] !== cur[f]) (changed as Record<string, unknown>)[f] = patch[f];
    }
    if (Object.keys(changed).length === 0) return;
    this.beginWrite();
    ORDERS.update(this.sql, { ...changed, updatedAt: now }, "client_order_id = ?", [clientOrderId], "version = version + 1");
    // The fill ledger records the fill this change reports, in the same synchronous turn.
    this.onOrderChange?.(cur, { ...cur, ...changed, updatedAt: now }, now);
  }

  /** Working orders whose `cancelAfter` time has come. */
  ordersDueForCancel(now: number): OrderRow[] {
    return this.sql
      .exec(`SELECT ${ORDERS.columns} FROM orders WHERE ${CANCELLABLE_ORDER} AND cancel_at <= ?`, now)
      .toArray()
      .map((r) => ORDERS.read(r));
  }

  /** When the earliest `cancelAfter` comes due, or null. */
  nextCancelAt(): number | null {
    const v = this.sql.exec(`SELECT min(cancel_at) AS t FROM orders WHERE ${CANCELLABLE_ORDER}`).one().t;
    return v === null || v === undefined ? null : Number(v);
  }

  setCancelAt(clientOrderId: string, at: number | null): void {
    this.beginWrite();
    ORDERS.update(this.sql, { cancelAt: at }, "client_order_id = ?", [clientOrderId]);
  }

  unsyncedOrders(): OrderRow[] {
    return this.sql
      .exec(`SELECT ${ORDERS.columns} FROM orders WHERE ${DIRTY}`)
      .toArray()
      .map((r) => ORDERS.read(r))
      .filter((o) => (this.syncedOrders.get(o.clientOrderId) ?? 0) < o.version);
  }

  /** As markTradesSynced, for orders. */
  markOrdersSynced(rows: readonly { clientOrderId: string; version: number }[]): void {
    for (const r of rows) this.syncedOrders.set(r.clientOrderId, Math.max(r.version, this.syncedOrders.get(r.clientOrderId) ?? 0));
  }

  /** Rows D1 has no copy of yet (marks held in memory count as copied). */
  unsyncedCount(): number {
    return this.unsyncedTrades().length + this.unsyncedOrders().length + this.signalsNeedingLog().length;
  }

  // ---- row mapping -------------------------------------------------------

  private toItem(r: QueueRow): QueueItem {
    return { seq: r.seq, signalId: r.signalId, tradeId: r.tradeId, envelope: this.materialize(r), state: r.state, notBefore: r.notBefore, attempts: r.attempts };
  }

  /** The signal joined with the settings copy it arrived under (a v2 row carries both already). */
  private materialize(r: QueueRow): QueuedSignal {
    if (r.configVersion === null) return r.envelope as QueuedSignal;
    const config = this.config(r.configVersion);
    if (!config) throw new Error(`queue item ${r.signalId} names settings copy v${r.configVersion}, which this queue does not hold`);
    const { version: _version, ...settings } = config;
    return { ...(r.envelope as SignalEnvelope), ...settings };
  }
}
