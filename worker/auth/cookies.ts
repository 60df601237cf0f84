/**
 * The dashboard's session cookies. The dashboard keeps no token in
 * localStorage (where any injected script could read it): log-in sets two
 * HttpOnly, Secure, SameSite=Strict cookies with the `__Host-` prefix (no
 * Domain, Path=/, only over https; browsers treat http://localhost as
 * secure, so `npm start` works too):
 *
 * - `__Host-tradeloop_access`: the 15-minute access JWT;
 * - `__Host-tradeloop_refresh`: the refresh token, for 30 days.
 *
 * SameSite=Strict keeps other sites from sending them; the Origin check on
 * state-changing requests (origin.ts) covers what SameSite does not.
 *
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ACCESS_TTL_SECONDS } from "./session";

/** Cookie names (the `__Host-` prefix is added by hono). */
export const ACCESS_COOKIE = "tradeloop_access";
export const REFRESH_COOKIE = "tradeloop_refresh";

const BASE = { httpOnly: true, secure: true, sameSite: "Strict", path: "/", prefix: "host" } as const;

/** Sets both cookies for a session. */
export function setSessionCookies(c: Context, accessToken: string, refreshToken: string, sessionExpiresAt: number): void {
  setCookie(c, ACCESS_COOKIE, accessToken, { ...BASE, maxAge: ACCESS_TTL_SECONDS });
  const refreshSeconds = Math.max(1, Math.floor((sessionExpiresAt - Date.now()) / 1000));
  setCookie(c, REFRESH_COOKIE, refreshToken, { ...BASE, maxAge: refreshSeconds });
}

/** Expires both cookies (log-out). */
export function clearSessionCookies(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, BASE);
  deleteCookie(c, REFRESH_COOKIE, BASE);
}

/** The access and refresh cookies of a request, if any. */
export function readSessionCookies(c: Context): { access: string | undefined; refresh: string | undefined } {
  return { access: getCookie(c, ACCESS_COOKIE, "host"), refresh: getCookie(c, REFRESH_COOKIE, "host") };
}
