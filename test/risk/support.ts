/**
 * Helpers for the risk-control suites: alerts that wait for their outcome,
 * the kill switch, and waiting for a subscription's queue to run dry (a
 * flatten is queued work, not part of any reply).
 */
import { expect } from "vitest";
import { sendAlert, type Trader } from "../helpers/trader";
import { api } from "../helpers/api";
import { settleQueues } from "../faults/support";

/** Sends an alert and returns its one trade's outcome (the reply waits for it). */
export async function trade(trader: Trader, body: Record<string, unknown>): Promise<{ status: string; messageCode: string | null; message: string }> {
  const reply = await sendAlert(trader.webhookUrl, body, { query: "?wait=10000" });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const t = reply.body.trades?.[0] as { status: string; messageCode: string | null; message?: string } | undefined;
  expect(t, JSON.stringify(reply.body)).toBeDefined();
  return { status: t!.status, messageCode: t!.messageCode, message: t!.message ?? "" };
}

export interface KillSwitchReply {
  active: boolean;
  activatedAt: string | null;
  flatten: { subscriptions: number; positions: number; failed: number } | null;
}

/** POST /api/kill-switch with a bearer token. */
export async function killSwitch(token: string, body: unknown): Promise<{ status: number; body: KillSwitchReply }> {
  return api<KillSwitchReply>("POST", "/api/kill-switch", { token, json: body });
}

/** Waits until the subscriptions' queues have nothing queued or unsynced. */
export async function drained(...subscriptionIds: string[]): Promise<void> {
  await settleQueues(subscriptionIds, 20_000);
}
