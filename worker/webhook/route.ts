/**
 * `POST /webhook/:strategyId/:secret` (or `POST /webhook/:strategyId` with the
 * secret in the `X-Webhook-Passphrase` header or a `passphrase` field, see
 * passphrase.ts): the alert's way in.
 *
 * 0. read the body, stopping at 64 KB while it streams (body.ts);
 * 1. authenticate: constant-time check of the secret's hash, then the
 *    strategy's source restriction and its webhook rate. Until the sender has
 *    proved the secret nothing of its body is stored: a refusal keeps only
 *    time, source IP, size and code, at most 20 rows per strategy at once
 *    and then one every 3 minutes;
 *    an unknown strategy stores nothing at all;
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
import { RATE_RULES, take, webhookRule } from "../limits/throttle";
import { MAX_BODY_BYTES, readBoundedBody } from "./body";
import { PASSPHRASE_HEADER, takePassphrase } from "./passphrase";
import { checkSource } from "./source-rules";
import type { AppBindings, Env } from "../env";
import type { QueuedSignal, SignalLogRow } from "../execution/envelope";
import { log } from "../lib/log";
import { parseSignalBody } from "./parse-signal";
import { accepted, rejected, type WaitedTrade } from "./reply";
import { resolveStrategySettings } from "../api/strategy-settings";
import type { Signal } from "./signal-schema";
import { resolveDelay } from "../trading/delay";
import { signalOutcome } from "../trading/signal-outcome";
import { validateSignalForStrategy } from "../trading/validate";
import { insertUnlessDuplicate, needsDedupe } from "./dedupe";
import { loggablePayload, logAccepted, logRefused, logRejected, type LoggedTrade } from "./signal-log";
import { lookupStrategy, type SubscriptionTarget } from "./strategy-lookup";

/** The message of a trade whose subscription's queue could not take the signal. */
const UNQUEUED_MESSAGE = "Tradeloop could not queue this signal for the subscription, so no order was sent. Send the alert again.";

/** `?wait=` is capped below TradingView's 3 s timeout. */
const MAX_WAIT_MS = 2_500;

type WebhookContext = Context<AppBindings>;

const postRequired = (c: WebhookContext) => rejected(c, 400, { messageCode: "post-required", message: "Webhooks must be sent with HTTP POST." });

export const webhookRoutes = new Hono<AppBindings>()
  .post("/webhook/:strategyId/:secret", handleWebhook)
  .post("/webhook/:strategyId", handleWebhook)
  .all("/webhook/:strategyId/:secret", postRequired)
  .all("/webhook/:strategyId", postRequired)
  .all("/webhook/*", (c) => rejected(c, 404, { messageCode: "not-found", message: "Webhook not found." }));

