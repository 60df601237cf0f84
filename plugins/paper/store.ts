/**
 * Persistence of one paper ledger in its Durable Object's SQLite database.
 *
 * Every call here is synchronous (`storage.sql` is), which is what makes the
 * ledger safe under concurrency: a request loads the state, runs one pure
 * ledger operation and writes the changes without ever awaiting, so no other
 * request can interleave between the read and the write. `transact()` also
 * wraps that section in a SQLite transaction, so a failure half-way through
 * the writes rolls everything back instead of leaving a torn ledger.
 *
 * Decimals are stored as TEXT: SQLite REAL would reintroduce float money.
 *
 * @module
 */
import type { Decimal } from "../sdk";
import type {
  AccountState,
  BracketSpec,
  Changes,
  Fill,
  LedgerOrder,
  LedgerOrderStatus,
  LedgerOrderType,
  LedgerState,
  LedgerTimeInForce,
  LegRole,
  OrderEndReason,
  Side,
} from "./ledger";

const SCHEMA_VERSION = "1";

/** Idempotent: safe on every construction of the object. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS account (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     starting_cash TEXT NOT NULL,
     cash TEXT NOT NULL,
     realized_pnl TEXT NOT NULL,
     next_order_seq INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     reset_at TEXT
   )`,
  `CREATE TABLE IF NOT EXISTS positions (
     ticker TEXT PRIMARY KEY,
     quantity TEXT NOT NULL,
     avg_price TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS orders (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL UNIQUE,
     client_order_id TEXT UNIQUE,
     ticker TEXT NOT NULL,
     side TEXT NOT NULL,
     type TEXT NOT NULL,
     quantity TEXT NOT NULL,
     time_in_force TEXT NOT NULL,
     limit_price TEXT,
     stop_price TEXT,
     trail_amount TEXT,
     trail_percent TEXT,
     water_mark TEXT,
     triggered INTEGER NOT NULL DEFAULT 0,
     status TEXT NOT NULL,
     filled_quantity TEXT NOT NULL,
     avg_fill_price TEXT,
     parent_id TEXT,
     role TEXT,
     oco_group TEXT,
     bracket TEXT,
     reason TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     filled_at TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, ticker)`,
  `CREATE TABLE IF NOT EXISTS fills (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     order_id TEXT NOT NULL,
     ticker TEXT NOT NULL,
     side TEXT NOT NULL,
     quantity TEXT NOT NULL,
     price TEXT NOT NULL,
     at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS prices (ticker TEXT PRIMARY KEY, price TEXT NOT NULL, at TEXT NOT NULL)`,
];

type AccountRow = {
  starting_cash: string;
  cash: string;
  realized_pnl: string;
  next_order_seq: number;
  created_at: string;
  reset_at: string | null;
};

type OrderRow = {
  id: string;
  seq: number;
  client_order_id: string | null;
  ticker: string;
  side: string;
  type: string;
  quantity: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  trail_amount: string | null;
  trail_percent: string | null;
  water_mark: string | null;
  triggered: number;
  status: string;
  filled_quantity: string;
  avg_fill_price: string | null;
  parent_id: string | null;
  role: string | null;
  oco_group: string | null;
  bracket: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  filled_at: string | null;
};

type PositionRow = { ticker: string; quantity: string; avg_price: string };
type PriceRow = { ticker: string; price: string; at: string };
type FillRow = { id: number; order_id: string; ticker: string; side: string; quantity: string; price: string; at: string };

/** A fill as stored, with its id. */
export interface StoredFill extends Fill {
  id: number;
}

/** A last price as stored. */
export interface StoredPrice {
  ticker: string;
  price: Decimal;
  at: string;
}

export type OrderFilter = { status: "open" | "closed" | "all"; ticker?: string | undefined };

