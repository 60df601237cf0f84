/**
 * /api/connections: the caller's broker connections and the accounts each
 * one reaches. Creating a connection verifies it against the broker
 * (`testConnection()`) and records the accounts the broker reports.
 * Credentials go into the vault; the API only ever shows a hint.
 *
 * @module
 */
import { audit } from "../audit/log";
import { assertUnderCap } from "../limits/caps";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { getPlugin, plugins } from "../../plugins";
import type { BrokerAccount, BrokerPlugin } from "../../plugins/sdk";
import type { Env } from "../env";
import { allowedHostsFor, BASE_URL_SETTING, checkBaseUrl, destinationRules } from "../connections/base-url";
import { connectFailure } from "../connections/broker-errors";
import { brokerClientFor } from "../connections/broker-client";
import { PRICE_SOURCE_SETTING, validatePriceSource } from "../connections/price-source";
import { type AccountRow, type ConnectionRow, getOwnedConnection, listConnectionAccounts } from "../connections/store";
import { usesSessionOwner } from "../connections/session-access";
import { addNewAccounts, testStoredConnection } from "../connections/test-connection";
import { credentialsHint, sealCredentials } from "../connections/vault";
import { CONNECTION_STATUSES } from "../connections/lifecycle";
import { revokePortalConnection } from "../connections/portal";
import { type Db, getDb, isoTime } from "../db/client";
import { accounts, connections, subscriptions } from "../db/schema";
import { announceConfigChange, raiseConfigVersion, strategiesUsingConnection } from "../execution/config-changes";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { authenticated, createRouter, errorResponses, IdParams, JsonObjectSchema, jsonBody, jsonResponse } from "./openapi";
import { parseOrThrow } from "./validation";

/** A broker account reached through a connection. */
export const AccountSchema = z
  .object({
    id: z.string().openapi({ description: "Tradeloop's account id (use it as `accountId`)." }),
    brokerAccountId: z.string().openapi({ description: "The broker's own account number." }),
    mode: z.enum(["paper", "live"]),
    name: z.string(),
    currency: z.string(),
  })
  .openapi("Account");

/** A connection as the API shows it. Never includes credentials. */
export const ConnectionSchema = z
  .object({
    id: z.string(),
    broker: z.string().openapi({ example: "paper" }),
    name: z.string(),
    status: z.enum(CONNECTION_STATUSES).openapi({
      description:
        "`connected`; `expiring` (the broker's authorisation ends within a day: reconnect); `expired` (the broker refused to renew the session or the credentials: subscriptions paused); `error` (the broker could not be reached or the credentials read); `disconnected` (by you: subscriptions paused).",
    }),
    statusReason: z.string().nullable().openapi({ description: "One sentence: why the connection is in its status (null when connected)." }),
    statusMessage: z.string().nullable().openapi({ description: "The same sentence as `statusReason` (kept for older clients)." }),
    statusAt: z.string().nullable().openapi({ format: "date-time", description: "When the status last changed." }),
    authMethod: z.enum(["credentials", "oauth", "portal"]).openapi({
      description:
        "`oauth`: connected through the broker's OAuth flow (GET /api/connections/oauth/{broker}/start); `portal`: a brokerage linked in an aggregator's portal (SnapTrade, same start URL); `credentials`: a key you pasted.",
    }),
    settings: JsonObjectSchema.openapi({ description: "Non-secret settings, with the broker's defaults applied." }),
    credentialsHint: z.string().nullable().openapi({ description: "A masked hint of the stored credentials, e.g. `••••k3F9`." }),
    warnings: z.array(z.string()).openapi({
      description: "Sentences to show the user about this connection, e.g. that its base URL is a host they chose rather than one of the broker's own, or that Tradeloop refuses to send to its stored base URL.",
    }),
    accounts: z.array(AccountSchema),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Connection");

const SETTINGS_DESCRIPTION =
  "Broker settings, checked against the broker's settings schema (GET /api/brokers). Paper: `{ startingCash?: number }` (default 100000). " +
  "Every broker except paper also takes `baseUrl`, overriding the environment's URL (corporate proxy, regional host, local fake broker): https only, or http to localhost when Tradeloop runs in development. " +
  "Paper takes `priceSourceConnectionId`: one of your connections to a broker that provides quotes; market orders then fill at its quote mid instead of the alert's price.";

const CreateConnectionBody = z
  .object({
    broker: z.string().min(1).max(64).openapi({ example: "paper", description: "An installed broker id (GET /api/brokers)." }),
    name: z.string().trim().min(1).max(100).openapi({ example: "Paper account" }),
    settings: JsonObjectSchema.optional().openapi({
      description: SETTINGS_DESCRIPTION,
      example: { startingCash: 100000 },
    }),
    credentials: JsonObjectSchema.optional().openapi({
      description: "Secrets for the broker, checked against its `credentialsSchema`. Stored encrypted; never returned.",
    }),
  })
  .openapi("CreateConnectionRequest");

const UpdateConnectionBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    settings: JsonObjectSchema.optional().openapi({
      description: "Merged into the current settings, then re-checked. A key set to `null` is removed (e.g. `{ \"baseUrl\": null }`).",
    }),
    credentials: JsonObjectSchema.optional().openapi({
      description:
        "New secrets (e.g. after a key was revoked), checked against the broker's `credentialsSchema` and stored encrypted; never returned. Required when the change moves the connection's requests elsewhere (`baseUrl`, `environment` or a routing setting of the broker): the connection is then tested with them before anything is saved (400 `credentials-required` without them).",
    }),
  })
  .openapi("UpdateConnectionRequest");

