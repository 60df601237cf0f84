/**
 * The stale-signal rule (`maxSignalAgeSeconds`): a signal whose own `time`
 * is older than the limit when Tradeloop received it is refused with
 * `signal-too-old`, so an alert delayed in the sender's queue never trades at
 * a stale price. The webhook applies the strategy's limit (a 400 the sender
 * sees); `decide()` applies the stricter of the strategy's and the
 * subscription's to each subscription. Both call this, so the rule and its
 * sentence exist once.
 *
 * Pure: the age is measured at the receive time given, never at "now".
 *
 * @module
 */
import type { Signal } from "./signal-schema";

/** Why a signal is too old, for a rejection with messageCode `signal-too-old`. */
export interface StaleSignal {
  message: string;
  /** `time`, or `[i].time` for the i-th signal of a multi-signal message. */
  field: string;
}

/**
 * The first signal whose `time` was more than `maxAgeSeconds` old at
 * `receivedAt`, or null. A limit of 0 or undefined is off; a signal without
 * a (parseable) `time` cannot be judged and passes.
 */
export function staleSignal(signals: readonly Pick<Signal, "time">[], maxAgeSeconds: number | undefined, receivedAt: Date): StaleSignal | null {
  if (!maxAgeSeconds || maxAgeSeconds <= 0) return null;
  for (const [i, s] of signals.entries()) {
    if (!s.time) continue;
    const sent = Date.parse(s.time);
    if (Number.isNaN(sent)) continue;
    const ageSeconds = (receivedAt.getTime() - sent) / 1000;
    if (ageSeconds > maxAgeSeconds) {
      return {
        field: signals.length > 1 ? `[${i}].time` : "time",
        message: `The signal's "time" ${s.time} was ${Math.round(ageSeconds)} s old when it arrived, more than the allowed ${maxAgeSeconds} s ("maxSignalAgeSeconds"); it was not traded. Late alerts usually come from TradingView delays.`,
      };
    }
  }
  return null;
}
