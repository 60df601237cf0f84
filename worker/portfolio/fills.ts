/**
 * Reads fills out of Tradeloop's order read model (D1 `orders`): every order
 * with a filled quantity and an average fill price is one fill, timed at the
 * order's last update. Only orders Tradeloop placed are known; a trade made
 * by hand at the broker is not in here, and the screens say so.
 *
 * @module
 */
import { and, eq, gt, isNotNull, ne } from "drizzle-orm";
import type { Db } from "../db/client";
import { orders } from "../db/schema";
import type { Fill } from "./performance";

/** Which orders to read, and what a "book" (one position per ticker) is. */
export interface FillScope {
  userId: string;
  accountId?: string;
  subscriptionId?: string;
  /** Epoch ms: fills before it are left out (a paper account's last reset). */
  since?: number;
  /** Group positions by account (default) or by the subscription that placed each order. */
  bookBy?: "account" | "subscription";
}

/** The scope's fills, oldest first. */
export async function loadFills(db: Db, scope: FillScope): Promise<Fill[]> {
  const rows = await db
    .select({
      id: orders.id,
      accountId: orders.accountId,
      subscriptionId: orders.subscriptionId,
      ticker: orders.ticker,
      side: orders.side,
      filledQuantity: orders.filledQuantity,
      avgFillPrice: orders.avgFillPrice,
      updatedAt: orders.updatedAt,
    })
    .from(orders)
    .where(
      and(
        eq(orders.userId, scope.userId),
        scope.accountId ? eq(orders.accountId, scope.accountId) : undefined,
        scope.subscriptionId ? eq(orders.subscriptionId, scope.subscriptionId) : undefined,
        scope.since !== undefined ? gt(orders.updatedAt, scope.since) : undefined,
        ne(orders.filledQuantity, "0"),
        isNotNull(orders.avgFillPrice),
      ),
    )
    .orderBy(orders.updatedAt)
    .all();
  return rows.map((r) => ({
    orderId: r.id,
    book: scope.bookBy === "subscription" ? r.subscriptionId : r.accountId,
    subscriptionId: r.subscriptionId,
    ticker: r.ticker.toUpperCase(),
    side: r.side === "sell" ? "sell" : "buy",
    quantity: r.filledQuantity,
    price: r.avgFillPrice ?? "0",
    at: r.updatedAt,
  }));
}
