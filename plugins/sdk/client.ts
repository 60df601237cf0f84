/**
 * The client a plugin returns for one connection. Mandatory methods are
 * always there; optional ones exist exactly when the capabilities' method map
 * says so, and {@link ClientFor} makes the type checker hold plugins to it.
 *
 * Every method may throw a BrokerError, and nothing else on purpose.
 *
 * @module
 */
import type { CapabilityNarrowing, Capabilities, OptionalMethodName } from "./capabilities";
import type { Decimal } from "./decimal";
import type { InstrumentRules } from "./instrument-rules";
import type { AssetClass, Balance, BrokerAccount, BrokerOrder, OrderChanges, OrderRef, OrderRequest, Position, Quote } from "./models";

/** Methods every plugin implements. */
export interface MandatoryMethods {
  /** Verifies the credentials and returns the accounts they reach. Sends no order. */
  testConnection(): Promise<BrokerAccount[]>;
  getBalance(accountId: string): Promise<Balance>;
  /** Open positions with signed quantities (negative = short). */
  getPositions(accountId: string): Promise<Position[]>;
  /** Working orders (open, partially filled), bracket legs included with `parentBrokerOrderId`. */
  getOpenOrders(accountId: string): Promise<BrokerOrder[]>;
  /**
   * One order by client or broker id, in any state, or null if the broker has
   * no such order. How the core reconciles an outcome-unknown placement, so
   * null must mean "the broker never booked it", never "some lookup failed".
   */
  getOrder(accountId: string, ref: OrderRef): Promise<BrokerOrder | null>;
  /**
   * Sends one order with `request.clientOrderId`. Returns the broker's view
   * right after (broker id and status); fills may come later.
   */
  placeOrder(accountId: string, request: OrderRequest): Promise<BrokerOrder>;
  /** Cancels a working order. Cancelling an order that is already done throws `order-not-cancelable`. */
  cancelOrder(accountId: string, ref: OrderRef): Promise<void>;
}

/** Methods a plugin implements only when its method map declares them. */
export interface OptionalMethods {
  /** Best bid, ask and last trade for a ticker (needs `manifest.providesQuotes`). */
  getQuote(ticker: string, assetClass: AssetClass): Promise<Quote>;
  /** Changes a working order; `emulated` = cancel and replace under a new broker id. */
  modifyOrder(accountId: string, ref: OrderRef, changes: OrderChanges): Promise<BrokerOrder>;
  /**
   * Simulated brokers only: tells the broker the market traded at `price`,
   * so resting orders that the price crosses fill.
   */
  observePrice(accountId: string, ticker: string, price: Decimal): Promise<void>;
}

/**
 * What a client may add to refine the checks the host runs before sending
 * an order. Not part of the method map: the core works without them, and a
 * plugin implements one when its venue publishes what it checks.
 */
export interface ClientExtensions {
  /**
   * The venue's tick, lot step and minimums for an instrument. The host
   * caches them per connection and rounds and checks every order with them
   * before it is sent (see instrument-rules.ts).
   */
  instrumentRules(ticker: string, assetClass: AssetClass): Promise<InstrumentRules>;
  /**
   * What this connection can do when it is less than the plugin (an
   * aggregator's underlying brokerage). The host checks orders against the
   * narrowed capabilities (see `narrowCapabilities`).
   */
  connectionCapabilities(accountId: string): Promise<CapabilityNarrowing>;
}

/** Names of {@link ClientExtensions}, for the host's wrapper. */
export const CLIENT_EXTENSIONS = ["instrumentRules", "connectionCapabilities"] as const;

/** The client as the core sees it: optional methods and extensions may be absent. */
export interface BrokerClient extends MandatoryMethods, Partial<OptionalMethods>, Partial<ClientExtensions> {}

/** True when a capability value (as a literal type) is anything but `unsupported`. */
type Declared<S> = [S] extends ["unsupported"] ? false : true;

/**
 * The client type a plugin with capabilities `C` must return: the mandatory
 * methods, every optional method `C` declares `native` or `emulated` (required),
 * and none of those it declares `unsupported` (present = type error, so the
 * map cannot under-promise either).
 *
 * With capabilities widened to `Capabilities` (no literal types), every
 * optional method is required: declare them `as const satisfies Capabilities`.
 */
export type ClientFor<C extends Capabilities> = MandatoryMethods & Partial<ClientExtensions> & {
  [K in OptionalMethodName as Declared<C["methods"][K]> extends true ? K : never]-?: OptionalMethods[K];
} & {
  [K in OptionalMethodName as Declared<C["methods"][K]> extends true ? never : K]?: never;
};
