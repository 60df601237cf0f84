/**
 * Layer 3: the scenario matrix. Each scenario says when the capabilities
 * rule it out (`gate`, an automatic skip with the reason) and what the fake
 * must offer (`needs`, a failure unless the plugin's skip list explains it).
 *
 * @module
 */
import { expect } from "vitest";
import { BrokerError, dec, toDecimal, withRetry, type BrokerOrder, type BrokerPlugin, type OrderFeatures, type OrderRequest, type OrderSide, type OrderType } from "../sdk";
import { KIT_RETRY, expectDecimal, type ScenarioEnv } from "./scenario-env";
import { sessionScenarios } from "./session-scenarios";
import { unsupportedIntents } from "./unsupported";
import { DIRECTION_ORDER_TYPES, DIRECTIONS as DIRECTION_IDS, LIFECYCLE_ENDS, LIFECYCLE_KINDS } from "./check-ids";
import type { ConformanceOptions, Direction, FakeBroker, FakeOrder, ScenarioId, ScenarioOrderType } from "./types";

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** A reason the capabilities rule this scenario out, or null to run it. */
  gate(plugin: BrokerPlugin, features: OrderFeatures, options: ConformanceOptions): string | null;
  /** What the fake lacks for this scenario, or null. */
  needs?(fake: FakeBroker): string | null;
  run(env: ScenarioEnv, options: ConformanceOptions): Promise<void>;
}

/** The order type used to build a starting position: market, else a limit. */
function setupType(f: OrderFeatures): "market" | "limit" {
  return f.orderTypes.includes("market") ? "market" : "limit";
}

/** A limit far enough through the market that it fills at once. */
function marketableLimit(env: ScenarioEnv, side: OrderSide): Partial<OrderRequest> {
  return { limitPrice: env.priceAt(side === "buy" ? "1.05" : "0.95") };
}

/**
 * One filled order of `type`, the way a trader would see it: market fills at
 * once; a limit or stop first rests, then fills when the price crosses it.
 */
async function trade(env: ScenarioEnv, side: OrderSide, type: ScenarioOrderType | "setup"): Promise<BrokerOrder> {
  const buy = side === "buy";
  await env.setPrice(env.instrument.price);
  const kind = type === "setup" ? setupType(env.features) : type;
  if (kind === "market" || type === "setup") {
    const order = await env.place(env.intent(side, kind, kind === "limit" ? marketableLimit(env, side) : {}));
    const done = await env.settle(order);
    expect(done.status, `${side} ${kind} fills`).toBe("filled");
    expectDecimal(done.filledQuantity, env.instrument.quantity, "filled quantity");
    return done;
  }
  // Limit: rests on the passive side, fills when the price comes to it. Stop: the reverse.
  const rest = kind === "limit" ? (buy ? "0.98" : "1.02") : buy ? "1.02" : "0.98";
  const cross = kind === "limit" ? (buy ? "0.97" : "1.03") : buy ? "1.03" : "0.97";
  const level = env.priceAt(rest);
  const order = await env.place(env.intent(side, kind, kind === "limit" ? { limitPrice: level } : { stopPrice: level }));
  const resting = await env.read(order);
  expect(["open", "pending"], `a ${kind} ${side} away from the market rests (got ${resting.status})`).toContain(resting.status);
  await env.setPrice(env.priceAt(cross));
  const done = await env.settle(resting);
  expect(done.status, `${side} ${kind} fills once the price crosses ${level}`).toBe("filled");
  expectDecimal(done.filledQuantity, env.instrument.quantity, "filled quantity");
  if (kind === "limit" && done.avgFillPrice !== null) {
    const p = Number(done.avgFillPrice) - Number(level);
    expect(buy ? p <= 0 : p >= 0, `a limit ${side} never fills worse than its limit (${done.avgFillPrice} vs ${level})`).toBe(true);
  }
  await env.setPrice(env.instrument.price);
  return done;
}

/**
 * Exactly one order at the broker for each client order id the broker
 * acknowledged, with the side, quantity and symbol asked for; at most one
 * (accepted, then rejected) for an id it refused. Zero for an acknowledged id
 * means the id never reached the broker (or the fake reports it wrongly):
 * then a lost reply could not be reconciled, so it fails here.
 */
export async function expectOneOrderPerPlacedId(env: ScenarioEnv): Promise<void> {
  const held = await env.fake.orders();
  for (const id of env.clientOrderIds) {
    const venueId = env.venueClientOrderId(id);
    const request = env.placed.get(id);
    // A broker that keeps no client order id: the acknowledged order is found by the broker's own id.
    const brokerId = venueId === null ? env.placedBrokerOrderIds.get(id) : undefined;
    const mine = venueId !== null ? held.filter((o) => o.clientOrderId === venueId) : held.filter((o) => brokerId !== undefined && o.id === brokerId);
    if (request === undefined) {
      expect(mine.length, `orders at the broker with client order id ${id} (refused, so at most one)`).toBeLessThanOrEqual(1);
      continue;
    }
    expect(mine.length, `orders at the broker with client order id ${id} (as the broker holds it: ${venueId ?? `broker order id ${brokerId}`})`).toBe(1);
    const [o] = mine as [FakeOrder];
    expect({ side: o.side, symbol: o.symbol, quantity: dec(o.quantity).eq(request.quantity) }, `the broker's order ${o.id} is the one asked for`).toEqual({
      side: request.side,
      symbol: env.symbol,
      quantity: true,
    });
  }
}

