/**
 * TradingView-style tickers ↔ Tradier symbols. Stocks are the same letters;
 * options use the OCC symbol without padding (`SPY180720C00274000`), sent as
 * `option_symbol` with the underlying as `symbol`.
 *
 * @module
 */
import { Big, BrokerError, toDecimal, type AssetClass } from "../sdk";

const OPTION_TICKER = /^(?:O:|\.)?([A-Z][A-Z0-9.]{0,5}?)[ _]*(\d{6})([CP])(\d{1,8}(?:\.\d{1,4})?)$/;
const OCC = /^([A-Z][A-Z0-9.]{0,5})(\d{6})([CP])(\d{8})$/;

function invalid(ticker: string, why: string): BrokerError {
  return new BrokerError(`"${ticker}" is not a Tradier symbol: ${why}.`, { code: "invalid-symbol", kind: "rejected" });
}

/** `NASDAQ:AAPL` → `AAPL`; the exchange prefix means nothing to Tradier. */
function stripExchange(ticker: string): string {
  const t = ticker.trim().toUpperCase();
  const colon = t.indexOf(":");
  return colon >= 0 && !t.startsWith("O:") ? t.slice(colon + 1) : t;
}

/** An option ticker in any accepted form (`SPY 250624C596`, OCC) as Tradier's OCC symbol. */
export function occSymbol(ticker: string): string {
  const m = OPTION_TICKER.exec(stripExchange(ticker));
  if (!m) throw invalid(ticker, "option tickers look like SPY 250624C596 or SPY250624C00596000");
  const [, root, yymmdd, right, strikeText] = m as unknown as [string, string, string, string, string];
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > 31) throw invalid(ticker, "the expiration is not a date");
  // Eight digits without a point is the OCC encoding already (strike × 1000).
  const strike = strikeText.length === 8 && !strikeText.includes(".") ? new Big(strikeText).div(1000) : new Big(strikeText);
  const thousandths = strike.times(1000);
  if (!strike.gt(0) || !thousandths.round(0, 0).eq(thousandths) || thousandths.gte(1e8)) throw invalid(ticker, "the strike does not fit the OCC format");
  return `${root}${yymmdd}${right}${thousandths.toFixed(0).padStart(8, "0")}`;
}

/** The underlying of an OCC symbol (`SPY180720C00274000` → `SPY`). */
export function underlyingOf(occ: string): string {
  return OCC.exec(occ)?.[1] ?? occ;
}

/** The symbol Tradier trades for a ticker: a stock symbol, or an OCC option symbol. */
export function tradierSymbol(ticker: string, assetClass: AssetClass): string {
  if (assetClass === "options") return occSymbol(ticker);
  if (assetClass !== "stocks") throw new BrokerError(`Tradier does not trade ${assetClass}.`, { code: "asset-class-not-supported", kind: "unsupported" });
  const t = stripExchange(ticker);
  if (!/^[A-Z][A-Z0-9./]{0,9}$/.test(t)) throw invalid(ticker, "stock symbols are letters, digits and dots");
  return t;
}

/** Tradeloop's ticker for a Tradier symbol: OCC options become `ROOT YYMMDD[C|P]STRIKE`. */
export function tickerFromTradier(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  const m = OCC.exec(s);
  if (!m) return s;
  const [, root, yymmdd, right, strike] = m as unknown as [string, string, string, string, string];
  return `${root} ${yymmdd}${right}${toDecimal(new Big(strike).div(1000))}`;
}

/** True for an OCC option symbol. */
export function isOptionSymbol(symbol: string): boolean {
  return OCC.test(symbol);
}
