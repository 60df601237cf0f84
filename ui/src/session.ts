/**
 * The dashboard's session. The Worker keeps it in an HttpOnly cookie that
 * this code never sees (so a script injected into the page cannot steal it);
 * the page only knows who is logged in, from `GET /api/auth/me`.
 *
 * Bridge: a Worker from before the session cookie only accepts
 * `Authorization: Bearer`. Until it sets the cookie, the token from the
 * log-in reply is held in memory (never in storage: a reload asks to log in
 * again) and sent as that header. Remove `bridgeToken` once every supported
 * Worker sets the cookie.
 *
 * @module
 */

let bridgeToken: string | null = null;

/** The in-memory token for a Worker without the session cookie, or null. */
export function bearerBridge(): string | null {
  return bridgeToken;
}

/** Keeps the log-in reply's token in memory for the current page only. */
export function holdBridgeToken(token: string | null): void {
  bridgeToken = token;
}
