/**
 * TradingView-style tickers ↔ Kraken pairs and asset codes.
 *
 * Kraken calls bitcoin `XBT` and dogecoin `XDG` (`BTCUSD` → `XBTUSD`), and
 * its older assets carry a class prefix in balances and some pair keys
 * (`XXBT`, `ZUSD`, `XXBTZUSD`). Requests use the pair's altname (`XBTUSD`);
 * answers are read back in either form.
 *
 * @module
 */
import { BrokerError, type AssetClass } from "../sdk";

/** Quote currencies a ticker may end with, longest first. */
const QUOTES = ["USDT", "USDC", "PYUSD", "USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "XBT", "BTC", "ETH", "DAI"] as const;

/** TradingView / common code → Kraken code. */
const TO_KRAKEN: Readonly<Record<string, string>> = { BTC: "XBT", DOGE: "XDG" };
const FROM_KRAKEN: Readonly<Record<string, string>> = { XBT: "BTC", XDG: "DOGE" };

/** Kraken's legacy three-letter codes that appear with an X (crypto) or Z (fiat) prefix. */
const LEGACY = new Set(["XBT", "ETH", "LTC", "XRP", "XLM", "XMR", "ZEC", "ETC", "REP", "MLN", "XDG", "USD", "EUR", "GBP", "CAD", "JPY", "AUD"]);

function clean(ticker: string): string {
  const bare = ticker.includes(":") ? ticker.slice(ticker.lastIndexOf(":") + 1) : ticker;
  return bare.replace(/[/\-_ ]/g, "").toUpperCase();
}

function split(t: string): { base: string; quote: string } | null {
  for (const q of QUOTES) if (t.endsWith(q) && t.length > q.length) return { base: t.slice(0, -q.length), quote: q };
  return null;
}

/** Maps a ticker to Kraken's pair altname (`BTCUSD` → `XBTUSD`, `ETHBTC` → `ETHXBT`). */
export function krakenPair(ticker: string, assetClass: AssetClass): string {
  if (assetClass !== "crypto") {
    throw new BrokerError(`Kraken Spot trades crypto only; ${ticker} is ${assetClass}.`, { code: "invalid-symbol", kind: "unsupported" });
  }
  const parts = split(clean(ticker));
  if (!parts) return clean(ticker);
  return `${TO_KRAKEN[parts.base] ?? parts.base}${TO_KRAKEN[parts.quote] ?? parts.quote}`;
}

/** A Kraken asset code (`XXBT`, `ZUSD`, `XETH`, `SOL`) → the common code (`BTC`, `USD`, `ETH`, `SOL`). */
export function commonAsset(code: string): string {
  const stripped = code.length === 4 && (code[0] === "X" || code[0] === "Z") && LEGACY.has(code.slice(1)) ? code.slice(1) : code;
  return FROM_KRAKEN[stripped] ?? stripped;
}

/** The balance keys that can hold a common currency (`USD` → `ZUSD` or `USD`). */
export function balanceKeys(common: string): string[] {
  const kraken = TO_KRAKEN[common] ?? common;
  const keys = [kraken];
  if (LEGACY.has(kraken)) keys.unshift(`${["USD", "EUR", "GBP", "CAD", "JPY", "AUD"].includes(kraken) ? "Z" : "X"}${kraken}`);
  return keys;
}

/** Reads a Kraken pair (`XBTUSD`, `XXBTZUSD`, `XBT/USD`) back as a TradingView ticker (`BTCUSD`). */
export function tickerFromPair(pair: string): string {
  const p = pair.replace("/", "").toUpperCase();
  // Legacy eight-character keys: X<base>Z<quote> or X<base>X<quote>.
  if (p.length === 8 && (p[0] === "X" || p[0] === "Z") && (p[4] === "X" || p[4] === "Z") && LEGACY.has(p.slice(1, 4)) && LEGACY.has(p.slice(5))) {
    return `${commonAsset(p.slice(0, 4))}${commonAsset(p.slice(4))}`;
  }
  const parts = split(p);
  if (!parts) return p;
  return `${FROM_KRAKEN[parts.base] ?? parts.base}${FROM_KRAKEN[parts.quote] ?? parts.quote}`;
}
