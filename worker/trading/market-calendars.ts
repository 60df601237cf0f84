/**
 * Exchange calendars as data: when each market trades, week by week, and the
 * days its exchange changes that (holidays, early closes). market-hours.ts
 * reads them; nothing here computes.
 *
 * Why data and not rules: exchanges announce their holidays a year or more
 * ahead and sometimes deviate from any rule (an abbreviated Good Friday
 * session, a national day of mourning). A table with its source can be
 * checked line by line against the announcement and extended by anyone.
 *
 * How to update (once a year, when the exchanges publish the next year):
 * 1. add the new year's dates to `US_EQUITY_HOLIDAYS` (NYSE Group's
 *    "Holiday and Early Closings Calendar" press release) and to
 *    `CME_HOLIDAYS` (CME Group's holiday calendar for equity products);
 * 2. move `coversThrough` of each calendar to the last day of that year;
 * 3. run the market-hours tests (they check every listed date is a weekday
 *    of its year and that each calendar's data reaches `coversThrough`).
 * A calendar past its `coversThrough` still applies its weekly schedule, and
 * the messages say the holiday data has run out.
 *
 * Times are wall-clock times in the calendar's own time zone, `HH:MM`, a
 * session's end exclusive ("24:00" = midnight at the end of the day).
 *
 * @module
 */

/** `regular`: the exchange's core session; `extended`: pre-market, after-hours. */
export type SessionKind = "regular" | "extended";

/** One trading session on one local calendar day. */
export interface Session {
  start: string;
  end: string;
  kind: SessionKind;
}

/** A day the exchange trades differently from its weekly schedule. */
export interface SpecialDay {
  name: string;
  /** The sessions of that day; empty = closed all day. */
  sessions: readonly Session[];
}

export const MARKET_CALENDAR_IDS = ["us-equities", "us-options", "cme-globex", "crypto", "forex"] as const;
export type MarketCalendarId = (typeof MARKET_CALENDAR_IDS)[number];

export interface MarketCalendar {
  id: MarketCalendarId;
  name: string;
  timeZone: string;
  /** Sessions by weekday, 0 = Monday … 6 = Sunday. */
  weekly: readonly (readonly Session[])[];
  /** Special days by local date `YYYY-MM-DD`. */
  specialDays: Readonly<Record<string, SpecialDay>>;
  /** The last local date whose special days are in the table; null = the weekly schedule is all there is (24/7 markets). */
  coversThrough: string | null;
  /** Where the data comes from. */
  source: string;
}

const s = (start: string, end: string, kind: SessionKind = "regular"): Session => ({ start, end, kind });

// ---------------------------------------------------------------------------
// US equities and options (NYSE, Nasdaq, and the options exchanges).

/** Pre-market 04:00–09:30, regular 09:30–16:00, after-hours 16:00–20:00 ET (the span brokers such as Alpaca route extended-hours orders in). */
const EQUITY_DAY = [s("04:00", "09:30", "extended"), s("09:30", "16:00"), s("16:00", "20:00", "extended")];
/** Early close: regular until 13:00; the late session closes at 17:00 (NYSE Group's notice). */
const EQUITY_EARLY_CLOSE = [s("04:00", "09:30", "extended"), s("09:30", "13:00"), s("13:00", "17:00", "extended")];
/** Listed equity options: 09:30–16:00 ET; no extended session for most classes (some index and ETF options trade to 16:15). */
const OPTIONS_DAY = [s("09:30", "16:00")];
/** Early close for options: eligible options trade until 13:15 (NYSE Group's notice). */
const OPTIONS_EARLY_CLOSE = [s("09:30", "13:15")];

const WEEKDAYS_ONLY = <T>(day: T, weekend: T): T[] => [day, day, day, day, day, weekend, weekend];

/**
 * NYSE Group's "2026, 2027 and 2028 Holiday and Early Closings Calendar"
 * (press release of 2025-12-23; the 2025–2027 release of 2024-11-08 agrees
 * on 2026 and 2027). Nasdaq and the US options exchanges observe the same days.
 */
