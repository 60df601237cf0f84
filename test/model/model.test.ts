/**
 * Model-based test: random command sequences (buy, sell, exit, add, reverse,
 * cancel, with random sentiments, quantity types, quantities and prices) run
 * against the real Worker and a real paper ledger. After every command the
 * webhook's answer, the trade's outcome, and the broker's position and cash
 * must equal the model's (test/model/position-model.ts, written from the
 * documented rules, not from decide.ts).
 *
 * CI runs a few sequences; `FUZZ_RUNS=200 npx vitest run test/model` runs more.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Big } from "../../plugins/sdk";
import { ledgerSnapshot } from "../helpers/brokers";
import { createLane, fuzzRuns, queueOf, signupToken, type Lane } from "../faults/support";
import { sendAlert } from "../helpers/trader";
import { step, ZERO_ACCOUNT, type ModelAccount, type ModelRules, type ModelSignal } from "./position-model";

const TICKER = "SPY";
/** Counted so the log shows the test did real work. */
const stats = { commands: 0, outcomes: {} as Record<string, number> };

interface Model {
  account: ModelAccount;
  rules: ModelRules;
  log: string[];
}

interface Real {
  lane: Lane;
}

/** Awaits the trade of a signal leaving queued/executing (the `?wait=` reply usually has it already). */
async function terminalTrade(subscriptionId: string, signalId: string) {
  let trade: Awaited<ReturnType<ReturnType<typeof queueOf>["getTrade"]>> = null;
  await expect
    .poll(
      async () => {
        trade = await queueOf(subscriptionId).getTrade(signalId);
        return trade !== null && trade.status !== "queued" && trade.status !== "executing";
      },
      { timeout: 30_000, interval: 25 },
    )
    .toBe(true);
  return trade!;
}

class SignalCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly signal: ModelSignal) {}

  check(): boolean {
    return true;
  }

  async run(model: Model, real: Real): Promise<void> {
    stats.commands++;
    const { expect: expected, after } = step(model.account, this.signal, model.rules);
    const outcome = expected.kind === "trade" ? expected.status : expected.kind;
    stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
    model.log.push(`${JSON.stringify(this.signal)} → ${expected.kind}${expected.kind === "trade" ? ` ${expected.status}` : ""}`);
    const where = model.log.join("\n  ");
    const sub = real.lane.subscriptions[0]!;
    const reply = await sendAlert(real.lane.webhookUrl, { ticker: TICKER, ...this.signal }, { query: "?wait=2500" });
    if (expected.kind === "invalid") {
      expect(reply.status, where).toBe(400);
      expect(reply.body.messageCode, where).toBe(expected.messageCode);
      return;
    }
    expect(reply.status, `${where}\n${JSON.stringify(reply.body)}`).toBe(200);
    const trade = await terminalTrade(sub.id, reply.body.id!);
    const got = `${trade.status} ${trade.messageCode ?? ""}: ${trade.message ?? ""}`;
    if (expected.kind === "rejected") {
      expect(trade.status, `${where}\n  got ${got}`).toBe("rejected");
    } else {
      expect(trade.status, `${where}\n  got ${got}`).toBe(expected.status);
      const sent = expected.refusedAt ?? expected.legs.length;
      const placed = trade.orders.filter((o) => o.role === "entry" || o.role === "exit");
      expect(
        placed.filter((o) => o.status === "filled").map((o) => `${o.side} ${new Big(o.quantity).toFixed()}`),
        `${where}\n  got ${got}`,
      ).toEqual(expected.legs.slice(0, sent).map((l) => `${l.side} ${l.quantity.toFixed()}`));
    }
    model.account = after;
    const broker = await ledgerSnapshot(sub.connectionId);
    expect(new Big(broker.positions.get(TICKER) ?? "0").toFixed(), `position after\n  ${where}`).toBe(after.position.toFixed());
    expect(new Big(broker.cash).toFixed(), `cash after\n  ${where}`).toBe(after.cash.toFixed());
  }

  toString(): string {
    return JSON.stringify(this.signal);
  }
}

const price = fc.integer({ min: 5_000, max: 15_000 }).map((cents) => (cents / 100).toFixed(2));

/** A quantity and its type, with values that make sense for the type (and some that round to nothing). */
const sizing: fc.Arbitrary<Pick<ModelSignal, "quantity" | "quantityType">> = fc.oneof(
  fc.constant({}),
  fc.record({ quantity: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(0.5, 2.5)) }),
  fc.record({ quantity: fc.integer({ min: 1, max: 8 }), quantityType: fc.constant("fixed_quantity" as const) }),
  fc.record({ quantity: fc.integer({ min: 20, max: 3_000 }), quantityType: fc.constant("dollar_amount" as const) }),
  fc.record({ quantity: fc.constantFrom(0.05, 0.5, 1, 2.5, 5), quantityType: fc.constant("percent_of_equity" as const) }),
  fc.record({ quantity: fc.constantFrom(10, 25, 50, 75, 100, 150), quantityType: fc.constant("percent_of_position" as const) }),
);

const signalArb: fc.Arbitrary<ModelSignal> = fc
  .record({
    action: fc.oneof(
      { arbitrary: fc.constantFrom("buy", "sell"), weight: 5 },
      { arbitrary: fc.constantFrom("exit", "add", "reverse", "cancel"), weight: 4 },
    ),
    sentiment: fc.option(fc.constantFrom("bullish", "bearish", "flat"), { freq: 2, nil: undefined }),
    sizing,
    price,
    // One signal in ten keeps an invalid combination (sentiment on exit, a sizing type on cancel...): a 400 is the expectation.
    keepInvalid: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  })
  .map(({ action, sentiment, sizing: q, price: p, keepInvalid }) => {
    const s: ModelSignal = { action, price: p, ...q };
    if (sentiment && (keepInvalid || action === "buy" || action === "sell")) s.sentiment = sentiment;
    if (!keepInvalid && s.quantityType && s.quantityType !== "fixed_quantity" && (action === "cancel" || (s.quantityType === "percent_of_position" && (action === "add" || action === "reverse")))) {
      delete s.quantityType;
    }
    return s;
  });

const rulesArb: fc.Arbitrary<ModelRules> = fc.record({
  allowAddToPosition: fc.boolean(),
  allowSideSwap: fc.boolean(),
  quantity: fc.integer({ min: 1, max: 3 }),
});

describe("model-based: subscription semantics on the paper broker", () => {
  let token = "";
  beforeAll(async () => {
    token = await signupToken();
  });

  it("after every command, position and cash at the broker equal the model's", { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(rulesArb, fc.commands([signalArb.map((s) => new SignalCommand(s))], { maxCommands: 14 }), async (rules, cmds) => {
        const lane = await createLane(token, TICKER, [{ ...rules }]);
        const model: Model = { account: ZERO_ACCOUNT("100000"), rules, log: [`rules ${JSON.stringify(rules)}`] };
        await fc.asyncModelRun(() => ({ model, real: { lane } }), cmds);
      }),
      { numRuns: fuzzRuns(10), seed: 20_261_122, endOnFailure: true },
    );
    console.log("model run", JSON.stringify(stats));
    expect(stats.commands).toBeGreaterThan(20);
  });
});
