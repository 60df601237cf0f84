/**
 * IBKR's answers → stable codes. The gateway has no error codes: failures
 * are `{"error": "..."}` bodies (with HTTP 4xx/5xx, and for some order
 * rejections HTTP 200), so the table matches messages, then statuses.
 *
 * @module
 */
import type { VenueErrorTable } from "../sdk";

export const IBKR_ERROR_TABLE = {
  messages: [
    { match: /insufficient|buying power|margin requirement|equity with loan/i, mapping: { code: "insufficient-funds", kind: "rejected" } },
    { match: /no trading permission|trading permissions/i, mapping: { code: "permission-denied", kind: "rejected" } },
    { match: /invalid contract|contract not found|no security definition|unknown contract|invalid conid/i, mapping: { code: "invalid-symbol", kind: "rejected" } },
    { match: /duplicate (order|cOID)|local order id.*(exists|already)|order reference.*already/i, mapping: { code: "duplicate-client-order-id", kind: "rejected" } },
    { match: /(doesn't|does not) exist|order not found|no such order|unknown order/i, mapping: { code: "order-not-found", kind: "rejected" } },
    { match: /cannot be cancel|already (filled|cancel)|not cancell?able|order is not active/i, mapping: { code: "order-not-cancelable", kind: "rejected" } },
    { match: /price.*(tick|increment|variation)|invalid price|price is not valid/i, mapping: { code: "invalid-price", kind: "rejected" } },
    { match: /exchange is closed|market is closed|outside.*trading hours/i, mapping: { code: "market-closed", kind: "rejected" } },
    { match: /not authenticated|please log ?in|no (bridge|session)|session.*(expired|invalid)/i, mapping: { code: "gateway-logged-out", kind: "auth-expired" } },
  ],
  statuses: {
    // Cloudflare Access refused the service token (or the gateway refused the caller).
    403: { code: "invalid-credentials", kind: "auth-expired" },
    401: { code: "gateway-logged-out", kind: "auth-expired" },
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;
