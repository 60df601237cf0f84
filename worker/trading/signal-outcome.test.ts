/** The one function that says what a signal did, from its log row and trades. */
import { describe, expect, it } from "vitest";
import { EXECUTION_CODES, RULE_CODES } from "./message-codes";
import { signalOutcome, tradeOutcome, type SignalForOutcome, type TradeForOutcome } from "./signal-outcome";
import type { TradeStatus } from "./trade-status";

const trade = (status: TradeStatus, messageCode: string | null = null, message: string | null = null): TradeForOutcome => ({ status, messageCode, message });
const accepted = (trades: TradeForOutcome[], extra: Partial<SignalForOutcome> = {}): SignalForOutcome => ({
  status: "accepted",
  messageCode: null,
  message: null,
  duplicateOf: null,
  expectedTrades: trades.length,
  trades,
  ...extra,
});

const FILLED = trade("filled", "enter-new-position", "Entry: Buy 1 AAPL at market.");
const NO_POSITION = trade("rejected", "no-position-to-exit", "There is no open AAPL position to exit; nothing was sent.");
const FUNDS = trade("rejected", "insufficient-funds", "The broker refused the order: not enough buying power.");
const UNREACHABLE = trade("failed", "broker-unreachable", "The broker could not be reached.");

describe("one trade", () => {
  it.each([
    [trade("queued"), "pending", null],
    [trade("executing"), "pending", null],
    [trade("pending_approval", "enter-new-position"), "awaiting-approval", null],
    [trade("open", "enter-new-position", "Entry: Buy 1 AAPL limit 180."), "pending", "enter-new-position"],
    [FILLED, "traded", "enter-new-position"],
    [trade("partially_filled", "enter-new-position", "Entry: Buy 10 AAPL limit 180."), "partly-traded", "enter-new-position"],
    [trade("cancelled", "cancel-open-orders", "Cancel open orders for AAPL."), "traded", "cancel-open-orders"],
    [trade("cancelled", "breakeven", "Sell 5 AAPL stop 100."), "traded", "breakeven"],
    [trade("cancelled", "enter-new-position", "Entry: Buy 1 AAPL limit 180."), "nothing-traded", "order-cancelled"],
    [trade("cancelled", "approval-timeout", "Nobody approved it."), "nothing-traded", "approval-timeout"],
    [NO_POSITION, "nothing-traded", "no-position-to-exit"],
    [trade("rejected", "approval-rejected", "Rejected by its approver."), "nothing-traded", "approval-rejected"],
    [FUNDS, "rejected", "insufficient-funds"],
    [trade("rejected", "order-rejected", "The broker rejected the entry order."), "rejected", "order-rejected"],
    [UNREACHABLE, "failed", "broker-unreachable"],
    [trade("failed", "exit-not-filled", "The exit did not fill in time."), "failed", "exit-not-filled"],
    [trade("rejected", "internal-error", "A bug."), "failed", "internal-error"],
  ] as const)("%j → %s (%s)", (t, outcome, code) => {
    expect(tradeOutcome(t)).toMatchObject({ outcome, outcomeCode: code });
  });

  it("every rule refusal (and later risk blocks put with them) is nothing-traded; every broker refusal is rejected", () => {
    for (const code of Object.keys(RULE_CODES)) expect(tradeOutcome(trade("rejected", code, "x")).outcome, code).toBe("nothing-traded");
    const nothing = new Set(["approval-rejected", "approval-timeout", "duplicate", "internal-error"]);
    for (const code of Object.keys(EXECUTION_CODES).filter((c) => !nothing.has(c))) expect(tradeOutcome(trade("rejected", code, "x")).outcome, code).toBe("rejected");
  });

  it("keeps the trade's sentence, and explains a cancelled order", () => {
    expect(tradeOutcome(NO_POSITION).outcomeMessage).toBe("There is no open AAPL position to exit; nothing was sent.");
    expect(tradeOutcome(trade("cancelled", "enter-new-position", "Entry: Buy 1 AAPL limit 180.")).outcomeMessage).toBe(
      "The order was cancelled before it filled, so nothing traded. Entry: Buy 1 AAPL limit 180.",
    );
  });
});

