/**
 * `POST /webhook/:strategyId/:secret`: the alert's way in.
 *
 * 1. authenticate: constant-time check of the secret's hash;
 * 2. parse: raw text → JSON (whatever the content type) → normalized signals;
 * 3. append it durably to every enabled subscription's queue (a Durable
 *    Object each), which also copies it to the D1 log; a strategy without
 *    subscriptions, or a queue that failed, is logged in D1 here;
 * 4. reply in TradersPost's shape, without waiting for any broker unless the
 *    sender asked with `?wait=<ms>`.
 *
 * Every received request is logged with its outcome. A failure of ours is a
 * 503 `temporarily-unavailable`, and it is never a 200 unless the signal is
 * durably queued.
 *
 * @module
 */
import { Hono, type Context } from "hono";
import { verifyWebhookSecret, hashWebhookSecret } from "../auth/webhook-secret";
import type { AppBindings, Env } from "../env";
import type { QueuedSignal, SignalLogRow } from "../execution/envelope";
import { parseSignalBody } from "../trading/parse-signal";
import { accepted, rejected, type WaitedTrade } from "./reply";
import { resolveStrategySettings } from "../trading/strategy-settings";
import { resolveDelay } from "../trading/delay";
import { validateSignalForStrategy } from "../trading/validate";
import { staleSignal } from "../trading/signal-age";
import { insertUnlessDuplicate, needsDedupe } from "./dedupe";
import { loggablePayload, logAccepted, logRejected } from "./signal-log";
import { lookupStrategy, type SubscriptionTarget } from "./strategy-lookup";
import { errorMessage } from "../../plugins/sdk";

/** Largest body accepted. TradingView messages are a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
/** `?wait=` is capped below TradingView's 3 s timeout. */
const MAX_WAIT_MS = 2_500;

type WebhookContext = Context<AppBindings>;

export const webhookRoutes = new Hono<AppBindings>()
  .post("/webhook/:strategyId/:secret", handleWebhook)
  .all("/webhook/:strategyId/:secret", (c) =>
    rejected(c, 400, { messageCode: "post-required", message: "Webhooks must be sent with HTTP POST." }),
  )
  .all("/webhook/*", (c) => rejected(c, 404, { messageCode: "not-found", message: "Webhook not found." }));

