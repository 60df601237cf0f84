/**
 * Coinbase failures → {@link BrokerError}, as data.
 *
 * Coinbase fails in three shapes:
 * 1. `POST /orders` answers HTTP 200 with `success:false` and an
 *    `error_response` naming the reason (funds, precision, product...).
 * 2. `POST /orders/batch_cancel` answers HTTP 200 with one result per order,
 *    each with its own `success` and `failure_reason`.
 * 3. Everything else is a non-2xx status with a gRPC-gateway style body
 *    `{error, code, message, details}`; the status decides when the body
 *    names nothing better (5xx on `POST /orders` = outcome unknown).
 *
 * @module
 */
import {
  BrokerError,
  lookupVenueError,
  mappingForStatus,
  parseRetryAfter,
  type ErrorMapping,
  type VenueErrorTable,
} from "../sdk";
import { WireErrorSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

/**
 * `new_order_failure_reason` / `preview_failure_reason` / `error` of an order
 * refused inside HTTP 200. Reasons not listed become `order-rejected`.
 */
export const ORDER_FAILURES: VenueErrorTable = {
  codes: {
    INSUFFICIENT_FUND: rejected("insufficient-funds"),
    INSUFFICIENT_FUNDS: rejected("insufficient-funds"),
    PREVIEW_INSUFFICIENT_FUND: rejected("insufficient-funds"),
    INVALID_LEDGER_BALANCE: rejected("insufficient-funds"),
    INVALID_PRODUCT_ID: rejected("invalid-symbol"),
    PREVIEW_INVALID_PRODUCT_ID: rejected("invalid-symbol"),
    INELIGIBLE_PAIR: rejected("invalid-symbol"),
    UNTRADABLE_PRODUCT: rejected("invalid-symbol"),
    INVALID_SIZE_PRECISION: rejected("invalid-quantity"),
    PREVIEW_INVALID_SIZE_PRECISION: rejected("invalid-quantity"),
    PREVIEW_INVALID_BASE_SIZE_TOO_SMALL: rejected("min-notional"),
    PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL: rejected("min-notional"),
    PREVIEW_INVALID_BASE_SIZE_TOO_LARGE: rejected("invalid-quantity"),
    INVALID_PRICE_PRECISION: rejected("invalid-price"),
    PREVIEW_INVALID_PRICE_PRECISION: rejected("invalid-price"),
    INVALID_LIMIT_PRICE: rejected("invalid-price"),
    INVALID_LIMIT_PRICE_POST_ONLY: rejected("invalid-price"),
    INVALID_NO_LIQUIDITY: rejected("no-liquidity"),
    INVALID_SIDE: rejected("invalid-order"),
    PREVIEW_INVALID_SIDE: rejected("invalid-order"),
    UNSUPPORTED_ORDER_CONFIGURATION: rejected("invalid-order"),
    PREVIEW_INVALID_ORDER_CONFIG: rejected("invalid-order"),
    INVALID_REQUEST: rejected("invalid-order"),
    PREVIEW_BRACKET_ORDER_SIZE_EXCEEDS_POSITION: rejected("invalid-bracket"),
    ORDER_ENTRY_DISABLED: rejected("trading-disabled"),
    GEOFENCING_RESTRICTION: rejected("trading-disabled"),
    COMMANDER_REJECTED_NEW_ORDER: rejected("order-rejected"),
    // Documented as a failure reason; in practice Coinbase returns the existing order for a reused id.
    DUPLICATE_CLIENT_ORDER_ID: rejected("duplicate-client-order-id"),
  },
};

/** `failure_reason` of one `batch_cancel` result. The executor treats both "gone" codes as done. */
export const CANCEL_FAILURES: VenueErrorTable = {
  codes: {
    UNKNOWN_CANCEL_ORDER: rejected("order-not-found"),
    ORDER_IS_FULLY_FILLED: rejected("order-not-cancelable"),
    NOT_ALLOWED_TO_CANCEL: rejected("order-not-cancelable"),
    DUPLICATE_CANCEL_REQUEST: rejected("order-not-cancelable"),
    COMMANDER_REJECTED_CANCEL_ORDER: rejected("order-not-cancelable"),
    ORDER_IS_BEING_REPLACED: { code: "order-being-replaced", kind: "retryable" },
    INVALID_CANCEL_REQUEST: rejected("invalid-request"),
  },
};

/** Non-2xx answers. Statuses not listed use the SDK's fallback (5xx: unknown outcome when placing). */
export const HTTP_ERRORS: VenueErrorTable = {
  // Coinbase's 403 body for a key without the needed permission says "Missing required scopes".
  messages: [{ match: /missing required scopes/i, mapping: rejected("permission-denied") }],
  statuses: {
    401: { code: "auth-failed", kind: "auth-expired" },
    // 403 without a scope message: IP allowlist or portfolio restriction. The user must act; retrying won't help.
    403: rejected("permission-denied"),
    404: rejected("not-found"),
    429: { code: "rate-limited", kind: "retryable" },
  },
};

/** One actionable sentence per code, shown to the trader before the venue's own words. */
export const MESSAGES: Readonly<Record<string, string>> = {
  "insufficient-funds": "Coinbase refused the order: not enough funds in the portfolio.",
  "invalid-symbol": "Coinbase does not trade this product for this account.",
  "invalid-quantity": "Coinbase refused the quantity (too many decimals, or outside the product's size limits).",
  "min-notional": "The order is below the product's minimum size.",
  "invalid-price": "Coinbase refused the price (tick size or limit rules).",
  "no-liquidity": "There is no liquidity for this order right now.",
  "invalid-order": "Coinbase refused this order configuration.",
  "invalid-bracket": "The bracket is larger than the position it protects.",
  "trading-disabled": "Coinbase does not allow this order from this account or region right now.",
  "order-rejected": "Coinbase rejected the order.",
  "duplicate-client-order-id": "An order with this client order id already exists.",
  "order-not-found": "Coinbase has no such order.",
  "order-not-cancelable": "The order can no longer be cancelled (filled, or already being cancelled).",
  "order-being-replaced": "The order is being edited; the cancel can be tried again.",
  "invalid-request": "Coinbase refused the request.",
  "cancel-failed": "Coinbase did not cancel the order.",
  "auth-failed": "Coinbase refused the API key: check the key name and private key, and that the key was not deleted.",
  // The core's connection test turns this code into "the key lacks the permission to trade".
  "permission-denied":
    "Coinbase refused the request: give the API key the View and Trade permissions on this portfolio, or add this server's IP to the key's allowlist.",
  "not-found": "Coinbase has no such resource.",
  "rate-limited": "Coinbase's rate limit was reached.",
  "broker-unavailable": "Coinbase is unavailable right now.",
  "broker-timeout": "Coinbase did not answer in time.",
};

function sentence(code: string, venueText: string | undefined, fallback: string): string {
  const base = MESSAGES[code] ?? fallback;
  return venueText && !base.includes(venueText) ? `${base} (${venueText})` : base;
}

/** A non-2xx answer → BrokerError. `placingOrder` marks `POST /orders`. */
export function errorFromResponse(status: number, body: unknown, headers: Headers, placingOrder: boolean, now: Date): BrokerError {
  const parsed = WireErrorSchema.safeParse(body);
  const venue = parsed.success ? parsed.data : {};
  const text = [venue.message, venue.error_details].filter((v): v is string => typeof v === "string" && v !== "").join(": ");
  const mapping = lookupVenueError(HTTP_ERRORS, { status, code: venue.error ?? null, message: text }) ?? mappingForStatus(status, placingOrder);
  const outcome = mapping.kind === "outcome-unknown" ? "; the order may or may not have been placed" : "";
  return new BrokerError(sentence(mapping.code, text || undefined, `Coinbase answered HTTP ${status}${outcome}.`), {
    code: mapping.code,
    kind: mapping.kind,
    status,
    retryAfterMs: parseRetryAfter(headers.get("retry-after"), now),
    raw: body,
  });
}

/** `success:false` inside an HTTP 200 `POST /orders` answer → BrokerError (nothing was booked). */
export function errorFromOrderFailure(errorResponse: Record<string, unknown> | undefined, raw: unknown): BrokerError {
  const r = errorResponse ?? {};
  const reasons = [r.new_order_failure_reason, r.preview_failure_reason, r.error].filter(
    (v): v is string => typeof v === "string" && v !== "" && !v.startsWith("UNKNOWN_"),
  );
  const mapping = reasons.map((code) => lookupVenueError(ORDER_FAILURES, { status: 200, code })).find((m) => m !== undefined) ?? rejected("order-rejected");
  const text = [r.message, r.error_details].filter((v): v is string => typeof v === "string" && v !== "").join(": ");
  return new BrokerError(sentence(mapping.code, text || reasons[0], "Coinbase rejected the order."), {
    code: mapping.code,
    kind: mapping.kind,
    status: 200,
    raw,
  });
}

/** One failed `batch_cancel` result → BrokerError. */
export function errorFromCancelFailure(reason: string | undefined, raw: unknown): BrokerError {
  const mapping = (reason ? lookupVenueError(CANCEL_FAILURES, { status: 200, code: reason }) : undefined) ?? rejected("cancel-failed");
  return new BrokerError(sentence(mapping.code, reason, "Coinbase did not cancel the order."), { code: mapping.code, kind: mapping.kind, status: 200, raw });
}
