/**
 * Risk controls: the rules that stop entries (never exits) when the account
 * should not take more risk. Pure: the caller passes the time, the
 * subscription's own fills (its queue's SQLite is the truth; see pnl.ts for
 * the arithmetic) and the broker's positions.
 *
 * - kill switch (per user): every entry of every subscription stops;
 * - daily loss limit / daily profit target: the trading day's P&L of the
 *   subscription's own fills, realized plus unrealized for the lots a price
 *   is known for, against −amount / +amount; each limit has its own day
 *   boundary (`resetTime` in `timezone`) and may also flatten;
 * - loss lockout: entries wait `lossLockoutMinutes` after a losing exit;
 * - max open positions: the broker account's positions in other tickers;
 * - max position (units or value): checked once the entry is sized, on the
 *   position the entry would leave.
 *
 * Account-level settings apply to every subscription on the account; where
 * the subscription sets the same control, the stricter value wins (the
 * account's limit is a ceiling a subscription cannot loosen).
 *
 * A block on an entry is a trade outcome with its own messageCode; in a
 * flip, the exit still runs and only the entry is dropped.
 *
 * @module
 */
import { Big, toDecimal, type Decimal } from "../../plugins/sdk/decimal";
import type { Block } from "./position-rules";
import { unrealized } from "./pnl";
import type { DailyLimit, RiskSettings, SubscriptionSettings } from "./settings";
import { addDays, localTime, parseClock, zonedInstant } from "./windows";

/** Realizing fills older than this never count: a trading day is at most 25 hours (a DST change). */
export const RISK_LOOKBACK_MS = 25 * 3_600_000;

/** What the risk rules need besides the settings. */
export interface RiskInput {
  /** The account's risk settings (null: none). */
  account?: RiskSettings | null;
  /** The user's kill switch. */
  killSwitch?: { active: boolean; since: number | null } | null;
  /** This subscription's fills that realized P&L within {@link RISK_LOOKBACK_MS} (epoch ms, amount; + profit). */
  realized: readonly { at: number; amount: Decimal }[];
  /** This subscription's open lots (from its own fills). */
  lots: readonly { ticker: string; quantity: Decimal; avgPrice: Decimal; pointValue: Decimal }[];
  /** The latest price per ticker, where known (quotes; the signal's own price for its ticker). Reading a ticker may fetch it. */
  mark: (ticker: string) => Decimal | null;
}

/** A value and where it came from, for messages. */
interface Sourced<T> {
  value: T;
  from: "subscription" | "account";
}

/** The controls in force for one subscription: its own settings merged with the account's. */
export interface EffectiveRisk {
  maxPositionQuantity?: Sourced<number>;
  maxPositionNotional?: Sourced<number>;
  maxOpenPositions?: Sourced<number>;
  dailyLossLimit?: Sourced<DailyLimit>;
  dailyProfitTarget?: Sourced<DailyLimit>;
  lossLockoutMinutes?: Sourced<number>;
}

type Pick2<T> = (sub: T | undefined, acc: T | undefined) => Sourced<T> | undefined;

function stricter<T>(better: (a: T, b: T) => boolean): Pick2<T> {
  return (sub, acc) => {
    if (sub === undefined) return acc === undefined ? undefined : { value: acc, from: "account" };
    if (acc === undefined || !better(acc, sub)) return { value: sub, from: "subscription" };
    return { value: acc, from: "account" };
  };
}

const smaller = stricter<number>((a, b) => a < b);
const longer = stricter<number>((a, b) => a > b);
/** The smaller amount is stricter; flattening, if either asks for it, applies. */
function dailyLimit(sub: DailyLimit | undefined, acc: DailyLimit | undefined): Sourced<DailyLimit> | undefined {
  const chosen = stricter<DailyLimit>((a, b) => a.amount < b.amount)(sub, acc);
  if (!chosen) return undefined;
  const flatten = (sub?.flatten ?? false) || (acc?.flatten ?? false);
  return { ...chosen, value: { ...chosen.value, flatten } };
}

/** The controls in force: per field, the subscription's or the account's, whichever is stricter. */
export function effectiveRisk(settings: SubscriptionSettings, account?: RiskSettings | null): EffectiveRisk {
  const a = account ?? {};
  const out: EffectiveRisk = {};
  const set = <K extends keyof EffectiveRisk>(key: K, value: EffectiveRisk[K]) => {
    if (value !== undefined) out[key] = value;
  };
  set("maxPositionQuantity", smaller(settings.maxPositionQuantity, a.maxPositionQuantity));
  set("maxPositionNotional", smaller(settings.maxPositionNotional, a.maxPositionNotional));
  set("maxOpenPositions", smaller(settings.maxOpenPositions, a.maxOpenPositions));
  set("dailyLossLimit", dailyLimit(settings.dailyLossLimit, a.dailyLossLimit));
  set("dailyProfitTarget", dailyLimit(settings.dailyProfitTarget, a.dailyProfitTarget));
  set("lossLockoutMinutes", longer(settings.lossLockoutMinutes, a.lossLockoutMinutes));
  return out;
}