async function expectBrokerError(p: Promise<unknown>, what: string): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw new Error(`${what}: expected a BrokerError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error(`${what}: expected a BrokerError, the call succeeded`);
}

const SHORTS: ReadonlySet<Direction> = new Set(["ShortFromZero", "CloseFromShort", "LongFromShort", "ShortFromLong"]);

/** Starting position, then the orders of the move, then the expected position (in units of `quantity`). */
const DIRECTIONS: Record<Direction, { from: -1 | 0 | 1; moves: OrderSide[]; to: -1 | 0 | 1 }> = {
  LongFromZero: { from: 0, moves: ["buy"], to: 1 },
  CloseFromLong: { from: 1, moves: ["sell"], to: 0 },
  ShortFromZero: { from: 0, moves: ["sell"], to: -1 },
  CloseFromShort: { from: -1, moves: ["buy"], to: 0 },
  // The core reverses as close-then-open (two orders), so the kit does too.
  LongFromShort: { from: -1, moves: ["buy", "buy"], to: 1 },
  ShortFromLong: { from: 1, moves: ["sell", "sell"], to: -1 },
};

function directionScenario(direction: Direction, type: ScenarioOrderType): Scenario {
  const plan = DIRECTIONS[direction];
  return {
    id: `${direction}/${type}`,
    title: `${direction} with ${type} orders`,
    gate(_plugin, f) {
      if (!f.orderTypes.includes(type)) return `capabilities: no ${type} orders`;
      if (SHORTS.has(direction) && !f.shorting) return "capabilities: shorting unsupported";
      return null;
    },
    async run(env) {
      const q = env.instrument.quantity;
      const units = (n: number) => (n === 0 ? "0" : n > 0 ? q : `-${q}`);
      if (plan.from !== 0) await trade(env, plan.from > 0 ? "buy" : "sell", "setup");
      expectDecimal(await env.position(), units(plan.from), "starting position");
      for (const side of plan.moves) await trade(env, side, type);
      expectDecimal(await env.position(), units(plan.to), `position after ${direction}`);
          },
  };
}

/**
 * The entry the core would send with `fields`: at market when the plugin's
 * pre-send check takes that, else a limit through the market (a venue may
 * refuse market entries for brackets, as Tradier does).
 */
function marketableEntry(env: ScenarioEnv, side: OrderSide, fields: Partial<OrderRequest>): OrderRequest {
  return firstAccepted(env, side, [
    ["market", fields],
    ["limit", { ...marketableLimit(env, side), ...fields }],
  ]);
}

/** The first of `forms` the plugin's pre-send check takes, with a fresh client order id. */
function firstAccepted(env: ScenarioEnv, side: OrderSide, forms: readonly [OrderType, Partial<OrderRequest>][]): OrderRequest {
  for (const [type, fields] of forms) {
    if (env.features.orderTypes.includes(type) && env.accepts(env.draft(side, type, fields))) return env.intent(side, type, fields);
  }
  throw new Error(
    `the plugin's pre-send check refuses every form of this order although the capabilities declare it: ${JSON.stringify(forms.map(([t, f]) => ({ type: t, ...f })))}`,
  );
}

/** Working orders that name `entry` as their parent (its bracket or OTO legs). */
async function legsOf(env: ScenarioEnv, entry: BrokerOrder): Promise<BrokerOrder[]> {
  return (await env.client.getOpenOrders(env.accountId)).filter((o) => o.parentBrokerOrderId === entry.brokerOrderId);
}

/** A leg's role: the broker's when it reports one, else read from its type. */
function roleOf(leg: BrokerOrder): "take_profit" | "stop_loss" {
  const role = leg.role ?? (leg.type === "limit" ? "take_profit" : "stop_loss");
  return role === "take_profit" ? "take_profit" : "stop_loss";
}

/**
 * Places a bracket (take profit and stop loss) on `side`, waits for the entry
 * to fill, and checks the two exit legs: opposite side, same quantity, at
 * their prices, pointing at the entry.
 */
async function filledBracket(env: ScenarioEnv, side: OrderSide, timeInForce?: OrderRequest["timeInForce"]) {
  const buy = side === "buy";
  const tp = env.priceAt(buy ? "1.05" : "0.95");
  const sl = env.priceAt(buy ? "0.95" : "1.05");
  const entry = await env.place(
    marketableEntry(env, side, {
      ...(timeInForce && { timeInForce }),
      bracket: { takeProfit: { limitPrice: tp }, stopLoss: { type: "stop", stopPrice: sl } },
    }),
  );
  const filled = await env.settle(entry);
  expect(filled.status, "the entry fills").toBe("filled");
  const exitSide: OrderSide = buy ? "sell" : "buy";
  const legs = await legsOf(env, entry);
  expect(legs.length, "two working exit legs point at the entry with parentBrokerOrderId").toBe(2);
  for (const leg of legs) {
    expect(leg.side, `exit legs ${exitSide} (they close the position, never add to it)`).toBe(exitSide);
    expectDecimal(leg.quantity, env.instrument.quantity, "exit leg quantity");
  }
  const take = legs.find((l) => roleOf(l) === "take_profit");
  const stop = legs.find((l) => roleOf(l) === "stop_loss");
  expect(take?.limitPrice, "take-profit leg at its limit").toBe(tp);
  expect(stop?.stopPrice, "stop-loss leg at its stop").toBe(sl);
  if (!take || !stop) throw new Error("the bracket lacks a take-profit or a stop-loss leg");
  return { entry, take, stop };
}

