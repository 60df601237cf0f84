/**
 * What the core hands a plugin when it connects: the connection's
 * credentials and settings, and the shared services. Plugins never touch
 * Tradeloop's storage, the global `fetch`, `Date.now()` or `console`: they go
 * through this object, which is how the core (and the conformance kit) add
 * timeouts, rate limits, redaction and a deterministic clock.
 *
 * @module
 */

import type { SessionAccess } from "./session";

/** Per-request options of the core's fetch. */
export interface PluginFetchOptions {
  /**
   * Whether sending the request twice is harmless. When a request that is NOT
   * idempotent gets no answer (timeout, reset), the core's fetch throws an
   * `outcome-unknown` BrokerError instead of a `retryable` one, so the core
   * reconciles instead of resending. Default: true for GET, HEAD, PUT, DELETE
   * and OPTIONS (RFC 9110), false for POST and PATCH. Venues that read
   * through POST (Kraken) pass `{ idempotent: true }`.
   */
  idempotent?: boolean;
  /** Overrides the connection's timeout for this request (ms). */
  timeoutMs?: number;
}

/**
 * The only way a plugin reaches the network. It applies the connection's
 * rate limit (waiting for a token), a timeout, and turns transport failures
 * (no answer, reset, timeout) into BrokerErrors: `broker-timeout` /
 * `broker-unreachable`, `retryable` or `outcome-unknown` per
 * {@link PluginFetchOptions.idempotent}. HTTP error statuses are returned as
 * responses: reading them is the plugin's job (see `mapVenueError`).
 */
export type PluginFetch = (request: Request, options?: PluginFetchOptions) => Promise<Response>;

/** Structured log fields. Values under secret-looking keys, and every credential value, are redacted. */
export type LogFields = Record<string, unknown>;

/** A structured logger that redacts secrets before anything is written. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Services the core hands every plugin; plugins never re-implement them. */
export interface PluginContext<TCredentials = unknown, TSettings = Record<string, unknown>> {
  /** Parsed with the manifest's credentials schema. */
  credentials: TCredentials;
  /** Parsed with the manifest's settings schema (or the raw bag if it has none). */
  settings: TSettings;
  environment: "paper" | "live";
  /** Base URL of the chosen environment (or the connection's override), without a trailing slash. */
  baseUrl: string;
  fetch: PluginFetch;
  /** The clock. Signatures and timestamps use it, so tests can fix it. */
  now: () => Date;
  /**
   * A strictly increasing nonce per connection (decimal string, microseconds
   * since the epoch or more), for venues that demand rising nonces (Kraken).
   */
  nonce: () => string;
  log: Logger;
  /**
   * The connection's session owner, for brokers that authenticate with a
   * renewable access token (OAuth connections, Tradovate). Use
   * `fetchWithSession` rather than reading tokens yourself.
   */
  session?: SessionAccess;
}
