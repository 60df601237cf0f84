/**
 * Layers 1 and 2: static request and response tests. No fake broker, no
 * network: a scripted transport records what the plugin sends and answers
 * with recorded fixtures.
 *
 * @module
 */
import { expect } from "vitest";
import { BrokerError, orderProblems, type BrokerOrder } from "../sdk";
import { scriptedClient, type CapturedRequest, type TestConnection } from "./harness";
import type { ExpectedRequest, StaticRequestCase, StaticResponseCase } from "./types";

const SKIPPED = "<skipped>";

/** Replaces skipped query parameters with a marker, keeping their presence visible. */
function maskUrl(url: string, skip: ReadonlySet<string>): string {
  const u = new URL(url);
  for (const key of [...u.searchParams.keys()]) if (skip.has(key)) u.searchParams.set(key, SKIPPED);
  return u.toString();
}

function maskRecord(record: Record<string, string>, skip: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, skip.has(k.toLowerCase()) || skip.has(k) ? SKIPPED : v]));
}

/** Masks skipped top-level keys of a JSON object body, or of a form-encoded text body. */
function maskBody(body: unknown, skip: ReadonlySet<string>): unknown {
  if (body !== null && typeof body === "object" && !Array.isArray(body)) {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, skip.has(k) ? SKIPPED : v]));
  }
  if (typeof body === "string" && /^[^\s=&]+=[^\s]*$/.test(body)) {
    const form = new URLSearchParams(body);
    for (const key of [...form.keys()]) if (skip.has(key)) form.set(key, SKIPPED);
    return form.toString().replaceAll("%3Cskipped%3E", SKIPPED);
  }
  return body;
}

/** The comparable form of a captured or expected request. */
function normalize(r: CapturedRequest | ExpectedRequest, skip: ReadonlySet<string>, withHeaders: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    method: r.method.toUpperCase(),
    url: maskUrl(r.url, skip).replaceAll("%3Cskipped%3E", SKIPPED),
    body: maskBody(r.body, skip),
  };
  if (withHeaders && r.headers) out.headers = maskRecord(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])), skip);
  return out;
}

/** Runs one layer-1 case: the requests the call sends must equal the expected ones, in order. */
export async function runRequestCase(connection: TestConnection, accountId: string, c: StaticRequestCase): Promise<void> {
  const { client, sent } = scriptedClient(connection, c.replies ?? []);
  try {
    await c.call(client, accountId);
  } catch {
    // Layer 1 checks the request only; what the plugin makes of a dummy reply is layer 2's business.
  }
  const skip = new Set(c.skipKeys ?? []);
  const actual = sent.map((r, i) => normalize(r, skip, c.expected[i]?.headers !== undefined));
  const expected = c.expected.map((r) => normalize(r, skip, r.headers !== undefined));
  expect(actual, `${c.name}: the HTTP requests sent`).toEqual(expected);
}

/** Drops `raw` everywhere, so expectations compare normalized fields only. */
export function stripRaw(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRaw);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "raw").map(([k, v]) => [k, stripRaw(v)]));
  }
  return value;
}

const isOrder = (v: Record<string, unknown>) => "brokerOrderId" in v && "filledQuantity" in v;
const isPosition = (v: Record<string, unknown>) => "ticker" in v && "avgPrice" in v && "quantity" in v;
const isBalance = (v: Record<string, unknown>) => "cash" in v && "equity" in v;

/** Problems with the models in a result: `raw` missing, or an order that breaks the state machine's rules. */
export function modelProblems(value: unknown, path = "result"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => modelProblems(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if ((isOrder(v) || isPosition(v) || isBalance(v)) && v.raw === undefined) problems.push(`${path}: the broker payload is not kept in raw`);
  if (isOrder(v)) problems.push(...orderProblems(v as unknown as BrokerOrder).map((p) => `${path}: ${p}`));
  return problems;
}

/** Runs one layer-2 case: recorded replies in, the normalized result (or BrokerError) out. */
export async function runResponseCase(connection: TestConnection, accountId: string, c: StaticResponseCase): Promise<void> {
  const { client } = scriptedClient(connection, c.replies, { whenEmpty: "throw" });
  let result: unknown;
  let error: unknown;
  try {
    result = await c.call(client, accountId);
  } catch (e) {
    error = e;
  }
  if ("error" in c.expected) {
    if (!(error instanceof BrokerError)) {
      throw new Error(`${c.name}: expected a BrokerError ${c.expected.error.kind}/${c.expected.error.code}, got ${error === undefined ? "a result" : String(error)}`);
    }
    const seen: Record<string, unknown> = { kind: error.kind, code: error.code };
    if (c.expected.error.status !== undefined) seen.status = error.status;
    expect(seen, `${c.name}: the BrokerError`).toEqual(c.expected.error);
    expect(error.message.trim(), `${c.name}: a BrokerError needs a message for the trader`).not.toBe("");
    return;
  }
  if (error !== undefined) throw error;
  expect(modelProblems(result), `${c.name}: model rules`).toEqual([]);
  expect(stripRaw(result), `${c.name}: the normalized result`).toEqual(c.expected.result);
}
