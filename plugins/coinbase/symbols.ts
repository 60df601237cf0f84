/**
 * TradingView-style tickers ↔ Coinbase product ids.
 *
 * Coinbase names spot products `BASE-QUOTE` (`BTC-USD`, `ETH-USDC`).
 * TradingView writes the pair glued together (`BTCUSD`), sometimes with an
 * exchange prefix (`COINBASE:BTCUSD`). The quote currency is found by the
 * longest known suffix, so `BTCUSDC` is `BTC-USDC`, not `BTCU-SDC`.
 *
 * @module
 */
import { BrokerError, type AssetClass } from "../sdk";

/** Quote currencies Coinbase lists spot books in, longest first so `USDC` wins over `USD`. */
const QUOTES = ["USDC", "USDT", "EURC", "USD", "EUR", "GBP", "BTC", "ETH", "DAI", "SOL"] as const;

/** The fiat currency Tradeloop values Coinbase accounts in. */
export const CASH_CURRENCY = "USD";

function unsupported(ticker: string, why: string): BrokerError {
  return new BrokerError(`${ticker} cannot be traded at Coinbase: ${why}`, { code: "invalid-symbol", kind: "rejected" });
}

/**
 * Maps a ticker to a Coinbase product id: `BTCUSD` → `BTC-USD`. Already
 * dashed ids (`BTC-USD`) and slashed pairs (`BTC/USD`) pass through normalized.
 */
export function coinbaseSymbol(ticker: string, assetClass: AssetClass): string {
  if (assetClass !== "crypto") throw unsupported(ticker, "Coinbase Advanced Trade only trades crypto spot.");
  const bare = ticker.trim().toUpperCase().replace(/^[A-Z0-9_]+:/, "");
  const split = bare.match(/^([A-Z0-9]+)[-/]([A-Z0-9]+)$/);
  if (split?.[1] && split[2]) return `${split[1]}-${split[2]}`;
  if (!/^[A-Z0-9]+$/.test(bare)) throw unsupported(ticker, "expected a pair such as BTCUSD.");
  for (const quote of QUOTES) {
    if (bare.length > quote.length && bare.endsWith(quote)) return `${bare.slice(0, -quote.length)}-${quote}`;
  }
  throw unsupported(ticker, `its quote currency is not one of ${QUOTES.join(", ")}.`);
}

/** Maps a Coinbase product id back to Tradeloop's ticker form: `BTC-USD` → `BTCUSD`. */
export function tickerFromProduct(productId: string): string {
  return productId.replace("-", "");
}

/** The base currency of a product id: `BTC-USD` → `BTC`. */
export function baseCurrency(productId: string): string {
  return productId.split("-")[0] ?? productId;
}
