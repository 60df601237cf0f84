/**
 * TradingView-style tickers ↔ Alpaca symbols.
 *
 * - Stocks: the same letters (`AAPL`, `BRK.B`).
 * - Crypto: pairs with a slash (`BTCUSD` → `BTC/USD`, `ETHBTC` → `ETH/BTC`).
 *   Alpaca still answers positions with the legacy slash-less form
 *   (`BTCUSD`), so the way back accepts both.
 * - Options: OCC symbols without padding (`SPY 250624C596` → `SPY250624C00596000`);
 *   the way back gives Tradeloop's canonical `ROOT YYMMDD[C|P]STRIKE`.
 *
 * @module
 */
import { Big, BrokerError, toDecimal, type AssetClass } from "../sdk";

/** Quote currencies Alpaca pairs crypto against, longest first so `USDT` wins over `USD`. */
const CRYPTO_QUOTES = ["USDT", "USDC", "USD", "BTC"] as const;

/** `NASDAQ:AAPL`, `COINBASE:BTCUSD`: the exchange prefix says nothing to Alpaca. */
function stripExchange(ticker: string): string {
  const t = ticker.trim().toUpperCase();
  const colon = t.indexOf(":");
  return colon >= 0 && !/^O:/.test(t) ? t.slice(colon + 1) : t;
}

function invalid(ticker: string, why: string): BrokerError {
  return new BrokerError(`"${ticker}" is not an Alpaca symbol: ${why}.`, { code: "invalid-symbol", kind: "rejected" });
}

/** `BTCUSD`, `BTC-USD`, `BTC/USD` → `BTC/USD`. */
export function cryptoPair(ticker: string): string {
  const t = stripExchange(ticker);
  const separated = /^([A-Z0-9]{2,10})[/\-_]([A-Z0-9]{2,10})$/.exec(t);
  if (separated) return `${separated[1]}/${separated[2]}`;
  for (const quote of CRYPTO_QUOTES) {
    if (t.endsWith(quote) && t.length > quote.length + 1) return `${t.slice(0, -quote.length)}/${quote}`;
  }
  throw invalid(ticker, `crypto tickers end in ${CRYPTO_QUOTES.join(", ")} (e.g. BTCUSD)`);
}

const OPTION_TICKER = /^(?:O:|\.)?([A-Z][A-Z0-9.]{0,5}?)[ _]*(\d{2})(\d{2})(\d{2})([CP])(\d{1,8}(?:\.\d{1,4})?)$/;

interface OptionParts {
  root: string;
  yymmdd: string;
  right: "C" | "P";
  /** Strike in dollars. */
  strike: Big;
}

/** Parses `SPY 250624C596`, `SPY250624C00596000` (OCC) and vendor variants; null if not an option. */
export function parseOption(ticker: string): OptionParts | null {
  const m = OPTION_TICKER.exec(ticker.trim().toUpperCase());
  if (!m) return null;
  const [, root, yy, mm, dd, right, strikeText] = m as unknown as [string, string, string, string, string, "C" | "P", string];
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // Eight digits without a point is the OCC encoding: strike × 1000.
  const strike = strikeText.length === 8 && !strikeText.includes(".") ? new Big(strikeText).div(1000) : new Big(strikeText);
  if (!strike.gt(0)) return null;
  return { root, yymmdd: `${yy}${mm}${dd}`, right, strike };
}

/** OCC symbol as Alpaca writes it: root, YYMMDD, C/P, strike × 1000 in eight digits, no padding spaces. */
export function occSymbol(ticker: string): string {
  const o = parseOption(ticker);
  if (!o) throw invalid(ticker, "option tickers look like SPY 250624C596 or SPY250624C00596000");
  const thousandths = o.strike.times(1000);
  if (!thousandths.round(0, 0).eq(thousandths) || thousandths.gte(1e8)) throw invalid(ticker, "the strike does not fit the OCC format");
  return `${o.root}${o.yymmdd}${o.right}${thousandths.toFixed(0).padStart(8, "0")}`;
}

/** The symbol Alpaca trades for a TradingView-style ticker. */
export function alpacaSymbol(ticker: string, assetClass: AssetClass): string {
  switch (assetClass) {
    case "crypto":
      return cryptoPair(ticker);
    case "options":
      return occSymbol(ticker);
    case "stocks": {
      const t = stripExchange(ticker);
      if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(t)) throw invalid(ticker, "stock symbols are letters, digits and dots");
      return t;
    }
    default:
      throw new BrokerError(`Alpaca does not trade ${assetClass}.`, { code: "asset-class-not-supported", kind: "unsupported" });
  }
}

/**
 * Tradeloop's ticker for a symbol in an Alpaca response. `assetClass` is
 * Alpaca's own (`us_equity`, `crypto`, `us_option`) when the payload has it.
 */
export function tickerFromAlpaca(symbol: string, assetClass?: string | null): string {
  // The documented position example carries a trailing space ("AAPL ").
  const s = symbol.trim().toUpperCase();
  if (assetClass === "crypto" || s.includes("/")) return s.replace("/", "");
  if (assetClass === "us_option" || (assetClass == null && /^[A-Z][A-Z0-9.]{0,5}\d{6}[CP]\d{8}$/.test(s))) {
    const o = parseOption(s);
    if (o) return `${o.root} ${o.yymmdd}${o.right}${toDecimal(o.strike)}`;
  }
  return s;
}

/** Alpaca's asset class name for a symbol it sent or we send (`BTC/USD` → crypto). */
export function alpacaAssetClassOf(symbol: string): "us_equity" | "crypto" | "us_option" {
  if (symbol.includes("/")) return "crypto";
  if (/^[A-Z][A-Z0-9.]{0,5}\d{6}[CP]\d{8}$/.test(symbol)) return "us_option";
  return "us_equity";
}
