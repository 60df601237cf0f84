/**
 * Copies the queue's trades and orders into D1, where the API and the
 * dashboard read them. The queue's SQLite is the truth; this copy may lag
 * (D1 down, eviction) but always catches up, because every row carries a
 * version and only a successful D1 write advances `synced_version`.
 *
 * @module
 */
import { sql } from "drizzle-orm";
import { getDb, type Db } from "../db/client";
import * as schema from "../db/schema";
import type { QueuedSignal } from "./envelope";
import type { OrderRow, QueueStore, TradeRow } from "./queue-store";

/** Writes every unsynced row in one D1 batch. Throws if D1 fails; rows stay unsynced. */
export async function syncReadModel(d1: D1Database, store: QueueStore): Promise<number> {
  const trades = store.unsyncedTrades();
  const orders = store.unsyncedOrders();
  const logs = store.signalsNeedingLog();
  if (trades.length === 0 && orders.length === 0 && logs.length === 0) return 0;

  const db = getDb(d1);
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

  // A trade's first copy carries its signal's log row too (insert-or-ignore): if the
  // webhook could not write it (D1 was down), the log catches up here, for free.
  const firstSync = new Set(trades.filter((t) => t.syncedVersion === 0).map((t) => t.signalId));
  const statements = [
    ...[...firstSync].map((signalId) => insertSignalLog(db, envelopeOf(signalId))),
    ...logs.flatMap(({ envelope, unqueued }) => [
      insertSignalLog(db, envelope),
      ...unqueued.map((u) =>
        db
          .insert(schema.trades)
          .values({
            id: u.tradeId,
            userId: envelope.userId,
            signalId: envelope.signalId,
            subscriptionId: u.subscriptionId,
            status: "failed",
            messageCode: "queue-unavailable",
            message: "Tradeloop could not queue this signal for the subscription, so no order was sent. Send the alert again.",
            createdAt: envelope.receivedAt,
            updatedAt: envelope.receivedAt,
          })
          .onConflictDoNothing(),
      ),
    ]),
    ...trades.map((t) => upsertTrade(db, t, envelopeOf(t.signalId))),
    ...orders.map((o) => upsertOrder(db, o, envelopeOf(o.signalId))),
  ];
  const [first, ...rest] = statements;
  if (!first) return 0;
  await db.batch([first, ...rest]);

  // Only now is the copy durable; rows changed meanwhile keep a higher version and sync next time.
  for (const t of trades) store.markTradeSynced(t.id, t.version);
  for (const o of orders) store.markOrderSynced(o.clientOrderId, o.version);
  store.clearLogNeeded(logs.map((l) => l.envelope.signalId));
  return statements.length;
}


function insertSignalLog(db: Db, e: QueuedSignal) {
  return db.insert(schema.signals).values({ ...e.logRow, messageCode: null, message: null }).onConflictDoNothing();
}

function upsertTrade(db: Db, t: TradeRow, e: QueuedSignal) {
  return db
    .insert(schema.trades)
    .values({
      id: t.id,
      userId: e.userId,
      signalId: t.signalId,
      subscriptionId: e.subscription.id,
      status: t.status,
      messageCode: t.messageCode,
      message: t.message,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    })
    .onConflictDoUpdate({
      target: schema.trades.id,
      set: { status: t.status, messageCode: t.messageCode, message: t.message, updatedAt: t.updatedAt },
      // Never let an older copy overwrite a newer one.
      setWhere: sql`${schema.trades.updatedAt} <= ${t.updatedAt}`,
    });
}

function upsertOrder(db: Db, o: OrderRow, e: QueuedSignal) {
  const row = {
    brokerOrderId: o.brokerOrderId,
    status: o.status,
    filledQuantity: o.filledQuantity,
    avgFillPrice: o.avgFillPrice,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    message: o.message,
    updatedAt: o.updatedAt,
  };
  return db
    .insert(schema.orders)
    .values({
      id: o.id,
      userId: e.userId,
      tradeId: o.tradeId,
      signalId: o.signalId,
      subscriptionId: e.subscription.id,
      connectionId: e.connection.id,
      accountId: e.account.id,
      clientOrderId: o.clientOrderId,
      ticker: o.ticker,
      side: o.side,
      quantity: o.quantity,
      type: o.type,
      timeInForce: o.timeInForce,
      trailAmount: o.trailAmount,
      trailPercent: o.trailPercent,
      role: o.role,
      createdAt: o.createdAt,
      ...row,
    })
    .onConflictDoUpdate({
      target: schema.orders.clientOrderId,
      set: row,
      setWhere: sql`${schema.orders.updatedAt} <= ${o.updatedAt}`,
    });
}
