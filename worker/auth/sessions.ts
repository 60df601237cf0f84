/**
 * Log-in sessions: server-side rows that access tokens point at (`sid`).
 *
 * - Log-in creates a row and answers a 15-minute access JWT plus a refresh
 *   token `<sessionId>.<secret>`; only SHA-256 of the secret is stored.
 * - Refresh rotates the secret. The previous one stays valid for
 *   {@link REFRESH_GRACE_MS} (two tabs refreshing at once); presenting an
 *   older one means it was copied, so the session is revoked (theft).
 * - Revocation (log-out, log-out everywhere, password change) sets
 *   `revoked_at`; a session also ends {@link SESSION_TTL_MS} after log-in.
 *
 * What a revocation costs and when it takes effect: one D1 UPDATE. Checking
 * it on every API request would add a D1 round trip to each call, so each
 * isolate remembers a live session for {@link SESSION_CHECK_CACHE_MS}: the
 * hot path is one HMAC (the JWT) plus at most one indexed D1 read per
 * session per isolate every 30 s. A revocation therefore takes effect at
 * once in the isolate that handled it, and within 30 s everywhere else; its
 * refresh token is refused at once everywhere.
 *
 * @module
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";
import { sha256Hex, stringsEqual, toBase64Url } from "./encoding";

/** A session ends this long after log-in, refreshed or not (30 days). */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** How long a just-replaced refresh secret is still honoured. */
export const REFRESH_GRACE_MS = 30_000;
/** How long an isolate trusts a session it found alive. */
export const SESSION_CHECK_CACHE_MS = 30_000;

const SECRET_BYTES = 32;
const CACHE_MAX = 5_000;

/** Live sessions this isolate checked recently: sessionId → user and until when. */
const alive = new Map<string, { userId: string; until: number }>();

function newSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** A new session and its first refresh token. */
export async function createSession(db: Db, userId: string, userAgent: string | undefined, now = Date.now()): Promise<{ sessionId: string; refreshToken: string; expiresAt: number }> {
  const sessionId = crypto.randomUUID();
  const secret = newSecret();
  const expiresAt = now + SESSION_TTL_MS;
  await db.insert(sessions).values({
    id: sessionId,
    userId,
    refreshHash: await sha256Hex(secret),
    previousRefreshHash: null,
    rotatedAt: now,
    createdAt: now,
    expiresAt,
    revokedAt: null,
    userAgent: userAgent ? userAgent.slice(0, 200) : null,
  });
  return { sessionId, refreshToken: `${sessionId}.${secret}`, expiresAt };
}

/** Outcome of {@link refreshSession}. */
export type RefreshResult =
  | { ok: true; userId: string; sessionId: string; refreshToken: string; expiresAt: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "reused"; userId: string };

/**
 * Exchanges a refresh token for a new one (rotation). A token that is not
 * the current one (nor the one just replaced) revokes its session.
 */
export async function refreshSession(db: Db, refreshToken: string, now = Date.now()): Promise<RefreshResult> {
  const dot = refreshToken.indexOf(".");
  const sessionId = refreshToken.slice(0, dot);
  const secret = refreshToken.slice(dot + 1);
  if (dot < 1 || secret.length < 16 || sessionId.length > 64) return { ok: false, reason: "invalid" };
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = await db.select().from(sessions).where(eq(sessions.id, sessionId)).get();
    if (!row || row.revokedAt !== null || row.expiresAt <= now) return { ok: false, reason: "invalid" };
    const presented = await sha256Hex(secret);
    const current = stringsEqual(presented, row.refreshHash);
    const justReplaced = !current && row.previousRefreshHash !== null && stringsEqual(presented, row.previousRefreshHash) && now - row.rotatedAt < REFRESH_GRACE_MS;
    if (!current && !justReplaced) {
      // A copy of an old refresh token is in someone else's hands: end the session for everyone.
      await revokeSession(db, row.userId, sessionId, now);
      return { ok: false, reason: "reused", userId: row.userId };
    }
    const next = newSecret();
    // Conditional on the hash we read: of two concurrent refreshes, one wins and the other retries.
    const updated = await db
      .update(sessions)
      .set({ refreshHash: await sha256Hex(next), previousRefreshHash: row.refreshHash, rotatedAt: now })
      .where(and(eq(sessions.id, sessionId), eq(sessions.refreshHash, row.refreshHash), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (updated.length === 1) return { ok: true, userId: row.userId, sessionId, refreshToken: `${sessionId}.${next}`, expiresAt: row.expiresAt };
  }
  return { ok: false, reason: "invalid" };
}

/** Whether an access token's session is still alive (see the module comment for the cache). */
export async function isSessionAlive(db: Db, sessionId: string, userId: string, now = Date.now()): Promise<boolean> {
  const cached = alive.get(sessionId);
  if (cached && cached.until > now) return cached.userId === userId;
  const row = await db
    .select({ userId: sessions.userId, revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(eq(sessions.id, sessionId))
    .get();
  const ok = row !== undefined && row.userId === userId && row.revokedAt === null && row.expiresAt > now;
  if (ok) {
    if (alive.size >= CACHE_MAX) alive.clear();
    alive.set(sessionId, { userId, until: Math.min(now + SESSION_CHECK_CACHE_MS, row.expiresAt) });
  } else {
    alive.delete(sessionId);
  }
  return ok;
}

/** Ends one session of a user (log-out). */
export async function revokeSession(db: Db, userId: string, sessionId: string, now = Date.now()): Promise<void> {
  alive.delete(sessionId);
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/** Ends every session of a user (log-out everywhere, password change); returns how many were live. */
export async function revokeAllSessions(db: Db, userId: string, now = Date.now()): Promise<number> {
  for (const [id, entry] of alive) if (entry.userId === userId) alive.delete(id);
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length;
}
