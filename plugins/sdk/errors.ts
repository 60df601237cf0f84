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
