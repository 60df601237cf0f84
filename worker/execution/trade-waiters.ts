/**
 * `?wait=` waiters, as a part of the SubscriptionQueue: callers waiting for a
 * signal's trade to be terminal, each with its own timeout. They live in
 * memory only (an evicted instance takes its RPC callers with it), so they
 * never need the alarm.
 *
 * @module
 */
import type { Wakeable } from "./alarm-planner";

export class TradeWaiters<Snapshot> implements Wakeable {
  readonly name = "trade waiters";
  private readonly waiting = new Map<string, Set<(snapshot: Snapshot) => void>>();

  nextWakeAt(): null {
    return null;
  }

  async wake(): Promise<void> {}

  /** Whether anyone waits for this signal's trade (so a snapshot is worth building). */
  has(signalId: string): boolean {
    return (this.waiting.get(signalId)?.size ?? 0) > 0;
  }

  /** Resolves with the snapshot {@link TradeWaiters.notify} delivers, or with `onTimeout()` after `timeoutMs`. */
  wait(signalId: string, timeoutMs: number, onTimeout: () => Snapshot | null): Promise<Snapshot | null> {
    return new Promise<Snapshot | null>((resolve) => {
      const done = (snapshot: Snapshot | null) => {
        clearTimeout(timer);
        this.waiting.get(signalId)?.delete(onDone);
        if (this.waiting.get(signalId)?.size === 0) this.waiting.delete(signalId);
        resolve(snapshot);
      };
      const onDone = (snapshot: Snapshot) => done(snapshot);
      const timer = setTimeout(() => done(onTimeout()), timeoutMs);
      let set = this.waiting.get(signalId);
      if (!set) this.waiting.set(signalId, (set = new Set()));
      set.add(onDone);
    });
  }

  /** Hands a snapshot to everyone waiting for the signal. */
  notify(signalId: string, snapshot: Snapshot): void {
    for (const fn of [...(this.waiting.get(signalId) ?? [])]) fn(snapshot);
  }
}
