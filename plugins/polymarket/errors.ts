/**
 * Polymarket's answers → stable codes. The CLOB answers `{"error": "..."}`
 * with HTTP 4xx, or `{"success": false, "errorMsg": "..."}` for an order it
 * refused; there are no codes, so the table matches messages.
 *
 * @module
 */
import type { VenueErrorTable } from "../sdk";

export const POLYMARKET_ERROR_TABLE = {
  messages: [
    { match: /not enough balance|allowance|insufficient/i, mapping: { code: "insufficient-funds", kind: "rejected" } },
    { match: /order .*already exists|duplicate/i, mapping: { code: "duplicate-client-order-id", kind: "rejected" } },
    { match: /tick size|invalid price|price .*(breaks|out of)|minimum tick/i, mapping: { code: "invalid-price", kind: "rejected" } },
    { match: /lower than the minimum|minimum (order )?size|size .*(below|lower)/i, mapping: { code: "min-notional", kind: "rejected" } },
    { match: /couldn't be fully filled|not filled|no orders found to match|FOK/i, mapping: { code: "order-not-filled", kind: "rejected" } },
    { match: /market (is )?(closed|not active|resolved)|not accepting orders|closed only/i, mapping: { code: "market-closed", kind: "rejected" } },
    { match: /invalid signature|signer|unauthorized|invalid api key|api key/i, mapping: { code: "invalid-credentials", kind: "auth-expired" } },
    { match: /order not found|not found/i, mapping: { code: "order-not-found", kind: "rejected" } },
    { match: /already (canceled|cancelled|matched|filled)|can't be canceled|cannot be canceled/i, mapping: { code: "order-not-cancelable", kind: "rejected" } },
    { match: /trading (is )?(disabled|paused)|restricted|geoblock|region/i, mapping: { code: "permission-denied", kind: "rejected" } },
  ],
  statuses: {
    401: { code: "invalid-credentials", kind: "auth-expired" },
    403: { code: "permission-denied", kind: "rejected" },
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;