async function handleWebhook(c: WebhookContext): Promise<Response> {
  const receivedAt = Date.now();
  const signalId = crypto.randomUUID();
  const { strategyId, secret } = c.req.param() as { strategyId: string; secret: string };
  const meta = {
    sourceIp: c.req.header("cf-connecting-ip") ?? null,
    contentType: c.req.header("content-type") ?? null,
  };

  const bodyText = await readBody(c.req.raw);

  let found: Awaited<ReturnType<typeof lookupStrategy>>;
  try {
    found = await lookupStrategy(c.env.DB, strategyId);
  } catch (err) {
    return unavailable(c, err);
  }

  const reject = async (
    status: 400 | 404 | 413,
    messageCode: string,
    message: string,
    userId: string | null,
    payload: unknown,
    field?: string,
  ): Promise<Response> => {
    try {
      await logRejected(c.env.DB, { id: signalId, userId, strategyId: strategyId.slice(0, 64), receivedAt, messageCode, message, payload, ...meta });
    } catch (err) {
      return unavailable(c, err);
    }
    return rejected(c, status, { ...(status !== 404 && { logId: signalId }), messageCode, message, ...(field && { field }) });
  };

  if (!found) {
    return reject(404, "not-found", "Webhook not found.", null, loggablePayload(undefined, bodyText.text));
  }
  const { strategy, targets } = found;

  // The secret is compared as a hash in constant time and never logged.
  if (!(await verifyWebhookSecret(secret, strategy.secretHash))) {
    return reject(400, "invalid-password", "The webhook URL's password is wrong. Copy the webhook URL again from Tradeloop (it changes when rotated).", strategy.userId, loggablePayload(undefined, bodyText.text));
  }
  if (bodyText.tooLarge) {
    return reject(413, "payload-too-large", `The alert message is larger than ${MAX_BODY_BYTES / 1024} KB.`, strategy.userId, loggablePayload(undefined, bodyText.text));
  }

  const parsed = parseSignalBody(bodyText.text, { now: new Date(receivedAt) });
  if (!parsed.ok) {
    return reject(400, parsed.messageCode, parsed.message, strategy.userId, loggablePayload(parsed.payload, bodyText.text), parsed.field);
  }
  if (!strategy.enabled) {
    return reject(400, "strategy-disabled", "This strategy is disabled. Enable it in Tradeloop to trade its alerts.", strategy.userId, parsed.payload);
  }

  const settings = resolveStrategySettings(strategy.settings);
  const runAt: number[] = [];
  for (const [i, signal] of parsed.signals.entries()) {
    // Ticker form, allowed tickers and asset-class rules: a 400 the sender sees, before anything is queued.
    const check = validateSignalForStrategy(signal, strategy, new Date(receivedAt));
    if (!check.ok) {
      const field = check.field && parsed.signals.length > 1 ? `[${i}].${check.field}` : check.field;
      return reject(400, check.messageCode, check.message, strategy.userId, parsed.payload, field);
    }
    const resolved = resolveDelay(signal.delay, new Date(receivedAt));
    if (!resolved.ok) {
      const field = parsed.signals.length > 1 ? `[${i}].${resolved.field}` : resolved.field;
      return reject(400, resolved.messageCode, resolved.message, strategy.userId, parsed.payload, field);
    }
    runAt.push(resolved.at.getTime());
  }
  const tooOld = staleSignal(parsed.signals, settings.maxSignalAgeSeconds, new Date(receivedAt));
  if (tooOld) return reject(400, "signal-too-old", tooOld.message, strategy.userId, parsed.payload, tooOld.field);

  // One id per signal: a multi-signal message runs its signals in order, each with its own outcome.
  const bodyHash = await hashWebhookSecret(bodyText.text);
  const candidates = parsed.signals.map((signal, i) => {
    const id = i === 0 ? signalId : crypto.randomUUID();
    const logRow: SignalLogRow = {
      id,
      userId: strategy.userId,
      strategyId: strategy.id,
      receivedAt: receivedAt + i, // keeps list order stable within one message
      status: "accepted",
      payload: parsed.signals.length === 1 ? parsed.payload : signal,
      ...meta,
      alertId: signal.alertId ?? null,
      // Only the first signal of a message stands for the body: the others would match it.
      bodyHash: i === 0 ? bodyHash : null,
    };
    const trades = targets.map((t) => ({ id: crypto.randomUUID(), subscriptionId: t.id }));
    const due = runAt[i] ?? receivedAt;
    return { signal, logRow, trades, notBefore: due > receivedAt ? due : null };
  });

  // Repeated deliveries are recognised before anything is queued (see dedupe.ts).
  const entries: typeof candidates = [];
  let duplicateOf: string | null = null;
  for (const [i, entry] of candidates.entries()) {
    const rule = { alertId: entry.logRow.alertId, duplicateWindowMs: i === 0 ? settings.duplicateWindowSeconds * 1000 : 0 };
    if (!needsDedupe(rule)) {
      entries.push(entry);
      continue;
    }
    let original: string | null;
    try {
      original = await insertUnlessDuplicate(c.env.DB, entry.logRow, rule);
    } catch (err) {
      return unavailable(c, err);
    }
    if (original === null) entries.push(entry);
    else if (i === 0) duplicateOf = original;
  }
  if (entries.length === 0) {
    return accepted(c, { id: duplicateOf ?? signalId, logId: signalId, duplicate: true, payload: parsed.payload });
  }

  const envelopesFor = (target: SubscriptionTarget, index: number): QueuedSignal[] =>
    entries.map(({ signal, logRow, trades, notBefore }) => ({
      signalId: logRow.id,
      tradeId: trades[index]?.id ?? crypto.randomUUID(),
      userId: strategy.userId,
      receivedAt: logRow.receivedAt,
      // A delayed signal waits for the queue's alarm, never for a sleep.
      notBefore,
      signal,
      strategy: {
        id: strategy.id,
        assetClass: strategy.assetClass,
        allowedTickers: strategy.allowedTickers,
        settings: strategy.settings,
      },
      subscription: { id: target.id, settings: target.settings },
      account: target.account,
      connection: target.connection,
      logRow,
    }));

  const logRows = (withTrades: boolean) =>
    entries.map(({ logRow, trades }) => ({ log: logRow, trades: withTrades ? trades : [] }));

  let queuedTargets: SubscriptionTarget[] = [];
  if (targets.length === 0) {
    // Nothing to execute: the log row is the whole record.
    try {
      await logAccepted(c.env.DB, logRows(false));
    } catch (err) {
      return unavailable(c, err);
    }
  } else {
    // The queues are the durable record. Each one writes the signal's log row and its own trade
    // to D1 with its read-model sync (off the reply's path, after the order when it runs at once),
    // so the webhook's reply costs one D1 read and one Durable Object write per subscription.
    const queueResults = await Promise.allSettled(targets.map((t, i) => enqueueWithRetry(c.env, t.id, envelopesFor(t, i))));
    queuedTargets = targets.filter((_, i) => queueResults[i]?.status === "fulfilled");
    const failedTargets = targets.filter((_, i) => queueResults[i]?.status === "rejected");
    if (failedTargets.length > 0) {
      console.error(`webhook ${strategy.id}: could not queue for ${failedTargets.length} subscription(s)`);
      const outcome = await recordUnqueued(c.env, entries, logRows(true), queuedTargets, failedTargets);
      // Nothing stored anywhere: the sender must retry, and a retry cannot duplicate anything.
      if (outcome.stored === false) return unavailable(c, outcome.error);
    }
  }

  const waitMs = parseWait(c.req.query("wait"));
  const trades =
    waitMs > 0 ? await waitForTrades(c.env, queuedTargets, entries.map((e) => e.logRow.id), waitMs) : undefined;

  return accepted(c, {
    id: duplicateOf ?? signalId,
    logId: signalId,
    ...(duplicateOf && { duplicate: true as const }),
    payload: parsed.payload,
    ...(entries.length > 1 && { signals: entries.map((e) => ({ id: e.logRow.id, logId: e.logRow.id })) }),
    ...(trades && { trades }),
  });
}