/** One exit of an OCO pair filled: the other ends cancelled and never fills afterwards. */
async function expectOcoAfterFill(env: ScenarioEnv, filled: BrokerOrder, sibling: BrokerOrder, backTo: string): Promise<void> {
  expect((await env.settle(filled)).status, `the ${roleOf(filled).replace("_", " ")} fills`).toBe("filled");
  expect((await env.settle(sibling)).status, `its OCO sibling (${roleOf(sibling).replace("_", " ")}) is cancelled`).toBe("cancelled");
  expectDecimal(await env.position(), "0", "flat after the exit");
  await env.setPrice(env.priceAt(backTo));
  expect((await env.read(sibling)).status, "the cancelled sibling stays cancelled when its price comes").toBe("cancelled");
  expectDecimal(await env.position(), "0", "still flat");
}

const bracketEntry: Scenario = {
  id: "bracket-entry",
  title: "bracket entry: take profit and stop loss attached; whichever exit fills cancels the other",
  gate(_plugin, f) {
    if (f.brackets.otoco === "unsupported") return "capabilities: brackets.otoco unsupported";
    return null;
  },
  async run(env) {
    const first = await filledBracket(env, "buy");
    if (env.features.brackets.otoco !== "native") return;
    await env.setPrice(env.priceAt("1.06"));
    await expectOcoAfterFill(env, first.take, first.stop, "0.94");
    // The other exit, on a second bracket: the stop loss fills, the take profit is cancelled.
    await env.setPrice(env.instrument.price);
    const second = await filledBracket(env, "buy");
    await env.setPrice(env.priceAt("0.94"));
    await expectOcoAfterFill(env, second.stop, second.take, "1.06");
  },
};

const bracketShort: Scenario = {
  id: "bracket-short",
  title: "bracket on a short entry: the exits buy back (never sell more), the stop loss above, the take profit below",
  gate(_plugin, f) {
    if (f.brackets.otoco === "unsupported") return "capabilities: brackets.otoco unsupported";
    if (!f.shorting) return "capabilities: shorting unsupported";
    return null;
  },
  async run(env) {
    const { stop, take } = await filledBracket(env, "sell");
    expectDecimal(await env.position(), `-${env.instrument.quantity}`, "short after the entry");
    if (env.features.brackets.otoco !== "native") return;
    await env.setPrice(env.priceAt("1.06"));
    await expectOcoAfterFill(env, stop, take, "0.94");
  },
};

// ------------------------------------------------------------------ lifecycles: fill, cancel, expiry

/** Gate of every `*\/expiry` scenario: a broker without `day` orders has nothing that expires at the close. */
function expiryGate(f: OrderFeatures): string | null {
  return f.timeInForce.includes("day") ? null : "capabilities: no day time in force, so nothing expires at the session's close";
}

const needsEndSession = (fake: FakeBroker): string | null => (fake.endSession ? null : "the fake has no endSession()");

/** The order rests: working, nothing filled. */
async function expectResting(env: ScenarioEnv, order: BrokerOrder, what: string): Promise<BrokerOrder> {
  const now = await env.read(order);
  expect(["open", "pending"], `${what} rests (got ${now.status})`).toContain(now.status);
  expectDecimal(now.filledQuantity, "0", `${what}: nothing filled yet`);
  return now;
}

/**
 * Ends a resting order the way `end` says (cancel it, or close the session),
 * then checks it is gone for good: that status, nothing filled, no longer
 * working (nor any leg of it), and prices that would have filled it fill
 * nothing, so the position stays `position`.
 */
async function endResting(
  env: ScenarioEnv,
  order: BrokerOrder,
  end: "cancel" | "expiry",
  crossAt: readonly string[],
  position: string,
): Promise<void> {
  if (end === "cancel") await env.client.cancelOrder(env.accountId, { brokerOrderId: order.brokerOrderId });
  else await env.fake.endSession?.();
  const status = end === "cancel" ? "cancelled" : env.expiryStatus;
  const done = await env.settle(order);
  expect(done.status, end === "cancel" ? "cancelled" : "a day order expires when the session closes").toBe(status);
  expectDecimal(done.filledQuantity, "0", "nothing filled");
  const open = await env.client.getOpenOrders(env.accountId);
  expect(open.map((o) => o.brokerOrderId), "no longer working").not.toContain(order.brokerOrderId);
  expect(open.filter((o) => o.parentBrokerOrderId === order.brokerOrderId).map((o) => o.brokerOrderId), "and no leg of it works").toEqual([]);
  for (const factor of crossAt) {
    await env.setPrice(env.priceAt(factor));
    expectDecimal(await env.position(), position, `nothing fills at ${env.priceAt(factor)} once the order is ${status}`);
  }
  expect((await env.read(order)).status, `stays ${status}`).toBe(status);
}

