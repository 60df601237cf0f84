/**
 * A subscription's own fills, in its queue's SQLite: every fill its orders
 * received (with the P&L it realized) and the lot per ticker they leave.
 * This is what the daily loss limit and profit target count, what a flatten
 * closes, and what reconciliation compares with the broker.
 *
 * Why here and not from the broker: the broker's account is shared by every
 * strategy (and by the trader's own clicks), and most brokers do not report
 * a day's P&L per order. The queue sees each of its own orders' fills as
 * they are reported, writes them in the same synchronous SQLite turn as the
 * order row, and so survives eviction with nothing lost and nothing counted
 * twice: a fill is keyed by (order, cumulative filled quantity), so the same
 * report seen twice (a retried poll, a resumed trade) records once.
 *
 * The arithmetic is pure (worker/trading/pnl.ts); this module is storage.
 * Every method is synchronous (see queue-store.ts for why).
 *
 * @module
 */
import { Big, toDecimal, type Decimal } from "../../plugins/sdk/decimal";
import type { OrderSide } from "../../plugins/sdk/models";
import { applyFill, fillDelta, FLAT, type Lot } from "../trading/pnl";

const VERSION_KEY = "fill_ledger_version";
const VERSION = 1;

/** One recorded fill (or an adoption of the broker's position). */
export interface LedgerFill {
  clientOrderId: string | null;
  ticker: string;
  side: OrderSide;
  quantity: Decimal;
  price: Decimal;
  realized: Decimal;
  at: number;
  kind: "fill" | "adjustment";
}

/** A ticker's lot, with the point value its fills were priced at. */
export interface LedgerLot extends Lot {
  ticker: string;
  pointValue: Decimal;
}

type Row = Record<string, SqlStorageValue>;

export class FillLedger {
  constructor(private readonly sql: SqlStorage) {}

