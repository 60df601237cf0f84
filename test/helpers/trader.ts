/**
 * End-to-end fixtures: a trader with a paper connection, a strategy and a
 * subscription, created through the public API exactly as a user would.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { testClientIp } from "./api";

export const ORIGIN = "http://tradeloop.test";

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Send this string as the body instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export async function call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "cf-connecting-ip": testClientIp(), ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(path.startsWith("http") ? path : `${ORIGIN}${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed as T };
}

export interface Trader {
  token: string;
  /** The login, for a test whose fake clock outlives the access token (log in again with `login`). */
  email: string;
  password: string;
  userId: string;
  connectionId: string;
  accountId: string;
  strategyId: string;
  webhookUrl: string;
  subscriptionId: string;
}

export interface TraderOptions {
  subscriptionSettings?: Record<string, unknown>;
  connectionSettings?: Record<string, unknown>;
  /** Strategy settings, e.g. `{ webhookRatePerMinute: 6000 }` for tests that send bursts of alerts. */
  strategySettings?: Record<string, unknown>;
  assetClass?: string;
}

let counter = 0;

/** Signs up a fresh user and wires strategy → subscription → paper account. */
export async function createTrader(opts: TraderOptions = {}): Promise<Trader> {
  const email = `trader${++counter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const signup = await call<{ token: string; user: { id: string } }>("POST", "/api/auth/signup", {
    body: { email, password: "correct horse battery" },
  });
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  const token = signup.body.token;
  const conn = await call<{ id: string; accounts: { id: string }[] }>("POST", "/api/connections", {
    token,
    body: { broker: "paper", name: "Paper", settings: opts.connectionSettings ?? {} },
  });
  expect(conn.status, JSON.stringify(conn.body)).toBe(201);
  const strategy = await call<{ id: string; webhookUrl: string }>("POST", "/api/strategies", {
    token,
    body: { name: "Test strategy", assetClass: opts.assetClass ?? "stocks", ...(opts.strategySettings && { settings: opts.strategySettings }) },
  });
  expect(strategy.status, JSON.stringify(strategy.body)).toBe(201);
  const sub = await call<{ id: string }>("POST", "/api/subscriptions", {
    token,
    body: { strategyId: strategy.body.id, connectionId: conn.body.id, settings: opts.subscriptionSettings ?? {} },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  return {
    token,
    email,
    password: "correct horse battery",
    userId: signup.body.user.id,
    connectionId: conn.body.id,
    accountId: conn.body.accounts[0]?.id ?? "",
    strategyId: strategy.body.id,
    webhookUrl: strategy.body.webhookUrl,
    subscriptionId: sub.body.id,
  };
}

export interface WebhookReply {
  success: boolean;
  id?: string;
  logId?: string;
  messageCode?: string;
  message?: string;
  field?: string;
  payload?: unknown;
  duplicate?: boolean;
  trades?: { subscriptionId: string; status: string; messageCode: string | null; orders: { quantity: string; status: string }[] }[];
}

/** Posts an alert. Objects are sent as JSON; strings are sent as-is (text/plain unless told otherwise). */
export async function sendAlert(
  webhookUrl: string,
  body: unknown,
  opts: { contentType?: string; query?: string } = {},
): Promise<{ status: number; body: WebhookReply }> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const contentType = opts.contentType ?? (typeof body === "string" ? "text/plain; charset=utf-8" : "application/json");
  return call<WebhookReply>("POST", webhookUrl + (opts.query ?? ""), { raw, headers: { "content-type": contentType } });
}

export interface SignalView {
  id: string;
  strategyId: string;
  status: string;
  messageCode?: string;
  payload: unknown;
  trades: {
    subscriptionId: string;
    status: string;
    messageCode?: string;
    message?: string;
    orders: {
      id: string;
      clientOrderId: string;
      brokerOrderId: string | null;
      ticker: string;
      side: string;
      quantity: number;
      type: string;
      limitPrice?: number;
      status: string;
      filledQuantity: number;
      avgFillPrice?: number;
      role: string;
    }[];
  }[];
}

const PENDING = new Set(["queued", "executing"]);

/** Polls GET /api/signals/:id until every trade has left queued/executing. */
export async function settledSignal(token: string, signalId: string, timeoutMs = 15_000): Promise<SignalView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call<SignalView>("GET", `/api/signals/${signalId}`, { token });
    if (res.status === 200 && res.body.trades.length > 0 && res.body.trades.every((t) => !PENDING.has(t.status))) return res.body;
    if (Date.now() > deadline) throw new Error(`signal ${signalId} did not settle: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function positions(trader: Trader): Promise<{ ticker: string; quantity: number; avgPrice: number }[]> {
  const res = await call<{ ticker: string; quantity: number; avgPrice: number }[]>("GET", `/api/connections/${trader.connectionId}/positions`, {
    token: trader.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function positionOf(trader: Trader, ticker: string): Promise<number> {
  return (await positions(trader)).find((p) => p.ticker === ticker)?.quantity ?? 0;
}

/**
 * The status of a signal's D1 log row. A rejected signal's row is written
 * before the reply; an accepted signal's row is written by its queue's sync,
 * moments after (so this polls, up to `timeoutMs`). Null if it never appears.
 */
export async function logRowStatus(signalId: string, timeoutMs = 5_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare("SELECT status FROM signals WHERE id = ?").bind(signalId).first<{ status: string }>();
    if (row || Date.now() > deadline) return row?.status ?? null;
    await new Promise((r) => setTimeout(r, 10));
  }
}
