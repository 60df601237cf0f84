/**
 * Layer 3: the scenario matrix. Each scenario says when the capabilities
 * rule it out (`gate`, an automatic skip with the reason) and what the fake
 * must offer (`needs`, a failure unless the plugin's skip list explains it).
 *
 * @module
 */
import { expect } from "vitest";
import { BrokerError, withRetry, type BrokerOrder, type BrokerPlugin, type OrderFeatures, type OrderRequest, type OrderSide } from "../sdk";
import { KIT_RETRY, expectDecimal, type ScenarioEnv } from "./scenario-env";
import { sessionScenarios } from "./session-scenarios";
import { unsupportedIntents } from "./unsupported";
import type { ConformanceOptions, Direction, FakeBroker, ScenarioId, ScenarioOrderType } from "./types";

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

/** Each client order id reached the broker's book exactly once. */
async function expectNoDoubles(env: ScenarioEnv): Promise<void> {
  const held = await env.fake.orders();
  for (const id of env.clientOrderIds) {
    const n = held.filter((o) => o.clientOrderId === id).length;
    expect(n, `orders at the broker with client order id ${id}`).toBeLessThanOrEqual(1);
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
      await expectNoDoubles(env);
    },
  };
}

const bracketEntry: Scenario = {
  id: "bracket-entry",
  title: "bracket entry: take profit and stop loss attached, one cancels the other",
  gate(_plugin, f) {
    if (f.brackets.otoco === "unsupported") return "capabilities: brackets.otoco unsupported";
    return null;
  },
  async run(env) {
    const type = setupType(env.features);
    const tp = env.priceAt("1.05");
    const sl = env.priceAt("0.95");
    const entry = await env.place(
      env.intent("buy", type, {
        ...(type === "limit" && marketableLimit(env, "buy")),
        bracket: { takeProfit: { limitPrice: tp }, stopLoss: { type: "stop", stopPrice: sl } },
      }),
    );
    const filled = await env.settle(entry);
    expect(filled.status, "the entry fills").toBe("filled");
    const legs = (await env.client.getOpenOrders(env.accountId)).filter((o) => o.parentBrokerOrderId === entry.brokerOrderId);
    expect(legs.length, "two working exit legs point at the entry with parentBrokerOrderId").toBe(2);
    for (const leg of legs) {
      expect(leg.side, "exit legs sell").toBe("sell");
      expectDecimal(leg.quantity, env.instrument.quantity, "exit leg quantity");
    }
    const take = legs.find((l) => (l.role ?? (l.type === "limit" ? "take_profit" : "stop_loss")) === "take_profit");
    const stop = legs.find((l) => (l.role ?? (l.type === "limit" ? "take_profit" : "stop_loss")) === "stop_loss");
    expect(take?.limitPrice, "take-profit leg at its limit").toBe(tp);
    expect(stop?.stopPrice, "stop-loss leg at its stop").toBe(sl);
    if (env.features.brackets.otoco === "native" && take && stop) {
      await env.setPrice(env.priceAt("1.06"));
      expect((await env.settle(take)).status, "the take profit fills").toBe("filled");
      expect((await env.settle(stop)).status, "its OCO sibling is cancelled").toBe("cancelled");
      expectDecimal(await env.position(), "0", "flat after the take profit");
    }
    await expectNoDoubles(env);
  },
};

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
    await expectNoDoubles(env);
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
    await expectNoDoubles(env);
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
    // 2. The core's rule end to end: one order at the broker, adopted from getOrder.
    env.fake.loseNextReply();
    const second = env.intent("buy", type, extra);
    const adopted = await env.place(second);
    expect(adopted.clientOrderId).toBe(second.clientOrderId);
    const held = await env.fake.orders();
    expect(held.filter((o) => o.clientOrderId === second.clientOrderId).length, "exactly one order at the broker").toBe(1);
    await env.settle(adopted);
    expectDecimal(await env.position(), (Number(env.instrument.quantity) * 2).toString(), "two orders' worth, not three");
    await expectNoDoubles(env);
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

/** Every scenario, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  ...(["LongFromZero", "CloseFromLong", "ShortFromZero", "CloseFromShort", "LongFromShort", "ShortFromLong"] as const).flatMap((d) =>
    (["market", "limit", "stop"] as const).map((t) => directionScenario(d, t)),
  ),
  bracketEntry,
  cancel,
  partialFill,
  insufficientFunds,
  rateLimited,
  lostReply,
  authExpiry,
  unsupported,
  ...sessionScenarios,
];
