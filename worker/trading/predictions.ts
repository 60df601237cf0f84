/**
 * Prediction-market outcomes (asset class `predictions`, e.g. Polymarket):
 * a ticker names one outcome of one market, `<MARKET>:<OUTCOME>`, where
 * MARKET is the market's slug (`WILL-THE-FED-CUT-IN-DECEMBER`) or its
 * numeric market id, and OUTCOME is the outcome as the market names it
 * (`YES`, `NO`, or a name such as `LAKERS`). A share of an outcome pays 1
 * (one unit of the market's collateral) if it happens, else 0, so every
 * price is a probability strictly between 0 and 1, and quantities are
 * shares. Sizing works as for any instrument: `dollar_amount` 50 at 0.25
 * buys 200 shares.
 *
 * The checks here are the ones the core can make without the broker: the
 * ticker's form and that every absolute price the signal sends is a
 * probability. The market's own tick (0.01 or 0.001) and minimum size come
 * from the broker (the plugin's instrument rules) and are applied before the
 * order is sent.
 *
 * @module
 */
import { Big } from "../../plugins/sdk/decimal";
import type { Signal } from "./signal-schema";
import { reject } from "./reject";

/** `<market slug or id>:<outcome>`, upper-cased as every ticker is. */
const PREDICTION = /^([A-Z0-9][A-Z0-9-]{0,119}):([A-Z0-9][A-Z0-9 .-]{0,59})$/;

/** The market and the outcome of a prediction ticker, or null when the ticker is not one. */
export function parsePredictionTicker(ticker: string): { market: string; outcome: string } | null {
  const m = PREDICTION.exec(ticker);
  return m?.[1] && m[2] ? { market: m[1], outcome: m[2] } : null;
}

/** The absolute prices a signal may carry, with the field each came from. */
function absolutePrices(signal: Signal): [string, string | undefined][] {
  return [
    ["signalPrice", signal.signalPrice],
    ["limitPrice", signal.limitPrice],
    ["stopPrice", signal.stopPrice],
    ["takeProfit.limitPrice", signal.takeProfit?.limitPrice],
    ["stopLoss.stopPrice", signal.stopLoss?.stopPrice],
    ["stopLoss.limitPrice", signal.stopLoss?.limitPrice],
  ];
}

/**
 * Rejects (`invalid-probability-price`) a prediction signal whose absolute
 * prices are not probabilities: each must be above 0 and below 1.
 */
export function checkPredictionPrices(signal: Signal): void {
  for (const [field, price] of absolutePrices(signal)) {
    if (price === undefined) continue;
    const p = new Big(price);
    if (p.lte(0) || p.gte(1)) {
      reject(
        "invalid-probability-price",
        `"${field}" is ${price}, but a prediction-market price is a probability between 0 and 1 (e.g. 0.35 for 35%); send it as a fraction.`,
        field,
      );
    }
  }
}
