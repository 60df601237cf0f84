/**
 * Positions and open orders across every account of a user, as the
 * positions screen shows them: the broker's positions (the truth) with a
 * mark price, unrealized P&L, the P&L realized from Tradeloop's fills, and
 * the strategy whose fill opened the position.
 *
 * Marks: a paper account marks at its ledger's last price; a broker that
 * quotes marks at the quote's mid (or last); otherwise at the last fill
 * Tradeloop saw for that ticker on the account, and says so (`markSource`).
 *
 * Every account is read on its own: one broker failing shows as that
 * account's error, never as a failed page.
 *
 * @module
 */
import { and, eq, inArray } from "drizzle-orm";
import { quoteMid, type Balance, type BrokerClient, type BrokerOrder, type Position } from "../../plugins/sdk";
import { dec, toNumber } from "../../plugins/sdk/decimal";
import { callBroker } from "../connections/broker-errors";
import { type AccountRow, type ConnectionRow, clientForConnection } from "../connections/store";
import type { Db } from "../db/client";
import { accounts, connections, orders, strategies, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { chunk } from "../lib/chunk";
import { costBasis, type CostBasisSource } from "./cost-basis";
import { loadFills } from "./fills";
import { PAPER_BROKER, paperAccount, paperPrices } from "./paper-controls";
import { computePerformance, positionKey, unrealizedPnl } from "./performance";

/** Where a mark price came from. */
export type MarkSource = "paper-price" | "quote" | "last-fill";

/** One position row of the screen. */
export interface PortfolioPosition {
  ticker: string;
  quantity: number;
  avgPrice: number;
  /** Where `avgPrice` comes from; null when no one knows the cost basis (then `avgPrice` is 0 and there is no unrealized P&L). */
  avgPriceSource: CostBasisSource | null;
  markPrice: number | null;
  markSource: MarkSource | null;
  marketValue: number | null;
  unrealizedPnl: number | null;
  realizedPnl: number;
  subscriptionId: string | null;
  strategyId: string | null;
}

/** One account of the screen. */
export interface PortfolioAccount {
  connectionId: string;
  connectionName: string;
  broker: string;
  accountId: string;
  accountName: string;
  mode: "paper" | "live";
  currency: string;
  paper: boolean;
  balance: Balance | null;
  positions: PortfolioPosition[];
  /** The broker's open orders, each with Tradeloop's record of it when Tradeloop placed it. */
  openOrders: { order: BrokerOrder; record: OrderRow | undefined; strategyId: string | null }[];
  realizedPnl: number;
  error: { messageCode: string; message: string } | null;
}

/** A row of Tradeloop's order read model. */
export type OrderRow = typeof orders.$inferSelect;

/** Tradeloop's records of the given broker orders (role, signal, subscription), by client order id. */
export async function orderRecords(db: Db, userId: string, accountId: string, open: readonly BrokerOrder[]): Promise<Map<string, OrderRow>> {
  const clientIds = open.map((o) => o.clientOrderId).filter((id): id is string => id !== null);
  const records = new Map<string, OrderRow>();
  // D1 allows 100 bound parameters per statement.
  for (const part of chunk(clientIds, 90)) {
    const rows = await db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.accountId, accountId), inArray(orders.clientOrderId, part)))
      .all();
    for (const r of rows) records.set(r.clientOrderId, r);
  }
  return records;
}

async function quoteMarks(client: BrokerClient, tickers: readonly string[]): Promise<Map<string, string>> {
  const marks = new Map<string, string>();
  const getQuote = client.getQuote?.bind(client);
  if (!getQuote) return marks;
  await Promise.all(
    tickers.map(async (t) => {
      // A quote is a nicety for the screen: a failed one leaves the mark to the last fill.
      const q = await getQuote(t, "stocks").catch(() => null);
      const m = q ? quoteMid(q) : null;
      if (m !== null) marks.set(t.toUpperCase(), m);
    }),
  );
  return marks;
}

function errorOf(e: unknown): { messageCode: string; message: string } {
  if (e instanceof AppError) return { messageCode: e.messageCode, message: e.message };
  return { messageCode: "broker-error", message: "The broker could not be read. Try again shortly." };
}

