/**
 * The pure decision core: signal + subscription settings + account state →
 * a plan of steps, or a rejection with a stable messageCode.
 *
 * No I/O, no clock (the time is `input.now`), no randomness: the same input
 * always gives the same decision, which is what makes the 26 documented
 * vectors testable in milliseconds and a stored plan safe to resume.
 *
 * Order of checks: signal age → ticker → allowed tickers → market hours
 * (market-hours.ts) → action-specific rules (position-rules.ts; entries also
 * pass the risk controls of risk.ts) → spread filter → quantities (sizing.ts)
 * → position caps → orders and brackets (orders.ts, brackets.ts).
 *
 * Legs (part of deterministic client order ids, so fixed names): `cancel`,
 * `exit`, `entry`, `entry-tp`, `entry-sl` (brackets emulated as separate
 * orders), `breakeven`, `cancel-stop`, `cancel-stop-limit`,
 * `cancel-trailing-stop` (breakeven replacing existing stops).
 *
 * @module
 */
import { Big, toDecimal } from "../../plugins/sdk/decimal";
import type { OrderSide, OrderType } from "../../plugins/sdk/models";
import type { Action } from "./signal-schema";
import { checkAllowedTickers } from "./allowed-tickers";
import { checkPredictionPrices } from "./predictions";
import { buildBracket, effectiveStopLoss, effectiveTakeProfit, riskPerUnit } from "./brackets";
import { checkSpread, orderPrices, resolveExtendedHours, resolveOrderType, resolveTimeInForce, type OrderContext } from "./orders";
import { shapeTrade, type Block } from "./position-rules";
import { shapeTarget } from "./target-position";
import { Rejected, reject, rejection } from "./reject";
import { quantityStep, roundPrice } from "./rounding";
import { checkQuantityTypeForAssetClass, entryQuantity, exitQuantity, quantityRequest, signalQuantityRequest } from "./sizing";
import { resolveInstrument, type Instrument } from "./tickers";
import type { Decision, DecisionInput, Deferral, OutcomeCode, PlanStep, PlannedOrder, TradePlan } from "./types";
import { describeWindows, isInTradingWindows } from "./windows";
import { calendarFor, describeClosed, marketStatus } from "./market-hours";
import { effectiveRisk, positionCapBlock, riskEntryBlock, type EffectiveRisk, type RiskInput } from "./risk";
import { staleSignal } from "./signal-age";
import { errorMessage } from "../../plugins/sdk/errors";

/**
 * Decides what one signal does for one subscription.
 *
 * @param input - the signal, settings, strategy, account state, best known price and the time
 * @returns a {@link TradePlan} (steps to run in order) or a rejection; never throws
 */
export function decide(input: DecisionInput): Decision {
  try {
    return decideOrThrow(input);
  } catch (err) {
    if (err instanceof Rejected) return err.rejection;
    return rejection(
      "internal-error",
      `Tradeloop could not decide this trade (${errorMessage(err)}). This is a bug; please report it with the signal.`,
    );
  }
}

interface Ctx extends OrderContext {
  input: DecisionInput;
  position: Big;
  /** Entries may run now (windows, or the signal ignores them). */
  entriesOpen: boolean;
  /** Exits and cancels may run now. */
  exitsOpen: boolean;
  step: Big;
  pointValue: Big | null;
  /** Risk controls in force (subscription merged with account). */
  limits: EffectiveRisk;
  risk: RiskInput;
}

const NO_RISK: RiskInput = { realized: [], lots: [], mark: () => null };

function parseDecimal(value: string | null | undefined, what: string): Big | null {
  if (value === null || value === undefined) return null;
  try {
    return new Big(value);
  } catch {
    return reject("internal-error", `The ${what} reported for this account ("${value}") is not a number.`);
  }
}

function checkSignalAge(input: DecisionInput): void {
  const limits = [input.settings.maxSignalAgeSeconds, input.strategy.maxSignalAgeSeconds ?? 0].filter((n) => n > 0);
  const stale = staleSignal([input.signal], limits.length > 0 ? Math.min(...limits) : 0, input.receivedAt ?? input.now);
  if (stale) reject("signal-too-old", stale.message, stale.field);
}

