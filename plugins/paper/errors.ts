/**
 * How the paper ledger's errors become {@link BrokerError}s. Like every
 * plugin's error table, this is data: the venue's code decides the stable
 * code and the kind; codes absent from the table fall back on the HTTP
 * status (the SDK's shared rule), and the kind tells the core what to do next.
 *
 * @module
 */
import { BrokerError, mapVenueError, type VenueErrorTable } from "../sdk";
import { WireErrorSchema } from "./wire";

/** Ledger error code → Tradeloop code and kind. */
export const LEDGER_ERROR_TABLE = {
  codes: {
    "insufficient-funds": { code: "insufficient-funds", kind: "rejected" },
    "no-price": { code: "no-price", kind: "rejected" },
    "invalid-order": { code: "invalid-order", kind: "rejected" },
    "invalid-bracket": { code: "invalid-bracket", kind: "rejected" },
    // The executor treats this as "already placed" and reconciles with getOrder; it is not a failure to retry.
    "duplicate-client-order-id": { code: "duplicate-client-order-id", kind: "rejected" },
    // Only this code makes getOrder return null (never a bare 404: see the SDK's fallback).
    "order-not-found": { code: "order-not-found", kind: "rejected" },
    "order-not-cancelable": { code: "order-not-cancelable", kind: "rejected" },
    "invalid-price": { code: "invalid-price", kind: "rejected" },
    "invalid-request": { code: "invalid-request", kind: "rejected" },
    // The client initialises the ledger and retries once before this can escape.
    "not-initialized": { code: "paper-account-not-initialized", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

/**
 * Turns a non-2xx ledger response into a BrokerError. `placingOrder` marks a
 * `POST /orders`, where an unreadable failure must not be read as "nothing happened".
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers, placingOrder: boolean, now: Date): BrokerError {
  const parsed = WireErrorSchema.safeParse(body);
  return mapVenueError(LEDGER_ERROR_TABLE, {
    status,
    code: parsed.success ? parsed.data.code : null,
    message: parsed.success ? parsed.data.message : `The paper ledger answered HTTP ${status}.`,
    body,
    headers,
    placingOrder,
    now,
  });
}
