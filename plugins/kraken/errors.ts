/**
 * Kraken errors → BrokerError, as data.
 *
 * Kraken answers business errors with HTTP 200 and a non-empty `error`
 * array of strings such as `EOrder:Insufficient funds` (strings starting with
 * `W` are warnings, not failures). The first entry of the table whose prefix
 * matches decides the code and kind; `placing` overrides the kind for order
 * placement, where "the server failed" may still mean "the order was booked".
 * Non-200 answers fall back to the SDK's status mapping (5xx while placing =
 * outcome-unknown).
 *
 * @module
 */
import { BrokerError, mappingForStatus, parseRetryAfter, type BrokerErrorKind } from "../sdk";

interface Mapping {
  /** Matched against the error string: exact prefix, case-insensitive. */
  prefix: string;
  code: string;
  kind: BrokerErrorKind;
  /** Kind when the request was AddOrder. */
  placing?: BrokerErrorKind;
  /** Code when the request was AddOrder (the same string can mean another thing there). */
  placingCode?: string;
}

/** Documented error strings (docs.kraken.com "Error messages"), most specific first. */
export const KRAKEN_ERROR_TABLE: readonly Mapping[] = [
  { prefix: "EAPI:Invalid key", code: "invalid-credentials", kind: "auth-expired" },
  { prefix: "EAPI:Invalid signature", code: "invalid-credentials", kind: "auth-expired" },
  // Refused before anything ran; a fresh nonce on retry fixes it.
  { prefix: "EAPI:Invalid nonce", code: "invalid-nonce", kind: "retryable" },
  { prefix: "EAPI:Rate limit exceeded", code: "rate-limited", kind: "retryable" },
  { prefix: "EAPI:Feature disabled", code: "unsupported-operation", kind: "rejected" },
  { prefix: "EAuth:Rate limit exceeded", code: "rate-limited", kind: "retryable" },
  { prefix: "EAuth:Too many requests", code: "rate-limited", kind: "retryable" },
  { prefix: "EAuth:Account temporary disabled", code: "account-disabled", kind: "auth-expired" },
  { prefix: "EAuth:Account unconfirmed", code: "account-disabled", kind: "auth-expired" },
  { prefix: "EGeneral:Temporary lockout", code: "temporary-lockout", kind: "auth-expired" },
  { prefix: "EGeneral:Permission denied", code: "permission-denied", kind: "rejected" },
  { prefix: "EGeneral:Too many requests", code: "rate-limited", kind: "retryable" },
  { prefix: "EGeneral:Invalid arguments:Index unavailable", code: "index-unavailable", kind: "rejected" },
  { prefix: "EGeneral:Invalid arguments", code: "invalid-order", kind: "rejected" },
  { prefix: "EGeneral:Unknown method", code: "unsupported-operation", kind: "rejected" },
  { prefix: "EGeneral:Internal error", code: "broker-unavailable", kind: "retryable", placing: "outcome-unknown" },
  { prefix: "EOrder:Insufficient funds", code: "insufficient-funds", kind: "rejected" },
  { prefix: "EOrder:Insufficient margin", code: "insufficient-funds", kind: "rejected" },
  { prefix: "EOrder:Margin", code: "insufficient-funds", kind: "rejected" },
  { prefix: "EOrder:Order minimum not met", code: "invalid-quantity", kind: "rejected" },
  { prefix: "EOrder:Cost minimum not met", code: "min-notional", kind: "rejected" },
  { prefix: "EOrder:Tick size check failed", code: "invalid-price", kind: "rejected" },
  { prefix: "EOrder:Invalid price", code: "invalid-price", kind: "rejected" },
  { prefix: "EOrder:Rate limit exceeded", code: "rate-limited", kind: "retryable" },
  { prefix: "EOrder:Domain rate limit exceeded", code: "rate-limited", kind: "retryable" },
  { prefix: "EOrder:Orders limit exceeded", code: "too-many-orders", kind: "rejected" },
  { prefix: "EOrder:Scheduled orders limit exceeded", code: "too-many-orders", kind: "rejected" },
  { prefix: "EOrder:Positions limit exceeded", code: "too-many-orders", kind: "rejected" },
  { prefix: "EOrder:Unknown order", code: "order-not-found", kind: "rejected" },
  // On QueryOrders/CancelOrder an unknown txid; on AddOrder the order itself was refused (never "not found").
  { prefix: "EOrder:Invalid order", code: "order-not-found", kind: "rejected", placingCode: "invalid-order" },
  { prefix: "EOrder:Reduce only", code: "invalid-order", kind: "rejected" },
  { prefix: "EService:Unavailable", code: "broker-unavailable", kind: "retryable", placing: "outcome-unknown" },
  { prefix: "EService:Busy", code: "broker-busy", kind: "retryable", placing: "outcome-unknown" },
  { prefix: "EService:Market in cancel_only mode", code: "market-closed", kind: "retryable" },
  { prefix: "EService:Market in post_only mode", code: "market-closed", kind: "retryable" },
  // With a `deadline` the engine dropped the request unprocessed; without one we cannot be sure.
  { prefix: "EService:Deadline elapsed", code: "broker-timeout", kind: "retryable", placing: "outcome-unknown" },
  { prefix: "EService:Throttled", code: "rate-limited", kind: "retryable" },
  { prefix: "EQuery:Unknown asset pair", code: "invalid-symbol", kind: "rejected" },
  { prefix: "EQuery:Unknown asset", code: "invalid-symbol", kind: "rejected" },
  { prefix: "ETrade:Invalid request", code: "invalid-order", kind: "rejected" },
  { prefix: "EAccount:Invalid permissions", code: "permission-denied", kind: "rejected" },
  { prefix: "EBM:limit exceeded", code: "limit-exceeded", kind: "rejected" },
];

