/**
 * Futures contracts: explicit symbols (`MNQU2025`, `ESZ25`), continuous
 * symbols (`NQ1!`, `NQ2!`) and bare roots (`MNQ`), with the built-in contract
 * specs (tick size, point value, listed months).
 *
 * Roll rule for continuous symbols (by date, never by volume, like
 * TradersPost): each contract has a reference date; from two calendar days
 * before it (in America/Chicago), the next listed contract is the front month.
 * - Equity index (ES, MES, NQ, MNQ, YM, MYM, RTY, M2K): reference = last
 *   trading day, the third Friday of the contract month.
 * - Crude oil (CL, MCL): reference = last trading day, 3 business days before
 *   the 25th of the month before the contract month (4 if the 25th is not a
 *   business day).
 * - Metals (GC, MGC, SI, SIL): reference = first notice day, the last business
 *   day of the month before the contract month, because traders leave before
 *   delivery.
 * Business days here are Monday to Friday; exchange holidays are not modelled,
 * so a roll can land a day early or late around one. Send explicit contracts
 * when that matters.
 *
 * @module
 */
import { localTime } from "./windows";

export const MONTH_CODES = "FGHJKMNQUVXZ";

type ReferenceRule = "third-friday" | "crude" | "metal-fnd";

export interface FuturesSpec {
  tickSize: string;
  pointValue: string;
  /** Listed contract months, as month codes. */
  months: string;
  rule: ReferenceRule;
}

const QUARTERLY = "HMUZ";

/** Built-in specs. Unknown roots still trade as explicit contracts (tick 0.01, no point value). */
export const FUTURES_SPECS: Readonly<Record<string, FuturesSpec>> = {
  ES: { tickSize: "0.25", pointValue: "50", months: QUARTERLY, rule: "third-friday" },
  MES: { tickSize: "0.25", pointValue: "5", months: QUARTERLY, rule: "third-friday" },
  NQ: { tickSize: "0.25", pointValue: "20", months: QUARTERLY, rule: "third-friday" },
  MNQ: { tickSize: "0.25", pointValue: "2", months: QUARTERLY, rule: "third-friday" },
  YM: { tickSize: "1", pointValue: "5", months: QUARTERLY, rule: "third-friday" },
  MYM: { tickSize: "1", pointValue: "0.5", months: QUARTERLY, rule: "third-friday" },
  RTY: { tickSize: "0.1", pointValue: "50", months: QUARTERLY, rule: "third-friday" },
  M2K: { tickSize: "0.1", pointValue: "5", months: QUARTERLY, rule: "third-friday" },
  CL: { tickSize: "0.01", pointValue: "1000", months: MONTH_CODES, rule: "crude" },
  MCL: { tickSize: "0.01", pointValue: "100", months: MONTH_CODES, rule: "crude" },
  GC: { tickSize: "0.1", pointValue: "100", months: "GJMQVZ", rule: "metal-fnd" },
  MGC: { tickSize: "0.1", pointValue: "10", months: "GJMQVZ", rule: "metal-fnd" },
  SI: { tickSize: "0.005", pointValue: "5000", months: "HKNUZ", rule: "metal-fnd" },
  SIL: { tickSize: "0.005", pointValue: "1000", months: "HKNUZ", rule: "metal-fnd" },
};

export interface FuturesContract {
  root: string;
  /** Month code letter. */
  month: string;
  year: number;
  /** Canonical symbol: root + month code + 4-digit year, e.g. `MNQU2025`. */
  symbol: string;
}

const EXPLICIT = /^([A-Z0-9]{1,4}?)([FGHJKMNQUVXZ])(\d{4}|\d{1,2})$/;
const CONTINUOUS = /^([A-Z0-9]{1,4})([1-9])!$/;

export type FuturesTicker =
  | { kind: "contract"; contract: FuturesContract }
  | { kind: "continuous"; root: string; nth: number }
  | { kind: "root"; root: string };

/**
 * Parses a futures ticker. One- and two-digit years resolve to the nearest
 * year that is not more than a year in the past.
 */
export function parseFuturesTicker(ticker: string, now: Date): FuturesTicker | null {
  const continuous = CONTINUOUS.exec(ticker);
  if (continuous) return { kind: "continuous", root: continuous[1]!, nth: Number(continuous[2]) };
  if (Object.hasOwn(FUTURES_SPECS, ticker)) return { kind: "root", root: ticker };
  const m = EXPLICIT.exec(ticker);
  if (!m) return null;
  const root = m[1]!, month = m[2]!, digits = m[3]!;
  let year = Number(digits);
  if (digits.length < 4) {
    const current = now.getUTCFullYear();
    const modulus = digits.length === 1 ? 10 : 100;
    year = current - (current % modulus) + year;
    if (year < current - 1) year += modulus;
  }
  return { kind: "contract", contract: { root, month, year, symbol: `${root}${month}${year}` } };
}

/** Day of month, 1-based, of the nth given weekday (0 = Sunday) in a month. */
function nthWeekday(year: number, month: number, weekday: number, nth: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((weekday - first + 7) % 7) + (nth - 1) * 7;
}

function isBusinessDay(d: Date): boolean {
  const wd = d.getUTCDay();
  return wd !== 0 && wd !== 6;
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

/** Steps back `count` business days from `d` (exclusive). */
function businessDaysBefore(d: Date, count: number): Date {
  let cur = d;
  let left = count;
  while (left > 0) {
    cur = addDays(cur, -1);
    if (isBusinessDay(cur)) left--;
  }
  return cur;
}

/** The reference date (UTC midnight) a contract rolls against. */
export function referenceDate(rule: ReferenceRule, year: number, monthIndex1: number): Date {
  switch (rule) {
    case "third-friday":
      return new Date(Date.UTC(year, monthIndex1 - 1, nthWeekday(year, monthIndex1, 5, 3)));
    case "crude": {
      // The 25th of the month before the contract month.
      let d = new Date(Date.UTC(year, monthIndex1 - 2, 25));
      if (!isBusinessDay(d)) d = businessDaysBefore(d, 1);
      return businessDaysBefore(d, 3);
    }
    case "metal-fnd": {
      // Last business day of the month before the contract month.
      let d = new Date(Date.UTC(year, monthIndex1 - 1, 0));
      while (!isBusinessDay(d)) d = addDays(d, -1);
      return d;
    }
  }
}

/** Calendar days before the reference date at which the next contract becomes the front month. */
export const ROLL_DAYS_BEFORE = 2;

/**
 * The nth contract (1 = front month) of a root with built-in specs on the
 * CME trading date of `now`, or null for unknown roots.
 */
export function frontMonth(root: string, now: Date, nth = 1): FuturesContract | null {
  const spec = FUTURES_SPECS[root];
  if (!spec) return null;
  const today = localTime(now, "America/Chicago").date;
  const todayUtc = Date.parse(`${today}T00:00:00Z`);
  const start = new Date(todayUtc);
  let year = start.getUTCFullYear();
  let found = 0;
  // At most two years of months is always enough to find the nth listed contract.
  for (let i = 0; i < 30; i++) {
    const monthIndex1 = ((start.getUTCMonth() + i) % 12) + 1;
    if (i > 0 && monthIndex1 === 1) year++;
    const code = MONTH_CODES[monthIndex1 - 1]!;
    if (!spec.months.includes(code)) continue;
    const roll = addDays(referenceDate(spec.rule, year, monthIndex1), -ROLL_DAYS_BEFORE).getTime();
    if (todayUtc >= roll) continue;
    found++;
    if (found === nth) return { root, month: code, year, symbol: `${root}${code}${year}` };
  }
  return null;
}
