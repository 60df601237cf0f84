/**
 * The fault run: many mixed signals across many subscriptions (each on its
 * own account: a paper ledger, or an account at an external broker's fake
 * reached through that broker's real plugin) while the broker misbehaves,
 * and optionally while Durable Objects are evicted or aborted. Afterwards
 * every subscription is checked against the position model
 * (test/model/position-model.ts), on the broker's side:
 *
 * 1. every accepted signal reached a terminal outcome;
 * 2. the broker holds no duplicate client order id and exactly the orders
 *    the model expects (by their deterministic client order ids);
 * 3. each subscription's final position and cash at the broker equal the
 *    model's replay of its signals in order;
 * 4. no queue is left with work.
 *
 * A trade may legitimately end `failed` when the broker kept failing past
 * the retry budget. Such a trade must have sent a prefix of its legs (at
 * most); the model then applies exactly that prefix, so the invariants stay
 * exact. How many gave up is reported, never asserted: it depends on how the
 * faults fall, not on correctness.
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { Big } from "../../plugins/sdk";
import type { FaultProfileInput } from "../../worker/connections/fault-injection";
import { clientOrderIdFor } from "../../worker/execution/client-order-id";
import { isTerminalTradeStatus } from "../../worker/trading/trade-status";
import { sendAlert } from "../helpers/trader";
import { step, ZERO_ACCOUNT, type Leg, type ModelAccount, type ModelRules, type ModelSignal } from "../model/position-model";
import { paperBroker, type BrokerSide } from "../helpers/brokers";
import { createLane, queueOf, rng, setConnectionFaults, settleQueues, signupToken, type Lane } from "./support";

export interface RunOptions {
  seed: number;
  lanes: number;
  signalsPerLane: number;
  profile: FaultProfileInput | null;
  /** Called after each signal is sent, with a seeded random source: evict here. */
  disrupt?: (ctx: { lane: Lane; sent: number; total: number; random: ReturnType<typeof rng> }) => Promise<void>;
  settleTimeoutMs: number;
  /** Accept 503 temporarily-unavailable replies (runs that abort every object, D1's included). */
  allowUnavailable?: boolean;
  /** The broker every subscription trades on. Default: the paper broker. */
  broker?: BrokerSide;
}

export interface RunReport {
  signals: number;
  trades: number;
  ordersAtBroker: number;
  failedTrades: { code: string | null; legsSent: number }[];
  unqueued: number;
  /** Signals refused with 503 (not accepted). */
  unavailable: number;
  statuses: Record<string, number>;
  nudges: number;
}

/** About one request in eight fails, in every way the injector knows (none of them waits on the clock but the 429's Retry-After). */
export const PROFILE = {
  serverErrorRate: 0.03,
  rateLimitRate: 0.02,
  retryAfterMs: 1_000,
  lostReplyRate: 0.03,
  slowReplyRate: 0.02,
  resetRate: 0.02,
} satisfies FaultProfileInput;

/** Two subscription styles per strategy, so one signal fans out to different rules. */
const RULES: readonly ModelRules[] = [
  { allowAddToPosition: true, allowSideSwap: true, quantity: 1 },
  { allowAddToPosition: false, allowSideSwap: false, quantity: 2 },
];
const TICKERS = ["SPY", "QQQ", "AAPL", "MSFT", "NVDA", "AMD", "TSLA", "IWM", "DIA", "META", "AMZN", "GOOG"];

/** A valid, mixed signal (market orders, fixed quantities, with a price: `fixedPrice`, else a random one near 100). */
export function mixedSignal(random: ReturnType<typeof rng>, fixedPrice: string | null = null): ModelSignal {
  const drawn = (95 + random.next() * 10).toFixed(2);
  const price = fixedPrice ?? drawn;
  const quantity = random.chance(0.8) ? random.int(1, 5) : undefined;
  const roll = random.next();
  if (roll < 0.22) return { action: "buy", price, ...(quantity && { quantity }) };
  if (roll < 0.44) return { action: "sell", price, ...(quantity && { quantity }) };
  if (roll < 0.58) return { action: "exit", price, ...(quantity && random.chance(0.4) && { quantity }) };
  if (roll < 0.68) return { action: "add", price, ...(quantity && { quantity }) };
  if (roll < 0.78) return { action: "reverse", price, ...(quantity && { quantity }) };
  if (roll < 0.84) return { action: "cancel", price };
  return { action: random.chance(0.5) ? "buy" : "sell", sentiment: random.pick(["bullish", "bearish", "flat"] as const), price, ...(quantity && { quantity }) };
}