type LifecycleEnd = (typeof LIFECYCLE_ENDS)[number];

/** The id, gate and `needs` every lifecycle scenario shares. */
function lifecycle(
  kind: (typeof LIFECYCLE_KINDS)[number],
  end: LifecycleEnd,
  title: string,
  gate: (f: OrderFeatures) => string | null,
  run: (env: ScenarioEnv) => Promise<void>,
): Scenario {
  return {
    id: `${kind}/${end}`,
    title,
    gate: (_plugin, f) => gate(f) ?? (end === "expiry" ? expiryGate(f) : null),
    ...(end === "expiry" && { needs: needsEndSession }),
    run,
  };
}

const tifFor = (end: LifecycleEnd): Partial<OrderRequest> => (end === "expiry" ? { timeInForce: "day" } : {});

// --- stop-limit

const stopLimitGate = (f: OrderFeatures) => (f.orderTypes.includes("stop_limit") ? null : "capabilities: no stop_limit orders");

/** A stop-limit on `side`: stop 2 % through the market, limit 1 % beyond the stop. */
function stopLimit(env: ScenarioEnv, side: OrderSide, extra: Partial<OrderRequest> = {}): OrderRequest {
  const buy = side === "buy";
  return env.intent(side, "stop_limit", { stopPrice: env.priceAt(buy ? "1.02" : "0.98"), limitPrice: env.priceAt(buy ? "1.03" : "0.97"), ...extra });
}

const stopLimitFill = lifecycle(
  "stop-limit",
  "fill",
  "stop-limit orders: triggered at the stop, then filled only within the limit (a buy entry, then a sell exit)",
  stopLimitGate,
  async (env) => {
    const q = env.instrument.quantity;
    for (const side of ["buy", "sell"] as const) {
      const buy = side === "buy";
      await env.setPrice(env.instrument.price);
      const request = stopLimit(env, side);
      const order = await expectResting(env, await env.place(request), `a ${side} stop-limit away from the market`);
      // Through the stop and beyond the limit: triggered, but not marketable at its limit.
      await env.setPrice(env.priceAt(buy ? "1.05" : "0.95"));
      await expectResting(env, order, `a ${side} stop-limit triggered with the market beyond its limit`);
      expectDecimal(await env.position(), buy ? "0" : q, "nothing traded beyond the limit");
      // Back within the limit: it fills there.
      await env.setPrice(env.priceAt(buy ? "1.025" : "0.975"));
      const done = await env.settle(order);
      expect(done.status, `the ${side} stop-limit fills once the price is within its limit`).toBe("filled");
      expectDecimal(done.filledQuantity, q, "filled quantity");
      const fill = dec(done.avgFillPrice ?? "NaN");
      expect(buy ? fill.lte(request.limitPrice!) : fill.gte(request.limitPrice!), `filled at ${done.avgFillPrice}, within the limit ${request.limitPrice}`).toBe(true);
      expectDecimal(await env.position(), buy ? q : "0", `position after the ${side}`);
    }
  },
);

function stopLimitEnd(end: "cancel" | "expiry"): Scenario {
  return lifecycle(
    "stop-limit",
    end,
    end === "cancel" ? "a resting stop-limit cancelled never fills" : "a day stop-limit expires at the session's close and never fills",
    stopLimitGate,
    async (env) => {
      const order = await expectResting(env, await env.place(stopLimit(env, "buy", tifFor(end))), "a buy stop-limit away from the market");
      await endResting(env, order, end, ["1.025", "1.05"], "0");
    },
  );
}

// --- trailing stop

const trailingGate = (f: OrderFeatures) => (f.trailingStop === "unsupported" ? "capabilities: trailingStop unsupported" : null);

/** A sell trailing stop trailing by 3 %, or by 3 % of the price in price units when the plugin takes only amounts. */
function trailingSell(env: ScenarioEnv, extra: Partial<OrderRequest> = {}): OrderRequest {
  return firstAccepted(env, "sell", [
    ["trailing_stop", { trailPercent: "3", ...extra }],
    ["trailing_stop", { trailAmount: env.priceAt("0.03"), ...extra }],
  ]);
}

/** Where a sell trailing stop placed as `request` stands once the price peaked at `peak`. */
function trailedStop(request: OrderRequest, peak: string): ReturnType<typeof dec> {
  return request.trailPercent !== undefined ? dec(peak).times(dec(100).minus(request.trailPercent)).div(100) : dec(peak).minus(request.trailAmount ?? "0");
}

