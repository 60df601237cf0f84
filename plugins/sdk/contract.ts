/**
 * The broker plugin contract (version 1). A plugin is data (manifest,
 * capabilities) plus a `connect()` that returns a client bound to one
 * connection's credentials. Plugins never touch Tradeloop's storage: they get
 * everything through the {@link PluginContext}.
 *
 * @module
 */
import type { z } from "zod";
import type {
  AssetClass,
  Balance,
  BrokerAccount,
  BrokerOrder,
  OrderRef,
  OrderRequest,
  OrderType,
  Position,
  Quote,
  TimeInForce,
} from "./models";

/** Base URLs per environment. A plugin declares only the ones it has. */
export interface PluginEnvironments {
  paper?: string;
  live?: string;
}

export interface PluginManifest<TCredentials extends z.ZodType = z.ZodType> {
  /** Stable id used in URLs and the database, e.g. `alpaca`. */
  id: string;
  displayName: string;
  version: string;
  assetClasses: readonly AssetClass[];
  environments: PluginEnvironments;
  auth: { scheme: "none" | "apiKey" | "oauth2"; credentials: TCredentials };
  /** Requests per window the broker allows per connection. */
  rateLimit?: { requests: number; perMs: number };
  /** Daily windows when the broker refuses orders (e.g. IBKR 23:45-00:45 ET). */
  maintenanceWindows?: readonly { timezone: string; start: string; end: string }[];
  providesQuotes: boolean;
  /** Schema of connection settings that are not secret (environment, startingCash...). */
  settings?: z.ZodType;
}

export type Support = "native" | "emulated" | "unsupported";

/** What a broker can do for one asset class. */
export interface OrderFeatures {
  orderTypes: readonly OrderType[];
  timeInForce: readonly TimeInForce[];
  extendedHours: boolean;
  brackets: { oto: Support; oco: Support; otoco: Support };
  trailingStop: Support;
  fractional: boolean;
  notional: boolean;
  shorting: boolean;
  /** Longest client order id the broker accepts, and its allowed characters. */
  clientOrderId: { maxLength: number; pattern: RegExp };
  modify: "replace" | "cancel-replace" | "unsupported";
}

export interface Capabilities {
  methods: {
    getQuote: Support;
    modifyOrder: Support;
    observePrice: Support;
  };
  orders: Partial<Record<AssetClass, OrderFeatures>>;
}

/** Services the core hands every plugin; plugins never re-implement them. */
export interface PluginContext<TCredentials = unknown, TSettings = Record<string, unknown>> {
  credentials: TCredentials;
  settings: TSettings;
  environment: "paper" | "live";
  /** Base URL of the chosen environment (or the connection's override). */
  baseUrl: string;
  /** The only way a plugin reaches the network: timeouts and rate limits are applied by the core. */
  fetch: (request: Request) => Promise<Response>;
  now: () => Date;
}

/** A client bound to one connection. Every method may throw a BrokerError. */
export interface BrokerClient {
  /** Verifies the credentials and returns the accounts they reach. */
  testConnection(): Promise<BrokerAccount[]>;
  getBalance(accountId: string): Promise<Balance>;
  getPositions(accountId: string): Promise<Position[]>;
  getOpenOrders(accountId: string): Promise<BrokerOrder[]>;
  /** Mandatory: how an unknown outcome is reconciled. Returns null if the broker has no such order. */
  getOrder(accountId: string, ref: OrderRef): Promise<BrokerOrder | null>;
  /** Places an order. The returned order carries the broker id and current status. */
  placeOrder(accountId: string, request: OrderRequest): Promise<BrokerOrder>;
  cancelOrder(accountId: string, ref: OrderRef): Promise<void>;
  getQuote?(ticker: string, assetClass: AssetClass): Promise<Quote>;
  /**
   * Simulated brokers only: tells the broker the market traded at `price`, so
   * resting orders that the price crosses fill.
   */
  observePrice?(accountId: string, ticker: string, price: string): Promise<void>;
}

export interface BrokerPlugin<TCredentials extends z.ZodType = z.ZodType> {
  manifest: PluginManifest<TCredentials>;
  capabilities: Capabilities;
  /** Maps a TradingView-style ticker to the broker's instrument symbol. */
  symbol(ticker: string, assetClass: AssetClass): string;
  connect(context: PluginContext<z.infer<TCredentials>>): BrokerClient;
}
