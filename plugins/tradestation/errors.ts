/**
 * TradeStation errors → BrokerError. HTTP errors answer
 * `{"Error": "<Kind>", "Message": "..."}`; an order the broker refuses can
 * also come back inside a 200 (`Orders[].Error: "FAILED"` with the reason in
 * `Message`), so both go through the same table.
 *
 * @module
 */
import { mapVenueError, type BrokerError, type ErrorMapping, type VenueAnswer, type VenueErrorTable } from "../sdk";
import { WireErrorSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

export const TRADESTATION_ERROR_TABLE = {
  codes: {
    Unauthorized: { code: "invalid-credentials", kind: "auth-expired" },
    Forbidden: rejected("trading-blocked"),
    TooManyRequests: { code: "rate-limited", kind: "retryable" },
  },
  messages: [
    { match: /buying power|insufficient (funds|equity)/i, mapping: rejected("insufficient-funds") },
    { match: /invalid symbol|symbol .*not found|unknown symbol/i, mapping: rejected("invalid-symbol") },
    { match: /not cancel+able|already (filled|cancel+ed|closed)|cannot be cancel+ed/i, mapping: rejected("order-not-cancelable") },
    { match: /order .*not found|no order/i, mapping: rejected("order-not-found") },
    { match: /market (is )?closed/i, mapping: rejected("market-closed") },
    { match: /quantity/i, mapping: rejected("invalid-quantity") },
    { match: /price/i, mapping: rejected("invalid-price") },
  ],
  statuses: {
    400: rejected("invalid-order"),
    401: { code: "invalid-credentials", kind: "auth-expired" },
    403: rejected("trading-blocked"),
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

/** Reads an HTTP error answer (read once by the SDK's JSON caller) through the table. */
export function errorFromResponse(answer: Pick<VenueAnswer, "status" | "headers" | "body">, placingOrder: boolean): BrokerError {
  // Not JSON (a proxy's HTML page): the status decides.
  const parsed = WireErrorSchema.safeParse(answer.body);
  const wire = parsed.success ? parsed.data : {};
  return mapVenueError(TRADESTATION_ERROR_TABLE, {
    status: answer.status,
    code: answer.status === 400 ? null : (wire.Error ?? null),
    message: wire.Message ?? null,
    body: answer.body,
    headers: answer.headers,
    placingOrder,
  });
}

/** An order refusal inside a 200 answer. */
export function errorFromOrderAnswer(message: string | undefined, body: unknown): BrokerError {
  return mapVenueError(TRADESTATION_ERROR_TABLE, { status: 200, message: message ?? "TradeStation refused the order.", body });
}