const trailingFill = lifecycle(
  "trailing-stop",
  "fill",
  "a sell trailing stop follows the price up and fills only when the price falls back by the trail",
  trailingGate,
  async (env) => {
    await trade(env, "buy", "setup");
    const request = trailingSell(env);
    const order = await expectResting(env, await env.place(request), "a sell trailing stop");
    // The price rises: the stop trails it up, nothing fills.
    const peak = env.priceAt("1.10");
    await env.setPrice(peak);
    await expectResting(env, order, "a sell trailing stop while the price rises");
    const stop = trailedStop(request, peak);
    // Just above where the stop trailed to: still working (a stop that did not trail, or trailed by the
    // wrong unit, percent read as price or the reverse, fills here or never at all).
    const above = toDecimal(stop.times("1.002").round(2, 3));
    await env.setPrice(above);
    await expectResting(env, order, `a sell trailing stop at ${above}, above its trailed stop ${toDecimal(stop.round(4))}`);
    expectDecimal(await env.position(), env.instrument.quantity, "still long above the trailed stop");
    const below = toDecimal(stop.times("0.995").round(2, 0));
    await env.setPrice(below);
    const done = await env.settle(order);
    expect(done.status, `the trailing stop fills at ${below}, below its trailed stop`).toBe("filled");
    expectDecimal(done.filledQuantity, env.instrument.quantity, "filled quantity");
    expectDecimal(await env.position(), "0", "flat after the trailing stop");
  },
);

function trailingEnd(end: "cancel" | "expiry"): Scenario {
  return lifecycle(
    "trailing-stop",
    end,
    end === "cancel" ? "a trailing stop cancelled never fills" : "a day trailing stop expires at the session's close and never fills",
    trailingGate,
    async (env) => {
      await trade(env, "buy", "setup");
      const order = await expectResting(env, await env.place(trailingSell(env, tifFor(end))), "a sell trailing stop");
      await endResting(env, order, end, ["0.90"], env.instrument.quantity);
    },
  );
}

// --- OTO: an entry with one exit

const otoGate = (f: OrderFeatures) => (f.brackets.oto === "unsupported" ? "capabilities: brackets.oto unsupported" : null);

const otoFill = lifecycle(
  "oto",
  "fill",
  "OTO: the entry fills, then its one exit (a take profit) works and fills",
  otoGate,
  async (env) => {
    const tp = env.priceAt("1.05");
    const entry = await env.place(marketableEntry(env, "buy", { bracket: { takeProfit: { limitPrice: tp } } }));
    expect((await env.settle(entry)).status, "the entry fills").toBe("filled");
    const legs = await legsOf(env, entry);
    expect(legs.length, "one working exit leg points at the entry with parentBrokerOrderId").toBe(1);
    const [exit] = legs as [BrokerOrder];
    expect({ side: exit.side, limitPrice: exit.limitPrice, role: roleOf(exit) }, "the exit sells at the take-profit limit").toEqual({
      side: "sell",
      limitPrice: tp,
      role: "take_profit",
    });
    expectDecimal(exit.quantity, env.instrument.quantity, "exit quantity");
    await env.setPrice(env.priceAt("1.06"));
    expect((await env.settle(exit)).status, "the exit fills").toBe("filled");
    expectDecimal(await env.position(), "0", "flat after the exit");
  },
);

function otoEnd(end: "cancel" | "expiry"): Scenario {
  return lifecycle(
    "oto",
    end,
    end === "cancel" ? "OTO: an entry cancelled before it filled never sends its exit" : "OTO: a day entry that expires unfilled never sends its exit",
    otoGate,
    async (env) => {
      const entry = await env.place(
        env.intent("buy", "limit", { limitPrice: env.priceAt("0.95"), bracket: { takeProfit: { limitPrice: env.priceAt("1.05") } }, ...tifFor(end) }),
      );
      await expectResting(env, entry, "a buy limit entry below the market");
      await endResting(env, entry, end, ["0.94", "1.06"], "0");
    },
  );
}

// --- OCO: the exit pair of a bracket

const ocoGate = (f: OrderFeatures) => {
  if (f.brackets.oco === "unsupported") return "capabilities: brackets.oco unsupported";
  if (f.brackets.otoco === "unsupported") return "capabilities: brackets.otoco unsupported (an order request reaches an OCO pair only as a bracket's exits)";
  return null;
};

const ocoFill = lifecycle(
  "oco",
  "fill",
  "OCO: the stop-loss exit fills and its take-profit sibling is cancelled",
  ocoGate,
  async (env) => {
    const { take, stop } = await filledBracket(env, "buy");
    await env.setPrice(env.priceAt("0.94"));
    await expectOcoAfterFill(env, stop, take, "1.06");
  },
);

const ocoCancel = lifecycle("oco", "cancel", "OCO: cancelling one exit cancels the other; the position stays", ocoGate, async (env) => {
  const { take, stop } = await filledBracket(env, "buy");
  await env.client.cancelOrder(env.accountId, { brokerOrderId: take.brokerOrderId });
  expect((await env.settle(take)).status, "the cancelled exit").toBe("cancelled");
  expect((await env.settle(stop)).status, "its sibling is cancelled with it").toBe("cancelled");
  for (const factor of ["0.94", "1.06"]) {
    await env.setPrice(env.priceAt(factor));
    expectDecimal(await env.position(), env.instrument.quantity, `nothing fills at ${env.priceAt(factor)}: the position stays`);
  }
});

