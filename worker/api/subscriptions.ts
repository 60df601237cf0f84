/**
 * /api/subscriptions: which broker account follows which strategy, and how
 * (quantity, adding to positions, side swaps...: SubscriptionSettings).
 *
 * @module
 */
import { assertUnderCap } from "../limits/caps";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, isNull, ne, sql } from "drizzle-orm";
import { callBroker } from "../connections/broker-errors";
import { clientForConnection, getOwnedConnection, resolveAccount } from "../connections/store";
import { getDb, isoTime, isUniqueViolation } from "../db/client";
import { accounts, orders, strategies, subscriptions } from "../db/schema";
import { announceConfigChange, raiseConfigVersion, type RaisedVersion } from "../execution/config-changes";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { resolveSettings, SubscriptionSettingsSchema } from "../trading/settings";
import { NOT_TRADING, pauseCodeFor } from "../connections/lifecycle";
import { authenticated, createRouter, errorResponses, IdParams, JsonObjectSchema, jsonBody, jsonResponse } from "./openapi";
import { PositionSchema, positionJson } from "./portfolio";
import { getOwnedStrategy } from "./strategies";
import { parseOrThrow, withoutNulls } from "./validation";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** A subscription as the API shows it, with every setting's default applied. */
export const SubscriptionSchema = z
  .object({
    id: z.string(),
    strategyId: z.string(),
    connectionId: z.string(),
    accountId: z.string(),
    enabled: z.boolean(),
    paused: z
      .object({
        code: z.string().openapi({ example: "connection-expired" }),
        reason: z.string().openapi({ description: "One sentence: why, and what to do." }),
        at: z.string().openapi({ format: "date-time" }),
      })
      .nullable()
      .openapi({
        description:
          "Set while the connection's expiry or disconnect pauses the subscription: its signals are still logged, each trade refused with `code`. Resume with POST /api/connections/{id}/resume-subscriptions once the connection works again.",
      }),
    settings: SubscriptionSettingsSchema,
    duplicateOf: z.string().nullable().openapi({
      description:
        "Set when Tradeloop disabled this subscription because the same account already followed the same strategy through that subscription (every alert traded twice). Delete this one, or delete that one and enable this one.",
    }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Subscription");

const SETTINGS_DOC =
  "SubscriptionSettings (see the `Subscription` schema); omitted fields take their defaults: `quantity` 1, `allowAddToPosition` false, `allowSideSwap` true, ...";

const CreateSubscriptionBody = z
  .object({
    strategyId: z.string().min(1).max(64),
    connectionId: z.string().min(1).max(64),
    accountId: z.string().min(1).max(64).optional().openapi({ description: "One of the connection's accounts; default: its first." }),
    enabled: z.boolean().optional().openapi({ description: "Default true." }),
    settings: JsonObjectSchema.optional().openapi({ description: SETTINGS_DOC, example: { quantity: 1, allowAddToPosition: false } }),
  })
  .openapi("CreateSubscriptionRequest");

const UpdateSubscriptionBody = z
  .object({
    enabled: z.boolean().optional(),
    settings: JsonObjectSchema.optional().openapi({ description: "Merged into the current settings, then re-checked. A key set to `null` is removed (back to its default; `allowedTickers: null` is itself a value)." }),
  })
  .openapi("UpdateSubscriptionRequest");

const ListQuery = z.object({
  strategyId: z.string().min(1).max(64).optional().openapi({ param: { name: "strategyId", in: "query" } }),
});

/**
 * Validates settings with the (shared) SubscriptionSettingsSchema and returns
 * the parsed value, defaults applied; errors name `settings.<field>`.
 */
export function validateSubscriptionSettings(input: Record<string, unknown>) {
  return parseOrThrow(SubscriptionSettingsSchema, input, "settings");
}

/** Serializes a subscription. */
export function subscriptionJson(row: SubscriptionRow): z.infer<typeof SubscriptionSchema> {
  return {
    id: row.id,
    strategyId: row.strategyId,
    connectionId: row.connectionId,
    accountId: row.accountId,
    enabled: row.enabled,
    paused: row.pausedCode ? { code: row.pausedCode, reason: row.pausedReason ?? "", at: isoTime(row.pausedAt ?? row.updatedAt) } : null,
    settings: resolveStoredSettings(row.settings),
    duplicateOf: row.duplicateOf,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/**
 * Stored settings with defaults applied: a row written before a setting
 * existed gains its default. A row that no longer validates (a setting was
 * narrowed since) reads as the defaults rather than failing the whole list;
 * the next PATCH rewrites it.
 */
function resolveStoredSettings(stored: unknown) {
  try {
    return resolveSettings(stored);
  } catch {
    log.warn("stored subscription settings no longer validate; showing defaults");
    return resolveSettings({});
  }
}

/**
 * The 409 for a second subscription of a strategy on an account, naming the
 * one that already exists so the trader can change or remove it.
 */
async function duplicateSubscription(
  db: ReturnType<typeof getDb>,
  userId: string,
  attempted: Pick<SubscriptionRow, "id" | "strategyId" | "accountId">,
  names: { strategy: string; account: string } | null,
  field: string,
): Promise<AppError> {
  const existing = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.userId, userId),
        eq(subscriptions.strategyId, attempted.strategyId),
        eq(subscriptions.accountId, attempted.accountId),
        isNull(subscriptions.duplicateOf),
        ne(subscriptions.id, attempted.id),
      ),
    )
    .get();
  const which = existing ? `subscription ${existing.id}` : "another subscription";
  const pair = names ? `The account "${names.account}" already follows the strategy "${names.strategy}"` : "This account already follows this strategy";
  const fix = names ? "change that subscription's settings instead, or delete it first" : "delete one of the two, then enable the one you keep";
  return new AppError("duplicate-subscription", `${pair} through ${which}, and a second subscription would trade every alert twice; ${fix}.`, { field });
}

async function getOwnedSubscription(db: ReturnType<typeof getDb>, userId: string, id: string): Promise<SubscriptionRow> {
  const row = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.userId, userId)))
    .get();
  if (!row) throw new AppError("not-found", "Subscription not found.");
  return row;
}

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["subscriptions"],
  summary: "List your subscriptions",
  ...authenticated,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(z.array(SubscriptionSchema), "Your subscriptions, oldest first."), ...errorResponses(400, 401) },
});

const createSubscriptionRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["subscriptions"],
  summary: "Subscribe a broker account to a strategy",
  description:
    "The strategy, the connection and the account must be yours, and the account must belong to the connection. An account follows a strategy at most once: a second subscription would trade every alert twice (409 `duplicate-subscription`).",
  ...authenticated,
  request: { body: jsonBody(CreateSubscriptionBody) },
  responses: {
    201: jsonResponse(SubscriptionSchema, "The subscription, with every setting's default applied."),
    ...errorResponses(400, 401, 404, 409, 413),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["subscriptions"],
  summary: "Get a subscription",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(SubscriptionSchema, "The subscription."), ...errorResponses(401, 404) },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["subscriptions"],
  summary: "Enable, disable or re-configure a subscription",
  description:
    "Enabling a subscription Tradeloop disabled as a duplicate (`duplicateOf`) is refused with 409 `duplicate-subscription` while the account follows the strategy through another subscription.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(UpdateSubscriptionBody) },
  responses: { 200: jsonResponse(SubscriptionSchema, "The updated subscription."), ...errorResponses(400, 401, 404, 409, 413) },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["subscriptions"],
  summary: "Delete a subscription",
  description: "The account stops following the strategy. Its positions stay open at the broker; the log is kept.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted." }, ...errorResponses(401, 404) },
});

const positionsRoute = createRoute({
  method: "get",
  path: "/{id}/positions",
  tags: ["subscriptions"],
  summary: "Positions this subscription trades",
  description:
    "The account's open positions in the tickers this subscription has placed orders for. Another strategy trading the same ticker on the same account shares the position.",
  ...authenticated,
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.array(PositionSchema), "Positions; `quantity` is negative for shorts."),
    ...errorResponses(401, 404, 502),
  },
});

