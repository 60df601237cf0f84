/**
 * The queue's read-model sync, as a part of the SubscriptionQueue: copies
 * trades, orders and log rows to D1 (read-model.ts) one batch at a time, in
 * order, so D1 never goes back in time.
 *
 * - A quiet queue copies right after each trade; while a backlog drains,
 *   one D1 batch per {@link BUSY_SYNC_INTERVAL_MS} carries every trade
 *   finished meanwhile (the bench profile showed the per-trade copy as the
 *   largest CPU item under load).
 * - Requests coalesce: while a copy waits to start, later requests ride on it
 *   (it reads the rows when it starts, so it carries their changes too).
 * - It wakes the alarm only when rows are left behind: soon after a failed
 *   copy, and at the watchdog horizon as a safety net for an instance that
 *   dies with a copy in flight.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import { log } from "../lib/log";
import type { Wakeable } from "./alarm-planner";
import type { QueueStore, TradeRow } from "./queue-store";
import { syncReadModel } from "./read-model";

/** Retry interval after a failed D1 write. */
export const SYNC_RETRY_MS = 5_000;
/** While a backlog drains, at most one D1 batch per this interval. */
export const BUSY_SYNC_INTERVAL_MS = 100;

export class ReadModelSync implements Wakeable {
  readonly name = "read-model sync";
  private chain: Promise<void> = Promise.resolve();
  private pending = false;
  private deferred: Promise<void> | null = null;
  private lastFailedAt: number | null = null;

  constructor(
    private readonly store: QueueStore,
    private readonly d1: D1Database,
    /** How far the safety wake lies ahead (the queue's watchdog). */
    private readonly safetyMs: number,
    private readonly wakeBy: (at: number) => Promise<void>,
    /** Told of the trades each successful copy carried (their events go out once D1 has them). */
    private readonly onCopied?: (trades: readonly TradeRow[]) => void,
  ) {}

  nextWakeAt(now: number): number | null {
    if (this.store.unsyncedCount() === 0) return null;
    return now + (this.lastFailedAt !== null ? SYNC_RETRY_MS : this.safetyMs);
  }

  async wake(): Promise<void> {
    await this.now();
  }

  /** Copies everything unsynced, after any copy already running. */
  now(): Promise<void> {
    if (this.pending) return this.chain;
    this.pending = true;
    this.chain = this.chain.then(async () => {
      this.pending = false;
      try {
        const trades = this.onCopied ? this.store.unsyncedTrades() : [];
        await syncReadModel(this.d1, this.store);
        this.lastFailedAt = null;
        // Told once D1 has the trade, so a channel's link to it resolves.
        if (trades.length > 0) this.onCopied?.(trades);
        // Rows changed while the copy was in flight are left behind: without a wake, nothing would copy them
        // if the queue then goes quiet (seen as "unsynced" rows on an idle queue in the broker-fault run).
        if (this.store.unsyncedCount() > 0) await this.wakeBy(Date.now() + this.safetyMs);
      } catch (err) {
        this.lastFailedAt = Date.now();
        log.warn("queue: read-model sync failed, will retry", { error: errorMessage(err) });
        await this.wakeBy(Date.now() + SYNC_RETRY_MS);
      }
    });
    return this.chain;
  }

  /** A copy now, or within {@link BUSY_SYNC_INTERVAL_MS} while a backlog is draining (one batch for many trades). */
  soon(backlog: boolean): Promise<void> {
    if (!backlog) return this.now();
    // An instance that dies before the timer fires leaves the rows unsynced; the alarm's safety wake covers them.
    this.deferred ??= new Promise<void>((resolve) => setTimeout(resolve, BUSY_SYNC_INTERVAL_MS)).then(() => {
      this.deferred = null;
      return this.now();
    });
    return this.deferred;
  }
}
