/**
 * /api/strategies: the caller's strategies and their webhook URLs.
 *
 * The webhook URL embeds a 256-bit secret. Only its SHA-256 is stored, so the
 * full URL can be shown exactly twice: in the reply that creates the strategy
 * and in the reply that rotates the secret. Every other read returns
 * `webhookUrl: null` and a masked `webhookUrlHint`.
 *
 * @module
 */
import { audit } from "../audit/log";
import { assertUnderCap } from "../limits/caps";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { AssetClassSchema } from "../../plugins/sdk";
import { generateWebhookSecret, hashWebhookSecret } from "../auth/webhook-secret";
import { getDb, isoTime } from "../db/client";
import { strategies, subscriptions } from "../db/schema";
import { announceConfigChange } from "../execution/config-changes";
import type { Env } from "../env";
import { AppError } from "../errors";
import { authenticated, createRouter, errorResponses, IdParams, JsonObjectSchema, jsonBody, jsonResponse } from "./openapi";
import { resolveStrategySettings, StrategySettingsSchema } from "../trading/strategy-settings";
import { parseOrThrow, withoutNulls } from "./validation";

type StrategyRow = typeof strategies.$inferSelect;

const MASK = "••••••••";

/** A strategy as the API shows it. */
export const StrategySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    assetClass: AssetClassSchema,
    allowedTickers: z.array(z.string()).nullable().openapi({ description: "Upper-cased tickers; null = any ticker." }),
    settings: StrategySettingsSchema,
    enabled: z.boolean(),
    webhookUrl: z.string().nullable().openapi({
      description:
        "Absolute webhook URL with the secret. Present only in the replies to create and rotate-secret: Tradeloop stores a hash of the secret, never the secret, so it cannot show it again. Rotate to get a new one.",
      example: "https://tradeloop.example.com/webhook/3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21/Zr0...",
    }),
    webhookUrlHint: z.string().openapi({
      description: "The webhook URL with the secret masked, for recognising it; it cannot be used to send signals.",
    }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Strategy");

const TickerSchema = z
  .string()
  .trim()
  .toUpperCase()
  .min(1)
  .max(40)
  .regex(/^[A-Z0-9][A-Z0-9.!:_/-]*$/, "must contain only letters, digits and . ! : _ / -");

const TickersSchema = z
  .array(TickerSchema)
  .max(500)
  .nullable()
  .openapi({ description: "Restrict the strategy to these tickers (upper-cased). Empty or null = any ticker.", example: ["AAPL", "MSFT"] });

const CreateStrategyBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "Trend follower" }),
    assetClass: AssetClassSchema,
    allowedTickers: TickersSchema.optional(),
    settings: JsonObjectSchema.optional().openapi({ description: "StrategySettings; omitted fields take their defaults." }),
    enabled: z.boolean().optional().openapi({ description: "Default true." }),
  })
  .openapi("CreateStrategyRequest");

const UpdateStrategyBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    allowedTickers: TickersSchema.optional(),
    settings: JsonObjectSchema.optional().openapi({ description: "Merged into the current settings, then re-checked. A key set to `null` is removed (back to its default)." }),
    enabled: z.boolean().optional(),
  })
  .openapi("UpdateStrategyRequest");

/** Deduplicates tickers and maps "no tickers" to null (= any ticker). */
function normalizeTickers(tickers: string[] | null | undefined): string[] | null {
  if (!tickers || tickers.length === 0) return null;
  return [...new Set(tickers)];
}

/** Where webhook URLs point: PUBLIC_URL when set (behind a proxy the request origin may be internal). */
export function publicBaseUrl(env: Env, requestUrl: string): string {
  return (env.PUBLIC_URL?.trim() || new URL(requestUrl).origin).replace(/\/+$/, "");
}

/** Serializes a strategy. `secret` is passed only by create and rotate. */
export function strategyJson(row: StrategyRow, baseUrl: string, secret?: string): z.infer<typeof StrategySchema> {
  const hookBase = `${baseUrl}/webhook/${row.id}/`;
  return {
    id: row.id,
    name: row.name,
    assetClass: AssetClassSchema.catch("stocks").parse(row.assetClass),
    allowedTickers: row.allowedTickers,
    settings: resolveStrategySettings(row.settings),
    enabled: row.enabled,
    webhookUrl: secret ? hookBase + secret : null,
    webhookUrlHint: hookBase + MASK,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/** The caller's strategy, or 404 `not-found` (also when it is someone else's). */
export async function getOwnedStrategy(env: Env, userId: string, id: string, field?: string): Promise<StrategyRow> {
  const row = await getDb(env.DB)
    .select()
    .from(strategies)
    .where(and(eq(strategies.id, id), eq(strategies.userId, userId)))
    .get();
  if (!row) throw new AppError("not-found", "Strategy not found.", field ? { field } : {});
  return row;
}

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["strategies"],
  summary: "List your strategies",
  ...authenticated,
  responses: { 200: jsonResponse(z.array(StrategySchema), "Your strategies, oldest first (`webhookUrl` is null)."), ...errorResponses(401) },
});

const createStrategyRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["strategies"],
  summary: "Create a strategy",
  description: "The reply carries the webhook URL with its secret. Save it now: it is not shown again.",
  ...authenticated,
  request: { body: jsonBody(CreateStrategyBody) },
  responses: { 201: jsonResponse(StrategySchema, "The strategy, with `webhookUrl`."), ...errorResponses(400, 401, 413) },
});

const getRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["strategies"],
  summary: "Get a strategy",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(StrategySchema, "The strategy (`webhookUrl` is null)."), ...errorResponses(401, 404) },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["strategies"],
  summary: "Update a strategy",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(UpdateStrategyBody) },
  responses: { 200: jsonResponse(StrategySchema, "The updated strategy."), ...errorResponses(400, 401, 404, 413) },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["strategies"],
  summary: "Delete a strategy",
  description: "Also deletes its subscriptions. The signal and order log is kept.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted." }, ...errorResponses(401, 404) },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/{id}/rotate-secret",
  tags: ["strategies"],
  summary: "Replace the webhook secret",
  description: "The old webhook URL stops working at once. The reply carries the new `webhookUrl`; it is not shown again.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(StrategySchema, "The strategy, with the new `webhookUrl`."), ...errorResponses(401, 404) },
});

/** The /api/strategies router. */
export const strategiesApi = createRouter()
  .openapi(listRoute, async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(strategies)
      .where(eq(strategies.userId, c.var.userId))
      .orderBy(asc(strategies.createdAt), asc(sql`rowid`))
      .all();
    const base = publicBaseUrl(c.env, c.req.url);
    return c.json(rows.map((r) => strategyJson(r, base)), 200);
  })
  .openapi(createStrategyRoute, async (c) => {
    const body = c.req.valid("json");
    const settings = parseOrThrow(StrategySettingsSchema, body.settings ?? {}, "settings");
    await assertUnderCap(c.env, "strategies", c.var.userId);
    const secret = generateWebhookSecret();
    const now = Date.now();
    const row: StrategyRow = {
      id: crypto.randomUUID(),
      userId: c.var.userId,
      name: body.name,
      assetClass: body.assetClass,
      allowedTickers: normalizeTickers(body.allowedTickers),
      // Only the digest is stored; the secret exists in this reply and nowhere else.
      secretHash: await hashWebhookSecret(secret),
      settings,
      enabled: body.enabled ?? true,
      configVersion: 1,
      createdAt: now,
      updatedAt: now,
    };
    await getDb(c.env.DB).insert(strategies).values(row);
    return c.json(strategyJson(row, publicBaseUrl(c.env, c.req.url), secret), 201);
  })
  .openapi(getRoute, async (c) => {
    const row = await getOwnedStrategy(c.env, c.var.userId, c.req.valid("param").id);
    return c.json(strategyJson(row, publicBaseUrl(c.env, c.req.url)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const body = c.req.valid("json");
    const row = await getOwnedStrategy(c.env, c.var.userId, c.req.valid("param").id);
    const settings = body.settings
      ? parseOrThrow(StrategySettingsSchema, withoutNulls({ ...resolveStrategySettings(row.settings), ...body.settings }), "settings")
      : row.settings;
    const updated: StrategyRow = {
      ...row,
      name: body.name ?? row.name,
      allowedTickers: body.allowedTickers === undefined ? row.allowedTickers : normalizeTickers(body.allowedTickers),
      settings,
      enabled: body.enabled ?? row.enabled,
      updatedAt: Date.now(),
    };
    const db = getDb(c.env.DB);
    // The new config version is what makes webhook caches and queue copies of the old settings stale.
    const raised = await db
      .update(strategies)
      .set({
        name: updated.name,
        allowedTickers: updated.allowedTickers,
        settings: updated.settings,
        enabled: updated.enabled,
        updatedAt: updated.updatedAt,
        configVersion: sql`${strategies.configVersion} + 1`,
      })
      .where(and(eq(strategies.id, row.id), eq(strategies.userId, c.var.userId)))
      .returning({ strategyId: strategies.id, version: strategies.configVersion });
    await announceConfigChange(c.env, db, raised);
    return c.json(strategyJson(updated, publicBaseUrl(c.env, c.req.url)), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const db = getDb(c.env.DB);
    const row = await getOwnedStrategy(c.env, c.var.userId, c.req.valid("param").id);
    // Its subscriptions go with it (cascade): name their queues first, to tell them afterwards.
    const subs = await db.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.strategyId, row.id)).all();
    const deleted = await db
      .delete(strategies)
      .where(and(eq(strategies.id, row.id), eq(strategies.userId, c.var.userId)))
      .returning({ id: strategies.id });
    if (deleted.length === 0) throw new AppError("not-found", "Strategy not found.");
    await announceConfigChange(c.env, db, [], subs.map((s) => ({ subscriptionId: s.id, version: row.configVersion + 1 })));
    return c.body(null, 204);
  })
  .openapi(rotateRoute, async (c) => {
    const row = await getOwnedStrategy(c.env, c.var.userId, c.req.valid("param").id);
    const secret = generateWebhookSecret();
    const updated: StrategyRow = { ...row, secretHash: await hashWebhookSecret(secret), updatedAt: Date.now() };
    // Overwriting the digest is what revokes the old URL: the webhook compares against this column only.
    const db = getDb(c.env.DB);
    const raised = await db
      .update(strategies)
      .set({ secretHash: updated.secretHash, updatedAt: updated.updatedAt, configVersion: sql`${strategies.configVersion} + 1` })
      .where(and(eq(strategies.id, row.id), eq(strategies.userId, c.var.userId)))
      .returning({ strategyId: strategies.id, version: strategies.configVersion });
    // Webhook caches still hold the old digest: the new version makes every queue refuse their stamps.
    await announceConfigChange(c.env, db, raised);
    await audit(c, "strategy-secret-rotated", { strategyId: row.id, name: row.name });
    return c.json(strategyJson(updated, publicBaseUrl(c.env, c.req.url), secret), 200);
  });
