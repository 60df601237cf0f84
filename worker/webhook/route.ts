/**
 * `POST /webhook/:strategyId/:secret` (or `POST /webhook/:strategyId` with the
 * secret in the `X-Webhook-Passphrase` header or a `passphrase` field, see
 * passphrase.ts): the alert's way in.
 *
 * 0. read the body, stopping at 64 KB while it streams (body.ts), and find
 *    the strategy: from the isolate cache, or D1 (strategy-lookup.ts);
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
 * A view of the strategy from the cache is stamped on each queued signal;
 * a queue that knows a newer configuration refuses it, and the request starts
 * over from D1. So does any refusal decided on cached data.
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
import { QUEUE_UNAVAILABLE, type EnqueueRequest, type EnqueueResult, type SignalLogRow } from "../execution/envelope";
import { log } from "../lib/log";
import { markUnqueuedTrades } from "../execution/read-model";
import { parseSignalBody } from "../trading/parse-signal";
import { accepted as acceptedReply, rejected, type WaitedTrade } from "./reply";
import { resolveStrategySettings } from "../trading/strategy-settings";
import { resolveDelay } from "../trading/delay";
import { signalOutcome } from "../trading/signal-outcome";
import { validateSignalForStrategy } from "../trading/validate";
import { staleSignal } from "../trading/signal-age";
import { insertUnlessDuplicate, needsDedupe } from "./dedupe";
import { loggablePayload, logAccepted, logRefused, logRejected, type LoggedTrade } from "./signal-log";
import { lookupStrategy, type PausedSubscription, type StrategyLookup } from "./strategy-lookup";
import type { Signal } from "../trading/signal-schema";
import { errorMessage } from "../../plugins/sdk";

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

/** One received request, as it stays across attempts. */
interface Received {
  receivedAt: number;
  /** The first signal's id, which is also the request's log id. */
  signalId: string;
  strategyId: string;
  /** The secret as presented (path, header or `passphrase` field), if any. */
  secret: string | undefined;
  /** Whether it came in the path (the refusal names the URL then). */
  secretInPath: boolean;
  meta: { sourceIp: string | null; contentType: string | null };
  /** The body as read (capped while streaming), with any `passphrase` field taken out. */
  body: { text: string; tooLarge: boolean; bytes: number };
}

/** A signal that passed every check, ready to queue. */
interface Entry {
  signal: Signal;
  logRow: SignalLogRow;
  notBefore: number | null;
}

/** What the signals became once checked and deduplicated: the body of the accepted reply. */
interface Accepted {
  entries: Entry[];
  duplicateOf: string | null;
  payload: unknown;
}

/**
 * What one attempt hands the next. An attempt starts over when its view of
 * the strategy came from the isolate cache and turned out stale (a queue
 * refused its stamp) or would refuse the signal (refusals are decided on D1).
 */
interface Attempt {
  /** Read the strategy from D1, not the cache. */
  fresh: boolean;
  number: number;
  /** Decided once: deduplication writes D1. */
  accepted?: Accepted;
  /** Queues that already took the signals (before any change reached them: for them, the signals stand). */
  queued: string[];
  /** Trade id per subscription and signal, stable across attempts. */
  tradeIds: Map<string, Map<string, string>>;
  /** Paused subscriptions whose refused trades are logged (settled, like the queued ones). */
  refused: PausedSubscription[];
  /** The subscription counts stamped on log rows that queues took (they copy them to D1). */
  stampedCounts: Set<number>;
  /** The request's webhook-rate token is taken (once per request, whatever the attempts). */
  rateTaken?: boolean;
}

/** Attempts before a signal whose queues keep refusing the stamp is given up (then 503: nothing stands). */
const MAX_ATTEMPTS = 3;

