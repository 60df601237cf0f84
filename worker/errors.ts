/**
 * One error type for the whole Worker. Every failure a user can see has a
 * stable `messageCode` (kebab-case, TradersPost-compatible where TradersPost
 * has one), an HTTP status, a sentence the user can act on, and the field it
 * concerns. Two renderers: the JSON API shape and the TradersPost webhook shape.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { currentRequestId, log } from "./lib/log";

/** API error codes and their statuses. Webhook codes live in worker/trading/message-codes.ts. */
export const API_ERROR_STATUS = {
  "invalid-request": 400,
  "invalid-json": 400,
  "oauth-not-configured": 400,
  "oauth-unsupported": 400,
  "partner-not-configured": 400,
  /** A JSON body nested deeper than the API accepts (worker/api/request-guards.ts). */
  "json-too-deep": 400,
  /** A change to where a connection's requests go came without its credentials (worker/api/connections.ts). */
  "credentials-required": 400,
  "unauthorized": 401,
  "invalid-credentials": 401,
  "forbidden": 403,
  "signup-closed": 403,
  /** The first sign-up of a deployment needs the SETUP_TOKEN (worker/api/auth.ts). */
  "setup-token-required": 403,
  "not-found": 404,
  "conflict": 409,
  "email-taken": 409,
  "duplicate-subscription": 409,
  "payload-too-large": 413,
  /** A per-user cap (worker/limits/caps.ts). */
  "limit-reached": 409,
  "too-many-requests": 429,
  "broker-error": 502,
  "temporarily-unavailable": 503,
  "internal-error": 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface AppErrorOptions {
  /** The request field the error concerns, dotted (`settings.quantity`). */
  field?: string;
  /** Overrides the status for codes shared by several statuses. */
  status?: ContentfulStatusCode;
  cause?: unknown;
  /** Sent as `Retry-After` (seconds), e.g. with 429 `too-many-requests`. */
  retryAfterSeconds?: number;
}

/** The error every handler throws. Rendered by {@link renderApiError}. */
export class AppError extends HTTPException {
  readonly messageCode: string;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(messageCode: ApiErrorCode | (string & {}), message: string, options: AppErrorOptions = {}) {
    const status: ContentfulStatusCode =
      options.status ?? (API_ERROR_STATUS as Record<string, ContentfulStatusCode>)[messageCode] ?? 400;
    super(status, { message, cause: options.cause });
    this.messageCode = messageCode;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** JSON shape of every API error. */
export interface ApiErrorBody {
  error: { messageCode: string; message: string; field?: string; requestId?: string };
}

/**
 * Renders any thrown value as an API error. Unknown errors become a generic
 * 500 and are logged; their message is never echoed (it could hold secrets).
 */
export function renderApiError(err: unknown, c: Context): Response {
  // The same id the response's X-Request-Id header and every log line of this request carry.
  const requestId = currentRequestId();
  if (err instanceof AppError) {
    const body: ApiErrorBody = { error: { messageCode: err.messageCode, message: err.message } };
    if (err.field) body.error.field = err.field;
    if (requestId) body.error.requestId = requestId;
    if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
    return c.json(body, err.status);
  }
  if (err instanceof HTTPException) {
    // Hono's own (e.g. body-limit 413, malformed JSON in a validator).
    const code = err.status === 413 ? "payload-too-large" : err.status === 401 ? "unauthorized" : "invalid-request";
    const body: ApiErrorBody = { error: { messageCode: code, message: err.message || "The request was not valid." } };
    if (requestId) body.error.requestId = requestId;
    return c.json(body, err.status);
  }
  log.error("unhandled error", { error: err instanceof Error ? err : String(err) });
  const body: ApiErrorBody = { error: { messageCode: "internal-error", message: "Something went wrong on our side. Please try again." } };
  if (requestId) body.error.requestId = requestId;
  return c.json(body, 500);
}
