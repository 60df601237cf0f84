/**
 * TradingView-style tickers ↔ OANDA instrument names.
 *
 * OANDA names every instrument `BASE_QUOTE` (`EUR_USD`, `USD_JPY`, and CFDs
 * such as `XAU_USD` or `SPX500_USD`). TradingView writes the same pairs
 * without the underscore (`EURUSD`, `OANDA:XAUUSD`) and sometimes with a
 * slash (`EUR/USD`). The quote currency is always the last three letters,
 * so the split point is known without a lookup table.
 *
 * @module
 */
import { BrokerError } from "../sdk";

/** `EURUSD`, `EUR/USD`, `EUR-USD`, `EUR_USD`, `OANDA:EURUSD`, `SPX500USD`, `XAU_USD`. */
const TICKER = /^(?:[A-Z0-9_]+:)?([A-Z0-9]{2,10}?)[/_-]?([A-Z]{3})$/;

/** Maps a TradingView-style ticker to OANDA's instrument name (`EURUSD` → `EUR_USD`). */
export function oandaInstrument(ticker: string): string {
  const match = TICKER.exec(ticker.trim().toUpperCase());
  if (!match?.[1] || !match[2]) {
    throw new BrokerError(`"${ticker}" is not an OANDA instrument; send a pair such as EURUSD or EUR_USD.`, {
      code: "invalid-symbol",
      kind: "rejected",
    });
  }
  return `${match[1]}_${match[2]}`;
}

/** Maps OANDA's instrument name back to Tradeloop's canonical ticker (`EUR_USD` → `EURUSD`). */
export function tickerFromInstrument(instrument: string): string {
  return instrument.replace("_", "");
}
