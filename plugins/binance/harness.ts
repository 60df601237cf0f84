/**
 * Test-only helpers shared by the Binance and Kraken tests until the
 * conformance kit's runner lands: a scripted fetch that records requests,
 * and a local runner for the kit's static request/response case format.
 *
 * @module
 */
import { expect } from "vitest";
import { BrokerError, type BrokerClient, type BrokerPlugin } from "../sdk";
import { connectPlugin } from "../sdk/host";
import { replyToResponse, type FakeReply, type RecordedFixture, type StaticRequestCase, type StaticResponseCase } from "../testkit";

export interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Connection options of a test client. */
export interface TestBase {
  credentials: unknown;
  baseUrl: string;
  now: Date | (() => Date);
  settings?: Record<string, unknown>;
  environment?: "paper" | "live";
}

/** A client built exactly as the core builds it (SDK host: shared fetch, guard), over `transport`. */
export function hostClient(plugin: BrokerPlugin, options: TestBase, transport: (request: Request) => Promise<Response>): BrokerClient {
  const now = options.now;
  return connectPlugin({
    plugin,
    connectionId: `test-${crypto.randomUUID()}`,
    credentials: options.credentials,
    settings: options.settings ?? {},
    environment: options.environment ?? "paper",
    baseUrl: options.baseUrl,
    transport,
    now: typeof now === "function" ? now : () => now,
    rateLimit: "off",
    logSink: () => undefined,
  });
}

/** A client whose transport records every request and answers from a script (default `200 {}`). */
export function scriptedClient(plugin: BrokerPlugin, options: TestBase, replies: readonly (FakeReply | RecordedFixture | Error)[]): { client: BrokerClient; sent: Captured[] } {
  const sent: Captured[] = [];
  const queue = [...replies];
  const client = hostClient(plugin, options, async (request) => {
    sent.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers.entries()), body: await request.text() });
    const next = queue.shift() ?? { status: 200, body: {} };
    if (next instanceof Error) throw next;
    return replyToResponse("response" in next ? next.response : next);
  });
  return { client, sent };
}

/** Removes `skipKeys` from a URL's query and a header map. */
function without(url: string, skip: readonly string[]): string {
  const [path, query = ""] = url.split("?", 2) as [string, string?];
  const kept = query.split("&").filter((kv) => kv !== "" && !skip.includes(kv.split("=")[0] ?? ""));
  return kept.length ? `${path}?${kept.join("&")}` : (path ?? "");
}

/** Runs one layer-1 case the way the kit describes it. */
export async function runRequestCase(plugin: BrokerPlugin, base: TestBase, accountId: string, c: StaticRequestCase): Promise<Captured[]> {
  const { client, sent } = scriptedClient(plugin, base, c.replies ?? []);
  await c.call(client, accountId).catch(() => undefined);
  const skip = c.skipKeys ?? [];
  expect(sent).toHaveLength(c.expected.length);
  c.expected.forEach((e, i) => {
    const got = sent[i] as Captured;
    expect(got.method).toBe(e.method);
    expect(without(got.url, skip)).toBe(without(e.url, skip));
    if (e.headers) {
      const headers = Object.fromEntries(Object.entries(got.headers).filter(([k]) => !skip.includes(k)));
      expect(headers).toEqual(e.headers);
    }
    if (e.body !== undefined) expect(typeof e.body === "string" ? got.body : JSON.parse(got.body)).toEqual(e.body);
  });
  return sent;
}

/** Strips `raw` recursively (the kit compares models without it). */
export function stripRaw(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRaw);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "raw").map(([k, v]) => [k, stripRaw(v)]));
  }
  return value;
}

/** Runs one layer-2 case the way the kit describes it. */
export async function runResponseCase(plugin: BrokerPlugin, base: TestBase, accountId: string, c: StaticResponseCase): Promise<void> {
  const { client } = scriptedClient(plugin, base, c.replies);
  if ("result" in c.expected) {
    expect(stripRaw(await c.call(client, accountId))).toEqual(c.expected.result);
    return;
  }
  let error: unknown;
  try {
    await c.call(client, accountId);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BrokerError);
  const b = error as BrokerError;
  expect({ kind: b.kind, code: b.code, ...(c.expected.error.status !== undefined && { status: b.status }) }).toEqual(c.expected.error);
}

/** Awaits a promise that must fail with a BrokerError. */
export async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw e;
  }
  throw new Error("expected a BrokerError");
}
