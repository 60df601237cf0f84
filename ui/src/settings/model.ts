/**
 * The subscription settings form's model: every setting of the API's
 * SubscriptionSettings, grouped the way traders think about them, in their
 * words; a draft (what the inputs hold) ⇄ settings JSON; and the client-side
 * checks, whose limits come from the settings JSON Schema the API serves
 * (GET /api/schemas), so they match the server's zod schema.
 *
 * @module
 */
import { limitsOf, propertySchema } from "../json-schema";
import { type FieldNames, type Limits, limitSentence } from "../messages";
import type { SubscriptionSettings } from "../types";

type Settings = SubscriptionSettings;
type Key = keyof Settings;

/** One control of the form. */
export type FieldSpec =
  | { key: Key; kind: "number"; label: string; help?: string; optional?: boolean; unit?: string; showIf?: (d: Draft) => boolean }
  | { key: Key; kind: "bool"; label: string; help?: string; showIf?: (d: Draft) => boolean }
  | { key: Key; kind: "select"; label: string; help?: string; labels: Record<string, string>; optional?: string; showIf?: (d: Draft) => boolean }
  | { key: Key; kind: "tickers" | "text"; label: string; help?: string; placeholder?: string; showIf?: (d: Draft) => boolean }
  | { key: "takeProfit" | "stopLoss" | "tradingWindows"; kind: "takeProfit" | "stopLoss" | "windows"; label: string; help?: string; showIf?: (d: Draft) => boolean }
  | { key: DailyLimitKey; kind: "dailyLimit"; label: string; help?: string; showIf?: (d: Draft) => boolean };

/** The two daily P&L limits: an amount with its own trading day. */
export type DailyLimitKey = "dailyLossLimit" | "dailyProfitTarget";

/** A group of settings with a heading. */
export interface Group {
  id: string;
  title: string;
  intro: string;
  fields: FieldSpec[];
}

const ORDER_TYPES = { market: "Market", limit: "Limit", stop: "Stop", stop_limit: "Stop limit", trailing_stop: "Trailing stop" };

