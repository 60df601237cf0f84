/**
 * The conformance suite runner. Registers vitest `describe`/`it` blocks for
 * every layer; call it at the top level of a plugin's test file.
 *
 * Skips are never quiet: each one is a visible `it.skip` titled
 * `SKIPPED (reason)`, and the list is printed as a banner on every run.
 *
 * @module
 */
import { afterAll, describe, expect, it } from "vitest";
import { getPlugin } from "../index";
import { BrokerError, secretValues, type OrderRequest, type OrderType } from "../sdk";
import { contractProblems } from "./contract-layer";
import { scriptedClient, type TestConnection } from "./harness";
import { expectOneOrderPerPlacedId, SCENARIOS, type Scenario } from "./scenarios";
import { createScenarioEnv } from "./scenario-env";
import { runRequestCase, runResponseCase } from "./static-layers";
import type { ConformanceOptions, ScenarioId, SkipList } from "./types";

/** Why a check does not run, or null when it runs. */
export interface Decision {
  id: ScenarioId;
  reason: string | null;
  /** `capability`: ruled out by the plugin's own data; `listed`: the plugin's skip list. */
  source: "capability" | "listed" | null;
}

function decide(options: ConformanceOptions, scenario: Scenario): Decision {
  const listed = options.skip?.[scenario.id];
  if (listed !== undefined) return { id: scenario.id, reason: listed, source: "listed" };
  const features = options.plugin.capabilities.orders[options.instrument.assetClass];
  const gated = features ? scenario.gate(options.plugin, features, options) : `capabilities: no ${options.instrument.assetClass}`;
  return { id: scenario.id, reason: gated, source: gated === null ? null : "capability" };
}

/**
 * Every skip a run of `options` produces, in check order: checks the
 * capabilities rule out and checks the plugin lists in `skip`. Pure, so the
 * kit's own tests can show that a dropped capability changes it.
 */
export function plannedSkips(options: ConformanceOptions): Decision[] {
  const out: Decision[] = [];
  const listed = (id: ScenarioId, applies: boolean) => {
    const reason = options.skip?.[id];
    if (applies && reason !== undefined) out.push({ id, reason, source: "listed" });
  };
  listed("transport-errors", true);
  listed("static-requests", options.requests.length === 0);
  listed("static-responses", options.responses.length === 0);
  for (const scenario of SCENARIOS) {
    const d = decide(options, scenario);
    if (d.reason !== null) out.push(d);
  }
  return out;
}

/**
 * How a run's skips differ from `expectedSkips`, by id and reason, both
 * ways: `unexpected` skips the list does not name (or names with another
 * reason), and `missing` ones it names that no longer happen.
 */
export function skipDifferences(options: ConformanceOptions): { unexpected: [string, string][]; missing: [string, string][] } {
  const actual = skipPairs(Object.fromEntries(plannedSkips(options).map((d) => [d.id, d.reason ?? ""])));
  const expected = skipPairs(options.expectedSkips);
  const key = ([id, reason]: [string, string]) => `${id}\u0000${reason}`;
  const actualKeys = new Set(actual.map(key));
  const expectedKeys = new Set(expected.map(key));
  return { unexpected: actual.filter((p) => !expectedKeys.has(key(p))), missing: expected.filter((p) => !actualKeys.has(key(p))) };
}

/** Prints every skip of the run, loudly, once per plugin. */
function printSkips(pluginId: string, skips: Decision[]): void {
  if (skips.length === 0) return;
  const width = Math.max(...skips.map((s) => s.id.length));
  const lines = skips.map((s) => `  ${s.source === "listed" ? "SKIP (listed)    " : "SKIP (capability)"}  ${s.id.padEnd(width)}  ${s.reason ?? ""}`);
  const todo = skips.filter((s) => /^\s*todo\b/i.test(s.reason ?? "")).length;
  const bar = "!".repeat(78);
  const unfinished = todo > 0 ? `\n!! ${todo} of them are TODO: this plugin is NOT finished and cannot be installed` : "";
  console.warn(`\n${bar}\n!! conformance: ${pluginId}: ${skips.length} check(s) SKIPPED${unfinished}\n${lines.join("\n")}\n${bar}\n`);
}

