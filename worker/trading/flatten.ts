/**
 * Flatten: the plan that closes one subscription's own position in one
 * ticker, for the kill switch's `flatten` and a daily limit's `flatten`.
 *
 * Why not the exit signal's rules: a flatten is the trader (or their limit)
 * asking to be out now, so the subscription's exit filters (`ignoreExits`,
 * trading windows) do not apply, and it is a market order. It closes only
 * what this subscription's own fills hold (its lot), never another
 * strategy's share of the same ticker, and never more than the broker holds
 * on that side. Open orders in the ticker are cancelled first only when the
 * flatten closes the broker's whole position (a bracket's stop left behind
 * would otherwise reopen it; another strategy's orders are left alone when
 * that strategy still holds a position).
 *
 * Pure: decided when the trade runs, against the lot and the broker's
 * position at that moment.
 *
 * @module
 */
import type { AssetClass } from "../../plugins/sdk";
import { Big, toDecimal, type Decimal } from "../../plugins/sdk/decimal";
import type { Rejection, TradePlan } from "./types";

/** Why a flatten runs: shown as the trade's message. */
export interface FlattenReason {
  messageCode: "kill-switch-flatten" | "daily-limit-flatten";
  message: string;
}

/** The plan closing the subscription's `lotQuantity` (signed) of `ticker`, given the broker's signed position. */
export function flattenPlan(input: {
  ticker: string;
  assetClass: AssetClass;
  lotQuantity: Decimal;
  brokerQuantity: Decimal;
  reason: FlattenReason;
}): TradePlan | Rejection {
  const lot = new Big(input.lotQuantity);
  const held = new Big(input.brokerQuantity);
  const sameSide = !lot.eq(0) && !held.eq(0) && lot.gt(0) === held.gt(0);
  if (!sameSide) {
    return {
      kind: "reject",
      messageCode: "no-position-to-exit",
      message: `${input.reason.message} Nothing to close in ${input.ticker}: this subscription's fills hold ${toDecimal(lot)} and the broker holds ${toDecimal(held)}.`,
    };
  }
  const quantity = lot.abs().lt(held.abs()) ? lot.abs() : held.abs();
  const side = lot.gt(0) ? "sell" : "buy";
  const whole = quantity.eq(held.abs());
  return {
    kind: "trade",
    outcome: "close-open-position",
    message: `${input.reason.message} ${whole ? "Cancel the open orders, then " : ""}${side} ${toDecimal(quantity)} ${input.ticker} at market.`,
    ticker: input.ticker,
    steps: [
      ...(whole ? [{ kind: "cancel" as const, leg: "flatten-cancel" }] : []),
      {
        kind: "order",
        leg: "flatten",
        order: { role: "exit", side, quantity: toDecimal(quantity), type: "market", timeInForce: input.assetClass === "crypto" ? "gtc" : "day" },
        waitForFill: false,
      },
    ],
  };
}