const ocoExpiry = lifecycle("oco", "expiry", "OCO: day exits expire at the session's close; the position stays", ocoGate, async (env) => {
  const { take, stop } = await filledBracket(env, "buy", "day");
  await env.fake.endSession?.();
  const ends = [(await env.settle(take)).status, (await env.settle(stop)).status];
  expect(ends, "both exits end unfilled when the session closes (expired, or cancelled as the sibling of one that expired)").toContain(env.expiryStatus);
  for (const status of ends) expect(["expired", "cancelled"], "an exit after the close").toContain(status);
  expect((await env.client.getOpenOrders(env.accountId)).map((o) => o.brokerOrderId), "no exit works after the close").toEqual([]);
  for (const factor of ["0.94", "1.06"]) {
    await env.setPrice(env.priceAt(factor));
    expectDecimal(await env.position(), env.instrument.quantity, `nothing fills at ${env.priceAt(factor)}: the position stays`);
  }
});

// --- time in force: what the session's close does to each

/**
 * A `day` and a `gtc` limit rest side by side; the session closes. Only the
 * day order may end, and the gtc order must still fill when the price comes.
 * The direction and lifecycle scenarios trade `gtc` and end sessions only on
 * `day` orders, so without this a plugin that sends `gtc` as the broker's
 * day duration (or the reverse) passes every other scenario.
 */
const sessionClose: Scenario = {
  id: "time-in-force/session-close",
  title: "at the session's close a day limit expires and a gtc limit keeps working, then fills when the price comes",
  gate(_plugin, f) {
    if (!f.orderTypes.includes("limit")) return "capabilities: no limit orders to leave working";
    if (!f.timeInForce.includes("day") || !f.timeInForce.includes("gtc")) return "capabilities: day and gtc are not both declared";
    return null;
  },
  needs: needsEndSession,
  async run(env) {
    const level = env.priceAt("0.95");
    const day = await expectResting(env, await env.place(env.intent("buy", "limit", { limitPrice: level, timeInForce: "day" })), "a day buy limit below the market");
    const gtc = await expectResting(env, await env.place(env.intent("buy", "limit", { limitPrice: level, timeInForce: "gtc" })), "a gtc buy limit below the market");
    await env.fake.endSession?.();
    expect((await env.settle(day)).status, "the day limit ends when the session closes").toBe(env.expiryStatus);
    await expectResting(env, gtc, "the gtc limit after the session's close");
    const open = (await env.client.getOpenOrders(env.accountId)).map((o) => o.brokerOrderId);
    expect({ day: open.includes(day.brokerOrderId), gtc: open.includes(gtc.brokerOrderId) }, "working after the close").toEqual({ day: false, gtc: true });
    await env.setPrice(env.priceAt("0.94"));
    const filled = await env.settle(gtc);
    expect(filled.status, "the gtc limit fills once the price comes to it after the close").toBe("filled");
    expectDecimal(filled.filledQuantity, env.instrument.quantity, "filled quantity");
    expect((await env.read(day)).status, "the day limit stays ended").toBe(env.expiryStatus);
    expectDecimal(await env.position(), env.instrument.quantity, "one order's worth: the ended day order never fills");
  },
};

/**
 * An immediate order (`ioc`, `fok`): away from the market it ends at once,
 * unfilled, and never rests (a plugin that sends it as gtc or day leaves it
 * working, and the price that comes later fills it); at the market it fills
 * completely (a plugin that sends it as something the broker kills or
 * refuses fails there).
 */
function immediateScenario(tif: "ioc" | "fok"): Scenario {
  const article = tif === "ioc" ? "an" : "a";
  return {
    id: `time-in-force/${tif}`,
    title: `${article} ${tif} limit that cannot fill at once ends unfilled without resting; a marketable one fills completely`,
    gate(_plugin, f) {
      if (!f.orderTypes.includes("limit")) return "capabilities: no limit orders";
      if (!f.timeInForce.includes(tif)) return `capabilities: no ${tif} time in force`;
      return null;
    },
    async run(env) {
      const q = env.instrument.quantity;
      await env.setPrice(env.instrument.price);
      const away = await env.settle(await env.place(env.intent("buy", "limit", { limitPrice: env.priceAt("0.95"), timeInForce: tif })));
      expect(["cancelled", "expired"], `${article} ${tif} buy limit below the market ends at once instead of resting (got ${away.status})`).toContain(away.status);
      expectDecimal(away.filledQuantity, "0", `the ${tif} order away from the market: nothing filled`);
      expect((await env.client.getOpenOrders(env.accountId)).map((o) => o.brokerOrderId), `the ${tif} order is not working`).not.toContain(away.brokerOrderId);
      await env.setPrice(env.priceAt("0.94"));
      expectDecimal(await env.position(), "0", `the ended ${tif} order never fills when the price comes to it later`);
      await env.setPrice(env.instrument.price);
      const at = await env.settle(await env.place(env.intent("buy", "limit", { ...marketableLimit(env, "buy"), timeInForce: tif })));
      expect(at.status, `a marketable ${tif} buy limit fills`).toBe("filled");
      expectDecimal(at.filledQuantity, q, "filled completely");
      expectDecimal(await env.position(), q, `one order's worth`);
    },
  };
}

