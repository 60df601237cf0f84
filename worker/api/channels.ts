/**
 * /api/channels: where a user's events go (outbound webhook, Discord, Slack,
 * Telegram, email), which events each receives, a test send, and every
 * delivery attempt. Delivery itself is the Notifier's
 * (worker/notifications/notifier.ts), never on a trade's path.
 *
 * A channel's secrets (URLs with tokens, bot tokens, API keys, the webhook's
 * signing secret) are sealed at rest and never returned; the webhook's
 * signing secret is shown once, as `secret` in the create reply (and in the
 * reply of `rotate-secret`).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, eq } from "drizzle-orm";
import { httpLoopbackAllowed } from "../connections/base-url";
import { sealCredentials, openCredentials } from "../connections/vault";
import { getDb, isoTime } from "../db/client";
import { channels } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { CHANNEL_KINDS, CHANNEL_SETTINGS_SCHEMAS, ChannelKindSchema, channelSecretFrom, publicSettings, type ChannelSecret } from "../notifications/channel-kinds";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES, type EventType, type NotificationEvent } from "../notifications/events";
import { channelSealId } from "../notifications/notifier";
import { newSigningSecret, SIGNATURE_TOLERANCE_SECONDS } from "../notifications/signing";
import { authenticated, createRouter, errorResponses, IdParams, JsonObjectSchema, jsonBody, jsonResponse } from "./openapi";
import { parseOrThrow } from "./validation";

type ChannelRow = typeof channels.$inferSelect;

/** Channels per user: enough for every kind several times, bounded so a runaway script cannot fan one event out endlessly. */
export const MAX_CHANNELS_PER_USER = 20;

const EventsFilter = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES as [EventType, ...EventType[]]))
  .min(1)
  .max(EVENT_TYPES.length)
  .nullable()
  .openapi({ description: `Event types this channel receives; omitted or null = all of them (${SUBSCRIBABLE_EVENT_TYPES.join(", ")}).` });

export const ChannelSchema = z
  .object({
    id: z.string(),
    kind: ChannelKindSchema,
    name: z.string(),
    settings: z.record(z.string(), z.unknown()).openapi({ description: "The channel's settings without its secrets (URL tokens, bot tokens and API keys masked)." }),
    events: z.array(z.string()).nullable(),
    failuresOnly: z.boolean(),
    enabled: z.boolean(),
    lastDeliveryAt: z.string().nullable(),
    lastError: z.string().nullable().openapi({ description: "Why the last attempt did not deliver; null once one does." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Channel");

const CreatedChannelSchema = ChannelSchema.extend({
  secret: z.string().optional().openapi({
    description: `Webhook channels only: the signing secret (\`whsec_...\`), shown this once. Each delivery carries \`X-Tradeloop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>\`; refuse a \`t\` more than ${SIGNATURE_TOLERANCE_SECONDS} s from your clock.`,
  }),
}).openapi("CreatedChannel");

const CreateBody = z
  .object({
    kind: ChannelKindSchema.openapi({ description: CHANNEL_KINDS.join(", ") }),
    name: z.string().trim().min(1).max(80),
    settings: JsonObjectSchema.openapi({
      description:
        "`webhook`, `discord`, `slack`: `{url}`. `telegram`: `{botToken, chatId}`. `email` (Resend): `{apiKey, from, to}` (`to`: an address or up to 10).",
      example: { url: "https://example.com/tradeloop-events" },
    }),
    events: EventsFilter.optional(),
    failuresOnly: z.boolean().optional().openapi({ description: "Only events that mean something went wrong: trade rejected or failed (risk blocks included), connection expiring or expired, drift. Default false." }),
  })
  .openapi("CreateChannelRequest");

const UpdateBody = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    events: EventsFilter.optional(),
    failuresOnly: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("UpdateChannelRequest");

const AttemptSchema = z.object({
  n: z.number().int(),
  at: z.string(),
  durationMs: z.number().int(),
  result: z.enum(["delivered", "retry", "failed"]),
  httpStatus: z.number().int().nullable(),
  detail: z.string(),
});

export const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    channelId: z.string(),
    status: z.enum(["pending", "delivered", "failed", "dropped"]),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    attempts: z.array(AttemptSchema),
  })
  .openapi("Delivery");

/** Serializes a channel (never its secrets). */
export function channelJson(row: ChannelRow): z.infer<typeof ChannelSchema> {
  return {
    id: row.id,
    kind: row.kind as z.infer<typeof ChannelKindSchema>,
    name: row.name,
    settings: row.publicSettings,
    events: row.events ?? null,
    failuresOnly: row.failuresOnly,
    enabled: row.enabled,
    lastDeliveryAt: row.lastDeliveryAt === null ? null : isoTime(row.lastDeliveryAt),
    lastError: row.lastError,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

async function ownedChannel(env: Env, userId: string, id: string): Promise<ChannelRow> {
  const row = await getDb(env.DB).select().from(channels).where(and(eq(channels.id, id), eq(channels.userId, userId))).get();
  if (!row) throw new AppError("not-found", "Channel not found.");
  return row;
}

function testEvent(channel: ChannelRow): NotificationEvent {
  return {
    id: `test:${crypto.randomUUID()}`,
    type: "test",
    createdAt: new Date().toISOString(),
    messageCode: null,
    message: `This is a test from Tradeloop: the "${channel.name}" channel works.`,
    signal: null,
    trade: null,
    data: { channelId: channel.id },
  };
}

const notifier = (env: Env, userId: string) => env.NOTIFIER.getByName(userId);

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["channels"],
  summary: "List your notification channels",
  ...authenticated,
  responses: { 200: jsonResponse(z.array(ChannelSchema), "Channels, oldest first."), ...errorResponses(401) },
});

const createChannelRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["channels"],
  summary: "Add a notification channel",
  description:
    "Events: trade-filled, trade-rejected (every risk block included), trade-failed, approval-pending, connection-expiring, connection-expired, drift-detected. URLs must be HTTPS on a public host (Discord and Slack URLs on their own hosts); a webhook channel's reply carries its signing `secret`, shown once.",
  ...authenticated,
  request: { body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(CreatedChannelSchema, "The channel."), ...errorResponses(400, 401, 409, 413) },
});

const getRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["channels"],
  summary: "Get a channel",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ChannelSchema, "The channel."), ...errorResponses(401, 404) },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["channels"],
  summary: "Rename a channel, change its events, or turn it off",
  description: "A channel's destination and secrets cannot be changed: add a new channel and delete this one.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(UpdateBody) },
  responses: { 200: jsonResponse(ChannelSchema, "The channel."), ...errorResponses(400, 401, 404, 413) },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["channels"],
  summary: "Delete a channel",
  description: "Deliveries still pending for it are dropped.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted." }, ...errorResponses(401, 404) },
});

const testRoute = createRoute({
  method: "post",
  path: "/{id}/test",
  tags: ["channels"],
  summary: "Send a test event to the channel now",
  description: "Answers once the first attempt is done; if it did not deliver, the usual retries follow and show in the deliveries.",
  ...authenticated,
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ delivered: z.boolean(), delivery: DeliverySchema }), "The test delivery and its first attempt."),
    ...errorResponses(401, 404),
  },
});

const deliveriesRoute = createRoute({
  method: "get",
  path: "/{id}/deliveries",
  tags: ["channels"],
  summary: "The channel's deliveries, newest first, with every attempt",
  ...authenticated,
  request: {
    params: IdParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional().openapi({ param: { name: "limit", in: "query" }, description: "Default 50." }) }),
  },
  responses: { 200: jsonResponse(z.array(DeliverySchema), "Deliveries."), ...errorResponses(400, 401, 404) },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/{id}/rotate-secret",
  tags: ["channels"],
  summary: "Give a webhook channel a new signing secret",
  description: "The old secret stops signing at once; the new one is in the reply, shown this once.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(CreatedChannelSchema, "The channel, with its new `secret`."), ...errorResponses(400, 401, 404) },
});

