/**
 * API tokens for programs: long-lived bearer tokens with scopes, made by the
 * user in the dashboard (or with a session) and shown once.
 *
 * - Format `tlk_<43 base64url chars>` (256 random bits); the prefix tells
 *   the middleware it is not a JWT and lets secret scanners recognise it.
 * - Only SHA-256 of the token is stored (a plain hash suffices: the token is
 *   uniformly random, so neither a dictionary nor brute force can invert it).
 * - Scopes: `read` (GET only) and `trade` (also changes strategies,
 *   subscriptions, connections, approvals). No token, whatever its scopes,
 *   can manage the account itself (sessions, password, API tokens): that
 *   takes a log-in.
 * - Revocation deletes the row. Each isolate remembers a found token for
 *   {@link TOKEN_CHECK_CACHE_MS}, so a revocation takes effect at once in the
 *   isolate that handled it and within 30 s everywhere else. `last_used_at`
 *   is written at most once per {@link LAST_USED_RESOLUTION_MS}.
 *
 * @module
 */
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiTokens } from "../db/schema";
import { sha256Hex, toBase64Url } from "./encoding";

/** The token prefix. */
export const API_TOKEN_PREFIX = "tlk_";
/** Every scope a token can have. */
export const API_TOKEN_SCOPES = ["read", "trade"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** How long an isolate trusts a token it found. */
export const TOKEN_CHECK_CACHE_MS = 30_000;
/** `last_used_at` precision: one write per token per 5 minutes at most. */
export const LAST_USED_RESOLUTION_MS = 5 * 60_000;
const CACHE_MAX = 5_000;

/** A token as found by {@link findApiToken}. */
export interface FoundApiToken {
  id: string;
  userId: string;
  scopes: ApiTokenScope[];
  lastUsedAt: number | null;
}

const found = new Map<string, { token: FoundApiToken; until: number }>();

function normalizeScopes(scopes: readonly string[]): ApiTokenScope[] {
  return API_TOKEN_SCOPES.filter((s) => scopes.includes(s));
}

/** True when the string looks like an API token (not a JWT). */
export function isApiToken(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

/** Creates a token; the returned `token` is the only time it exists in clear. */
export async function createApiToken(db: Db, userId: string, name: string, scopes: readonly ApiTokenScope[], now = Date.now()): Promise<{ id: string; token: string; scopes: ApiTokenScope[]; createdAt: number }> {
  const id = crypto.randomUUID();
  const token = `${API_TOKEN_PREFIX}${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const normalized = normalizeScopes(scopes);
  await db.insert(apiTokens).values({ id, userId, name, tokenHash: await sha256Hex(token), scopes: normalized, createdAt: now, lastUsedAt: null });
  return { id, token, scopes: normalized, createdAt: now };
}

/** Looks a presented token up by its hash; null when unknown or revoked. */
export async function findApiToken(db: Db, token: string, now = Date.now()): Promise<FoundApiToken | null> {
  const hash = await sha256Hex(token);
  const cached = found.get(hash);
  if (cached && cached.until > now) return cached.token;
  const row = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).get();
  if (!row) {
    found.delete(hash);
    return null;
  }
  const result = { id: row.id, userId: row.userId, scopes: normalizeScopes(row.scopes), lastUsedAt: row.lastUsedAt };
  if (found.size >= CACHE_MAX) found.clear();
  found.set(hash, { token: result, until: now + TOKEN_CHECK_CACHE_MS });
  return result;
}

/** Records use, at most once per {@link LAST_USED_RESOLUTION_MS} (callers run it in waitUntil). */
export async function touchApiToken(db: Db, token: FoundApiToken, now = Date.now()): Promise<void> {
  if (token.lastUsedAt !== null && now - token.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
  token.lastUsedAt = now;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, token.id));
}

/** A user's tokens, newest first, without their hashes. */
export async function listApiTokens(db: Db, userId: string) {
  return db
    .select({ id: apiTokens.id, name: apiTokens.name, scopes: apiTokens.scopes, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt))
    .all();
}

/** Deletes one of a user's tokens; returns its name, or null when it is not theirs. */
export async function revokeApiToken(db: Db, userId: string, id: string): Promise<string | null> {
  const deleted = await db
    .delete(apiTokens)
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
    .returning({ name: apiTokens.name });
  for (const [hash, entry] of found) if (entry.token.id === id) found.delete(hash);
  return deleted[0]?.name ?? null;
}
