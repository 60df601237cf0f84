/**
 * Binance errors → BrokerError, as data.
 *
 * Binance answers errors as `{ "code": -1121, "msg": "Invalid symbol." }`
 * with a 4xx status. The code decides the Tradeloop code and kind; for the
 * matching engine's catch-all codes (-2010 new order, -2011 cancel, -1013
 * filters) the documented message refines it. HTTP statuses without a code
 * fall back to {@link byStatus}.
 *
 * The one rule that must never be broken: Binance documents that a 5xx (and
 * -1006/-1007) means the execution status is UNKNOWN. For order placement
 * that is `outcome-unknown` (reconcile, never resend blind).
 *
 * @module
 */
import { z } from "zod";
import { BrokerError, parseRetryAfter, type BrokerErrorKind } from "../sdk";

interface Mapping {
  code: string;
  kind: BrokerErrorKind;
  /** For placement only: the engine may have executed it. */
  unknownWhenPlacing?: boolean;
}

/** The error body Binance documents. */
export const BinanceErrorBodySchema = z.object({ code: z.number(), msg: z.string() });
export type BinanceErrorBody = z.infer<typeof BinanceErrorBodySchema>;

/** Binance error code → Tradeloop code and kind. Codes not listed fall back to the HTTP status. */
export const BINANCE_ERROR_TABLE: Readonly<Record<number, Mapping>> = {
  [-1000]: { code: "broker-error", kind: "retryable", unknownWhenPlacing: true },
  [-1001]: { code: "broker-unavailable", kind: "retryable", unknownWhenPlacing: true },
  [-1002]: { code: "auth-failed", kind: "auth-expired" },
  [-1003]: { code: "rate-limited", kind: "retryable" },
  // "Execution status unknown" in Binance's own words.
  [-1006]: { code: "broker-unavailable", kind: "retryable", unknownWhenPlacing: true },
  [-1007]: { code: "broker-timeout", kind: "retryable", unknownWhenPlacing: true },
  [-1008]: { code: "broker-busy", kind: "retryable" },
  [-1013]: { code: "order-filter-failed", kind: "rejected" },
  [-1014]: { code: "invalid-order", kind: "rejected" },
  [-1015]: { code: "rate-limited", kind: "retryable" },
  [-1016]: { code: "broker-unavailable", kind: "retryable" },
  [-1020]: { code: "unsupported-operation", kind: "rejected" },
  // The request was refused before it reached the engine; the client resyncs its clock and retries once first.
  [-1021]: { code: "clock-skew", kind: "retryable" },
  [-1022]: { code: "invalid-credentials", kind: "auth-expired" },
  [-1100]: { code: "invalid-order", kind: "rejected" },
  [-1101]: { code: "invalid-order", kind: "rejected" },
  [-1102]: { code: "invalid-order", kind: "rejected" },
  [-1103]: { code: "invalid-order", kind: "rejected" },
  [-1104]: { code: "invalid-order", kind: "rejected" },
  [-1105]: { code: "invalid-order", kind: "rejected" },
  [-1106]: { code: "invalid-order", kind: "rejected" },
  [-1111]: { code: "invalid-quantity", kind: "rejected" },
  [-1114]: { code: "invalid-time-in-force", kind: "rejected" },
  [-1115]: { code: "invalid-time-in-force", kind: "rejected" },
  [-1116]: { code: "invalid-order-type", kind: "rejected" },
  [-1117]: { code: "invalid-order", kind: "rejected" },
  [-1118]: { code: "invalid-client-order-id", kind: "rejected" },
  [-1121]: { code: "invalid-symbol", kind: "rejected" },
  [-1122]: { code: "symbol-not-trading", kind: "rejected" },
  [-1128]: { code: "invalid-order", kind: "rejected" },
  [-1130]: { code: "invalid-order", kind: "rejected" },
  [-1158]: { code: "invalid-bracket", kind: "rejected" },
  [-1165]: { code: "invalid-bracket", kind: "rejected" },
  [-1166]: { code: "invalid-bracket", kind: "rejected" },
  [-1168]: { code: "invalid-bracket", kind: "rejected" },
  [-1196]: { code: "invalid-bracket", kind: "rejected" },
  [-1197]: { code: "invalid-bracket", kind: "rejected" },
  [-1198]: { code: "invalid-bracket", kind: "rejected" },
  [-1199]: { code: "invalid-bracket", kind: "rejected" },
  [-2010]: { code: "order-rejected", kind: "rejected" },
  [-2011]: { code: "order-not-cancelable", kind: "rejected" },
  [-2013]: { code: "order-not-found", kind: "rejected" },
  [-2014]: { code: "invalid-credentials", kind: "auth-expired" },
  [-2015]: { code: "invalid-credentials", kind: "auth-expired" },
  [-2026]: { code: "order-archived", kind: "rejected" },
};

