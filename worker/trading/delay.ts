/**
 * `delay`: when a signal may run. The queue schedules the signal with a
 * Durable Object alarm at the resolved time (never by sleeping), and calls
 * `decide()` only then, against the position at that time.
 *
 * @module
 */
import { MAX_DELAY_SECONDS, type SignalDelay } from "./signal-schema";

/** An absolute time this far in the past still counts as "now" (clock skew, network latency). */
export const PAST_TOLERANCE_SECONDS = 60;

export type DelayResolution = { ok: true; at: Date } | { ok: false; messageCode: "invalid-delay-format"; message: string; field: "delay" };

/**
 * Resolves a signal's delay against the time it was received. Relative
 * delays count from receipt; absolute times must lie within the next 24
 * hours (up to a minute in the past is treated as "now").
 */
export function resolveDelay(delay: SignalDelay | undefined, receivedAt: Date): DelayResolution {
  const received = receivedAt.getTime();
  if (delay === undefined) return { ok: true, at: new Date(received) };
  if (delay.kind === "relative") return { ok: true, at: new Date(received + delay.seconds * 1000) };
  const at = Date.parse(delay.at);
  if (at < received - PAST_TOLERANCE_SECONDS * 1000 || at > received + MAX_DELAY_SECONDS * 1000) {
    return {
      ok: false,
      messageCode: "invalid-delay-format",
      message: `"delay" ${delay.at} is ${at < received ? "in the past" : "more than 24 hours ahead"}; an absolute delay must be within the next 24 hours.`,
      field: "delay",
    };
  }
  return { ok: true, at: new Date(Math.max(at, received)) };
}