async function accountView(env: Env, db: Db, userId: string, connection: ConnectionRow, account: AccountRow, strategyOf: Map<string, string>): Promise<PortfolioAccount> {
  const paper = connection.broker === PAPER_BROKER;
  const base: PortfolioAccount = {
    connectionId: connection.id,
    connectionName: connection.name,
    broker: connection.broker,
    accountId: account.id,
    accountName: account.name,
    mode: account.mode === "live" ? "live" : "paper",
    currency: account.currency,
    paper,
    balance: null,
    positions: [],
    openOrders: [],
    realizedPnl: 0,
    error: null,
  };
  const label = `The broker (${connection.name})`;
  try {
    const client = await callBroker(label, () => clientForConnection(env, connection));
    const ledger = paper ? await callBroker(label, () => paperAccount(env, connection)) : null;
    const since = ledger?.reset_at ? Date.parse(ledger.reset_at) : undefined;
    const [balance, positions, open, fills, paperMarks] = await Promise.all([
      callBroker(label, () => client.getBalance(account.brokerAccountId)),
      callBroker(label, () => client.getPositions(account.brokerAccountId)),
      callBroker(label, () => client.getOpenOrders(account.brokerAccountId)),
      loadFills(db, { userId, accountId: account.id, ...(since !== undefined && { since }) }),
      paper ? callBroker(label, () => paperPrices(env, connection)) : Promise.resolve(new Map<string, string>()),
    ]);
    const report = computePerformance(fills);
    const lastFill = new Map(fills.map((f) => [f.ticker, f.price]));
    const quoted = paper ? new Map<string, string>() : await quoteMarks(client, positions.map((p) => p.ticker));
    const opener = new Map(report.openPositions.map((p) => [p.ticker, p]));
    const records = await orderRecords(db, userId, account.id, open);

    base.balance = balance;
    base.realizedPnl = report.realizedPnl;
    base.positions = positions.map((p: Position) => {
      const ticker = p.ticker.toUpperCase();
      const [mark, source]: [string | null, MarkSource | null] = paperMarks.has(ticker)
        ? [paperMarks.get(ticker) ?? null, "paper-price"]
        : quoted.has(ticker)
          ? [quoted.get(ticker) ?? null, "quote"]
          : lastFill.has(ticker)
            ? [lastFill.get(ticker) ?? null, "last-fill"]
            : [null, null];
      const replayed = opener.get(ticker);
      // The opener is known only when Tradeloop's fills hold a position on the same side.
      const sameSide = replayed && Math.sign(replayed.quantity) === Math.sign(toNumber(p.quantity));
      const subscriptionId = sameSide ? replayed.openedBySubscriptionId : null;
      // Spot crypto venues report no cost basis (average price 0): Tradeloop's own fills stand in when they hold it all.
      const basis = costBasis(p, replayed);
      return {
        ticker: p.ticker,
        quantity: toNumber(p.quantity),
        avgPrice: basis === null ? 0 : toNumber(basis.avgPrice),
        avgPriceSource: basis?.source ?? null,
        markPrice: mark === null ? null : toNumber(mark),
        markSource: source,
        marketValue: mark === null ? null : toNumber(dec(mark).times(p.quantity)),
        unrealizedPnl: mark === null || basis === null ? null : unrealizedPnl(p.quantity, basis.avgPrice, mark),
        realizedPnl: report.realizedByPosition.get(positionKey(account.id, ticker)) ?? 0,
        subscriptionId,
        strategyId: subscriptionId ? (strategyOf.get(subscriptionId) ?? null) : null,
      };
    });
    base.openOrders = open.map((order) => {
      const record = order.clientOrderId ? records.get(order.clientOrderId) : undefined;
      return { order, record, strategyId: record ? (strategyOf.get(record.subscriptionId) ?? null) : null };
    });
  } catch (e) {
    base.error = errorOf(e);
  }
  return base;
}

/** Every account of `userId` with its balance, positions and open orders. */
export async function portfolioOverview(env: Env, db: Db, userId: string): Promise<PortfolioAccount[]> {
  const [connectionRows, accountRows, subscriptionRows, strategyRows] = await Promise.all([
    db.select().from(connections).where(eq(connections.userId, userId)).orderBy(connections.createdAt).all(),
    db.select().from(accounts).where(eq(accounts.userId, userId)).orderBy(accounts.createdAt).all(),
    db.select({ id: subscriptions.id, strategyId: subscriptions.strategyId }).from(subscriptions).where(eq(subscriptions.userId, userId)).all(),
    db.select({ id: strategies.id }).from(strategies).where(eq(strategies.userId, userId)).all(),
  ]);
  const liveStrategies = new Set(strategyRows.map((s) => s.id));
  const strategyOf = new Map(subscriptionRows.filter((s) => liveStrategies.has(s.strategyId)).map((s) => [s.id, s.strategyId]));
  const views = connectionRows.flatMap((c) => accountRows.filter((a) => a.connectionId === c.id).map((a) => accountView(env, db, userId, c, a, strategyOf)));
  return Promise.all(views);
}
