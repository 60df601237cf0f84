/**
 * Price and quantity rounding.
 *
 * Prices go to the instrument's tick. Following TradersPost, sells round up
 * and buys round down (a sell at 1.07375 with tick 0.0001 becomes 1.0738),
 * which never gives the trader a worse limit than asked. The same rule is
 * applied to stop prices, so one rule covers every leg.
 *
 * Quantities round down (never trade more than asked) to the instrument's
 * step: whole units unless fractional trading is allowed.
 *
 * @module
 */
import { Big, type Decimal } from "../../plugins/sdk/decimal";
import type { OrderSide } from "../../plugins/sdk/models";
import type { Instrument } from "./tickers";

/**
 * The tick for an instrument at a price. Stocks: $0.01 at or above $1,
 * $0.0001 below (Reg NMS sub-penny rule). Crypto: $0.01 at or above $1,
 * 0.00000001 below. Prediction markets: 0.01 unless the broker says finer.
 * Others use the instrument's fixed tick.
 */
export function tickSizeFor(instrument: Instrument, price: Big, override?: Decimal): Big {
  if (override !== undefined) return new Big(override);
  if (instrument.tickSize !== null) return new Big(instrument.tickSize);
  if (instrument.assetClass === "crypto") return new Big(price.gte(1) ? "0.01" : "0.00000001");
  // Most prediction markets tick in cents; finer ones (0.001) come from the broker's rules.
  if (instrument.assetClass === "predictions") return new Big("0.01");
  return new Big(price.gte(1) ? "0.01" : "0.0001");
}

/** Rounds a price to a multiple of `tick`: up for sells, down for buys. */
export function roundPriceForSide(price: Big, tick: Big, side: OrderSide): Big {
  const units = price.div(tick).round(0, side === "sell" ? Big.roundUp : Big.roundDown);
  return units.times(tick);
}

/** Rounds a price for an order of `side` on `instrument`. */
export function roundPrice(price: Big, instrument: Instrument, side: OrderSide, tickOverride?: Decimal): Big {
  return roundPriceForSide(price, tickSizeFor(instrument, price, tickOverride), side);
}

/** Rounds a quantity down to a multiple of `step`. */
export function floorToStep(quantity: Big, step: Big): Big {
  return quantity.div(step).round(0, Big.roundDown).times(step);
}

/** Step for fractional quantities: stocks to 1e-6 shares, crypto to 1e-8 units. */
const FRACTIONAL_STEP: Readonly<Partial<Record<Instrument["assetClass"], string>>> = {
  stocks: "0.000001",
  crypto: "0.00000001",
  // Prediction-market shares trade in hundredths (Polymarket rounds sizes to 2 places).
  predictions: "0.01",
};

/**
 * The quantity step: whole units, unless the subscription allows fractional
 * quantities, the asset class can be fractional (stocks, crypto), and the
 * broker supports it.
 */
export function quantityStep(instrument: Instrument, allowFractional: boolean, brokerFractional: boolean): Big {
  const fractional = FRACTIONAL_STEP[instrument.assetClass];
  return allowFractional && brokerFractional && fractional !== undefined ? new Big(fractional) : new Big(1);
}