async function handleWebhook(c: WebhookContext): Promise<Response> {
  const receivedAt = Date.now();
  const signalId = crypto.randomUUID();
  const { strategyId, secret: pathSecret } = c.req.param() as { strategyId: string; secret?: string };
  const meta = {
    sourceIp: c.req.header("cf-connecting-ip") ?? null,
    contentType: c.req.header("content-type") ?? null,
  };

  const body = await readBoundedBody(c.req.raw);

  let found: Awaited<ReturnType<typeof lookupStrategy>>;
  try {
    found = await lookupStrategy(c.env.DB, strategyId);
  } catch (err) {
    return unavailable(c, err);
  }
  // An unknown strategy stores nothing: anyone can invent ids, so logging them would let anyone write rows.
  if (!found) return rejected(c, 404, { messageCode: "not-found", message: "Webhook not found." });
  const { strategy } = found;
  // A paused subscription (its connection expired or was disconnected) still gets the signal in its
  // log, as a trade refused with the pause code; only running subscriptions are queued.
  const targets = found.targets.filter((t) => t.paused === null);
  const pausedTargets = found.targets.filter((t) => t.paused !== null);

  /** A refusal before the sender is trusted: no body kept, at most RATE_RULES.webhookRefusedLog rows per strategy. */
  const refuse = async (status: 400 | 429, messageCode: string, message: string, headers?: Record<string, string>): Promise<Response> => {
    const room = await take(c.env, `webhook-refused:${strategy.id}`, RATE_RULES.webhookRefusedLog);
    if (room.ok) {
      try {
        await logRefused(c.env.DB, { id: signalId, userId: strategy.userId, strategyId: strategy.id, receivedAt, messageCode, message, ...meta, bodyBytes: body.bytes });
      } catch (err) {
        log.error("webhook: could not log a refused request", { error: err instanceof Error ? err.message : String(err) });
      }
    }
    return rejected(c, status, { ...(room.ok && { logId: signalId }), messageCode, message }, headers);
  };

  // The secret: in the path, else the header, else the message's `passphrase` field (removed from
  // the text either way, so it is never parsed into the log or echoed). Compared as a hash in
  // constant time and never logged.
  let text = body.text;
  let presented = pathSecret ?? c.req.header(PASSPHRASE_HEADER);
  if (!body.tooLarge) {
    const taken = takePassphrase(text);
    text = taken.text;
    presented ??= taken.passphrase;
  }
  if (presented === undefined || presented === "" || !(await verifyWebhookSecret(presented, strategy.secretHash))) {
    return refuse(
      400,
      "invalid-password",
      pathSecret === undefined
        ? `The webhook's password is missing or wrong. Send it in the URL (/webhook/<strategyId>/<secret>), the ${PASSPHRASE_HEADER} header or a "passphrase" field; copy it again from Tradeloop (it changes when rotated).`
        : "The webhook URL's password is wrong. Copy the webhook URL again from Tradeloop (it changes when rotated).",
    );
  }
  const settings = resolveStrategySettings(strategy.settings);
  const source = checkSource(settings.allowedSources, meta.sourceIp);
  if (!source.ok) return refuse(400, source.messageCode, source.message);
  const rate = await take(c.env, `webhook:${strategy.id}`, webhookRule(settings.webhookRatePerMinute));
  if (!rate.ok) {
    return refuse(
      429,
      "too-many-requests",
      `This webhook takes ${settings.webhookRatePerMinute} signals per minute (webhookRatePerMinute); wait ${rate.retryAfterSeconds} s before sending again.`,
      { "Retry-After": String(rate.retryAfterSeconds) },
    );
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

  if (body.tooLarge) {
    return reject(413, "payload-too-large", `The alert message is larger than ${MAX_BODY_BYTES / 1024} KB.`, strategy.userId, { bytes: body.bytes });
  }
  const bodyText = { text };

  const parsed = parseSignalBody(bodyText.text, { now: new Date(receivedAt) });
  if (!parsed.ok) {
    return reject(400, parsed.messageCode, parsed.message, strategy.userId, loggablePayload(parsed.payload, bodyText.text), parsed.field);
  }
  if (!strategy.enabled) {
    return reject(400, "strategy-disabled", "This strategy is disabled. Enable it in Tradeloop to trade its alerts.", strategy.userId, parsed.payload);
  }

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
  const tooOld = staleSignal(parsed.signals, settings.maxSignalAgeSeconds, receivedAt);
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
      // The outcome stays pending until every subscription's trade is in D1 (a paused one's refusal included).
      expectedTrades: targets.length + pausedTargets.length,
    };
    const trades = targets.map((t) => ({ id: crypto.randomUUID(), subscriptionId: t.id }));
    const refused: LoggedTrade[] = pausedTargets.map((t) => ({
      id: crypto.randomUUID(),
      subscriptionId: t.id,
      refused: { code: t.paused!.code, message: `Nothing was sent: the subscription is paused. ${t.paused!.reason}` },
    }));
    const due = runAt[i] ?? receivedAt;
    return { signal, logRow, trades, refused, notBefore: due > receivedAt ? due : null };
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
  let unqueuedTargets: SubscriptionTarget[] = [];
  if (targets.length === 0 || pausedTargets.length > 0) {
    // Nothing to execute (the log row is the whole record), or paused subscriptions whose refused
    // trades are recorded here, before anything is queued (so a 503 still means "nothing stored").
    try {
      await logAccepted(c.env.DB, entries.map(({ logRow, refused }) => ({ log: logRow, trades: refused })));
    } catch (err) {
      return unavailable(c, err);
    }
  }
  if (targets.length > 0) {
    // The queues are the durable record. Each one writes the signal's log row and its own trade
    // to D1 with its read-model sync (off the reply's path, after the order when it runs at once),
    // so the webhook's reply costs one D1 read and one Durable Object write per subscription.
    const queueResults = await Promise.allSettled(targets.map((t, i) => enqueueWithRetry(c.env, t.id, envelopesFor(t, i))));
    queuedTargets = targets.filter((_, i) => queueResults[i]?.status === "fulfilled");
    const failedTargets = targets.filter((_, i) => queueResults[i]?.status === "rejected");
    unqueuedTargets = failedTargets;
    if (failedTargets.length > 0) {
      log.error("webhook: could not queue for some subscriptions", { strategyId: strategy.id, failed: failedTargets.length });
      const outcome = await recordUnqueued(c.env, entries, logRows(true), queuedTargets, failedTargets);
      // Nothing stored anywhere: the sender must retry, and a retry cannot duplicate anything.
      if (outcome.stored === false) return unavailable(c, outcome.error);
    }
  }

  const waitMs = parseWait(c.req.query("wait"));
  const trades =
    waitMs > 0 ? await waitForTrades(c.env, queuedTargets, entries.map((e) => e.logRow.id), waitMs) : undefined;
  // With trades to report, say what each signal did, exactly as GET /api/signals/:id derives it.
  const outcomeOf = (id: string) => (trades ? waitedOutcome(id, targets.length, trades, unqueuedTargets.length) : {});

  return accepted(c, {
    id: duplicateOf ?? signalId,
    logId: signalId,
    ...(duplicateOf && { duplicate: true as const }),
    payload: parsed.payload,
    ...(entries.length === 1 && entries[0] && outcomeOf(entries[0].logRow.id)),
    ...(entries.length > 1 && { signals: entries.map((e) => ({ id: e.logRow.id, logId: e.logRow.id, ...outcomeOf(e.logRow.id) })) }),
    ...(trades && { trades }),
  });
}