export function webhookBody(ticker: string, s: ModelSignal): Record<string, unknown> {
  return { ticker, ...s };
}

export async function faultRun(o: RunOptions): Promise<RunReport> {
  const random = rng(o.seed);
  const broker = o.broker ?? paperBroker;
  const token = await signupToken();
  const lanes: Lane[] = [];
  for (let i = 0; i < o.lanes; i++) {
    const lane = await createLane(token, TICKERS[i % TICKERS.length]!, RULES.map((r) => ({ ...r })), broker);
    lanes.push(lane);
  }
  if (o.profile) {
    for (const [i, lane] of lanes.entries()) {
      for (const [j, sub] of lane.subscriptions.entries()) {
        // A seed per connection, derived from the run's seed, so each ledger fails on its own schedule.
        await setConnectionFaults(sub.connectionId, { ...o.profile, seed: o.seed * 1000 + i * 10 + j });
      }
    }
  }

  // Signals of one strategy are sent one after another (arrival order is the
  // order the model replays); strategies run side by side.
  const plans = lanes.map(() => Array.from({ length: o.signalsPerLane }, () => mixedSignal(random, broker.fixedPrice)));
  const sentIds = lanes.map(() => [] as (string | null)[]);
  const total = o.lanes * o.signalsPerLane;
  let sent = 0;
  await Promise.all(
    lanes.map(async (lane, li) => {
      const laneRandom = rng(o.seed * 7919 + li);
      for (const s of plans[li]!) {
        const reply = await sendAlert(lane.webhookUrl, webhookBody(lane.ticker, s));
        if (reply.status === 503 && o.allowUnavailable) {
          // Nothing could be stored (an abort took D1 down too): not accepted, so it must have no effect
          // at all, which the exact order check below proves. A sender would retry it.
          expect(reply.body.messageCode).toBe("temporarily-unavailable");
          sentIds[li]!.push(null);
        } else {
          // A queue that cannot be reached is logged as a failed trade: still 200.
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          expect(reply.body.duplicate).toBeUndefined();
          sentIds[li]!.push(reply.body.id!);
        }
        sent++;
        if (o.disrupt) await o.disrupt({ lane, sent, total, random: laneRandom });
      }
    }),
  );

  const subscriptionIds = lanes.flatMap((l) => l.subscriptions.map((s) => s.id));
  const { nudges } = await settleQueues(subscriptionIds, o.settleTimeoutMs);

  const report: RunReport = { signals: total, trades: 0, ordersAtBroker: 0, failedTrades: [], unqueued: 0, unavailable: 0, statuses: {}, nudges };
  for (const [li, lane] of lanes.entries()) {
    for (const [si, sub] of lane.subscriptions.entries()) {
      await verifySubscription(broker, lane, sub, RULES[si]!, plans[li]!, sentIds[li]!, report);
    }
  }
  // (4) every queue idle, the read model included.
  for (const id of subscriptionIds) expect(await queueOf(id).pendingWork(), id).toEqual({ queued: 0, unsynced: 0 });
  return report;
}

