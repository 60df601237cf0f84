import { describe, expect, it } from "vitest";
import { MARKET_CALENDARS, MARKET_CALENDAR_IDS } from "./market-calendars";
import { calendarFor, describeClosed, marketStatus, sessionsOn } from "./market-hours";
import { localTime, zonedInstant } from "./windows";

const at = (iso: string) => new Date(iso);
const equities = MARKET_CALENDARS["us-equities"];
const options = MARKET_CALENDARS["us-options"];
const cme = MARKET_CALENDARS["cme-globex"];

describe("zonedInstant", () => {
  it("turns a wall-clock time into the instant, across daylight saving", () => {
    expect(zonedInstant("2026-03-06", 9.5 * 3600, "America/New_York").toISOString()).toBe("2026-03-06T14:30:00.000Z");
    expect(zonedInstant("2026-03-09", 9.5 * 3600, "America/New_York").toISOString()).toBe("2026-03-09T13:30:00.000Z");
    expect(zonedInstant("2026-11-02", 9.5 * 3600, "America/New_York").toISOString()).toBe("2026-11-02T14:30:00.000Z");
    expect(zonedInstant("2026-07-01", 17 * 3600, "America/Chicago").toISOString()).toBe("2026-07-01T22:00:00.000Z");
    expect(zonedInstant("2026-07-01", 86_400, "UTC").toISOString()).toBe("2026-07-02T00:00:00.000Z");
  });
  it("on the switch days themselves (a skipped hour maps past the gap)", () => {
    // 2026-03-08 02:30 does not exist in New York; 03:00 EDT is 07:00Z.
    expect(zonedInstant("2026-03-08", 3 * 3600, "America/New_York").toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(zonedInstant("2026-03-08", 1 * 3600, "America/New_York").toISOString()).toBe("2026-03-08T06:00:00.000Z");
    expect(zonedInstant("2026-11-01", 12 * 3600, "America/New_York").toISOString()).toBe("2026-11-01T17:00:00.000Z");
  });
});

describe("US equities", () => {
  it("regular session 09:30–16:00 New York, start inclusive and end exclusive", () => {
    expect(marketStatus(equities, at("2026-03-06T14:29:59Z")).open).toBe(false);
    expect(marketStatus(equities, at("2026-03-06T14:30:00Z"))).toMatchObject({ open: true, session: "regular" });
    expect(marketStatus(equities, at("2026-03-06T20:59:59Z")).open).toBe(true);
    expect(marketStatus(equities, at("2026-03-06T21:00:00Z")).open).toBe(false);
  });
  it("follows daylight saving (09:30 EDT is 13:30Z)", () => {
    expect(marketStatus(equities, at("2026-03-09T13:30:00Z")).open).toBe(true);
    expect(marketStatus(equities, at("2026-03-09T13:29:00Z")).open).toBe(false);
  });
  it("pre-market and after-hours only for extended-hours orders", () => {
    const pre = at("2026-03-09T12:00:00Z"); // 08:00 EDT
    expect(marketStatus(equities, pre).open).toBe(false);
    expect(marketStatus(equities, pre, { extendedHours: true })).toMatchObject({ open: true, session: "extended" });
    const post = at("2026-03-09T23:30:00Z"); // 19:30 EDT
    expect(marketStatus(equities, post, { extendedHours: true }).open).toBe(true);
    expect(marketStatus(equities, at("2026-03-10T00:00:00Z"), { extendedHours: true }).open).toBe(false); // 20:00 EDT
  });
  it("closed on a weekend, with the next open Monday 09:30", () => {
    const s = marketStatus(equities, at("2026-03-07T15:00:00Z"));
    expect(s).toMatchObject({ open: false, holiday: null });
    expect(s.nextOpen?.toISOString()).toBe("2026-03-09T13:30:00.000Z");
    expect(marketStatus(equities, at("2026-03-07T15:00:00Z"), { extendedHours: true }).nextOpen?.toISOString()).toBe("2026-03-09T08:00:00.000Z");
  });
  it("closed on Good Friday 2026; the next open is Monday", () => {
    const s = marketStatus(equities, at("2026-04-03T15:00:00Z"));
    expect(s).toMatchObject({ open: false, holiday: "Good Friday" });
    expect(s.nextOpen?.toISOString()).toBe("2026-04-06T13:30:00.000Z");
  });
  it("Independence Day observed on Friday 2026-07-03 and Monday 2027-07-05", () => {
    expect(marketStatus(equities, at("2026-07-03T15:00:00Z")).holiday).toBe("Independence Day (observed)");
    expect(marketStatus(equities, at("2027-07-05T15:00:00Z")).open).toBe(false);
    expect(marketStatus(equities, at("2027-07-06T15:00:00Z")).open).toBe(true);
  });
  it("closes at 13:00 the day after Thanksgiving and on Christmas Eve 2026; after-hours to 17:00", () => {
    expect(marketStatus(equities, at("2026-11-27T17:59:00Z")).open).toBe(true); // 12:59 EST
    expect(marketStatus(equities, at("2026-11-27T18:00:00Z")).open).toBe(false); // 13:00 EST
    expect(marketStatus(equities, at("2026-11-27T21:30:00Z"), { extendedHours: true }).open).toBe(true); // 16:30
    expect(marketStatus(equities, at("2026-11-27T22:00:00Z"), { extendedHours: true }).open).toBe(false); // 17:00
    expect(marketStatus(equities, at("2026-12-24T18:30:00Z")).open).toBe(false);
    expect(marketStatus(equities, at("2026-12-24T17:30:00Z")).open).toBe(true);
  });
  it("Christmas 2027 observed on Friday the 24th; New Year's Day 2028 (a Saturday) observes nothing", () => {
    expect(marketStatus(equities, at("2027-12-24T15:00:00Z")).holiday).toBe("Christmas Day (observed)");
    expect(marketStatus(equities, at("2027-12-31T15:00:00Z")).open).toBe(true);
  });
  it("past the holiday data: the weekly schedule, said in the message", () => {
    const s = marketStatus(equities, at("2028-01-08T15:00:00Z"));
    expect(s).toMatchObject({ open: false, dataCurrent: false });
    expect(describeClosed(equities, s, false)).toContain("holiday data for this market ends 2027-12-31");
  });
});

describe("US options", () => {
  it("no extended session; early close 13:15", () => {
    expect(marketStatus(options, at("2026-03-09T12:00:00Z"), { extendedHours: true }).open).toBe(false);
    expect(marketStatus(options, at("2026-11-27T18:10:00Z")).open).toBe(true); // 13:10 EST
    expect(marketStatus(options, at("2026-11-27T18:15:00Z")).open).toBe(false);
  });
});

describe("CME Globex equity index futures", () => {
  it("Sunday 17:00 to Friday 16:00 Chicago, with the daily 16:00–17:00 halt", () => {
    expect(marketStatus(cme, at("2026-03-08T21:59:00Z")).open).toBe(false); // Sunday 16:59 CDT
    expect(marketStatus(cme, at("2026-03-08T22:00:00Z")).open).toBe(true); // Sunday 17:00 CDT
    expect(marketStatus(cme, at("2026-03-10T05:00:00Z")).open).toBe(true); // Tuesday 00:00 CDT, across midnight
    const halt = marketStatus(cme, at("2026-03-10T21:30:00Z")); // Tuesday 16:30 CDT
    expect(halt.open).toBe(false);
    expect(halt.nextOpen?.toISOString()).toBe("2026-03-10T22:00:00.000Z");
    const weekend = marketStatus(cme, at("2026-03-13T21:00:00Z")); // Friday 16:00 CDT
    expect(weekend.open).toBe(false);
    expect(weekend.nextOpen?.toISOString()).toBe("2026-03-15T22:00:00.000Z");
  });
  it("US holidays halt at 12:00 CT and reopen at 17:00 for the next day", () => {
    expect(marketStatus(cme, at("2026-01-19T17:59:00Z")).open).toBe(true); // MLK 11:59 CST
    const halted = marketStatus(cme, at("2026-01-19T18:00:00Z"));
    expect(halted).toMatchObject({ open: false, holiday: "Martin Luther King, Jr. Day" });
    expect(halted.nextOpen?.toISOString()).toBe("2026-01-19T23:00:00.000Z");
  });
  it("Good Friday 2026: no Thursday evening session, closed Friday, Sunday open", () => {
    const s = marketStatus(cme, at("2026-04-02T22:30:00Z")); // Thursday 17:30 CDT
    expect(s.open).toBe(false);
    expect(s.nextOpen?.toISOString()).toBe("2026-04-05T22:00:00.000Z");
  });
  it("the day after Thanksgiving closes at 12:15 CT", () => {
    expect(marketStatus(cme, at("2026-11-27T18:14:00Z")).open).toBe(true);
    expect(marketStatus(cme, at("2026-11-27T18:15:00Z")).open).toBe(false);
  });
});

describe("crypto and forex", () => {
  it("crypto never closes", () => {
    for (const iso of ["2026-12-25T12:00:00Z", "2026-03-08T07:30:00Z", "2027-01-01T00:00:00Z", "2030-06-01T23:59:59Z"]) {
      expect(marketStatus(MARKET_CALENDARS.crypto, at(iso))).toMatchObject({ open: true, dataCurrent: true });
    }
  });
  it("forex: Sunday 17:00 to Friday 17:00 New York", () => {
    const fx = MARKET_CALENDARS.forex;
    expect(marketStatus(fx, at("2026-03-13T20:59:00Z")).open).toBe(true); // Friday 16:59 EDT
    expect(marketStatus(fx, at("2026-03-13T21:00:00Z")).open).toBe(false);
    expect(marketStatus(fx, at("2026-03-15T21:00:00Z")).open).toBe(true); // Sunday 17:00 EDT
  });
});

describe("the calendars as data", () => {
  it("each asset class has a calendar", () => {
    expect(calendarFor("stocks").id).toBe("us-equities");
    expect(calendarFor("options").id).toBe("us-options");
    expect(calendarFor("futures").id).toBe("cme-globex");
    expect(calendarFor("crypto").id).toBe("crypto");
    expect(calendarFor("forex").id).toBe("forex");
  });
  it("every special day is a real weekday date inside the data's range, with sessions in order", () => {
    for (const id of MARKET_CALENDAR_IDS) {
      const cal = MARKET_CALENDARS[id];
      for (const [date, day] of Object.entries(cal.specialDays)) {
        const weekday = localTime(zonedInstant(date, 12 * 3600, cal.timeZone), cal.timeZone).weekday;
        expect(weekday, `${id} ${date}`).toBeLessThan(5);
        expect(date <= (cal.coversThrough ?? ""), `${id} ${date}`).toBe(true);
        const ends = day.sessions.flatMap((s) => [s.start, s.end]);
        expect([...ends].sort(), `${id} ${date}`).toEqual(ends);
      }
    }
  });
  it("the US holiday tables hold the ten NYSE holidays of each year they cover", () => {
    for (const year of ["2026", "2027"]) {
      const closed = Object.entries(equities.specialDays).filter(([d, day]) => d.startsWith(year) && day.sessions.length === 0);
      expect(closed.length, year).toBe(10);
    }
  });
  it("holidays are looked up by the exchange's local date", () => {
    expect(sessionsOn(equities, "2026-11-26").special?.name).toBe("Thanksgiving Day");
    // 2026-11-26 03:00Z is still Wednesday evening in New York: not a holiday there yet.
    expect(marketStatus(equities, at("2026-11-26T03:00:00Z"), { extendedHours: true }).holiday).toBe(null);
  });
});
