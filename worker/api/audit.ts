/**
 * `GET /api/audit`: the caller's own audit log (worker/audit/log.ts), newest
 * first, paged. Log-ins, failed log-ins, log-outs, password changes, API
 * tokens, connection changes, webhook secret rotations and approvals.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or } from "drizzle-orm";
import { AUDIT_ACTIONS } from "../audit/log";
import { getDb, isoTime } from "../db/client";
import { auditEvents } from "../db/schema";
import { AppError } from "../errors";
import { authenticated, createRouter, errorResponses, jsonResponse } from "./openapi";

/** One audit event. */
export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string().openapi({ format: "date-time" }),
    action: z.enum(AUDIT_ACTIONS),
    detail: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Non-secret details: ids, names, changed setting keys." }),
    ip: z.string().nullable().openapi({ description: "The address the request came from." }),
  })
  .openapi("AuditEvent");

const AuditPageSchema = z
  .object({
    events: z.array(AuditEventSchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for older events; null at the end." }),
  })
  .openapi("AuditPage");

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ param: { name: "limit", in: "query" } }),
  cursor: z.string().max(100).optional().openapi({ param: { name: "cursor", in: "query" } }),
});

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["audit"],
  summary: "Your account's audit log",
  ...authenticated,
  request: { query: AuditQuery },
  responses: { 200: jsonResponse(AuditPageSchema, "Newest first."), ...errorResponses(400, 401) },
});

const isAuditAction = (action: string): action is (typeof AUDIT_ACTIONS)[number] => (AUDIT_ACTIONS as readonly string[]).includes(action);

function parseCursor(cursor: string): { at: number; id: string } {
  const [at, id] = cursor.split("_");
  if (!at || !id || !/^\d+$/.test(at)) throw new AppError("invalid-request", "cursor is not one this API gave out.", { field: "cursor" });
  return { at: Number(at), id };
}

/** The /api/audit router. */
export const auditApi = createRouter().openapi(listRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const after = cursor ? parseCursor(cursor) : null;
  const mine = eq(auditEvents.userId, c.var.userId);
  const rows = await getDb(c.env.DB)
    .select()
    .from(auditEvents)
    .where(after ? and(mine, or(lt(auditEvents.at, after.at), and(eq(auditEvents.at, after.at), lt(auditEvents.id, after.id)))) : mine)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json(
    {
      events: page.flatMap((r) =>
        // Only actions this version knows (a newer version's rows are skipped, not mislabelled).
        isAuditAction(r.action) ? [{ id: r.id, at: isoTime(r.at), action: r.action, detail: r.detail ?? null, ip: r.ip }] : [],
      ),
      nextCursor: rows.length > limit && last ? `${last.at}_${last.id}` : null,
    },
    200,
  );
});