/** The /api/channels router. */
export const channelsApi = createRouter()
  .openapi(listRoute, async (c) => {
    const rows = await getDb(c.env.DB).select().from(channels).where(eq(channels.userId, c.var.userId)).orderBy(asc(channels.createdAt)).all();
    return c.json(rows.map(channelJson), 200);
  })
  .openapi(createChannelRoute, async (c) => {
    const body = c.req.valid("json");
    const userId = c.var.userId;
    const db = getDb(c.env.DB);
    const signingSecret = newSigningSecret();
    const settings = parseOrThrow(CHANNEL_SETTINGS_SCHEMAS[body.kind], body.settings, "settings") as Record<string, unknown>;
    const secret = channelSecretFrom(body.kind, settings, { loopbackAllowed: httpLoopbackAllowed(c.env), signingSecret });
    const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(channels).where(eq(channels.userId, userId));
    if (n >= MAX_CHANNELS_PER_USER) {
      throw new AppError("conflict", `You already have ${n} channels, the most one user can have; delete one first.`);
    }
    const id = crypto.randomUUID();
    const sealed = await sealCredentials(c.env.VAULT_KEYS, channelSealId(id), secret);
    const now = Date.now();
    const row: ChannelRow = {
      id,
      userId,
      kind: body.kind,
      name: body.name,
      publicSettings: publicSettings(secret),
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
      events: body.events ?? null,
      failuresOnly: body.failuresOnly ?? false,
      enabled: true,
      lastDeliveryAt: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    await db.insert(channels).values(row);
    return c.json({ ...channelJson(row), ...(secret.kind === "webhook" ? { secret: secret.signingSecret } : {}) }, 201);
  })
  .openapi(getRoute, async (c) => c.json(channelJson(await ownedChannel(c.env, c.var.userId, c.req.valid("param").id)), 200))
  .openapi(updateRoute, async (c) => {
    const body = c.req.valid("json");
    const row = await ownedChannel(c.env, c.var.userId, c.req.valid("param").id);
    const updated: ChannelRow = {
      ...row,
      name: body.name ?? row.name,
      events: body.events === undefined ? row.events : body.events,
      failuresOnly: body.failuresOnly ?? row.failuresOnly,
      enabled: body.enabled ?? row.enabled,
      updatedAt: Date.now(),
    };
    await getDb(c.env.DB)
      .update(channels)
      .set({ name: updated.name, events: updated.events, failuresOnly: updated.failuresOnly, enabled: updated.enabled, updatedAt: updated.updatedAt })
      .where(and(eq(channels.id, row.id), eq(channels.userId, c.var.userId)));
    return c.json(channelJson(updated), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const deleted = await getDb(c.env.DB)
      .delete(channels)
      .where(and(eq(channels.id, c.req.valid("param").id), eq(channels.userId, c.var.userId)))
      .returning({ id: channels.id });
    if (deleted.length === 0) throw new AppError("not-found", "Channel not found.");
    return c.body(null, 204);
  })
  .openapi(testRoute, async (c) => {
    const row = await ownedChannel(c.env, c.var.userId, c.req.valid("param").id);
    const delivery = await notifier(c.env, c.var.userId).sendTest(c.var.userId, row.id, testEvent(row));
    return c.json({ delivered: delivery.status === "delivered", delivery }, 200);
  })
  .openapi(deliveriesRoute, async (c) => {
    const row = await ownedChannel(c.env, c.var.userId, c.req.valid("param").id);
    const { limit } = c.req.valid("query");
    return c.json(await notifier(c.env, c.var.userId).deliveries(c.var.userId, { channelId: row.id, ...(limit ? { limit } : {}) }), 200);
  })
  .openapi(rotateRoute, async (c) => {
    const row = await ownedChannel(c.env, c.var.userId, c.req.valid("param").id);
    if (row.kind !== "webhook") throw new AppError("invalid-request", `Only webhook channels have a signing secret; this one is ${row.kind}.`);
    const current = (await openCredentials(c.env.VAULT_KEYS, channelSealId(row.id), { ciphertext: row.secretCiphertext, keyId: row.secretKeyId })) as ChannelSecret;
    if (current.kind !== "webhook") throw new AppError("internal-error", "The channel's sealed settings do not match its kind.");
    const next = { ...current, signingSecret: newSigningSecret() };
    const sealed = await sealCredentials(c.env.VAULT_KEYS, channelSealId(row.id), next);
    const updatedAt = Date.now();
    await getDb(c.env.DB)
      .update(channels)
      .set({ secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId, updatedAt })
      .where(and(eq(channels.id, row.id), eq(channels.userId, c.var.userId)));
    return c.json({ ...channelJson({ ...row, updatedAt }), secret: next.signingSecret }, 200);
  });
