/**
 * /api/connections: the caller's broker connections and the accounts each
 * one reaches. Creating a connection verifies it against the broker
 * (`testConnection()`) and records the accounts the broker reports.
 * Credentials go into the vault; the API only ever shows a hint.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { getPlugin, plugins } from "../../plugins";
import type { BrokerAccount, BrokerPlugin } from "../../plugins/sdk";
import { connectFailure } from "../connections/broker-errors";
import { brokerClientFor } from "../connections/broker-client";
import { type AccountRow, type ConnectionRow, getOwnedConnection, listConnectionAccounts } from "../connections/store";
import { credentialsHint, sealCredentials } from "../connections/vault";
import { getDb, isoTime } from "../db/client";
import { accounts, connections } from "../db/schema";
import { AppError } from "../errors";
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
    status: z.enum(["active", "error", "expired", "disabled"]),
    statusMessage: z.string().nullable(),
    settings: JsonObjectSchema.openapi({ description: "Non-secret settings, with the broker's defaults applied." }),
    credentialsHint: z.string().nullable().openapi({ description: "A masked hint of the stored credentials, e.g. `••••k3F9`." }),
    accounts: z.array(AccountSchema),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Connection");

const CreateConnectionBody = z
  .object({
    broker: z.string().min(1).max(64).openapi({ example: "paper", description: "An installed broker id (GET /api/brokers)." }),
    name: z.string().trim().min(1).max(100).openapi({ example: "Paper account" }),
    settings: JsonObjectSchema.optional().openapi({
      description: "Broker settings, checked against the broker's `settingsSchema`. Paper: `{ startingCash?: number }` (default 100000).",
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
    settings: JsonObjectSchema.optional().openapi({ description: "Merged into the current settings, then re-checked." }),
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

/**
 * Validates connection settings with the plugin's schema and stores what it
 * returns (defaults applied). The environment must be one the broker has.
 */
export function validateConnectionSettings(plugin: BrokerPlugin, input: Record<string, unknown>): Record<string, unknown> {
  const parsed: unknown = parseOrThrow(plugin.manifest.settings ?? DefaultSettingsSchema, input, "settings");
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AppError("invalid-request", "settings must be an object.", { field: "settings" });
  }
  const settings = parsed as Record<string, unknown>;
  const environment = settings.environment;
  if ((environment === "paper" || environment === "live") && !plugin.manifest.environments[environment]) {
    const available = Object.keys(plugin.manifest.environments).join(", ");
    throw new AppError("invalid-request", `settings.environment must be one of: ${available}.`, { field: "settings.environment" });
  }
  return settings;
}

/** Serializes an account row. */
export function accountJson(a: AccountRow): z.infer<typeof AccountSchema> {
  return { id: a.id, brokerAccountId: a.brokerAccountId, mode: a.mode === "live" ? "live" : "paper", name: a.name, currency: a.currency };
}

const STATUSES = new Set(["active", "error", "expired", "disabled"]);

/** Serializes a connection row with its accounts; credentials never leave. */
export function connectionJson(row: ConnectionRow, rowAccounts: AccountRow[]): z.infer<typeof ConnectionSchema> {
  return {
    id: row.id,
    broker: row.broker,
    name: row.name,
    status: STATUSES.has(row.status) ? (row.status as z.infer<typeof ConnectionSchema>["status"]) : "error",
    statusMessage: row.statusMessage,
    settings: row.settings,
    credentialsHint: row.credentialsHint,
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
  ...authenticated,
  request: { params: IdParams, body: jsonBody(UpdateConnectionBody) },
  responses: { 200: jsonResponse(ConnectionSchema, "The updated connection."), ...errorResponses(400, 401, 404, 413) },
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

/** The /api/connections router (CRUD). Broker reads live in connection-broker.ts. */
export const connectionsApi = createRouter()
  .openapi(listRoute, async (c) => {
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    const [rows, accountRows] = await Promise.all([
      db.select().from(connections).where(eq(connections.userId, userId)).orderBy(asc(connections.createdAt), asc(sql`rowid`)).all(),
      db.select().from(accounts).where(eq(accounts.userId, userId)).orderBy(asc(accounts.createdAt), asc(sql`rowid`)).all(),
    ]);
    return c.json(rows.map((row) => connectionJson(row, accountRows.filter((a) => a.connectionId === row.id))), 200);
  })
  .openapi(createConnectionRoute, async (c) => {
    const body = c.req.valid("json");
    const plugin = pluginOrThrow(body.broker);
    const settings = validateConnectionSettings(plugin, body.settings ?? {});
    const credentials = parseOrThrow(plugin.manifest.auth.credentials, body.credentials ?? {}, "credentials");
    const id = crypto.randomUUID();
    const now = Date.now();

    // Verify before storing anything: a connection the broker refuses is never created.
    let discovered: BrokerAccount[];
    try {
      discovered = await brokerClientFor(c.env, { id, broker: plugin.manifest.id, settings, credentials }).testConnection();
    } catch (e) {
      throw connectFailure(plugin.manifest.displayName, e);
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

    const hasCredentials = plugin.manifest.auth.scheme !== "none" && body.credentials !== undefined;
    const sealed = hasCredentials ? await sealCredentials(c.env.VAULT_KEYS, id, credentials) : null;
    const row: ConnectionRow = {
      id,
      userId: c.var.userId,
      broker: plugin.manifest.id,
      name: body.name,
      status: "active",
      statusMessage: null,
      settings,
      credentialsCiphertext: sealed?.ciphertext ?? null,
      credentialsKeyId: sealed?.keyId ?? null,
      credentialsHint: hasCredentials ? credentialsHint(credentials) : null,
      createdAt: now,
      updatedAt: now,
    };
    const db = getDb(c.env.DB);
    // One batch = one D1 transaction: the connection and its accounts appear together.
    await db.batch([db.insert(connections).values(row), ...accountRows.map((a) => db.insert(accounts).values(a))]);
    return c.json(connectionJson(row, accountRows), 201);
  })
  .openapi(getRoute, async (c) => {
    const db = getDb(c.env.DB);
    const row = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    return c.json(connectionJson(row, await listConnectionAccounts(db, c.var.userId, row.id)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const db = getDb(c.env.DB);
    const body = c.req.valid("json");
    const row = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    let settings = row.settings;
    if (body.settings) {
      const plugin = getPlugin(row.broker);
      if (!plugin) {
        throw new AppError("invalid-request", `settings cannot change: broker "${row.broker}" is no longer installed.`, { field: "settings" });
      }
      settings = validateConnectionSettings(plugin, { ...row.settings, ...body.settings });
    }
    const updated: ConnectionRow = { ...row, name: body.name ?? row.name, settings, updatedAt: Date.now() };
    await db
      .update(connections)
      .set({ name: updated.name, settings: updated.settings, updatedAt: updated.updatedAt })
      .where(and(eq(connections.id, row.id), eq(connections.userId, c.var.userId)));
    return c.json(connectionJson(updated, await listConnectionAccounts(db, c.var.userId, row.id)), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { id } = c.req.valid("param");
    const deleted = await db
      .delete(connections)
      .where(and(eq(connections.id, id), eq(connections.userId, c.var.userId)))
      .returning({ id: connections.id });
    if (deleted.length === 0) throw new AppError("not-found", "Connection not found.");
    return c.body(null, 204);
  });