/** When the trading day that contains `now` started for a limit (its last `resetTime` in its `timezone`). */
export function tradingDayStart(now: Date, limit: Pick<DailyLimit, "resetTime" | "timezone">): Date {
  const reset = (parseClock(limit.resetTime) ?? 0) % 86_400;
  const today = localTime(now, limit.timezone).date;
  const candidate = zonedInstant(today, reset, limit.timezone);
  return candidate.getTime() <= now.getTime() ? candidate : zonedInstant(addDays(today, -1), reset, limit.timezone);
}

/** When the trading day that contains `now` ends (the next reset). */
export function tradingDayEnd(now: Date, limit: Pick<DailyLimit, "resetTime" | "timezone">): Date {
  const start = tradingDayStart(now, limit);
  const reset = (parseClock(limit.resetTime) ?? 0) % 86_400;
  return zonedInstant(addDays(localTime(new Date(start.getTime() + 3_600_000), limit.timezone).date, 1), reset, limit.timezone);
}

/** The trading day's P&L: realized since `start`, and unrealized of the lots with a price. */
export interface DayPnl {
  realized: Decimal;
  unrealized: Decimal;
  total: Decimal;
  /** Open lots without a price (their unrealized P&L is not counted). */
  unpriced: string[];
  /** Open lots counted. */
  priced: number;
}

export function dayPnl(risk: RiskInput, start: Date): DayPnl {
  let realized = new Big(0);
  for (const r of risk.realized) if (r.at >= start.getTime()) realized = realized.plus(r.amount);
  let open = new Big(0);
  const unpriced: string[] = [];
  let priced = 0;
  for (const lot of risk.lots) {
    if (new Big(lot.quantity).eq(0)) continue;
    const mark = risk.mark(lot.ticker);
    if (mark === null) {
      unpriced.push(lot.ticker);
      continue;
    }
    open = open.plus(unrealized(lot, mark, lot.pointValue));
    priced++;
  }
  return { realized: toDecimal(realized), unrealized: toDecimal(open), total: toDecimal(realized.plus(open)), unpriced, priced };
}

const money = (d: Decimal | Big): string => new Big(d).round(2, Big.roundHalfUp).toFixed(2);
const whose = (s: Sourced<unknown>) => (s.from === "account" ? "the account's" : "this subscription's");

function describePnl(p: DayPnl): string {
  const parts = [`realized ${money(p.realized)}`];
  if (p.priced > 0) parts.push(`unrealized ${money(p.unrealized)} on ${p.priced} open position${p.priced === 1 ? "" : "s"}`);
  if (p.unpriced.length > 0) parts.push(`${p.unpriced.join(", ")} not counted: no price known`);
  return parts.join(", ");
}

/** A daily limit the subscription has reached, if any (the loss limit first). */
export interface DailyBreach extends Block {
  code: "daily-loss-limit-reached" | "daily-profit-target-reached";
  /** The limit asks to flatten the subscription's positions too. */
  flatten: boolean;
  /** The start of the trading day the breach belongs to (a flatten is done once per day). */
  dayStart: Date;
}

/** Checks the daily loss limit, then the daily profit target. */
export function dailyBreach(limits: EffectiveRisk, risk: RiskInput, now: Date): DailyBreach | null {
  const checks = [
    { limit: limits.dailyLossLimit, code: "daily-loss-limit-reached" as const, reached: (pnl: Big, amount: number) => pnl.lte(-amount), what: "daily loss limit", sign: "-" },
    { limit: limits.dailyProfitTarget, code: "daily-profit-target-reached" as const, reached: (pnl: Big, amount: number) => pnl.gte(amount), what: "daily profit target", sign: "+" },
  ];
  for (const c of checks) {
    if (!c.limit) continue;
    const start = tradingDayStart(now, c.limit.value);
    const pnl = dayPnl(risk, start);
    if (!c.reached(new Big(pnl.total), c.limit.value.amount)) continue;
    const end = tradingDayEnd(now, c.limit.value);
    return {
      code: c.code,
      flatten: c.limit.value.flatten,
      dayStart: start,
      field: c.code === "daily-loss-limit-reached" ? "dailyLossLimit" : "dailyProfitTarget",
      message:
        `Today's P&L on this subscription is ${money(pnl.total)} (${describePnl(pnl)}), which reaches ${whose(c.limit)} ${c.what} of ${c.sign}${money(String(c.limit.value.amount))}; ` +
        `no new entries until the trading day resets at ${end.toISOString()} (${c.limit.value.resetTime} ${c.limit.value.timezone}). Exits still run.` +
        (c.limit.value.flatten ? " Its open positions are being closed (flatten)." : ""),
    };
  }
  return null;
}