/** Puts invert buy and sell when the subscription says so (buy = sell-to-open puts). */
function effectiveAction(action: Action, instrument: Instrument, invertPuts: boolean): Action {
  if (!invertPuts || instrument.option?.right !== "put") return action;
  return action === "buy" ? "sell" : action === "sell" ? "buy" : action;
}

function buildContext(input: DecisionInput): Ctx {
  const { signal, settings, now } = input;
  const instrument = resolveInstrument(signal, input.strategy.assetClass, now);
  checkAllowedTickers(instrument, signal.ticker, input.strategy.allowedTickers, settings.allowedTickers);
  if (instrument.assetClass === "predictions") checkPredictionPrices(signal);
  const inWindows = isInTradingWindows(settings.tradingWindows, now, settings.timezone);
  const ignoreWindows = settings.allowSignalIgnoreTradingWindows && signal.ignoreTradingWindows === true;
  const entriesOpen = inWindows || ignoreWindows;
  const pointValueText = input.instrument?.pointValue ?? instrument.pointValue;
  return {
    input,
    signal,
    settings,
    instrument,
    features: input.features,
    quote: input.quote,
    price: parseDecimal(input.price, "price"),
    tickOverride: input.instrument?.tickSize,
    position: parseDecimal(input.account.positionQuantity, "position quantity") ?? new Big(0),
    entriesOpen,
    exitsOpen: entriesOpen || settings.allowExitsOutsideWindows,
    step: quantityStep(instrument, settings.allowFractional, input.features?.fractional ?? true),
    pointValue: pointValueText === null || pointValueText === undefined ? null : new Big(pointValueText),
    limits: effectiveRisk(settings, input.risk?.account),
    risk: riskWithSignalPrice(input.risk ?? NO_RISK, instrument.ticker, input.price),
  };
}

/** The signal's own ticker is marked at the best price the decision has (the signal's, else the quote's). */
function riskWithSignalPrice(risk: RiskInput, ticker: string, price: string | null): RiskInput {
  if (price === null) return risk;
  return { ...risk, mark: (t) => (t === ticker ? price : risk.mark(t)) };
}

/**
 * Market hours (`marketHours`): null to go on, or a deferral (queue until
 * the open). Throws `outside-market-hours` in reject mode.
 */
function checkMarketHours(ctx: Ctx): Deferral | null {
  const mode = ctx.settings.marketHours;
  if (mode === "ignore") return null;
  const extendedHours =
    (ctx.instrument.assetClass === "stocks" || ctx.instrument.assetClass === "options") &&
    ((ctx.settings.allowSignalExtendedHours ? ctx.signal.extendedHours : undefined) ?? ctx.settings.extendedHours);
  const calendar = calendarFor(ctx.instrument.assetClass);
  const status = marketStatus(calendar, ctx.input.now, { extendedHours });
  if (status.open) return null;
  const closed = describeClosed(calendar, status, extendedHours);
  if (mode === "reject") {
    return reject("outside-market-hours", `${closed} This subscription refuses signals while its market is closed ("marketHours": "reject"); nothing was sent.`, "marketHours");
  }
  return {
    kind: "defer",
    messageCode: "queued-until-open",
    message: `${closed} The trade waits in the queue and is decided at the open ("marketHours": "queue"); a newer signal for ${ctx.instrument.ticker} replaces it.`,
    until: status.nextOpen ? status.nextOpen.getTime() : null,
    ticker: ctx.instrument.ticker,
  };
}

function windowBlock(ctx: Ctx, what: "entries" | "exits"): Block {
  const s = ctx.settings;
  return {
    code: "outside-trading-window",
    message:
      what === "entries"
        ? `The signal arrived outside this subscription's trading windows (${describeWindows(s.tradingWindows, s.timezone)}), so no new position was opened. Send "ignoreTradingWindows": true to trade anyway.`
        : `The signal arrived outside this subscription's trading windows (${describeWindows(s.tradingWindows, s.timezone)}) and "allowExitsOutsideWindows" is off, so the position was kept. Turn it on, or send "ignoreTradingWindows": true.`,
  };
}