/** Fallback for plugins that declare no settings schema: only the environment is settable. */
const DefaultSettingsSchema = z.object({ environment: z.enum(["paper", "live"]).optional() }).strict();

function installedBrokers(): string {
  return Object.keys(plugins).join(", ");
}

function pluginOrThrow(broker: string): BrokerPlugin {
  const plugin = getPlugin(broker);
  if (!plugin) {
    throw new AppError("invalid-request", `broker must be one of the installed brokers: ${installedBrokers()}.`, { field: "broker" });
  }
  return plugin;
}

/** Settings the core itself reads, whatever the plugin: validated here, never by the plugin's schema. */
const CORE_SETTINGS = [BASE_URL_SETTING, PRICE_SOURCE_SETTING] as const;

/**
 * Validates connection settings: the plugin's schema for its own keys, the
 * core's rules for `baseUrl` and `priceSourceConnectionId`. A `null` value
 * removes a key (PATCH merges into the stored settings).
 */
export async function validateSettings(
  env: Env,
  db: Db,
  userId: string,
  plugin: BrokerPlugin,
  input: Record<string, unknown>,
  connectionId?: string,
): Promise<Record<string, unknown>> {
  const own: Record<string, unknown> = {};
  const core: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null) continue;
    if ((CORE_SETTINGS as readonly string[]).includes(key)) core[key] = value;
    else own[key] = value;
  }
  // `environment` is read by the core (broker-client.ts picks the base URL from it), so the core
  // owns it: a plugin schema that does not declare it must not silently drop it.
  const requested = own.environment;
  delete own.environment;
  const settings = validateConnectionSettings(plugin, own);
  settings.environment = resolveEnvironment(plugin, requested ?? settings.environment);
  // A broker that runs inside Tradeloop (the paper ledger) has no address to override, and a
  // simulated broker (one that learns prices from alerts) is the only kind a price source feeds.
  const runsInside = plugin.manifest.transport?.kind === "durable-object";
  const simulated = plugin.capabilities.methods.observePrice !== "unsupported";
  if (core[BASE_URL_SETTING] !== undefined) {
    if (runsInside) throw new AppError("invalid-request", `settings.baseUrl is not available for the ${plugin.manifest.displayName}, which runs inside Tradeloop.`, { field: "settings.baseUrl" });
    settings[BASE_URL_SETTING] = checkBaseUrl(core[BASE_URL_SETTING], destinationRules(env, plugin)).url;
  }
  if (core[PRICE_SOURCE_SETTING] !== undefined) {
    if (!simulated) {
      throw new AppError("invalid-request", "settings.priceSourceConnectionId is only for paper connections; a real broker quotes its own prices.", {
        field: "settings.priceSourceConnectionId",
      });
    }
    settings[PRICE_SOURCE_SETTING] = await validatePriceSource(db, userId, core[PRICE_SOURCE_SETTING], connectionId);
  }
  return settings;
}