/** The /api/subscriptions router. */
export const subscriptionsApi = createRouter()
  .openapi(listRoute, async (c) => {
    const { strategyId } = c.req.valid("query");
    const userId = c.var.userId;
    const where = strategyId
      ? and(eq(subscriptions.userId, userId), eq(subscriptions.strategyId, strategyId))
      : eq(subscriptions.userId, userId);
    const rows = await getDb(c.env.DB)
      .select()
      .from(subscriptions)
      .where(where)
      .orderBy(asc(subscriptions.createdAt), asc(sql`rowid`))
      .all();
    return c.json(rows.map(subscriptionJson), 200);
  })
  .openapi(createSubscriptionRoute, async (c) => {
    const body = c.req.valid("json");
    const userId = c.var.userId;
    const db = getDb(c.env.DB);
    // Ownership is checked on each id the caller names; someone else's id is a 404 naming the field.
    const strategy = await getOwnedStrategy(c.env, userId, body.strategyId, "strategyId");
    const connection = await getOwnedConnection(db, userId, body.connectionId, "connectionId");
    const account = await resolveAccount(db, userId, connection.id, body.accountId);
    await assertUnderCap(c.env, "subscriptionsPerStrategy", strategy.id);
    const settings = validateSubscriptionSettings(body.settings ?? {});
    const now = Date.now();
    const row: SubscriptionRow = {
      id: crypto.randomUUID(),
      userId,
      strategyId: strategy.id,
      connectionId: connection.id,
      accountId: account.id,
      enabled: body.enabled ?? true,
      // A subscription on a connection that cannot trade starts paused, like the others on it.
      ...(NOT_TRADING.has(connection.status)
        ? { pausedCode: pauseCodeFor(connection.status === "expired" ? "expired" : "disconnected"), pausedReason: connection.statusMessage ?? "The connection cannot trade; reconnect it, then resume its subscriptions.", pausedAt: now }
        : { pausedCode: null, pausedReason: null, pausedAt: null }),
      settings,
      duplicateOf: null,
      createdAt: now,
      updatedAt: now,
    };
    // A new target for the strategy's signals: cached views of the strategy are stale from now on.
    let raised: RaisedVersion[];
    try {
      [, raised] = await db.batch([db.insert(subscriptions).values(row), raiseConfigVersion(db, eq(strategies.id, strategy.id))]);
    } catch (err) {
      if (isUniqueViolation(err, "subscriptions", ["strategy_id", "account_id"])) {
        throw await duplicateSubscription(db, userId, row, { strategy: strategy.name, account: account.name }, "strategyId");
      }
      throw err;
    }
    await announceConfigChange(c.env, db, raised);
    return c.json(subscriptionJson(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const row = await getOwnedSubscription(getDb(c.env.DB), c.var.userId, c.req.valid("param").id);
    return c.json(subscriptionJson(row), 200);
  })
  .openapi(updateRoute, async (c) => {
    const body = c.req.valid("json");
    const db = getDb(c.env.DB);
    const row = await getOwnedSubscription(db, c.var.userId, c.req.valid("param").id);
    const settings = body.settings ? validateSubscriptionSettings(withoutNulls({ ...resolveStoredSettings(row.settings), ...body.settings })) : row.settings;
    // Enabling a parked duplicate brings it back under the uniqueness rule: the index decides.
    const duplicateOf = body.enabled === true ? null : row.duplicateOf;
    const updated: SubscriptionRow = { ...row, enabled: body.enabled ?? row.enabled, settings, duplicateOf, updatedAt: Date.now() };
    let raised: RaisedVersion[];
    try {
      [, raised] = await db.batch([
        db
          .update(subscriptions)
          .set({ enabled: updated.enabled, settings: updated.settings, duplicateOf: updated.duplicateOf, updatedAt: updated.updatedAt })
          .where(and(eq(subscriptions.id, row.id), eq(subscriptions.userId, c.var.userId))),
        raiseConfigVersion(db, eq(strategies.id, row.strategyId)),
      ]);
    } catch (err) {
      if (isUniqueViolation(err, "subscriptions", ["strategy_id", "account_id"])) {
        throw await duplicateSubscription(db, c.var.userId, row, null, "enabled");
      }
      throw err;
    }
    await announceConfigChange(c.env, db, raised);
    return c.json(subscriptionJson(updated), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const db = getDb(c.env.DB);
    const row = await getOwnedSubscription(db, c.var.userId, c.req.valid("param").id);
    const [deleted, raised] = await db.batch([
      db
        .delete(subscriptions)
        .where(and(eq(subscriptions.id, row.id), eq(subscriptions.userId, c.var.userId)))
        .returning({ id: subscriptions.id }),
      raiseConfigVersion(db, eq(strategies.id, row.strategyId)),
    ]);
    if (deleted.length === 0) throw new AppError("not-found", "Subscription not found.");
    // The deleted subscription's queue is told too: it must refuse what a cached view still sends it.
    await announceConfigChange(c.env, db, raised, raised.map((r) => ({ subscriptionId: row.id, version: r.version })));
    return c.body(null, 204);
  })
  .openapi(positionsRoute, async (c) => {
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    const sub = await getOwnedSubscription(db, userId, c.req.valid("param").id);
    const [account, connection, traded] = await Promise.all([
      db.select().from(accounts).where(and(eq(accounts.id, sub.accountId), eq(accounts.userId, userId))).get(),
      getOwnedConnection(db, userId, sub.connectionId),
      db
        .selectDistinct({ ticker: orders.ticker })
        .from(orders)
        .where(and(eq(orders.userId, userId), eq(orders.subscriptionId, sub.id)))
        .all(),
    ]);
    if (!account) throw new AppError("not-found", "The subscription's account no longer exists.");
    const tickers = new Set(traded.map((t) => t.ticker.toUpperCase()));
    if (tickers.size === 0) return c.json([], 200);
    const label = `The broker (${connection.name})`;
    const positions = await callBroker(label, async () => (await clientForConnection(c.env, connection)).getPositions(account.brokerAccountId));
    return c.json(positions.filter((p) => tickers.has(p.ticker.toUpperCase())).map(positionJson), 200);
  });
