/**
 * The kit has teeth: plugins with classic bugs fail the checks that should
 * catch them. Each saboteur is the paper plugin with one thing broken.
 */
import { describe, expect, it } from "vitest";
import { BrokerError, definePlugin, type BrokerClient, type MandatoryMethods } from "../sdk";
import { PaperLedgerFake } from "../paper/fake";
import { paperPlugin } from "../paper";
import { STATIC_BASE } from "../paper/cases";
import { tradestationPlugin } from "../tradestation";
import { TradestationFake } from "../tradestation/fake";
import { contractProblems } from "./contract-layer";
import { CHECK_IDS } from "./check-ids";
import { expectOneOrderPerPlacedId, SCENARIOS } from "./scenarios";
import { createScenarioEnv } from "./scenario-env";
import { plannedSkips, skipDifferences } from "./suite";
import { runRequestCase, runResponseCase } from "./static-layers";
import type { ConformanceOptions, FakeBroker, ScenarioId, SkipList } from "./types";

/** The paper plugin with some of its client's methods replaced by `sabotage`. */
function saboteur(sabotage: (client: BrokerClient) => Partial<MandatoryMethods>) {
  return definePlugin({
    manifest: paperPlugin.manifest,
    capabilities: paperPlugin.capabilities,
    symbol: paperPlugin.symbol,
    connect: (ctx) => {
      const real = paperPlugin.connect(ctx);
      return { ...real, ...sabotage(real) };
    },
  });
}

const options = (plugin: ConformanceOptions["plugin"]): ConformanceOptions => ({
  plugin,
  credentials: {},
  accountId: "paper",
  baseUrl: STATIC_BASE,
  requests: [],
  responses: [],
  fake: () => new PaperLedgerFake(),
  instrument: { ticker: "AMD", assetClass: "stocks", price: "100", quantity: "10" },
  expectedSkips: {},
});

async function runScenario(id: ScenarioId, plugin: ConformanceOptions["plugin"], fake?: () => FakeBroker): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  const o = { ...options(plugin), ...(fake && { fake }) };
  const env = await createScenarioEnv(o);
  await scenario.run(env, o);
  // What the suite checks after every scenario.
  await expectOneOrderPerPlacedId(env);
}

/** The paper plugin with some of its capabilities replaced. */
function withFeatures(change: Partial<NonNullable<typeof paperPlugin.capabilities.orders.stocks>>) {
  return definePlugin({
    manifest: paperPlugin.manifest,
    capabilities: { ...paperPlugin.capabilities, orders: { stocks: { ...paperPlugin.capabilities.orders.stocks!, ...change } } },
    symbol: paperPlugin.symbol,
    connect: (ctx) => paperPlugin.connect(ctx) as ReturnType<typeof paperPlugin.connect>,
  });
}

describe("the kit pins its skips", () => {
  it("the scenario matrix covers exactly the check ids the scaffold lists", () => {
    expect(["transport-errors", "static-requests", "static-responses", ...SCENARIOS.map((s) => s.id)]).toEqual([...CHECK_IDS]);
  });

  const pinned = (plugin: ConformanceOptions["plugin"], expectedSkips: SkipList): ConformanceOptions => ({ ...options(plugin), expectedSkips });
  const today: SkipList = Object.fromEntries(plannedSkips(options(paperPlugin)).map((d) => [d.id, d.reason ?? ""]));

  it("a plugin that stops declaring shorting fails the pin: every short scenario turns up as an unexpected skip", () => {
    const { unexpected, missing } = skipDifferences(pinned(withFeatures({ shorting: false }), today));
    expect(missing).toEqual([]);
    expect(unexpected.map(([id]) => id).sort()).toEqual(
      ["ShortFromZero", "CloseFromShort", "LongFromShort", "ShortFromLong"].flatMap((d) => ["market", "limit", "stop"].map((t) => `${d}/${t}`)).concat("bracket-short").sort(),
    );
    expect(unexpected.every(([, reason]) => reason === "capabilities: shorting unsupported")).toBe(true);
  });

  it("a skip that no longer happens fails the pin too, and so does a changed reason", () => {
    expect(skipDifferences(pinned(paperPlugin, { ...today, "cancel": "the venue cannot cancel" })).missing).toEqual([["cancel", "the venue cannot cancel"]]);
    const reworded = { ...today, "auth-expiry": "another reason" };
    expect(skipDifferences(pinned(paperPlugin, reworded))).toEqual({
      unexpected: [["auth-expiry", "manifest: auth scheme none, nothing can expire"]],
      missing: [["auth-expiry", "another reason"]],
    });
    expect(skipDifferences(pinned(paperPlugin, today))).toEqual({ unexpected: [], missing: [] });
  });
});

