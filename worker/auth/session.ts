/**
 * Access tokens: short HS256 JWTs signed with `JWT_SECRET` through jose,
 * each naming its user (`sub`) and its session (`sid`, a row of `sessions`).
 *
 * Verifying one is one HMAC; whether its session is still alive is checked
 * by the middleware (sessions.ts), which is what makes log-out and password
 * changes take effect before the token expires. The token lives 15 minutes;
 * the session's refresh token (never a JWT) gets a new one.
 *
 * @module
 */
import { jwtVerify, SignJWT } from "jose";

/** Issuer of every access token. */
export const SESSION_ISSUER = "tradeloop";
/** Audience of every access token; a token minted for another audience is refused. */
export const SESSION_AUDIENCE = "tradeloop";
/** Access token lifetime in seconds (15 minutes). */
export const ACCESS_TTL_SECONDS = 15 * 60;

function keyFor(secret: string): Uint8Array {
  // The raw UTF-8 bytes are the HMAC key; assertSecrets() guarantees 32+ characters.
  return new TextEncoder().encode(secret);
}

/** What a valid access token says. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** Issues an access token for a session. */
export async function issueAccessToken(secret: string, userId: string, sessionId: string, now: Date = new Date()): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ACCESS_TTL_SECONDS;
  const token = await new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyFor(secret));
  return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies an access token and returns its claims, or null when it is
 * malformed, forged, expired, issued for something else, or has no session.
 * The algorithm is pinned to HS256 so a token cannot pick its own (`none`,
 * or RS256 with the secret misused as a public key).
 */
export async function verifyAccessToken(secret: string, token: string, now?: Date): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      issuer: SESSION_ISSUER,
      audience: SESSION_AUDIENCE,
      requiredClaims: ["sub", "exp", "sid"],
      ...(now && { currentDate: now }),
    });
    if (typeof payload.sub !== "string" || payload.sub === "" || typeof payload.sid !== "string" || payload.sid === "") return null;
    return { userId: payload.sub, sessionId: payload.sid, exp: payload.exp ?? 0 };
  } catch {
    return null;
  }
}
