/**
 * Session tokens: HS256 JWTs signed with `JWT_SECRET` through jose.
 *
 * Stateless on purpose: verifying a request costs one HMAC and no D1 query.
 * The price is that a token stays valid until it expires (7 days); rotating
 * `JWT_SECRET` logs everyone out.
 *
 * @module
 */
import { jwtVerify, SignJWT } from "jose";

/** Issuer and audience of every session token. */
export const SESSION_ISSUER = "tradeloop";
/** Audience of every session token; a token minted for another audience is refused. */
export const SESSION_AUDIENCE = "tradeloop";
/** Session lifetime in seconds (7 days). */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;

function keyFor(secret: string): Uint8Array {
  // The raw UTF-8 bytes are the HMAC key; assertSecrets() guarantees 32+ characters.
  return new TextEncoder().encode(secret);
}

/** Issues a session token for a user id. */
export async function issueSessionToken(secret: string, userId: string, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SESSION_TTL_SECONDS)
    .sign(keyFor(secret));
}

/**
 * Verifies a session token and returns its user id, or null when it is
 * malformed, forged, expired, or issued for something else. The algorithm is
 * pinned to HS256 so a token cannot pick its own (`none`, or RS256 with the
 * secret misused as a public key).
 */
export async function verifySessionToken(secret: string, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      issuer: SESSION_ISSUER,
      audience: SESSION_AUDIENCE,
      requiredClaims: ["sub", "exp"],
    });
    return typeof payload.sub === "string" && payload.sub.length > 0 ? payload.sub : null;
  } catch {
    return null;
  }
}