// Columns are written only by this module from validated values, so the casts
// below restore types the ledger itself produced.
function rowToOrder(r: OrderRow): LedgerOrder {
  return {
    id: r.id,
    seq: r.seq,
    clientOrderId: r.client_order_id,
    ticker: r.ticker,
    side: r.side as Side,
    type: r.type as LedgerOrderType,
    quantity: r.quantity,
    timeInForce: r.time_in_force as LedgerTimeInForce,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    trailAmount: r.trail_amount,
    trailPercent: r.trail_percent,
    waterMark: r.water_mark,
    triggered: r.triggered === 1,
    status: r.status as LedgerOrderStatus,
    filledQuantity: r.filled_quantity,
    avgFillPrice: r.avg_fill_price,
    parentId: r.parent_id,
    role: r.role as LegRole | null,
    ocoGroup: r.oco_group,
    bracket: r.bracket === null ? null : (JSON.parse(r.bracket) as BracketSpec),
    reason: r.reason as OrderEndReason | null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    filledAt: r.filled_at,
  };
}

function rowToAccount(r: AccountRow): AccountState {
  return {
    startingCash: r.starting_cash,
    cash: r.cash,
    realizedPnl: r.realized_pnl,
    nextOrderSeq: r.next_order_seq,
    createdAt: r.created_at,
    resetAt: r.reset_at,
  };
}

