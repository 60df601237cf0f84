/**
 * What a signal did, in one word and one sentence: the `outcome`,
 * `outcomeCode` and `outcomeMessage` every signal carries in the API and the
 * `?wait=` reply. A signal's `status` only says whether the webhook took the
 * alert; "accepted" said nothing about whether anything traded.
 *
 * One pure function of the signal's log row and its trades (one per
 * subscription), so the list, the detail and the webhook reply can never
 * disagree. Each trade is classified first:
 *
 * - `pending`: queued or executing, or an order still working unfilled;
 * - `awaiting-approval`: waiting for the user (`autoSubmit: false`);
 * - `traded`: its plan ran to the end (its orders filled; a cancel signal's
 *   orders were cancelled; a breakeven stop was placed);
 * - `partly-traded`: part of its orders filled;
 * - `nothing-traded`: the rules decided nothing should trade (a code from
 *   RULE_CODES: no position to exit, add-to-position off, already at the
 *   target...; future risk blocks such as `kill-switch-active` belong there
 *   too), or a person or the clock stopped it (approval rejected or timed
 *   out, the order cancelled before it filled);
 * - `rejected`: the broker refused the order (its error table's code);
 * - `failed`: something broke (the broker unreachable, an unknown order
 *   outcome, an exit that never filled, a bug).
 *
 * The signal then takes the most telling one: pending while any trade (or a
 * subscription that has not reported yet) is; all traded → traded; some
 * traded → partly-traded, with the reason the others did not; none → the
 * worst of failed, rejected, nothing-traded, with its reason. A signal the
 * webhook refused is `rejected` with the webhook's code.
 *
 * @module
 */
import { OUTCOME_CODES, RULE_CODES } from "./message-codes";
import type { TradeStatus } from "./trade-status";

/** The outcomes, in the API's enum order. */
export const SIGNAL_OUTCOMES = ["pending", "awaiting-approval", "traded", "partly-traded", "nothing-traded", "rejected", "failed"] as const;
export type SignalOutcome = (typeof SIGNAL_OUTCOMES)[number];

/** A trade as the outcome needs it. */
export interface TradeForOutcome {
  status: TradeStatus;
  messageCode: string | null;
  message: string | null;
}

/** A signal's log row and its trades. */
export interface SignalForOutcome {
  /** Whether the webhook took the alert. */
  status: "accepted" | "rejected";
  messageCode: string | null;
  message: string | null;
  /** Set when this delivery repeated an earlier signal. */
  duplicateOf: string | null;
  /**
   * How many subscriptions the signal was queued for; trades not in `trades`
   * yet are still on their way. Null for rows logged before this was recorded:
   * then the trades present are all there is.
   */
  expectedTrades: number | null;
  trades: readonly TradeForOutcome[];
}

export interface Outcome {
  outcome: SignalOutcome;
  /** The messageCode that explains the outcome; null while nothing has happened yet. */
  outcomeCode: string | null;
  /** One sentence: what happened, or why nothing traded. */
  outcomeMessage: string;
}

/** Codes with which a trade ended without trading, though nothing went wrong. */
const NOTHING_TRADED_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(RULE_CODES),
  "approval-rejected",
  "approval-timeout",
  "duplicate",
]);

/** Plans that finish with status `cancelled` because cancelling was their job (executor.finalStatus). */
const CANCELLING_PLANS: ReadonlySet<string> = new Set(["cancel-open-orders", "breakeven"]);

/** Worst first: the one a signal reports when several trades did not trade. */
const SEVERITY: readonly SignalOutcome[] = ["failed", "rejected", "nothing-traded", "partly-traded", "pending", "awaiting-approval", "traded"];

const isPlanCode = (code: string | null): boolean => code !== null && Object.hasOwn(OUTCOME_CODES, code);

