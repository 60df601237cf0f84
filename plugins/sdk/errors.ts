/**
 * One error type for every broker, carrying what the core should do next.
 *
 * @module
 */

/**
 * What the core does with a failure:
 * - `retryable`: nothing reached the broker's book (network, 429, maintenance). Retry with back-off.
 * - `outcome-unknown`: the request may have been executed (timeout after sending, 5xx on
 *   some venues). Never resend blindly: reconcile with `getOrder({ clientOrderId })` first.
 * - `rejected`: the broker refused; the trader can act on the message (funds, bad symbol...).
 * - `auth-expired`: credentials no longer work; the connection goes to `expired`.
 * - `unsupported`: the plugin cannot do this; nothing was sent.
 */
export type BrokerErrorKind = "retryable" | "outcome-unknown" | "rejected" | "auth-expired" | "unsupported";

export interface BrokerErrorOptions {
  /** Stable, trader-facing code, e.g. `insufficient-funds`, `invalid-symbol`. */
  code: string;
  kind: BrokerErrorKind;
  /** HTTP status from the broker, if any. */
  status?: number;
  /** Milliseconds the broker asked us to wait (Retry-After). */
  retryAfterMs?: number;
  /** Raw broker payload, for the log only. */
  raw?: unknown;
  cause?: unknown;
}

export class BrokerError extends Error {
  readonly code: string;
  readonly kind: BrokerErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly raw: unknown;

  constructor(message: string, options: BrokerErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "BrokerError";
    this.code = options.code;
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.raw = options.raw;
  }
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}

/**
 * Codes the core gives meaning to; use them whenever they fit so the core
 * and the trader see the same thing from every broker. Venue-specific codes
 * are allowed too (kebab-case).
 *
 * - `duplicate-client-order-id`: the core reconciles with `getOrder` instead of failing.
 * - `order-not-found`, `order-not-cancelable`: a cancel that finds the order gone is a success.
 */
export const STANDARD_ERROR_CODES = [
  "insufficient-funds",
  "invalid-order",
  "invalid-symbol",
  "min-notional",
  "invalid-quantity",
  "invalid-price",
  "market-closed",
  "position-side-mismatch",
  "duplicate-client-order-id",
  "order-not-found",
  "order-not-cancelable",
  "rate-limited",
  "broker-maintenance",
  "broker-unavailable",
  "broker-unreachable",
  "broker-timeout",
  "bad-response",
  "auth-failed",
  "unsupported",
] as const;
export type StandardErrorCode = (typeof STANDARD_ERROR_CODES)[number];

/** What one venue error becomes. */
export interface ErrorMapping {
  code: StandardErrorCode | (string & {});
  kind: BrokerErrorKind;
}

/**
 * A plugin's venue error table, as data (ccxt's `exceptions`, typed).
 * Lookup order: exact `codes`, then `messages` (first match), then
 * `statuses`, then the shared fallback by HTTP status.
 */
export interface VenueErrorTable {
  /** Venue error code (as a string, numeric codes too) → mapping. */
  codes?: Readonly<Record<string, ErrorMapping>>;
  /** Message patterns for venues without stable codes. A string matches as a case-insensitive substring. */
  messages?: readonly { match: string | RegExp; mapping: ErrorMapping }[];
  /** HTTP status → mapping, when the status alone is meaningful at this venue. */
  statuses?: Readonly<Record<number, ErrorMapping>>;
}

/** One failed venue answer, as the plugin read it. */
export interface VenueErrorInput {
  /** HTTP status; 200 for venues that wrap errors in a successful response. */
  status: number;
  /** The venue's own error code, if its body has one. */
  code?: string | number | null;
  /** The venue's message, shown to the trader. */
  message?: string | null;
  /** The whole error body, kept in `raw`. */
  body?: unknown;
  /** Response headers, for `Retry-After`. */
  headers?: Headers;
  /**
   * True for requests that may have created an order (`placeOrder`,
   * `modifyOrder`): an unreadable server failure is then `outcome-unknown`,
   * never "nothing happened".
   */
  placingOrder?: boolean;
  /** Clock for HTTP-date `Retry-After` values. */
  now?: Date;
}

/**
 * The shared fallback by HTTP status, used when the table has no entry.
 * A 5xx or 408 after an order was sent may mean it was booked, so it is
 * `outcome-unknown` for order placement and `retryable` for anything else.
 */
export function mappingForStatus(status: number, placingOrder: boolean): ErrorMapping {
  if (status === 401 || status === 403) return { code: "auth-failed", kind: "auth-expired" };
  if (status === 429) return { code: "rate-limited", kind: "retryable" };
  if (status === 408 || status === 504) return { code: "broker-timeout", kind: placingOrder ? "outcome-unknown" : "retryable" };
  if (status >= 500) return { code: "broker-unavailable", kind: placingOrder ? "outcome-unknown" : "retryable" };
  // Deliberately not `order-not-found`: a 404 from a wrong route must never read as
  // "no such order", or reconciliation would conclude an order was never placed and send it again.
  if (status === 404) return { code: "not-found", kind: "rejected" };
  return { code: "broker-rejected", kind: "rejected" };
}

/**
 * A server failure (5xx, 408) answering an order placement: the order may
 * have been booked whatever the body's text says (a 5xx reading
 * "insufficient..." is a server's trouble, not the broker's refusal), so the
 * status decides (`outcome-unknown`, reconciled), never a message or code
 * pattern of the table.
 */
export function serverFailedWhilePlacing(input: Pick<VenueErrorInput, "status" | "placingOrder">): boolean {
  return input.placingOrder === true && (input.status >= 500 || input.status === 408);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(header: string | null | undefined, now: Date = new Date()): number | undefined {
  if (header === null || header === undefined || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Finds the table entry for an error, or undefined. */
export function lookupVenueError(table: VenueErrorTable, input: Pick<VenueErrorInput, "status" | "code" | "message">): ErrorMapping | undefined {
  if (input.code !== undefined && input.code !== null) {
    const byCode = table.codes?.[String(input.code)];
    if (byCode) return byCode;
  }
  const message = input.message ?? "";
  for (const { match, mapping } of table.messages ?? []) {
    if (typeof match === "string" ? message.toLowerCase().includes(match.toLowerCase()) : match.test(message)) return mapping;
  }
  return table.statuses?.[input.status];
}

/**
 * Turns a venue error into a {@link BrokerError} through the plugin's table,
 * falling back on the HTTP status. The venue's message is kept for the trader
 * and its body in `raw` for the log.
 */
export function mapVenueError(table: VenueErrorTable, input: VenueErrorInput): BrokerError {
  const mapping = serverFailedWhilePlacing(input) ? mappingForStatus(input.status, true) : (lookupVenueError(table, input) ?? mappingForStatus(input.status, input.placingOrder === true));
  const message = input.message?.trim() || `The broker answered HTTP ${input.status}${input.code != null ? ` (${String(input.code)})` : ""}.`;
  return new BrokerError(message, {
    code: mapping.code,
    kind: mapping.kind,
    status: input.status,
    retryAfterMs: parseRetryAfter(input.headers?.get("retry-after"), input.now),
    raw: input.body,
  });
}

/**
 * The message of anything thrown, for logs and trader-facing sentences: an
 * Error's message, otherwise the value as text. The one place that knows a
 * thrown value need not be an Error.
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
