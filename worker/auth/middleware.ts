/**
 * Request authentication for the JSON API.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { assertSecrets, type AppBindings } from "../env";
import { AppError } from "../errors";
import { verifySessionToken } from "./session";
import { errorMessage } from "../../plugins/sdk";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Requires `Authorization: Bearer <session token>` and sets `c.var.userId`.
 * Every failure is the same 401 `unauthorized`: the caller learns nothing
 * about why a token was refused (expired, forged, wrong audience).
 */
export const requireAuth = createMiddleware<AppBindings>(async (c, next) => {
  const header = c.req.header("Authorization");
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (!token) {
    throw new AppError("unauthorized", "Send `Authorization: Bearer <token>`; POST /api/auth/login returns a token.");
  }
  const userId = await verifySessionToken(c.env.JWT_SECRET, token);
  if (!userId) {
    throw new AppError("unauthorized", "The session token is invalid or has expired. Log in again.");
  }
  c.set("userId", userId);
  await next();
});

/**
 * Fails fast with a readable message when `JWT_SECRET` or `VAULT_KEYS` is
 * missing or malformed, instead of a crash deep inside crypto code. The check
 * is memoized per isolate, so it costs nothing after the first request.
 * The message names the missing setting, never a value.
 */
export const requireConfiguredSecrets = createMiddleware<AppBindings>(async (c, next) => {
  try {
    assertSecrets(c.env);
  } catch (e) {
    console.error(errorMessage(e));
    throw new AppError("internal-error", e instanceof Error ? e.message : "Tradeloop is misconfigured.");
  }
  await next();
});