/** The outcome of one trade. */
export function tradeOutcome(t: TradeForOutcome): Outcome {
  const code = t.messageCode;
  const said = t.message ?? "";
  switch (t.status) {
    case "queued":
      return { outcome: "pending", outcomeCode: null, outcomeMessage: "Queued; nothing has been sent to the broker yet." };
    case "executing":
      return { outcome: "pending", outcomeCode: null, outcomeMessage: "Executing at the broker." };
    case "pending_approval":
      return { outcome: "awaiting-approval", outcomeCode: null, outcomeMessage: "Waiting for your approval (Approvals); nothing has been sent to the broker yet." };
    case "open":
      return { outcome: "pending", outcomeCode: code, outcomeMessage: join("The order is working at the broker and nothing has filled yet.", said) };
    case "filled":
      return { outcome: "traded", outcomeCode: code, outcomeMessage: said || "Filled." };
    case "partially_filled":
      return { outcome: "partly-traded", outcomeCode: code, outcomeMessage: join("Only part of the orders filled.", said) };
    case "cancelled":
      if (code !== null && CANCELLING_PLANS.has(code)) return { outcome: "traded", outcomeCode: code, outcomeMessage: said || "Done." };
      // A plan's own order was cancelled before it filled (cancelAfter, or at the broker).
      if (isPlanCode(code) || code === null) {
        return { outcome: "nothing-traded", outcomeCode: "order-cancelled", outcomeMessage: join("The order was cancelled before it filled, so nothing traded.", said) };
      }
      return { outcome: "nothing-traded", outcomeCode: code, outcomeMessage: said || "Cancelled; nothing traded." };
    case "rejected":
      // The decision core answers a bug of its own as a rejection; to the trader it is a failure.
      if (code === "internal-error") return { outcome: "failed", outcomeCode: code, outcomeMessage: said || "Tradeloop failed to decide this trade." };
      return {
        outcome: code !== null && NOTHING_TRADED_CODES.has(code) ? "nothing-traded" : "rejected",
        outcomeCode: code,
        outcomeMessage: said || "Rejected; nothing traded.",
      };
    case "failed":
      return { outcome: "failed", outcomeCode: code, outcomeMessage: said || "Failed; check the broker account." };
  }
}

/** The outcome of a signal: see the module comment. */
export function signalOutcome(s: SignalForOutcome): Outcome {
  if (s.status === "rejected") {
    return { outcome: "rejected", outcomeCode: s.messageCode, outcomeMessage: s.message ?? "The webhook refused the alert." };
  }
  if (s.duplicateOf !== null) {
    return {
      outcome: "nothing-traded",
      outcomeCode: s.messageCode ?? "duplicate",
      outcomeMessage: `This delivery repeated signal ${s.duplicateOf}, so it was not traded again.`,
    };
  }
  const trades = s.trades.map(tradeOutcome);
  const total = Math.max(s.expectedTrades ?? 0, trades.length);
  const missing = total - trades.length;
  if (total === 0) {
    return {
      outcome: "nothing-traded",
      outcomeCode: "no-subscriptions",
      outcomeMessage: "The strategy had no enabled subscription when the signal arrived, so nothing traded; subscribe an account to it.",
    };
  }
  const count = (o: SignalOutcome) => trades.filter((t) => t.outcome === o).length;
  const pending = count("pending") + missing;
  if (pending > 0) {
    if (total === 1) return trades[0] ?? { outcome: "pending", outcomeCode: null, outcomeMessage: "Queued; nothing has been sent to the broker yet." };
    return { outcome: "pending", outcomeCode: null, outcomeMessage: `Waiting for ${pending} of ${total} subscriptions.` };
  }
  if (count("awaiting-approval") > 0) {
    const n = count("awaiting-approval");
    return {
      outcome: "awaiting-approval",
      outcomeCode: null,
      outcomeMessage: total === 1 ? trades[0]!.outcomeMessage : `Waiting for your approval on ${n} of ${total} subscriptions (Approvals).`,
    };
  }
  if (total === 1) return trades[0]!;
  const traded = count("traded");
  if (traded === total) {
    const same = trades.every((t) => t.outcomeMessage === trades[0]!.outcomeMessage);
    return { outcome: "traded", outcomeCode: trades[0]!.outcomeCode, outcomeMessage: same ? `Traded on all ${total} subscriptions: ${trades[0]!.outcomeMessage}` : `Traded on all ${total} subscriptions.` };
  }
  // The reason: the worst trade that did not fully trade.
  const worst = [...trades].sort((a, b) => SEVERITY.indexOf(a.outcome) - SEVERITY.indexOf(b.outcome))[0]!;
  const others = total - traded;
  const theOthers = others === 1 ? "the other did not" : `${others} others did not`;
  if (traded > 0 || count("partly-traded") > 0) {
    const head = traded > 0 ? `Traded on ${traded} of ${total} subscriptions; ${theOthers}` : `Only partly traded on ${count("partly-traded")} of ${total} subscriptions`;
    return { outcome: "partly-traded", outcomeCode: worst.outcomeCode, outcomeMessage: `${head}: ${worst.outcomeMessage}` };
  }
  const alike = trades.every((t) => t.outcomeCode === worst.outcomeCode);
  return {
    outcome: worst.outcome,
    outcomeCode: worst.outcomeCode,
    outcomeMessage: alike ? `None of the ${total} subscriptions traded: ${worst.outcomeMessage}` : `None of the ${total} subscriptions traded; the most serious reason: ${worst.outcomeMessage}`,
  };
}

function join(lead: string, detail: string): string {
  return detail ? `${lead} ${detail}` : lead;
}
