/**
 * Copies the queue's trades and orders into D1, where the API and the
 * dashboard read them. The queue's SQLite is the truth; this copy may lag
 * (D1 down, eviction) but always catches up, because every row carries a
 * version and only a successful D1 write advances `synced_version`.
 *
 * @module
 */
import { QUEUE_UNAVAILABLE, type QueuedSignal } from "./envelope";
import type { OrderRow, QueueStore, TradeRow } from "./queue-store";

/** Writes every unsynced row in one D1 batch. Throws if D1 fails; rows stay unsynced. */
export async function syncReadModel(d1: D1Database, store: QueueStore): Promise<number> {
  const trades = store.unsyncedTrades();
  const orders = store.unsyncedOrders();
  const logs = store.signalsNeedingLog();
  if (trades.length === 0 && orders.length === 0 && logs.length === 0) return 0;

  const envelopes = new Map<string, QueuedSignal | null>();
  const envelopeOf = (signalId: string): QueuedSignal => {
    let e = envelopes.get(signalId);
    if (e === undefined) {
      e = store.envelopeFor(signalId);
      envelopes.set(signalId, e);
    }
    if (!e) throw new Error(`no envelope for signal ${signalId}`);
    return e;
  };

  // A trade's first copy carries its signal's log row too (insert-or-ignore): the webhook
  // leaves the log of a queued signal to its queues, and a row it could not write
  // (D1 was down) catches up here the same way.
  const firstSync = new Set(trades.filter((t) => t.syncedVersion === 0).map((t) => t.signalId));
  const statements = [
    ...[...firstSync].map((signalId) => insertSignalLog(d1, envelopeOf(signalId))),
    ...logs.flatMap(({ envelope, unqueued }) => [
      insertSignalLog(d1, envelope),
      ...unqueued.map((u) => insertUnqueuedTrade(d1, envelope, u.tradeId, u.subscriptionId)),
    ]),
    ...trades.map((t) => upsertTrade(d1, t, envelopeOf(t.signalId))),
    ...orders.map((o) => upsertOrder(d1, o, envelopeOf(o.signalId))),
  ];
  if (statements.length === 0) return 0;
  await d1.batch(statements);

  // Only now is the copy durable; rows changed meanwhile keep a higher version and sync next time.
  store.markTradesSynced(trades);
  store.markOrdersSynced(orders);
  store.clearLogNeeded(logs.map((l) => l.envelope.signalId));
  return statements.length;
}

// Plain prepared statements rather than drizzle's builder: this runs after every trade, and the
// builder's per-statement cost showed in the bench's CPU profile. The columns are those of
// worker/db/schema.ts (signals, trades, orders); test/faults/read-model.test.ts reads them back
// through the API.

function insertSignalLog(d1: D1Database, e: QueuedSignal): D1PreparedStatement {
  const r = e.logRow;
  return d1
    .prepare(
      `INSERT INTO signals (id, user_id, strategy_id, received_at, status, payload, source_ip, content_type, alert_id, body_hash, expected_trades)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(r.id, r.userId, r.strategyId, r.receivedAt, r.status, JSON.stringify(r.payload), r.sourceIp, r.contentType, r.alertId, r.bodyHash, r.expectedTrades ?? null);
}

function insertUnqueuedTrade(d1: D1Database, e: QueuedSignal, tradeId: string, subscriptionId: string): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO trades (id, user_id, signal_id, subscription_id, status, message_code, message, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'failed', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(tradeId, e.userId, e.signalId, subscriptionId, QUEUE_UNAVAILABLE.messageCode, QUEUE_UNAVAILABLE.message, e.receivedAt, e.receivedAt);
}

function upsertTrade(d1: D1Database, t: TradeRow, e: QueuedSignal): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO trades (id, user_id, signal_id, subscription_id, status, message_code, message, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
       ON CONFLICT (id) DO UPDATE SET status = ?5, message_code = ?6, message = ?7, updated_at = ?9
       WHERE trades.updated_at <= ?9`, // never let an older copy overwrite a newer one
    )
    .bind(t.id, e.userId, t.signalId, e.subscription.id, t.status, t.messageCode, t.message, t.createdAt, t.updatedAt);
}

function upsertOrder(d1: D1Database, o: OrderRow, e: QueuedSignal): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO orders (id, user_id, trade_id, signal_id, subscription_id, connection_id, account_id, client_order_id,
         broker_order_id, ticker, side, quantity, type, time_in_force, limit_price, stop_price, trail_amount, trail_percent,
         status, filled_quantity, avg_fill_price, role, message, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)
       ON CONFLICT (client_order_id) DO UPDATE SET broker_order_id = ?9, limit_price = ?15, stop_price = ?16, status = ?19,
         filled_quantity = ?20, avg_fill_price = ?21, message = ?23, updated_at = ?25
       WHERE orders.updated_at <= ?25`,
    )
    .bind(
      o.id,
      e.userId,
      o.tradeId,
      o.signalId,
      e.subscription.id,
      e.connection.id,
      e.account.id,
      o.clientOrderId,
      o.brokerOrderId,
      o.ticker,
      o.side,
      o.quantity,
      o.type,
      o.timeInForce,
      o.limitPrice,
      o.stopPrice,
      o.trailAmount,
      o.trailPercent,
      o.status,
      o.filledQuantity,
      o.avgFillPrice,
      o.role,
      o.message,
      o.createdAt,
      o.updatedAt,
    );
}

/**
 * Trades the webhook logged as queued whose queue could not take the signal:
 * they become failed (`queue-unavailable`), visibly, instead of staying queued
 * forever. Only rows still `queued` change.
 */
export function markUnqueuedTrades(d1: D1Database, tradeIds: readonly string[], now: number): D1PreparedStatement[] {
  return tradeIds.map((id) =>
    d1
      .prepare(`UPDATE trades SET status = 'failed', message_code = ?, message = ?, updated_at = ? WHERE id = ? AND status = 'queued'`)
      .bind(QUEUE_UNAVAILABLE.messageCode, QUEUE_UNAVAILABLE.message, now, id),
  );
}