/**
 * Kraken does not document the string for a reused open `cl_ord_id`; any
 * error mentioning a duplicate is read as one, so the core reconciles.
 */
const DUPLICATE = /duplicate/i;

/** One sentence the trader can act on, where Kraken's string is terse. */
function explain(code: string, error: string): string {
  switch (code) {
    case "invalid-credentials":
      return error.startsWith("EAPI:Invalid signature")
        ? "Kraken could not verify the request signature: the private key does not belong to this API key. Paste it again."
        : "Kraken does not know this API key: check it was copied whole and not deleted (Settings → API).";
    case "permission-denied":
      return `Kraken refused: the API key lacks a permission this needs (${error}). Edit the key and tick the Funds query and Orders and trades permissions.`;
    case "temporary-lockout":
      return "Kraken locked the key for a few minutes after repeated invalid-key errors; fix the key, then wait before retrying.";
    default:
      return `Kraken: ${error}`;
  }
}

/** Turns the `error` array of an answer into a BrokerError (the first error decides). */
export function errorFromKraken(errors: readonly string[], status: number, body: unknown, placingOrder: boolean, now: Date): BrokerError {
  const first = errors.find((e) => e.startsWith("E")) ?? errors[0] ?? "EGeneral:Unknown error";
  const lower = first.toLowerCase();
  let code = "broker-rejected";
  let kind: BrokerErrorKind = "rejected";
  if (DUPLICATE.test(first)) code = "duplicate-client-order-id";
  else {
    const m = KRAKEN_ERROR_TABLE.find((x) => lower.startsWith(x.prefix.toLowerCase()));
    if (m) {
      code = placingOrder && m.placingCode ? m.placingCode : m.code;
      kind = placingOrder && m.placing ? m.placing : m.kind;
    }
  }
  // `EService:Throttled: <unix seconds>` says when to come back.
  const throttled = /^EService:Throttled:\s*(\d+)/.exec(first);
  const retryAfterMs = throttled?.[1] ? Math.max(0, Number(throttled[1]) * 1000 - now.getTime()) : undefined;
  return new BrokerError(explain(code, first), { code, kind, status, retryAfterMs, raw: body });
}

/** A non-200 answer without a readable `error` array: the SDK's status rules (5xx while placing = outcome-unknown). */
export function errorFromStatus(status: number, body: unknown, headers: Headers, placingOrder: boolean, now: Date): BrokerError {
  const m = mappingForStatus(status, placingOrder);
  return new BrokerError(`Kraken answered HTTP ${status}.`, { code: m.code, kind: m.kind, status, retryAfterMs: parseRetryAfter(headers.get("retry-after"), now), raw: body });
}
