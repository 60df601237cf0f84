/**
 * Tradeloop's futures contracts ↔ Tradovate's contract names. The core
 * resolves continuous symbols (`NQ1!`) to a dated contract with a 4-digit
 * year (`NQZ2025`, worker/trading/futures.ts); Tradovate names contracts with
 * a one-digit year (`NQZ5`).
 *
 * @module
 */
import { BrokerError } from "../sdk";

const CONTRACT = /^([A-Z0-9]{1,4}?)([FGHJKMNQUVXZ])(\d{4}|\d{1,2})$/;

/** `NQZ2025` (or `NQZ25`, `NQZ5`) → `NQZ5`. */
export function tradovateSymbol(ticker: string): string {
  const t = ticker.trim().toUpperCase().replace(/^[A-Z_]+:/, "");
  const m = CONTRACT.exec(t);
  if (!m) {
    throw new BrokerError(`"${ticker}" is not a futures contract Tradovate can trade; send a dated contract (NQZ2025) or a continuous symbol (NQ1!).`, {
      code: "invalid-symbol",
      kind: "rejected",
    });
  }
  return `${m[1]}${m[2]}${m[3]!.slice(-1)}`;
}

/** `NQZ5` → `NQZ2025`: the nearest year ending in that digit that is not more than a year past. */
export function tickerFromTradovate(name: string, now: Date): string {
  const m = CONTRACT.exec(name);
  if (!m || m[3]!.length !== 1) return name;
  const current = now.getUTCFullYear();
  let year = current - (current % 10) + Number(m[3]);
  if (year < current - 1) year += 10;
  return `${m[1]}${m[2]}${year}`;
}
