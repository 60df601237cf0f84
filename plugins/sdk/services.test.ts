/** The shared services: logger redaction, nonce, rate limit, the core's fetch, retry and reconcile-aware placement. */
import { describe, expect, it } from "vitest";
import { BrokerError } from "./errors";
import type { BrokerClient } from "./client";
import type { BrokerOrder, OrderRequest } from "./models";
import { monotonicNonce } from "./services/clock";
import { createPluginFetch } from "./services/http";
import { createLogger, REDACTED, type LogEntry } from "./services/logger";
import { TokenBucket, takeToken } from "./services/rate-limit";
import { placeOrderOnce } from "./services/reconcile";
import { withRetry } from "./services/retry";

const noWait = async () => {};

describe("logger", () => {
  it("redacts credential values anywhere and secret-looking keys, before the sink sees anything", () => {
    const lines: LogEntry[] = [];
    const log = createLogger({ credentials: { apiKey: "AKIA-EXAMPLE-KEY", secret: "s3cr3t-value-xyz", pin: "12" }, sink: (e) => lines.push(e), bindings: { plugin: "x" } });
    log.info("sent with AKIA-EXAMPLE-KEY", {
      headers: new Headers({ authorization: "Bearer abc.def", "x-api-key": "AKIA-EXAMPLE-KEY", accept: "application/json" }),
      nested: { note: "sig over s3cr3t-value-xyz", passphrase: "hunter2", list: ["AKIA-EXAMPLE-KEY"] },
      error: new Error("bad key AKIA-EXAMPLE-KEY"),
      quantity: "12",
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("AKIA-EXAMPLE-KEY");
    expect(text).not.toContain("s3cr3t-value-xyz");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("abc.def");
    expect(lines[0]).toMatchObject({
      level: "info",
      message: `sent with ${REDACTED}`,
      fields: { plugin: "x", quantity: "12", headers: { accept: "application/json", authorization: REDACTED }, nested: { passphrase: REDACTED } },
    });
  });

  it("drops debug lines unless asked", () => {
    const lines: LogEntry[] = [];
    createLogger({ sink: (e) => lines.push(e) }).debug("noise");
    createLogger({ sink: (e) => lines.push(e), level: "debug" }).debug("wanted");
    expect(lines.map((l) => l.message)).toEqual(["wanted"]);
  });
});

describe("nonce", () => {
  it("only goes up, even when the clock stalls or steps back", () => {
    let t = 1_700_000_000_000;
    const nonce = monotonicNonce(() => new Date(t));
    const a = nonce();
    const b = nonce();
    t -= 5_000;
    const c = nonce();
    t += 60_000;
    const d = nonce();
    expect([a, b, c, d].map(Number)).toEqual([t * 1000 - 55_000_000, t * 1000 - 55_000_000 + 1, t * 1000 - 55_000_000 + 2, t * 1000]);
  });
});

describe("rate limit", () => {
  it("a bucket hands out its budget, then asks callers to wait their turn", () => {
    let now = 0;
    const bucket = new TokenBucket({ requests: 2, perMs: 1000 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 500, 1000]);
    now = 2000;
    expect(bucket.reserve()).toBe(0);
  });

  it("refuses as retryable rather than wait too long", async () => {
    const bucket = new TokenBucket({ requests: 1, perMs: 60_000 });
    await takeToken(bucket, 100, noWait);
    const e = await takeToken(bucket, 100, noWait).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BrokerError);
    expect(e).toMatchObject({ kind: "retryable", code: "rate-limited" });
  });
});

describe("the core's fetch", () => {
  const hang = () => new Promise<Response>(() => {});
  it("times out: outcome-unknown for POST, retryable for GET, overridable per request", async () => {
    const f = createPluginFetch({ transport: hang, timeoutMs: 10 });
    await expect(f(new Request("https://b.test/orders", { method: "POST" }))).rejects.toMatchObject({ kind: "outcome-unknown", code: "broker-timeout" });
    await expect(f(new Request("https://b.test/orders"))).rejects.toMatchObject({ kind: "retryable", code: "broker-timeout" });
    await expect(f(new Request("https://b.test/balance", { method: "POST" }), { idempotent: true })).rejects.toMatchObject({ kind: "retryable" });
  });

  it("times out when the headers arrive but the body never ends, and hands on a body that does end", async () => {
    const stalledBody = async () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("{\"id\":")); } }), { status: 200 });
    const stalled = createPluginFetch({ transport: stalledBody, timeoutMs: 10 });
    await expect(stalled(new Request("https://b.test/orders", { method: "POST" }))).rejects.toMatchObject({ kind: "outcome-unknown", code: "broker-timeout" });
    const whole = createPluginFetch({ transport: async () => new Response('{"id":"1"}', { status: 201, headers: { "x-a": "b" } }), timeoutMs: 10 });
    const answer = await whole(new Request("https://b.test/orders", { method: "POST" }));
    expect([answer.status, answer.headers.get("x-a"), await answer.json()]).toEqual([201, "b", { id: "1" }]);
    const noContent = createPluginFetch({ transport: async () => new Response(null, { status: 204 }) });
    expect((await noContent(new Request("https://b.test/orders/1", { method: "DELETE" }))).status).toBe(204);
  });

  it("a failure to connect is broker-unreachable; HTTP errors are returned for the plugin to read", async () => {
    const refused = createPluginFetch({ transport: async () => Promise.reject(new TypeError("fetch failed")) });
    await expect(refused(new Request("https://b.test/x"))).rejects.toMatchObject({ code: "broker-unreachable", kind: "retryable" });
    const fivehundred = createPluginFetch({ transport: async () => new Response("{}", { status: 500 }) });
    expect((await fivehundred(new Request("https://b.test/x"))).status).toBe(500);
  });

  it("waits for a rate-limit token before sending", async () => {
    const waits: number[] = [];
    const f = createPluginFetch({
      transport: async () => new Response("{}"),
      bucket: new TokenBucket({ requests: 1, perMs: 1000 }),
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    await f(new Request("https://b.test/1"));
    await f(new Request("https://b.test/2"));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(900);
  });
});