async function verifySubscription(
  brokerSide: BrokerSide,
  lane: Lane,
  sub: Lane["subscriptions"][number],
  rules: ModelRules,
  signals: readonly ModelSignal[],
  signalIds: readonly (string | null)[],
  report: RunReport,
): Promise<void> {
  const queue = queueOf(sub.id);
  const broker = await brokerSide.snapshot(sub.connectionId);
  const atBroker = new Map<string, (typeof broker.orders)[number]>();
  for (const o of broker.orders) {
    // (2) a client order id names one order at the broker.
    expect(o.clientOrderId, `an order without our id at ${sub.connectionId}`).not.toBeNull();
    expect(atBroker.has(o.clientOrderId!), `duplicate client order id ${o.clientOrderId}`).toBe(false);
    atBroker.set(o.clientOrderId!, o);
  }
  const expectedIds = new Set<string>();
  let account: ModelAccount = ZERO_ACCOUNT("100000");

  for (const [i, s] of signals.entries()) {
    const signalId = signalIds[i];
    if (signalId === null || signalId === undefined) {
      if (sub === lane.subscriptions[0]) report.unavailable++;
      continue;
    }
    const where = `sub ${sub.id} signal #${i} ${JSON.stringify(s)}`;
    const trade = await queue.getTrade(signalId);
    const { expect: expected, after } = step(account, s, rules);
    if (!trade) {
      // The queue could not be reached at all (both enqueue attempts failed): the D1 trade must say so.
      const row = await env.DB.prepare(`SELECT status, message_code FROM trades WHERE signal_id = ? AND subscription_id = ?`)
        .bind(signalId, sub.id)
        .first<{ status: string; message_code: string | null }>();
      expect(row, where).toMatchObject({ status: "failed", message_code: "queue-unavailable" });
      report.unqueued++;
      continue;
    }
    report.trades++;
    report.statuses[trade.status] = (report.statuses[trade.status] ?? 0) + 1;
    // (1) terminal.
    expect(isTerminalTradeStatus(trade.status), `${where}: ${trade.status}`).toBe(true);
    expect(expected.kind, where).not.toBe("invalid");
    const legs: Leg[] = expected.kind === "trade" ? expected.legs : [];
    const ids = await Promise.all(legs.map((l) => clientOrderIdFor(signalId, sub.id, l.leg)));
    const present = ids.map((id) => atBroker.has(id));

    if (trade.status === "failed") {
      // Gave up (retry budget, outcome never established). Only a prefix of the legs may exist.
      const sentCount = present.filter(Boolean).length;
      expect(present.slice(0, sentCount).every(Boolean), `${where}: legs sent out of order ${JSON.stringify(present)}`).toBe(true);
      report.failedTrades.push({ code: trade.messageCode, legsSent: sentCount });
      account = applyLegs(account, legs.slice(0, sentCount), s.price);
      for (const id of ids.slice(0, sentCount)) expectedIds.add(id);
      continue;
    }
    if (expected.kind === "rejected") {
      expect(trade.status, `${where}: ${trade.messageCode} ${trade.message}`).toBe("rejected");
      expect(present.some(Boolean), where).toBe(false);
    } else if (expected.kind === "trade") {
      expect(trade.status, `${where}: ${trade.messageCode} ${trade.message}`).toBe(expected.status);
      const sentCount = expected.refusedAt ?? legs.length;
      for (const [k, leg] of legs.entries()) {
        const o = atBroker.get(ids[k]!);
        if (k < sentCount) {
          expect(o && { side: o.side, quantity: new Big(o.quantity).toFixed(), status: o.status }, `${where}: leg ${leg.leg} at the broker`).toEqual({
            side: leg.side,
            quantity: leg.quantity.toFixed(),
            status: "filled",
          });
          expectedIds.add(ids[k]!);
        } else {
          expect(o, `${where}: leg ${leg.leg} should not be at the broker`).toBeUndefined();
        }
      }
    }
    account = after;
  }

  // (2) exactly the expected orders.
  expect([...atBroker.keys()].sort(), `orders at ${sub.connectionId}`).toEqual([...expectedIds].sort());
  report.ordersAtBroker += atBroker.size;
  // (3) position and cash equal the replay.
  const position = new Big(broker.positions.get(lane.ticker) ?? "0");
  expect(position.toFixed(), `position of ${sub.id}`).toBe(account.position.toFixed());
  expect(new Big(broker.cash).toFixed(), `cash of ${sub.id}`).toBe(account.cash.toFixed());
}

function applyLegs(account: ModelAccount, legs: readonly Leg[], price: string): ModelAccount {
  let { position, cash } = account;
  for (const leg of legs) {
    const delta = leg.side === "buy" ? leg.quantity : leg.quantity.neg();
    position = position.plus(delta);
    cash = cash.minus(delta.times(price));
  }
  return { position, cash };
}
