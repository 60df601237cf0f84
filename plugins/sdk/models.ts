/**
 * Normalized models every broker plugin speaks. The zod schemas are the
 * single source of the types. Money and quantities are decimal strings.
 *
 * @module
 */
import { z } from "zod";
import { dec, toDecimal, type Decimal } from "./decimal";

/**
 * What an instrument is. `predictions`: a prediction-market outcome (a
 * Polymarket "Yes"/"No" token): its price is a probability strictly between
 * 0 and 1 on the market's tick, its quantity a number of shares, each paying
 * 1 (one unit of the market's collateral) if the outcome happens, else 0.
 */
export const AssetClassSchema = z.enum(["stocks", "options", "futures", "crypto", "forex", "predictions"]);
export type AssetClass = z.infer<typeof AssetClassSchema>;

export const OrderSideSchema = z.enum(["buy", "sell"]);
export type OrderSide = z.infer<typeof OrderSideSchema>;

export const OrderTypeSchema = z.enum(["market", "limit", "stop", "stop_limit", "trailing_stop"]);
export type OrderType = z.infer<typeof OrderTypeSchema>;

export const TimeInForceSchema = z.enum(["day", "gtc", "opg", "cls", "ioc", "fok"]);
export type TimeInForce = z.infer<typeof TimeInForceSchema>;

/**
 * One order state machine for every broker:
 * `pending` (sent, not yet acknowledged) → `open` → `partially_filled` →
 * `filled`; or → `cancelled` | `rejected` | `expired`. Fills are cumulative:
 * `filledQuantity` only grows.
 */
