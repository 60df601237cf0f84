/**
 * Request authentication for the JSON API. Three ways in, one identity out
 * (`c.var.userId`, and `c.var.auth` saying how):
 *
 * 1. `Authorization: Bearer <access JWT>` (API clients after log-in);
 * 2. `Authorization: Bearer tlk_...` (an API token, with scopes);
 * 3. the dashboard's session cookies (cookies.ts). An expired access cookie
 *    with a live refresh cookie is renewed here, transparently, so the
 *    dashboard only ever sees a 401 when the session itself has ended.
 *
 * Sessions are checked for revocation (sessions.ts explains the cost and
 * when a revocation takes effect). API tokens can read with `read`, change
 * things with `trade`, and never touch the account itself (`/api/auth/*`
 * except `GET /api/auth/me`).
 *
 * @module
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client";
import { assertSecrets, type AppBindings, type AuthContext } from "../env";
import { errorMessage } from "../../plugins/sdk";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { findApiToken, isApiToken, touchApiToken } from "./api-tokens";
import { readSessionCookies, setSessionCookies } from "./cookies";
import { issueAccessToken, verifyAccessToken } from "./session";
import { isSessionAlive, refreshSession } from "./sessions";

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const unauthorized = (message: string) => new AppError("unauthorized", message);

/** Paths an API token may not use: managing the account takes a log-in. */
function isAccountManagement(method: string, path: string): boolean {
  return path.startsWith("/api/auth/") && !(READ_METHODS.has(method) && path === "/api/auth/me");
}

async function fromBearer(c: Context<AppBindings>, bearer: string): Promise<{ userId: string; auth: AuthContext }> {
  const db = getDb(c.env.DB);
  if (isApiToken(bearer)) {
    const token = await findApiToken(db, bearer);
    if (!token) throw unauthorized("The API token is invalid or has been revoked. Create a new one in Tradeloop.");
    if (isAccountManagement(c.req.method, c.req.path)) {
      throw new AppError("forbidden", "API tokens cannot manage the account (sessions, password, API tokens); log in to do that.");
    }
    const needed = READ_METHODS.has(c.req.method) ? null : "trade";
    if (needed && !token.scopes.includes(needed)) {
      throw new AppError("forbidden", "This API token has the read scope only, so it cannot change anything; create a token with the trade scope.");
    }
    try {
      c.executionCtx.waitUntil(touchApiToken(db, token).catch(() => undefined));
    } catch {
      await touchApiToken(db, token).catch(() => undefined); // no execution context (app.request in tests)
    }
    return { userId: token.userId, auth: { kind: "api-token", tokenId: token.id, scopes: token.scopes } };
  }
  const claims = await verifyAccessToken(c.env.JWT_SECRET, bearer);
  if (!claims || !(await isSessionAlive(db, claims.sessionId, claims.userId))) {
    throw unauthorized("The session token is invalid, has expired or was logged out. Log in again (or refresh it at POST /api/auth/refresh).");
  }
  return { userId: claims.userId, auth: { kind: "session", sessionId: claims.sessionId, via: "bearer" } };
}

async function fromCookies(c: Context<AppBindings>): Promise<{ userId: string; auth: AuthContext } | null> {
  const { access, refresh } = readSessionCookies(c);
  const db = getDb(c.env.DB);
  if (access) {
    const claims = await verifyAccessToken(c.env.JWT_SECRET, access);
    if (claims && (await isSessionAlive(db, claims.sessionId, claims.userId))) {
      return { userId: claims.userId, auth: { kind: "session", sessionId: claims.sessionId, via: "cookie" } };
    }
  }
  if (!refresh) return null;
  const renewed = await refreshSession(db, refresh);
  if (!renewed.ok) return null;
  const { token } = await issueAccessToken(c.env.JWT_SECRET, renewed.userId, renewed.sessionId);
  setSessionCookies(c, token, renewed.refreshToken, renewed.expiresAt);
  return { userId: renewed.userId, auth: { kind: "session", sessionId: renewed.sessionId, via: "cookie" } };
}

/**
 * Requires a session (Bearer JWT or cookies) or an API token, and sets
 * `c.var.userId` and `c.var.auth`. Every failure to authenticate is the same
 * 401 `unauthorized`: the caller learns nothing about why a token was refused.
 */
export const requireAuth = createMiddleware<AppBindings>(async (c, next) => {
  // Mounted twice on some paths (app.ts secures /api/signals at the mount point too).
  if (c.get("auth")) return next();
  const header = c.req.header("Authorization");
  let who: { userId: string; auth: AuthContext } | null;
  if (header !== undefined) {
    const bearer = BEARER.exec(header)?.[1];
    if (!bearer) throw unauthorized("Send `Authorization: Bearer <token>`; POST /api/auth/login returns a token.");
    who = await fromBearer(c, bearer);
  } else {
    who = await fromCookies(c);
    if (!who) throw unauthorized("You are not logged in, or your session has ended. Log in again.");
  }
  c.set("userId", who.userId);
  c.set("auth", who.auth);
  await next();
});

/**
 * Fails fast with a readable message when `JWT_SECRET`, `VAULT_KEYS` or
 * `PASSWORD_PEPPER` is missing or malformed, instead of a crash deep inside
 * crypto code. The check is memoized per isolate, so it costs nothing after
 * the first request. The message names the missing setting, never a value.
 */
export const requireConfiguredSecrets = createMiddleware<AppBindings>(async (c, next) => {
  try {
    assertSecrets(c.env);
  } catch (e) {
    log.error("misconfigured", { error: errorMessage(e) });
    throw new AppError("internal-error", e instanceof Error ? e.message : "Tradeloop is misconfigured.");
  }
  await next();
});
