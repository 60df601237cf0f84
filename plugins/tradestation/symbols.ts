/**
 * TradingView tickers ↔ TradeStation symbols. US stocks are the ticker
 * itself (`NASDAQ:AAPL` → `AAPL`); the exchange prefix means nothing here.
 *
 * @module
 */

/** The TradeStation symbol of a ticker. */
export function tradestationSymbol(ticker: string): string {
  const t = ticker.trim().toUpperCase();
  const colon = t.indexOf(":");
  return colon >= 0 ? t.slice(colon + 1) : t;
}
