/**
 * TradingView-style tickers ↔ Binance Spot symbols.
 *
 * Binance has no USD books, so a `...USD` ticker means the USDT book
 * (`BTCUSD` → `BTCUSDT`), and a USDT symbol reads back as `...USD`. Tickers
 * that already name a Binance quote (`BTCUSDT`, `ETHBTC`, `SOLFDUSD`) pass
 * through. An exchange prefix (`BINANCE:BTCUSDT`) and separators (`BTC/USDT`,
 * `BTC-USDT`) are dropped.
 *
 * @module
 */
import { BrokerError, type AssetClass } from "../sdk";

/** Quote assets a ticker may end with, longest first so `FDUSD` wins over `USD`. */
const QUOTES = ["FDUSD", "USDT", "USDC", "TUSD", "BUSD", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL", "JPY"] as const;

function clean(ticker: string): string {
  const bare = ticker.includes(":") ? ticker.slice(ticker.lastIndexOf(":") + 1) : ticker;
  return bare.replace(/[/\-_ ]/g, "").toUpperCase();
}

/** Maps a ticker to the Binance symbol. Throws an `invalid-symbol` BrokerError for other asset classes. */
export function binanceSymbol(ticker: string, assetClass: AssetClass): string {
  if (assetClass !== "crypto") {
    throw new BrokerError(`Binance Spot trades crypto only; ${ticker} is ${assetClass}.`, { code: "invalid-symbol", kind: "unsupported" });
  }
  const t = clean(ticker);
  if (QUOTES.some((q) => t.endsWith(q) && t.length > q.length)) return t;
  if (t.endsWith("USD") && t.length > 3) return `${t.slice(0, -3)}USDT`;
  return t;
}

/** Splits a symbol into base and quote (null quote if no known quote matches). */
export function splitSymbol(symbol: string): { base: string; quote: string | null } {
  for (const q of QUOTES) {
    if (symbol.endsWith(q) && symbol.length > q.length) return { base: symbol.slice(0, -q.length), quote: q };
  }
  return { base: symbol, quote: null };
}

/** Reads a Binance symbol back as the ticker Tradeloop uses (`BTCUSDT` → `BTCUSD`). */
export function tickerFromSymbol(symbol: string): string {
  const { base, quote } = splitSymbol(symbol);
  return quote === "USDT" ? `${base}USD` : symbol;
}

/** The ticker of a spot holding of `asset` counted in `quoteAsset`. */
export function tickerForAsset(asset: string, quoteAsset: string): string {
  return tickerFromSymbol(`${asset}${quoteAsset}`);
}