const US_EQUITY_HOLIDAYS: readonly { date: string; name: string; early?: true }[] = [
  { date: "2026-01-01", name: "New Year's Day" },
  { date: "2026-01-19", name: "Martin Luther King, Jr. Day" },
  { date: "2026-02-16", name: "Washington's Birthday" },
  { date: "2026-04-03", name: "Good Friday" },
  { date: "2026-05-25", name: "Memorial Day" },
  { date: "2026-06-19", name: "Juneteenth National Independence Day" },
  { date: "2026-07-03", name: "Independence Day (observed)" },
  { date: "2026-09-07", name: "Labor Day" },
  { date: "2026-11-26", name: "Thanksgiving Day" },
  { date: "2026-11-27", name: "Day after Thanksgiving (early close)", early: true },
  { date: "2026-12-24", name: "Christmas Eve (early close)", early: true },
  { date: "2026-12-25", name: "Christmas Day" },
  { date: "2027-01-01", name: "New Year's Day" },
  { date: "2027-01-18", name: "Martin Luther King, Jr. Day" },
  { date: "2027-02-15", name: "Washington's Birthday" },
  { date: "2027-03-26", name: "Good Friday" },
  { date: "2027-05-31", name: "Memorial Day" },
  { date: "2027-06-18", name: "Juneteenth National Independence Day (observed)" },
  { date: "2027-07-05", name: "Independence Day (observed)" },
  { date: "2027-09-06", name: "Labor Day" },
  { date: "2027-11-25", name: "Thanksgiving Day" },
  { date: "2027-11-26", name: "Day after Thanksgiving (early close)", early: true },
  { date: "2027-12-24", name: "Christmas Day (observed)" },
  // 2028-01-01 is a Saturday and NYSE observes no New Year's Day holiday for it (same release).
];

function usSpecialDays(closedEarly: readonly Session[]): Record<string, SpecialDay> {
  return Object.fromEntries(US_EQUITY_HOLIDAYS.map((h) => [h.date, { name: h.name, sessions: h.early ? closedEarly : [] }]));
}

const US_SOURCE = "NYSE Group, Holiday and Early Closings Calendar 2026–2028 (press release, 2025-12-23)";

// ---------------------------------------------------------------------------
// CME Globex, equity index futures (ES, NQ, MES, MNQ, YM, RTY...).

/**
 * The weekly Globex schedule in Chicago time: Sunday 17:00 to Friday 16:00,
 * with a daily halt 16:00–17:00. A "day" here is a local calendar day, so
 * Monday to Thursday hold the end of one session and the start of the next.
 */
const CME_MIDWEEK = [s("00:00", "16:00"), s("17:00", "24:00")];
const CME_WEEKLY = [CME_MIDWEEK, CME_MIDWEEK, CME_MIDWEEK, CME_MIDWEEK, [s("00:00", "16:00")], [], [s("17:00", "24:00")]];

/** A US holiday on which equity products halt at 12:00 CT and reopen at 17:00 CT for the next trade date. */
const CME_HOLIDAY_HALT = [s("00:00", "12:00"), s("17:00", "24:00")];
/** Closed all day; the next trade date opens at 17:00 CT. */
const CME_CLOSED_REOPEN = [s("17:00", "24:00")];
/** An early close at 12:15 CT before a weekend (day after Thanksgiving; Christmas Eve on a Friday). */
const CME_EARLY_FRIDAY = [s("00:00", "12:15")];

/**
 * CME Group's usual holiday pattern for equity index products, applied to
 * the 2026 and 2027 US holidays. CME publishes the exact schedule per
 * holiday a few weeks ahead (cmegroup.com, "Holiday Calendar"); where it
 * differs, edit the day here. Not checked against each 2026–2027 notice.
 */
