/**
 * What a signal carries into a SubscriptionQueue, and what the queue runs it
 * under.
 *
 * The webhook sends only the signal (a {@link SignalEnvelope}) stamped with
 * the strategy's config version it checked the signal against. The queue
 * holds its own copy of its subscription's settings (a
 * {@link SubscriptionConfig}, loaded from D1 when the version moves; see
 * queue-config.ts) and records which copy each signal arrived under. A
 * settings change therefore never alters a signal already in flight, and
 * neither the webhook nor the queue reads D1 for settings on the hot path.
 *
 * The executor works on the two joined: a {@link QueuedSignal}.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk";
import type { FlattenReason } from "../trading/flatten";
import type { Signal } from "../trading/signal-schema";

/** A signal as the webhook hands it to a queue. */
export interface SignalEnvelope {
  signalId: string;
  tradeId: string;
  receivedAt: number;
  /** Epoch ms before which the signal must not run (the signal's `delay`). */
  notBefore?: number | null;
  signal: Signal;
  /**
   * The signal's D1 log row, for catch-up: the queue writes it with its
   * read-model sync (the webhook leaves queued signals' log rows to it).
   */
  logRow: SignalLogRow;
  /**
   * Set on the exits Tradeloop queues itself to flatten the subscription
   * (kill switch, daily limit): the trade closes the subscription's own lot
   * in the signal's ticker at market (worker/trading/flatten.ts) instead of
   * being decided by the signal rules.
   */
  flatten?: FlattenReason;
}

/** A subscription's settings as its queue runs signals under them. */
export interface SubscriptionConfig {
  /** The strategy's `config_version` this copy was read at. */
  version: number;
  userId: string;
  strategy: { id: string; assetClass: AssetClass; allowedTickers: string[] | null; settings: Record<string, unknown> };
  subscription: { id: string; settings: Record<string, unknown> };
  account: { id: string; brokerAccountId: string };
  connection: { id: string; broker: string; settings: Record<string, unknown> };
}

/** A signal joined with the settings it runs under: what the executor and the read model work on. */
export interface QueuedSignal extends SignalEnvelope, Omit<SubscriptionConfig, "version"> {}

/** `SubscriptionQueue.enqueue`'s request. */
export interface EnqueueRequest {
  subscriptionId: string;
  /** The strategy's config version the webhook checked these signals against. */
  configVersion: number;
  signals: readonly SignalEnvelope[];
}

/**
 * `SubscriptionQueue.enqueue`'s answer. `stale`: the queue knows a newer
 * configuration than the webhook used (or the subscription is gone or
 * disabled), nothing was queued, and the webhook must read the strategy
 * again before deciding anything.
 */
export type EnqueueResult = { enqueued: number } | { stale: true };

/** A row of the D1 `signals` table, as the webhook built it. */
export interface SignalLogRow {
  id: string;
  userId: string;
  strategyId: string;
  receivedAt: number;
  status: "accepted";
  payload: unknown;
  sourceIp: string | null;
  contentType: string | null;
  alertId: string | null;
  bodyHash: string | null;
  /** How many subscriptions the signal was queued for (its outcome waits for each); absent in envelopes queued before it existed. */
  expectedTrades?: number;
}

/** The sentence on a trade whose queue could not take its signal (messageCode `queue-unavailable`). */
export const QUEUE_UNAVAILABLE = {
  messageCode: "queue-unavailable",
  message: "Tradeloop could not queue this signal for the subscription, so no order was sent. Send the alert again.",
} as const;
