/**
 * `/api/kill-switch`: one switch per user that pauses every entry of every
 * subscription at once, from the dashboard (session) or a script (API
 * token). While it is on, each queue refuses entries with
 * `kill-switch-active` when it decides them, so trades already queued when
 * it was turned on are stopped too; exits still run.
 *
 * `flatten: true` (with `active: true`) also closes what Tradeloop's
 * subscriptions hold: each queue gets one market exit per ticker its own
 * fills hold (worker/execution/flatten-signals.ts), behind whatever it is
 * running. Positions opened outside Tradeloop are left alone. Asking again
 * while the switch stays on queues nothing new (the flatten is keyed by the
 * switch's activation).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import type { AssetClass } from "../../plugins/sdk";
import { getDb, isoTime } from "../db/client";
import { accounts, connections, killSwitches, strategies, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import type { SubscriptionSnapshot } from "../execution/flatten-signals";
import { authenticated, createRouter, errorResponses, jsonBody, jsonResponse } from "./openapi";
import { log } from "../lib/log";

export const KillSwitchSchema = z
  .object({
    active: z.boolean(),
    activatedAt: z.string().nullable().openapi({ description: "When it was turned on (null while off)." }),
    updatedAt: z.string().nullable(),
  })
  .openapi("KillSwitch");

const KillSwitchReplySchema = KillSwitchSchema.extend({
  flatten: z
    .object({
      subscriptions: z.number().int().openapi({ description: "Subscriptions asked to flatten." }),
      positions: z.number().int().openapi({ description: "Positions (subscription and ticker) queued to close at market." }),
      failed: z.number().int().openapi({ description: "Subscriptions whose queue could not be reached; ask again." }),
    })
    .nullable(),
}).openapi("KillSwitchReply");

const Body = z
  .object({
    active: z.boolean().openapi({ description: "true pauses every entry of every subscription; false resumes them." }),
    flatten: z.boolean().optional().openapi({ description: "With active: true, also close every position Tradeloop's subscriptions hold, at market. Default false." }),
  })
  .strict()
  .openapi("KillSwitchRequest");

const getRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["kill-switch"],
  summary: "Is your kill switch on?",
  ...authenticated,
  responses: { 200: jsonResponse(KillSwitchSchema, "The switch."), ...errorResponses(401) },
});

const setRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["kill-switch"],
  summary: "Turn your kill switch on or off",
  description:
    "On: every entry of every subscription is refused with `kill-switch-active` (exits still run), including signals already queued. `flatten: true` also closes every position Tradeloop's subscriptions hold, at market.",
  ...authenticated,
  request: { body: jsonBody(Body) },
  responses: { 200: jsonResponse(KillSwitchReplySchema, "The switch, and what the flatten queued."), ...errorResponses(400, 401, 413) },
});

type Row = typeof killSwitches.$inferSelect;

function toJson(row: Row | undefined): z.infer<typeof KillSwitchSchema> {
  return {
    active: row?.active ?? false,
    activatedAt: row?.active && row.activatedAt !== null ? isoTime(row.activatedAt) : null,
    updatedAt: row ? isoTime(row.updatedAt) : null,
  };
}

/** The user's enabled, running subscriptions as queue snapshots (what a flatten needs). */
async function runningSubscriptions(env: Env, userId: string): Promise<SubscriptionSnapshot[]> {
  const rows = await getDb(env.DB)
    .select({ sub: subscriptions, strategy: strategies, account: accounts, connection: connections })
    .from(subscriptions)
    .innerJoin(strategies, eq(strategies.id, subscriptions.strategyId))
    .innerJoin(accounts, eq(accounts.id, subscriptions.accountId))
    .innerJoin(connections, eq(connections.id, subscriptions.connectionId))
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.enabled, true), isNull(subscriptions.pausedCode)))
    .all();
  return rows.map((r) => ({
    userId,
    strategy: { id: r.strategy.id, assetClass: r.strategy.assetClass as AssetClass, allowedTickers: r.strategy.allowedTickers, settings: r.strategy.settings },
    subscription: { id: r.sub.id, settings: r.sub.settings },
    account: { id: r.account.id, brokerAccountId: r.account.brokerAccountId },
    connection: { id: r.connection.id, broker: r.connection.broker, settings: r.connection.settings },
  }));
}

/** Asks every running subscription's queue to close what its fills hold. */
async function flattenAll(env: Env, userId: string, activatedAt: number): Promise<{ subscriptions: number; positions: number; failed: number }> {
  const subs = await runningSubscriptions(env, userId);
  const reason = {
    messageCode: "kill-switch-flatten" as const,
    message: `Kill switch flatten (turned on ${new Date(activatedAt).toISOString()}): closing this subscription's position.`,
  };
  const results = await Promise.allSettled(subs.map((s) => env.SUBSCRIPTION_QUEUE.getByName(s.subscription.id).flatten(s, reason, `kill-switch:${activatedAt}`)));
  let positions = 0;
  let failed = 0;
  for (const r of results) {
    if (r.status === "fulfilled") positions += r.value.tickers.length;
    else failed++;
  }
  if (failed > 0) log.error("kill switch flatten: queues could not be reached", { failed });
  return { subscriptions: subs.length, positions, failed };
}

/** The /api/kill-switch router. */
export const killSwitchApi = createRouter()
  .openapi(getRoute, async (c) => {
    const row = await getDb(c.env.DB).select().from(killSwitches).where(eq(killSwitches.userId, c.var.userId)).get();
    return c.json(toJson(row), 200);
  })
  .openapi(setRoute, async (c) => {
    const { active, flatten } = c.req.valid("json");
    if (flatten && !active) {
      throw new AppError("invalid-request", 'A flatten goes with turning the kill switch on: send {"active": true, "flatten": true}.', { field: "flatten" });
    }
    const db = getDb(c.env.DB);
    const now = Date.now();
    const current = await db.select().from(killSwitches).where(eq(killSwitches.userId, c.var.userId)).get();
    // Turning it on again keeps the first activation time (the flatten's idempotency key).
    const activatedAt = active ? (current?.active && current.activatedAt !== null ? current.activatedAt : now) : null;
    const row = await db
      .insert(killSwitches)
      .values({ userId: c.var.userId, active, activatedAt, updatedAt: now })
      .onConflictDoUpdate({ target: killSwitches.userId, set: { active, activatedAt, updatedAt: now } })
      .returning()
      .get();
    const flattened = flatten && activatedAt !== null ? await flattenAll(c.env, c.var.userId, activatedAt) : null;
    return c.json({ ...toJson(row), flatten: flattened }, 200);
  });