/** Every setting, grouped. The test in ui/test checks that all of the schema's settings appear. */
export const GROUPS: Group[] = [
  {
    id: "sizing",
    title: "Sizing",
    intro: "How big each entry is.",
    fields: [
      {
        key: "sizingMode",
        kind: "select",
        label: "Size entries by",
        labels: { fixed_quantity: "A fixed quantity", dollar_amount: "A dollar amount", percent_of_equity: "A percent of equity", risk_dollar_amount: "Dollars at risk (needs a stop loss)", risk_percent: "Percent of equity at risk (needs a stop loss)" },
      },
      { key: "quantity", kind: "number", label: "Quantity per entry", help: "Shares, contracts or units.", showIf: (d) => d.sizingMode === "fixed_quantity" },
      { key: "sizingValue", kind: "number", label: "Amount", optional: true, help: "Dollars for dollar sizing, percent for percent sizing.", showIf: (d) => d.sizingMode !== "fixed_quantity" },
      { key: "allowSignalQuantity", kind: "bool", label: "Use the alert's quantity when it sends one" },
      { key: "quantityMultiplier", kind: "number", label: "Multiply the alert's quantity by", help: "2 × 2.5 = 5, then rounded down." },
      { key: "allowFractional", kind: "bool", label: "Allow fractional quantities", help: "Stocks and crypto, where the broker can." },
    ],
  },
  {
    id: "entries",
    title: "Entries",
    intro: "How positions are opened and added to.",
    fields: [
      { key: "allowAddToPosition", kind: "bool", label: "Add to an open position", help: "A buy while long buys more, instead of being refused." },
      { key: "entryOrderType", kind: "select", label: "Entry order type", labels: ORDER_TYPES, help: "When the alert does not say." },
      { key: "allowSignalOrderType", kind: "bool", label: "Use the alert's order type and prices" },
      { key: "timeInForce", kind: "select", label: "Time in force", labels: { day: "Day", gtc: "Good till cancelled", opg: "At the open", cls: "At the close", ioc: "Immediate or cancel", fok: "Fill or kill" }, optional: "Default (GTC for crypto, day otherwise)" },
      { key: "marketPriceType", kind: "select", label: "Price limit and stop orders at", labels: { mark: "Mark", ask_bid: "Ask to buy, bid to sell", ask: "Ask", bid: "Bid", last: "Last trade" }, help: "When the alert sends no price." },
      { key: "extendedHours", kind: "bool", label: "Trade extended hours", help: "Stocks and options; limit orders only." },
      { key: "entryCancelAfterSeconds", kind: "number", label: "Cancel an unfilled entry after", unit: "seconds", optional: true },
      { key: "cancelOpenOrders", kind: "bool", label: "Cancel the ticker's open orders first", help: "Before an entry from flat, a side change or a full exit." },
    ],
  },
  {
    id: "exits",
    title: "Exits",
    intro: "How positions are closed.",
    fields: [
      { key: "exitOrderType", kind: "select", label: "Exit order type", labels: ORDER_TYPES },
      { key: "exitCancelAfterSeconds", kind: "number", label: "Cancel an unfilled exit after", unit: "seconds", optional: true },
      { key: "ignoreExits", kind: "bool", label: "Ignore exit alerts", help: "Exit alerts and buy/sell with sentiment flat do nothing." },
      { key: "allowSideSwap", kind: "bool", label: "Reverse on an opposite alert", help: "A sell while long closes the long and opens a short. Off: it only closes." },
      { key: "subtractExitQuantity", kind: "bool", label: "On a reversal, subtract the exited quantity", help: "Long 5, sell 8 → sell 5, then short 3 (TradingView's one-alert flip)." },
      { key: "breakevenOffset", kind: "number", label: "Breakeven stop offset", help: "Price units from the average entry price." },
    ],
  },
  {
    id: "brackets",
    title: "Take profit and stop loss",
    intro: "Attached to every entry unless the alert sends its own.",
    fields: [
      { key: "takeProfit", kind: "takeProfit", label: "Take profit" },
      { key: "stopLoss", kind: "stopLoss", label: "Stop loss" },
      { key: "allowSignalTakeProfit", kind: "bool", label: "Use the alert's take profit" },
      { key: "allowSignalStopLoss", kind: "bool", label: "Use the alert's stop loss" },
      { key: "allowSignalBreakevenOffset", kind: "bool", label: "Use the alert's breakeven offset" },
    ],
  },
  {
    id: "sides",
    title: "Sides",
    intro: "Which directions this account trades.",
    fields: [
      { key: "sides", kind: "select", label: "Trade", labels: { both: "Long and short", bullish: "Long only", bearish: "Short only" } },
      { key: "isolateSides", kind: "bool", label: "Never close the opposite side from a buy or sell", help: "The alert is refused instead." },
      { key: "invertPuts", kind: "bool", label: "Options: buy sells puts to open, sell buys them" },
    ],
  },
  {
    id: "windows",
    title: "Trading windows",
    intro: "When entries may run. No windows = any time.",
    fields: [
      { key: "tradingWindows", kind: "windows", label: "Windows" },
      { key: "timezone", kind: "text", label: "Time zone", placeholder: "America/New_York", help: "An IANA time zone; daylight saving is handled." },
      { key: "allowExitsOutsideWindows", kind: "bool", label: "Allow exits and cancels outside the windows" },
      { key: "allowSignalIgnoreTradingWindows", kind: "bool", label: "Let an alert ignore the windows (ignoreTradingWindows)" },
    ],
  },
  {
    id: "approvals",
    title: "Approvals",
    intro: "Whether orders go out by themselves.",
    fields: [
      { key: "autoSubmit", kind: "bool", label: "Send orders automatically", help: "Off: each trade waits under Approvals until you approve it." },
      { key: "approvalTimeoutSeconds", kind: "number", label: "Approval deadline", unit: "seconds", help: "An undecided trade is rejected after this.", showIf: (d) => d.autoSubmit === false },
    ],
  },
  {
    id: "limits",
    title: "Risk limits",
    intro: "Limits that stop new entries; exits always run. An account's own limits (Settings) apply too, the stricter one winning.",
    fields: [
      { key: "dailyLossLimit", kind: "dailyLimit", label: "Daily loss limit", help: "Entries stop once the day's P&L of this subscription (realized, plus open positions where a price is known) reaches minus this amount." },
      { key: "dailyProfitTarget", kind: "dailyLimit", label: "Daily profit target", help: "Entries stop once the day's P&L reaches this amount." },
      { key: "maxPositionQuantity", kind: "number", label: "Largest position per ticker", unit: "units", optional: true },
      { key: "maxPositionNotional", kind: "number", label: "Largest position per ticker", unit: "$ value", optional: true },
      { key: "maxOpenPositions", kind: "number", label: "Most open positions in the account", optional: true },
      { key: "lossLockoutMinutes", kind: "number", label: "After a losing exit, lock entries for", unit: "minutes", optional: true },
      {
        key: "marketHours",
        kind: "select",
        label: "When the market is closed",
        labels: { ignore: "Send anyway (the broker decides)", reject: "Refuse the alert", queue: "Hold it until the market opens" },
        help: "Uses the exchange calendar of the strategy's asset class, holidays included.",
      },
    ],
  },
  {
    id: "risk",
    title: "Risk and filters",
    intro: "Which alerts this account takes at all.",
    fields: [
      { key: "allowedTickers", kind: "tickers", label: "Only these tickers", placeholder: "Follow the strategy", help: "Comma-separated. Empty = every ticker the strategy allows." },
      { key: "maxSignalAgeSeconds", kind: "number", label: "Refuse alerts older than", unit: "seconds", help: "0 = off. The stricter of this and the strategy's applies." },
      { key: "bidAskSpreadFilter", kind: "number", label: "Refuse when the spread is wider than", unit: "price units", optional: true },
      { key: "bidAskSpreadFilterPercent", kind: "number", label: "Refuse when the spread is wider than", unit: "% of the mid", optional: true },
      { key: "allowSignalTimeInForce", kind: "bool", label: "Use the alert's time in force" },
      { key: "allowSignalExtendedHours", kind: "bool", label: "Use the alert's extended hours" },
      { key: "allowSignalCancel", kind: "bool", label: "Let an alert cancel open orders (cancel)" },
      {
        key: "maintenanceWindow",
        kind: "select",
        label: "During the broker's maintenance window",
        labels: { refuse: "Refuse the alert", queue: "Hold it until the window ends" },
      },
    ],
  },
];

