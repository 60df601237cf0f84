/**
 * The core's side of connection portals (plugins/sdk/portal.ts: SnapTrade's
 * Connection Portal). The plugin says how the aggregator's flow goes; this
 * module holds what the core owns around it:
 *
 * - the portal context: the operator's partner keys from Worker secrets, and
 *   a fetch that reaches only the broker's declared hosts;
 * - the user's identity at the aggregator, one per user and broker:
 *   registered on the first connect, sealed in the vault and bound to its
 *   owner (`portal-identity:<user>:<broker>`), never returned or logged;
 * - revoking a connection's authorization at the aggregator on disconnect.
 *
 * The routes (start, callback) are OAuth's, in worker/api/oauth.ts.
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import { getPlugin } from "../../plugins";
import { BrokerError, type PortalContext, type PortalFlow, type PortalIdentity, type RegisteredPlugin } from "../../plugins/sdk";
import { createPluginContext } from "../../plugins/sdk/host";
import type { Db } from "../db/client";
import { portalIdentities } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { allowedHostsFor, destinationRules } from "./base-url";
import { requirePartnerKeys } from "./oauth-config";
import type { ConnectionRow } from "./store";
import { needsRewrap, openCredentials, rewrapCredentials, sealCredentials } from "./vault";

/** How long one call to the aggregator may take. */
const PORTAL_TIMEOUT_MS = 10_000;

/** A plugin with a portal flow (manifest `auth.scheme: "portal"`). */
export type PortalPlugin = RegisteredPlugin & { portal: PortalFlow };

/** Whether a plugin connects through an aggregator's portal. */
export function isPortalPlugin(plugin: RegisteredPlugin): plugin is PortalPlugin {
  return plugin.manifest.auth.scheme === "portal" && plugin.portal !== undefined;
}

/** The vault binding of a user's identity at one aggregator: it opens only in its owner's row. */
function identityBinding(userId: string, broker: string): string {
  return `portal-identity:${userId}:${broker}`;
}

/**
 * The context portal hooks run in: partner keys from Worker secrets (400
 * `partner-not-configured` naming them when missing), requests only to the
 * broker's declared hosts.
 */
export function portalContext(env: Env, plugin: PortalPlugin, environment: "paper" | "live"): PortalContext {
  const partner = plugin.manifest.auth.partner ? requirePartnerKeys(env, plugin.manifest.auth.partner, plugin.manifest.displayName) : {};
  const baseUrl = plugin.manifest.environments[environment] ?? "";
  const ctx = createPluginContext({
    plugin,
    connectionId: `portal-${plugin.manifest.id}`,
    // No user credentials exist yet at start (the identity and authorization are the portal's output):
    // like OAuth's, this context parses none.
    authMethod: "oauth",
    credentials: undefined,
    settings: {},
    environment,
    baseUrl,
    transport: (request) => fetch(request),
    timeoutMs: PORTAL_TIMEOUT_MS,
    allowedHosts: allowedHostsFor(destinationRules(env, plugin), undefined).hosts,
    partner,
  });
  return { environment, baseUrl, fetch: ctx.fetch, now: ctx.now, log: ctx.log, partner };
}

/**
 * The user's identity at the aggregator: the sealed one, or a new
 * registration (the user's first connect), sealed before it is used. Two
 * first connects at once: one row wins the primary key and both use it.
 */
export async function portalIdentityFor(env: Env, db: Db, userId: string, plugin: PortalPlugin, ctx: PortalContext): Promise<PortalIdentity> {
  const broker = plugin.manifest.id;
  const stored = await readIdentity(env, db, userId, broker);
  if (stored) return stored;
  const identity = await plugin.portal.register(ctx, { tradeloopUserId: userId });
  const sealed = await sealCredentials(env.VAULT_KEYS, identityBinding(userId, broker), identity);
  await db.insert(portalIdentities).values({ userId, broker, ciphertext: sealed.ciphertext, keyId: sealed.keyId, createdAt: Date.now() }).onConflictDoNothing();
  return (await readIdentity(env, db, userId, broker)) ?? identity;
}

/** The user's sealed identity at one aggregator, opened; null when the user never connected it. */
export async function readIdentity(env: Env, db: Db, userId: string, broker: string): Promise<PortalIdentity | null> {
  const row = await db
    .select()
    .from(portalIdentities)
    .where(and(eq(portalIdentities.userId, userId), eq(portalIdentities.broker, broker)))
    .get();
  if (!row) return null;
  const sealed = { ciphertext: row.ciphertext, keyId: row.keyId };
  const opened = await openCredentials(env.VAULT_KEYS, identityBinding(userId, broker), sealed);
  // After a vault key rotation, the identity moves under the current key when it is next used.
  if (needsRewrap(env.VAULT_KEYS, sealed)) {
    const fresh = await rewrapCredentials(env.VAULT_KEYS, identityBinding(userId, broker), sealed);
    await db
      .update(portalIdentities)
      .set({ ciphertext: fresh.ciphertext, keyId: fresh.keyId })
      .where(and(eq(portalIdentities.userId, userId), eq(portalIdentities.broker, broker)));
  }
  if (typeof opened !== "object" || opened === null) throw new AppError("internal-error", "A stored portal identity could not be read.");
  return opened as PortalIdentity;
}

/**
 * Removes a portal connection's authorization at the aggregator (best
 * effort: the aggregator may be down; the connection's credentials are
 * deleted either way). True when the aggregator confirmed it.
 */
export async function revokePortalConnection(env: Env, row: ConnectionRow): Promise<boolean> {
  const plugin = getPlugin(row.broker);
  if (!plugin || !isPortalPlugin(plugin) || row.authMethod !== "portal" || !row.credentialsCiphertext || !row.credentialsKeyId) return false;
  try {
    const credentials = await openCredentials(env.VAULT_KEYS, row.id, { ciphertext: row.credentialsCiphertext, keyId: row.credentialsKeyId });
    const environment = row.settings.environment === "paper" ? "paper" : "live";
    await plugin.portal.revoke(portalContext(env, plugin, environment), { credentials });
    return true;
  } catch (e) {
    log.warn("connection: removing the portal authorization failed", { connectionId: row.id, code: e instanceof BrokerError ? e.code : e instanceof AppError ? e.messageCode : "error" });
    return false;
  }
}
