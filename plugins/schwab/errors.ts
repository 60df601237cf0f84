/**
 * Schwab errors → BrokerError. Schwab answers `{"message": "...",
 * "errors": [...]}` with the HTTP status carrying the meaning; the message
 * decides the few cases the status cannot.
 *
 * @module
 */
import { mapVenueError, type BrokerError, type ErrorMapping, type VenueAnswer, type VenueErrorTable } from "../sdk";
import { WireErrorSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

export const SCHWAB_ERROR_TABLE = {
  messages: [
    { match: /buying power|insufficient (funds|cash)|not enough/i, mapping: rejected("insufficient-funds") },
    { match: /invalid symbol|symbol .*(not found|invalid)/i, mapping: rejected("invalid-symbol") },
    { match: /cannot be cancel+ed|not cancel+able|already (filled|cancel+ed)/i, mapping: rejected("order-not-cancelable") },
    { match: /order .*not found/i, mapping: rejected("order-not-found") },
  ],
  statuses: {
    400: rejected("invalid-order"),
    401: { code: "invalid-credentials", kind: "auth-expired" },
    403: rejected("trading-blocked"),
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

/** Reads an HTTP error answer through the table. */
export function errorFromResponse(answer: Pick<VenueAnswer, "status" | "headers" | "body">, placingOrder: boolean): BrokerError {
  // Not JSON: the status decides.
  const parsed = WireErrorSchema.safeParse(answer.body);
  const wire = parsed.success ? parsed.data : {};
  return mapVenueError(SCHWAB_ERROR_TABLE, { status: answer.status, message: wire.message ?? wire.error ?? null, body: answer.body, headers: answer.headers, placingOrder });
}
