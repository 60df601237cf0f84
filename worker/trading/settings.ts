/**
 * Subscription settings: how one broker account follows one strategy.
 * Every field has a default, so `{}` is a valid settings object. The zod
 * schema is the single source of the type and of the API's documentation
 * (docs/signals.md is checked against it).
 *
 * Settings are configuration sent as JSON numbers; the decision core turns
 * them into decimals before any arithmetic.
 *
 * The top-level object carries no cross-field refinements on purpose, so
 * callers can still `.partial()`/`.extend()` it; cross-field rules are
 * enforced where the values are used (worker/trading/decide.ts).
 *
 * @module
 */
import { z } from "zod";
import { OrderTypeSchema, TimeInForceSchema } from "../../plugins/sdk/models";
import { isValidTimeZone, parseClock } from "./windows";
import { memoizeByJson } from "../lib/memo";

/** Sizing modes a subscription may use when the signal sends no quantity (or may not override it). */
export const SizingModeSchema = z.enum(["fixed_quantity", "dollar_amount", "risk_dollar_amount", "percent_of_equity", "risk_percent"]);
export type SizingMode = z.infer<typeof SizingModeSchema>;

export const SidesSchema = z.enum(["both", "bullish", "bearish"]);
export type Sides = z.infer<typeof SidesSchema>;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof WeekdaySchema>;

const clock = z.string().refine((s) => parseClock(s) !== null, { message: 'must be a time of day "HH:MM" (24-hour), e.g. "09:30"' });

/** One daily trading window: `start` inclusive, `end` exclusive; `end` before `start` spans midnight. */
export const TradingWindowSchema = z
  .object({
    start: clock,
    end: clock,
    /** Days the window opens on (for a window spanning midnight, the day it starts). Default: every day. */
    days: z.array(WeekdaySchema).min(1).optional(),
  })
  .strict();
export type TradingWindow = z.infer<typeof TradingWindowSchema>;

const positive = z.number().positive().finite();

/** Subscription take-profit default: one relative value. */
export const TakeProfitDefaultSchema = z
  .object({
    percent: positive.optional(),
    amount: positive.optional(),
    pnlAmount: positive.optional(),
  })
  .strict()
  .refine((tp) => [tp.percent, tp.amount, tp.pnlAmount].filter((v) => v !== undefined).length === 1, {
    message: 'set exactly one of "percent", "amount" and "pnlAmount"',
  });

/** Subscription stop-loss default: a type and one value. */
export const StopLossDefaultSchema = z
  .object({
    type: z.enum(["stop", "stop_limit", "trailing_stop"]).default("stop"),
    percent: positive.max(99.99).optional(),
    amount: positive.optional(),
    pnlAmount: positive.optional(),
    trailAmount: positive.optional(),
    trailPercent: positive.max(99.99).optional(),
    /** stop_limit only: how far past the stop the limit sits (0 = at the stop). */
    limitOffset: z.number().min(0).finite().optional(),
  })
  .strict()
  .refine(
    (sl) =>
      sl.type === "trailing_stop"
        ? [sl.trailAmount, sl.trailPercent].filter((v) => v !== undefined).length === 1
        : [sl.percent, sl.amount, sl.pnlAmount].filter((v) => v !== undefined).length === 1,
    { message: 'set exactly one value: "percent", "amount" or "pnlAmount" (or "trailAmount"/"trailPercent" for type "trailing_stop")' },
  );

const timeZoneName = z.string().refine(isValidTimeZone, { message: 'must be an IANA timezone such as "America/New_York"' });

/**
 * A daily P&L limit: an amount in the account's currency, and the trading
 * day it counts over (from `resetTime` in `timezone` to the same time the
 * next day). Futures traders usually set 17:00 America/New_York, CME's
 * trade date; stock traders midnight.
 */
export const DailyLimitSchema = z
  .object({
    amount: positive,
    resetTime: clock.default("00:00"),
    timezone: timeZoneName.default("America/New_York"),
    /** Also close this subscription's open positions when the limit is reached. */
    flatten: z.boolean().default(false),
  })
  .strict();
export type DailyLimit = z.infer<typeof DailyLimitSchema>;