async function handleWebhook(c: WebhookContext): Promise<Response> {
  const { strategyId, secret: pathSecret } = c.req.param() as { strategyId: string; secret?: string };
  const receivedAt = Date.now();
  const meta = { sourceIp: c.req.header("cf-connecting-ip") ?? null, contentType: c.req.header("content-type") ?? null };
  const body = await readBoundedBody(c.req.raw);
  // The secret: in the path, else the header, else the message's `passphrase` field (removed from
  // the text either way, so it is never parsed into the log or echoed). Never logged.
  let text = body.text;
  let presented = pathSecret ?? c.req.header(PASSPHRASE_HEADER);
  if (!body.tooLarge) {
    const taken = takePassphrase(text);
    text = taken.text;
    presented ??= taken.passphrase;
  }
  const received: Received = {
    receivedAt,
    signalId: crypto.randomUUID(),
    strategyId,
    secret: presented,
    secretInPath: pathSecret !== undefined,
    meta,
    body: { text, tooLarge: body.tooLarge, bytes: body.bytes },
  };
  return handleSignals(c, received, { fresh: false, number: 1, queued: [], refused: [], tradeIds: new Map(), stampedCounts: new Set() });
}

async function handleSignals(c: WebhookContext, req: Received, attempt: Attempt): Promise<Response> {
  const { receivedAt, signalId, strategyId, secret, meta, body: bodyText } = req;
  let found: StrategyLookup | null;
  try {
    found = await lookupStrategy(c.env.DB, strategyId, { fresh: attempt.fresh });
  } catch (err) {
    return unavailable(c, err);
  }
  const again = (): Promise<Response> => handleSignals(c, req, { ...attempt, fresh: true, number: attempt.number + 1 });
  // An unknown strategy stores nothing: anyone can invent ids, so logging them would let anyone write rows.
  // (A miss is always read from D1: the cache holds only strategies it found.)
  if (!found) return rejected(c, 404, { messageCode: "not-found", message: "Webhook not found." });
  const { strategy } = found;

  /** A refusal before the sender is trusted: no body kept, at most RATE_RULES.webhookRefusedLog rows per strategy. */
  const refuse = async (status: 400 | 429, messageCode: string, message: string, headers?: Record<string, string>): Promise<Response> => {
    // Never decided on cached data (the secret may have been rotated, the sources or the rate changed): read D1 first.
    if (found && !found.fresh) return again();
    // Queues that took the signals before a concurrent change reached them keep them: for those, the signals stand.
    if (attempt.accepted && attempt.queued.length > 0) return finish(c, req, attempt.accepted, attempt.queued);
    const room = await take(c.env, `webhook-refused:${strategy.id}`, RATE_RULES.webhookRefusedLog);
    if (room.ok) {
      try {
        await logRefused(c.env.DB, { id: signalId, userId: strategy.userId, strategyId: strategy.id, receivedAt, messageCode, message, ...meta, bodyBytes: req.body.bytes });
      } catch (err) {
        log.error("webhook: could not log a refused request", { error: errorMessage(err) });
      }
    }
    return rejected(c, status, { ...(room.ok && { logId: signalId }), messageCode, message }, headers);
  };

  // Compared as a hash in constant time.
  if (secret === undefined || secret === "" || !(await verifyWebhookSecret(secret, strategy.secretHash))) {
    return refuse(
      400,
      "invalid-password",
      req.secretInPath
        ? "The webhook URL's password is wrong. Copy the webhook URL again from Tradeloop (it changes when rotated)."
        : `The webhook's password is missing or wrong. Send it in the URL (/webhook/<strategyId>/<secret>), the ${PASSPHRASE_HEADER} header or a "passphrase" field; copy it again from Tradeloop (it changes when rotated).`,
    );
  }
  const settings = resolveStrategySettings(strategy.settings);
  const source = checkSource(settings.allowedSources, meta.sourceIp);
  if (!source.ok) return refuse(400, source.messageCode, source.message);
  // One token per request, whatever the attempts (a refused take costs none, so a denial on a cached view is retried on D1's).
  if (!attempt.rateTaken) {
    const rate = await take(c.env, `webhook:${strategy.id}`, webhookRule(settings.webhookRatePerMinute));
    if (!rate.ok) {
      return refuse(
        429,
        "too-many-requests",
        `This webhook takes ${settings.webhookRatePerMinute} signals per minute (webhookRatePerMinute); wait ${rate.retryAfterSeconds} s before sending again.`,
        { "Retry-After": String(rate.retryAfterSeconds) },
      );
    }
    attempt.rateTaken = true;
  }

  const reject = async (
    status: 400 | 404 | 413,
    messageCode: string,
    message: string,
    userId: string | null,
    payload: unknown,
    field?: string,
  ): Promise<Response> => {
    // A refusal is never decided on cached data (the secret may have been rotated, the strategy enabled): read D1 first.
    if (found && !found.fresh) return again();
    // Queues that took the signals before a concurrent change reached them keep them: for those, the signals stand.
    if (attempt.accepted && attempt.queued.length > 0) return finish(c, req, attempt.accepted, attempt.queued);
    try {
      await logRejected(c.env.DB, { id: signalId, userId, strategyId: strategyId.slice(0, 64), receivedAt, messageCode, message, payload, ...meta });
    } catch (err) {
      return unavailable(c, err);
    }
    return rejected(c, status, { ...(status !== 404 && { logId: signalId }), messageCode, message, ...(field && { field }) });
  };

  if (bodyText.tooLarge) {
    return reject(413, "payload-too-large", `The alert message is larger than ${MAX_BODY_BYTES / 1024} KB.`, strategy.userId, { bytes: bodyText.bytes });
  }

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
  const tooOld = staleSignal(parsed.signals, settings.maxSignalAgeSeconds, new Date(receivedAt));
  if (tooOld) return reject(400, "signal-too-old", tooOld.message, strategy.userId, parsed.payload, tooOld.field);

  if (!attempt.accepted) {
    // One id per signal: a multi-signal message runs its signals in order, each with its own outcome.
    const bodyHash = await hashWebhookSecret(bodyText.text);
    const candidates: Entry[] = parsed.signals.map((signal, i) => {
      const due = runAt[i] ?? receivedAt;
      return {
        signal,
        logRow: {
          id: i === 0 ? signalId : crypto.randomUUID(),
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
          expectedTrades: found.subscriptionIds.length + found.paused.length,
        },
        notBefore: due > receivedAt ? due : null,
      };
    });

    // Repeated deliveries are recognised before anything is queued (see dedupe.ts).
    const entries: Entry[] = [];
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
    attempt.accepted = { entries, duplicateOf, payload: parsed.payload };
  }
  const accepted = attempt.accepted;
  const { entries } = accepted;
  if (entries.length === 0) {
    return acceptedReply(c, { id: accepted.duplicateOf ?? signalId, logId: signalId, duplicate: true, payload: accepted.payload });
  }

  const tradeIdsOf = (subscriptionId: string): Map<string, string> => {
    let ids = attempt.tradeIds.get(subscriptionId);
    if (!ids) attempt.tradeIds.set(subscriptionId, (ids = new Map(entries.map((e) => [e.logRow.id, crypto.randomUUID()]))));
    return ids;
  };
  const logRows = (subscriptionIds: readonly string[]) =>
    entries.map(({ logRow }) => ({ log: logRow, trades: subscriptionIds.map((id) => ({ id: tradeIdsOf(id).get(logRow.id)!, subscriptionId: id })) }));

  // A subscription already settled by an earlier attempt (queued, or refused as paused) stays as it is.
  const settled = (id: string) => attempt.queued.includes(id) || attempt.refused.some((p) => p.id === id);
  const targets = found.subscriptionIds.filter((id) => !settled(id));
  const paused = found.paused.filter((p) => !settled(p.id));
  // The outcome stays pending until every subscription's trade is in D1: each queue copies this count.
  const stamped = attempt.queued.length + attempt.refused.length + targets.length + paused.length;
  for (const e of entries) e.logRow.expectedTrades = stamped;

  // A paused subscription's refusal is a refusal: never decided on cached data (it may have been resumed).
  if (paused.length > 0 && !found.fresh) return again();
  if ((targets.length === 0 && attempt.queued.length === 0) || paused.length > 0) {
    // Nothing to execute (the log row is the whole record), or paused subscriptions (their connection
    // expired or was disconnected) whose refused trades are recorded here, before anything is queued,
    // so a 503 still means "nothing stored".
    const refusedRows = entries.map(({ logRow }) => ({
      log: logRow,
      trades: paused.map((p): LoggedTrade => ({ id: tradeIdsOf(p.id).get(logRow.id)!, subscriptionId: p.id, refused: refusal(p) })),
    }));
    try {
      await logAccepted(c.env.DB, refusedRows);
      attempt.refused.push(...paused);
      attempt.stampedCounts.add(stamped);
    } catch (err) {
      if (attempt.queued.length === 0) return unavailable(c, err);
      // Queues hold the signals already, so they stand: the paused subscriptions count as unqueued.
      log.error("webhook: could not log the refusals of paused subscriptions", { strategyId: strategy.id, paused: paused.length, error: errorMessage(err) });
      targets.push(...paused.map((p) => p.id));
    }
    if (targets.length === 0 && attempt.queued.length === 0) return finish(c, req, accepted, [], 0, attempt.refused);
  }

  // The queues are the durable record. Each one writes the signal's log row and its own trade
  // to D1 with its read-model sync (off the reply's path, after the order when it runs at once),
  // so a warm webhook's reply costs one Durable Object write per subscription and no D1 at all.
  const version = found.version;
  const results = await Promise.allSettled(
    targets.map((id) =>
      enqueueWithRetry(c.env, id, {
        subscriptionId: id,
        configVersion: version,
        signals: entries.map(({ signal, logRow, notBefore }) => ({
          signalId: logRow.id,
          tradeId: tradeIdsOf(id).get(logRow.id)!,
          receivedAt: logRow.receivedAt,
          // A delayed signal waits for the queue's alarm, never for a sleep.
          notBefore,
          signal,
          logRow,
        })),
      }),
    ),
  );
  const stale: string[] = [];
  const failed: string[] = [];
  for (const [i, id] of targets.entries()) {
    const r = results[i];
    if (r?.status === "fulfilled" && "stale" in r.value) stale.push(id);
    else if (r?.status === "fulfilled") {
      attempt.queued.push(id);
      attempt.stampedCounts.add(stamped);
    } else failed.push(id);
  }
  // A queue knows a newer configuration than this view: read D1 and go again (the queues that took it keep it).
  if (stale.length > 0 && attempt.number < MAX_ATTEMPTS) return again();
  failed.push(...stale);
  const expected = attempt.queued.length + failed.length + attempt.refused.length;
  for (const e of entries) e.logRow.expectedTrades = expected;
  // A queue that took the signal in an earlier attempt copies an older count to D1: D1 gets the final one.
  const recount = [...attempt.stampedCounts].some((n) => n !== expected);
  if (failed.length > 0) {
    log.error("webhook: could not queue for some subscriptions", { strategyId: strategy.id, failed: failed.length });
    const outcome = await recordUnqueued(c.env, logRows([...attempt.queued, ...failed]), attempt.queued, failed, recount);
    // Nothing stored anywhere: the sender must retry, and a retry cannot duplicate anything.
    if (outcome.stored === false) return unavailable(c, outcome.error);
  } else if (recount) {
    await logAccepted(c.env.DB, logRows([]), { expectedTrades: "overwrite" }).catch((err: unknown) => log.error("webhook: correcting expected trades failed", { error: errorMessage(err) }));
  }
  return finish(c, req, accepted, attempt.queued, failed.length, attempt.refused);
}

