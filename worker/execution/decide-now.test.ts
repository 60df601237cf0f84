/**
 * decideNow asks the broker only for what the decision reads: a probe of the
 * decision names the reads for the first (parallel) round trip, and anything
 * else it then reads is fetched before it decides again. Run against the
 * Alpaca plugin and its fake (documented paths), counting the requests that
 * reach the fake.
 */
import { describe, expect, it } from "vitest";
import { alpacaPlugin } from "../../plugins/alpaca";
import { ACCOUNT_ID, CREDENTIALS } from "../../plugins/alpaca/cases";
import { AlpacaFake } from "../../plugins/alpaca/fake";
import { testClient } from "../../plugins/testkit/harness";
import { parseSignalBody } from "../trading/parse-signal";
import type { QueuedSignal } from "./envelope";
import { decideNow } from "./executor";

const NOW = new Date("2026-01-05T15:00:00.000Z"); // a Monday, US market hours

function setup() {
  const fake = new AlpacaFake({ now: () => NOW, clock: () => NOW.getTime() });
  fake.setPrice("AAPL", "100");
  fake.setQuote("AAPL", { bid: "99.90", ask: "100.10", last: "100" });
  const requests: string[] = [];
  const client = testClient({ plugin: alpacaPlugin, credentials: CREDENTIALS, environment: "paper", now: () => NOW }, async (request) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}`);
    return fake.fetch(request);
  });
  return { client, requests };
}

function envelope(body: Record<string, unknown>, subscriptionSettings: Record<string, unknown> = {}): QueuedSignal {
  const parsed = parseSignalBody(JSON.stringify(body), { now: NOW });
  if (!parsed.ok) throw new Error(parsed.message);
  const signal = parsed.signals[0]!;
  return {
    signalId: "s1",
    tradeId: "t1",
    userId: "u1",
    receivedAt: NOW.getTime(),
    signal,
    strategy: { id: "st1", assetClass: "stocks", allowedTickers: null, settings: {} },
    subscription: { id: "sub1", settings: subscriptionSettings },
    account: { id: "a1", brokerAccountId: ACCOUNT_ID },
    connection: { id: "c1", broker: "alpaca", settings: {} },
    logRow: {
      id: "s1",
      userId: "u1",
      strategyId: "st1",
      receivedAt: NOW.getTime(),
      status: "accepted",
      payload: body,
      sourceIp: null,
      contentType: null,
      alertId: null,
      bodyHash: null,
    },
  };
}

const reads = (requests: readonly string[]) => ({
  positions: requests.filter((r) => r.endsWith("/v2/positions")).length,
  openOrders: requests.filter((r) => r.startsWith("GET /v2/orders")).length,
  balance: requests.filter((r) => r.endsWith("/v2/account")).length,
  quote: requests.filter((r) => r.includes("/quotes")).length,
});

describe("decideNow reads only what the decision needs", () => {
  it("a fixed quantity with a price: position and open orders only", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({ client, envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 3, price: 100 }), now: () => NOW.getTime() });
    expect(decision.kind).toBe("trade");
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 1, balance: 0, quote: 0 });
  });

  it("percent of equity: reads the balance once and sizes from it", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({
      client,
      envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 10, quantityType: "percent_of_equity", price: 100 }),
      now: () => NOW.getTime(),
    });
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 1, balance: 1, quote: 0 });
    if (decision.kind !== "trade") throw new Error(JSON.stringify(decision));
    const entry = decision.steps.find((s) => s.kind === "order");
    // The fake funds an account with 100,000 of equity: 10 % at 100 = 100 shares.
    expect(entry && entry.kind === "order" ? entry.order.quantity : null).toBe("100");
  });

  it("no signal price: the quote is read up front, once", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({ client, envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 1 }), now: () => NOW.getTime() });
    expect(decision.kind).toBe("trade");
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 1, balance: 0, quote: 1 });
  });

  it("a spread filter with a price: the quote is read after the first pass, and it decides", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({
      client,
      envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 1, price: 100, bidAskSpreadFilter: 0.05 }),
      now: () => NOW.getTime(),
    });
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 1, balance: 0, quote: 1 });
    // bid 99.90 / ask 100.10: a spread of 0.20 is wider than 0.05.
    expect(decision).toMatchObject({ kind: "reject", messageCode: "spread-filter-exceeded" });
  });

  it("a limit order priced from the ask: the quote sets the limit", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({
      client,
      envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 1, price: 100, orderType: "limit" }, { marketPriceType: "ask" }),
      now: () => NOW.getTime(),
    });
    expect(reads(requests).quote).toBe(1);
    if (decision.kind !== "trade") throw new Error(JSON.stringify(decision));
    const entry = decision.steps.find((s) => s.kind === "order");
    expect(entry && entry.kind === "order" ? entry.order.limitPrice : null).toBe("100.1");
  });

  it("an entry that may not cancel anything: no open-orders read", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({ client, envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 3, price: 100 }, { cancelOpenOrders: false }), now: () => NOW.getTime() });
    expect(decision.kind).toBe("trade");
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 0, balance: 0, quote: 0 });
  });

  it("a cancel decides without the open orders (its cancel step reads them when it runs)", async () => {
    const { client, requests } = setup();
    const decision = await decideNow({ client, envelope: envelope({ ticker: "AAPL", action: "cancel", price: 100 }), now: () => NOW.getTime() });
    expect(decision).toMatchObject({ kind: "trade", outcome: "cancel-open-orders" });
    expect(reads(requests)).toEqual({ positions: 1, openOrders: 0, balance: 0, quote: 0 });
  });

  it("a signal refused before it looks at the account (a stale alert) reads nothing", async () => {
    const { client, requests } = setup();
    const old = new Date(NOW.getTime() - 3_600_000).toISOString();
    const decision = await decideNow({ client, envelope: envelope({ ticker: "AAPL", action: "buy", quantity: 1, price: 100, time: old }, { maxSignalAgeSeconds: 60 }), now: () => NOW.getTime() });
    expect(decision).toMatchObject({ kind: "reject", messageCode: "signal-too-old" });
    expect(reads(requests)).toEqual({ positions: 0, openOrders: 0, balance: 0, quote: 0 });
  });
});
