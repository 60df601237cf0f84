/**
 * Performance from fills: replays the fills Tradeloop recorded (its order
 * read model: each order's filled quantity at its average fill price, at the
 * time of its last update) through one position per book and ticker, and
 * derives realized P&L, round trips (a "trade" is flat → position → flat),
 * win rate, an equity curve and its maximum drawdown.
 *
 * A book is whatever the caller groups by: an account (every strategy that
 * trades it) or a subscription (only the orders it placed). The module is
 * pure: no I/O, decimals through big.js, JSON numbers only in the report.
 *
 * Why round trips and not orders: a trader reads "10 trades, 60% won" as
 * positions opened and closed, and a reversal (long → short in one fill)
 * closes one trade and opens the next at the same fill price.
 *
 * @module
 */
import { Big, dec, toNumber } from "../../plugins/sdk/decimal";

/** One fill as the read model knows it. */
export interface Fill {
  /** The order the fill belongs to; breaks ties between fills at the same time. */
  orderId: string;
  /** Where the position lives (accountId or subscriptionId, as the caller groups). */
  book: string;
  /** The subscription that placed the order (its strategy opened the position). */
  subscriptionId: string;
  ticker: string;
  side: "buy" | "sell";
  /** Decimal string, > 0. */
  quantity: string;
  /** Decimal string, > 0. */
  price: string;
  /** Epoch milliseconds. */
  at: number;
}

/** A point of the equity curve: `time` in epoch seconds (what charts take), strictly increasing. */
export interface CurvePoint {
  time: number;
  value: number;
}

/** A position the fills leave open, with what it has realized so far. */
export interface ReplayedPosition {
  book: string;
  ticker: string;
  /** Signed: negative = short. */
  quantity: number;
  avgPrice: number;
  /** The subscription whose fill opened this position (from flat, or by reversing). */
  openedBySubscriptionId: string;
  openedAt: number;
}

/** Everything the performance screen shows. */
export interface PerformanceReport {
  realizedPnl: number;
  /** Closed round trips. */
  tradeCount: number;
  wins: number;
  losses: number;
  /** wins / tradeCount, 0..1; null before the first closed trade. */
  winRate: number | null;
  /** Largest peak-to-trough fall of the curve, ≥ 0, in money. */
  maxDrawdown: number;
  /** maxDrawdown as a fraction of the peak it fell from; null without a positive starting equity. */
  maxDrawdownPercent: number | null;
  fillCount: number;
  /** Starts at `startingEquity` a second before the first fill, then one point per second in which P&L was realized. */
  equityCurve: CurvePoint[];
  /** Realized P&L per book and ticker (`${book}\u0000${ticker}`), for the positions screen. */
  realizedByPosition: Map<string, number>;
  openPositions: ReplayedPosition[];
}

interface Book {
  quantity: Big;
  avgPrice: Big;
  realized: Big;
  /** P&L of the round trip in progress. */
  tripPnl: Big;
  openedBy: string;
  openedAt: number;
}

/** The key of a position in {@link PerformanceReport.realizedByPosition}. */
export function positionKey(book: string, ticker: string): string {
  return `${book}\u0000${ticker.toUpperCase()}`;
}

const ZERO = new Big(0);

function byTime(a: Fill, b: Fill): number {
  return a.at - b.at || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);
}

/**
 * Replays `fills` (any order; sorted here by time, then order id) and
 * reports. `startingEquity` is where the curve starts (a paper account's
 * starting cash; 0 for "P&L only").
 */