/** The refused trade of a paused subscription: its pause code and a sentence the trader can act on. */
function refusal(p: PausedSubscription): { code: string; message: string } {
  return { code: p.code, message: `Nothing was sent: the subscription is paused. ${p.reason}` };
}

/** The accepted reply, after `?wait=` when asked (then with each signal's outcome). */
async function finish(
  c: WebhookContext,
  req: Received,
  accepted: Accepted,
  queued: readonly string[],
  unqueued = 0,
  refused: readonly PausedSubscription[] = [],
): Promise<Response> {
  const { entries, duplicateOf } = accepted;
  const waitMs = parseWait(c.req.query("wait"));
  const trades = waitMs > 0 ? await waitForTrades(c.env, queued, entries.map((e) => e.logRow.id), waitMs) : undefined;
  // With trades to report, say what each signal did, exactly as GET /api/signals/:id derives it.
  const outcomeOf = (id: string) => (trades ? waitedOutcome(id, queued.length, trades, unqueued, refused) : {});
  return acceptedReply(c, {
    id: duplicateOf ?? req.signalId,
    logId: req.signalId,
    ...(duplicateOf && { duplicate: true as const }),
    payload: accepted.payload,
    ...(entries.length === 1 && entries[0] && outcomeOf(entries[0].logRow.id)),
    ...(entries.length > 1 && { signals: entries.map((e) => ({ id: e.logRow.id, logId: e.logRow.id, ...outcomeOf(e.logRow.id) })) }),
    ...(trades && { trades }),
  });
}

