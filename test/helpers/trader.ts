/**
 * End-to-end fixtures: a trader with a paper connection, a strategy and a
 * subscription, created through the public API exactly as a user would.
 *
 * One helper stack: every request goes through test/helpers/api.ts (the
 * typed `hc<AppType>` client for the fixtures, `api()` for raw requests);
 * `call()` is kept as a short form of `api()` for the tests that use it.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { API_ORIGIN, api, client, signup } from "./api";

export const ORIGIN = API_ORIGIN;

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Send this string as the body instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

/** One request through `api()` (test/helpers/api.ts): status and parsed body. */
export async function call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
  const res = await api<T>(method, path, {
    ...(opts.token !== undefined && { token: opts.token }),
    ...(opts.raw !== undefined ? { raw: opts.raw } : opts.body !== undefined && { json: opts.body }),
    ...(opts.headers !== undefined && { headers: opts.headers }),
  });
  return { status: res.status, body: res.body };
}

export interface Trader {
  token: string;
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

/** The JSON of a typed client reply that must have this status (the failing body is in the message). */
async function expectStatus<R extends { status: number; json(): Promise<unknown>; text(): Promise<string> }, S extends number>(
  reply: Promise<R>,
  status: S,
): Promise<Awaited<ReturnType<Extract<R, { status: S }>["json"]>>> {
  const res = await reply;
  if (res.status !== status) expect(res.status, await res.text()).toBe(status);
  return (await res.json()) as Awaited<ReturnType<Extract<R, { status: S }>["json"]>>;
}

/** Signs up a fresh user and wires strategy → subscription → paper account, through the typed client. */
export async function createTrader(opts: TraderOptions = {}): Promise<Trader> {
  const user = await signup();
  const typed = client(user.token);
  const conn = await expectStatus(typed.api.connections.$post({ json: { broker: "paper", name: "Paper", settings: opts.connectionSettings ?? {} } }), 201);
  const strategy = await expectStatus(
    typed.api.strategies.$post({
      json: { name: "Test strategy", assetClass: (opts.assetClass ?? "stocks") as "stocks", ...(opts.strategySettings && { settings: opts.strategySettings }) },
    }),
    201,
  );
  const sub = await expectStatus(
    typed.api.subscriptions.$post({ json: { strategyId: strategy.id, connectionId: conn.id, settings: opts.subscriptionSettings ?? {} } }),
    201,
  );
  // Only a newly created (or rotated) strategy shows its URL in full.
  if (strategy.webhookUrl === null) throw new Error("POST /api/strategies answered without the webhook URL");
  return {
    token: user.token,
    userId: user.user.id,
    connectionId: conn.id,
    accountId: conn.accounts[0]?.id ?? "",
    strategyId: strategy.id,
    webhookUrl: strategy.webhookUrl,
    subscriptionId: sub.id,
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