describe("the kit catches broken plugins", () => {
  it("a fake that loses the client order id (the broker never got it) fails 'exactly one order per placed id'", async () => {
    const forgetful = (): FakeBroker => {
      const inner = new PaperLedgerFake();
      return {
        get baseUrl() {
          return inner.baseUrl;
        },
        fetch: (r) => inner.fetch(r),
        reset: () => inner.reset(),
        setPrice: (symbol, price) => inner.setPrice(symbol, price),
        failNext: (reply) => inner.failNext(reply),
        loseNextReply: () => inner.loseNextReply(),
        orders: async () => (await inner.orders()).map((o) => ({ ...o, clientOrderId: null })),
      };
    };
    await expect(runScenario("LongFromZero/market", paperPlugin, forgetful)).rejects.toThrow(/client order id .*: expected \+?0 to be 1/);
  });

  it("a plugin that sends a stop-limit as a plain stop fails stop-limit/fill (it fills beyond its limit)", async () => {
    const stopOnly = saboteur((c) => ({ placeOrder: (a, r) => c.placeOrder(a, r.type === "stop_limit" ? { ...r, type: "stop", limitPrice: undefined } : r) }));
    await expect(runScenario("stop-limit/fill", stopOnly)).rejects.toThrow(/stop-limit triggered with the market beyond its limit rests/);
  });

  it("a plugin that sends a trailing stop as a fixed stop fails trailing-stop/fill", async () => {
    const fixed = saboteur((c) => ({
      placeOrder: (a, r) =>
        c.placeOrder(a, r.type === "trailing_stop" ? { ...r, type: "stop", stopPrice: "97", trailPercent: undefined, trailAmount: undefined } : r),
    }));
    await expect(runScenario("trailing-stop/fill", fixed)).rejects.toThrow(/trailing stop/);
  });

  it("a plugin whose bracket exits add to the position (same side as the entry) fails bracket-entry", async () => {
    const adding = saboteur((c) => ({
      getOpenOrders: async (a) => (await c.getOpenOrders(a)).map((o) => (o.parentBrokerOrderId ? { ...o, side: "buy" as const } : o)),
    }));
    await expect(runScenario("bracket-entry", adding)).rejects.toThrow(/exit legs sell/);
  });

  // The paper ledger simulates no sessions, so this one runs on a fake that ends them (TradeStation's).
  it("a plugin that sends gtc as the broker's day duration fails time-in-force/session-close (the gtc order dies at the close)", async () => {
    const scenario = SCENARIOS.find((s) => s.id === "time-in-force/session-close")!;
    const gtcAsDay = definePlugin({
      manifest: tradestationPlugin.manifest,
      capabilities: tradestationPlugin.capabilities,
      symbol: tradestationPlugin.symbol,
      session: {},
      connect: (ctx) => {
        const real = tradestationPlugin.connect(ctx);
        return { ...real, placeOrder: (a, r) => real.placeOrder(a, r.timeInForce === "gtc" ? { ...r, timeInForce: "day" } : r) };
      },
    });
    const o: ConformanceOptions = {
      plugin: gtcAsDay,
      credentials: {},
      authMethod: "oauth",
      accountId: "11111111",
      requests: [],
      responses: [],
      fake: () => new TradestationFake(),
      instrument: { ticker: "AAPL", assetClass: "stocks" },
      venueClientOrderId: () => null,
      expectedSkips: {},
    };
    // The unsabotaged plugin passes the same scenario, so the failure below is the sabotage's.
    const honest = { ...o, plugin: tradestationPlugin };
    await scenario.run(await createScenarioEnv(honest), honest);
    await expect(scenario.run(await createScenarioEnv(o), o)).rejects.toThrow(/the gtc limit after the session's close rests/);
  });

  it("a plugin that calls a lost order reply retryable (the blind-resend bug) fails timeout-after-send", async () => {
    const blind = saboteur((c) => ({
      placeOrder: async (a, r) => {
        try {
          return await c.placeOrder(a, r);
        } catch (e) {
          if (e instanceof BrokerError && e.kind === "outcome-unknown") throw new BrokerError(e.message, { code: e.code, kind: "retryable" });
          throw e;
        }
      },
    }));
    await expect(runScenario("timeout-after-send", blind)).rejects.toThrow(/outcome-unknown/);
  });

  it("a plugin whose getOrder cannot find orders by client id fails timeout-after-send", async () => {
    const forgetful = saboteur((c) => ({ getOrder: async (a, ref) => ("clientOrderId" in ref ? null : c.getOrder(a, ref)) }));
    await expect(runScenario("timeout-after-send", forgetful)).rejects.toThrow(/getOrder for an id the broker never saw is null|the booked order is found by client order id/);
  });

  it("a plugin that reports positions unsigned fails the short scenarios", async () => {
    const unsigned = saboteur((c) => ({
      getPositions: async (a) => (await c.getPositions(a)).map((p) => ({ ...p, quantity: p.quantity.replace("-", "") })),
    }));
    await expect(runScenario("ShortFromZero/market", unsigned)).rejects.toThrow(/position/);
  });

  it("a plugin that drops fills from its order model fails the order checks", async () => {
    const lossy = saboteur((c) => ({
      getOrder: async (a, ref) => {
        const o = await c.getOrder(a, ref);
        return o && { ...o, filledQuantity: "0" };
      },
    }));
    await expect(runScenario("LongFromZero/limit", lossy)).rejects.toThrow(/order paper-\d+ is consistent/);
  });

  it("a plugin that maps a 429 to rejected fails rate-limit-then-success", async () => {
    const impatient = saboteur((c) => ({
      getBalance: async (a) => {
        try {
          return await c.getBalance(a);
        } catch (e) {
          throw e instanceof BrokerError ? new BrokerError(e.message, { code: e.code, kind: "rejected" }) : e;
        }
      },
    }));
    await expect(runScenario("rate-limit-then-success", impatient)).rejects.toThrow(/retryable/);
  });

  it("a wrong request or a wrong normalized result fails the static layers", async () => {
    const connection = { plugin: paperPlugin, credentials: {}, baseUrl: STATIC_BASE };
    await expect(
      runRequestCase(connection, "paper", {
        name: "wrong url",
        call: (c, a) => c.getPositions(a),
        expected: [{ method: "GET", url: `${STATIC_BASE}/position` }],
      }),
    ).rejects.toThrow(/wrong url: the HTTP requests sent/);
    await expect(
      runResponseCase(connection, "paper", {
        name: "wrong kind",
        replies: [{ status: 503, body: {} }],
        call: (c, a) => c.getPositions(a),
        expected: { error: { kind: "outcome-unknown", code: "broker-unavailable" } },
      }),
    ).rejects.toThrow(/retryable/);
  });

  it("static request checks mask only the listed volatile keys", async () => {
    const connection = { plugin: paperPlugin, credentials: {}, baseUrl: STATIC_BASE };
    await runRequestCase(connection, "paper", {
      name: "skipKeys",
      call: (c, a) => c.observePrice?.(a, "AMD", "150") ?? Promise.resolve(),
      expected: [{ method: "POST", url: `${STATIC_BASE}/prices`, body: { symbol: "AMD", price: "anything" } }],
      skipKeys: ["price"],
    });
  });

  it("inconsistent capabilities are contract problems", () => {
    const liar = definePlugin({
      manifest: { ...paperPlugin.manifest, providesQuotes: true, assetClasses: ["stocks", "crypto"] },
      capabilities: {
        ...paperPlugin.capabilities,
        orders: { stocks: { ...paperPlugin.capabilities.orders.stocks!, clientOrderId: { maxLength: 20, pattern: /^[a-z]+$/ } } },
      },
      symbol: paperPlugin.symbol,
      connect: (ctx) => paperPlugin.connect(ctx) as ReturnType<typeof paperPlugin.connect>,
    });
    const problems = contractProblems(liar, { plugin: liar, credentials: {}, baseUrl: STATIC_BASE });
    expect(problems).toEqual(
      expect.arrayContaining([
        "asset class crypto has no order features in capabilities.orders",
        expect.stringContaining("clientOrderId rules refuse the core's ids"),
        "manifest.providesQuotes and methods.getQuote disagree",
      ]),
    );
  });
});
