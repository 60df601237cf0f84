/**
 * A position's cost basis when the broker reports none. Spot crypto venues
 * (Binance, Kraken, Coinbase, Robinhood crypto) hold balances, not positions
 * with an entry price, and their plugins report an average price of 0;
 * shown as is, the whole market value would read as unrealized profit.
 *
 * Tradeloop's own fills on the account (the same replay the performance
 * screen uses) know the average price of what Tradeloop bought. They stand
 * for the cost basis only when they account for the whole holding (same
 * side, same quantity): a holding partly bought elsewhere has a cost basis
 * no one here knows, and says so (null) rather than guess.
 *
 * @module
 */
import { dec, toDecimal, type Decimal } from "../../plugins/sdk/decimal";

/** Where a position's average price comes from. */
export type CostBasisSource = "broker" | "fills";

/** The average price to value a position at, and where it came from; null when unknown. */
export function costBasis(
  broker: { quantity: Decimal; avgPrice: Decimal },
  replayed: { quantity: number; avgPrice: number } | undefined,
): { avgPrice: Decimal; source: CostBasisSource } | null {
  if (!dec(broker.avgPrice).eq(0)) return { avgPrice: broker.avgPrice, source: "broker" };
  if (replayed === undefined || !(replayed.avgPrice > 0)) return null;
  // The replay's quantity is a number (the screen's unit); compare it on the decimal grid of the broker's.
  if (!dec(broker.quantity).eq(dec(String(replayed.quantity)))) return null;
  return { avgPrice: toDecimal(String(replayed.avgPrice)), source: "fills" };
}