/**
 * Refinements by the documented message, for the engine's catch-all codes.
 * Matched case-insensitively as substrings; first match wins.
 */
export const BINANCE_MESSAGE_TABLE: readonly { codes: readonly number[]; match: string; code: string }[] = [
  { codes: [-2010], match: "insufficient balance", code: "insufficient-funds" },
  { codes: [-2010], match: "duplicate order sent", code: "duplicate-client-order-id" },
  { codes: [-2010], match: "market is closed", code: "market-closed" },
  { codes: [-2010], match: "would trigger immediately", code: "invalid-stop-price" },
  { codes: [-2010], match: "would immediately match and take", code: "post-only-would-take" },
  { codes: [-2010], match: "not supported for this symbol", code: "order-type-not-supported" },
  { codes: [-2010], match: "trading is not enabled", code: "permission-denied" },
  { codes: [-2010], match: "may not place or cancel orders", code: "trading-disabled" },
  { codes: [-2010], match: "not permitted for this account", code: "symbol-not-permitted" },
  { codes: [-2010, -2011], match: "unknown order sent", code: "order-not-found" },
  { codes: [-1013], match: "min_notional", code: "min-notional" },
  { codes: [-1013], match: "notional", code: "min-notional" },
  { codes: [-1013], match: "lot_size", code: "invalid-quantity" },
  { codes: [-1013], match: "price_filter", code: "invalid-price" },
  { codes: [-1013], match: "percent_price", code: "invalid-price" },
  { codes: [-1013], match: "trailing_delta", code: "invalid-trail" },
  { codes: [-1013], match: "max_num", code: "too-many-orders" },
];

/**
 * Fallback by HTTP status. 5xx: Binance says the outcome is unknown, so it
 * is `outcome-unknown` when placing and `retryable` for everything else.
 */
export function byStatus(status: number, placingOrder: boolean): Mapping {
  if (status === 429) return { code: "rate-limited", kind: "retryable" };
  // 418: the IP is banned for Retry-After seconds (2 min to 3 days) after ignoring 429s.
  if (status === 418) return { code: "ip-banned", kind: "retryable" };
  if (status === 401) return { code: "auth-failed", kind: "auth-expired" };
  // 403: a WAF rule (rate or security block). Nothing reached the engine.
  if (status === 403) return { code: "waf-blocked", kind: "retryable" };
  if (status >= 500) return { code: "broker-unavailable", kind: placingOrder ? "outcome-unknown" : "retryable" };
  return { code: "broker-rejected", kind: "rejected" };
}

/** One sentence the trader can act on, for the codes where Binance's own message is not enough. */
function explain(code: string, msg: string, venueCode: number): string {
  switch (code) {
    case "invalid-credentials":
      return venueCode === -1022
        ? "Binance could not verify the request signature: the secret key does not belong to this API key. Paste it again."
        : `Binance refused the API key (${msg}): check the key, its IP allow-list, that Spot trading is enabled for it, and that it belongs to this environment (testnet keys only work on the testnet).`;
    case "clock-skew":
      return `Binance refused the request because of its timestamp (${msg}); the clock difference persisted after a resync.`;
    case "insufficient-funds":
      return `Binance: not enough balance for this order (${msg}).`;
    case "min-notional":
      return `Binance: the order is below the symbol's minimum value (${msg}).`;
    default:
      return `Binance: ${msg}`;
  }
}

/**
 * Turns a non-2xx response into a BrokerError. `placingOrder` marks order
 * placement, where an ambiguous failure must be read as "maybe executed".
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers, placingOrder: boolean): BrokerError {
  const parsed = BinanceErrorBodySchema.safeParse(body);
  let mapping: Mapping = byStatus(status, placingOrder);
  let message = `Binance answered HTTP ${status}.`;
  if (parsed.success) {
    const { code, msg } = parsed.data;
    const byCode = BINANCE_ERROR_TABLE[code];
    const lower = msg.toLowerCase();
    const refined = BINANCE_MESSAGE_TABLE.find((r) => r.codes.includes(code) && lower.includes(r.match));
    if (byCode) mapping = refined ? { ...byCode, code: refined.code } : byCode;
    // The 5xx rule beats any code: the engine may have executed the order.
    if (status >= 500 && placingOrder) mapping = { ...mapping, kind: "outcome-unknown" };
    message = explain(mapping.code, msg, code);
  }
  const kind = placingOrder && mapping.unknownWhenPlacing ? "outcome-unknown" : mapping.kind;
  const retryAfter = parseRetryAfter(headers.get("retry-after"));
  return new BrokerError(message, {
    code: mapping.code,
    kind,
    status,
    ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
    raw: body,
  });
}
