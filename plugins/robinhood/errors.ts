/**
 * Robinhood failures → {@link BrokerError}, as data.
 *
 * Robinhood answers errors with a status and `{type, errors: [{attr, detail}]}`
 * (`validation_error` = 400, `client_error` = other 4xx, `server_error` = 5xx).
 * There are no stable error codes, so the table matches the status and the
 * `attr: detail` text. A 5xx (or no answer) on `POST orders/` may mean the
 * order was booked: it is outcome-unknown, reconciled by client order id.
 *
 * @module
 */
import { BrokerError, lookupVenueError, mappingForStatus, parseRetryAfter, serverFailedWhilePlacing, type ErrorMapping, type VenueErrorTable } from "../sdk";
import { WireErrorSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

/** Any endpoint. Message patterns are tried before statuses. */
export const ERRORS: VenueErrorTable = {
  messages: [
    { match: /throttled/i, mapping: { code: "rate-limited", kind: "retryable" } },
    { match: /insufficient|buying power|not enough/i, mapping: rejected("insufficient-funds") },
    // The executor reconciles a duplicate with getOrder instead of failing the trade.
    { match: /client_order_id: .*(already|exist|duplicate|unique)/i, mapping: rejected("duplicate-client-order-id") },
    { match: /^symbol:|trading pair|not tradable/i, mapping: rejected("invalid-symbol") },
    { match: /(asset_quantity|quote_amount|quantity):|min_order_size|max_order_size|increment/i, mapping: rejected("invalid-quantity") },
    { match: /(limit_price|stop_price):/i, mapping: rejected("invalid-price") },
  ],
  statuses: {
    400: rejected("invalid-order"),
    401: { code: "auth-failed", kind: "auth-expired" },
    // The key works but may not do this (disabled credential, account not enabled for the API).
    403: rejected("permission-denied"),
    404: rejected("not-found"),
    429: { code: "rate-limited", kind: "retryable" },
  },
};

/** `POST orders/{id}/cancel/`: a 400 means the order is past cancelling, a 404 that it does not exist. */
export const CANCEL_ERRORS: VenueErrorTable = {
  statuses: { 400: rejected("order-not-cancelable"), 404: rejected("order-not-found") },
};

/** One actionable sentence per code; the venue's own detail follows in parentheses. */
export const MESSAGES: Readonly<Record<string, string>> = {
  "insufficient-funds": "Robinhood refused the order: not enough buying power (or coins to sell).",
  "duplicate-client-order-id": "Robinhood already has an order with this client order id.",
  "invalid-symbol": "Robinhood does not trade this pair.",
  "invalid-quantity": "Robinhood refused the quantity (check the pair's minimum size and increment).",
  "invalid-price": "Robinhood refused the price (check the pair's price increment).",
  "invalid-order": "Robinhood refused the order.",
  "order-not-cancelable": "The order can no longer be cancelled.",
  "order-not-found": "Robinhood has no such order.",
  "auth-failed": "Robinhood refused the credentials: check the API key and private key, that the credential is enabled, and that this server's clock is correct (signatures expire after 30 s).",
  "permission-denied": "Robinhood refused the request: make sure the API credential is active and your account can trade crypto through the API.",
  "not-found": "Robinhood has no such resource.",
  "rate-limited": "Robinhood's rate limit was reached (100 requests a minute).",
  "broker-unavailable": "Robinhood is unavailable right now.",
  "broker-timeout": "Robinhood did not answer in time.",
};

/** The `attr: detail` lines of an error body. */
export function errorText(body: unknown): string {
  const parsed = WireErrorSchema.safeParse(body);
  if (!parsed.success) return typeof body === "string" ? body.slice(0, 200) : "";
  return (parsed.data.errors ?? [])
    .map((e) => (e.attr && e.attr !== "non_field_errors" ? `${e.attr}: ${e.detail ?? ""}` : (e.detail ?? "")))
    .filter((t) => t !== "")
    .join("; ");
}

export interface ErrorContext {
  /** `POST orders/`: an unreadable failure must not be read as "nothing happened". */
  placingOrder?: boolean;
  /** `POST orders/{id}/cancel/`. */
  cancelling?: boolean;
}

/** A non-2xx answer → BrokerError. */
export function errorFromResponse(status: number, body: unknown, headers: Headers, ctx: ErrorContext, now: Date): BrokerError {
  const text = errorText(body);
  const input = { status, code: null, message: text };
  // Status before text: a 5xx answering POST orders/ may have booked the order, whatever its text says.
  const mapping = serverFailedWhilePlacing({ status, placingOrder: ctx.placingOrder === true })
    ? mappingForStatus(status, true)
    : ((ctx.cancelling ? lookupVenueError(CANCEL_ERRORS, input) : undefined) ?? lookupVenueError(ERRORS, input) ?? mappingForStatus(status, ctx.placingOrder === true));
  const base = MESSAGES[mapping.code] ?? `Robinhood answered HTTP ${status}.`;
  const outcome = mapping.kind === "outcome-unknown" ? " The order may or may not have been placed." : "";
  return new BrokerError(`${base}${text && !base.includes(text) ? ` (${text})` : ""}${outcome}`, {
    code: mapping.code,
    kind: mapping.kind,
    status,
    retryAfterMs: parseRetryAfter(headers.get("retry-after"), now),
    raw: body,
  });
}
