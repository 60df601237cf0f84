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

/**
 * What one connection can do when it is less than its plugin: an aggregator
 * (SnapTrade) reaches many brokerages through one plugin, and each
 * brokerage allows a different subset (one trades no crypto, one takes no
 * stop orders, one is read-only). A client reports it with
 * `connectionCapabilities(accountId)`; the host checks every order against
 * the narrowed map, so an order the underlying brokerage cannot take is
 * refused before it is sent. A narrowing can only take away: it never adds
 * what the plugin does not declare ({@link narrowCapabilities}).
 */
export interface CapabilityNarrowing {
  /** Whether the connection may trade at all (a read-only connection: false). */
  trading: boolean;
  /** Asset classes the connection trades; absent = all the plugin declares. */
  assetClasses?: readonly AssetClass[];
  /** Per asset class, the features the connection has; absent fields keep the plugin's. */
  orders?: Partial<Record<AssetClass, Partial<Pick<OrderFeatures, "orderTypes" | "timeInForce" | "fractional" | "notional" | "shorting" | "extendedHours" | "trailingStop" | "brackets">>>>;
  /** One sentence naming where the limits come from, e.g. "Robinhood through SnapTrade". */
  source: string;
}

const SUPPORT_RANK: Readonly<Record<Support, number>> = { unsupported: 0, emulated: 1, native: 2 };

/** The weaker of two supports. */
function weaker(a: Support, b: Support): Support {
  return SUPPORT_RANK[a] <= SUPPORT_RANK[b] ? a : b;
}

/**
 * The plugin's capabilities cut down to a connection's narrowing: every list
 * intersected, every flag and support the weaker of the two. A connection
 * that may not trade keeps no order features at all.
 */
export function narrowCapabilities(base: Capabilities, narrowing: CapabilityNarrowing): Capabilities {
  const orders: Partial<Record<AssetClass, OrderFeatures>> = {};
  if (!narrowing.trading) return { ...base, orders };
  for (const [assetClass, features] of Object.entries(base.orders) as [AssetClass, OrderFeatures][]) {
    if (narrowing.assetClasses && !narrowing.assetClasses.includes(assetClass)) continue;
    const cut = narrowing.orders?.[assetClass];
    if (!cut) {
      orders[assetClass] = features;
      continue;
    }
    orders[assetClass] = {
      ...features,
      orderTypes: cut.orderTypes ? features.orderTypes.filter((t) => cut.orderTypes!.includes(t)) : features.orderTypes,
      timeInForce: cut.timeInForce ? features.timeInForce.filter((t) => cut.timeInForce!.includes(t)) : features.timeInForce,
      fractional: features.fractional && (cut.fractional ?? true),
      notional: features.notional && (cut.notional ?? true),
      shorting: features.shorting && (cut.shorting ?? true),
      extendedHours: features.extendedHours && (cut.extendedHours ?? true),
      trailingStop: cut.trailingStop ? weaker(features.trailingStop, cut.trailingStop) : features.trailingStop,
      brackets: cut.brackets
        ? {
            oto: weaker(features.brackets.oto, cut.brackets.oto),
            oco: weaker(features.brackets.oco, cut.brackets.oco),
            otoco: weaker(features.brackets.otoco, cut.brackets.otoco),
          }
        : features.brackets,
    };
  }
  return { ...base, orders };
}
