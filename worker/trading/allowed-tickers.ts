/**
 * Allowed-ticker lists, per strategy and per subscription. An entry matches
 * the exact ticker, a futures root (`MNQ` allows `MNQU2025` and `MNQ1!`), an
 * option's underlying (`SPY` allows `SPY 250624C596`), and crypto/forex pairs
 * with or without separators (`BTC/USD` = `BTCUSD`).
 *
 * @module
 */
import { reject } from "./reject";
import type { Instrument } from "./tickers";

const compact = (s: string) => s.trim().toUpperCase().replace(/[\s/\-_]/g, "");

/** True when `list` is null (any ticker) or one of its entries matches. */
export function isTickerAllowed(list: readonly string[] | null | undefined, instrument: Instrument, signalTicker: string): boolean {
  if (list === null || list === undefined) return true;
  const candidates = new Set([instrument.ticker, instrument.root, signalTicker].map(compact));
  return list.some((entry) => candidates.has(compact(entry)));
}

/** Rejects with `unsupported-ticker` when the strategy or the subscription does not allow the ticker. */
export function checkAllowedTickers(
  instrument: Instrument,
  signalTicker: string,
  strategyList: readonly string[] | null | undefined,
  subscriptionList: readonly string[] | null | undefined,
): void {
  if (!isTickerAllowed(strategyList, instrument, signalTicker)) {
    reject(
      "unsupported-ticker",
      `"${signalTicker}" is not in this strategy's allowed tickers (${(strategyList ?? []).join(", ") || "none"}); add it to the strategy or allow any ticker.`,
      "ticker",
    );
  }
  if (!isTickerAllowed(subscriptionList, instrument, signalTicker)) {
    reject(
      "unsupported-ticker",
      `"${signalTicker}" is not in this subscription's "allowedTickers" (${(subscriptionList ?? []).join(", ") || "none"}); add it, or set "allowedTickers" to null to follow the strategy.`,
      "ticker",
    );
  }
}