/**
 * Validates a plugin's own connection settings with its schema and returns
 * what it gives (defaults applied). The environment must be one the broker has.
 */
export function validateConnectionSettings(plugin: BrokerPlugin, input: Record<string, unknown>): Record<string, unknown> {
  const parsed: unknown = parseOrThrow(plugin.manifest.settings ?? DefaultSettingsSchema, input, "settings");
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AppError("invalid-request", "settings must be an object.", { field: "settings" });
  }
  const settings = { ...(parsed as Record<string, unknown>) };
  if (settings.environment !== undefined) settings.environment = resolveEnvironment(plugin, settings.environment);
  return settings;
}

/**
 * The connection's environment: one the broker has. Unset means paper when
 * the broker has a paper environment (the safe default), else live.
 */
function resolveEnvironment(plugin: BrokerPlugin, value: unknown): "paper" | "live" {
  const available = (["paper", "live"] as const).filter((e) => plugin.manifest.environments[e]);
  if (value === undefined) return available.includes("paper") ? "paper" : "live";
  if ((value === "paper" || value === "live") && available.includes(value)) return value;
  throw new AppError("invalid-request", `settings.environment must be one of: ${available.join(", ")}.`, { field: "settings.environment" });
}

/** Settings keys that decide where a connection's requests go: the core's two and the plugin's own. */
function routingKeys(plugin: BrokerPlugin): string[] {
  return [BASE_URL_SETTING, "environment", ...(plugin.manifest.routingSettings ?? [])];
}

/** Equality of two stored setting values (plain JSON). */
function sameSetting(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** True when the new settings send the connection's requests somewhere else than the stored ones. */
function routingChanged(plugin: BrokerPlugin, before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  return routingKeys(plugin).some((key) => !sameSetting(before[key], after[key]));
}

/** Serializes an account row. */
export function accountJson(a: AccountRow): z.infer<typeof AccountSchema> {
  return { id: a.id, brokerAccountId: a.brokerAccountId, mode: a.mode === "live" ? "live" : "paper", name: a.name, currency: a.currency };
}

const STATUSES: ReadonlySet<string> = new Set(CONNECTION_STATUSES);

/** What the user should know about where a connection sends its credentials. */
export function connectionWarnings(env: object, row: Pick<ConnectionRow, "broker" | "settings">): string[] {
  const plugin = getPlugin(row.broker);
  const baseUrl = row.settings[BASE_URL_SETTING];
  if (!plugin || baseUrl === undefined) return [];
  const checked = allowedHostsFor(destinationRules(env, plugin), baseUrl).baseUrl;
  if (!checked) {
    return [`Tradeloop refuses to send requests to this connection's base URL (it is not one of ${plugin.manifest.displayName}'s own hosts), so remove it and enter the credentials again.`];
  }
  return checked.warning ? [checked.warning] : [];
}

/** Serializes a connection row with its accounts; credentials never leave. */
export function connectionJson(env: object, row: ConnectionRow, rowAccounts: AccountRow[]): z.infer<typeof ConnectionSchema> {
  return {
    id: row.id,
    broker: row.broker,
    name: row.name,
    status: STATUSES.has(row.status) ? (row.status as z.infer<typeof ConnectionSchema>["status"]) : "error",
    statusReason: row.statusMessage,
    statusMessage: row.statusMessage,
    statusAt: row.statusAt === null ? null : isoTime(row.statusAt),
    authMethod: row.authMethod === "oauth" ? "oauth" : row.authMethod === "portal" ? "portal" : "credentials",
    settings: row.settings,
    credentialsHint: row.credentialsHint,
    warnings: connectionWarnings(env, row),
    accounts: rowAccounts.map(accountJson),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["connections"],
  summary: "List your connections",
  ...authenticated,
  responses: { 200: jsonResponse(z.array(ConnectionSchema), "Your connections, oldest first."), ...errorResponses(401) },
});

const createConnectionRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["connections"],
  summary: "Connect a broker",
  description:
    "Validates the settings and credentials, verifies them with the broker and records the accounts it reports. A broker that refuses the credentials gives 400 with the broker's code; an unreachable broker gives 502. Nothing is stored on failure.",
  ...authenticated,
  request: { body: jsonBody(CreateConnectionBody) },
  responses: {
    201: jsonResponse(ConnectionSchema, "The connection and its accounts."),
    ...errorResponses(400, 401, 413, 502),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["connections"],
  summary: "Get a connection",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ConnectionSchema, "The connection."), ...errorResponses(401, 404) },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["connections"],
  summary: "Rename a connection or change its settings",
  description:
    "A change of where the connection's requests go (`settings.baseUrl`, `settings.environment`, or a setting the broker marks as routing) must carry the credentials again and passes the broker's connection test before it is saved; without credentials it is 400 `credentials-required`.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(UpdateConnectionBody) },
  responses: { 200: jsonResponse(ConnectionSchema, "The updated connection."), ...errorResponses(400, 401, 404, 413, 502) },
});

