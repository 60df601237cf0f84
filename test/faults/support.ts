/**
 * Shared fixtures for the fault suites: a seeded random source, fault
 * profiles written onto connections, lanes of subscriptions on a broker
 * (../helpers/brokers.ts reads what the broker holds), and a settle loop that
 * waits until every queue is idle.
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import type { FaultProfileInput } from "../../worker/connections/fault-injection";
import type { SubscriptionQueue } from "../../worker/execution/subscription-queue";
import { api, expectStatus, signup, uniqueEmail } from "../helpers/api";
import { paperBroker, type BrokerSide } from "../helpers/brokers";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
export function rng(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/**
 * Puts a fault profile on a connection. The API validates settings with the
 * plugin's schema, which drops keys it does not know (the paper schema strips
 * `faults`), so the fixture writes the row directly, before the first signal:
 * each queue reads its copy of the connection's settings from D1 on its first
 * signal, exactly as for a profile set by an operator.
 */
export async function setConnectionFaults(connectionId: string, profile: FaultProfileInput | null): Promise<void> {
  const stmt =
    profile === null
      ? env.DB.prepare(`UPDATE connections SET settings = json_remove(settings, '$.faults') WHERE id = ?`).bind(connectionId)
      : env.DB.prepare(`UPDATE connections SET settings = json_set(settings, '$.faults', json(?)) WHERE id = ?`).bind(JSON.stringify(profile), connectionId);
  const res = await stmt.run();
  expect(res.meta.changes).toBe(1);
}

type Queue = DurableObjectStub<SubscriptionQueue>;

export function queueOf(subscriptionId: string): Queue {
  return env.SUBSCRIPTION_QUEUE.getByName(subscriptionId);
}

/**
 * Waits until every queue has nothing queued and nothing left to copy to D1.
 * A queue that makes no progress for `nudgeAfterMs` gets its alarm run now:
 * that is the recovery path a real deployment takes when the alarm fires
 * (15 s after a stall), only without the wait.
 */
export async function settleQueues(subscriptionIds: readonly string[], timeoutMs: number, nudgeAfterMs = 1_000): Promise<{ nudges: number }> {
  const deadline = Date.now() + timeoutMs;
  const last = new Map<string, { key: string; since: number }>();
  let nudges = 0;
  for (;;) {
    const work = await Promise.all(
      subscriptionIds.map(async (id) => ({ id, w: await queueOf(id).pendingWork().catch(() => ({ queued: -1, unsynced: -1 })) })),
    );
    const busy = work.filter(({ w }) => w.queued !== 0 || w.unsynced !== 0);
    if (busy.length === 0) return { nudges };
    if (Date.now() > deadline) throw new Error(`queues still busy after ${timeoutMs} ms: ${JSON.stringify(busy.slice(0, 5))}`);
    const now = Date.now();
    await Promise.all(
      busy.map(async ({ id, w }) => {
        const key = `${w.queued}/${w.unsynced}`;
        const prev = last.get(id);
        if (!prev || prev.key !== key) {
          last.set(id, { key, since: now });
          return;
        }
        if (now - prev.since < nudgeAfterMs) return;
        last.set(id, { key, since: now });
        nudges++;
        // The alarm may be absent right after an abort; a no-op RPC restarts the object, whose constructor resumes work.
        await runDurableObjectAlarm(queueOf(id)).catch(() => false);
      }),
    );
    await sleep(100);
  }
}

/** One user's broker connection + strategy + subscriptions, created through the API. */
export interface Lane {
  strategyId: string;
  webhookUrl: string;
  ticker: string;
  subscriptions: { id: string; connectionId: string; settings: Record<string, unknown> }[];
}

export async function signupToken(): Promise<string> {
  return (await signup(uniqueEmail("faults"))).token;
}

/** A strategy with one subscription per settings object, each on its own connection (its own account at `broker`). */
export async function createLane(
  token: string,
  ticker: string,
  subscriptionSettings: readonly Record<string, unknown>[],
  broker: BrokerSide = paperBroker,
): Promise<Lane> {
  const strategy = await api<{ id: string; webhookUrl: string }>("POST", "/api/strategies", { token, json: { name: `Lane ${ticker}`, assetClass: "stocks" } });
  expectStatus(strategy, 201);
  const subscriptions: Lane["subscriptions"] = [];
  for (const settings of subscriptionSettings) {
    const connectionId = await broker.connect(token, ticker);
    const sub = await api<{ id: string }>("POST", "/api/subscriptions", { token, json: { strategyId: strategy.body.id, connectionId, settings } });
    expectStatus(sub, 201);
    subscriptions.push({ id: sub.body.id, connectionId, settings });
  }
  return { strategyId: strategy.body.id, webhookUrl: strategy.body.webhookUrl, ticker, subscriptions };
}

/** A string binding set in vitest.config.ts from the host environment (BENCH_FULL, FUZZ_RUNS). */
export function knob(name: "BENCH_FULL" | "FUZZ_RUNS"): string {
  const value: unknown = Reflect.get(env, name);
  return typeof value === "string" ? value : "";
}

/** True for long local runs (`BENCH_FULL=1 npm test`). */
export const FULL = knob("BENCH_FULL") === "1";

/** fast-check runs: FUZZ_RUNS when set, else the CI default. */
export function fuzzRuns(ciDefault: number): number {
  const n = Number(knob("FUZZ_RUNS"));
  return Number.isInteger(n) && n > 0 ? n : FULL ? ciDefault * 10 : ciDefault;
}
