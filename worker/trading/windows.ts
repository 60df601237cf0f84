/**
 * Trading windows: daily time ranges in a timezone when entries may run.
 *
 * - `start` is inclusive and `end` exclusive: a 09:30–16:00 window admits
 *   09:30:00 and refuses 16:00:00.
 * - `end` earlier than `start` spans midnight (18:00–02:00); such a window
 *   belongs to the day it starts on, so `days: ["fri"]` covers Friday 18:00 to
 *   Saturday 02:00.
 * - `start` equal to `end` covers the whole day.
 * - Local time comes from Intl with the window's IANA timezone, so daylight
 *   saving changes are handled by the platform's tz database.
 *
 * @module
 */
import type { TradingWindow, Weekday } from "./settings";

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const WEEKDAY_NAMES: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Parses `HH:MM` (00:00–23:59, or 24:00 as an end) into seconds after midnight. */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]), mi = Number(m[2]);
  if (h === 24 && mi === 0) return 86_400;
  if (h > 23 || mi > 59) return null;
  return h * 3600 + mi * 60;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone the platform knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock time in a timezone. */
export interface LocalTime {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Seconds after local midnight. */
  seconds: number;
  /** Local calendar date `YYYY-MM-DD`. */
  date: string;
}

/** The local weekday, time of day and date of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const hour = Number(parts.hour) % 24;
  return {
    weekday: WEEKDAY_INDEX[parts.weekday ?? "Mon"] ?? 0,
    seconds: hour * 3600 + Number(parts.minute) * 60 + Number(parts.second),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` (`YYYY-MM-DD`)
 * plus `seconds` after midnight (86 400 = the next midnight). A wall time that
 * does not exist (the hour skipped when daylight saving starts) maps to the
 * same offset before the change, one hour later in practice; a time that
 * occurs twice maps to the first.
 */
export function zonedInstant(date: string, seconds: number, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + seconds * 1000;
  const offsetAt = (t: number): number => {
    const local = localTime(new Date(t), timeZone);
    const [ly, lm, ld] = local.date.split("-").map(Number) as [number, number, number];
    return Date.UTC(ly, lm - 1, ld) + local.seconds * 1000 - t;
  };
  // Two passes: the offset at the first guess may differ from the one at the answer across a change.
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  return new Date(offsetAt(second) === offsetAt(first) ? second : Math.min(first, second));
}

/** The calendar date `days` after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function opensOn(window: TradingWindow, weekday: number): boolean {
  const name = WEEKDAY_NAMES[weekday];
  return window.days === undefined || (name !== undefined && window.days.includes(name));
}

/** True when `at` falls inside `window` in `timeZone`. */
export function isInWindow(window: TradingWindow, at: Date, timeZone: string): boolean {
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  if (start === null || end === null) return false;
  const { weekday, seconds } = localTime(at, timeZone);
  if (start === end) return opensOn(window, weekday);
  if (start < end) return opensOn(window, weekday) && seconds >= start && seconds < end;
  // Spans midnight: the evening part opens today, the morning part opened yesterday.
  if (seconds >= start) return opensOn(window, weekday);
  return seconds < end && opensOn(window, (weekday + 6) % 7);
}

/** True when there are no windows (always open) or `at` is inside one of them. */
export function isInTradingWindows(windows: readonly TradingWindow[], at: Date, timeZone: string): boolean {
  return windows.length === 0 || windows.some((w) => isInWindow(w, at, timeZone));
}

/** Human description for messages: `09:30–16:00 America/New_York`. */
export function describeWindows(windows: readonly TradingWindow[], timeZone: string): string {
  return `${windows
    .map((w) => `${w.start}–${w.end}${w.days ? ` (${w.days.join(", ")})` : ""}`)
    .join(", ")} ${timeZone}`;
}
