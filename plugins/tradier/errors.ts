/**
 * Tradier errors → BrokerError, through a data table.
 *
 * Tradier answers in three ways:
 * - HTTP 400 with `{"errors": {"error": "..."}}` (or a bare text) for bad parameters;
 * - HTTP 401 for a bad, expired or other-environment token;
 * - HTTP 200 with an `errors` property when a downstream system (risk, the
 *   market) refused an order, a change or a cancel. The status says success,
 *   the body says no: every answer is checked for `errors`.
 *
 * The `error` strings are either a documented code (`DayTradingBuyingPowerExceeded`)
 * or a sentence; the table tries exact codes, then message patterns, then the status.
 *
 * @module
 */
import { BrokerError, lookupVenueError, mappingForStatus, parseRetryAfter, type ErrorMapping, type VenueErrorTable } from "../sdk";
import { WireErrorsSchema } from "./wire";

const rejected = (code: string): ErrorMapping => ({ code, kind: "rejected" });

export const TRADIER_ERROR_TABLE = {
  // The documented order-error codes (documentation.tradier.com, Error Responses).
  codes: {
    AccountDisabled: rejected("trading-blocked"),
    AccountIsNotApproved: rejected("trading-blocked"),
    AccountMarginRuleViolation: rejected("insufficient-funds"),
    AssetTradingNotConfiguredForAccount: rejected("asset-not-enabled"),
    BuyStopOrderStopPriceLessAsk: rejected("invalid-price"),
    SellStopOrderStopPriceGreaterBid: rejected("invalid-price"),
    DayTraderPatternRestriction: rejected("pattern-day-trader"),
    DayTradingBuyingPowerExceeded: rejected("insufficient-funds"),
    ExpirationDateUndefined: rejected("invalid-symbol"),
    IncorrectOrderQuantity: rejected("invalid-quantity"),
    IncorrectTimeInForce: rejected("invalid-order"),
    LimitPriceUndefined: rejected("invalid-price"),
    ShortOrderIsNotAllowed: rejected("shorting-not-allowed"),
    TooSmallBuyingPower: rejected("insufficient-funds"),
  },
  messages: [
    { match: /buying power|insufficient (funds|cash)/i, mapping: rejected("insufficient-funds") },
    // Seen as a 400 body as well as a 429: the per-minute quota is spent.
    { match: /quota violation|rate limit|too many requests/i, mapping: { code: "rate-limited", kind: "retryable" } },
    { match: /invalid access token|token (is )?(invalid|expired)/i, mapping: { code: "invalid-credentials", kind: "auth-expired" } },
    { match: /symbol not found|invalid symbol|unknown symbol|security .*not found/i, mapping: rejected("invalid-symbol") },
    { match: /finali[sz]ed|already (filled|canceled|cancelled|expired|rejected)|cannot be cancel+ed|not cancel+able/i, mapping: rejected("order-not-cancelable") },
    { match: /order (was )?not found|no such order|order .*does not exist/i, mapping: rejected("order-not-found") },
    // Tradier wants buy_to_cover / sell_short spelled out; the wrong one is refused ("Unexpected SellShortOrder").
    { match: /unexpected (sell ?short|buy ?to ?cover|sell|buy)order|position.*(side|direction)/i, mapping: rejected("position-side-mismatch") },
    { match: /short/i, mapping: rejected("shorting-not-allowed") },
    { match: /market (is )?closed|outside (of )?(market|trading) hours|session/i, mapping: rejected("market-closed") },
    { match: /account (is )?(disabled|closed|restricted|not approved)/i, mapping: rejected("trading-blocked") },
    { match: /quantity/i, mapping: rejected("invalid-quantity") },
    { match: /price/i, mapping: rejected("invalid-price") },
  ],
  statuses: {
    400: rejected("invalid-request"),
    // The core tells the trader what to do from these codes (worker/connections/test-messages.ts).
    401: { code: "invalid-credentials", kind: "auth-expired" },
    // A token without the trade scope (partner OAuth) reaches reads but not orders.
    403: rejected("permission-denied"),
    404: rejected("not-found"),
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

/** The error strings in a Tradier body: `errors.error` (one or many), or a plain text body. */
export function errorStrings(body: unknown): string[] {
  const parsed = WireErrorsSchema.safeParse(body);
  if (parsed.success) return parsed.data.errors.error;
  if (typeof body === "string" && body.trim() !== "" && !body.trim().startsWith("<")) return [body.trim()];
  return [];
}

/** The first table entry matching any of the error strings (a documented code first, then a sentence). */
function lookup(status: number, strings: readonly string[]): ErrorMapping | undefined {
  const codes: Readonly<Record<string, ErrorMapping>> = TRADIER_ERROR_TABLE.codes;
  for (const s of strings) {
    // hasOwn: an error string such as "constructor" must not find Object's prototype.
    if (Object.hasOwn(codes, s.trim())) return codes[s.trim()];
  }
  for (const s of strings) {
    const byMessage = lookupVenueError({ messages: TRADIER_ERROR_TABLE.messages }, { status, message: s });
    if (byMessage) return byMessage;
  }
  return lookupVenueError({ statuses: TRADIER_ERROR_TABLE.statuses }, { status });
}

/**
 * Milliseconds to wait before retrying: `Retry-After` if sent, else
 * `X-Ratelimit-Expiry` (epoch milliseconds when the minute's quota refills).
 */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const fromHeader = parseRetryAfter(headers.get("retry-after"), now);
  if (fromHeader !== undefined) return fromHeader;
  const expiry = Number(headers.get("x-ratelimit-expiry") ?? Number.NaN);
  return Number.isFinite(expiry) && expiry > 0 ? Math.max(0, expiry - now.getTime()) : undefined;
}

/** A refused token, naming the usual cause: a sandbox token on live, or the reverse. */
export function authFailedMessage(environment: "paper" | "live"): string {
  const here = environment === "paper" ? "sandbox" : "live";
  const there = environment === "paper" ? "live" : "sandbox";
  return (
    `Tradier refused the access token for the ${here} environment. Check that you pasted the whole ${here} token: ` +
    `${here} and ${there} tokens are different, and tokens from an OAuth login expire after 24 hours.`
  );
}

/** What decides the kind of a failure besides the answer itself. */
export interface ErrorContext {
  /** The request may have created or changed an order: an unreadable server failure is then outcome-unknown. */
  placingOrder: boolean;
  environment: "paper" | "live";
  now: Date;
}

/** Builds the BrokerError for a refused request (any status, HTTP 200 with `errors` included); the body is kept in `raw`. */
export function tradierError(status: number, body: unknown, headers: Headers, ctx: ErrorContext): BrokerError {
  const strings = errorStrings(body);
  // A 5xx never proves the order was refused, whatever its body says.
  const mapping = (status >= 500 ? undefined : lookup(status, strings)) ?? (status === 200 ? rejected("broker-rejected") : mappingForStatus(status, ctx.placingOrder));
  let message = strings.length > 0 ? `Tradier refused the request: ${strings.join("; ")}` : `Tradier answered HTTP ${status}.`;
  if (mapping.kind === "auth-expired") message = authFailedMessage(ctx.environment);
  if (mapping.code === "position-side-mismatch") {
    message = `${message}. Tradier never reverses a position in one order: close it first, then open the other side.`;
  }
  return new BrokerError(message, { code: mapping.code, kind: mapping.kind, status, retryAfterMs: retryAfterMs(headers, ctx.now), raw: body });
}

/** True for Tradier saying the order does not exist (not a 404 from a wrong route). */
export function isOrderNotFound(e: unknown): boolean {
  return e instanceof BrokerError && e.code === "order-not-found";
}