/** A skip list as sorted `[id, reason]` pairs, for an exact comparison and a readable diff. */
function skipPairs(list: SkipList): [string, string][] {
  return Object.entries(list)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The skips a run produced, written as the `expectedSkips` literal to paste. */
function skipLiteral(skips: readonly Decision[]): string {
  const lines = skips.map((d) => `    ${JSON.stringify(d.id)}: ${JSON.stringify(d.reason ?? "")},`);
  return `expectedSkips: {\n${lines.join("\n")}\n  },`;
}

function staticConnection(options: ConformanceOptions): TestConnection {
  return {
    plugin: options.plugin,
    credentials: options.credentials,
    ...(options.settings && { settings: options.settings }),
    ...(options.environment && { environment: options.environment }),
    ...(options.baseUrl && { baseUrl: options.baseUrl }),
    ...(options.now && { now: () => new Date(options.now!.getTime()) }),
    ...(options.authMethod && { authMethod: options.authMethod }),
    ...(options.tokens && { tokens: options.tokens }),
  };
}

/** A sample order the broker can take, for the transport checks. */
function sampleIntent(options: ConformanceOptions): OrderRequest {
  const f = options.plugin.capabilities.orders[options.instrument.assetClass];
  const type: OrderType = f?.orderTypes.includes("market") ? "market" : "limit";
  return {
    clientOrderId: "tl0123456789abcdef0123456789abcdef",
    ticker: options.instrument.ticker,
    assetClass: options.instrument.assetClass,
    side: "buy",
    quantity: options.instrument.quantity ?? "1",
    type,
    timeInForce: f?.timeInForce.includes("gtc") ? "gtc" : (f?.timeInForce[0] ?? "day"),
    ...(type === "limit" && { limitPrice: options.instrument.price ?? "100" }),
  };
}

/** Registers the whole conformance suite for one plugin. */
export function runConformanceSuite(options: ConformanceOptions): void {
  const id = options.plugin.manifest.id;
  const connection = staticConnection(options);
  const skips: Decision[] = [];

  describe(`conformance: ${id} (${options.instrument.assetClass})`, () => {
    describe("layer 0: contract", () => {
      it("manifest, capabilities, credentials form and method map agree", () => {
        expect(contractProblems(options.plugin, connection)).toEqual([]);
      });

      // Skips are pinned, both ways: a capability that disappears (a dozen scenarios silently
      // turning into skips) and a skip that no longer happens both fail here.
      it("skips exactly the expected checks, by id and reason", () => {
        const planned = plannedSkips(options);
        expect(skipDifferences(options), `this run's skips differ from expectedSkips; if the change is intended, paste:\n  ${skipLiteral(planned)}\n`).toEqual({
          unexpected: [],
          missing: [],
        });
        // The registered skips are the planned ones (the runner and the pin agree).
        expect(skips.map((d) => d.id)).toEqual(planned.map((d) => d.id));
      });

      // A plugin in the registry is offered to traders: it may skip what its broker cannot do, never what is unfinished.
      if (getPlugin(id) === options.plugin) {
        it("an installed plugin has no TODO skips", () => {
          const todo = Object.entries(options.skip ?? {}).filter(([, reason]) => /^\s*todo\b/i.test(reason ?? ""));
          expect(todo.map(([check]) => check), "finish these (or give the broker's real limitation as the reason)").toEqual([]);
        });
      }

      const transportSkip = options.skip?.["transport-errors"];
      if (transportSkip !== undefined) {
        skips.push({ id: "transport-errors", reason: transportSkip, source: "listed" });
        it.skip(`transport-errors: SKIPPED (${transportSkip})`, () => {});
      } else {
        it("a transport failure is outcome-unknown for placeOrder and retryable for reads", async () => {
          const reset = new TypeError("network connection lost");
          const place = scriptedClient(connection, [...(options.placeOrderPrelude ?? []), reset]);
          const e1 = await place.client.placeOrder(options.accountId, sampleIntent(options)).catch((e: unknown) => e);
          expect(e1 instanceof BrokerError ? e1.kind : e1, "placeOrder with no answer").toBe("outcome-unknown");
          const read = scriptedClient(connection, [reset]);
          const e2 = await read.client.getOpenOrders(options.accountId).catch((e: unknown) => e);
          expect(e2 instanceof BrokerError ? e2.kind : e2, "getOpenOrders with no answer").toBe("retryable");
        });

        it("a 5xx on placeOrder is never read as 'nothing happened'", async () => {
          const { client } = scriptedClient(connection, [...(options.placeOrderPrelude ?? []), { status: 503, body: {} }]);
          const e = await client.placeOrder(options.accountId, sampleIntent(options)).catch((err: unknown) => err);
          expect(e instanceof BrokerError ? e.kind : e, "placeOrder answered 503").toBe("outcome-unknown");
        });
      }
    });

    describe("layer 1: static requests", () => {
      if (options.requests.length === 0) {
        const reason = options.skip?.["static-requests"];
        if (reason === undefined) it("has cases (or a 'static-requests' skip reason)", () => expect.fail("no static request cases and no skip reason"));
        else {
          skips.push({ id: "static-requests", reason, source: "listed" });
          it.skip(`SKIPPED (${reason})`, () => {});
        }
      }
      for (const c of options.requests) it(c.name, () => runRequestCase(connection, options.accountId, c));
      for (const v of options.signingVectors ?? []) {
        it(`signing vector: ${v.name}`, async () => expect(await v.compute()).toBe(v.expected));
      }
    });

    describe("layer 2: static responses", () => {
      if (options.responses.length === 0) {
        const reason = options.skip?.["static-responses"];
        if (reason === undefined) it("has cases (or a 'static-responses' skip reason)", () => expect.fail("no static response cases and no skip reason"));
        else {
          skips.push({ id: "static-responses", reason, source: "listed" });
          it.skip(`SKIPPED (${reason})`, () => {});
        }
      }
      for (const c of options.responses) it(c.name, () => runResponseCase(connection, options.accountId, c));
    });

    describe("layer 3: scenarios against the fake broker", () => {
      for (const scenario of SCENARIOS) {
        const d = decide(options, scenario);
        if (d.reason !== null) {
          skips.push(d);
          it.skip(`${scenario.id}: SKIPPED (${d.reason})`, () => {});
          continue;
        }
        it(`${scenario.id}: ${scenario.title}`, async () => {
          const env = await createScenarioEnv(options);
          const missing = scenario.needs?.(env.fake);
          if (missing) expect.fail(`${missing}: implement it, or add "${scenario.id}" to skip with a reason`);
          await scenario.run(env, options);
          await expectOneOrderPerPlacedId(env);
          // Whatever the plugin logged, no credential may appear in it.
          const logged = JSON.stringify(env.logs);
          for (const secret of secretValues(options.credentials)) expect(logged.includes(secret), "a credential value reached the log").toBe(false);
        });
      }
    });

    // Printed after the run as well as listed as skipped tests, so no one misses them.
    afterAll(() => printSkips(id, skips));
  });
}