describe("retry and reconcile-aware placement", () => {
  const order = (id: string): BrokerOrder => ({
    brokerOrderId: "b1",
    clientOrderId: id,
    ticker: "AAPL",
    side: "buy",
    type: "market",
    quantity: "1",
    limitPrice: null,
    stopPrice: null,
    timeInForce: "day",
    status: "filled",
    filledQuantity: "1",
    avgFillPrice: "10",
  });
  const request: OrderRequest = { clientOrderId: "tl1", ticker: "AAPL", assetClass: "stocks", side: "buy", quantity: "1", type: "market", timeInForce: "day" };
  const policy = { attempts: 4, baseMs: 1, maxMs: 1 };

  function fakeClient(script: ("ok" | "lost" | "busy" | "reject")[], booked: Set<string>): { client: BrokerClient; placed: () => number } {
    let placed = 0;
    const client = {
      async placeOrder(_a: string, r: OrderRequest) {
        placed++;
        const step = script.shift() ?? "ok";
        if (step === "busy") throw new BrokerError("429", { code: "rate-limited", kind: "retryable" });
        if (step === "reject") throw new BrokerError("funds", { code: "insufficient-funds", kind: "rejected" });
        if (booked.has(r.clientOrderId)) throw new BrokerError("dup", { code: "duplicate-client-order-id", kind: "rejected" });
        booked.add(r.clientOrderId);
        if (step === "lost") throw new BrokerError("timeout", { code: "broker-timeout", kind: "outcome-unknown" });
        return order(r.clientOrderId);
      },
      async getOrder(_a: string, ref: { clientOrderId: string } | { brokerOrderId: string }) {
        return "clientOrderId" in ref && booked.has(ref.clientOrderId) ? order(ref.clientOrderId) : null;
      },
    } as unknown as BrokerClient;
    return { client, placed: () => placed };
  }

  it("a lost reply is adopted from getOrder, not resent", async () => {
    const booked = new Set<string>();
    const { client, placed } = fakeClient(["lost"], booked);
    expect((await placeOrderOnce(client, "a", request, { policy, wait: noWait })).clientOrderId).toBe("tl1");
    expect(placed()).toBe(1);
  });

  it("retryable failures are retried; rejections are final", async () => {
    const one = fakeClient(["busy", "busy", "ok"], new Set());
    await placeOrderOnce(one.client, "a", request, { policy, wait: noWait });
    expect(one.placed()).toBe(3);
    const two = fakeClient(["reject"], new Set());
    await expect(placeOrderOnce(two.client, "a", request, { policy, wait: noWait })).rejects.toMatchObject({ code: "insufficient-funds" });
    expect(two.placed()).toBe(1);
  });

  it("withRetry never retries outcome-unknown", async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw new BrokerError("lost", { code: "broker-timeout", kind: "outcome-unknown" });
      },
      policy,
      noWait,
    );
    await expect(run).rejects.toMatchObject({ kind: "outcome-unknown" });
    expect(calls).toBe(1);
  });
});