function entryBlockFor(ctx: Ctx) {
  return (side: OrderSide, ignoreSides: boolean): Block | null => {
    const s = ctx.settings;
    const name = side === "buy" ? "long" : "short";
    if (!ignoreSides && s.sides !== "both" && (s.sides === "bullish") !== (side === "buy")) {
      return {
        code: "entry-order-ignored",
        message: `This subscription only enters ${s.sides === "bullish" ? "long" : "short"} positions ("sides": "${s.sides}"), so the ${name} entry was not placed.`,
        field: "sides",
      };
    }
    const risk = riskEntryBlock({
      limits: ctx.limits,
      risk: ctx.risk,
      now: ctx.input.now,
      ticker: ctx.instrument.ticker,
      // A same-side add or a flip keeps the ticker open: only an entry from flat adds a position.
      holdsTicker: !ctx.position.eq(0),
      openTickers: ctx.input.account.openPositionTickers ?? [],
    });
    if (risk) return risk;
    if (!ctx.entriesOpen) return windowBlock(ctx, "entries");
    const lock = ctx.input.entryLockedUntil;
    if (lock && lock.getTime() > ctx.input.now.getTime()) {
      return { code: "entry-blocked-by-lock", message: `Entries are locked for this account until ${lock.toISOString()}; the ${name} entry was not placed.` };
    }
    if (side === "sell" && ctx.features && !ctx.features.shorting) {
      return { code: "shorting-not-supported", message: `The broker does not allow short positions in ${ctx.instrument.assetClass}, so the short entry was not placed.` };
    }
    return null;
  };
}

function cancelEnabled(ctx: Ctx): boolean {
  const fromSignal = ctx.settings.allowSignalCancel ? ctx.signal.cancel : undefined;
  return fromSignal ?? ctx.settings.cancelOpenOrders;
}

function cancelOrderType(ctx: Ctx): OrderType | undefined {
  return ctx.settings.allowSignalCancel ? ctx.signal.cancelOrderType : undefined;
}

/** A cancel step when cancelling is on and there is something to cancel. */
function cancelStep(ctx: Ctx): PlanStep | null {
  if (!cancelEnabled(ctx)) return null;
  const type = cancelOrderType(ctx);
  const open = ctx.input.account.openOrders.filter((o) => type === undefined || o.type === type);
  if (open.length === 0) return null;
  return type === undefined ? { kind: "cancel", leg: "cancel" } : { kind: "cancel", leg: "cancel", orderType: type };
}

// ---------------------------------------------------------------------------
// Orders

function roundFn(ctx: Ctx) {
  return (price: Big, side: OrderSide) => roundPrice(price, ctx.instrument, side, ctx.tickOverride);
}

function toPlanned(
  role: PlannedOrder["role"],
  side: OrderSide,
  quantity: Big,
  type: OrderType,
  prices: { limitPrice?: Big; stopPrice?: Big; trailAmount?: Big; trailPercent?: Big },
  timeInForce: PlannedOrder["timeInForce"],
  extendedHours: boolean,
): PlannedOrder {
  return {
    role,
    side,
    quantity: toDecimal(quantity),
    type,
    timeInForce,
    ...(prices.limitPrice ? { limitPrice: toDecimal(prices.limitPrice) } : {}),
    ...(prices.stopPrice ? { stopPrice: toDecimal(prices.stopPrice) } : {}),
    ...(prices.trailAmount ? { trailAmount: toDecimal(prices.trailAmount) } : {}),
    ...(prices.trailPercent ? { trailPercent: toDecimal(prices.trailPercent) } : {}),
    ...(extendedHours ? { extendedHours: true } : {}),
  };
}

function exitOrder(ctx: Ctx, quantity: Big, waitForFill: boolean): PlanStep {
  const side: OrderSide = ctx.position.gt(0) ? "sell" : "buy";
  const type = resolveOrderType(ctx, "exit");
  const extendedHours = resolveExtendedHours(ctx, type);
  const prices = orderPrices(ctx, type, side);
  const order = toPlanned("exit", side, quantity, type, prices, resolveTimeInForce(ctx), extendedHours);
  const cancelAfter = ctx.signal.cancelAfter ?? ctx.settings.exitCancelAfterSeconds;
  return { kind: "order", leg: "exit", order, waitForFill, ...(cancelAfter !== undefined ? { cancelAfterSeconds: cancelAfter } : {}) };
}

interface EntryResult {
  steps: PlanStep[];
  quantity: Big;
}

