/**
 * `GET /api/events`: what happened to the user's connections (expired,
 * expiring, disconnected, working again, subscriptions resumed), newest
 * first. The guardrails issue's notification channels deliver from the same
 * rows; until then this list is where a trader sees them.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, lt } from "drizzle-orm";
import { getDb, isoTime } from "../db/client";
import { events } from "../db/schema";
import { authenticated, createRouter, errorResponses, jsonResponse } from "./openapi";

export const EventSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ example: "connection-expired", description: "`connection-expired`, `connection-expiring`, `connection-disconnected`, `connection-connected`, `subscriptions-resumed`." }),
    connectionId: z.string().nullable(),
    message: z.string().openapi({ description: "One sentence: what happened and what to do." }),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Event");

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ param: { name: "limit", in: "query" }, description: "Default 50." }),
  before: z.string().datetime().optional().openapi({ param: { name: "before", in: "query" }, description: "Only events older than this time (paging)." }),
});

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["events"],
  summary: "Your connection events, newest first",
  ...authenticated,
  request: { query: Query },
  responses: { 200: jsonResponse(z.array(EventSchema), "Events, newest first."), ...errorResponses(400, 401) },
});

/** The /api/events router. */
export const eventsApi = createRouter().openapi(listRoute, async (c) => {
  const { limit, before } = c.req.valid("query");
  const db = getDb(c.env.DB);
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.userId, c.var.userId), before ? lt(events.createdAt, Date.parse(before)) : undefined))
    .orderBy(desc(events.createdAt))
    .limit(limit ?? 50)
    .all();
  return c.json(
    rows.map((r) => ({ id: r.id, kind: r.kind, connectionId: r.connectionId, message: r.message, data: r.data, createdAt: isoTime(r.createdAt) })),
    200,
  );
});
