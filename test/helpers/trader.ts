/**
 * End-to-end fixtures on the one helper stack (./api.ts): a trader with a
 * broker connection, a strategy and a subscription, created through the
 * typed API client exactly as the dashboard would; alerts sent to the
 * webhook (raw, as TradingView sends them); and reads of what happened.
 *
 * @module
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { api, client, expectJson, signup } from "./api";
import { paperBroker, type BrokerSide } from "./brokers";

/** A user wired strategy → subscription → broker account. */
export interface Trader {
  token: string;
  /** The login, for a test whose fake clock outlives the access token (log in again with `login`). */
  email: string;
  password: string;
  userId: string;
  connectionId: string;
  /** The broker account id the connection trades (`accounts[0]`). */
  accountId: string;
  strategyId: string;
  webhookUrl: string;
  subscriptionId: string;
}

export interface SetupOptions {
  subscriptionSettings?: Record<string, unknown>;
  /** Settings of a new paper connection (ignored with `connectionId` or `broker`). */
  connectionSettings?: Record<string, unknown>;
  /** Trade on this existing connection instead of making one. */
  connectionId?: string;
  /** Make the connection at this broker (default: the paper broker). */
  broker?: BrokerSide;
  assetClass?: "stocks" | "options" | "futures" | "crypto" | "forex";
  /** Strategy settings, e.g. `{ webhookRatePerMinute: 6000 }` for tests that send bursts of alerts. */
  strategySettings?: Record<string, unknown>;
}

/** Creates a connection (unless given), a strategy and a subscription for a signed-up user, through the typed client. */
export async function setupTrader(token: string, opts: SetupOptions = {}): Promise<Omit<Trader, "userId" | "email" | "password">> {
  const typed = client(token).api;
  let connectionId = opts.connectionId;
  if (connectionId === undefined && opts.broker && opts.broker !== paperBroker) connectionId = await opts.broker.connect(token, "trader");
  if (connectionId === undefined) {
    const created = await expectJson(await typed.connections.$post({ json: { broker: "paper", name: "Paper", settings: opts.connectionSettings ?? {} } }), 201);
    connectionId = created.id;
  }
  const connection = await expectJson(await typed.connections[":id"].$get({ param: { id: connectionId } }), 200);
  const strategy = await expectJson(await typed.strategies.$post({ json: { name: "Strategy", assetClass: opts.assetClass ?? "stocks", ...(opts.strategySettings && { settings: opts.strategySettings }) } }), 201);
  const subscription = await expectJson(
    await typed.subscriptions.$post({ json: { strategyId: strategy.id, connectionId, settings: opts.subscriptionSettings ?? {} } }),
    201,
  );
  return {
    token,
    connectionId,
    accountId: connection.accounts[0]?.id ?? "",
    strategyId: strategy.id,
    webhookUrl: strategy.webhookUrl ?? "",
    subscriptionId: subscription.id,
  };
}

/** Signs up a fresh user and wires strategy → subscription → broker account (paper unless told otherwise). */
export async function createTrader(opts: SetupOptions = {}): Promise<Trader> {
  const user = await signup();
  return { ...(await setupTrader(user.token, opts)), userId: user.user.id, email: user.email, password: user.password };
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

/** Posts an alert, raw like an alert sender. Objects are sent as JSON; strings as they are (text/plain unless told otherwise). */
export async function sendAlert(
  webhookUrl: string,
  body: unknown,
  opts: { contentType?: string; query?: string } = {},
): Promise<{ status: number; body: WebhookReply }> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const contentType = opts.contentType ?? (typeof body === "string" ? "text/plain; charset=utf-8" : "application/json");
  return api<WebhookReply>("POST", webhookUrl + (opts.query ?? ""), { raw, headers: { "content-type": contentType } });
}

/** One signal with its trades, as `GET /api/signals/:id` answers it (typed by the API's own schema). */
export type SignalView = Awaited<ReturnType<typeof readSignal>>;

async function readSignal(token: string, signalId: string) {
  const res = await client(token).api.signals[":id"].$get({ param: { id: signalId } });
  return res.status === 200 ? res.json() : null;
}

const PENDING = new Set(["queued", "executing"]);

/**
 * Waits until every trade of the signal has left queued/executing (as the
 * API shows it). Awaits the condition; `timeoutMs` only bounds a test that
 * would otherwise hang.
 */
export async function settledSignal(token: string, signalId: string, timeoutMs = 30_000): Promise<SignalView & object> {
  let last: SignalView = null;
  await expect
    .poll(
      async () => {
        last = await readSignal(token, signalId);
        return last !== null && last.trades.length > 0 && last.trades.every((t) => !PENDING.has(t.status));
      },
      { timeout: timeoutMs, interval: 25 },
    )
    .toBe(true);
  return last!;
}

/** The connection's positions at the broker, through the typed client. */
export async function positions(trader: Pick<Trader, "token" | "connectionId">): Promise<{ ticker: string; quantity: number; avgPrice: number }[]> {
  return expectJson(await client(trader.token).api.connections[":id"].positions.$get({ param: { id: trader.connectionId }, query: {} }), 200);
}

export async function positionOf(trader: Pick<Trader, "token" | "connectionId">, ticker: string): Promise<number> {
  return (await positions(trader)).find((p) => p.ticker === ticker)?.quantity ?? 0;
}

/**
 * The status of a signal's D1 log row. A rejected signal's row is written
 * before the reply; an accepted signal's row is written by its queue's sync,
 * moments after (so this awaits it, up to `timeoutMs`). Null if it never appears.
 */
export async function logRowStatus(signalId: string, timeoutMs = 5_000): Promise<string | null> {
  const read = () => env.DB.prepare("SELECT status FROM signals WHERE id = ?").bind(signalId).first<{ status: string }>();
  await expect.poll(async () => (await read()) !== null, { timeout: timeoutMs, interval: 10 }).toBe(true).catch(() => undefined);
  return (await read())?.status ?? null;
}