/** The entry's order type, its prices and the price it is sized and bracketed from. */
function entryPricing(ctx: Ctx, side: OrderSide) {
  const type = resolveOrderType(ctx, "entry");
  const prices = orderPrices(ctx, type, side);
  const base = type === "limit" || type === "stop_limit" ? prices.limitPrice! : type === "stop" ? prices.stopPrice! : ctx.price;
  return { type, prices, base };
}

/** The entry quantity the signal (when allowed) or the subscription's sizing asks for. */
function sizeEntry(ctx: Ctx, side: OrderSide): Big {
  const { base } = entryPricing(ctx, side);
  const sl = effectiveStopLoss(ctx.signal, ctx.settings);
  const request = quantityRequest(ctx.signal, ctx.settings);
  checkQuantityTypeForAssetClass(request, ctx.instrument.assetClass);
  return entryQuantity({
    request,
    price: base,
    pointValue: ctx.pointValue,
    equity: () => ctx.input.account.equity,
    positionSize: ctx.position.abs(),
    riskPerUnit: () => riskPerUnit(sl, side, base!),
    step: ctx.step,
    ticker: ctx.instrument.ticker,
  });
}

/**
 * The entry order and its take profit / stop loss: `quantity` when the trade
 * already knows it (a target position), else sized; `subtract` is the exit
 * quantity to take off.
 */
function entryOrders(ctx: Ctx, side: OrderSide, subtract: Big | null, positionBefore: Big, known?: Big): EntryResult | { dropped: string; block?: Block } {
  // Type, then extended hours, then prices: the order in which their rejections are reported.
  const extendedHours = resolveExtendedHours(ctx, resolveOrderType(ctx, "entry"));
  const { type, prices, base } = entryPricing(ctx, side);
  const tp = effectiveTakeProfit(ctx.signal, ctx.settings);
  const sl = effectiveStopLoss(ctx.signal, ctx.settings);
  let quantity = known ?? sizeEntry(ctx, side);
  if (subtract) {
    const rest = quantity.minus(subtract);
    if (!rest.gt(0)) {
      return {
        dropped: `"subtractExitQuantity" is on: the signal's ${toDecimal(quantity)} minus the ${toDecimal(subtract)} exited leaves nothing to enter.`,
      };
    }
    quantity = rest;
  }
  const cap = positionCapBlock({
    limits: ctx.limits,
    ticker: ctx.instrument.ticker,
    positionAfter: positionBefore.plus(side === "buy" ? quantity : quantity.times(-1)),
    price: base ?? null,
    pointValue: ctx.pointValue,
  });
  if (cap) return { dropped: `${cap.message} Only the exit ran.`, block: cap };
  const timeInForce = resolveTimeInForce(ctx);
  const order = toPlanned("entry", side, quantity, type, prices, timeInForce, extendedHours);
  const bracket = buildBracket(tp, sl, side, base, quantity, ctx.pointValue, roundFn(ctx));
  const cancelAfter = ctx.settings.entryCancelAfterSeconds;
  const entryStep = (waitForFill: boolean): PlanStep => ({
    kind: "order",
    leg: "entry",
    order,
    waitForFill,
    ...(cancelAfter !== undefined ? { cancelAfterSeconds: cancelAfter } : {}),
  });
  if (!bracket) return { steps: [entryStep(false)], quantity };
  if (bracket.stopLoss?.type === "trailing_stop" && ctx.features?.trailingStop === "unsupported") {
    reject("trailing-stop-not-supported", 'The broker does not support trailing stops; use "stopLoss" type stop or stop_limit.', "stopLoss.type");
  }
  const features = ctx.features;
  const both = bracket.takeProfit !== undefined && bracket.stopLoss !== undefined;
  const native = !features || (both ? features.brackets.otoco : features.brackets.oto) !== "unsupported";
  if (native) {
    order.bracket = bracket;
    return { steps: [entryStep(false)], quantity };
  }
  if (both) {
    return reject(
      "brackets-not-supported",
      "The broker cannot attach both a take profit and a stop loss to an entry (no OTOCO), and two unlinked exit orders could both fill; send only one of \"takeProfit\" and \"stopLoss\", or turn one off in the subscription.",
      bracket.takeProfit && ctx.signal.takeProfit ? "takeProfit" : "stopLoss",
    );
  }
  // Emulate a one-leg bracket: wait for the entry to fill, then place the exit leg on its own.
  const legSide: OrderSide = side === "buy" ? "sell" : "buy";
  const legTif = resolveTimeInForce(ctx, { force: "gtc" });
  const steps: PlanStep[] = [entryStep(true)];
  if (bracket.takeProfit) {
    const limitPrice = new Big(bracket.takeProfit.limitPrice);
    steps.push({ kind: "order", leg: "entry-tp", order: toPlanned("take_profit", legSide, quantity, "limit", { limitPrice }, legTif, false), waitForFill: false });
  } else if (bracket.stopLoss) {
    const sl2 = bracket.stopLoss;
    const legType: OrderType = sl2.type;
    if (features && !features.orderTypes.includes(legType)) {
      reject("order-type-not-supported", `The broker does not support ${legType} orders, so the stop loss cannot be placed; use another "stopLoss.type".`, "stopLoss.type");
    }
    const legPrices = {
      ...(sl2.stopPrice ? { stopPrice: new Big(sl2.stopPrice) } : {}),
      ...(sl2.limitPrice ? { limitPrice: new Big(sl2.limitPrice) } : {}),
      ...(sl2.trailAmount ? { trailAmount: new Big(sl2.trailAmount) } : {}),
      ...(sl2.trailPercent ? { trailPercent: new Big(sl2.trailPercent) } : {}),
    };
    steps.push({ kind: "order", leg: "entry-sl", order: toPlanned("stop_loss", legSide, quantity, legType, legPrices, legTif, false), waitForFill: false });
  }
  return { steps, quantity };
}