const cancel: Scenario = {
  id: "cancel",
  title: "cancel a working order",
  gate: (_plugin, f) => (f.orderTypes.includes("limit") ? null : "capabilities: no limit orders to leave working"),
  async run(env) {
    const order = await env.place(env.intent("buy", "limit", { limitPrice: env.priceAt("0.9") }));
    const resting = await env.read(order);
    expect(["open", "pending"]).toContain(resting.status);
    await env.client.cancelOrder(env.accountId, { brokerOrderId: order.brokerOrderId });
    const done = await env.settle(resting);
    expect(done.status, "cancelled").toBe("cancelled");
    expectDecimal(done.filledQuantity, "0", "nothing filled");
    const open = await env.client.getOpenOrders(env.accountId);
    expect(open.map((o) => o.brokerOrderId), "no longer working").not.toContain(order.brokerOrderId);
    // Cancelling again is either a no-op or one of the codes the core treats as "already gone".
    try {
      await env.client.cancelOrder(env.accountId, { brokerOrderId: order.brokerOrderId });
    } catch (e) {
      expect(e instanceof BrokerError ? e.code : String(e), "a second cancel").toMatch(/^(order-not-cancelable|order-not-found)$/);
    }
  },
};

const modify: Scenario = {
  id: "modify",
  title: "a resting limit moved to a new price works there (in place, or as its replacement) and fills there; the old price fills nothing",
  gate(plugin, f) {
    if (f.modify === "unsupported" || plugin.capabilities.methods.modifyOrder === "unsupported") return "capabilities: modify unsupported";
    if (!f.orderTypes.includes("limit")) return "capabilities: no limit orders to leave working";
    return null;
  },
  async run(env) {
    const q = env.instrument.quantity;
    if (!env.client.modifyOrder) throw new Error("the capabilities declare modify but the client has no modifyOrder");
    await env.setPrice(env.instrument.price);
    const order = await expectResting(env, await env.place(env.intent("buy", "limit", { limitPrice: env.priceAt("0.90") })), "a buy limit well below the market");
    const moved = env.priceAt("0.95");
    const now = await env.client.modifyOrder(env.accountId, { brokerOrderId: order.brokerOrderId }, { limitPrice: moved });
    expectDecimal(now.limitPrice ?? "NaN", moved, "the modified order's limit");
    if (env.features.modify === "replace") expect(now.brokerOrderId, "changed in place: the same order").toBe(order.brokerOrderId);
    else {
      expect(now.brokerOrderId, "cancel-replace: a new order replaces the old").not.toBe(order.brokerOrderId);
      expect((await env.settle(order)).status, "the replaced order is over").toBe("cancelled");
    }
    const working = (await env.client.getOpenOrders(env.accountId)).map((o) => o.brokerOrderId);
    expect(working, "exactly one order works after the change").toEqual([now.brokerOrderId]);
    // Between the old and the new price: only an order at the new price fills here.
    await env.setPrice(env.priceAt("0.93"));
    const done = await env.settle(now);
    expect(done.status, `the order fills at ${env.priceAt("0.93")}, under its new limit ${moved}`).toBe("filled");
    expectDecimal(done.filledQuantity, q, "filled quantity");
    await env.setPrice(env.priceAt("0.89"));
    expectDecimal(await env.position(), q, "one order's worth: the old price fills nothing more");
  },
};

const partialFill: Scenario = {
  id: "partial-fill",
  title: "partial fill: cumulative quantity, then cancel keeps what filled",
  gate: () => null,
  needs: (fake) => (fake.partialFillNext ? null : "the fake has no partialFillNext()"),
  async run(env) {
    const q = env.instrument.quantity;
    const total = (Number(q) * 2).toString();
    env.fake.partialFillNext?.(q);
    const type = setupType(env.features);
    const order = await env.place(env.intent("buy", type, { quantity: total, ...(type === "limit" && marketableLimit(env, "buy")) }));
    const part = await env.read(order);
    expect(part.status, "partially filled").toBe("partially_filled");
    expectDecimal(part.filledQuantity, q, "cumulative filled quantity");
    expectDecimal(await env.position(), q, "position holds the filled part");
    await env.client.cancelOrder(env.accountId, { brokerOrderId: order.brokerOrderId });
    const done = await env.settle(part);
    expect(done.status, "the rest is cancelled").toBe("cancelled");
    expectDecimal(done.filledQuantity, q, "fills survive the cancel");
    expectDecimal(await env.position(), q, "position unchanged by the cancel");
  },
};

const insufficientFunds: Scenario = {
  id: "insufficient-funds",
  title: "an unaffordable order is rejected and changes nothing",
  gate: () => null,
  async run(env) {
    const type = setupType(env.features);
    const request = env.intent("buy", type, { quantity: env.instrument.unaffordableQuantity, ...(type === "limit" && marketableLimit(env, "buy")) });
    try {
      const order = await env.place(request);
      // Some brokers accept first and reject a moment later.
      const done = await env.settle(order);
      expect(done.status, "accepted-then-rejected orders end rejected").toBe("rejected");
    } catch (e) {
      if (!(e instanceof BrokerError)) throw e;
      expect({ kind: e.kind, code: e.code }, "refused for funds").toEqual({ kind: "rejected", code: "insufficient-funds" });
    }
    expectDecimal(await env.position(), "0", "no position");
      },
};

