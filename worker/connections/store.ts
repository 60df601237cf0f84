/**
 * Connections and their accounts as the API and the executor need them:
 * every lookup is scoped to a user, and a broker client is built with the
 * credentials opened from the vault only for the duration of the call.
 *
 * @module
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { BrokerClient } from "../../plugins/sdk";
import { type Db, getDb } from "../db/client";
import { accounts, connections } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { brokerClientFor } from "./broker-client";
import { rewrapIfStale, rotationMode } from "./rotation";
import { openCredentials } from "./vault";

/** A `connections` row (holds sealed credentials: never serialize it as is). */
export type ConnectionRow = typeof connections.$inferSelect;
/** An `accounts` row. */
export type AccountRow = typeof accounts.$inferSelect;

/** The caller's connection, or 404 `not-found` (also when it belongs to someone else). */
export async function getOwnedConnection(db: Db, userId: string, id: string, field?: string): Promise<ConnectionRow> {
  const row = await db
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.userId, userId)))
    .get();
  if (!row) throw new AppError("not-found", "Connection not found.", field ? { field } : {});
  return row;
}

/**
 * A connection's accounts in discovery order. Rows inserted by one batch share
 * `created_at`, so the implicit rowid (insertion order) breaks the tie and the
 * broker's first account stays first.
 */
export async function listConnectionAccounts(db: Db, userId: string, connectionId: string): Promise<AccountRow[]> {
  return db
    .select()
    .from(accounts)
    .where(and(eq(accounts.connectionId, connectionId), eq(accounts.userId, userId)))
    .orderBy(asc(accounts.createdAt), asc(sql`rowid`))
    .all();
}

/**
 * The account an account-scoped call targets: `accountId` when given (it must
 * belong to this connection), else the connection's first account.
 */
export async function resolveAccount(
  db: Db,
  userId: string,
  connectionId: string,
  accountId: string | undefined,
): Promise<AccountRow> {
  const all = await listConnectionAccounts(db, userId, connectionId);
  const account = accountId === undefined ? all[0] : all.find((a) => a.id === accountId);
  if (!account) {
    throw accountId === undefined
      ? new AppError("not-found", "This connection has no broker account.")
      : new AppError("not-found", "Account not found on this connection.", { field: "accountId" });
  }
  return account;
}

/** Opens a row's credentials (undefined when it has none). A row still wrapped by an old vault key is re-wrapped on the way. */
export async function openConnectionCredentials(env: Env, row: ConnectionRow): Promise<unknown> {
  if (!row.credentialsCiphertext || !row.credentialsKeyId) return undefined;
  const sealed = { ciphertext: row.credentialsCiphertext, keyId: row.credentialsKeyId };
  const credentials = await openCredentials(env.VAULT_KEYS, row.id, sealed);
  await rewrapIfStale(getDb(env.DB), env.VAULT_KEYS, row.id, sealed, rotationMode(env.VAULT_ROTATION_MODE));
  return credentials;
}

/** A broker client for a stored connection, with its credentials opened from the vault. */
export async function clientForConnection(env: Env, row: ConnectionRow): Promise<BrokerClient> {
  const credentials = await openConnectionCredentials(env, row);
  return brokerClientFor(env, { id: row.id, broker: row.broker, settings: row.settings, credentials, authMethod: row.authMethod });
}