// ---------------------------------------------------------------------------
// Messages

function describeOrder(o: PlannedOrder, ticker: string): string {
  const verb = o.side === "buy" ? "Buy" : "Sell";
  let how: string;
  switch (o.type) {
    case "market":
      how = "at market";
      break;
    case "limit":
      how = `limit ${o.limitPrice}`;
      break;
    case "stop":
      how = `stop ${o.stopPrice}`;
      break;
    case "stop_limit":
      how = `stop ${o.stopPrice} limit ${o.limitPrice}`;
      break;
    case "trailing_stop":
      how = `trailing stop ${o.trailAmount ?? `${o.trailPercent}%`}${o.stopPrice ? ` (starting at ${o.stopPrice})` : ""}`;
      break;
  }
  const parts = [`${verb} ${o.quantity} ${ticker} ${how}`];
  if (o.bracket?.takeProfit) parts.push(`take profit ${o.bracket.takeProfit.limitPrice}`);
  if (o.bracket?.stopLoss) {
    const sl = o.bracket.stopLoss;
    parts.push(
      sl.type === "trailing_stop"
        ? `trailing stop loss ${sl.trailAmount ?? `${sl.trailPercent}%`}${sl.stopPrice ? ` from ${sl.stopPrice}` : ""}`
        : `stop loss ${sl.stopPrice}${sl.limitPrice ? ` limit ${sl.limitPrice}` : ""}`,
    );
  }
  return parts.join(", ");
}

function describeSteps(steps: readonly PlanStep[], ticker: string): string {
  return steps
    .map((s) =>
      s.kind === "cancel"
        ? `cancel open ${s.orderType ? `${s.orderType} ` : ""}orders for ${ticker}`
        : `${s.leg === "exit" ? "exit: " : s.leg === "entry" ? "entry: " : s.leg === "breakeven" ? "" : `${s.leg}: `}${describeOrder(s.order, ticker)}`,
    )
    .join("; then ");
}

