/**
 * The TradersPost-compatible webhook signal: one zod schema that validates
 * what alert senders send and normalizes it into a {@link Signal}.
 *
 * Normalization:
 * - `ticker` is trimmed, inner whitespace collapsed, upper-cased.
 * - Enumerated values match case-insensitively; `sentiment` `long`/`short`
 *   become `bullish`/`bearish`; old quantity type names map to current ones.
 * - Numbers may be JSON numbers or numeric strings (TradingView placeholders
 *   render as strings) and become canonical decimal strings: no float math.
 * - `price` is an alias of `signalPrice`; `takeProfit.price` of
 *   `takeProfit.limitPrice`; `stopLoss.trailPrice` of `stopLoss.trailAmount`.
 * - `null` counts as "not sent". Unknown fields are ignored.
 *
 * Every issue carries a TradersPost-style messageCode: see {@link issueToError}.
 * docs/signals.md is checked against {@link SIGNAL_FIELDS} by a test.
 *
 * @module
 */
import { z } from "zod";
import type { Decimal } from "../../plugins/sdk/decimal";
import type { OrderType, TimeInForce } from "../../plugins/sdk/models";
import {
  epochToMs,
  parseCalendarOffset,
  parseIsoDate,
  parseIsoDateTime,
  parseRelativeSeconds,
} from "../trading/time-expressions";
import {
  booleanField,
  decimalField,
  enumField,
  integerField,
  kebab,
  mustBe,
  parseNumeric,
  show,
  signedDecimalField,
  textField,
} from "./signal-fields";

export const ACTIONS = ["buy", "sell", "exit", "cancel", "add", "reverse", "breakeven"] as const;
export type Action = (typeof ACTIONS)[number];

export const SENTIMENTS = ["bullish", "bearish", "flat"] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const QUANTITY_TYPES = [
  "fixed_quantity",
  "dollar_amount",
  "risk_dollar_amount",
  "risk_percent",
  "percent_of_equity",
  "percent_of_position",
] as const;
export type QuantityType = (typeof QUANTITY_TYPES)[number];

export const MARKET_PRICE_TYPES = ["ask_bid", "mark", "ask", "bid", "last"] as const;
export type MarketPriceType = (typeof MARKET_PRICE_TYPES)[number];

export const STOP_LOSS_TYPES = ["stop", "stop_limit", "trailing_stop"] as const;
export type StopLossType = (typeof STOP_LOSS_TYPES)[number];

const ORDER_TYPES = ["market", "limit", "stop", "stop_limit", "trailing_stop"] as const satisfies readonly OrderType[];
const TIME_IN_FORCE = ["day", "gtc", "opg", "cls", "ioc", "fok"] as const satisfies readonly TimeInForce[];

/** Tickers: letters, digits and the punctuation real symbols use (`BRK.B`, `NQ1!`, `BTC/USD`, `SPY 250624C596`). */
const TICKER_CHARS = /^[A-Z0-9][A-Z0-9 ./\-_!:=^&]*$/;
// Prediction-market tickers carry the market slug (`WILL-THE-FED-CUT-IN-DECEMBER:YES`), which runs long.
const MAX_TICKER_LENGTH = 180;

const tickerField = z
  .union([z.string(), z.number()], {
    error: (iss) =>
      iss.input === undefined
        ? `"ticker" is required: send the symbol to trade, e.g. "ticker": "AAPL" or "ticker": "{{ticker}}".`
        : mustBe("ticker", "a symbol such as \"AAPL\"", iss.input),
  })
  .transform((value, ctx): string => {
    const ticker = String(value).trim().replace(/\s+/g, " ").toUpperCase();
    if (ticker.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: `"ticker" is empty: send the symbol to trade, e.g. "ticker": "AAPL" or "ticker": "{{ticker}}".`,
        params: { messageCode: "empty-ticker-name" },
        input: value,
      });
      return z.NEVER;
    }
    if (ticker.length > MAX_TICKER_LENGTH || !TICKER_CHARS.test(ticker)) {
      ctx.addIssue({
        code: "custom",
        message: mustBe(
          "ticker",
          `a symbol of at most ${MAX_TICKER_LENGTH} letters, digits, spaces and . / - _ ! : = ^ & (e.g. "AAPL", "MNQU2025", "SPY 250624C596")`,
          value,
        ),
        input: value,
      });
      return z.NEVER;
    }
    return ticker;
  });

