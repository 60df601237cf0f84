/**
 * Time values that signals carry: ISO-8601 timestamps (`{{timenow}}`),
 * relative expressions (`+5 minutes`, `+6 months`) and calendar dates.
 * Pure: "now" is always passed in.
 *
 * @module
 */

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
};

const CALENDAR_UNITS: Readonly<Record<string, "day" | "week" | "month" | "year">> = {
  d: "day", day: "day", days: "day",
  w: "week", week: "week", weeks: "week",
  mo: "month", month: "month", months: "month",
  y: "year", yr: "year", year: "year", years: "year",
};

/**
 * Parses an ISO-8601 date-time. A missing offset means UTC. Returns epoch
 * milliseconds, or null when the text is not a real date-time.
 */
export function parseIsoDateTime(text: string, options: { requireOffset?: boolean } = {}): number | null {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone === undefined && options.requireOffset) return null;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s ?? "0");
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number((frac ?? "0").padEnd(3, "0").slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  // Date.UTC silently rolls 31 February into March; refuse such dates.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 18 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return utc - offsetMinutes * 60_000;
}

/** Parses `YYYY-MM-DD` into its parts, or null when it is not a real date. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | null {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day) return null;
  return { year, month, day };
}

/**
 * Parses a relative duration such as `+5 minutes`, `+30s`, `+1 hour` into
 * seconds. The leading `+` is optional. Returns null when it does not parse.
 */
export function parseRelativeSeconds(text: string): number | null {
  const m = /^\+?\s*(\d{1,6})\s*([a-z]+)$/i.exec(text.trim());
  if (!m) return null;
  const unit = UNIT_SECONDS[m[2]!.toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/** A relative calendar offset such as `+6 months` or `+0 days`. */
export interface CalendarOffset {
  amount: number;
  unit: "day" | "week" | "month" | "year";
}

/** Parses `+N days|weeks|months|years`; null when it does not parse. */
export function parseCalendarOffset(text: string): CalendarOffset | null {
  const m = /^\+\s*(\d{1,4})\s*([a-z]+)$/i.exec(text.trim());
  if (!m) return null;
  const unit = CALENDAR_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? null : { amount: Number(m[1]), unit };
}

/** Parses epoch seconds or milliseconds (values below 1e11 are taken as seconds). */
export function epochToMs(value: number): number | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const ms = value < 1e11 ? value * 1000 : value;
  return ms > 8.64e15 ? null : Math.round(ms);
}
