/**
 * What the webhook hands a SubscriptionQueue: the signal plus a snapshot of
 * the configuration it runs under. The snapshot is taken once, at arrival, so
 * a settings change never alters a signal already in flight, and the queue
 * needs no D1 read to act on it.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk";
import type { Signal } from "../trading/signal-schema";

export interface QueuedSignal {
  signalId: string;
  tradeId: string;
  userId: string;
  receivedAt: number;
  /** Epoch ms before which the signal must not run (the signal's `delay`). */
  notBefore?: number | null;
  signal: Signal;
  strategy: { id: string; assetClass: AssetClass; allowedTickers: string[] | null; settings: Record<string, unknown> };
  subscription: { id: string; settings: Record<string, unknown> };
  account: { id: string; brokerAccountId: string };
  connection: { id: string; broker: string; settings: Record<string, unknown> };
  /**
   * The signal's D1 log row, for catch-up: when the webhook could not write it
   * (D1 unavailable), the queue writes it during its read-model sync.
   */
  logRow: SignalLogRow;
}

/** A row of the D1 `signals` table, as the webhook built it. */
export interface SignalLogRow {
  id: string;
  userId: string;
  strategyId: string;
  receivedAt: number;
  status: "accepted";
  payload: unknown;
  sourceIp: string | null;
  contentType: string | null;
  alertId: string | null;
  bodyHash: string | null;
}
