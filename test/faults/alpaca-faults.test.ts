/**
 * The fault run against an external broker: every subscription trades on
 * its own account at the Alpaca fake, through the real Alpaca plugin (its
 * signing headers, error table, order mapping and getOrder reconciliation),
 * under the same injected faults as the paper run (500s, 429s, lost replies,
 * late deliveries, resets). The invariants of ./run.ts are checked on the
 * broker's side: Alpaca's own orders, positions and cash for each account.
 */
import { afterAll, describe, expect, it } from "vitest";
import { injectedFaults, type FaultKind } from "../../worker/connections/fault-injection";
import { alpacaUnderTest } from "../helpers/alpaca";
import { faultRun, PROFILE } from "./run";
import { FULL } from "./support";

const alpaca = alpacaUnderTest("100");
afterAll(() => alpaca.restore());

describe("fault run through the Alpaca plugin", () => {
  it("mixed signals across 12 Alpaca accounts under broker faults keep every invariant at the broker", { timeout: 240_000 }, async () => {
    const before = injectedFaults();
    const report = await faultRun({
      seed: 17,
      lanes: 6,
      signalsPerLane: FULL ? 100 : 30,
      profile: PROFILE,
      settleTimeoutMs: 180_000,
      broker: alpaca.broker,
    });
    const after = injectedFaults();
    const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as FaultKind]]));
    // Reported, not asserted: how many trades gave up depends on where the faults fell.
    console.log("alpaca fault run", JSON.stringify({ ...report, failedTrades: report.failedTrades.length, injected: delta }));
    // The faults really happened, of every kind, and every signal reached each of its two subscriptions.
    for (const kind of Object.keys(delta)) expect(delta[kind], kind).toBeGreaterThan(0);
    expect(report.trades).toBe(report.signals * 2);
    expect(report.ordersAtBroker, "orders really reached Alpaca's book").toBeGreaterThan(0);
  });
});
