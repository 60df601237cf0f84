/**
 * Building blocks for the webhook signal schema: lenient-but-exact value
 * parsers that turn what alert senders really send (numbers, numeric strings
 * from TradingView placeholders, `"true"`) into normalized values, and that
 * explain every failure in a sentence naming the field and what is allowed.
 *
 * None of these throw: big.js throws on bad input, so every call is guarded.
 *
 * @module
 */
import { z } from "zod";
import { Big, toDecimal, type Decimal } from "../../plugins/sdk/decimal";

/** Largest magnitude accepted for any number (quantities, prices, dollars). */
const MAX_MAGNITUDE = new Big("1e15");
/** Smallest non-zero magnitude accepted; far below any tick or lot size. */
const MIN_MAGNITUDE = new Big("1e-12");
/** Longest numeric string looked at, so garbage cannot make big.js do real work. */
const MAX_NUMERIC_STRING = 40;

const NUMERIC_STRING = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

/** Renders a received value for an error message, short and safe. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const clipped = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(clipped);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return typeof value;
}

/** Hint appended when a string still holds an unrendered `{{placeholder}}`. */
function placeholderHint(value: unknown): string {
  return typeof value === "string" && /\{\{.*\}\}/.test(value)
    ? " It looks like an alert placeholder that was not filled in: check the placeholder's spelling in the alert message."
    : "";
}

/** Builds the standard sentence: `"field" must be X; got Y.` */
export function mustBe(field: string, allowed: string, got: unknown): string {
  return `"${field}" must be ${allowed}; got ${show(got)}.${placeholderHint(got)}`;
}

/**
 * Parses a number or numeric string into a Big, or null when it is not a
 * finite number within the accepted magnitude. Never throws.
 */
export function parseNumeric(value: unknown): Big | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    text = String(value);
  } else if (typeof value === "string") {
    text = value.trim();
    if (text.length === 0 || text.length > MAX_NUMERIC_STRING || !NUMERIC_STRING.test(text)) return null;
    // big.js refuses a leading "+".
    if (text.startsWith("+")) text = text.slice(1);
  } else {
    return null;
  }
  let big: Big;
  try {
    big = new Big(text);
  } catch {
    return null;
  }
  const abs = big.abs();
  if (abs.gt(MAX_MAGNITUDE)) return null;
  if (!abs.eq(0) && abs.lt(MIN_MAGNITUDE)) return null;
  return big;
}

function numericHint(value: unknown): string {
  if (typeof value === "string" && /^\s*[+-]?[\d.]+(,\d{3})+/.test(value)) return " Leave out thousands separators.";
  return "";
}

type Bound = { min: "positive" | "nonnegative" | Decimal; max?: Decimal; maxExclusive?: boolean };

function describeBound(bound: Bound): string {
  const low = bound.min === "positive" ? "a positive number" : bound.min === "nonnegative" ? "a number of 0 or more" : `a number from ${bound.min}`;
  if (bound.max === undefined) return low;
  if (bound.min === "positive") return `a number greater than 0 and ${bound.maxExclusive ? "below" : "at most"} ${bound.max}`;
  if (bound.min === "nonnegative") return `a number from 0 ${bound.maxExclusive ? "up to (not including)" : "to"} ${bound.max}`;
  return `${low} to ${bound.max}`;
}

function withinBound(big: Big, bound: Bound): boolean {
  if (bound.min === "positive" ? !big.gt(0) : bound.min === "nonnegative" ? big.lt(0) : big.lt(new Big(bound.min))) return false;
  if (bound.max !== undefined) {
    const max = new Big(bound.max);
    if (bound.maxExclusive ? big.gte(max) : big.gt(max)) return false;
  }
  return true;
}

/**
 * A decimal field: accepts a JSON number or a numeric string (TradingView
 * placeholders render as strings) and outputs a canonical decimal string.
 */
export function decimalField(field: string, bound: Bound = { min: "positive" }) {
  const allowed = `${describeBound(bound)} (a JSON number or a numeric string such as "2.5")`;
  return z
    .union([z.number(), z.string()], { error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): Decimal => {
      const big = parseNumeric(value);
      if (big === null || !withinBound(big, bound)) {
        ctx.addIssue({ code: "custom", message: mustBe(field, allowed, value) + numericHint(value), input: value });
        return z.NEVER;
      }
      return toDecimal(big);
    });
}

/**
 * A signed decimal field: any finite number, negative, zero or positive
 * (a position: `{{strategy.position_size}}` renders "-2" for a short).
 * `allowed` says what the sign means, for the error sentence.
 */
export function signedDecimalField(field: string, allowed: string) {
  return z
    .union([z.number(), z.string()], { error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): Decimal => {
      const big = parseNumeric(value);
      if (big === null) {
        ctx.addIssue({ code: "custom", message: mustBe(field, allowed, value) + numericHint(value), input: value });
        return z.NEVER;
      }
      // "-0" (a float printed after a short was closed) is flat.
      return big.eq(0) ? "0" : toDecimal(big);
    });
}

/** An integer field (counts, seconds); numeric strings accepted. */
export function integerField(field: string, min: number, max: number) {
  const allowed = `a whole number from ${min} to ${max}`;
  return z
    .union([z.number(), z.string()], { error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): number => {
      const big = parseNumeric(value);
      const n = big === null ? NaN : Number(big.toFixed());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: mustBe(field, allowed, value), input: value });
        return z.NEVER;
      }
      return n;
    });
}

/** A boolean field; `"true"`/`"false"` strings (from placeholders) are accepted. */
export function booleanField(field: string) {
  const allowed = "true or false";
  return z
    .union([z.boolean(), z.string()], { error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): boolean => {
      if (typeof value === "boolean") return value;
      const s = value.trim().toLowerCase();
      if (s === "true") return true;
      if (s === "false") return false;
      ctx.addIssue({ code: "custom", message: mustBe(field, allowed, value), input: value });
      return z.NEVER;
    });
}

/**
 * An enumerated field. Values are matched case-insensitively after trimming
 * (`"BUY"`, `" buy"`), and `aliases` map extra spellings to canonical ones.
 */
export function enumField<const T extends readonly [string, ...string[]]>(
  field: string,
  values: T,
  aliases: Readonly<Record<string, T[number]>> = {},
) {
  const allowed = `one of ${values.join(", ")}`;
  return z
    .string({ error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): T[number] => {
      const s = value.trim().toLowerCase();
      const found = values.find((v) => v === s) ?? (Object.hasOwn(aliases, s) ? aliases[s] : undefined);
      if (found === undefined) {
        ctx.addIssue({ code: "custom", message: mustBe(field, allowed, value), input: value });
        return z.NEVER;
      }
      return found;
    });
}

/** A free-text field with length bounds; numbers are accepted and stringified. */
export function textField(field: string, min: number, max: number, options: { code?: string } = {}) {
  const allowed = min > 0 ? `text of ${min} to ${max} characters` : `text of at most ${max} characters`;
  return z
    .union([z.string(), z.number()], { error: (iss) => mustBe(field, allowed, iss.input) })
    .transform((value, ctx): string => {
      const s = typeof value === "number" ? String(value) : value.trim();
      if (s.length < min || s.length > max) {
        ctx.addIssue({
          code: "custom",
          message: `${mustBe(field, allowed, value)} It has ${s.length}.`,
          input: value,
          ...(options.code ? { params: { messageCode: options.code } } : {}),
        });
        return z.NEVER;
      }
      return s;
    });
}

/** Converts a camelCase path to the kebab-case used in message codes. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}