/**
 * Risk controls (worker/trading/risk.ts). The same fields exist per
 * subscription and per broker account; an account's values apply to every
 * subscription on it, and where both are set the stricter one wins.
 */
export const RISK_SETTINGS_SHAPE = {
  /** Largest position per ticker, in units (shares, contracts, coins); an entry that would go past it is refused. */
  maxPositionQuantity: positive.optional(),
  /** Largest position per ticker by value (quantity × price × point value, in the account's currency). */
  maxPositionNotional: positive.optional(),
  /** Most positions the broker account may hold at once (across tickers); an entry into another ticker is refused. */
  maxOpenPositions: z.number().int().min(1).max(10_000).optional(),
  /** Entries stop for the rest of the trading day once the day's P&L reaches −amount (realized plus unrealized where quotes exist). */
  dailyLossLimit: DailyLimitSchema.optional(),
  /** Entries stop for the rest of the trading day once the day's P&L reaches +amount. */
  dailyProfitTarget: DailyLimitSchema.optional(),
  /** After an exit that lost money, entries are locked for this many minutes. */
  lossLockoutMinutes: z.number().int().min(1).max(1440).optional(),
};

/** An account's risk settings (the subscription fields of the same names). */
export const RiskSettingsSchema = z.object(RISK_SETTINGS_SHAPE).strict();
export type RiskSettings = z.infer<typeof RiskSettingsSchema>;

/** What a subscription does with a signal while its market is closed (worker/trading/market-hours.ts). */
export const MarketHoursModeSchema = z.enum(["ignore", "reject", "queue"]);
export type MarketHoursMode = z.infer<typeof MarketHoursModeSchema>;