/** The paper ledger's tables, read and written synchronously. */
export class LedgerStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Creates the tables if needed. Run once per construction, under blockConcurrencyWhile. */
  migrate(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
    this.sql.exec(`INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING`, SCHEMA_VERSION);
  }

  /** Runs `fn` as one SQLite transaction: all of its writes land, or none do. */
  transact<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  account(): AccountState | null {
    const rows = this.sql.exec<AccountRow>(`SELECT starting_cash, cash, realized_pnl, next_order_seq, created_at, reset_at FROM account WHERE id = 1`).toArray();
    const row = rows[0];
    return row ? rowToAccount(row) : null;
  }

  /**
   * Loads what a ledger operation needs: account, positions, prices and open
   * orders, plus the orders named in `alsoOrderIds` whatever their status.
   * Returns null if the account was never initialised.
   */
  loadState(alsoOrderIds: readonly string[] = [], options: { orders?: boolean } = {}): LedgerState | null {
    const account = this.account();
    if (!account) return null;
    const positions = new Map(
      this.sql
        .exec<PositionRow>(`SELECT ticker, quantity, avg_price FROM positions`)
        .toArray()
        .map((r) => [r.ticker, { quantity: r.quantity, avgPrice: r.avg_price }] as const),
    );
    const prices = new Map(this.listPrices().map((p) => [p.ticker, { price: p.price, at: p.at }] as const));
    // Valuations and position views never look at orders; only operations do.
    const orders = new Map(options.orders === false ? [] : this.listOrders({ status: "open" }).map((o) => [o.id, o] as const));
    for (const id of alsoOrderIds) {
      const order = orders.get(id) ?? this.order(id);
      if (order) orders.set(id, order);
    }
    return { account, positions, orders, prices };
  }

  /** Writes exactly the rows an operation reported as changed. */
  save(state: LedgerState, changes: Changes): void {
    if (changes.account) this.writeAccount(state.account);
    for (const id of changes.orders) {
      const order = state.orders.get(id);
      if (order) this.writeOrder(order);
    }
    for (const ticker of changes.positions) {
      const pos = state.positions.get(ticker);
      if (pos) {
        this.sql.exec(
          `INSERT INTO positions (ticker, quantity, avg_price) VALUES (?, ?, ?)
           ON CONFLICT (ticker) DO UPDATE SET quantity = excluded.quantity, avg_price = excluded.avg_price`,
          ticker,
          pos.quantity,
          pos.avgPrice,
        );
      } else {
        this.sql.exec(`DELETE FROM positions WHERE ticker = ?`, ticker);
      }
    }
    for (const ticker of changes.prices) {
      const p = state.prices.get(ticker);
      if (p) {
        this.sql.exec(
          `INSERT INTO prices (ticker, price, at) VALUES (?, ?, ?) ON CONFLICT (ticker) DO UPDATE SET price = excluded.price, at = excluded.at`,
          ticker,
          p.price,
          p.at,
        );
      }
    }
    for (const f of changes.fills) {
      this.sql.exec(
        `INSERT INTO fills (order_id, ticker, side, quantity, price, at) VALUES (?, ?, ?, ?, ?, ?)`,
        f.orderId,
        f.ticker,
        f.side,
        f.quantity,
        f.price,
        f.at,
      );
    }
  }

  /** Creates the account row (first call only). */
  createAccount(account: AccountState): void {
    this.sql.exec(
      `INSERT INTO account (id, starting_cash, cash, realized_pnl, next_order_seq, created_at, reset_at) VALUES (1, ?, ?, ?, ?, ?, ?)`,
      account.startingCash,
      account.cash,
      account.realizedPnl,
      account.nextOrderSeq,
      account.createdAt,
      account.resetAt,
    );
  }

  /** Empties positions, orders, fills and prices; the caller then writes the fresh account. */
  clearBook(): void {
    this.sql.exec(`DELETE FROM positions`);
    this.sql.exec(`DELETE FROM orders`);
    this.sql.exec(`DELETE FROM fills`);
    this.sql.exec(`DELETE FROM prices`);
  }

  writeAccount(a: AccountState): void {
    this.sql.exec(
      `UPDATE account SET starting_cash = ?, cash = ?, realized_pnl = ?, next_order_seq = ?, created_at = ?, reset_at = ? WHERE id = 1`,
      a.startingCash,
      a.cash,
      a.realizedPnl,
      a.nextOrderSeq,
      a.createdAt,
      a.resetAt,
    );
  }

  private writeOrder(o: LedgerOrder): void {
    // Upsert on the primary key only: a clashing client_order_id must fail loudly, never replace another order.
    this.sql.exec(
      `INSERT INTO orders (id, seq, client_order_id, ticker, side, type, quantity, time_in_force, limit_price, stop_price,
         trail_amount, trail_percent, water_mark, triggered, status, filled_quantity, avg_fill_price, parent_id, role,
         oco_group, bracket, reason, created_at, updated_at, filled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         stop_price = excluded.stop_price, water_mark = excluded.water_mark, triggered = excluded.triggered,
         status = excluded.status, filled_quantity = excluded.filled_quantity, avg_fill_price = excluded.avg_fill_price,
         reason = excluded.reason, updated_at = excluded.updated_at, filled_at = excluded.filled_at`,
      o.id,
      o.seq,
      o.clientOrderId,
      o.ticker,
      o.side,
      o.type,
      o.quantity,
      o.timeInForce,
      o.limitPrice,
      o.stopPrice,
      o.trailAmount,
      o.trailPercent,
      o.waterMark,
      o.triggered ? 1 : 0,
      o.status,
      o.filledQuantity,
      o.avgFillPrice,
      o.parentId,
      o.role,
      o.ocoGroup,
      o.bracket === null ? null : JSON.stringify(o.bracket),
      o.reason,
      o.createdAt,
      o.updatedAt,
      o.filledAt,
    );
  }

  order(id: string): LedgerOrder | null {
    const row = this.sql.exec<OrderRow>(`SELECT * FROM orders WHERE id = ?`, id).toArray()[0];
    return row ? rowToOrder(row) : null;
  }

  orderByClientId(clientOrderId: string): LedgerOrder | null {
    const row = this.sql.exec<OrderRow>(`SELECT * FROM orders WHERE client_order_id = ?`, clientOrderId).toArray()[0];
    return row ? rowToOrder(row) : null;
  }

  /** Orders oldest first. `closed` means filled, cancelled, rejected or expired. */
  listOrders(filter: OrderFilter): LedgerOrder[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.status === "open") where.push(`status = 'open'`);
    if (filter.status === "closed") where.push(`status <> 'open'`);
    if (filter.ticker !== undefined) {
      where.push(`ticker = ?`);
      args.push(filter.ticker);
    }
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    return this.sql.exec<OrderRow>(`SELECT * FROM orders ${clause} ORDER BY seq`, ...args).toArray().map(rowToOrder);
  }

  listFills(): StoredFill[] {
    return this.sql
      .exec<FillRow>(`SELECT id, order_id, ticker, side, quantity, price, at FROM fills ORDER BY id`)
      .toArray()
      .map((r) => ({ id: r.id, orderId: r.order_id, ticker: r.ticker, side: r.side as Side, quantity: r.quantity, price: r.price, at: r.at }));
  }

  listPrices(): StoredPrice[] {
    return this.sql.exec<PriceRow>(`SELECT ticker, price, at FROM prices ORDER BY ticker`).toArray();
  }
}