/** Field names for error sentences, by API path (`settings.quantity`). */
export const SETTING_NAMES: FieldNames = Object.fromEntries(
  GROUPS.flatMap((g) => g.fields).map((f) => [`settings.${f.key}`, { label: "unit" in f && f.unit ? `${f.label} (${f.unit})` : f.label }]),
);

export type TpKind = "none" | "percent" | "amount" | "pnlAmount";
export type SlType = "none" | "stop" | "stop_limit" | "trailing_stop";
export type SlKind = "percent" | "amount" | "pnlAmount" | "trailAmount" | "trailPercent";

/** A window as its inputs hold it. */
export interface WindowDraft {
  start: string;
  end: string;
  days: string[];
}

/** What the inputs hold: booleans, text for numbers and lists, and the take profit / stop loss parts. */
/** A daily limit as its inputs hold it (amount empty = off). */
export interface DailyLimitDraft {
  amount: string;
  resetTime: string;
  timezone: string;
  flatten: boolean;
}

export type Draft = Record<string, string | boolean | WindowDraft[] | DailyLimitDraft> & {
  dailyLossLimit: DailyLimitDraft;
  dailyProfitTarget: DailyLimitDraft;
  tpKind: TpKind;
  tpValue: string;
  slType: SlType;
  slKind: SlKind;
  slValue: string;
  slLimitOffset: string;
  windows: WindowDraft[];
};

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The draft of stored (or default) settings. */
export function toDraft(s: Settings): Draft {
  const d: Record<string, unknown> = {};
  for (const f of GROUPS.flatMap((g) => g.fields)) {
    const v = s[f.key as Key];
    if (f.kind === "bool") d[f.key] = v === true;
    else if (f.kind === "tickers") d[f.key] = Array.isArray(v) ? v.join(", ") : "";
    else if (f.kind === "number" || f.kind === "select" || f.kind === "text") d[f.key] = v === undefined || v === null ? "" : String(v);
  }
  const tp = s.takeProfit;
  const tpKind: TpKind = tp?.percent !== undefined ? "percent" : tp?.amount !== undefined ? "amount" : tp?.pnlAmount !== undefined ? "pnlAmount" : "none";
  const sl = s.stopLoss;
  const slKind: SlKind = sl?.trailPercent !== undefined ? "trailPercent" : sl?.trailAmount !== undefined ? "trailAmount" : sl?.amount !== undefined ? "amount" : sl?.pnlAmount !== undefined ? "pnlAmount" : "percent";
  return {
    ...(d as Record<string, string | boolean>),
    tpKind,
    tpValue: tp && tpKind !== "none" ? String(tp[tpKind] ?? "") : "",
    slType: sl ? sl.type : "none",
    slKind,
    slValue: sl ? String(sl[slKind] ?? "") : "",
    slLimitOffset: sl?.limitOffset === undefined ? "" : String(sl.limitOffset),
    windows: (s.tradingWindows ?? []).map((w) => ({ start: w.start, end: w.end, days: w.days ?? [...WEEKDAYS] })),
    dailyLossLimit: limitDraft(s.dailyLossLimit),
    dailyProfitTarget: limitDraft(s.dailyProfitTarget),
  };
}

