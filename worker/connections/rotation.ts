/**
 * Vault key rotation for stored connections. After a new key is prepended to
 * `VAULT_KEYS`, every row still wrapped by an older key (or still in the v1
 * format) gets its data key re-wrapped; the credentials' ciphertext stays as
 * it is (see vault.ts). Rows are re-wrapped lazily when a client is built for
 * them, and {@link rewrapStaleConnections} finishes the job in batches.
 *
 * @module
 */
import { and, eq, ne, or, sql } from "drizzle-orm";
import { errorMessage } from "../../plugins/sdk";
import type { Db } from "../db/client";
import { connections } from "../db/schema";
import { log } from "../lib/log";
import { currentKeyId, needsRewrap, resealCredentials, rewrapCredentials, type SealedCredentials } from "./vault";

/**
 * How stale rows are brought under the current vault key: `rewrap` keeps the
 * data key and wraps it again (routine rotation); `reseal` decrypts and
 * seals under a fresh data key (after a suspected compromise).
 */
export type RotationMode = "rewrap" | "reseal";

/** The mode the operator chose (`VAULT_ROTATION_MODE`), default `rewrap`. */
export function rotationMode(setting: string | undefined): RotationMode {
  return setting === "reseal" ? "reseal" : "rewrap";
}

function rotate(mode: RotationMode, vaultKeys: string, connectionId: string, sealed: SealedCredentials): Promise<SealedCredentials> {
  return mode === "reseal" ? resealCredentials(vaultKeys, connectionId, sealed) : rewrapCredentials(vaultKeys, connectionId, sealed);
}

/**
 * Stores a re-wrapped envelope, but only if the row still holds `before`:
 * two isolates re-wrapping the same row at once cannot overwrite each other's
 * newer credentials. Returns true if the row was updated.
 */
export async function saveRewrapped(db: Db, connectionId: string, before: SealedCredentials, after: SealedCredentials): Promise<boolean> {
  if (after.ciphertext === before.ciphertext && after.keyId === before.keyId) return false;
  const updated = await db
    .update(connections)
    .set({ credentialsCiphertext: after.ciphertext, credentialsKeyId: after.keyId })
    .where(and(eq(connections.id, connectionId), eq(connections.credentialsCiphertext, before.ciphertext)))
    .returning({ id: connections.id });
  return updated.length > 0;
}

/** Re-wraps (or re-seals) one row if it needs it; failures are logged, never thrown (the caller already has its credentials). */
export async function rewrapIfStale(db: Db, vaultKeys: string, connectionId: string, sealed: SealedCredentials, mode: RotationMode = "rewrap"): Promise<void> {
  try {
    if (!needsRewrap(vaultKeys, sealed)) return;
    await saveRewrapped(db, connectionId, sealed, await rotate(mode, vaultKeys, connectionId, sealed));
  } catch (e) {
    log.error("vault: re-wrapping a connection failed", { connectionId, error: errorMessage(e) });
  }
}

/**
 * Re-wraps up to `limit` connections not yet wrapped by the current vault
 * key. Returns how many were re-wrapped and how many remain stale, so an
 * operator (or a scheduled job) can loop until `remaining` is 0 and then
 * remove the old key from `VAULT_KEYS`.
 */
export async function rewrapStaleConnections(
  db: Db,
  vaultKeys: string,
  limit = 100,
  mode: RotationMode = "rewrap",
): Promise<{ rewrapped: number; failed: number; remaining: number }> {
  const current = currentKeyId(vaultKeys);
  const stale = or(ne(connections.credentialsKeyId, current), sql`${connections.credentialsCiphertext} NOT LIKE 'v2.%'`);
  const rows = await db
    .select({ id: connections.id, ciphertext: connections.credentialsCiphertext, keyId: connections.credentialsKeyId })
    .from(connections)
    .where(and(sql`${connections.credentialsCiphertext} IS NOT NULL`, stale))
    .limit(limit)
    .all();
  let rewrapped = 0;
  let failed = 0;
  for (const row of rows) {
    if (!row.ciphertext || !row.keyId) continue;
    const sealed = { ciphertext: row.ciphertext, keyId: row.keyId };
    try {
      if (await saveRewrapped(db, row.id, sealed, await rotate(mode, vaultKeys, row.id, sealed))) rewrapped++;
    } catch (e) {
      failed++;
      log.error("vault: re-wrapping a connection failed", { connectionId: row.id, error: errorMessage(e) });
    }
  }
  const left = await db
    .select({ n: sql<number>`count(*)` })
    .from(connections)
    .where(and(sql`${connections.credentialsCiphertext} IS NOT NULL`, stale))
    .get();
  return { rewrapped, failed, remaining: left?.n ?? 0 };
}
