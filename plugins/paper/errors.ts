/**
 * How the paper ledger's errors become {@link BrokerError}s. Like every
 * plugin's error table, this is data: the venue's code (or, failing that, its
 * HTTP status) decides the stable code and the kind, and the kind tells the
 * core what to do next (retry, reconcile, tell the trader).
 *
 * @module
 */
import { BrokerError, type BrokerErrorKind } from "../sdk";
import { WireErrorSchema } from "./wire";

interface Mapping {
  code: string;
  kind: BrokerErrorKind;
}

/** Ledger error code → Tradeloop code and kind. Codes absent here fall back to {@link byStatus}. */
export const LEDGER_ERROR_TABLE: Readonly<Record<string, Mapping>> = {
  "insufficient-funds": { code: "insufficient-funds", kind: "rejected" },
  "no-price": { code: "no-price", kind: "rejected" },
  "invalid-order": { code: "invalid-order", kind: "rejected" },
  "invalid-bracket": { code: "invalid-bracket", kind: "rejected" },
  // The executor treats this as "already placed" and reconciles with getOrder; it is not a failure to retry.
  "duplicate-client-order-id": { code: "duplicate-client-order-id", kind: "rejected" },
  "order-not-found": { code: "order-not-found", kind: "rejected" },
  "order-not-cancelable": { code: "order-not-cancelable", kind: "rejected" },
  "invalid-price": { code: "invalid-price", kind: "rejected" },
  "invalid-request": { code: "invalid-request", kind: "rejected" },
  // The client initialises the ledger and retries once before this can escape.
  "not-initialized": { code: "paper-account-not-initialized", kind: "retryable" },
};

/**
 * Fallback by HTTP status. A 5xx after an order was sent may mean the order
 * was booked anyway, so it is `outcome-unknown` for order placement and
 * merely `retryable` for anything else.
 */
export function byStatus(status: number, placingOrder: boolean): Mapping {
  if (status === 429) return { code: "rate-limited", kind: "retryable" };
  if (status === 401 || status === 403) return { code: "auth-failed", kind: "auth-expired" };
  if (status >= 500) return placingOrder ? { code: "broker-unavailable", kind: "outcome-unknown" } : { code: "broker-unavailable", kind: "retryable" };
  return { code: "broker-rejected", kind: "rejected" };
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * Turns a non-2xx ledger response into a BrokerError. `placingOrder` marks a
 * `POST /orders`, where an unreadable failure must not be read as "nothing happened".
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers, placingOrder: boolean, now: Date): BrokerError {
  const parsed = WireErrorSchema.safeParse(body);
  // Known codes win over the status; the 5xx rule still applies to unknown codes.
  const mapped = (parsed.success ? LEDGER_ERROR_TABLE[parsed.data.code] : undefined) ?? byStatus(status, placingOrder);
  const message = parsed.success ? parsed.data.message : `The paper ledger answered HTTP ${status}.`;
  return new BrokerError(message, {
    code: mapped.code,
    kind: mapped.kind,
    status,
    retryAfterMs: retryAfterMs(headers.get("retry-after"), now),
    raw: body,
  });
}

/** A request that never got an answer: if it was an order, it may still have been booked. */
export function errorFromTransport(cause: unknown, placingOrder: boolean): BrokerError {
  return new BrokerError(
    placingOrder
      ? "The paper ledger did not answer; the order may or may not have been placed."
      : "The paper ledger did not answer.",
    { code: "broker-unreachable", kind: placingOrder ? "outcome-unknown" : "retryable", cause },
  );
}
