/**
 * Profit and loss from a subscription's own fills: average-cost lots per
 * ticker, realized P&L when a fill reduces a lot, unrealized P&L of what is
 * left at a mark. Pure, and decimal throughout (big.js; only an average
 * cost's division rounds, at 18 places): the same fills always give the
 * same figures, with no float error to blur a limit's edge.
 *
 * Average cost is what brokers show for a position and what a trader reads
 * as "my entry"; realized P&L of a partial exit is then (exit price − average
 * cost) × quantity × point value, and a fill that crosses zero (a flip in one
 * order) closes the old lot completely and opens the new one at the fill's
 * price.
 *
 * Fills arrive as progress of an order: the broker reports its cumulative
 * filled quantity and the average price of everything filled so far. The
 * fill since the last report is the difference, priced so that the two
 * averages agree ({@link fillDelta}).
 *
 * @module
 */
import { Big, toDecimal } from "../../plugins/sdk/decimal";
import type { Decimal } from "../../plugins/sdk/decimal";
import type { OrderSide } from "../../plugins/sdk/models";

/** A ticker's open lot: signed quantity (negative = short) and its average cost. */
export interface Lot {
  quantity: Decimal;
  avgPrice: Decimal;
}

/** One fill: a quantity (positive) bought or sold at a price. */
export interface Fill {
  side: OrderSide;
  quantity: Decimal;
  price: Decimal;
  /** Dollars per point per unit (1 for shares, 100 for an option, 2 for MNQ...). */
  pointValue: Decimal;
}

export const FLAT: Lot = { quantity: "0", avgPrice: "0" };

/**
 * Applies a fill to a lot: the lot after it, and the P&L the fill realized
 * (positive = profit, in the account's currency).
 */
export function applyFill(lot: Lot, fill: Fill): { lot: Lot; realized: Decimal } {
  const held = new Big(lot.quantity);
  const avg = new Big(lot.avgPrice);
  const qty = new Big(fill.quantity);
  const price = new Big(fill.price);
  const signed = fill.side === "buy" ? qty : qty.times(-1);
  const after = held.plus(signed);
  // Same direction (or from flat): the lot grows, its average moves.
  if (held.eq(0) || held.gt(0) === signed.gt(0)) {
    const cost = held.abs().times(avg).plus(qty.times(price));
    return { lot: { quantity: toDecimal(after), avgPrice: after.eq(0) ? "0" : toDecimal(cost.div(after.abs())) }, realized: "0" };
  }
  // Opposite direction: the part up to the lot's size closes at the average; the rest opens a new lot.
  const closed = qty.lt(held.abs()) ? qty : held.abs();
  const perUnit = held.gt(0) ? price.minus(avg) : avg.minus(price);
  const realized = perUnit.times(closed).times(fill.pointValue);
  if (after.eq(0)) return { lot: FLAT, realized: toDecimal(realized) };
  const flipped = after.gt(0) !== held.gt(0);
  return { lot: { quantity: toDecimal(after), avgPrice: flipped ? toDecimal(price) : lot.avgPrice }, realized: toDecimal(realized) };
}

/**
 * The fill between two reports of one order: `before` and `after` are the
 * cumulative filled quantity and average fill price. Null when nothing new
 * filled (or the report went backwards, which a broker should never do).
 */
export function fillDelta(
  before: { filledQuantity: Decimal; avgFillPrice: Decimal | null },
  after: { filledQuantity: Decimal; avgFillPrice: Decimal | null },
): { quantity: Decimal; price: Decimal } | null {
  const a = new Big(before.filledQuantity);
  const b = new Big(after.filledQuantity);
  if (!b.gt(a) || after.avgFillPrice === null) return null;
  const total = b.times(after.avgFillPrice);
  const earlier = a.eq(0) || before.avgFillPrice === null ? new Big(0) : a.times(before.avgFillPrice);
  const quantity = b.minus(a);
  return { quantity: toDecimal(quantity), price: toDecimal(total.minus(earlier).div(quantity)) };
}

/** Unrealized P&L of a lot at `mark` (0 for a flat lot). */
export function unrealized(lot: Lot, mark: Decimal, pointValue: Decimal): Decimal {
  const held = new Big(lot.quantity);
  if (held.eq(0)) return "0";
  return toDecimal(new Big(mark).minus(lot.avgPrice).times(held).times(pointValue));
}