const rateLimited: Scenario = {
  id: "rate-limit-then-success",
  title: "a 429 is retryable and the retry succeeds, for reads and for orders",
  gate: () => null,
  async run(env, options) {
    const reply = options.rateLimitReply ?? { status: 429, body: {}, headers: { "retry-after": "0" } };
    env.fake.failNext(reply);
    const e = await expectBrokerError(env.client.getBalance(env.accountId), "getBalance after a 429");
    expect(e.kind, "a 429 is retryable").toBe("retryable");
    env.fake.failNext(reply);
    const balance = await withRetry(() => env.client.getBalance(env.accountId), KIT_RETRY);
    expect(balance.currency).toBeTruthy();
    env.fake.failNext(reply);
    const type = setupType(env.features);
    const order = await env.place(env.intent("buy", type, type === "limit" ? marketableLimit(env, "buy") : {}));
    expect((await env.settle(order)).status).toBe("filled");
    expectDecimal(await env.position(), env.instrument.quantity, "one order's worth");
      },
};

const lostReply: Scenario = {
  id: "timeout-after-send",
  title: "a reply lost after the broker booked the order is reconciled by client order id, never resent",
  gate: () => null,
  async run(env) {
    const absent = await env.client.getOrder(env.accountId, { clientOrderId: `tl${"0".repeat(32)}` });
    expect(absent, "getOrder for an id the broker never saw is null (not an error)").toBeNull();
    const type = setupType(env.features);
    const extra = type === "limit" ? marketableLimit(env, "buy") : {};
    // 1. The plugin reports the lost reply as outcome-unknown, never as retryable.
    env.fake.loseNextReply();
    const first = env.intent("buy", type, extra);
    const e = await expectBrokerError(env.client.placeOrder(env.accountId, first), "placeOrder whose reply is lost");
    expect(e.kind, "a lost order reply is outcome-unknown").toBe("outcome-unknown");
    const found = await env.client.getOrder(env.accountId, { clientOrderId: first.clientOrderId });
    expect(found?.clientOrderId, "the booked order is found by client order id").toBe(first.clientOrderId);
    env.placed.set(first.clientOrderId, first);
    // 2. The core's rule end to end: one order at the broker, adopted from getOrder.
    env.fake.loseNextReply();
    const second = env.intent("buy", type, extra);
    const adopted = await env.place(second);
    expect(adopted.clientOrderId).toBe(second.clientOrderId);
    const held = await env.fake.orders();
    const venueId = env.venueClientOrderId(second.clientOrderId);
    expect(held.filter((o) => (venueId === null ? o.id === adopted.brokerOrderId : o.clientOrderId === venueId)).length, "exactly one order at the broker").toBe(1);
    await env.settle(adopted);
    expectDecimal(await env.position(), (Number(env.instrument.quantity) * 2).toString(), "two orders' worth, not three");
      },
};

const authExpiry: Scenario = {
  id: "auth-expiry",
  title: "expired credentials surface as auth-expired and send no order",
  gate: (plugin) => (plugin.manifest.auth.scheme === "none" ? "manifest: auth scheme none, nothing can expire" : null),
  needs: (fake) => (fake.expireAuth ? null : "the fake has no expireAuth()"),
  async run(env) {
    const before = (await env.fake.orders()).length;
    env.fake.expireAuth?.();
    const read = await expectBrokerError(env.client.getBalance(env.accountId), "getBalance with expired credentials");
    expect(read.kind, "reads").toBe("auth-expired");
    const type = setupType(env.features);
    const write = await expectBrokerError(
      env.client.placeOrder(env.accountId, env.intent("buy", type, type === "limit" ? marketableLimit(env, "buy") : {})),
      "placeOrder with expired credentials",
    );
    expect(write.kind, "orders").toBe("auth-expired");
    expect((await env.fake.orders()).length, "no order booked").toBe(before);
  },
};

const unsupported: Scenario = {
  id: "unsupported-intent-refused",
  title: "intents the capabilities rule out are refused before anything is sent",
  gate: () => null,
  async run(env) {
    const cases = unsupportedIntents(env);
    expect(cases.length, "at least the over-long client order id").toBeGreaterThan(0);
    for (const c of cases) {
      const before = env.sent.length;
      const e = await expectBrokerError(env.client.placeOrder(env.accountId, c.intent), c.what);
      expect({ kind: e.kind, code: e.code }, c.what).toEqual({ kind: "unsupported", code: c.messageCode });
      expect(env.sent.length, `${c.what}: nothing sent`).toBe(before);
    }
  },
};

/** Every scenario, in run order (the same ids as `CHECK_IDS`, less the three non-scenario checks). */
export const SCENARIOS: readonly Scenario[] = [
  ...DIRECTION_IDS.flatMap((d) => DIRECTION_ORDER_TYPES.map((t) => directionScenario(d, t))),
  stopLimitFill,
  stopLimitEnd("cancel"),
  stopLimitEnd("expiry"),
  trailingFill,
  trailingEnd("cancel"),
  trailingEnd("expiry"),
  otoFill,
  otoEnd("cancel"),
  otoEnd("expiry"),
  ocoFill,
  ocoCancel,
  ocoExpiry,
  sessionClose,
  immediateScenario("ioc"),
  immediateScenario("fok"),
  bracketEntry,
  bracketShort,
  cancel,
  modify,
  partialFill,
  insufficientFunds,
  rateLimited,
  lostReply,
  authExpiry,
  unsupported,
  ...sessionScenarios,
];