export function computePerformance(fills: readonly Fill[], startingEquity = 0): PerformanceReport {
  const books = new Map<string, Book>();
  let realized = ZERO;
  let trades = 0;
  let wins = 0;
  let losses = 0;
  const curve: CurvePoint[] = [];
  const sorted = [...fills].filter((f) => dec(f.quantity).gt(0)).sort(byTime);

  const closeTrip = (b: Book): void => {
    trades += 1;
    if (b.tripPnl.gt(0)) wins += 1;
    else if (b.tripPnl.lt(0)) losses += 1;
    b.tripPnl = ZERO;
  };
  const point = (at: number, value: Big): void => {
    const time = Math.floor(at / 1000);
    const last = curve.at(-1);
    // Charts need strictly increasing times: a second with several fills keeps its last value.
    if (last && last.time >= time) last.value = toNumber(value);
    else curve.push({ time, value: toNumber(value) });
  };

  const start = dec(startingEquity);
  /** Equity after every realizing fill, from the start. */
  const steps: number[] = sorted.length ? [toNumber(start)] : [];
  // The curve starts one second before the first fill, so a first trip closed within that second still shows as a move.
  if (sorted[0]) point(sorted[0].at - 1000, start);

  for (const f of sorted) {
    const key = positionKey(f.book, f.ticker);
    const b: Book = books.get(key) ?? { quantity: ZERO, avgPrice: ZERO, realized: ZERO, tripPnl: ZERO, openedBy: f.subscriptionId, openedAt: f.at };
    books.set(key, b);
    const price = dec(f.price);
    let remaining = dec(f.quantity);
    const direction = f.side === "buy" ? 1 : -1;
    let realizedHere = ZERO;

    // Against the position: close as much as it holds, at (price − average) per unit.
    if (!b.quantity.eq(0) && b.quantity.gt(0) !== direction > 0) {
      const held = b.quantity.abs();
      const closing = remaining.lt(held) ? remaining : held;
      const pnl = price.minus(b.avgPrice).times(closing).times(b.quantity.gt(0) ? 1 : -1);
      realizedHere = pnl;
      b.realized = b.realized.plus(pnl);
      b.tripPnl = b.tripPnl.plus(pnl);
      b.quantity = b.quantity.plus(closing.times(direction));
      remaining = remaining.minus(closing);
      if (b.quantity.eq(0)) {
        b.avgPrice = ZERO;
        closeTrip(b);
      }
    }
    // With the position (or from flat, or what is left after a reversal): average in.
    if (remaining.gt(0)) {
      if (b.quantity.eq(0)) {
        b.openedBy = f.subscriptionId;
        b.openedAt = f.at;
        b.tripPnl = ZERO;
      }
      const held = b.quantity.abs();
      b.avgPrice = b.avgPrice.times(held).plus(price.times(remaining)).div(held.plus(remaining));
      b.quantity = b.quantity.plus(remaining.times(direction));
    }
    if (!realizedHere.eq(0)) {
      realized = realized.plus(realizedHere);
      steps.push(toNumber(start.plus(realized)));
      point(f.at, start.plus(realized));
    }
  }

  // Drawdown over every step, not the per-second curve: moves within one second still count.
  let peak = steps[0] ?? 0;
  let maxDrawdown = 0;
  let maxDrawdownPercent: number | null = null;
  for (const value of steps) {
    if (value > peak) peak = value;
    const drop = peak - value;
    if (drop > maxDrawdown) {
      maxDrawdown = drop;
      // A percentage needs an equity to be a percentage of: P&L alone (starting at 0) has none.
      maxDrawdownPercent = startingEquity > 0 && peak > 0 ? drop / peak : null;
    }
  }

  const realizedByPosition = new Map<string, number>();
  const openPositions: ReplayedPosition[] = [];
  for (const [key, b] of books) {
    realizedByPosition.set(key, toNumber(b.realized));
    if (b.quantity.eq(0)) continue;
    const [book = "", ticker = ""] = key.split("\u0000");
    openPositions.push({ book, ticker, quantity: toNumber(b.quantity), avgPrice: toNumber(b.avgPrice), openedBySubscriptionId: b.openedBy, openedAt: b.openedAt });
  }

  return {
    realizedPnl: toNumber(realized),
    tradeCount: trades,
    wins,
    losses,
    winRate: trades === 0 ? null : wins / trades,
    maxDrawdown: Number(maxDrawdown.toFixed(8)),
    maxDrawdownPercent,
    fillCount: sorted.length,
    equityCurve: curve,
    realizedByPosition,
    openPositions,
  };
}

/** Unrealized P&L of a signed position at `mark`: (mark − average) × quantity. */
export function unrealizedPnl(quantity: number | string, avgPrice: number | string, mark: number | string): number {
  return toNumber(dec(mark).minus(dec(avgPrice)).times(dec(quantity)));
}