  /** Idempotent schema setup (its own version key beside the queue's). */
  migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const row = this.sql.exec(`SELECT value FROM meta WHERE key = ?`, VERSION_KEY).toArray()[0];
    if (row && Number(row.value) >= VERSION) return;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS ledger_fills (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_order_id TEXT,
        cumulative TEXT,
        ticker TEXT NOT NULL,
        side TEXT NOT NULL,
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        point_value TEXT NOT NULL,
        realized TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        UNIQUE (client_order_id, cumulative)
      );
      CREATE INDEX IF NOT EXISTS ledger_fills_at_idx ON ledger_fills (at);
      CREATE INDEX IF NOT EXISTS ledger_fills_order_idx ON ledger_fills (client_order_id);
      CREATE TABLE IF NOT EXISTS ledger_lots (
        ticker TEXT PRIMARY KEY,
        quantity TEXT NOT NULL,
        avg_price TEXT NOT NULL,
        point_value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, VERSION_KEY, String(VERSION));
  }

  /**
   * Records the fill between two reports of one of our orders, if any, and
   * updates its ticker's lot. Returns the fill, or null when nothing new
   * filled (or this report was recorded before).
   */
  recordProgress(
    order: { clientOrderId: string; ticker: string; side: OrderSide; pointValue: Decimal },
    before: { filledQuantity: Decimal; avgFillPrice: Decimal | null },
    after: { filledQuantity: Decimal; avgFillPrice: Decimal | null },
    at: number,
  ): LedgerFill | null {
    const delta = fillDelta(before, after);
    if (!delta) return null;
    const cumulative = toDecimal(after.filledQuantity);
    const seen = this.sql.exec(`SELECT 1 FROM ledger_fills WHERE client_order_id = ? AND cumulative = ?`, order.clientOrderId, cumulative).toArray();
    if (seen.length > 0) return null;
    const lot = this.lot(order.ticker);
    const applied = applyFill(lot, { side: order.side, quantity: delta.quantity, price: delta.price, pointValue: order.pointValue });
    this.sql.exec(
      `INSERT INTO ledger_fills (client_order_id, cumulative, ticker, side, quantity, price, point_value, realized, kind, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'fill', ?)`,
      order.clientOrderId,
      cumulative,
      order.ticker,
      order.side,
      delta.quantity,
      delta.price,
      order.pointValue,
      applied.realized,
      at,
    );
    this.saveLot(order.ticker, applied.lot, order.pointValue, at);
    return { clientOrderId: order.clientOrderId, ticker: order.ticker, side: order.side, quantity: delta.quantity, price: delta.price, realized: applied.realized, at, kind: "fill" };
  }

  /**
   * Makes the ledger hold `quantity` of `ticker` ("adopt the broker's
   * state"): an adjustment that realizes nothing (Tradeloop does not know at
   * what price the difference traded). Added units are costed at `price`
   * (the broker's average), removed ones leave the average as it was.
   */
  adopt(ticker: string, quantity: Decimal, price: Decimal, at: number): LedgerFill | null {
    const lot = this.lot(ticker);
    const target = new Big(quantity);
    const diff = target.minus(lot.quantity);
    if (diff.eq(0)) return null;
    const sameSide = new Big(lot.quantity).eq(0) || target.eq(0) || target.gt(0) === new Big(lot.quantity).gt(0);
    const growing = target.abs().gt(new Big(lot.quantity).abs());
    let avgPrice: Decimal;
    if (target.eq(0)) avgPrice = "0";
    else if (!sameSide || new Big(lot.quantity).eq(0)) avgPrice = price;
    else if (growing) avgPrice = toDecimal(new Big(lot.quantity).abs().times(lot.avgPrice).plus(diff.abs().times(price)).div(target.abs()));
    else avgPrice = lot.avgPrice;
    const side: OrderSide = diff.gt(0) ? "buy" : "sell";
    const pointValue = this.pointValue(ticker) ?? "1";
    this.sql.exec(
      `INSERT INTO ledger_fills (client_order_id, cumulative, ticker, side, quantity, price, point_value, realized, kind, at)
       VALUES (NULL, NULL, ?, ?, ?, ?, ?, '0', 'adjustment', ?)`,
      ticker,
      side,
      toDecimal(diff.abs()),
      price,
      pointValue,
      at,
    );
    this.saveLot(ticker, { quantity: toDecimal(target), avgPrice }, pointValue, at);
    return { clientOrderId: null, ticker, side, quantity: toDecimal(diff.abs()), price, realized: "0", at, kind: "adjustment" };
  }

  /** Every ticker this subscription has traded, with its lot (flat ones included). */
  lots(): LedgerLot[] {
    return this.sql
      .exec(`SELECT * FROM ledger_lots ORDER BY ticker`)
      .toArray()
      .map((r) => ({ ticker: String(r.ticker), quantity: String(r.quantity), avgPrice: String(r.avg_price), pointValue: String(r.point_value) }));
  }

  /** Fills that realized P&L at or after `since` (for the daily limits and the lockout). */
  realizedSince(since: number): { at: number; amount: Decimal }[] {
    return this.sql
      .exec(`SELECT at, realized FROM ledger_fills WHERE at >= ? AND kind = 'fill' AND realized != '0' ORDER BY at`, since)
      .toArray()
      .map((r) => ({ at: Number(r.at), amount: String(r.realized) }));
  }

  /** The fills of some orders, oldest first (a trade's detail). */
  fillsFor(clientOrderIds: readonly string[]): LedgerFill[] {
    if (clientOrderIds.length === 0) return [];
    return this.sql
      .exec(`SELECT * FROM ledger_fills WHERE client_order_id IN (${clientOrderIds.map(() => "?").join(", ")}) ORDER BY seq`, ...clientOrderIds)
      .toArray()
      .map((r) => this.toFill(r));
  }

  private lot(ticker: string): Lot {
    const r = this.sql.exec(`SELECT quantity, avg_price FROM ledger_lots WHERE ticker = ?`, ticker).toArray()[0];
    return r ? { quantity: String(r.quantity), avgPrice: String(r.avg_price) } : FLAT;
  }

  private pointValue(ticker: string): Decimal | null {
    const r = this.sql.exec(`SELECT point_value FROM ledger_lots WHERE ticker = ?`, ticker).toArray()[0];
    return r ? String(r.point_value) : null;
  }

  private saveLot(ticker: string, lot: Lot, pointValue: Decimal, at: number): void {
    this.sql.exec(
      `INSERT INTO ledger_lots (ticker, quantity, avg_price, point_value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ticker) DO UPDATE SET quantity = excluded.quantity, avg_price = excluded.avg_price, point_value = excluded.point_value, updated_at = excluded.updated_at`,
      ticker,
      lot.quantity,
      lot.avgPrice,
      pointValue,
      at,
    );
  }

  private toFill(r: Row): LedgerFill {
    return {
      clientOrderId: r.client_order_id === null ? null : String(r.client_order_id),
      ticker: String(r.ticker),
      side: String(r.side) as OrderSide,
      quantity: String(r.quantity),
      price: String(r.price),
      realized: String(r.realized),
      at: Number(r.at),
      kind: String(r.kind) as LedgerFill["kind"],
    };
  }
}
