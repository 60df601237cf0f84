/**
 * Replay: an alert sequence sent once, then the very same sequence again
 * (same bodies, same `alertId`s; one after another, or all at once), creates
 * no new orders. Every repeat is answered 200 with `duplicate: true` and the
 * original's id, and the broker's orders, position and cash do not move.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ledgerSnapshot } from "../helpers/brokers";
import { createLane, fuzzRuns, rng, settleQueues, signupToken } from "../faults/support";
import { mixedSignal, webhookBody } from "../faults/run";
import { sendAlert } from "../helpers/trader";

describe("replay with alertIds", () => {
  let token = "";
  beforeAll(async () => {
    token = await signupToken();
  });

  it("the same alert sequence replayed creates no new orders", { timeout: 300_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 10 }), fc.boolean(), async (seed, n, concurrent) => {
        run++;
        const lane = await createLane(token, "SPY", [{ allowAddToPosition: true }, { allowSideSwap: false, quantity: 2 }]);
        const random = rng(seed);
        const bodies = Array.from({ length: n }, (_, i) => ({ ...webhookBody(lane.ticker, mixedSignal(random)), alertId: `run${run}-alert${i}` }));
        const first: string[] = [];
        for (const b of bodies) {
          const r = await sendAlert(lane.webhookUrl, b);
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body.duplicate).toBeUndefined();
          first.push(r.body.id!);
        }
        const subs = lane.subscriptions.map((s) => s.id);
        await settleQueues(subs, 60_000);
        const before = await Promise.all(lane.subscriptions.map((s) => ledgerSnapshot(s.connectionId)));

        const replies = concurrent
          ? await Promise.all(bodies.map((b) => sendAlert(lane.webhookUrl, b)))
          : await bodies.reduce<Promise<Awaited<ReturnType<typeof sendAlert>>[]>>(async (acc, b) => [...(await acc), await sendAlert(lane.webhookUrl, b)], Promise.resolve([]));
        for (const [i, r] of replies.entries()) {
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body, `repeat of alert ${i}`).toMatchObject({ success: true, duplicate: true, id: first[i] });
        }
        await settleQueues(subs, 60_000);
        const after = await Promise.all(lane.subscriptions.map((s) => ledgerSnapshot(s.connectionId)));
        expect(after).toEqual(before);
      }),
      { numRuns: fuzzRuns(4), seed: 6_6_2026 },
    );
  });
});
