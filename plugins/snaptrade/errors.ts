/**
 * SnapTrade's answers → stable codes. Errors come as
 * `{"detail": "...", "status_code": 400, "code": "..."}`; the brokerage's
 * own refusal text is passed through in `detail`, so the table matches
 * messages first and falls back on statuses.
 *
 * @module
 */
import type { VenueErrorTable } from "../sdk";

export const SNAPTRADE_ERROR_TABLE = {
  messages: [
    { match: /insufficient|not enough (cash|buying power|funds)|buying power/i, mapping: { code: "insufficient-funds", kind: "rejected" } },
    { match: /signature|invalid (client|consumer)|clientId/i, mapping: { code: "invalid-credentials", kind: "auth-expired" } },
    { match: /userSecret|user secret|invalid user/i, mapping: { code: "invalid-credentials", kind: "auth-expired" } },
    { match: /disabled|authorization .*(expired|disabled)|reconnect/i, mapping: { code: "auth-failed", kind: "auth-expired" } },
    { match: /market (is )?closed|outside (of )?(regular )?trading hours/i, mapping: { code: "market-closed", kind: "rejected" } },
    { match: /symbol|ticker|not tradable|unknown security/i, mapping: { code: "invalid-symbol", kind: "rejected" } },
    { match: /fraction/i, mapping: { code: "invalid-quantity", kind: "rejected" } },
    { match: /(not|cannot|unable to) (be )?cancel|already (filled|executed|cancell?ed)/i, mapping: { code: "order-not-cancelable", kind: "rejected" } },
    { match: /order .*not found|no such order/i, mapping: { code: "order-not-found", kind: "rejected" } },
    { match: /(read[- ]only|not have permission|permission)/i, mapping: { code: "permission-denied", kind: "rejected" } },
  ],
  statuses: {
    401: { code: "invalid-credentials", kind: "auth-expired" },
    403: { code: "permission-denied", kind: "rejected" },
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;
