/**
 * Decimal-safe numbers for money and quantities.
 *
 * Models carry decimals as canonical strings (`"143.12"`), and all arithmetic
 * goes through big.js, so `0.1 + 0.2` never becomes `0.30000000000000004` in
 * a position or a cash balance. Convert to a JS number only at the JSON edge.
 *
 * @module
 */
import Big from "big.js";

/** A decimal number as a canonical string, e.g. `"100"`, `"-2.5"`, `"0.0001"`. */
export type Decimal = string;

// Division needs a precision; 18 places is far beyond any broker's tick.
Big.DP = 18;
Big.RM = Big.roundHalfUp;

/** Wraps a decimal, number or numeric string for arithmetic. Throws on NaN. */
export function dec(value: Decimal | number | Big): Big {
  return value instanceof Big ? value : new Big(value);
}

/** Canonical string form: no exponent, no trailing zeros. */
export function toDecimal(value: Decimal | number | Big): Decimal {
  const b = dec(value);
  // big.js toFixed() without args never uses exponent notation.
  const s = b.toFixed();
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s === "-0" ? "0" : s;
}

/** The JSON-edge conversion. Safe for display values; never feed it back into math. */
export function toNumber(value: Decimal | Big): number {
  return Number(dec(value).toFixed());
}

/** Returns true if the string is a finite decimal literal (as big.js parses it). */
export function isDecimal(value: string): boolean {
  try {
    new Big(value);
    return true;
  } catch {
    return false;
  }
}

export const ZERO: Decimal = "0";

export { Big };