/**
 * A signal's outcome from the trades a `?wait=` collected, the subscriptions
 * whose queue could not take it, and the paused ones that refused it.
 */
function waitedOutcome(signalId: string, queued: number, trades: readonly WaitedTrade[], unqueued: number, refused: readonly PausedSubscription[]) {
  const collected = trades.filter((t) => t.signalId === signalId);
  return signalOutcome({
    status: "accepted",
    messageCode: null,
    message: null,
    duplicateOf: null,
    expectedTrades: queued + unqueued + refused.length,
    trades: [
      ...collected,
      ...Array.from({ length: unqueued }, () => ({ status: "failed" as const, ...QUEUE_UNAVAILABLE })),
      ...refused.map((p) => ({ status: "rejected" as const, messageCode: refusal(p).code, message: refusal(p).message })),
    ],
  });
}

function queueOf(env: Env, subscriptionId: string) {
  return env.SUBSCRIPTION_QUEUE.getByName(subscriptionId);
}

/** One retry for a transient Durable Object error; enqueue is idempotent per signal id. */
async function enqueueWithRetry(env: Env, subscriptionId: string, request: EnqueueRequest): Promise<EnqueueResult> {
  try {
    return await queueOf(env, subscriptionId).enqueue(request);
  } catch (err) {
    if (isOverloaded(err)) throw err; // retrying an overloaded object only makes it worse
    return queueOf(env, subscriptionId).enqueue(request);
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
  rows: Parameters<typeof logAccepted>[1],
  queued: readonly string[],
  failed: readonly string[],
  recount: boolean,
): Promise<{ stored: true } | { stored: false; error: unknown }> {
  const failedIds = new Set(failed);
  const unqueued = (trades: (typeof rows)[number]["trades"]) =>
    trades.filter((t) => failedIds.has(t.subscriptionId)).map((t) => ({ tradeId: t.id, subscriptionId: t.subscriptionId }));
  try {
    await logAccepted(env.DB, rows, { expectedTrades: recount ? "overwrite" : "keep" });
  } catch (error) {
    if (queued.length === 0) return { stored: false, error };
    await Promise.allSettled(queued.flatMap((id) => rows.map((r) => queueOf(env, id).ensureLogged(r.log.id, unqueued(r.trades)))));
    return { stored: true };
  }
  // Trades that could not be queued get a visible, terminal outcome instead of staying "queued" forever.
  const stmts = markUnqueuedTrades(env.DB, rows.flatMap((r) => unqueued(r.trades).map((t) => t.tradeId)), Date.now());
  if (stmts.length > 0) await env.DB.batch(stmts).catch((err: unknown) => log.error("webhook: marking unqueued trades failed", { error: errorMessage(err) }));
  return { stored: true };
}

/** Holds the reply until every (subscription, signal) trade is terminal or `waitMs` passes. */
async function waitForTrades(env: Env, subscriptionIds: readonly string[], signalIds: readonly string[], waitMs: number): Promise<WaitedTrade[]> {
  const waits = subscriptionIds.flatMap((id) =>
    signalIds.map(async (signalId): Promise<WaitedTrade | null> => {
      try {
        const snap = await queueOf(env, id).waitForTrade(signalId, waitMs);
        return snap ? { subscriptionId: id, ...snap } : null;
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
  log.error("webhook: storage failure", { error: errorMessage(err) });
  return rejected(
    c,
    503,
    { messageCode: "temporarily-unavailable", message: "Tradeloop could not store this signal right now. Nothing was executed; send it again." },
    { "Retry-After": "1" },
  );
}