export const SubscriptionSettingsSchema = z
  .object({
    /** Fixed quantity per entry when the signal sends none (or may not override it). */
    quantity: z.number().positive().default(1),
    /** A same-side signal while in a position adds to it. Off: it is rejected. */
    allowAddToPosition: z.boolean().default(false),
    /** An opposite buy/sell exits and then enters the other side. Off: exit only. */
    allowSideSwap: z.boolean().default(true),
    /** Use the signal's `quantity` (and `quantityType`) when it sends one. */
    allowSignalQuantity: z.boolean().default(true),
    /** Use the signal's order type and prices (`orderType`, `limitPrice`, `stopPrice`, trail). */
    allowSignalOrderType: z.boolean().default(true),
    /** Fractional quantities are allowed; otherwise quantities round down to whole units. */
    allowFractional: z.boolean().default(false),

    // Sizing
    /** How entries are sized when the signal's quantity is not used. `fixed_quantity` uses `quantity`. */
    sizingMode: SizingModeSchema.default("fixed_quantity"),
    /** The amount for `sizingMode`: dollars (dollar_amount, risk_dollar_amount) or percent (percent_of_equity, risk_percent). */
    sizingValue: positive.optional(),
    /** Multiplies a fixed signal quantity (2 × 2.5 = 5), then rounds down. */
    quantityMultiplier: positive.default(1),

    // Signal overrides (signal values are honoured by default)
    /** Use the signal's `takeProfit`. */
    allowSignalTakeProfit: z.boolean().default(true),
    /** Use the signal's `stopLoss`. */
    allowSignalStopLoss: z.boolean().default(true),
    /** Use the signal's `timeInForce`. */
    allowSignalTimeInForce: z.boolean().default(true),
    /** Use the signal's `extendedHours`. */
    allowSignalExtendedHours: z.boolean().default(true),
    /** Use the signal's `breakevenOffset`. */
    allowSignalBreakevenOffset: z.boolean().default(true),
    /** Honour the signal's `ignoreTradingWindows`. */
    allowSignalIgnoreTradingWindows: z.boolean().default(true),
    /** Honour the signal's `cancel` and `cancelOrderType`. */
    allowSignalCancel: z.boolean().default(true),

    // Orders
    /** Entry order type when the signal sends none (or may not override it). */
    entryOrderType: OrderTypeSchema.default("market"),
    /** Exit order type when the signal sends none (or may not override it). */
    exitOrderType: OrderTypeSchema.default("market"),
    /** Time in force; default `gtc` for crypto, `day` otherwise. */
    timeInForce: TimeInForceSchema.optional(),
    /** Which quote field prices a limit/stop order that came without a price. */
    marketPriceType: z.enum(["ask_bid", "mark", "ask", "bid", "last"]).default("mark"),
    /** Send orders as extended-hours orders (stocks and options; limit orders only). */
    extendedHours: z.boolean().default(false),
    /** Refuse to trade when the bid-ask spread is wider than this many dollars. */
    bidAskSpreadFilter: positive.optional(),
    /** Refuse to trade when the spread is wider than this percent of the mid. */
    bidAskSpreadFilterPercent: positive.max(100).optional(),
    /** Cancel an unfilled entry order after this many seconds. */
    entryCancelAfterSeconds: z.number().int().min(1).max(3600).optional(),
    /** Cancel an unfilled exit order after this many seconds (a signal's `cancelAfter` overrides it). */
    exitCancelAfterSeconds: z.number().int().min(1).max(3600).optional(),

    // Take profit / stop loss defaults
    /** Take profit attached to every entry unless the signal sends its own. */
    takeProfit: TakeProfitDefaultSchema.optional(),
    /** Stop loss attached to every entry unless the signal sends its own. */
    stopLoss: StopLossDefaultSchema.optional(),
    /** Breakeven stop offset from the average entry price (in price units). */
    breakevenOffset: z.number().min(0).max(100_000).default(0),

    // Position rules
    /** Cancel the ticker's open orders before an entry from flat, before a side swap, and before a full exit. */
    cancelOpenOrders: z.boolean().default(true),
    /** On a side swap, enter (signal quantity − exit quantity) instead of the signal quantity. */
    subtractExitQuantity: z.boolean().default(false),
    /** Which sides may be entered. */
    sides: SidesSchema.default("both"),
    /** Never close an opposite position from a buy/sell signal: reject instead. */
    isolateSides: z.boolean().default(false),
    /** Ignore `exit` signals (and buy/sell with sentiment flat). */
    ignoreExits: z.boolean().default(false),
    /** Options: buy means sell-to-open puts and sell means buy-to-open puts. */
    invertPuts: z.boolean().default(false),

    // Trading windows
    /** Entries run only inside these windows; empty means always. */
    tradingWindows: z.array(TradingWindowSchema).max(20).default([]),
    /** IANA timezone of the trading windows. */
    timezone: timeZoneName.default("America/New_York"),
    /** Exits and cancels may run outside the trading windows. */
    allowExitsOutsideWindows: z.boolean().default(false),

    // Risk controls and market hours
    ...RISK_SETTINGS_SHAPE,
    /** While the market is closed: `ignore` (the broker decides), `reject`, or `queue` until the open. */
    marketHours: MarketHoursModeSchema.default("ignore"),

    // Filters
    /** Tickers this subscription trades (futures by root, options by underlying); null = every ticker the strategy allows. */
    allowedTickers: z.array(z.string().trim().min(1).max(40).toUpperCase()).max(1000).nullable().default(null),
    /** Reject signals whose `time` is older than this many seconds when received; 0 = off. */
    maxSignalAgeSeconds: z.number().int().min(0).max(86_400).default(0),

    // Approval
    /** Off: trades wait as pending_approval until approved or rejected. */
    autoSubmit: z.boolean().default(true),
    /** How long a pending trade waits for approval before it is rejected. */
    approvalTimeoutSeconds: z.number().int().min(30).max(86_400).default(300),

    // Broker maintenance
    /** A signal arriving in the broker's maintenance window (manifest): `refuse` it, or `queue` it until the window ends. */
    maintenanceWindow: z.enum(["refuse", "queue"]).default("refuse"),
  })
  .strict();

export type SubscriptionSettings = z.infer<typeof SubscriptionSettingsSchema>;
export type SubscriptionSettingsInput = z.input<typeof SubscriptionSettingsSchema>;

/** Setting names, for docs and tests. */
export const SETTING_FIELDS = Object.keys(SubscriptionSettingsSchema.shape) as (keyof SubscriptionSettings)[];

/** Settings with every default applied. */
export const resolveSettings: (input: unknown) => SubscriptionSettings = memoizeByJson((input) =>
  SubscriptionSettingsSchema.parse(input ?? {}),
);