function plan(outcome: OutcomeCode, steps: PlanStep[], instrument: Instrument, note?: string, pointValue?: Big | null): TradePlan {
  const text = describeSteps(steps, instrument.ticker);
  const sentence = text.charAt(0).toUpperCase() + text.slice(1) + ".";
  const value = pointValue ?? (instrument.pointValue === null ? null : new Big(instrument.pointValue));
  return {
    kind: "trade",
    outcome,
    message: note ? `${note} ${sentence}` : sentence,
    steps,
    ticker: instrument.ticker,
    ...(value ? { pointValue: toDecimal(value) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Actions

function planCancel(ctx: Ctx): TradePlan {
  if (!ctx.exitsOpen) {
    const b = windowBlock(ctx, "exits");
    reject(b.code, b.message.replace("the position was kept", "no order was cancelled"));
  }
  const type = cancelOrderType(ctx);
  const step: PlanStep = type === undefined ? { kind: "cancel", leg: "cancel" } : { kind: "cancel", leg: "cancel", orderType: type };
  return plan("cancel-open-orders", [step], ctx.instrument, "The position is kept.", ctx.pointValue);
}

const STOP_CANCEL_LEGS: Readonly<Partial<Record<OrderType, string>>> = {
  stop: "cancel-stop",
  stop_limit: "cancel-stop-limit",
  trailing_stop: "cancel-trailing-stop",
};

function planBreakeven(ctx: Ctx): TradePlan {
  const { signal, settings } = ctx;
  if (ctx.position.eq(0)) {
    return reject("breakeven-not-supported", `"action": "breakeven" moves the stop of an open position, and there is no open ${ctx.instrument.ticker} position.`, "action");
  }
  const avg = parseDecimal(ctx.input.account.positionAvgPrice, "average price");
  if (!avg || !avg.gt(0)) {
    return reject("breakeven-not-supported", "The broker does not report the position's average entry price, so a breakeven stop cannot be placed.", "action");
  }
  if (!ctx.exitsOpen) {
    const b = windowBlock(ctx, "exits");
    reject(b.code, b.message);
  }
  const type = (settings.allowSignalOrderType ? signal.orderType : undefined) ?? settings.exitOrderType;
  if (type !== "stop" && type !== "stop_limit") {
    return reject(
      "breakeven-order-type-required",
      `"action": "breakeven" needs "orderType" "stop" or "stop_limit"; got ${signal.orderType ? `"${signal.orderType}"` : `none (the subscription's exit order type is ${settings.exitOrderType})`}.`,
      "orderType",
    );
  }
  if (ctx.features && !ctx.features.orderTypes.includes(type)) {
    return reject("order-type-not-supported", `The broker does not support ${type} orders, so the breakeven stop cannot be placed.`, "orderType");
  }
  const offsetValue = (settings.allowSignalBreakevenOffset ? signal.breakevenOffset : undefined) ?? settings.breakevenOffset;
  const offset = new Big(offsetValue);
  const long = ctx.position.gt(0);
  const side: OrderSide = long ? "sell" : "buy";
  // Long: stop above the average by the offset (locks in the offset); short: below.
  const stop = roundPrice(long ? avg.plus(offset) : avg.minus(offset), ctx.instrument, side, ctx.tickOverride);
  if (!stop.gt(0)) return reject("invalid-breakeven-offset", "The breakeven offset puts the stop at or below 0.", "breakevenOffset");
  const prices = type === "stop_limit" ? { stopPrice: stop, limitPrice: stop } : { stopPrice: stop };
  const order = toPlanned("stop_loss", side, ctx.position.abs(), type, prices, resolveTimeInForce(ctx, { default: "gtc" }), false);
  const steps: PlanStep[] = [];
  if (cancelEnabled(ctx)) {
    const present = new Set(ctx.input.account.openOrders.filter((o) => o.side === side).map((o) => o.type));
    for (const t of ["stop", "stop_limit", "trailing_stop"] as const) {
      if (present.has(t)) steps.push({ kind: "cancel", leg: STOP_CANCEL_LEGS[t]!, orderType: t });
    }
  }
  steps.push({ kind: "order", leg: "breakeven", order, waitForFill: false });
  return plan("breakeven", steps, ctx.instrument, undefined, ctx.pointValue);
}

/** A signal with `targetPosition`: trade the difference to it (target-position.ts). */
function planTarget(ctx: Ctx, inverted: boolean): TradePlan {
  const sent = new Big(ctx.signal.targetPosition!);
  checkSpread(ctx);
  const shape = shapeTarget({
    // invertPuts: the strategy long means short puts.
    strategyPosition: inverted ? sent.times(-1) : sent,
    position: ctx.position,
    settings: ctx.settings,
    step: ctx.step,
    subscriptionSize: (side) => sizeEntry(ctx, side),
    entryBlock: entryBlockFor(ctx),
    exitBlock: ctx.exitsOpen ? null : windowBlock(ctx, "exits"),
    ticker: ctx.instrument.ticker,
  });
  const steps: PlanStep[] = [];
  // The same rule as for buy/sell: cancel before an entry from flat, a side change or a full exit.
  const cancel = shape.cancelEligible && (shape.exit ? shape.exit.full : !shape.entry?.add) ? cancelStep(ctx) : null;
  if (cancel) steps.push(cancel);
  let entry: EntryResult | null = null;
  let outcome = shape.outcome;
  let note = shape.note;
  if (shape.entry) {
    const before = shape.exit ? reduceBy(ctx.position, shape.exit.quantity) : ctx.position;
    const built = entryOrders(ctx, shape.entry.side, null, before, shape.entry.quantity);
    if ("dropped" in built) {
      if (!built.block) throw new Error("a known entry quantity is only dropped by a risk control");
      if (!shape.exit) return reject(built.block.code, built.block.message, built.block.field);
      outcome = "exit-signal-no-new-position";
      note = built.dropped;
    } else {
      entry = built;
    }
  }
  if (shape.exit) steps.push(exitOrder(ctx, shape.exit.quantity, entry !== null));
  if (entry) steps.push(...entry.steps);
  return plan(outcome, steps, ctx.instrument, note, ctx.pointValue);
}

/** The signed position left after exiting `quantity` of it. */
function reduceBy(position: Big, quantity: Big): Big {
  return position.gt(0) ? position.minus(quantity) : position.plus(quantity);
}

function decideOrThrow(input: DecisionInput): TradePlan | Deferral {
  checkSignalAge(input);
  const ctx = buildContext(input);
  const action = effectiveAction(input.signal.action, ctx.instrument, input.settings.invertPuts);
  if (action === "cancel") return planCancel(ctx);
  const closed = checkMarketHours(ctx);
  if (closed) return closed;
  if (action === "breakeven") return planBreakeven(ctx);
  if (input.signal.targetPosition !== undefined) return planTarget(ctx, action !== input.signal.action);

  const signalRequest = signalQuantityRequest(ctx.signal, ctx.settings);
  if (signalRequest) checkQuantityTypeForAssetClass(signalRequest, ctx.instrument.assetClass);
  const shape = shapeTrade({
    action,
    sentiment: ctx.signal.sentiment,
    position: ctx.position,
    settings: ctx.settings,
    percentOfPosition: signalRequest?.type === "percent_of_position",
    entryBlock: entryBlockFor(ctx),
    exitBlock: ctx.exitsOpen ? null : windowBlock(ctx, "exits"),
    ticker: ctx.instrument.ticker,
  });
  checkSpread(ctx);

  const steps: PlanStep[] = [];
  let outcome = shape.outcome;
  let note = shape.note;
  let exitQty: Big | null = null;
  let exitFull = false;
  if (shape.exit) {
    const sized =
      shape.exit.sizing === "full"
        ? { quantity: ctx.position.abs(), full: true }
        : exitQuantity({
            request: signalRequest,
            positionSize: ctx.position.abs(),
            price: ctx.price,
            pointValue: ctx.pointValue,
            equity: () => input.account.equity,
            step: ctx.step,
            ticker: ctx.instrument.ticker,
          });
    exitQty = sized.quantity;
    exitFull = sized.full;
    if (!sized.full && outcome === "close-open-position") outcome = "exit-partial-position";
  }
  // Cancel before: an entry from flat, a side change, or a full exit (bracket legs of the old position
  // would otherwise stay working and could open a position). Never before an add or a partial exit.
  const cancelFirst = shape.cancelEligible && (shape.exit ? exitFull : !shape.entry?.add);
  const cancel = cancelFirst ? cancelStep(ctx) : null;
  if (cancel) steps.push(cancel);

  let entry: EntryResult | { dropped: string; block?: Block } | null = null;
  if (shape.entry) {
    const before = exitQty ? reduceBy(ctx.position, exitQty) : ctx.position;
    entry = entryOrders(ctx, shape.entry.side, shape.entry.subtractExit ? exitQty : null, before);
    if ("dropped" in entry) {
      // A risk control that refuses the entry of a trade with nothing else to do refuses the trade.
      if (entry.block && !exitQty) return reject(entry.block.code, entry.block.message, entry.block.field);
      note = entry.dropped;
      outcome = "exit-signal-no-new-position";
      entry = null;
    }
  }
  if (exitQty) steps.push(exitOrder(ctx, exitQty, entry !== null));
  if (entry) steps.push(...entry.steps);
  return plan(outcome, steps, ctx.instrument, note, ctx.pointValue);
}