/** What `POST /api/connections/{id}/test` answers. */
export const ConnectionTestSchema = z
  .union([
    z.object({
      ok: z.literal(true),
      status: z.literal("connected"),
      accounts: z.array(AccountSchema).openapi({ description: "The connection's accounts; accounts the broker reports for the first time are added." }),
    }),
    z.object({
      ok: z.literal(false),
      status: z.enum(["error", "expired"]).openapi({ description: "The connection's status after the test." }),
      messageCode: z.string().openapi({ example: "invalid-credentials" }),
      message: z.string().openapi({ description: "One sentence: what is wrong and what to do.", example: "OANDA rejected the credentials, so check that you pasted the whole key for this account or create a new one and reconnect." }),
    }),
  ])
  .openapi("ConnectionTest");

const testRoute = createRoute({
  method: "post",
  path: "/{id}/test",
  tags: ["connections"],
  summary: "Test a connection with the broker",
  description:
    "Runs the broker's connection test with the stored credentials and settings, updates the connection's status (`connected`, `error`, or `expired` when the broker refuses the credentials: its subscriptions pause) and answers what is wrong in one actionable sentence. A failed test is still a 200: the answer is the result.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ConnectionTestSchema, "The test result."), ...errorResponses(401, 404) },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["connections"],
  summary: "Delete a connection",
  description: "Also deletes its accounts and the subscriptions that trade them. The signal and order log is kept.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted." }, ...errorResponses(401, 404) },
});

/**
 * Revokes and forgets a session connection's tokens, or removes a portal
 * connection's authorization at the aggregator (best effort: the broker may
 * be down).
 */
export async function endSession(env: Env, row: ConnectionRow): Promise<{ revoked: boolean }> {
  if (row.authMethod === "portal") return { revoked: await revokePortalConnection(env, row) };
  const plugin = getPlugin(row.broker);
  if (!plugin || !usesSessionOwner(plugin, row.authMethod)) return { revoked: false };
  const outcome = await env.CONNECTION_SESSION.getByName(row.id).disconnect(row.id);
  if (outcome.error) log.warn("connection: revoking the session failed", { connectionId: row.id, error: outcome.error });
  return { revoked: outcome.revoked };
}

