/**
 * The signals Tradeloop queues itself to flatten a subscription: one exit
 * per ticker its own fills hold, marked `flatten` so the executor closes
 * the lot at market (worker/trading/flatten.ts) instead of deciding by the
 * signal rules. They go through the subscription's queue like any signal,
 * behind whatever is already running, so order and crash safety are the
 * queue's, and each shows in the signal log with its outcome.
 *
 * Ids are derived from a key (the kill switch's activation, the trading day
 * of a limit), the subscription and the ticker, so asking twice for the same
 * flatten queues it once (the queue's enqueue is idempotent per signal id).
 *
 * @module
 */
import { parseSignalBody } from "../trading/parse-signal";
import type { Signal } from "../trading/signal-schema";
import type { FlattenReason } from "../trading/flatten";
import type { QueuedSignal } from "./envelope";

/** The parts of an envelope that describe the subscription (everything but the signal). */
export type SubscriptionSnapshot = Pick<QueuedSignal, "userId" | "strategy" | "subscription" | "account" | "connection">;

/** A UUID-shaped id from SHA-256 of `key` (stable across calls). */
export async function stableId(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  // Version 8 (custom) and the RFC 4122 variant, so it passes every UUID check.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function exitSignal(ticker: string): Signal {
  const parsed = parseSignalBody(JSON.stringify({ ticker: "X", action: "exit" }));
  if (!parsed.ok || !parsed.signals[0]) throw new Error("the flatten exit signal does not parse");
  // The lot's ticker is already the instrument (NQZ2025, an OCC option symbol): set as is.
  return { ...parsed.signals[0], ticker };
}

/** One flatten envelope per ticker, in ticker order. */
export async function flattenEnvelopes(
  base: SubscriptionSnapshot,
  tickers: readonly string[],
  reason: FlattenReason,
  key: string,
  now: number,
): Promise<QueuedSignal[]> {
  const out: QueuedSignal[] = [];
  for (const [i, ticker] of [...tickers].sort().entries()) {
    const signalId = await stableId(`flatten:${key}:${base.subscription.id}:${ticker}`);
    const tradeId = await stableId(`flatten-trade:${key}:${base.subscription.id}:${ticker}`);
    const payload = { ticker, action: "exit", flatten: reason.messageCode };
    out.push({
      ...base,
      signalId,
      tradeId,
      receivedAt: now + i,
      signal: exitSignal(ticker),
      flatten: reason,
      logRow: {
        id: signalId,
        userId: base.userId,
        strategyId: base.strategy.id,
        receivedAt: now + i,
        status: "accepted",
        payload,
        sourceIp: null,
        contentType: null,
        alertId: null,
        bodyHash: null,
        expectedTrades: 1,
      },
    });
  }
  return out;
}
