/**
 * Middleware and error mapping that keep every /api failure in the one
 * AppError shape, including failures raised by Hono itself before a handler
 * runs (oversized body, malformed JSON, wrong content type).
 *
 * @module
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppBindings } from "../env";
import { AppError, renderApiError } from "../errors";
import { jsonDeeperThan } from "../lib/json-depth";

/** Largest accepted /api request body. Real requests are a few hundred bytes. */
export const API_BODY_LIMIT_BYTES = 64 * 1024;
/** Deepest JSON an /api body may nest (settings objects are 3-4 levels); deeper is 400 `json-too-deep`. */
export const API_JSON_MAX_DEPTH = 16;

/** Rejects bodies over {@link API_BODY_LIMIT_BYTES} with 413 `payload-too-large`, even when streamed without a length. */
export const apiBodyLimit = bodyLimit({
  maxSize: API_BODY_LIMIT_BYTES,
  onError: () => {
    throw new AppError("payload-too-large", `The request body is larger than ${API_BODY_LIMIT_BYTES / 1024} KB.`);
  },
});

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Parses a JSON body up front so that malformed JSON is 400 `invalid-json`
 * for every route, whatever validator it uses. The parsed text stays in
 * Hono's body cache, so handlers read it again without re-streaming.
 */
export const requireWellFormedJson = createMiddleware<AppBindings>(async (c, next) => {
  if (BODY_METHODS.has(c.req.method) && JSON_MEDIA_TYPE.test(c.req.header("Content-Type") ?? "")) {
    const text = await c.req.text();
    if (text.trim() !== "") {
      if (jsonDeeperThan(text, API_JSON_MAX_DEPTH)) {
        throw new AppError("json-too-deep", `The request body nests objects or lists more than ${API_JSON_MAX_DEPTH} levels deep.`);
      }
      try {
        JSON.parse(text);
      } catch {
        throw new AppError("invalid-json", "The request body is not valid JSON.");
      }
    }
  }
  await next();
});

/**
 * The app's error handler: translates Hono's own HTTPExceptions into
 * AppErrors with stable codes, then renders with {@link renderApiError}.
 */
export function renderError(err: Error, c: Context): Response {
  if (err instanceof HTTPException && !(err instanceof AppError)) {
    // Raised by Hono's JSON validator for an empty body on a route that needs one.
    if (err.status === 400 && /malformed json/i.test(err.message)) {
      return renderApiError(new AppError("invalid-json", "The request body is empty or not valid JSON."), c);
    }
    if (err.status === 415) {
      return renderApiError(
        new AppError("invalid-request", "Send the request body as JSON with `Content-Type: application/json`.", { status: 415 }),
        c,
      );
    }
  }
  return renderApiError(err, c);
}