const actionField = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? `"action" is required: send one of ${ACTIONS.join(", ")}.`
        : mustBe("action", `one of ${ACTIONS.join(", ")}`, iss.input),
  })
  .pipe(enumField("action", ACTIONS));

const timeField = z
  .union([z.string(), z.number()], { error: (iss) => mustBe("time", "an ISO-8601 time such as \"2025-09-09T14:07:08Z\"", iss.input) })
  .transform((value, ctx): string => {
    const ms = typeof value === "number" ? epochToMs(value) : parseIsoDateTime(value);
    if (ms === null || ms < Date.UTC(2000, 0, 1) || ms > Date.UTC(2100, 0, 1)) {
      ctx.addIssue({
        code: "custom",
        message: mustBe("time", "an ISO-8601 time such as \"2025-09-09T14:07:08Z\" (TradingView: {{timenow}}) or epoch milliseconds", value),
        input: value,
      });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

/** Longest delay a signal may ask for. */
export const MAX_DELAY_SECONDS = 86_400;

/** A normalized `delay`: seconds after receipt, or an absolute time. */
export type SignalDelay = { kind: "relative"; seconds: number } | { kind: "absolute"; at: string };

const DELAY_ALLOWED =
  'a number of seconds (0 to 86400), a relative time such as "+5 minutes", or an ISO-8601 time with a timezone such as "2026-04-28T09:30:00-04:00", at most 24 hours ahead';

const delayField = z
  .union([z.number(), z.string()], { error: (iss) => mustBe("delay", DELAY_ALLOWED, iss.input) })
  .transform((value, ctx): SignalDelay => {
    const fail = (): never => {
      ctx.addIssue({ code: "custom", message: mustBe("delay", DELAY_ALLOWED, value), input: value });
      return z.NEVER as never;
    };
    let seconds: number | null = null;
    const numeric = parseNumeric(value);
    if (numeric !== null) {
      const n = Number(numeric.toFixed());
      seconds = Number.isInteger(n) ? n : null;
    } else if (typeof value === "string") {
      seconds = parseRelativeSeconds(value);
      if (seconds === null) {
        const at = parseIsoDateTime(value, { requireOffset: true });
        if (at === null) return fail();
        return { kind: "absolute", at: new Date(at).toISOString() };
      }
    }
    if (seconds === null || seconds < 0 || seconds > MAX_DELAY_SECONDS) return fail();
    return { kind: "relative", seconds };
  });

const expirationField = z
  .union([z.string(), z.number()], { error: (iss) => mustBe("expiration", 'a date "YYYY-MM-DD" or a relative expiry such as "+0 days" or "+6 months"', iss.input) })
  .transform((value, ctx): string => {
    const text = String(value).trim();
    const date = parseIsoDate(text);
    if (date) return text;
    const offset = parseCalendarOffset(text);
    if (offset) return `+${offset.amount} ${offset.unit}${offset.amount === 1 ? "" : "s"}`;
    ctx.addIssue({
      code: "custom",
      message: mustBe("expiration", 'a date "YYYY-MM-DD" or a relative expiry such as "+0 days" or "+6 months"', value),
      input: value,
    });
    return z.NEVER;
  });

const expiresAtField = z
  .union([z.string(), z.number()], { error: (iss) => mustBe("expiresAt", 'an ISO-8601 date or time, or a relative time such as "+5 minutes"', iss.input) })
  .transform((value, ctx): string => {
    const text = String(value).trim();
    if (
      parseIsoDate(text) ||
      parseIsoDateTime(text) !== null ||
      parseRelativeSeconds(text) !== null ||
      parseCalendarOffset(text) !== null
    ) {
      return text;
    }
    ctx.addIssue({
      code: "custom",
      message: mustBe("expiresAt", 'an ISO-8601 date or time, or a relative time such as "+5 minutes"', value),
      input: value,
    });
    return z.NEVER;
  });

const extrasField = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { error: (iss) => mustBe("extras", "a JSON object of your own data, e.g. {\"note\": \"breakout\"}", iss.input) },
);

const TakeProfitObject = z.object(
  {
    limitPrice: decimalField("takeProfit.limitPrice").optional(),
    /** Old name of `limitPrice`. */
    price: decimalField("takeProfit.price").optional(),
    percent: decimalField("takeProfit.percent").optional(),
    amount: decimalField("takeProfit.amount").optional(),
    pnlAmount: decimalField("takeProfit.pnlAmount").optional(),
  },
  { error: (iss) => mustBe("takeProfit", 'an object such as {"percent": 10}, {"amount": 5}, {"limitPrice": 157.5} or {"pnlAmount": 200}', iss.input) },
);

const StopLossObject = z.object(
  {
    type: enumField("stopLoss.type", STOP_LOSS_TYPES).optional(),
    percent: decimalField("stopLoss.percent", { min: "positive", max: "100", maxExclusive: true }).optional(),
    amount: decimalField("stopLoss.amount").optional(),
    stopPrice: decimalField("stopLoss.stopPrice").optional(),
    limitPrice: decimalField("stopLoss.limitPrice").optional(),
    trailAmount: decimalField("stopLoss.trailAmount").optional(),
    trailPercent: decimalField("stopLoss.trailPercent", { min: "positive", max: "100", maxExclusive: true }).optional(),
    /** Old name of `trailAmount`. */
    trailPrice: decimalField("stopLoss.trailPrice").optional(),
    pnlAmount: decimalField("stopLoss.pnlAmount").optional(),
  },
  { error: (iss) => mustBe("stopLoss", 'an object such as {"type": "stop", "percent": 5} or {"type": "trailing_stop", "trailAmount": 1}', iss.input) },
);

/**
 * The signal's fields as senders write them (before aliases are merged).
 * Exported so docs and tests can enumerate the fields.
 */
export const SignalObjectSchema = z.object({
  ticker: tickerField,
  action: actionField,
  sentiment: enumField("sentiment", SENTIMENTS, { long: "bullish", short: "bearish" }).optional(),
  quantity: decimalField("quantity").optional(),
  // Tradeloop extension: the position to hold (signed units), not an order (worker/trading/target-position.ts).
  // Named for what Tradeloop does with it, reach a position; not `positionSize`, which reads as unsigned
  // (TradingView's own market_position_size is), and not the account's own number: subscriptions scale it.
  targetPosition: signedDecimalField(
    "targetPosition",
    'the position to hold after this signal: a number, positive for long, negative for short, 0 for flat (TradingView: "{{strategy.position_size}}")',
  ).optional(),
  quantityType: enumField("quantityType", QUANTITY_TYPES, {
    amount_per_position: "dollar_amount",
    risk_per_position: "risk_dollar_amount",
  }).optional(),
  signalPrice: decimalField("signalPrice").optional(),
  price: decimalField("price").optional(),
  orderType: enumField("orderType", ORDER_TYPES).optional(),
  limitPrice: decimalField("limitPrice").optional(),
  stopPrice: decimalField("stopPrice").optional(),
  trailAmount: decimalField("trailAmount").optional(),
  trailPercent: decimalField("trailPercent", { min: "positive", max: "100", maxExclusive: true }).optional(),
  takeProfit: TakeProfitObject.optional(),
  stopLoss: StopLossObject.optional(),
  timeInForce: enumField("timeInForce", TIME_IN_FORCE).optional(),
  extendedHours: booleanField("extendedHours").optional(),
  time: timeField.optional(),
  interval: textField("interval", 0, 32).optional(),
  ignoreTradingWindows: booleanField("ignoreTradingWindows").optional(),
  cancel: booleanField("cancel").optional(),
  cancelOrderType: enumField("cancelOrderType", ORDER_TYPES).optional(),
  delay: delayField.optional(),
  cancelAfter: integerField("cancelAfter", 1, 3600).optional(),
  marketPriceType: enumField("marketPriceType", MARKET_PRICE_TYPES).optional(),
  bidAskSpreadFilter: decimalField("bidAskSpreadFilter").optional(),
  bidAskSpreadFilterPercent: decimalField("bidAskSpreadFilterPercent", { min: "positive", max: "100" }).optional(),
  breakevenOffset: decimalField("breakevenOffset", { min: "0.001", max: "100" }).optional(),
  message: textField("message", 25, 255, { code: "invalid-message-length" }).optional(),
  expiresAt: expiresAtField.optional(),
  test: booleanField("test").optional(),
  optionType: enumField("optionType", ["both", "call", "put"] as const).optional(),
  intrinsicValue: enumField("intrinsicValue", ["itm", "otm"] as const).optional(),
  expiration: expirationField.optional(),
  strikeCount: integerField("strikeCount", 1, 500).optional(),
  strikesAway: integerField("strikesAway", 0, 100).optional(),
  strikePrice: decimalField("strikePrice").optional(),
  alertId: textField("alertId", 1, 128).optional(),
  extras: extrasField.optional(),
});

type RawSignal = z.output<typeof SignalObjectSchema>;

/** Field names of the signal as documented (docs/signals.md lists each). */
export const SIGNAL_FIELDS = Object.keys(SignalObjectSchema.shape) as (keyof RawSignal)[];
export const TAKE_PROFIT_FIELDS = Object.keys(TakeProfitObject.shape);
export const STOP_LOSS_FIELDS = Object.keys(StopLossObject.shape);

type Refine = z.core.$RefinementCtx<RawSignal>;

function fail(ctx: Refine, path: (string | number)[], messageCode: string, message: string): void {
  ctx.addIssue({ code: "custom", path, message, params: { messageCode } });
}

const has = (v: unknown): boolean => v !== undefined;

function checkTakeProfit(tp: NonNullable<RawSignal["takeProfit"]>, ctx: Refine): void {
  const limit = tp.limitPrice ?? tp.price;
  const relative = [tp.percent, tp.amount, tp.pnlAmount].filter(has).length;
  if (relative === 0 && !has(limit)) {
    fail(ctx, ["takeProfit"], "invalid-take-profit-value-required",
      '"takeProfit" needs one value: "percent", "amount", "pnlAmount" (relative to the entry price) or "limitPrice" (absolute); got none.');
  } else if (relative > 1) {
    fail(ctx, ["takeProfit"], "invalid-take-profit-amount-and-percent",
      '"takeProfit" takes only one of "percent", "amount" and "pnlAmount"; remove all but one.');
  } else if (relative === 1 && has(limit)) {
    fail(ctx, ["takeProfit"], "invalid-take-profit-relative-and-absolute",
      '"takeProfit" takes either a relative value ("percent", "amount", "pnlAmount") or an absolute "limitPrice", not both; remove one.');
  }
}

function checkStopLoss(sl: NonNullable<RawSignal["stopLoss"]>, ctx: Refine): void {
  const trail = sl.trailAmount ?? sl.trailPrice;
  const trailName = has(sl.trailAmount) ? "trailAmount" : "trailPrice";
  const relative = [sl.percent, sl.amount, sl.pnlAmount].filter(has).length;
  if (has(trail) && has(sl.trailPercent)) {
    fail(ctx, ["stopLoss"], "invalid-stop-loss-trail-value",
      `"stopLoss" takes only one of "${trailName}" and "trailPercent"; remove one.`);
    return;
  }
  const hasTrail = has(trail) || has(sl.trailPercent);
  if (hasTrail && sl.type !== undefined && sl.type !== "trailing_stop") {
    const field = has(sl.trailPercent) ? "trailPercent" : trailName;
    fail(ctx, ["stopLoss", field], `invalid-stop-loss-${kebab(field)}`,
      `"stopLoss.${field}" needs "stopLoss.type" "trailing_stop"; got type "${sl.type}". Change the type or remove "${field}".`);
    return;
  }
  if (has(sl.limitPrice) && sl.type !== undefined && sl.type !== "stop_limit") {
    fail(ctx, ["stopLoss", "limitPrice"], "invalid-stop-loss-limit-price",
      `"stopLoss.limitPrice" needs "stopLoss.type" "stop_limit"; got type "${sl.type}". Change the type or remove "limitPrice".`);
    return;
  }
  if (sl.type === "trailing_stop" || hasTrail) {
    const others = relative > 0 || has(sl.stopPrice) || has(sl.limitPrice);
    if (!hasTrail && others) {
      fail(ctx, ["stopLoss"], "invalid-stop-loss-trail-value-required",
        '"stopLoss" of type "trailing_stop" takes "trailAmount" (price distance) or "trailPercent" instead of "percent", "amount", "pnlAmount", "stopPrice" or "limitPrice".');
    } else if (hasTrail && others) {
      fail(ctx, ["stopLoss"], "invalid-stop-loss-relative-and-absolute",
        '"stopLoss" of type "trailing_stop" takes only "trailAmount" or "trailPercent"; remove "percent", "amount", "pnlAmount", "stopPrice" and "limitPrice".');
    }
    return;
  }
  if (relative > 1) {
    fail(ctx, ["stopLoss"], "invalid-stop-loss-amount-and-percent",
      '"stopLoss" takes only one of "percent", "amount" and "pnlAmount"; remove all but one.');
  } else if (relative === 1 && has(sl.stopPrice)) {
    fail(ctx, ["stopLoss"], "invalid-stop-loss-relative-and-absolute",
      '"stopLoss" takes either a relative value ("percent", "amount", "pnlAmount") or an absolute "stopPrice", not both; remove one.');
  } else if (relative === 0 && !has(sl.stopPrice)) {
    if (has(sl.limitPrice)) {
      fail(ctx, ["stopLoss"], "invalid-stop-loss-stop-price-required",
        '"stopLoss" of type "stop_limit" needs a stop: "stopPrice", "percent", "amount" or "pnlAmount" next to "limitPrice".');
    } else if (sl.type === undefined) {
      fail(ctx, ["stopLoss"], "invalid-stop-loss-value-required",
        '"stopLoss" needs a value: "percent", "amount", "pnlAmount", "stopPrice", or "trailAmount"/"trailPercent" with type "trailing_stop"; got none.');
    }
  }
  // A bare {"type": ...} is allowed: it overrides the subscription's stop type and uses its values.
}

/**
 * `targetPosition` names the whole position to hold, so it only goes with a
 * buy or sell (TradingView's `{{strategy.order.action}}`), a sentiment that
 * says the same side, and a plain quantity (it counts units).
 */
function checkTargetPosition(s: RawSignal, target: Decimal, ctx: Refine): void {
  const side = target.startsWith("-") ? "bearish" : target === "0" ? "flat" : "bullish";
  const named = side === "bearish" ? "short" : side === "flat" ? "flat" : "long";
  if (s.action !== "buy" && s.action !== "sell") {
    fail(ctx, ["targetPosition"], "invalid-target-position-action",
      `"targetPosition" only goes with action buy or sell (Tradeloop trades whatever reaches the target); got action "${s.action}". Send "action": "{{strategy.order.action}}", or remove "targetPosition".`);
  } else if (s.sentiment !== undefined && s.sentiment !== side) {
    const sent = s.sentiment === "bullish" ? "long" : s.sentiment === "bearish" ? "short" : "flat";
    fail(ctx, ["sentiment"], "invalid-target-position-sentiment",
      `"sentiment" says ${sent} but "targetPosition" ${target} is ${named}; they must agree. Send "sentiment": "{{strategy.market_position}}" with "targetPosition": "{{strategy.position_size}}", or remove "sentiment".`);
  }
  if (s.quantityType !== undefined && s.quantityType !== "fixed_quantity") {
    fail(ctx, ["quantityType"], "invalid-target-position-quantity-type",
      `"targetPosition" counts units (shares, contracts, coins), so it does not go with "quantityType" "${s.quantityType}"; remove "quantityType".`);
  }
}

function crossCheck(s: RawSignal, ctx: Refine): void {
  if (s.sentiment !== undefined && s.action !== "buy" && s.action !== "sell") {
    fail(ctx, ["sentiment"], "invalid-sentiment-action",
      `"sentiment" only goes with action buy or sell (it says which position you want after the trade); got action "${s.action}" with sentiment "${s.sentiment}". Remove "sentiment".`);
  }
  if (s.targetPosition !== undefined) checkTargetPosition(s, s.targetPosition, ctx);
  const qt = s.quantityType;
  if (qt !== undefined && qt !== "fixed_quantity") {
    if (s.quantity === undefined) {
      fail(ctx, ["quantity"], "quantity-type-requires-quantity",
        `"quantityType" "${qt}" needs a "quantity" (the ${qt === "dollar_amount" || qt === "risk_dollar_amount" ? "dollar amount" : "percent"}); got none.`);
    }
    if (s.action === "cancel" || s.action === "breakeven") {
      fail(ctx, ["quantityType"], "invalid-quantity-type-action",
        `"quantityType" only goes with action buy, sell, exit, add or reverse; got action "${s.action}". Remove "quantityType".`);
    } else if (qt === "percent_of_position" && (s.action === "add" || s.action === "reverse")) {
      fail(ctx, ["quantityType"], "invalid-percent-of-position-action",
        `"quantityType" "percent_of_position" only goes with action buy, sell or exit; got action "${s.action}".`);
    } else if ((qt === "risk_dollar_amount" || qt === "risk_percent") && s.action === "exit") {
      fail(ctx, ["quantityType"], "invalid-risk-dollar-amount-action",
        `"quantityType" "${qt}" sizes an entry from its stop loss, so it only goes with action buy, sell, add or reverse; got action "exit".`);
    }
  }
  if (s.orderType === "trailing_stop") {
    const n = [s.trailAmount, s.trailPercent].filter(has).length;
    if (n !== 1) {
      fail(ctx, [n === 0 ? "orderType" : "trailPercent"], "invalid-trailing-stop",
        n === 0
          ? '"orderType" "trailing_stop" needs "trailAmount" (price distance) or "trailPercent"; got neither.'
          : '"orderType" "trailing_stop" takes only one of "trailAmount" and "trailPercent"; remove one.');
    }
  }
  if (s.takeProfit) checkTakeProfit(s.takeProfit, ctx);
  if (s.stopLoss) checkStopLoss(s.stopLoss, ctx);
}

function normalize(raw: RawSignal) {
  const { price, takeProfit, stopLoss, ...rest } = raw;
  const signalPrice: Decimal | undefined = raw.signalPrice ?? price;
  const tp = takeProfit
    ? {
        limitPrice: takeProfit.limitPrice ?? takeProfit.price,
        percent: takeProfit.percent,
        amount: takeProfit.amount,
        pnlAmount: takeProfit.pnlAmount,
      }
    : undefined;
  let sl;
  if (stopLoss) {
    const trailAmount = stopLoss.trailAmount ?? stopLoss.trailPrice;
    // The type can be inferred when the values only fit one type.
    const type: StopLossType | undefined =
      stopLoss.type ??
      (trailAmount !== undefined || stopLoss.trailPercent !== undefined
        ? "trailing_stop"
        : stopLoss.limitPrice !== undefined
          ? "stop_limit"
          : undefined);
    sl = {
      type,
      percent: stopLoss.percent,
      amount: stopLoss.amount,
      pnlAmount: stopLoss.pnlAmount,
      stopPrice: stopLoss.stopPrice,
      limitPrice: stopLoss.limitPrice,
      trailAmount,
      trailPercent: stopLoss.trailPercent,
    };
  }
  return { ...rest, signalPrice, takeProfit: tp, stopLoss: sl };
}

/**
 * Keeps only known fields and treats `null` as "not sent", so a sender that
 * serializes empty values as null still works. Copying only known names also
 * keeps `__proto__` and other odd keys out of the parsed object.
 */
function dropNulls(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const source = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of SIGNAL_FIELDS) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value === null) continue;
    if ((key === "takeProfit" || key === "stopLoss") && typeof value === "object" && !Array.isArray(value)) {
      const names = key === "takeProfit" ? TAKE_PROFIT_FIELDS : STOP_LOSS_FIELDS;
      const inner = value as Record<string, unknown>;
      const cleaned: Record<string, unknown> = {};
      for (const name of names) {
        if (Object.hasOwn(inner, name) && inner[name] !== null) cleaned[name] = inner[name];
      }
      out[key] = cleaned;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The signal schema: raw webhook object in, normalized {@link Signal} out. */
export const SignalSchema = z.preprocess(dropNulls, SignalObjectSchema.superRefine(crossCheck).transform(normalize));

/** A validated, normalized signal. Decimals are canonical strings. */
export type Signal = z.output<typeof SignalSchema>;
export type SignalInput = z.input<typeof SignalObjectSchema>;
export type SignalTakeProfit = NonNullable<Signal["takeProfit"]>;
export type SignalStopLoss = NonNullable<Signal["stopLoss"]>;

/** A field error with its stable messageCode. */
export interface SignalFieldError {
  messageCode: string;
  message: string;
  field: string;
}

/** Codes whose name does not follow `invalid-<kebab-case field path>`. */
const CODE_OVERRIDES: Readonly<Record<string, string>> = {
  price: "invalid-signal-price",
  delay: "invalid-delay-format",
  message: "invalid-message-length",
  "takeProfit.price": "invalid-take-profit-limit-price",
};

/** The messageCode for a field path that has no explicit code. */
export function codeForPath(path: readonly PropertyKey[]): string {
  const dotted = path.filter((p) => typeof p === "string").join(".");
  if (dotted === "") return "invalid-payload";
  return CODE_OVERRIDES[dotted] ?? `invalid-${path.filter((p) => typeof p === "string").map((p) => kebab(p)).join("-")}`;
}

/**
 * Maps a zod issue from {@link SignalSchema} to a messageCode, a message and
 * the field. `raw` is the object that was parsed: a missing `ticker` or
 * `action` is `invalid-payload`, as TradersPost answers.
 */
export function issueToError(issue: z.core.$ZodIssue, raw?: unknown): SignalFieldError {
  const field = issue.path.filter((p) => typeof p === "string" || typeof p === "number").join(".");
  const params = issue.code === "custom" ? (issue.params as { messageCode?: unknown } | undefined) : undefined;
  if (typeof params?.messageCode === "string") return { messageCode: params.messageCode, message: issue.message, field };
  const top = issue.path[0];
  if (
    (top === "ticker" || top === "action") &&
    issue.path.length === 1 &&
    typeof raw === "object" &&
    raw !== null &&
    ((raw as Record<string, unknown>)[top] === undefined || (raw as Record<string, unknown>)[top] === null)
  ) {
    return { messageCode: "invalid-payload", message: issue.message, field };
  }
  return { messageCode: codeForPath(issue.path), message: issue.message, field };
}

export { show };
