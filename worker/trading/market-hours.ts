/**
 * Is the market open? Pure functions over the calendars in
 * market-calendars.ts, with the time passed in.
 *
 * A subscription's `marketHours` setting decides what a signal does while
 * its market is closed:
 * - `ignore` (default): no check; the broker is the authority (many accept
 *   orders while closed and work them at the open, the paper broker fills
 *   around the clock), and a broker refusal shows as `market-closed`;
 * - `reject`: the trade is refused with `outside-market-hours`;
 * - `queue`: the trade waits in the subscription's queue until the market
 *   opens, then is decided against the position at that time. One waiting
 *   trade per subscription and ticker: a newer signal for the ticker
 *   replaces the older one (`replaced-by-newer-signal`).
 *
 * Extended-hours orders (stocks) may run in the pre-market and after-hours
 * sessions; everything else needs the regular session. Cancels never wait
 * for the market.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk/models";
import { MARKET_CALENDARS, type MarketCalendar, type MarketCalendarId, type Session, type SessionKind, type SpecialDay } from "./market-calendars";
import { addDays, localTime, parseClock, zonedInstant } from "./windows";

/** How far ahead the next open is searched (the longest closure in the tables is a long weekend). */
const SEARCH_DAYS = 14;

/** The calendar an asset class trades on. */
export function calendarFor(assetClass: AssetClass): MarketCalendar {
  const id: MarketCalendarId =
    assetClass === "stocks" ? "us-equities" : assetClass === "options" ? "us-options" : assetClass === "futures" ? "cme-globex" : assetClass === "crypto" ? "crypto" : "forex";
  return MARKET_CALENDARS[id];
}

/** The sessions of one local calendar date, and the special day that set them (if any). */
export function sessionsOn(calendar: MarketCalendar, date: string): { sessions: readonly Session[]; special: SpecialDay | null } {
  const special = calendar.specialDays[date] ?? null;
  if (special) return { sessions: special.sessions, special };
  const weekday = localTime(zonedInstant(date, 12 * 3600, calendar.timeZone), calendar.timeZone).weekday;
  return { sessions: calendar.weekly[weekday] ?? [], special: null };
}

export interface MarketStatus {
  calendar: MarketCalendarId;
  open: boolean;
  /** The session `at` falls in (of the kinds allowed), or null. */
  session: SessionKind | null;
  /** When closed: the special day's name, or null on an ordinary night or weekend. */
  holiday: string | null;
  /** When closed: the next time a session of an allowed kind starts (null when none within two weeks). */
  nextOpen: Date | null;
  /** False when `at` is past the calendar's holiday data (the weekly schedule still applies). */
  dataCurrent: boolean;
}

function kindsFor(extendedHours: boolean): ReadonlySet<SessionKind> {
  return new Set<SessionKind>(extendedHours ? ["regular", "extended"] : ["regular"]);
}

/**
 * The market's state at `at` for an order that may (`extendedHours`) or may
 * not trade outside the regular session.
 */
export function marketStatus(calendar: MarketCalendar, at: Date, options: { extendedHours?: boolean } = {}): MarketStatus {
  const kinds = kindsFor(options.extendedHours === true);
  const t = at.getTime();
  const today = localTime(at, calendar.timeZone).date;
  const dataCurrent = calendar.coversThrough === null || today <= calendar.coversThrough;
  const holiday = sessionsOn(calendar, today).special?.name ?? null;
  // Yesterday first: a session listed on yesterday's date may not have ended yet (it never does
  // past 24:00 in these tables, but a time zone change between the two dates could shift it).
  for (let day = -1; day <= SEARCH_DAYS; day++) {
    const date = addDays(today, day);
    for (const session of sessionsOn(calendar, date).sessions) {
      if (!kinds.has(session.kind)) continue;
      const start = zonedInstant(date, parseClock(session.start) ?? 0, calendar.timeZone).getTime();
      const end = zonedInstant(date, parseClock(session.end) ?? 86_400, calendar.timeZone).getTime();
      if (t >= start && t < end) return { calendar: calendar.id, open: true, session: session.kind, holiday: null, nextOpen: null, dataCurrent };
      if (start > t) return { calendar: calendar.id, open: false, session: null, holiday, nextOpen: new Date(start), dataCurrent };
    }
  }
  return { calendar: calendar.id, open: false, session: null, holiday, nextOpen: null, dataCurrent };
}

/** One sentence for a closed market: which market, why, and when it opens. */
export function describeClosed(calendar: MarketCalendar, status: MarketStatus, extendedHours: boolean): string {
  const why = status.holiday ? `closed for ${status.holiday}` : extendedHours ? "closed (outside the regular and extended sessions)" : "outside its regular session";
  const next = status.nextOpen ? `; it opens at ${status.nextOpen.toISOString()}` : "";
  const stale = status.dataCurrent ? "" : ` (Tradeloop's holiday data for this market ends ${calendar.coversThrough}; holidays after that are not known)`;
  return `The ${calendar.name} market is ${why}${next}${stale}.`;
}
