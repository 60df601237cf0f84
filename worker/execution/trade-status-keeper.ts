/**
 * Trade status upkeep, as a part of the SubscriptionQueue: a trade's status
 * after it ran follows its resting orders (trading/trade-status.ts has the
 * rules), and a trade waiting for manual approval is cancelled when its
 * deadline passes. The deadline is this part's wake; the drain loop, which
 * holds the waiting trade at the head of the queue, does the cancelling.
 *
 * @module
 */
import type { TradePlan } from "../trading/types";
import { refreshedTradeStatus } from "../trading/trade-status";
import type { Wakeable } from "./alarm-planner";
import type { QueueStore } from "./queue-store";

export class TradeStatusKeeper implements Wakeable {
  readonly name = "trade status";

  constructor(
    private readonly store: QueueStore,
    /** Resumes the drain loop (it cancels an approval whose deadline passed). */
    private readonly resume: () => Promise<void>,
  ) {}

  nextWakeAt(): number | null {
    return this.store.nextApprovalDeadline();
  }

  async wake(now: number): Promise<void> {
    const deadline = this.store.nextApprovalDeadline();
    if (deadline !== null && deadline <= now) await this.resume();
  }

  /** Recomputes a finished trade's status from its orders (after resting orders changed at the broker). */
  refresh(tradeId: string): void {
    const t = this.store.trade(tradeId);
    if (!t) return;
    const next = refreshedTradeStatus(t.status, this.store.ordersForTrade(tradeId), t.plan ? (JSON.parse(t.plan) as TradePlan) : null);
    if (next !== t.status) this.store.updateTrade(tradeId, { status: next }, Date.now());
  }
}