export const OrderStatusSchema = z.enum([
  "pending",
  "open",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Statuses after which an order never changes again. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set([
  "filled",
  "cancelled",
  "rejected",
  "expired",
]);

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "decimal string");

/** What an order is for, from Tradeloop's point of view. */
export const OrderRoleSchema = z.enum(["entry", "exit", "take_profit", "stop_loss"]);
export type OrderRole = z.infer<typeof OrderRoleSchema>;

/** Exit legs attached to an entry (OTOCO when both are present). */
export const BracketSchema = z.object({
  takeProfit: z.object({ limitPrice: decimalString }).optional(),
  stopLoss: z
    .object({
      type: z.enum(["stop", "stop_limit", "trailing_stop"]),
      stopPrice: decimalString.optional(),
      limitPrice: decimalString.optional(),
      trailAmount: decimalString.optional(),
      trailPercent: decimalString.optional(),
    })
    .optional(),
});
export type Bracket = z.infer<typeof BracketSchema>;

/** An order Tradeloop asks a plugin to place. */
export const OrderRequestSchema = z.object({
  /** Deterministic idempotency key; the plugin must send it to the broker. */
  clientOrderId: z.string().min(1),
  /** TradingView-style ticker (`AAPL`, `BTCUSD`); the plugin maps it with `symbol()`. */
  ticker: z.string().min(1),
  assetClass: AssetClassSchema,
  side: OrderSideSchema,
  quantity: decimalString,
  type: OrderTypeSchema,
  timeInForce: TimeInForceSchema,
  limitPrice: decimalString.optional(),
  stopPrice: decimalString.optional(),
  trailAmount: decimalString.optional(),
  trailPercent: decimalString.optional(),
  extendedHours: z.boolean().optional(),
  /**
   * The alert's price, when it sent one. Real brokers ignore it; the paper
   * broker fills market orders at it when it has no better quote.
   */
  referencePrice: decimalString.optional(),
  bracket: BracketSchema.optional(),
});
export type OrderRequest = z.infer<typeof OrderRequestSchema>;

/** A broker order, normalized. */
export const BrokerOrderSchema = z.object({
  brokerOrderId: z.string(),
  clientOrderId: z.string().nullable(),
  ticker: z.string(),
  side: OrderSideSchema,
  type: OrderTypeSchema,
  quantity: decimalString,
  limitPrice: decimalString.nullable(),
  stopPrice: decimalString.nullable(),
  timeInForce: TimeInForceSchema.nullable(),
  status: OrderStatusSchema,
  filledQuantity: decimalString,
  avgFillPrice: decimalString.nullable(),
  /** Set on bracket legs: the entry order they belong to. */
  parentBrokerOrderId: z.string().nullable().optional(),
  /** Bracket child role, when the broker reports it. */
  role: OrderRoleSchema.optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  /** The broker's payload, kept for the log. Never used for decisions. */
  raw: z.unknown().optional(),
});
export type BrokerOrder = z.infer<typeof BrokerOrderSchema>;

/** An open position. `quantity` is signed: negative means short. */
export const PositionSchema = z.object({
  ticker: z.string(),
  quantity: decimalString,
  avgPrice: decimalString,
  raw: z.unknown().optional(),
});
export type Position = z.infer<typeof PositionSchema>;

export const BalanceSchema = z.object({
  currency: z.string(),
  cash: decimalString,
  /** Cash plus the market value of positions. */
  equity: decimalString,
  buyingPower: decimalString.optional(),
  raw: z.unknown().optional(),
});
export type Balance = z.infer<typeof BalanceSchema>;

export const BrokerAccountSchema = z.object({
  brokerAccountId: z.string(),
  mode: z.enum(["paper", "live"]),
  name: z.string(),
  currency: z.string(),
});
export type BrokerAccount = z.infer<typeof BrokerAccountSchema>;

/** Identifies an order either by Tradeloop's client id or the broker's id. */
export type OrderRef = { clientOrderId: string } | { brokerOrderId: string };

export const QuoteSchema = z.object({
  ticker: z.string(),
  bid: decimalString.nullable(),
  ask: decimalString.nullable(),
  last: decimalString.nullable(),
  at: z.string(),
});
export type Quote = z.infer<typeof QuoteSchema>;

/**
 * The one price a quote stands for: the mid of bid and ask; with a one-sided
 * book the last trade, else whichever side there is; null when the quote is
 * empty. Chosen over "mid or last, else nothing" because a one-sided quote
 * still names a price the market trades at: refusing the signal as
 * `no-price` (the decision) or filling a paper order at the alert's older
 * price (the paper price source) would both be further from the market.
 */
export function quoteMid(quote: Pick<Quote, "bid" | "ask" | "last">): Decimal | null {
  if (quote.bid !== null && quote.ask !== null) return toDecimal(dec(quote.bid).plus(quote.ask).div(2));
  return quote.last ?? quote.bid ?? quote.ask;
}

/** Changes `modifyOrder` may ask for; absent fields stay as they are. */
export const OrderChangesSchema = z.object({
  quantity: decimalString.optional(),
  limitPrice: decimalString.optional(),
  stopPrice: decimalString.optional(),
  timeInForce: TimeInForceSchema.optional(),
});
export type OrderChanges = z.infer<typeof OrderChangesSchema>;

/**
 * The order state machine. Terminal states have no way out; a status may
 * always be reported again (polling sees the same state twice).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ["open", "partially_filled", "filled", "cancelled", "rejected", "expired"],
  // A resting stop can be rejected when it triggers (funds gone by then).
  open: ["partially_filled", "filled", "cancelled", "rejected", "expired"],
  partially_filled: ["filled", "cancelled", "expired"],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** True if an order may move from `from` to `to` (staying put is always allowed). */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Checks a normalized order's internal consistency and returns the problems
 * (empty = fine): cumulative fills within the quantity, status agreeing with
 * the fills, an average price whenever something filled.
 */
export function orderProblems(order: BrokerOrder): string[] {
  const problems: string[] = [];
  const parsed = BrokerOrderSchema.safeParse(order);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  // Compared as decimals by sign of the difference, never as floats.
  const cmp = (a: string, b: string) => compareDecimal(a, b);
  const filled = order.filledQuantity;
  if (cmp(filled, "0") < 0) problems.push("filledQuantity is negative");
  if (cmp(filled, order.quantity) > 0) problems.push("filledQuantity exceeds quantity");
  if (order.status === "filled" && cmp(filled, order.quantity) !== 0) problems.push("status filled but filledQuantity < quantity");
  if (order.status === "partially_filled" && (cmp(filled, "0") === 0 || cmp(filled, order.quantity) === 0)) {
    problems.push("status partially_filled needs 0 < filledQuantity < quantity");
  }
  if ((order.status === "open" || order.status === "pending") && cmp(filled, "0") !== 0) problems.push(`status ${order.status} with fills`);
  if (cmp(filled, "0") > 0 && order.avgFillPrice === null) problems.push("fills without avgFillPrice");
  return problems;
}

/**
 * Folds a newer report of the same order into an older one: the status must
 * follow the state machine and fills are cumulative (never shrink). Throws if
 * the broker's reports contradict that, rather than recording a lie.
 */
export function advanceOrder(previous: BrokerOrder, next: BrokerOrder): BrokerOrder {
  if (!canTransition(previous.status, next.status)) {
    throw new Error(`order ${previous.brokerOrderId}: ${previous.status} → ${next.status} is not a valid transition`);
  }
  if (compareDecimal(next.filledQuantity, previous.filledQuantity) < 0) {
    throw new Error(`order ${previous.brokerOrderId}: filledQuantity went down (${previous.filledQuantity} → ${next.filledQuantity})`);
  }
  return next;
}

/** Compares two canonical decimal strings exactly (-1, 0, 1). */
function compareDecimal(a: string, b: string): number {
  return dec(a).cmp(b);
}
