/**
 * The conformance kit's public types: what a plugin author hands
 * {@link runConformanceSuite} and what a plugin's fake broker must implement.
 * These are a published interface that every plugin's tests depend on; add
 * optional fields, never rename or remove.
 *
 * @module
 */
import type { AssetClass, BrokerClient, BrokerErrorKind, BrokerPlugin, Decimal, OrderSide, OrderStatus, SessionTokens } from "../sdk";
import type { CHECK_IDS, DIRECTION_ORDER_TYPES, DIRECTIONS } from "./check-ids";

/** A value or a promise of it: fakes over a Durable Object are async, in-memory fakes need not be. */
export type Awaitable<T> = T | Promise<T>;

/** One HTTP answer, as a fake (or a recorded fixture) gives it. `body` is JSON unless it is a string. */
export interface FakeReply {
  status: number;
  /** JSON value, or a string sent verbatim (for venues that answer text or form data). Omitted = empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A response recorded from the broker's sandbox, stored as JSON in
 * `plugins/<id>/fixtures/`. Secrets, account numbers and personal data are
 * replaced before it is committed (see plugins/README.md).
 */
export interface RecordedFixture {
  description?: string;
  /** Which call produced it, for the reader; the kit does not check it. */
  request?: { method: string; path: string };
  response: FakeReply;
}

/** One order as the fake broker holds it, in the broker's own symbols. */
export interface FakeOrder {
  /** The broker's order id. */
  id: string;
  /**
   * The client order id exactly as the broker holds it (Kraken and Robinhood
   * hold a UUID, for example); the kit maps the core's ids with
   * {@link ConformanceOptions.venueClientOrderId} before comparing.
   */
  clientOrderId: string | null;
  /** Broker symbol, i.e. `plugin.symbol(ticker, assetClass)`. */
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  filledQuantity: Decimal;
  status: OrderStatus;
}

/**
 * A stateful, in-process stand-in for the broker's HTTP API, written from the
 * broker's documentation. It keeps cash, positions and orders, fills market
 * orders at the last price set with {@link FakeBroker.setPrice}, rests limit
 * and stop orders until a price crosses them, and answers errors exactly in
 * the broker's documented format (status, body, headers).
 *
 * Fault controls act on the NEXT request the plugin sends (one-shot), except
 * `expireAuth`, which lasts until `reset()`. `FaultInjector` in the kit
 * implements `failNext`, `loseNextReply` and `expireAuth` for any handler.
 */
export interface FakeBroker {
  /** The broker's HTTP API. The kit injects it as the transport under the core's fetch service. */
  fetch(request: Request): Promise<Response>;
  /** Base URL the client should use, when it differs from the manifest's (e.g. one fake per id). */
  readonly baseUrl?: string;
  /** Back to a fresh funded account: no orders, no positions, no pending faults, valid auth. */
  reset(): Awaitable<void>;
  /** The market traded at `price` (broker symbol). Resting orders the price crosses fill, as at the broker. */
  setPrice(symbol: string, price: Decimal): Awaitable<void>;
  /** Answers the next request with `reply` without touching state (429, 5xx, maintenance...). */
  failNext(reply: FakeReply): void;
  /** Executes the next request but never lets its reply reach the client: the client sees a timeout. */
  loseNextReply(): void;
  /** From now on every request is answered the way the broker answers expired or revoked credentials. */
  expireAuth?(): void;
  /** The next order fills only `quantity` at once; the rest stays working until cancelled. */
  partialFillNext?(quantity: Decimal): void;
  /**
   * The regular trading session closed: every working order whose time in
   * force is `day` expires, exactly as the broker reports that (status,
   * reason, what happens to bracket legs). Only for brokers that have
   * sessions; a venue trading around the clock leaves it out and lists the
   * `*\/expiry` scenarios in its skips with that reason.
   */
  endSession?(): Awaitable<void>;
  /** Every order the broker holds, oldest first (bracket legs included). */
  orders(): Awaitable<readonly FakeOrder[]>;
  /**
   * Session brokers: the authorization server's front channel. Given the
   * authorize URL the plugin built, answers the redirect URL (with `code` and
   * `state`) as if the user signed in and approved.
   */
  authorize?(authorizeUrl: URL): Awaitable<URL>;
  /** Session brokers: every access token issued so far stops working (HTTP 401); renewing still works. */
  expireAccessToken?(): void;
  /** Session brokers: the grant dies: renewals and logins are refused as the broker documents, and access tokens stop working. */
  revokeGrant?(): void;
}

/** What the scenarios trade. */
export interface Instrument {
  /** TradingView-style ticker, as the core sends it (`AAPL`, `BTCUSD`). */
  ticker: string;
  assetClass: AssetClass;
  /** Starting market price; scenarios move it up and down by a few percent. Default `"100"`. */
  price?: Decimal;
  /** Quantity per order. Default `"1"`. */
  quantity?: Decimal;
  /** Quantity no funded test account can afford at `price`. Default `"1000000000"`. */
  unaffordableQuantity?: Decimal;
}

/** One HTTP request the plugin must send, exactly. */
export interface ExpectedRequest {
  method: string;
  /** Full URL including the query string. */
  url: string;
  /**
   * Every header the request carries, lower-case names, minus `skipKeys`.
   * Omit to not check headers.
   */
  headers?: Record<string, string>;
  /** Parsed JSON body, a string for non-JSON bodies, or omitted for no body. */
  body?: unknown;
}

/** Layer 1: an intent goes in, the exact HTTP request(s) come out. */
export interface StaticRequestCase {
  name: string;
  /** Calls the client once; errors after the request was captured are ignored (this layer checks requests). */
  call(client: BrokerClient, accountId: string): Promise<unknown>;
  /** Answers given in order; default one `200 {}` per request. */
  replies?: readonly (FakeReply | RecordedFixture)[];
  expected: readonly ExpectedRequest[];
  /**
   * Header, query or top-level body keys left out of the comparison because they
   * change per run (signature, timestamp, nonce). Prefer a signing vector: the
   * kit's clock and nonce are fixed, so signatures are usually reproducible.
   */
  skipKeys?: readonly string[];
}

/** What a static response case must produce: a normalized result, or a BrokerError. */
export type ExpectedOutcome =
  | { result: unknown }
  | { error: { kind: BrokerErrorKind; code: string; status?: number } };

/** Layer 2: a recorded broker response goes in, a normalized model (or BrokerError) comes out. */
export interface StaticResponseCase {
  name: string;
  /** Answers given in order to the requests `call` makes. */
  replies: readonly (FakeReply | RecordedFixture)[];
  call(client: BrokerClient, accountId: string): Promise<unknown>;
  /** Compared with `raw` fields removed; the kit separately checks that `raw` is kept on every model. */
  expected: ExpectedOutcome;
}

/** A documented signing test vector from the broker's API docs. */
export interface SigningVector {
  name: string;
  /** Computes the signature with the plugin's signing code and the documented inputs. */
  compute(): Promise<string>;
  /** The signature the broker's docs print for those inputs. */
  expected: string;
}

/** Entry/exit positions, named as in LEAN's brokerage tests. */
export type Direction = (typeof DIRECTIONS)[number];

/** Order types the direction scenarios run with. */
export type ScenarioOrderType = (typeof DIRECTION_ORDER_TYPES)[number];

/** Every check the kit can skip, each needing a reason (the list is `CHECK_IDS` in check-ids.ts). */
export type ScenarioId = (typeof CHECK_IDS)[number];

/** Skips with a reason each, e.g. `{ "partial-fill": "the venue never partially fills market orders" }`. */
export type SkipList = Partial<Record<ScenarioId, string>>;

/** Everything {@link runConformanceSuite} needs. */
export interface ConformanceOptions {
  plugin: BrokerPlugin;
  /** Credentials valid for the manifest's schema (fake values; the fake accepts them). */
  credentials: unknown;
  /** Connection settings (the manifest's settings schema applies). */
  settings?: Record<string, unknown>;
  /** Default `"paper"`. */
  environment?: "paper" | "live";
  /** Base URL for the static layers; default the manifest's URL for `environment`. */
  baseUrl?: string;
  /** Account id passed to client methods in the static layers. */
  accountId: string;
  /** Fixed clock for the static layers (signatures, timestamps). Default 2026-01-02T03:04:05.000Z. */
  now?: Date;
  /** Layer 1 cases. An empty list needs a `static-requests` skip reason. */
  requests: readonly StaticRequestCase[];
  /** Layer 2 cases. An empty list needs a `static-responses` skip reason. */
  responses: readonly StaticResponseCase[];
  signingVectors?: readonly SigningVector[];
  /** Makes a fresh fake broker; called once per scenario. */
  fake(): Awaitable<FakeBroker>;
  /** What the scenarios trade (one asset class the plugin supports). */
  instrument: Instrument;
  /** The broker's documented 429 reply. Default `429 {}` with `retry-after: 0`. */
  rateLimitReply?: FakeReply;
  /** Scenarios this broker cannot do, with the reason. Printed loudly on every run. */
  skip?: SkipList;
  /**
   * Every skip this run must produce, by check id and reason: the ones the
   * capabilities rule out (reasons starting `capabilities:` or `manifest:`)
   * and the ones listed in {@link skip}. The kit fails on any difference
   * either way, so a capability that silently disappears (a dozen scenarios
   * turning into skips) or a skip that no longer happens cannot go unnoticed.
   * On a mismatch the failure prints the list to paste.
   */
  expectedSkips: SkipList;
  /**
   * How the broker spells the core's client order id, when it does not keep
   * it as sent (Robinhood and Kraken take a UUID): the kit compares
   * {@link FakeOrder.clientOrderId} with this. Default: unchanged. Null for
   * a broker that keeps no client order id at all (TradeStation): the kit
   * then finds each acknowledged order by the broker order id its
   * acknowledgement carried ({@link FakeOrder.id}).
   */
  venueClientOrderId?(clientOrderId: string): string | null;
  /**
   * How the broker reports a `day` order the session's close ended: `expired`
   * (default), or `cancelled` for a broker whose order cannot tell the two
   * apart (OANDA shows state CANCELLED; the reason, TIME_IN_FORCE_EXPIRED, is
   * only in the cancelling transaction). Either way it must be terminal,
   * unfilled, no longer working, and never fill afterwards.
   */
  expiryStatus?: "expired" | "cancelled";
  /**
   * `oauth`: the scenarios connect through the OAuth flow against the fake
   * (authorize, then exchange the code); the static layers use `tokens`.
   */
  authMethod?: "credentials" | "oauth";
  /**
   * Answers for the reads `placeOrder` makes before it sends the order
   * (TradeStation reads the position to pick SELL or SELLSHORT), so the
   * transport checks fail the order request itself, not a read before it.
   */
  placeOrderPrelude?: readonly FakeReply[];
  /** Tokens the static layers' session starts from (OAuth plugins). */
  tokens?: SessionTokens;
}
