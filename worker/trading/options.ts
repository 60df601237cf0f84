/**
 * Option contracts. Accepted ticker forms (all normalize to TradersPost's
 * `ROOT YYMMDD[C|P]STRIKE`, e.g. `SPY 250624C596`):
 * - `SPY 250624C596`, `SPY 250624C596.5` (TradersPost)
 * - `SPY250624C00596000`, `SPY   250624C00596000` (OCC: strike × 1000 in 8 digits)
 * - `SPY_250624C596`, `.SPY250624C596`, `O:SPY250624C00596000` (common vendor variants)
 *
 * A contract can also be named by fields: underlying ticker + `optionType`
 * (call/put) + `expiration` (`YYYY-MM-DD`) + `strikePrice`.
 *
 * @module
 */
import { Big, toDecimal } from "../../plugins/sdk/decimal";
import { parseIsoDate } from "./time-expressions";

export interface OptionContract {
  underlying: string;
  /** Expiration `YYYY-MM-DD`. */
  expiration: string;
  right: "call" | "put";
  strike: string;
  /** Canonical ticker, e.g. `SPY 250624C596`. */
  symbol: string;
}

const OPTION_TICKER = /^(?:O:|\.)?([A-Z][A-Z0-9.]{0,5}?)[ _]*(\d{6})([CP])(\d{1,8}(?:\.\d{1,4})?)$/;

function build(underlying: string, year: number, month: number, day: number, right: "call" | "put", strike: string): OptionContract {
  const yy = String(year % 100).padStart(2, "0");
  const mm = String(month).padStart(2, "0");
  const dd = String(day).padStart(2, "0");
  return {
    underlying,
    expiration: `${year}-${mm}-${dd}`,
    right,
    strike,
    symbol: `${underlying} ${yy}${mm}${dd}${right === "call" ? "C" : "P"}${strike}`,
  };
}

/** Parses an option ticker in any accepted form, or null when it is not one. */
export function parseOptionTicker(ticker: string): OptionContract | null {
  const m = OPTION_TICKER.exec(ticker);
  if (!m) return null;
  const [, underlying, yymmdd, cp, strikeText] = m;
  const year = 2000 + Number(yymmdd!.slice(0, 2));
  const month = Number(yymmdd!.slice(2, 4));
  const day = Number(yymmdd!.slice(4, 6));
  const date = parseIsoDate(`${year}-${yymmdd!.slice(2, 4)}-${yymmdd!.slice(4, 6)}`);
  if (!date) return null;
  // Eight digits without a point is the OCC encoding: strike × 1000.
  const strike = strikeText!.length === 8 && !strikeText!.includes(".") ? new Big(strikeText!).div(1000) : new Big(strikeText!);
  if (!strike.gt(0)) return null;
  return build(underlying!, year, month, day, cp === "C" ? "call" : "put", toDecimal(strike));
}

/** Builds a contract from an underlying and exact fields. */
export function optionFromFields(underlying: string, right: "call" | "put", expiration: string, strike: string): OptionContract | null {
  const date = parseIsoDate(expiration);
  if (!date || !/^[A-Z][A-Z0-9.]{0,5}$/.test(underlying)) return null;
  return build(underlying, date.year, date.month, date.day, right, toDecimal(strike));
}
