/** The contract's pure parts: canSubmit, venue error tables, maintenance windows, the order state machine, the host's guard. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defaultCanSubmit } from "./can-submit";
import type { Capabilities, OrderFeatures } from "./capabilities";
import { mapVenueError, type VenueErrorTable } from "./errors";
import { connectPlugin } from "./host";
import { activeMaintenanceWindow, credentialField, secretCredentialKeys } from "./manifest";
import { advanceOrder, canTransition, orderProblems, type BrokerOrder, type OrderRequest } from "./models";
import { definePlugin } from "./plugin";

const features: OrderFeatures = {
  orderTypes: ["market", "limit", "stop"],
  timeInForce: ["day", "gtc"],
  extendedHours: false,
  brackets: { oto: "native", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId: { maxLength: 36, pattern: /^[a-z0-9]+$/ },
  modify: "unsupported",
};
const caps: Capabilities = { methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } };
const intent: OrderRequest = { clientOrderId: "tl0123", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "2", type: "limit", limitPrice: "10", timeInForce: "day" };

describe("defaultCanSubmit", () => {
  const code = (o: Partial<OrderRequest>) => {
    const r = defaultCanSubmit(caps, { ...intent, ...o });
    return r.ok ? "ok" : r.reason.messageCode;
  };
  it("accepts what the capabilities allow and names the first thing they do not", () => {
    expect(code({})).toBe("ok");
    expect(code({ assetClass: "crypto" })).toBe("asset-class-not-supported");
    expect(code({ type: "stop_limit", stopPrice: "9" })).toBe("order-type-not-supported");
    expect(code({ type: "trailing_stop", trailPercent: "1" })).toBe("trailing-stop-not-supported");
    expect(code({ timeInForce: "ioc" })).toBe("time-in-force-not-supported");
    expect(code({ extendedHours: true })).toBe("extended-hours-not-supported");
    expect(code({ quantity: "1.5" })).toBe("fractional-not-supported");
    expect(code({ clientOrderId: "TL-UPPER" })).toBe("invalid-client-order-id");
    expect(code({ clientOrderId: "a".repeat(37) })).toBe("invalid-client-order-id");
    expect(code({ limitPrice: undefined })).toBe("order-price-missing");
    expect(code({ bracket: { takeProfit: { limitPrice: "12" } } })).toBe("ok");
    expect(code({ bracket: { takeProfit: { limitPrice: "12" }, stopLoss: { type: "stop", stopPrice: "8" } } })).toBe("brackets-not-supported");
  });
  it("refuses a bracket whose take profit is on the wrong side of its stop loss, for every broker", () => {
    const otoco: Capabilities = { ...caps, orders: { stocks: { ...features, brackets: { oto: "native", oco: "native", otoco: "native" } } } };
    const check = (o: Partial<OrderRequest>) => {
      const r = defaultCanSubmit(otoco, { ...intent, ...o });
      return r.ok ? "ok" : r.reason.messageCode;
    };
    const bracket = (tp: string, stop: string) => ({ bracket: { takeProfit: { limitPrice: tp }, stopLoss: { type: "stop" as const, stopPrice: stop } } });
    expect(check(bracket("12", "8"))).toBe("ok");
    expect(check(bracket("8", "12"))).toBe("bracket-prices");
    expect(check(bracket("10", "10"))).toBe("bracket-prices");
    expect(check({ side: "sell", ...bracket("8", "12") })).toBe("ok");
    expect(check({ side: "sell", ...bracket("12", "8") })).toBe("bracket-prices");
    // A trailing stop loss has no stop price to order against.
    expect(check({ bracket: { takeProfit: { limitPrice: "8" }, stopLoss: { type: "trailing_stop", trailPercent: "1" } } })).not.toBe("bracket-prices");
  });
  it("says which field to fix", () => {
    const r = defaultCanSubmit(caps, { ...intent, timeInForce: "ioc" });
    expect(r.ok ? null : r.reason).toMatchObject({ field: "timeInForce", message: expect.stringContaining("day, gtc") });
  });
});

describe("mapVenueError", () => {
  const table: VenueErrorTable = {
    codes: { "-2010": { code: "insufficient-funds", kind: "rejected" }, "-1021": { code: "clock-skew", kind: "retryable" } },
    messages: [{ match: "market is closed", mapping: { code: "market-closed", kind: "rejected" } }],
    statuses: { 418: { code: "ip-banned", kind: "retryable" } },
  };
  it("codes, then messages, then statuses, then the shared fallback", () => {
    expect(mapVenueError(table, { status: 400, code: -2010, message: "Account has insufficient balance" })).toMatchObject({ code: "insufficient-funds", kind: "rejected", status: 400 });
    expect(mapVenueError(table, { status: 200, code: null, message: "The Market Is Closed today" })).toMatchObject({ code: "market-closed" });
    expect(mapVenueError(table, { status: 418 })).toMatchObject({ code: "ip-banned", kind: "retryable" });
    expect(mapVenueError(table, { status: 401 })).toMatchObject({ kind: "auth-expired" });
    expect(mapVenueError(table, { status: 429, headers: new Headers({ "retry-after": "3" }) })).toMatchObject({ kind: "retryable", retryAfterMs: 3000 });
    expect(mapVenueError(table, { status: 502, placingOrder: true })).toMatchObject({ kind: "outcome-unknown" });
    expect(mapVenueError(table, { status: 502 })).toMatchObject({ kind: "retryable" });
    // A bare 404 is never "no such order": reconciliation must not read a wrong route as "never placed".
    expect(mapVenueError(table, { status: 404 }).code).not.toBe("order-not-found");
  });
  it("a server failure answering an order placement is outcome-unknown whatever its text or code says; elsewhere the table still reads it", () => {
    const insufficient = { status: 503, code: -2010, message: "Account has insufficient balance" };
    expect(mapVenueError(table, { ...insufficient, placingOrder: true })).toMatchObject({ kind: "outcome-unknown", message: insufficient.message });
    expect(mapVenueError(table, { status: 500, message: "The market is closed", placingOrder: true }).kind).toBe("outcome-unknown");
    expect(mapVenueError(table, insufficient)).toMatchObject({ code: "insufficient-funds", kind: "rejected" });
  });
  it("keeps the venue's message and body", () => {
    const body = { code: -2010, msg: "Account has insufficient balance" };
    expect(mapVenueError(table, { status: 400, code: body.code, message: body.msg, body })).toMatchObject({ message: body.msg, raw: body });
  });
});

describe("maintenance windows", () => {
  const ibkr = [{ timezone: "America/New_York", start: "23:45", end: "00:45", reason: "daily reset" }];
  it("follows the broker's time zone across midnight and DST", () => {
    // 04:00Z = 00:00 EDT (summer), 23:50 EST is 04:50Z in winter.
    expect(activeMaintenanceWindow(ibkr, new Date("2026-07-01T04:00:00Z"))?.endsInMs).toBe(45 * 60_000);
    expect(activeMaintenanceWindow(ibkr, new Date("2026-01-15T04:50:00Z"))?.endsInMs).toBe(55 * 60_000);
    expect(activeMaintenanceWindow(ibkr, new Date("2026-07-01T05:00:00Z"))).toBeUndefined();
    expect(activeMaintenanceWindow(ibkr, new Date("2026-07-01T16:00:00Z"))).toBeUndefined();
  });
  it("honours the days a window starts on", () => {
    const sundays = [{ timezone: "UTC", start: "22:00", end: "02:00", days: [0] }];
    expect(activeMaintenanceWindow(sundays, new Date("2026-11-22T23:00:00Z"))?.endsInMs).toBe(3 * 60 * 60_000); // Sunday night, 3 h to go
    expect(activeMaintenanceWindow(sundays, new Date("2026-11-23T01:00:00Z"))?.endsInMs).toBe(60 * 60_000); // still Sunday's window
    expect(activeMaintenanceWindow(sundays, new Date("2026-11-23T23:00:00Z"))).toBeUndefined(); // Monday night
  });
});

describe("order state machine", () => {
  const o = (status: BrokerOrder["status"], filled: string, avg: string | null = filled === "0" ? null : "10"): BrokerOrder => ({
    brokerOrderId: "1",
    clientOrderId: "c",
    ticker: "AAPL",
    side: "buy",
    type: "limit",
    quantity: "10",
    limitPrice: "10",
    stopPrice: null,
    timeInForce: "day",
    status,
    filledQuantity: filled,
    avgFillPrice: avg,
  });
  it("allows forward moves and cumulative fills only", () => {
    expect(canTransition("open", "partially_filled")).toBe(true);
    expect(canTransition("filled", "open")).toBe(false);
    expect(() => advanceOrder(o("partially_filled", "4"), o("partially_filled", "6"))).not.toThrow();
    expect(() => advanceOrder(o("partially_filled", "6"), o("partially_filled", "4"))).toThrow(/went down/);
    expect(() => advanceOrder(o("cancelled", "0"), o("open", "0"))).toThrow(/not a valid transition/);
  });
  it("checks an order's own consistency", () => {
    expect(orderProblems(o("filled", "10"))).toEqual([]);
    expect(orderProblems(o("filled", "4"))).toContain("status filled but filledQuantity < quantity");
    expect(orderProblems(o("open", "0"))).toEqual([]);
    expect(orderProblems(o("partially_filled", "4", null))).toContain("fills without avgFillPrice");
    expect(orderProblems(o("open", "11"))).toContain("filledQuantity exceeds quantity");
  });
});

describe("manifest helpers", () => {
  it("credential fields carry labels, help, link and secrecy into JSON Schema", () => {
    const schema = z.object({
      keyId: credentialField(z.string(), { label: "Key ID", help: "Dashboard → API", link: "https://broker.test/keys", secret: false, placeholder: "PK..." }),
      secret: credentialField(z.string(), { label: "Secret", help: "Shown once" }),
    });
    expect(z.toJSONSchema(schema).properties).toMatchObject({
      keyId: { title: "Key ID", description: "Dashboard → API", "x-link": "https://broker.test/keys", "x-secret": false, examples: ["PK..."] },
      secret: { title: "Secret", "x-secret": true },
    });
    expect(secretCredentialKeys(schema)).toEqual(["secret"]);
  });
});

describe("the host's guard", () => {
  const plugin = definePlugin({
    manifest: {
      id: "guarded",
      displayName: "Guarded",
      version: "1.0.0",
      assetClasses: ["stocks"],
      environments: { live: "https://b.test" },
      hosts: ["b.test"],
      auth: { scheme: "none", credentials: z.object({}) },
      providesQuotes: false,
      maintenanceWindows: [{ timezone: "UTC", start: "00:00", end: "01:00" }],
    },
    capabilities: { methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
    symbol: (t) => t,
    venueRules: (r) => (r.ticker === "BANNED" ? { messageCode: "venue-restricted-symbol", message: "Not tradable here." } : null),
    connect: (ctx) => ({
      testConnection: async () => [],
      getBalance: async () => ({ currency: "USD", cash: "0", equity: "0" }),
      getPositions: async () => [],
      getOpenOrders: async () => [],
      getOrder: async () => null,
      placeOrder: async () => {
        await ctx.fetch(new Request("https://b.test/orders", { method: "POST" }));
        throw new Error("unreachable in these tests");
      },
      cancelOrder: async () => {},
    }),
  });
  function client(at: string) {
    let sent = 0;
    const c = connectPlugin({
      plugin,
      connectionId: "c1",
      credentials: {},
      settings: {},
      environment: "live",
      baseUrl: "https://b.test",
      now: () => new Date(at),
      logSink: () => {},
      transport: async () => {
        sent++;
        return new Response("{}");
      },
    });
    return { c, sent: () => sent };
  }
  it("refuses unsupported intents, venue rules and maintenance windows before sending", async () => {
    const day = client("2026-03-03T12:00:00Z");
    await expect(day.c.placeOrder("a", { ...intent, timeInForce: "ioc" })).rejects.toMatchObject({ kind: "unsupported", code: "time-in-force-not-supported" });
    await expect(day.c.placeOrder("a", { ...intent, ticker: "BANNED" })).rejects.toMatchObject({ kind: "unsupported", code: "venue-restricted-symbol" });
    expect(day.sent()).toBe(0);
    const night = client("2026-03-03T00:30:00Z");
    await expect(night.c.placeOrder("a", intent)).rejects.toMatchObject({ kind: "retryable", code: "broker-maintenance", retryAfterMs: 30 * 60_000 });
    expect(night.sent()).toBe(0);
  });
});

describe("describePlugin (GET /api/brokers and docs/brokers.md)", () => {
  it("exports credential field metadata, secrecy, limits and windows as plain JSON", async () => {
    const { describePlugin } = await import("./describe");
    const plugin = definePlugin({
      manifest: {
        id: "described",
        displayName: "Described",
        version: "1.0.0",
        assetClasses: ["stocks"],
        environments: { paper: "https://paper.b.test", live: "https://b.test" },
        hosts: ["paper.b.test", "b.test"],
        auth: {
          scheme: "apiKey",
          credentials: z.object({
            keyId: credentialField(z.string().min(1), { label: "API key ID", help: "Settings → API keys", link: "https://b.test/keys", secret: false }),
            secretKey: credentialField(z.string().min(1), { label: "Secret key", help: "Shown once when the key is created" }),
          }),
        },
        rateLimit: { requests: 200, perMs: 60_000 },
        maintenanceWindows: [{ timezone: "America/New_York", start: "23:45", end: "00:45", days: [1, 2] }],
        providesQuotes: false,
        certification: "community-tested",
      },
      capabilities: { methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported" }, orders: { stocks: features } },
      symbol: (t) => t,
      connect: () => {
        throw new Error("not connected in this test");
      },
    });
    const d = describePlugin(plugin);
    expect(d.auth.secretFields).toEqual(["secretKey"]);
    expect(d.auth.credentialsSchema).toMatchObject({
      required: ["keyId", "secretKey"],
      properties: { keyId: { title: "API key ID", description: "Settings → API keys", "x-link": "https://b.test/keys", "x-secret": false } },
    });
    expect(d).toMatchObject({ rateLimit: { requests: 200, perMs: 60_000 }, certification: "community-tested", maintenanceWindows: [{ days: [1, 2] }] });
    expect((d.capabilities.orders as Record<string, { clientOrderId: { pattern: unknown } }>).stocks?.clientOrderId.pattern).toBe("^[a-z0-9]+$");
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