function queueOf(env: Env, subscriptionId: string) {
  return env.SUBSCRIPTION_QUEUE.getByName(subscriptionId);
}

/** One retry for a transient Durable Object error; enqueue is idempotent per signal id. */
async function enqueueWithRetry(env: Env, subscriptionId: string, batch: QueuedSignal[]): Promise<void> {
  try {
    await queueOf(env, subscriptionId).enqueue(batch);
  } catch (err) {
    if (isOverloaded(err)) throw err; // retrying an overloaded object only makes it worse
    await queueOf(env, subscriptionId).enqueue(batch);
  }
}

function isOverloaded(err: unknown): boolean {
  return typeof err === "object" && err !== null && "overloaded" in err && (err as { overloaded?: unknown }).overloaded === true;
}

/**
 * Some queues could not take the signal. Its log row and the trades of every
 * subscription go to D1 now, the unqueued ones as failed, so nothing stays
 * invisible. When D1 is down too but at least one queue holds the signal, it
 * WILL execute there, so answering 503 would invite a duplicate: those queues
 * write the missing rows (the unqueued trades as failed) once D1 is back.
 */
async function recordUnqueued(
  env: Env,
  entries: readonly { logRow: SignalLogRow; trades: readonly { id: string; subscriptionId: string }[] }[],
  rows: Parameters<typeof logAccepted>[1],
  queued: readonly SubscriptionTarget[],
  failed: readonly SubscriptionTarget[],
): Promise<{ stored: true } | { stored: false; error: unknown }> {
  try {
    await logAccepted(env.DB, rows);
  } catch (error) {
    if (queued.length === 0) return { stored: false, error };
    const failedIds = new Set(failed.map((t) => t.id));
    await Promise.allSettled(
      queued.flatMap((t) =>
        entries.map((e) =>
          queueOf(env, t.id).ensureLogged(
            e.logRow.id,
            e.trades.filter((tr) => failedIds.has(tr.subscriptionId)).map((tr) => ({ tradeId: tr.id, subscriptionId: tr.subscriptionId })),
          ),
        ),
      ),
    );
    return { stored: true };
  }
  await markUnqueued(env.DB, entries, failed);
  return { stored: true };
}

/** Trades that could not be queued get a visible, terminal outcome instead of staying "queued" forever. */
async function markUnqueued(
  d1: D1Database,
  entries: readonly { logRow: SignalLogRow; trades: readonly { id: string; subscriptionId: string }[] }[],
  failed: readonly SubscriptionTarget[],
): Promise<void> {
  const failedIds = new Set(failed.map((t) => t.id));
  const now = Date.now();
  const stmts = entries.flatMap((e) =>
    e.trades
      .filter((t) => failedIds.has(t.subscriptionId))
      .map((t) =>
        d1
          .prepare(`UPDATE trades SET status = 'failed', message_code = 'queue-unavailable', message = ?, updated_at = ? WHERE id = ? AND status = 'queued'`)
          .bind("Tradeloop could not queue this signal for the subscription, so no order was sent. Send the alert again.", now, t.id),
      ),
  );
  if (stmts.length > 0) await d1.batch(stmts).catch((err: unknown) => console.error("markUnqueued failed", err));
}

/** Holds the reply until every (subscription, signal) trade is terminal or `waitMs` passes. */
async function waitForTrades(
  env: Env,
  targets: readonly SubscriptionTarget[],
  signalIds: readonly string[],
  waitMs: number,
): Promise<WaitedTrade[]> {
  const waits = targets.flatMap((t) =>
    signalIds.map(async (signalId): Promise<WaitedTrade | null> => {
      try {
        const snap = await queueOf(env, t.id).waitForTrade(signalId, waitMs);
        return snap ? { subscriptionId: t.id, ...snap } : null;
      } catch {
        return null;
      }
    }),
  );
  return (await Promise.all(waits)).filter((t): t is WaitedTrade => t !== null);
}

function parseWait(raw: string | undefined): number {
  if (!raw) return 0;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms > 0 ? Math.min(MAX_WAIT_MS, Math.floor(ms)) : 0;
}

/** Reads at most MAX_BODY_BYTES of the body as UTF-8 text. */
async function readBody(request: Request): Promise<{ text: string; tooLarge: boolean }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { text: "", tooLarge: true };
  const buf = await request.arrayBuffer();
  if (buf.byteLength > MAX_BODY_BYTES) return { text: "", tooLarge: true };
  return { text: new TextDecoder().decode(buf), tooLarge: false };
}

function unavailable(c: WebhookContext, err: unknown): Response {
  console.error("webhook storage failure", errorMessage(err));
  return rejected(
    c,
    503,
    { messageCode: "temporarily-unavailable", message: "Tradeloop could not store this signal right now. Nothing was executed; send it again." },
    { "Retry-After": "1" },
  );
}
