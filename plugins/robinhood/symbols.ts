/**
 * TradingView-style tickers ↔ Robinhood crypto trading pairs.
 *
 * Robinhood trades crypto against USD only and names pairs `BASE-USD`
 * (`BTC-USD`), always upper case. TradingView writes `BTCUSD`, sometimes with
 * an exchange prefix (`ROBINHOOD:BTCUSD`, `COINBASE:BTCUSD`).
 *
 * @module
 */
import { BrokerError, type AssetClass } from "../sdk";

/** The only quote currency Robinhood Crypto trades against. */
export const QUOTE = "USD";

function refuse(ticker: string, why: string): BrokerError {
  return new BrokerError(`${ticker} cannot be traded at Robinhood Crypto: ${why}`, { code: "invalid-symbol", kind: "rejected" });
}

/** `BTCUSD` → `BTC-USD`; `BTC-USD` and `BTC/USD` pass through normalized. */
export function robinhoodSymbol(ticker: string, assetClass: AssetClass): string {
  if (assetClass !== "crypto") throw refuse(ticker, "the Crypto Trading API trades crypto only.");
  const bare = ticker.trim().toUpperCase().replace(/^[A-Z0-9_]+:/, "");
  const split = bare.match(/^([A-Z0-9]+)[-/]([A-Z0-9]+)$/);
  const [base, quote] = split ? [split[1] ?? "", split[2] ?? ""] : [bare.slice(0, -QUOTE.length), bare.slice(-QUOTE.length)];
  if (!/^[A-Z0-9]+$/.test(bare.replace(/[-/]/, "")) || base === "" || quote !== QUOTE) {
    throw refuse(ticker, "Robinhood trades crypto against USD only, e.g. BTCUSD.");
  }
  return `${base}-${QUOTE}`;
}

/** `BTC-USD` → `BTCUSD`. */
export function tickerFromSymbol(symbol: string): string {
  return symbol.replace("-", "");
}
