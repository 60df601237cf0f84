/**
 * The fault run again, while Durable Objects are evicted and aborted at
 * random points: queues mid-trade, paper ledgers mid-request, and twice
 * every object at once. The queue's SQLite plus its alarm must resume the
 * work, and client order ids plus reconciliation must keep it to one order
 * per leg. Same invariants as ./broker-faults.test.ts.
 */
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { faultRun, PROFILE } from "./run";
import { FULL, queueOf } from "./support";

describe("fault run with restarts", () => {
  it("evicting queues and ledgers at random points, and aborting every object twice, loses, duplicates and reorders nothing", { timeout: 300_000 }, async () => {
    let evictions = 0;
    let aborts = 0;
    const abortAt = new Set<number>();
    const report = await faultRun({
      seed: 66,
      lanes: 10,
      signalsPerLane: FULL ? 100 : 50,
      profile: PROFILE,
      settleTimeoutMs: 240_000,
      allowUnavailable: true,
      disrupt: async ({ lane, sent, total, random }) => {
        if (abortAt.size === 0) {
          abortAt.add(Math.floor(total / 3));
          abortAt.add(Math.floor((2 * total) / 3));
        }
        if (abortAt.delete(sent)) {
          aborts++;
          // Kills in-flight work in every object, including other lanes' webhook enqueues.
          await abortAllDurableObjects().catch(() => undefined);
          return;
        }
        if (!random.chance(0.06)) return;
        const sub = random.pick(lane.subscriptions);
        evictions++;
        const target = random.chance(0.6) ? queueOf(sub.id) : env.PAPER_LEDGER.getByName(sub.connectionId);
        await evictDurableObject(target).catch(() => undefined);
      },
    });
    console.log("restart run", JSON.stringify({ ...report, evictions, aborts, failedTrades: report.failedTrades }));
    expect(aborts).toBe(2);
    expect(evictions).toBeGreaterThan(10);
    expect(report.trades + report.unqueued + report.unavailable * 2).toBe(report.signals * 2);
    // Give-ups and unqueued signals are reported above, not bounded: how many there are depends on where
    // the aborts landed. Each is checked exactly by the run (a prefix of legs at most; a visible failed trade).
    expect(report.statuses.filled ?? 0, "trades that placed and filled orders").toBeGreaterThan(0);
  });
});
