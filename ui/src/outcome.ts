/**
 * What a signal did, in one word and one sentence: the Worker's `outcome`
 * and `outcomeMessage` (never the bare "accepted", which only says the
 * webhook took the alert), their labels for the filter, and the latency
 * from receipt to the first order.
 *
 * @module
 */
import type { Signal } from "./types";

export type Outcome = "pending" | "awaiting-approval" | "traded" | "partly-traded" | "nothing-traded" | "rejected" | "failed";

export const OUTCOMES: { value: Outcome; label: string }[] = [
  { value: "traded", label: "Traded" },
  { value: "partly-traded", label: "Partly traded" },
  { value: "nothing-traded", label: "Nothing traded" },
  { value: "awaiting-approval", label: "Awaiting approval" },
  { value: "pending", label: "Pending" },
  { value: "rejected", label: "Rejected" },
  { value: "failed", label: "Failed" },
];

/** The label of an outcome. */
export function outcomeLabel(o: string): string {
  return OUTCOMES.find((x) => x.value === o)?.label ?? o;
}

/** The signal's outcome and the sentence behind it, as the Worker derives them (worker/trading/signal-outcome.ts). */
export function signalOutcome(s: Signal): { outcome: Outcome; message: string | null } {
  return { outcome: s.outcome, message: s.outcomeMessage || null };
}

/** Milliseconds from receipt to the first order, or null when no order was placed. */
export function latencyMs(s: Signal): number | null {
  const times = s.trades.flatMap((t) => t.orders.map((o) => Date.parse(o.createdAt)));
  return times.length ? Math.max(0, Math.min(...times) - Date.parse(s.receivedAt)) : null;
}
