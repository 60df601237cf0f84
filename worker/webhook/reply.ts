/**
 * The webhook's replies, in TradersPost's published shapes, so that alert
 * senders (and their error handling) work unchanged.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { TradeSnapshot } from "../execution/subscription-queue";
import type { Outcome } from "../trading/signal-outcome";

/**
 * The reply to an accepted alert: TradersPost's fields (`success`, `id`,
 * `logId`, `payload`), then Tradeloop's optional additions, which senders
 * that do not know them ignore.
 */
export interface AcceptedReply extends Partial<Outcome> {
  success: true;
  /** The signal id. */
  id: string;
  /** The log entry id (the same id: every signal is its own log entry). */
  logId: string;
  payload: unknown;
  /** Set when this delivery repeated an earlier one (same alertId or identical body). */
  duplicate?: true;
  /** Only for a multi-signal message: every signal's id, in order (with `?wait=`, its outcome too). */
  signals?: ({ id: string; logId: string } & Partial<Outcome>)[];
  /**
   * Only with `?wait=`: each subscription's trade (per signal) and its orders.
   * The outcome fields (`outcome`, `outcomeCode`, `outcomeMessage`) then say
   * what the signal did, as `GET /api/signals/:id` does; for a multi-signal
   * message they are on each entry of `signals`.
   */
  trades?: WaitedTrade[];
}

export interface WaitedTrade extends TradeSnapshot {
  subscriptionId: string;
}

export interface RejectedReply {
  success: false;
  logId?: string;
  messageCode: string;
  message: string;
  field?: string;
}

export function accepted(c: Context, body: Omit<AcceptedReply, "success">): Response {
  return c.json({ success: true, ...body } satisfies AcceptedReply, 200);
}

export function rejected(
  c: Context,
  status: ContentfulStatusCode,
  body: Omit<RejectedReply, "success">,
  headers?: Record<string, string>,
): Response {
  return c.json({ success: false, ...body } satisfies RejectedReply, status, headers);
}
