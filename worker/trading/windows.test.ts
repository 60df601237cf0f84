import { describe, expect, it } from "vitest";
import { SubscriptionSettingsSchema, type TradingWindow } from "./settings";
import { isInTradingWindows, isInWindow, isValidTimeZone, localTime, parseClock } from "./windows";

const NY = "America/New_York";
const rth: TradingWindow = { start: "09:30", end: "16:00" };
const at = (iso: string) => new Date(iso);

describe("regular hours window, New York", () => {
  it("start is inclusive, end exclusive (EST, UTC−5)", () => {
    expect(isInWindow(rth, at("2026-03-06T14:29:59Z"), NY)).toBe(false);
    expect(isInWindow(rth, at("2026-03-06T14:30:00Z"), NY)).toBe(true);
    expect(isInWindow(rth, at("2026-03-06T20:59:59Z"), NY)).toBe(true);
    expect(isInWindow(rth, at("2026-03-06T21:00:00Z"), NY)).toBe(false);
  });
  it("follows daylight saving: after 2026-03-08 09:30 local is 13:30Z", () => {
    expect(isInWindow(rth, at("2026-03-09T13:30:00Z"), NY)).toBe(true);
    expect(isInWindow(rth, at("2026-03-09T13:29:59Z"), NY)).toBe(false);
    expect(isInWindow(rth, at("2026-03-09T19:59:59Z"), NY)).toBe(true);
    expect(isInWindow(rth, at("2026-03-09T20:00:00Z"), NY)).toBe(false);
  });
  it("and back after 2026-11-01", () => {
    expect(isInWindow(rth, at("2026-11-02T13:30:00Z"), NY)).toBe(false);
    expect(isInWindow(rth, at("2026-11-02T14:30:00Z"), NY)).toBe(true);
  });
  it("the DST switch day itself (02:00 jumps to 03:00)", () => {
    const early: TradingWindow = { start: "01:00", end: "04:00" };
    expect(localTime(at("2026-03-08T07:00:00Z"), NY).seconds).toBe(3 * 3600);
    expect(isInWindow(early, at("2026-03-08T07:30:00Z"), NY)).toBe(true); // 03:30 EDT
    expect(isInWindow(early, at("2026-03-08T08:00:00Z"), NY)).toBe(false); // 04:00 EDT
  });
  it("days filter", () => {
    const weekdays: TradingWindow = { ...rth, days: ["mon", "tue", "wed", "thu", "fri"] };
    expect(isInWindow(weekdays, at("2026-03-06T15:00:00Z"), NY)).toBe(true); // Friday
    expect(isInWindow(weekdays, at("2026-03-07T15:00:00Z"), NY)).toBe(false); // Saturday
  });
});

describe("windows spanning midnight", () => {
  const night: TradingWindow = { start: "18:00", end: "02:00", days: ["fri"] };
  it("the evening part opens on the listed day", () => {
    expect(isInWindow(night, at("2026-03-06T23:00:00Z"), NY)).toBe(true); // Fri 18:00 EST
    expect(isInWindow(night, at("2026-03-06T22:59:59Z"), NY)).toBe(false); // Fri 17:59:59
    expect(isInWindow(night, at("2026-03-05T23:30:00Z"), NY)).toBe(false); // Thu 18:30
  });
  it("the morning part belongs to the previous day's window", () => {
    expect(isInWindow(night, at("2026-03-07T06:59:59Z"), NY)).toBe(true); // Sat 01:59:59
    expect(isInWindow(night, at("2026-03-07T07:00:00Z"), NY)).toBe(false); // Sat 02:00
    expect(isInWindow(night, at("2026-03-06T06:00:00Z"), NY)).toBe(false); // Fri 01:00 (Thursday's night)
  });
  it("every day when no days are listed", () => {
    const anyNight: TradingWindow = { start: "22:00", end: "01:00" };
    expect(isInWindow(anyNight, at("2026-03-10T03:30:00Z"), "UTC")).toBe(false);
    expect(isInWindow(anyNight, at("2026-03-10T00:30:00Z"), "UTC")).toBe(true);
    expect(isInWindow(anyNight, at("2026-03-10T22:00:00Z"), "UTC")).toBe(true);
  });
});

describe("helpers", () => {
  it("no windows means always open; equal start and end is a whole day", () => {
    expect(isInTradingWindows([], at("2026-03-06T03:00:00Z"), NY)).toBe(true);
    expect(isInWindow({ start: "00:00", end: "00:00" }, at("2026-03-06T03:00:00Z"), NY)).toBe(true);
    expect(isInTradingWindows([rth, { start: "20:00", end: "21:00" }], at("2026-03-07T01:30:00Z"), NY)).toBe(true);
  });
  it("other zones", () => {
    expect(isInWindow({ start: "08:00", end: "16:30" }, at("2026-07-01T07:00:00Z"), "Europe/London")).toBe(true); // 08:00 BST
    expect(isInWindow({ start: "09:00", end: "15:00" }, at("2026-07-01T00:00:00Z"), "Asia/Tokyo")).toBe(true); // 09:00 JST
  });
  it("parses clocks", () => {
    expect(parseClock("09:30")).toBe(34_200);
    expect(parseClock("24:00")).toBe(86_400);
    expect(parseClock("24:01")).toBeNull();
    expect(parseClock("9.30")).toBeNull();
  });
  it("settings refuse unknown timezones and bad clocks", () => {
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(SubscriptionSettingsSchema.safeParse({ timezone: "Mars/Olympus" }).success).toBe(false);
    expect(SubscriptionSettingsSchema.safeParse({ tradingWindows: [{ start: "9:30am", end: "16:00" }] }).success).toBe(false);
    expect(SubscriptionSettingsSchema.safeParse({ tradingWindows: [rth], timezone: "Europe/Berlin" }).success).toBe(true);
  });
});