function limitDraft(limit: Settings["dailyLossLimit"]): DailyLimitDraft {
  return limit
    ? { amount: String(limit.amount), resetTime: limit.resetTime, timezone: limit.timezone, flatten: limit.flatten }
    : { amount: "", resetTime: "00:00", timezone: "America/New_York", flatten: false };
}

type JsonSchema = unknown;

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Limits for a nested value (`takeProfit.percent`). */
function nestedLimits(schema: JsonSchema, parent: string, key: string): Limits {
  return { ...limitsOf(propertySchema(schema, parent), key), required: true };
}

/**
 * Reads the draft into settings JSON, or field errors (by setting key) in
 * words. `clearWithNull`: an edit sends `null` for cleared optional settings
 * so the API removes them.
 */
export function fromDraft(d: Draft, schema: JsonSchema, clearWithNull: boolean): { settings: Record<string, unknown> } | { errors: Record<string, string> } {
  const settings: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const cleared = clearWithNull ? null : undefined;
  for (const f of GROUPS.flatMap((g) => g.fields)) {
    const name = SETTING_NAMES[`settings.${f.key}`] ?? { label: f.label };
    if (f.kind === "bool") settings[f.key] = d[f.key] === true;
    else if (f.kind === "select" || f.kind === "text") {
      const v = String(d[f.key] ?? "");
      if (v === "") {
        if (f.kind === "select" && f.optional) settings[f.key] = cleared;
        else errors[f.key] = `Enter the ${name.label.toLowerCase()}.`;
      } else settings[f.key] = v;
    } else if (f.kind === "tickers") {
      const list = String(d[f.key] ?? "")
        .split(/[\s,]+/)
        .map((t) => t.trim().toUpperCase())
        .filter(Boolean);
      settings[f.key] = list.length ? list : null;
    } else if (f.kind === "number") {
      // A field the form hides does not block saving; its stored value is kept.
      if (f.showIf && !f.showIf(d)) continue;
      const raw = String(d[f.key] ?? "");
      const problem = limitSentence(raw, { ...limitsOf(schema, f.key), required: !f.optional }, name);
      if (problem) errors[f.key] = problem;
      else if (raw.trim() === "") settings[f.key] = cleared;
      else settings[f.key] = Number(raw);
    }
  }
  if (d.sizingMode !== "fixed_quantity" && String(d.sizingValue ?? "").trim() === "") errors.sizingValue = "Enter the amount to size entries by.";

  if (d.tpKind === "none") settings.takeProfit = cleared;
  else {
    const problem = limitSentence(d.tpValue, nestedLimits(schema, "takeProfit", d.tpKind), { label: "Take profit", enter: "the take profit" });
    if (problem) errors.takeProfit = problem;
    else settings.takeProfit = { [d.tpKind]: Number(d.tpValue) };
  }
  if (d.slType === "none") settings.stopLoss = cleared;
  else {
    const kind: SlKind = d.slType === "trailing_stop" ? (d.slKind === "trailAmount" ? "trailAmount" : "trailPercent") : d.slKind === "trailAmount" || d.slKind === "trailPercent" ? "percent" : d.slKind;
    const problem = limitSentence(d.slValue, nestedLimits(schema, "stopLoss", kind), { label: "Stop loss", enter: "the stop loss" });
    const offset = d.slType === "stop_limit" ? limitSentence(d.slLimitOffset, limitsOf(propertySchema(schema, "stopLoss"), "limitOffset"), { label: "Limit offset" }) : null;
    if (problem || offset) errors.stopLoss = problem ?? offset ?? "";
    else settings.stopLoss = { type: d.slType, [kind]: Number(d.slValue), ...(d.slType === "stop_limit" && d.slLimitOffset.trim() !== "" && { limitOffset: Number(d.slLimitOffset) }) };
  }
  const windows: { start: string; end: string; days?: string[] }[] = [];
  d.windows.forEach((w, i) => {
    if (!CLOCK.test(w.start) || !CLOCK.test(w.end)) errors.tradingWindows = `Window ${i + 1}: enter start and end as times of day, such as 09:30 and 16:00.`;
    else if (w.days.length === 0) errors.tradingWindows = `Window ${i + 1}: pick at least one day.`;
    else windows.push({ start: w.start, end: w.end, ...(w.days.length < 7 && { days: WEEKDAYS.filter((day) => w.days.includes(day)) }) });
  });
  settings.tradingWindows = windows;
  for (const key of ["dailyLossLimit", "dailyProfitTarget"] as const) {
    const l = d[key];
    const name = SETTING_NAMES[`settings.${key}`] ?? { label: key };
    if (l.amount.trim() === "") {
      settings[key] = cleared;
      continue;
    }
    const problem = limitSentence(l.amount, nestedLimits(schema, key, "amount"), name);
    if (problem) errors[key] = problem;
    else if (!CLOCK.test(l.resetTime)) errors[key] = `${name.label}: enter the time the trading day starts, such as 00:00 or 17:00.`;
    else if (l.timezone.trim() === "") errors[key] = `${name.label}: enter the time zone of the trading day, such as America/New_York.`;
    else settings[key] = { amount: Number(l.amount), resetTime: l.resetTime, timezone: l.timezone.trim(), flatten: l.flatten };
  }
  if (Object.keys(errors).length) return { errors };
  if (!clearWithNull) for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];
  return { settings };
}

/** The form field an API error path belongs to: `settings.stopLoss.percent` → `stopLoss`. */
export function settingOf(path: string): string | null {
  const m = /^settings\.([A-Za-z]+)/.exec(path);
  return m?.[1] ?? null;
}

/** Default settings, from the schema's `default`s (the API applies the same ones). */
export function defaultSettings(schema: unknown): SubscriptionSettings {
  const out: Record<string, unknown> = {};
  const props = typeof schema === "object" && schema !== null ? (schema as { properties?: Record<string, { default?: unknown }> }).properties ?? {} : {};
  for (const [key, prop] of Object.entries(props)) if (prop.default !== undefined) out[key] = prop.default;
  return out as SubscriptionSettings;
}
