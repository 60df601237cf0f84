/**
 * What a signal did, in one word and one sentence. The Worker's signal
 * outcome (`outcome`, `outcomeMessage`: see the shared contract) is used
 * when it sends one; a Worker from before it gets the same answer derived
 * here from the trades, so a signal that traded nothing is never shown as a
 * green "Accepted".
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

const IN_FLIGHT = new Set(["queued", "executing"]);

function traded(t: Signal["trades"][number]): boolean {
  return t.orders.some((o) => o.filledQuantity > 0);
}

/** The signal's outcome and, when nothing traded, why. */
export function signalOutcome(s: Signal): { outcome: Outcome; message: string | null } {
  const sent = s as Signal & { outcome?: string; outcomeMessage?: string | null };
  if (typeof sent.outcome === "string" && OUTCOMES.some((o) => o.value === sent.outcome)) {
    return { outcome: sent.outcome as Outcome, message: sent.outcomeMessage ?? null };
  }
  if (s.status === "rejected") return { outcome: "rejected", message: s.message ?? null };
  if (s.duplicateOf) return { outcome: "nothing-traded", message: "A repeat of an earlier alert: it did not trade again." };
  if (s.trades.length === 0) return { outcome: "nothing-traded", message: "No subscription follows this strategy, so no account traded it." };
  if (s.trades.some((t) => IN_FLIGHT.has(t.status))) return { outcome: "pending", message: null };
  if (s.trades.some((t) => t.status === "pending_approval")) return { outcome: "awaiting-approval", message: "Waiting for your approval under Approvals." };
  const done = s.trades.filter(traded).length;
  if (done === s.trades.length) return { outcome: "traded", message: null };
  const reason = s.trades.find((t) => !traded(t) && t.message)?.message ?? null;
  if (done > 0) return { outcome: "partly-traded", message: reason };
  if (s.trades.some((t) => t.status === "failed")) return { outcome: "failed", message: reason };
  // Open orders that have not filled yet still count as traded-in-progress only once they fill.
  if (s.trades.some((t) => t.status === "open")) return { outcome: "pending", message: "The order is working at the broker and has not filled yet." };
  return { outcome: "nothing-traded", message: reason };
}

/** Milliseconds from receipt to the first order, or null when no order was placed. */
export function latencyMs(s: Signal): number | null {
  const times = s.trades.flatMap((t) => t.orders.map((o) => Date.parse(o.createdAt)));
  return times.length ? Math.max(0, Math.min(...times) - Date.parse(s.receivedAt)) : null;
}