/** A losing exit within the lockout, as a block. */
function lockoutBlock(limits: EffectiveRisk, risk: RiskInput, now: Date): Block | null {
  const minutes = limits.lossLockoutMinutes;
  if (!minutes) return null;
  let last: { at: number; amount: Decimal } | null = null;
  for (const r of risk.realized) if (new Big(r.amount).lt(0) && (last === null || r.at > last.at)) last = r;
  if (!last) return null;
  const until = last.at + minutes.value * 60_000;
  if (until <= now.getTime()) return null;
  return {
    code: "entry-blocked-by-lock",
    field: "lossLockoutMinutes",
    message: `An exit at ${new Date(last.at).toISOString()} lost ${money(new Big(last.amount).abs())}, and ${whose(minutes)} lossLockoutMinutes (${minutes.value}) locks entries after a loss until ${new Date(until).toISOString()}. Exits still run.`,
  };
}

/**
 * Why an entry may not run under the risk controls that do not depend on
 * its size, or null: the kill switch, the daily limits, the loss lockout,
 * and (for an entry into a ticker the account does not hold) the maximum
 * number of open positions.
 */
export function riskEntryBlock(input: {
  limits: EffectiveRisk;
  risk: RiskInput;
  now: Date;
  ticker: string;
  /** The account holds a position in the ticker already (an add, or a flip that keeps it open). */
  holdsTicker: boolean;
  /** Tickers the broker account holds a position in. */
  openTickers: readonly string[];
}): Block | null {
  const { limits, risk, now } = input;
  const ks = risk.killSwitch;
  if (ks?.active) {
    const since = ks.since ? ` since ${new Date(ks.since).toISOString()}` : "";
    return {
      code: "kill-switch-active",
      message: `Your kill switch is on${since}: every entry on every subscription is paused, and exits still run. Turn it off in the dashboard or with POST /api/kill-switch {"active": false}.`,
    };
  }
  const breach = dailyBreach(limits, risk, now);
  if (breach) return breach;
  const lock = lockoutBlock(limits, risk, now);
  if (lock) return lock;
  const max = limits.maxOpenPositions;
  if (max && !input.holdsTicker) {
    const others = [...new Set(input.openTickers.filter((t) => t !== input.ticker))];
    if (others.length >= max.value) {
      const listed = others.length <= 8 ? others.join(", ") : `${others.slice(0, 8).join(", ")} and ${others.length - 8} more`;
      return {
        code: "max-open-positions-reached",
        field: "maxOpenPositions",
        message: `The account already holds ${others.length} open position${others.length === 1 ? "" : "s"} (${listed}), and ${whose(max)} maxOpenPositions is ${max.value}, so no ${input.ticker} position was opened. Exits still run.`,
      };
    }
  }
  return null;
}

/**
 * Why an entry of a known size may not run: the position it would leave is
 * larger than `maxPositionQuantity` or worth more than `maxPositionNotional`.
 * `positionAfter` is signed; `price` is the price the entry is sized at.
 */
export function positionCapBlock(input: {
  limits: EffectiveRisk;
  ticker: string;
  positionAfter: Big;
  price: Big | null;
  pointValue: Big | null;
}): Block | null {
  const { limits, ticker } = input;
  const size = input.positionAfter.abs();
  const qtyCap = limits.maxPositionQuantity;
  if (qtyCap && size.gt(qtyCap.value)) {
    return {
      code: "max-position-exceeded",
      field: "maxPositionQuantity",
      message: `This entry would take the ${ticker} position to ${toDecimal(input.positionAfter)}, past ${whose(qtyCap)} maxPositionQuantity of ${qtyCap.value}, so it was not placed.`,
    };
  }
  const valueCap = limits.maxPositionNotional;
  if (valueCap) {
    if (input.price === null) {
      return {
        code: "no-price",
        field: "price",
        message: `No price is known for ${ticker}, so the entry cannot be checked against ${whose(valueCap)} maxPositionNotional; send "price" in the alert.`,
      };
    }
    const value = size.times(input.price).times(input.pointValue ?? 1);
    if (value.gt(valueCap.value)) {
      return {
        code: "max-position-exceeded",
        field: "maxPositionNotional",
        message: `This entry would take the ${ticker} position to ${toDecimal(input.positionAfter)} worth about ${money(value)}, past ${whose(valueCap)} maxPositionNotional of ${money(String(valueCap.value))}, so it was not placed.`,
      };
    }
  }
  return null;
}
