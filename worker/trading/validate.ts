/**
 * Strategy-level checks of a parsed signal, for the webhook route: the
 * ticker's form for the strategy's asset class, the strategy's allowed
 * tickers, and the quantity types the asset class refuses. TradersPost
 * answers these with a 400, and so can Tradeloop; `decide()` repeats them
 * per subscription (which may narrow allowed tickers further).
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk/models";
import type { Signal } from "./signal-schema";
import { checkAllowedTickers } from "./allowed-tickers";
import { Rejected, reject } from "./reject";
import { checkPredictionPrices } from "./predictions";
import { FUTURES_REFUSED_TYPES } from "./sizing";
import { resolveInstrument, type Instrument } from "./tickers";

export type StrategyCheck =
  | { ok: true; instrument: Instrument }
  | { ok: false; messageCode: string; message: string; field?: string };

/**
 * Checks a signal against its strategy. Pure and never throws.
 *
 * @param now - the receive time (continuous futures map to the front month of that day)
 */
export function validateSignalForStrategy(
  signal: Signal,
  strategy: { assetClass: AssetClass; allowedTickers: readonly string[] | null },
  now: Date,
): StrategyCheck {
  try {
    const instrument = resolveInstrument(signal, strategy.assetClass, now);
    checkAllowedTickers(instrument, signal.ticker, strategy.allowedTickers, null);
    if (strategy.assetClass === "futures" && signal.quantityType && FUTURES_REFUSED_TYPES.has(signal.quantityType)) {
      reject(
        "invalid-quantity-type-for-asset-class",
        `Futures cannot be sized by "${signal.quantityType}"; send "quantityType": "fixed_quantity" (contracts), or "percent_of_position" for exits.`,
        "quantityType",
      );
    }
    if (strategy.assetClass === "predictions") checkPredictionPrices(signal);
    if (signal.extendedHours === true && strategy.assetClass !== "stocks" && strategy.assetClass !== "options") {
      reject("invalid-extended-hours", `"extendedHours" only applies to stocks and options, and this strategy trades ${strategy.assetClass}; remove "extendedHours".`, "extendedHours");
    }
    return { ok: true, instrument };
  } catch (err) {
    if (err instanceof Rejected) {
      const { messageCode, message, field } = err.rejection;
      return field === undefined ? { ok: false, messageCode, message } : { ok: false, messageCode, message, field };
    }
    return { ok: false, messageCode: "ticker-does-not-exist", message: `"${signal.ticker}" could not be checked for this strategy.`, field: "ticker" };
  }
}
