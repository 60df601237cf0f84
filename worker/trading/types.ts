/**
 * The pure decision core's inputs and outputs. `decide()` (worker/trading/decide.ts)
 * turns a signal, the subscription's settings and the account's current state
 * into a {@link Decision}: either a rejection with a stable messageCode, or a
 * plan of steps the executor carries out in order.
 *
 * @module
 */
import type {
  AssetClass,
  Bracket,
  Decimal,
  OrderFeatures,
  OrderRole,
  OrderSide,
  OrderType,
  TimeInForce,
} from "../../plugins/sdk";
import type { Signal } from "./signal-schema";
import type { RiskInput } from "./risk";
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
  /** Tickers the broker account holds a position in (any strategy); for `maxOpenPositions`. */
  openPositionTickers?: readonly string[];
}

/** A quote, when the broker offers one (spread filter, limit prices from `marketPriceType`). */
export interface QuoteInput {
  bid: Decimal | null;
  ask: Decimal | null;
  last: Decimal | null;
}

/** Instrument facts the broker knows better than the built-in tables. */
export interface InstrumentOverrides {
  /** Minimum price increment, e.g. "0.25" for MNQ. */
  tickSize?: Decimal;
  /** Dollars per one point of price per unit, e.g. "2" for MNQ, "100" for an option. */
  pointValue?: Decimal;
}

export interface DecisionInput {
  signal: Signal;
  settings: SubscriptionSettings;
  strategy: {
    assetClass: AssetClass;
    allowedTickers: readonly string[] | null;
    /** Strategy-level stale-signal limit in seconds (0 or absent = off); the stricter of this and the subscription's applies. */
    maxSignalAgeSeconds?: number;
  };
  account: AccountState;
  /** Best known price: the signal's price, else a quote mid, else null. */
  price: Decimal | null;
  now: Date;
  /** When the webhook received the signal (for `maxSignalAgeSeconds`); defaults to `now`. */
  receivedAt?: Date;
  /** The broker's order capabilities for the strategy's asset class; absent = assume everything is supported. */
  features?: OrderFeatures;
  /** Latest quote for the ticker, if the broker has one. */
  quote?: QuoteInput | null;
  /** Tick size / point value from the broker; else the built-in tables (worker/trading/instruments.ts). */
  instrument?: InstrumentOverrides;
  /** Account entry lockout: entries are rejected until this time. */
  entryLockedUntil?: Date | null;
  /** Kill switch, account risk settings and this subscription's own P&L (worker/trading/risk.ts); absent = no risk state known. */
  risk?: RiskInput;
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
  | {
      kind: "order";
      leg: string;
      order: PlannedOrder;
      /** Wait for a fill before the next step. */
      waitForFill: boolean;
      /** Cancel the order if still unfilled after this many seconds (signal `cancelAfter` or a subscription setting). */
      cancelAfterSeconds?: number;
    };

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
  /**
   * The instrument the orders are for. Usually the signal's ticker; differs
   * when the signal named a continuous future (`NQ1!` → `NQZ2025`) or an
   * option by fields (`SPY` + call/2024-05-10/68 → `SPY 240510C68`).
   */
  ticker?: string;
  /**
   * Dollars per point per unit of that instrument (1 for shares, 100 for an
   * option, 2 for MNQ), when known: the subscription's P&L ledger prices the
   * trade's fills with it.
   */
  pointValue?: Decimal;
}

/**
 * The market is closed and the subscription queues until the open
 * (`marketHours: "queue"`): run the signal again at `until`, deciding then
 * against the position at that time.
 */
export interface Deferral {
  kind: "defer";
  messageCode: "queued-until-open";
  message: string;
  /** Epoch ms of the next open; null when none is known within two weeks (the queue checks again later). */
  until: number | null;
  /** The ticker the trade waits on (one waiting trade per subscription and ticker). */
  ticker: string;
}

export type Decision = Rejection | TradePlan | Deferral;