const CME_HOLIDAYS: Readonly<Record<string, SpecialDay>> = {
  "2026-01-01": { name: "New Year's Day", sessions: CME_CLOSED_REOPEN },
  "2026-01-19": { name: "Martin Luther King, Jr. Day", sessions: CME_HOLIDAY_HALT },
  "2026-02-16": { name: "Presidents' Day", sessions: CME_HOLIDAY_HALT },
  // In years when the US jobs report falls on Good Friday (2026 is one), CME has opened equity
  // products for a short morning session; its notice for the day decides.
  "2026-04-02": { name: "Thursday before Good Friday (no evening session)", sessions: [s("00:00", "16:00")] },
  "2026-04-03": { name: "Good Friday", sessions: [] },
  "2026-05-25": { name: "Memorial Day", sessions: CME_HOLIDAY_HALT },
  "2026-06-19": { name: "Juneteenth", sessions: CME_HOLIDAY_HALT.slice(0, 1) },
  "2026-07-03": { name: "Independence Day (observed)", sessions: CME_HOLIDAY_HALT.slice(0, 1) },
  "2026-09-07": { name: "Labor Day", sessions: CME_HOLIDAY_HALT },
  "2026-11-26": { name: "Thanksgiving Day", sessions: CME_HOLIDAY_HALT },
  "2026-11-27": { name: "Day after Thanksgiving", sessions: CME_EARLY_FRIDAY },
  "2026-12-24": { name: "Christmas Eve", sessions: [s("00:00", "12:15")] },
  "2026-12-25": { name: "Christmas Day", sessions: [] },
  "2026-12-31": { name: "New Year's Eve (no evening session)", sessions: [s("00:00", "16:00")] },
  "2027-01-01": { name: "New Year's Day", sessions: [] },
  "2027-01-18": { name: "Martin Luther King, Jr. Day", sessions: CME_HOLIDAY_HALT },
  "2027-02-15": { name: "Presidents' Day", sessions: CME_HOLIDAY_HALT },
  "2027-03-25": { name: "Thursday before Good Friday (no evening session)", sessions: [s("00:00", "16:00")] },
  "2027-03-26": { name: "Good Friday", sessions: [] },
  "2027-05-31": { name: "Memorial Day", sessions: CME_HOLIDAY_HALT },
  "2027-06-18": { name: "Juneteenth (observed)", sessions: CME_HOLIDAY_HALT.slice(0, 1) },
  "2027-07-05": { name: "Independence Day (observed)", sessions: CME_HOLIDAY_HALT },
  "2027-09-06": { name: "Labor Day", sessions: CME_HOLIDAY_HALT },
  "2027-11-25": { name: "Thanksgiving Day", sessions: CME_HOLIDAY_HALT },
  "2027-11-26": { name: "Day after Thanksgiving", sessions: CME_EARLY_FRIDAY },
  "2027-12-23": { name: "Thursday before Christmas Day (observed; no evening session)", sessions: [s("00:00", "16:00")] },
  "2027-12-24": { name: "Christmas Day (observed)", sessions: [] },
};

// ---------------------------------------------------------------------------
// Crypto and forex.

const ALL_DAY = [s("00:00", "24:00")];

/** Spot FX: Sunday 17:00 to Friday 17:00 New York time (the interbank week). */
const FX_WEEKLY = [ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, [s("00:00", "17:00")], [], [s("17:00", "24:00")]];

/** Every calendar, by id. */
export const MARKET_CALENDARS: Readonly<Record<MarketCalendarId, MarketCalendar>> = {
  "us-equities": {
    id: "us-equities",
    name: "US equities (NYSE, Nasdaq)",
    timeZone: "America/New_York",
    weekly: WEEKDAYS_ONLY<readonly Session[]>(EQUITY_DAY, []),
    specialDays: usSpecialDays(EQUITY_EARLY_CLOSE),
    coversThrough: "2027-12-31",
    source: US_SOURCE,
  },
  "us-options": {
    id: "us-options",
    name: "US listed options",
    timeZone: "America/New_York",
    weekly: WEEKDAYS_ONLY<readonly Session[]>(OPTIONS_DAY, []),
    specialDays: usSpecialDays(OPTIONS_EARLY_CLOSE),
    coversThrough: "2027-12-31",
    source: US_SOURCE,
  },
  "cme-globex": {
    id: "cme-globex",
    name: "CME Globex equity index futures",
    timeZone: "America/Chicago",
    weekly: CME_WEEKLY,
    specialDays: CME_HOLIDAYS,
    coversThrough: "2027-12-31",
    source: "CME Group's usual holiday pattern for equity index products (halt 12:00 CT on US holidays, 12:15 CT early closes), applied to the 2026–2027 US holidays; check cmegroup.com's Holiday Calendar for each holiday",
  },
  crypto: {
    id: "crypto",
    name: "Crypto (24/7)",
    timeZone: "UTC",
    weekly: [ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY, ALL_DAY],
    specialDays: {},
    coversThrough: null,
    source: "Crypto venues trade around the clock; a venue's own maintenance windows are the broker's",
  },
  forex: {
    id: "forex",
    name: "Spot FX",
    timeZone: "America/New_York",
    weekly: FX_WEEKLY,
    specialDays: {},
    coversThrough: null,
    source: "The interbank FX week, Sunday 17:00 to Friday 17:00 New York time; brokers may close around holidays",
  },
};
