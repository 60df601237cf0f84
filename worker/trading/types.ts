/**
 * The pure decision core's inputs and outputs. `decide()` (worker/trading/decide.ts)
 * turns a signal, the subscription's settings and the account's current state
 * into a {@link Decision}: either a rejection with a stable messageCode, or a
 * plan of steps the executor carries out in order.
 *
 * @module
 */
import type { AssetClass, Decimal, OrderRole, OrderSide, OrderType, TimeInForce, Bracket } from "../../plugins/sdk";
import type { Signal } from "../webhook/signal-schema";
import type { SubscriptionSettings } from "./settings";

/** What the decision core knows about the account, read just before deciding. */
export interface AccountState {
  /** Signed quantity for the signal's ticker: negative = short, "0" = flat. */
  positionQuantity: Decimal;
  /** Average entry price of that position, if any. */
  positionAvgPrice: Decimal | null;
  /** Open orders for the ticker. */
  openOrders: readonly { brokerOrderId: string; side: OrderSide; type: OrderType; quantity: Decimal }[];
  cash: Decimal | null;
  equity: Decimal | null;
}

export interface DecisionInput {
  signal: Signal;
  settings: SubscriptionSettings;
  strategy: { assetClass: AssetClass; allowedTickers: readonly string[] | null };
  account: AccountState;
  /** Best known price: the signal's price, else a quote mid, else null. */
  price: Decimal | null;
  now: Date;
}

/** An order the executor should place. */
export interface PlannedOrder {
  role: OrderRole;
  side: OrderSide;
  quantity: Decimal;
  type: OrderType;
  timeInForce: TimeInForce;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailAmount?: Decimal;
  trailPercent?: Decimal;
  extendedHours?: boolean;
  bracket?: Bracket;
}

/**
 * A step of a trade. `leg` names the step uniquely within the trade and is
 * part of the deterministic client order id, so it must never change meaning.
 */
export type PlanStep =
  | { kind: "cancel"; leg: string; orderType?: OrderType }
  | { kind: "order"; leg: string; order: PlannedOrder; /** Wait for a fill before the next step. */ waitForFill: boolean };

/** TradersPost outcome messages, as stable codes. */
export type OutcomeCode =
  | "enter-new-position"
  | "close-open-position"
  | "exit-partial-position"
  | "add-to-position"
  | "cancel-open-orders"
  | "exit-signal-no-new-position"
  | "sides-swapping-disabled"
  | "reverse-position"
  | "breakeven";

export interface Rejection {
  kind: "reject";
  messageCode: string;
  message: string;
  field?: string;
}

export interface TradePlan {
  kind: "trade";
  outcome: OutcomeCode;
  message: string;
  steps: PlanStep[];
}

export type Decision = Rejection | TradePlan;
