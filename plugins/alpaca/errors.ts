/**
 * Alpaca errors → BrokerError, through a data table.
 *
 * Alpaca answers `{"code": <8 digits>, "message": "..."}`. Its codes are
 * coarse and shared by unrelated failures (40310000 is "insufficient buying
 * power", "insufficient qty available" and more; 40010001 is any invalid
 * request, including a duplicate `client_order_id`), so the message decides
 * first and the HTTP status is the fallback:
 *
 * - 403: the order was refused (buying power, shares, shorting) — never an auth problem;
 * - 401: the key pair is wrong, revoked, or belongs to the other environment;
 * - 422: invalid parameters; also "not cancelable" on DELETE;
 * - 429: 200 requests per minute per key; `X-Ratelimit-Reset` says when;
 * - 5xx (or no answer) after `POST /v2/orders`: the order may exist → outcome-unknown.
 *
 * @module
 */
import { BrokerError, lookupVenueError, mappingForStatus, parseRetryAfter, type ErrorMapping, type VenueErrorTable } from "../sdk";
import { WireErrorSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

/** Lookup order (the SDK's): exact `codes`, then the first matching `messages` pattern, then `statuses`. */
export const ALPACA_ERROR_TABLE = {
  // Only codes that mean one thing; the shared ones are decided by message.
  codes: {
    // The core tells the trader what to do from this code (worker/connections/test-messages.ts).
    "40110000": { code: "invalid-credentials", kind: "auth-expired" },
    "42910000": { code: "rate-limited", kind: "retryable" },
  },
  messages: [
    // The core reconciles with getOrder({clientOrderId}) on this code: the first send landed.
    { match: /client[ _-]?order[ _-]?id must be unique/i, mapping: rejected("duplicate-client-order-id") },
    { match: /client[ _-]?order[ _-]?id/i, mapping: rejected("invalid-client-order-id") },
    { match: /insufficient (\w+ )*buying power|insufficient balance/i, mapping: rejected("insufficient-funds") },
    // Shares already held by other open orders, or a sell larger than the position (Alpaca never flips in one order).
    { match: /insufficient qty/i, mapping: rejected("insufficient-quantity") },
    { match: /not (allowed|permitted|able) to short|cannot be sold short|not shortable|hard to borrow|shorting is not/i, mapping: rejected("shorting-not-allowed") },
    { match: /wash trade/i, mapping: rejected("potential-wash-trade") },
    { match: /pattern day trad/i, mapping: rejected("pattern-day-trader") },
    { match: /order not found|order .*does not exist/i, mapping: rejected("order-not-found") },
    { match: /position (does not exist|not found)/i, mapping: rejected("position-not-found") },
    { match: /order is already in|not cancelable|pending cancel|cannot be (canceled|cancelled)/i, mapping: rejected("order-not-cancelable") },
    { match: /sub-penny|invalid (limit|stop)_price|_price must be|price increment/i, mapping: rejected("invalid-price") },
    { match: /asset .*not (found|active|tradable)|could not find asset|invalid symbol|is not tradable|not a valid symbol/i, mapping: rejected("invalid-symbol") },
    { match: /notional|cost basis must be|minimum (order|notional)/i, mapping: rejected("min-notional") },
    { match: /qty must be|invalid qty|fractional/i, mapping: rejected("invalid-quantity") },
    { match: /market (is )?closed|outside (of )?(market|trading) hours|(opg|cls) orders/i, mapping: rejected("market-closed") },
    { match: /not (allowed|authorized) to trade|trading (is )?(blocked|suspended)|account (is )?(blocked|restricted|not active)/i, mapping: rejected("trading-blocked") },
  ],
  statuses: {
    400: rejected("invalid-request"),
    401: { code: "invalid-credentials", kind: "auth-expired" },
    // At Alpaca a 403 is a refused order (funds, shares, permissions), not a credentials problem.
    403: rejected("broker-rejected"),
    // Only a 404 whose message names the order means "no such order"; a route miss must not look like one.
    404: rejected("not-found"),
    422: rejected("invalid-order"),
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

/**
 * Milliseconds to wait before retrying: `Retry-After` if a proxy sent one,
 * else Alpaca's `X-Ratelimit-Reset` (UNIX seconds when the quota refills).
 */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const fromHeader = parseRetryAfter(headers.get("retry-after"), now);
  if (fromHeader !== undefined) return fromHeader;
  const reset = Number(headers.get("x-ratelimit-reset") ?? Number.NaN);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now.getTime()) : undefined;
}

/** Message for a refused key, naming the usual cause: a paper key on live, or the reverse. */
export function authFailedMessage(environment: "paper" | "live"): string {
  const other = environment === "paper" ? "live" : "paper";
  return (
    `Alpaca refused the API key for the ${environment} environment. Check the key ID and secret, and that the key was ` +
    `generated for your ${environment} account: ${environment} and ${other} keys are separate, so a ${other} key fails here.`
  );
}

/** What decides the kind of a failure besides the answer itself. */
export interface ErrorContext {
  /** `POST /v2/orders`: an unreadable failure must not be read as "nothing happened". */
  placingOrder: boolean;
  environment: "paper" | "live";
  now: Date;
}

/** Turns a non-2xx Alpaca answer into a BrokerError; the body is kept in `raw`. */
export function errorFromResponse(status: number, body: unknown, headers: Headers, ctx: ErrorContext): BrokerError {
  const parsed = WireErrorSchema.safeParse(body);
  const code = parsed.success ? parsed.data.code : undefined;
  const venueMessage = parsed.success ? parsed.data.message : "";
  // A 5xx never proves the order was refused, whatever its body says; below that, a JSON
  // error body is Alpaca speaking, while an HTML page from a proxy is not, so only its status counts.
  const mapping =
    status >= 500 || !parsed.success
      ? statusOnly(status, ctx.placingOrder)
      : (lookupVenueError(ALPACA_ERROR_TABLE, { status, code: code ?? null, message: venueMessage }) ?? mappingForStatus(status, ctx.placingOrder));
  let message = venueMessage.trim() || `Alpaca answered HTTP ${status}.`;
  if (mapping.kind === "auth-expired") message = authFailedMessage(ctx.environment);
  if (mapping.code === "insufficient-funds") message = `Alpaca refused the order: ${venueMessage} (not enough buying power for it).`;
  if (mapping.code === "insufficient-quantity")
    message = `Alpaca refused the order: ${venueMessage}. Shares held by other open orders (such as bracket legs) cannot be sold again, and Alpaca never flips a position in one order.`;
  return new BrokerError(message, {
    code: mapping.code,
    kind: mapping.kind,
    status,
    retryAfterMs: retryAfterMs(headers, ctx.now),
    raw: body,
  });
}

/** No Alpaca body to read (or a 5xx): the table's status entry, else the SDK's fallback (5xx while placing = outcome-unknown). */
function statusOnly(status: number, placingOrder: boolean): ErrorMapping {
  const statuses: Readonly<Record<number, ErrorMapping>> = ALPACA_ERROR_TABLE.statuses;
  return (status < 500 ? statuses[status] : undefined) ?? mappingForStatus(status, placingOrder);
}

/** True when a 404 is Alpaca saying the order does not exist (and not, say, a wrong route). */
export function isOrderNotFound(e: unknown): boolean {
  return e instanceof BrokerError && e.status === 404 && e.code === "order-not-found";
}