/** The /api/connections router (CRUD). Broker reads live in connection-broker.ts. */
export const connectionsApi = createRouter()
  .openapi(listRoute, async (c) => {
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    const [rows, accountRows] = await Promise.all([
      db.select().from(connections).where(eq(connections.userId, userId)).orderBy(asc(connections.createdAt), asc(sql`rowid`)).all(),
      db.select().from(accounts).where(eq(accounts.userId, userId)).orderBy(asc(accounts.createdAt), asc(sql`rowid`)).all(),
    ]);
    return c.json(rows.map((row) => connectionJson(c.env, row, accountRows.filter((a) => a.connectionId === row.id))), 200);
  })
  .openapi(createConnectionRoute, async (c) => {
    const body = c.req.valid("json");
    const plugin = pluginOrThrow(body.broker);
    if (plugin.manifest.auth.scheme === "oauth2" || plugin.manifest.auth.scheme === "portal") {
      throw new AppError(
        "invalid-request",
        `${plugin.manifest.displayName} connects through its own ${plugin.manifest.auth.scheme === "portal" ? "connection portal" : "sign-in"}: open the URL from GET /api/connections/oauth/${plugin.manifest.id}/start instead of pasting credentials.`,
        { field: "broker" },
      );
    }
    await assertUnderCap(c.env, "connections", c.var.userId);
    const id = crypto.randomUUID();
    const settings = await validateSettings(c.env, getDb(c.env.DB), c.var.userId, plugin, body.settings ?? {}, id);
    const credentials = parseOrThrow(plugin.manifest.auth.credentials, body.credentials ?? {}, "credentials");
    const now = Date.now();

    const hasCredentials = plugin.manifest.auth.scheme !== "none" && body.credentials !== undefined;
    const sealed = hasCredentials ? await sealCredentials(c.env.VAULT_KEYS, id, credentials) : null;
    const row: ConnectionRow = {
      id,
      userId: c.var.userId,
      broker: plugin.manifest.id,
      name: body.name,
      status: "connected",
      statusMessage: null,
      statusAt: now,
      authMethod: "credentials",
      settings,
      credentialsCiphertext: sealed?.ciphertext ?? null,
      credentialsKeyId: sealed?.keyId ?? null,
      credentialsHint: hasCredentials ? credentialsHint(credentials) : null,
      createdAt: now,
      updatedAt: now,
    };
    const db = getDb(c.env.DB);
    // A login broker (Tradovate) logs in from its token owner, which reads the sealed credentials
    // from the row: the row exists during the check and goes away again if the broker refuses.
    const viaOwner = usesSessionOwner(plugin, "credentials");
    if (viaOwner) await db.insert(connections).values(row);

    // Verify before keeping anything: a connection the broker refuses is never created.
    let discovered: BrokerAccount[];
    try {
      discovered = await brokerClientFor(c.env, { id, broker: plugin.manifest.id, settings, credentials }).testConnection();
    } catch (e) {
      if (viaOwner) {
        await c.env.CONNECTION_SESSION.getByName(id).forget();
        await db.delete(connections).where(eq(connections.id, id));
      }
      throw connectFailure(plugin.manifest.displayName, e, {
        environment: settings.environment === "live" ? "live" : "paper",
        hasBaseUrl: typeof settings[BASE_URL_SETTING] === "string",
      });
    }
    const seen = new Set<string>();
    const accountRows: AccountRow[] = discovered
      .filter((a) => !seen.has(a.brokerAccountId) && seen.add(a.brokerAccountId))
      .map((a) => ({
        id: crypto.randomUUID(),
        userId: c.var.userId,
        connectionId: id,
        brokerAccountId: a.brokerAccountId,
        mode: a.mode,
        name: a.name,
        currency: a.currency,
        createdAt: now,
      }));
    if (viaOwner) {
      const [first, ...rest] = accountRows.map((a) => db.insert(accounts).values(a));
      if (first) await db.batch([first, ...rest]);
    } else {
      // One batch = one D1 transaction: the connection and its accounts appear together.
      await db.batch([db.insert(connections).values(row), ...accountRows.map((a) => db.insert(accounts).values(a))]);
    }
    await audit(c, "connection-created", { connectionId: id, broker: row.broker, name: row.name, ...(typeof settings[BASE_URL_SETTING] === "string" && { baseUrl: settings[BASE_URL_SETTING] }) });
    return c.json(connectionJson(c.env, row, accountRows), 201);
  })
  .openapi(getRoute, async (c) => {
    const db = getDb(c.env.DB);
    const row = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    return c.json(connectionJson(c.env, row, await listConnectionAccounts(db, c.var.userId, row.id)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const db = getDb(c.env.DB);
    const body = c.req.valid("json");
    const row = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    let settings = row.settings;
    const plugin = getPlugin(row.broker);
    if ((body.settings || body.credentials) && !plugin) {
      throw new AppError("invalid-request", `This connection cannot change: broker "${row.broker}" is no longer installed.`, { field: body.settings ? "settings" : "credentials" });
    }
    if (body.settings && plugin) {
      settings = await validateSettings(c.env, db, c.var.userId, plugin, { ...row.settings, ...body.settings }, row.id);
    }
    let sealed: { ciphertext: string; keyId: string } | undefined;
    let hint = row.credentialsHint;
    let credentials: unknown;
    if (body.credentials && plugin) {
      if (plugin.manifest.auth.scheme === "none") {
        throw new AppError("invalid-request", `${plugin.manifest.displayName} takes no credentials.`, { field: "credentials" });
      }
      if (row.authMethod === "oauth") {
        throw new AppError("invalid-request", `This connection was made through ${plugin.manifest.displayName}'s sign-in; reconnect it with GET /api/connections/oauth/${plugin.manifest.id}/start?connectionId=${row.id} instead of pasting credentials.`, {
          field: "credentials",
        });
      }
      credentials = parseOrThrow(plugin.manifest.auth.credentials, body.credentials, "credentials");
      sealed = await sealCredentials(c.env.VAULT_KEYS, row.id, credentials);
      hint = credentialsHint(credentials);
      // A login broker's owner logs in afresh with the new credentials (its old session is left to expire).
      if (usesSessionOwner(plugin, row.authMethod)) await c.env.CONNECTION_SESSION.getByName(row.id).forget();
    }
    // Credentials are bound to where they go: a change of destination must carry them again and
    // pass the broker's test there, or a stolen session could point stored keys at its own host.
    const rerouted = plugin !== undefined && routingChanged(plugin, row.settings, settings);
    let discovered: BrokerAccount[] | undefined;
    if (rerouted && plugin) {
      const changedKeys = routingKeys(plugin).filter((k) => !sameSetting(row.settings[k], settings[k])).join(", ");
      if (row.authMethod === "oauth") {
        // An OAuth grant was given for one destination; a new one means a new grant, never a moved token.
        throw new AppError(
          "credentials-required",
          `Changing where this connection sends its requests (${changedKeys}) needs a new sign-in at ${plugin.manifest.displayName}: reconnect it with GET /api/connections/oauth/${plugin.manifest.id}/start?connectionId=${row.id}.`,
          { field: "settings" },
        );
      }
      if (plugin.manifest.auth.scheme !== "none" && credentials === undefined) {
        throw new AppError(
          "credentials-required",
          `Changing where this connection sends its requests (${changedKeys}) needs its ${plugin.manifest.displayName} credentials again in the same request; enter them and save.`,
          { field: "credentials" },
        );
      }
      // A login broker's token owner reads the connection's row, so it must see the new
      // destination and credentials during the test; the old ones come back if the broker refuses.
      const viaOwner = usesSessionOwner(plugin, row.authMethod);
      if (viaOwner && sealed) {
        await db.update(connections).set({ settings, credentialsCiphertext: sealed.ciphertext, credentialsKeyId: sealed.keyId }).where(eq(connections.id, row.id));
      }
      try {
        discovered = await brokerClientFor(c.env, { id: row.id, broker: plugin.manifest.id, settings, credentials }).testConnection();
      } catch (e) {
        if (viaOwner) {
          await db
            .update(connections)
            .set({ settings: row.settings, credentialsCiphertext: row.credentialsCiphertext, credentialsKeyId: row.credentialsKeyId })
            .where(eq(connections.id, row.id));
          await c.env.CONNECTION_SESSION.getByName(row.id).forget();
        }
        throw connectFailure(plugin.manifest.displayName, e, {
          environment: settings.environment === "live" ? "live" : "paper",
          hasBaseUrl: typeof settings[BASE_URL_SETTING] === "string",
        });
      }
    }
    const updated: ConnectionRow = {
      ...row,
      name: body.name ?? row.name,
      settings,
      ...(sealed && { credentialsCiphertext: sealed.ciphertext, credentialsKeyId: sealed.keyId }),
      credentialsHint: hint,
      // A connection that just passed the broker's test at its new destination is active.
      ...(discovered && { status: "connected", statusMessage: null, statusAt: Date.now() }),
      updatedAt: Date.now(),
    };
    // Queues hold the connection's settings in their copies, and cached clients hold its credentials.
    const [, raised] = await db.batch([
      db
        .update(connections)
        .set({
          name: updated.name,
          settings: updated.settings,
          credentialsCiphertext: updated.credentialsCiphertext,
          credentialsKeyId: updated.credentialsKeyId,
          credentialsHint: updated.credentialsHint,
          status: updated.status,
          statusMessage: updated.statusMessage,
          statusAt: updated.statusAt,
          updatedAt: updated.updatedAt,
        })
        .where(and(eq(connections.id, row.id), eq(connections.userId, c.var.userId))),
      raiseConfigVersion(db, strategiesUsingConnection(db, row.id)),
    ]);
    if (discovered) await addNewAccounts(db, updated, discovered);
    await announceConfigChange(c.env, db, raised);
    await audit(c, "connection-updated", {
      connectionId: row.id,
      changed: [...(body.name !== undefined ? ["name"] : []), ...Object.keys(body.settings ?? {}).map((k) => `settings.${k}`), ...(body.credentials ? ["credentials"] : [])],
      ...(rerouted && { retested: true }),
    });
    return c.json(connectionJson(c.env, updated, await listConnectionAccounts(db, c.var.userId, row.id)), 200);
  })
  .openapi(testRoute, async (c) => {
    const db = getDb(c.env.DB);
    const row = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    const result = await testStoredConnection(c.env, db, row);
    if (!result.ok) return c.json({ ok: false as const, status: result.status, messageCode: result.messageCode, message: result.message }, 200);
    return c.json({ ok: true as const, status: "connected" as const, accounts: result.accounts.map(accountJson) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { id } = c.req.valid("param");
    const owned = await getOwnedConnection(db, c.var.userId, id);
    await endSession(c.env, owned);
    // Its subscriptions go with it (cascade): name their queues first, to tell them afterwards.
    const gone = await db.select({ id: subscriptions.id }).from(subscriptions).where(and(eq(subscriptions.connectionId, id), eq(subscriptions.userId, c.var.userId))).all();
    const [raised, deleted] = await db.batch([
      raiseConfigVersion(db, strategiesUsingConnection(db, id)),
      db
        .delete(connections)
        .where(and(eq(connections.id, id), eq(connections.userId, c.var.userId)))
        .returning({ id: connections.id }),
    ]);
    if (deleted.length === 0) throw new AppError("not-found", "Connection not found.");
    const version = Math.max(0, ...raised.map((r) => r.version));
    await announceConfigChange(c.env, db, raised, gone.map((g) => ({ subscriptionId: g.id, version })));
    await audit(c, "connection-deleted", { connectionId: id });
    return c.body(null, 204);
  });
