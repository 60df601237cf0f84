/**
 * Tradeloop tickers ⇄ IBKR contracts. IBKR trades by contract id (`conid`);
 * the plugin finds it from the symbol (`/trsrv/stocks`, `/trsrv/futures`)
 * and keeps it for the connection. The broker symbol a ticker stands for:
 *
 * - stocks: IBKR's symbol, with a class separated by a space (`BRK.B` → `BRK B`);
 * - futures: the root and the contract month (`MESZ2026` → `MES 202612`).
 *
 * @module
 */
import { BrokerError, type AssetClass } from "../sdk";

const MONTH_CODES = "FGHJKMNQUVXZ";
const FUTURE = /^([A-Z0-9]{1,6}?)([FGHJKMNQUVXZ])(\d{4})$/;

/** A futures ticker's root and contract month (`YYYYMM`). */
export function parseFutureTicker(ticker: string): { root: string; month: string } | null {
  const m = FUTURE.exec(ticker);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  return { root: m[1], month: `${m[3]}${String(MONTH_CODES.indexOf(m[2]) + 1).padStart(2, "0")}` };
}

/** The broker symbol of a ticker (see the module comment). */
export function ibkrSymbol(ticker: string, assetClass: AssetClass): string {
  if (assetClass === "futures") {
    const f = parseFutureTicker(ticker);
    if (!f) throw new BrokerError(`${ticker} is not a futures contract IBKR can look up; send root, month code and year, e.g. MESZ2026.`, { code: "invalid-symbol", kind: "unsupported" });
    return `${f.root} ${f.month}`;
  }
  return ticker.replace(/[./]/g, " ");
}

/** A Tradeloop ticker from an IBKR stock symbol (`BRK B` → `BRK.B`). */
export function stockTicker(symbol: string): string {
  return symbol.trim().replace(/\s+/g, ".");
}

/** A Tradeloop futures ticker from a root and an expiry date (`YYYYMMDD` or `YYYYMM`). */
export function futureTicker(root: string, expiry: string): string {
  const year = expiry.slice(0, 4);
  const month = Number(expiry.slice(4, 6));
  return `${root}${MONTH_CODES[month - 1] ?? "?"}${year}`;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** A futures ticker from IBKR's contract description (`MES DEC2026`), or null. */
export function futureTickerFromDescription(description: string): string | null {
  const m = /^([A-Z0-9]+)\s+([A-Z]{3})(\d{2}|\d{4})\b/.exec(description.trim());
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const month = MONTHS.indexOf(m[2]) + 1;
  if (month === 0) return null;
  const year = m[3].length === 2 ? `20${m[3]}` : m[3];
  return futureTicker(m[1], `${year}${String(month).padStart(2, "0")}`);
}