describe("a signal", () => {
  it("refused by the webhook: rejected, with the webhook's code and sentence", () => {
    expect(signalOutcome({ ...accepted([]), status: "rejected", messageCode: "invalid-action", message: '"action" must be one of buy, sell...' })).toEqual({
      outcome: "rejected",
      outcomeCode: "invalid-action",
      outcomeMessage: '"action" must be one of buy, sell...',
    });
  });

  it("a duplicate delivery: nothing-traded, pointing at the original", () => {
    expect(signalOutcome(accepted([], { duplicateOf: "s1", messageCode: "duplicate", expectedTrades: null }))).toEqual({
      outcome: "nothing-traded",
      outcomeCode: "duplicate",
      outcomeMessage: "This delivery repeated signal s1, so it was not traded again.",
    });
  });

  it("no subscription: nothing-traded (no-subscriptions), also for rows logged before the count existed", () => {
    expect(signalOutcome(accepted([], { expectedTrades: 0 }))).toMatchObject({ outcome: "nothing-traded", outcomeCode: "no-subscriptions" });
    expect(signalOutcome(accepted([], { expectedTrades: null }))).toMatchObject({ outcome: "nothing-traded", outcomeCode: "no-subscriptions" });
  });

  it("stays pending until every subscription's trade has arrived", () => {
    expect(signalOutcome(accepted([], { expectedTrades: 1 }))).toMatchObject({ outcome: "pending", outcomeCode: null });
    expect(signalOutcome(accepted([FILLED], { expectedTrades: 2 }))).toEqual({ outcome: "pending", outcomeCode: null, outcomeMessage: "Waiting for 1 of 2 subscriptions." });
    expect(signalOutcome(accepted([FILLED, trade("executing")]))).toMatchObject({ outcome: "pending" });
  });

  it("awaiting approval once nothing else is running", () => {
    expect(signalOutcome(accepted([trade("pending_approval")]))).toMatchObject({ outcome: "awaiting-approval" });
    expect(signalOutcome(accepted([FILLED, trade("pending_approval")])).outcomeMessage).toBe("Waiting for your approval on 1 of 2 subscriptions (Approvals).");
  });

  it("one subscription: the trade's own outcome", () => {
    expect(signalOutcome(accepted([FILLED]))).toEqual({ outcome: "traded", outcomeCode: "enter-new-position", outcomeMessage: "Entry: Buy 1 AAPL at market." });
    expect(signalOutcome(accepted([NO_POSITION]))).toMatchObject({ outcome: "nothing-traded", outcomeCode: "no-position-to-exit" });
  });

  it("all traded", () => {
    expect(signalOutcome(accepted([FILLED, FILLED]))).toEqual({ outcome: "traded", outcomeCode: "enter-new-position", outcomeMessage: "Traded on all 2 subscriptions: Entry: Buy 1 AAPL at market." });
    expect(signalOutcome(accepted([FILLED, trade("filled", "enter-new-position", "Entry: Buy 3 AAPL at market.")])).outcomeMessage).toBe("Traded on all 2 subscriptions.");
  });

  it("traded on some: partly-traded, with the reason the others did not", () => {
    expect(signalOutcome(accepted([FILLED, NO_POSITION]))).toEqual({
      outcome: "partly-traded",
      outcomeCode: "no-position-to-exit",
      outcomeMessage: "Traded on 1 of 2 subscriptions; the other did not: There is no open AAPL position to exit; nothing was sent.",
    });
    // The worst reason is the one reported.
    expect(signalOutcome(accepted([FILLED, NO_POSITION, UNREACHABLE]))).toMatchObject({
      outcome: "partly-traded",
      outcomeCode: "broker-unreachable",
      outcomeMessage: "Traded on 1 of 3 subscriptions; 2 others did not: The broker could not be reached.",
    });
    expect(signalOutcome(accepted([trade("partially_filled", "enter-new-position", "Entry.")]))).toMatchObject({ outcome: "partly-traded" });
  });

  it("traded on none: the worst of failed, rejected, nothing-traded, with its reason", () => {
    expect(signalOutcome(accepted([NO_POSITION, NO_POSITION]))).toEqual({
      outcome: "nothing-traded",
      outcomeCode: "no-position-to-exit",
      outcomeMessage: "None of the 2 subscriptions traded: There is no open AAPL position to exit; nothing was sent.",
    });
    expect(signalOutcome(accepted([NO_POSITION, FUNDS]))).toMatchObject({ outcome: "rejected", outcomeCode: "insufficient-funds" });
    expect(signalOutcome(accepted([FUNDS, UNREACHABLE, NO_POSITION]))).toMatchObject({
      outcome: "failed",
      outcomeCode: "broker-unreachable",
      outcomeMessage: "None of the 3 subscriptions traded; the most serious reason: The broker could not be reached.",
    });
  });
});
