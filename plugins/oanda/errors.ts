/**
 * OANDA's error answers → BrokerError, as data.
 *
 * OANDA answers failures with an HTTP status and a body
 * `{ errorCode?, errorMessage, orderRejectTransaction? | orderCancelRejectTransaction? }`
 * (`errorCode` is often absent, e.g. on 401). An order it accepts but cannot
 * fill comes back as 201 with an `orderCancelTransaction` whose `reason`
 * says why (INSUFFICIENT_MARGIN, MARKET_HALTED...); those reasons have their
 * own table because they are refusals even though the HTTP status is 201.
 *
 * @module
 */
import { BrokerError, parseRetryAfter, type BrokerErrorKind } from "../sdk";
import { ErrorBodySchema } from "./wire";

export interface ErrorMapping {
  code: string;
  kind: BrokerErrorKind;
}

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

/** Exact OANDA `errorCode` / `rejectReason` values (TransactionRejectReason). */
export const OANDA_ERROR_CODES: Readonly<Record<string, ErrorMapping>> = {
  // The core reconciles with getOrder({ clientOrderId }) instead of failing.
  CLIENT_ORDER_ID_ALREADY_EXISTS: rejected("duplicate-client-order-id"),
  CLIENT_ORDER_ID_INVALID: rejected("invalid-order"),
  ORDER_DOESNT_EXIST: rejected("order-not-found"),
  INSUFFICIENT_MARGIN: rejected("insufficient-funds"),
  INSUFFICIENT_FUNDS: rejected("insufficient-funds"),
  INSTRUMENT_UNKNOWN: rejected("invalid-symbol"),
  INSTRUMENT_MISSING: rejected("invalid-symbol"),
  INSTRUMENT_NOT_TRADEABLE: rejected("market-closed"),
  MARKET_HALTED: rejected("market-closed"),
  // A price is momentarily unavailable (e.g. the weekly close): nothing was booked.
  INSTRUMENT_PRICE_UNKNOWN: { code: "market-closed", kind: "rejected" },
  ACCOUNT_NOT_ACTIVE: rejected("account-restricted"),
  ACCOUNT_LOCKED: rejected("account-restricted"),
  ACCOUNT_ORDER_CREATION_LOCKED: rejected("account-restricted"),
  ACCOUNT_NEW_POSITIONS_LOCKED: rejected("account-restricted"),
  FIFO_VIOLATION: rejected("position-side-mismatch"),
  // Transient at the venue; no order was created.
  INTERNAL_SERVER_ERROR: { code: "broker-unavailable", kind: "retryable" },
};

/** Families of codes by prefix, tried in order after the exact table. */
export const OANDA_ERROR_PREFIXES: readonly { prefix: string; mapping: ErrorMapping }[] = [
  { prefix: "TAKE_PROFIT_", mapping: rejected("invalid-bracket") },
  { prefix: "STOP_LOSS_", mapping: rejected("invalid-bracket") },
  { prefix: "GUARANTEED_STOP_LOSS_", mapping: rejected("invalid-bracket") },
  { prefix: "TRAILING_STOP_LOSS_", mapping: rejected("invalid-bracket") },
  { prefix: "UNITS_", mapping: rejected("invalid-quantity") },
  { prefix: "PRICE_", mapping: rejected("invalid-price") },
];

/**
 * By HTTP status, when the body has no known code. OANDA answers 401
 * "Insufficient authorization to perform request." both for a bad token and
 * for a token used against the other environment; testConnection tells the
 * two apart by probing the other environment.
 */
export function mappingForStatus(status: number, placingOrder: boolean): ErrorMapping {
  if (status === 401) return { code: "invalid-credentials", kind: "auth-expired" };
  if (status === 403) return { code: "permission-denied", kind: "rejected" };
  if (status === 404) return rejected("not-found");
  if (status === 429) return { code: "rate-limited", kind: "retryable" };
  // After a POST /orders a 5xx may still have booked the order: reconcile, never resend blind.
  if (status >= 500) return { code: "broker-unavailable", kind: placingOrder ? "outcome-unknown" : "retryable" };
  return rejected("broker-rejected");
}

/** Looks up an OANDA code in the exact table, then by prefix. */
export function mappingForCode(code: string | undefined): ErrorMapping | undefined {
  if (!code) return undefined;
  return OANDA_ERROR_CODES[code] ?? OANDA_ERROR_PREFIXES.find((p) => code.startsWith(p.prefix))?.mapping;
}

/**
 * `orderCancelTransaction.reason` in a 201 answer: `refusal` reasons become a
 * BrokerError (the trader must act); the others are ordinary end states.
 */
export function cancelReasonOutcome(reason: string | undefined): { refusal: ErrorMapping } | { status: "cancelled" | "expired" } {
  if (reason === "TIME_IN_FORCE_EXPIRED") return { status: "expired" };
  if (reason === undefined || reason === "CLIENT_REQUEST" || reason === "CLIENT_REQUEST_REPLACED" || reason === "LINKED_TRADE_CLOSED") {
    return { status: "cancelled" };
  }
  if (reason === "BOUNDS_VIOLATION" || reason === "INSUFFICIENT_LIQUIDITY") return { refusal: rejected("no-liquidity") };
  if (reason === "CLIENT_TRADE_ID_ALREADY_EXISTS") return { refusal: rejected("invalid-order") };
  if (reason.endsWith("_ON_FILL_LOSS") || reason === "LOSING_TAKE_PROFIT") return { refusal: rejected("invalid-bracket") };
  return { refusal: mappingForCode(reason) ?? rejected("order-cancelled") };
}

/** Turns a non-2xx OANDA answer into a BrokerError. `placingOrder` marks `POST /orders`. */
export function errorFromResponse(status: number, body: unknown, headers: Headers, placingOrder: boolean, now: Date): BrokerError {
  const parsed = ErrorBodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const venueCode = data.errorCode ?? data.orderRejectTransaction?.rejectReason ?? data.orderCancelRejectTransaction?.rejectReason;
  const mapping = mappingForCode(venueCode) ?? mappingForStatus(status, placingOrder);
  const message = data.errorMessage?.trim() || `OANDA answered HTTP ${status}${venueCode ? ` (${venueCode})` : ""}.`;
  return new BrokerError(message, {
    code: mapping.code,
    kind: mapping.kind,
    status,
    retryAfterMs: parseRetryAfter(headers.get("retry-after"), now),
    raw: body,
  });
}
