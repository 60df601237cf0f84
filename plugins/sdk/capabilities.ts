/**
 * What a broker can do, as data: a method map (ccxt's `has`, but typed) and
 * an order-feature matrix per asset class (ccxt's `features`). The core's
 * decision code, the pre-send {@link canSubmit} check, the dashboard and
 * docs/brokers.md all read these objects.
 *
 * Declare capabilities with `as const satisfies Capabilities` (or inline in
 * `definePlugin`): the literal values are what makes the type checker demand
 * `getQuote` when you say `getQuote: "native"`.
 *
 * @module
 */
import type { AssetClass, OrderType, TimeInForce } from "./models";

/** How a broker supports something: natively, emulated by the plugin (e.g. cancel + replace), or not at all. */
export type Support = "native" | "emulated" | "unsupported";

/** Optional client methods. A plugin implements exactly those its method map does not mark `unsupported`. */
export const OPTIONAL_METHODS = ["getQuote", "modifyOrder", "observePrice"] as const;
export type OptionalMethodName = (typeof OPTIONAL_METHODS)[number];

/** Mandatory client methods: every plugin implements all of them. */
export const MANDATORY_METHODS = [
  "testConnection",
  "getBalance",
  "getPositions",
  "getOpenOrders",
  "getOrder",
  "placeOrder",
  "cancelOrder",
] as const;
export type MandatoryMethodName = (typeof MANDATORY_METHODS)[number];

/** Rules for the client order id, which is the core's idempotency key at the broker. */
export interface ClientOrderIdRules {
  /** Longest id the broker accepts. The core's ids are 34 characters (`tl` + 32 hex). */
  maxLength: number;
  /** Characters the broker accepts (anchored). */
  pattern: RegExp;
  /**
   * Whether the broker refuses a second order with an id it has seen: `forever`
   * (best: a resend can never double), `while-open`, or `never` (the broker does
   * not check; reconciliation with getOrder is the only guard). Default `forever`.
   */
  uniqueness?: "forever" | "while-open" | "never";
}

/** What a broker can do for one asset class. */
export interface OrderFeatures {
  orderTypes: readonly OrderType[];
  timeInForce: readonly TimeInForce[];
  /** Orders may trade in pre- and post-market sessions (`extendedHours: true`). */
  extendedHours: boolean;
  /** OTO: entry + one exit; OCO: two exits cancelling each other; OTOCO: entry + TP + SL. */
  brackets: { oto: Support; oco: Support; otoco: Support };
  trailingStop: Support;
  /** Quantities below one unit (fractional shares, crypto amounts). */
  fractional: boolean;
  /** Orders sized in currency rather than units. */
  notional: boolean;
  /** Selling short (a sell that opens a negative position). */
  shorting: boolean;
  clientOrderId: ClientOrderIdRules;
  /** `replace`: amended in place; `cancel-replace`: a new order id replaces the old; `unsupported`. */
  modify: "replace" | "cancel-replace" | "unsupported";
}

/**
 * Method map: optional methods must be declared; `getOrder` may say how it
 * finds an order by client id (`emulated` = by scanning recent orders).
 */
export type MethodMap = { readonly [K in OptionalMethodName]: Support } & {
  readonly getOrder?: "native" | "emulated";
};

export interface Capabilities {
  methods: MethodMap;
  /** One entry per asset class the plugin trades; absent classes are unsupported. */
  orders: Partial<Record<AssetClass, OrderFeatures>>;
  /** Whether the broker copes with several orders in flight per account (LEAN's ConcurrentSubmissionEnabled). Default true. */
  concurrentSubmission?: boolean;
}
