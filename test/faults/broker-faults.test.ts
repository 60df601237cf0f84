/**
 * Proof under broker faults: 500 mixed signals across 20 subscriptions while
 * the broker answers 500s, 429s with Retry-After, loses replies after
 * applying orders, answers after the client's timeout and resets
 * connections. The invariants are listed in ./run.ts.
 */
import { describe, expect, it } from "vitest";
import { injectedFaults, type FaultKind } from "../../worker/connections/fault-injection";
import { faultRun, PROFILE } from "./run";
import { FULL } from "./support";

describe("fault run", () => {
  it(`500 mixed signals across 20 subscriptions under broker faults keep every invariant`, { timeout: 240_000 }, async () => {
    const before = injectedFaults();
    const report = await faultRun({
      seed: 6,
      lanes: 10,
      signalsPerLane: FULL ? 100 : 50,
      profile: PROFILE,
      settleTimeoutMs: 180_000,
    });
    const after = injectedFaults();
    const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as FaultKind]]));
    console.log("fault run", JSON.stringify({ ...report, failedTrades: report.failedTrades.length, injected: delta }));
    // The faults really happened, of every kind.
    for (const kind of Object.keys(delta)) expect(delta[kind], kind).toBeGreaterThan(0);
    expect(report.trades).toBe(report.signals * 2);
    // Giving up is allowed (and checked) but must stay rare at this fault rate.
    expect(report.failedTrades.length).toBeLessThanOrEqual(report.trades * 0.02);
  });
});
