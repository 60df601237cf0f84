/**
 * Whether a broker's position or open order is for the instrument a signal
 * trades. Tickers are compared the way the broker spells them: two tickers
 * are one position exactly when the connection's plugin maps both to the
 * same venue symbol. The decision about `BTCUSDT` and `BTCUSD`, on purpose:
 *
 * - a USDT pair and a USD pair are different books with different quote
 *   currencies (USDT is not USD: its own balance, its own price, its own
 *   de-peg risk), so they are different positions wherever the venue lists
 *   both (Kraken `XBTUSD`/`XBTUSDT`, Coinbase `BTC-USD`/`BTC-USDT`);
 * - they are one position where the venue itself makes them one book:
 *   Binance Spot has no USD book, and its plugin trades `BTCUSD` on
 *   `BTCUSDT` (reporting the holding back as `BTCUSD`), so an alert for
 *   either reads and closes the same holding.
 *
 * Spelling alone never separates a position: case and separators (`btc/usd`,
 * `BTC-USD`) are the same ticker for the asset classes whose tickers carry
 * them (crypto, forex).
 *
 * @module
 */
import type { AssetClass, BrokerPlugin } from "../../plugins/sdk";

/** Upper case; for crypto and forex also without the separators traders write (`BTC/USD` = `BTCUSD`). */
function spelled(ticker: string, assetClass: AssetClass): string {
  const upper = ticker.trim().toUpperCase();
  return assetClass === "crypto" || assetClass === "forex" ? upper.replace(/[/\-_ ]/g, "") : upper;
}

/** The venue symbol of a ticker, or null when the plugin cannot map it (then only the spelling decides). */
function venueSymbol(plugin: BrokerPlugin | undefined, ticker: string, assetClass: AssetClass): string | null {
  if (!plugin) return null;
  try {
    return plugin.symbol(ticker, assetClass);
  } catch {
    return null;
  }
}

/**
 * A test for "is `other` the instrument `ticker` trades at this broker?",
 * for the positions and open orders the broker reports.
 */
export function instrumentMatcher(plugin: BrokerPlugin | undefined, ticker: string, assetClass: AssetClass): (other: string) => boolean {
  const mine = spelled(ticker, assetClass);
  const symbol = venueSymbol(plugin, ticker, assetClass);
  return (other) => {
    if (other === ticker || spelled(other, assetClass) === mine) return true;
    return symbol !== null && venueSymbol(plugin, other, assetClass) === symbol;
  };
}