/** A signal's outcome from the trades a `?wait=` collected (and the subscriptions whose queue refused it). */
function waitedOutcome(signalId: string, expected: number, trades: readonly WaitedTrade[], unqueued: number) {
  return signalOutcome({
    status: "accepted",
    messageCode: null,
    message: null,
    duplicateOf: null,
    expectedTrades: expected,
    trades: [
      ...trades.filter((t) => t.signalId === signalId),
      ...Array.from({ length: unqueued }, () => ({ status: "failed" as const, messageCode: "queue-unavailable", message: UNQUEUED_MESSAGE })),
    ],
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
          .bind(UNQUEUED_MESSAGE, now, t.id),
      ),
  );
  if (stmts.length > 0) await d1.batch(stmts).catch((err: unknown) => log.error("webhook: marking unqueued trades failed", { error: err }));
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

function unavailable(c: WebhookContext, err: unknown): Response {
  log.error("webhook: storage failure", { error: err instanceof Error ? err.message : String(err) });
  return rejected(
    c,
    503,
    { messageCode: "temporarily-unavailable", message: "Tradeloop could not store this signal right now. Nothing was executed; send it again." },
    { "Retry-After": "1" },
  );
}

/** The first signal older than the strategy allows, judged by its own `time`. */
function staleSignal(
  signals: readonly Signal[],
  maxAgeSeconds: number | undefined,
  now: number,
): { message: string; field: string } | null {
  if (maxAgeSeconds === undefined) return null;
  for (const [i, s] of signals.entries()) {
    if (!s.time) continue;
    const sent = Date.parse(s.time);
    if (Number.isNaN(sent)) continue;
    const ageSeconds = Math.round((now - sent) / 1000);
    if (ageSeconds > maxAgeSeconds) {
      return {
        field: signals.length > 1 ? `[${i}].time` : "time",
        message: `The alert is ${ageSeconds} s old ("time" is ${s.time}) and this strategy refuses signals older than ${maxAgeSeconds} s (maxSignalAgeSeconds). It was not executed.`,
      };
    }
  }
  return null;
}
