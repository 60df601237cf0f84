/**
 * Resting-order upkeep, as a part of the SubscriptionQueue: orders that keep
 * working at the broker after their trade ran (limits, stops, bracket legs).
 *
 * - `cancelAfter`: an order still working when its time is up is cancelled;
 * - polling: live orders are read back so fills that happen later become
 *   visible, and their trade's status follows (trade-status part).
 *
 * Both run from the alarm and are idempotent (an alarm may run twice). Both
 * need the broker client of the order's connection, which comes from the
 * settings copy the order's signal ran under.
 *
 * @module
 */
import { BrokerError, errorMessage, TERMINAL_ORDER_STATUSES, type BrokerClient } from "../../plugins/sdk";
import { log } from "../lib/log";
import type { Wakeable } from "./alarm-planner";
import type { QueuedSignal } from "./envelope";
import type { QueueStore } from "./queue-store";

/** Poll interval for resting orders at the broker. */
export const LIVE_ORDER_POLL_MS = 60_000;
/** Orders read back per alarm, so one alarm stays short. */
const POLL_BATCH = 50;

export class RestingOrders implements Wakeable {
  readonly name = "resting orders";

  constructor(
    private readonly store: QueueStore,
    private readonly clientFor: (connection: QueuedSignal["connection"]) => Promise<BrokerClient>,
    /** Recomputes a trade's status after its orders changed. */
    private readonly refreshTrade: (tradeId: string) => void,
  ) {}

  nextWakeAt(now: number): number | null {
    const cancelAt = this.store.nextCancelAt();
    const poll = this.store.hasLiveOrders() ? now + LIVE_ORDER_POLL_MS : null;
    if (cancelAt === null) return poll;
    return poll === null ? cancelAt : Math.min(cancelAt, poll);
  }

  async wake(now: number): Promise<void> {
    await this.cancelDue(now);
    await this.refreshLive();
  }

  /** `cancelAfter`: cancels orders still working when their time is up. */
  private async cancelDue(now: number): Promise<void> {
    for (const o of this.store.ordersDueForCancel(now)) {
      const envelope = this.store.envelopeFor(o.signalId);
      if (!envelope || !o.brokerOrderId) continue;
      try {
        const client = await this.clientFor(envelope.connection);
        await client.cancelOrder(envelope.account.brokerAccountId, { brokerOrderId: o.brokerOrderId });
        this.store.setCancelAt(o.clientOrderId, null);
        const found = await client.getOrder(envelope.account.brokerAccountId, { brokerOrderId: o.brokerOrderId });
        if (found) {
          this.store.updateOrder(o.clientOrderId, { status: found.status, filledQuantity: found.filledQuantity, avgFillPrice: found.avgFillPrice }, Date.now());
        }
        this.refreshTrade(o.tradeId);
      } catch (err) {
        if (err instanceof BrokerError && (err.code === "order-not-found" || err.code === "order-not-cancelable")) {
          this.store.setCancelAt(o.clientOrderId, null); // it filled or went away first
        } else {
          log.warn("queue: cancelAfter failed, will retry", { clientOrderId: o.clientOrderId, error: errorMessage(err) });
        }
      }
    }
  }

  /** Reads the working orders back from the broker now (reconciliation asks before it compares). */
  readBack(): Promise<void> {
    return this.refreshLive();
  }

  /** Polls resting orders so fills that happen later become visible. */
  private async refreshLive(): Promise<void> {
    const touched = new Set<string>();
    for (const o of this.store.liveOrders(POLL_BATCH)) {
      const envelope = this.store.envelopeFor(o.signalId);
      if (!envelope) continue;
      try {
        const client = await this.clientFor(envelope.connection);
        // Bracket legs may have no client id of their own at the broker: look them up by broker id.
        const found = await client.getOrder(envelope.account.brokerAccountId, o.brokerOrderId ? { brokerOrderId: o.brokerOrderId } : { clientOrderId: o.clientOrderId });
        if (!found) continue;
        this.store.updateOrder(o.clientOrderId, { status: found.status, filledQuantity: found.filledQuantity, avgFillPrice: found.avgFillPrice }, Date.now());
        if (TERMINAL_ORDER_STATUSES.has(found.status)) touched.add(o.tradeId);
      } catch (err) {
        log.warn("queue: order refresh failed", { clientOrderId: o.clientOrderId, error: errorMessage(err) });
      }
    }
    for (const tradeId of touched) this.refreshTrade(tradeId);
  }
}
