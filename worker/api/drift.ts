/**
 * `/api/drift`: where a broker account's positions or open orders disagree
 * with what Tradeloop's fills imply (worker/execution/reconciler.ts), a
 * check on demand, and "adopt the broker's state".
 *
 * A finding is `suspected` until a second check at least 30 s later still
 * sees it (then `open`, and the user is told on their channels); it
 * `resolved` once the two agree again or the broker's position is adopted.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, ne } from "drizzle-orm";
import { getDb, isoTime } from "../db/client";
import { accounts, drift, subscriptions } from "../db/schema";
import { AppError } from "../errors";
import type { CheckResult } from "../execution/reconciler";
import { authenticated, createRouter, errorResponses, IdParams, jsonBody, jsonResponse } from "./openapi";

type DriftRow = typeof drift.$inferSelect;

export const DriftSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    kind: z.enum(["position", "unknown-order", "missing-order"]),
    ticker: z.string(),
    brokerQuantity: z.string().nullable().openapi({ description: "What the broker holds (position drift)." }),
    expectedQuantity: z.string().nullable().openapi({ description: "What Tradeloop's fills imply (position drift)." }),
    status: z.enum(["suspected", "open", "resolved"]),
    resolution: z.enum(["agrees", "adopted"]).nullable(),
    message: z.string().openapi({ description: "One sentence: what disagrees and what to do." }),
    detail: z.record(z.string(), z.unknown()).openapi({ description: "`subscriptions` (who holds what by Tradeloop's fills), `traders`, `brokerAvgPrice`, `order`." }),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    confirmedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
  })
  .openapi("Drift");

const CheckResultSchema = z
  .object({
    accountId: z.string(),
    checked: z.boolean(),
    reason: z.string().optional().openapi({ description: "Why the account could not be checked." }),
    drifts: z.array(z.object({ id: z.string(), key: z.string(), kind: z.string(), ticker: z.string(), status: z.string(), message: z.string() })),
    resolved: z.number().int(),
  })
  .openapi("DriftCheck");

function driftJson(r: DriftRow): z.infer<typeof DriftSchema> {
  return {
    id: r.id,
    accountId: r.accountId,
    kind: r.kind as z.infer<typeof DriftSchema>["kind"],
    ticker: r.ticker,
    brokerQuantity: r.brokerQuantity,
    expectedQuantity: r.expectedQuantity,
    status: r.status as z.infer<typeof DriftSchema>["status"],
    resolution: (r.resolution as z.infer<typeof DriftSchema>["resolution"]) ?? null,
    message: r.message,
    detail: r.detail,
    firstSeenAt: isoTime(r.firstSeenAt),
    lastSeenAt: isoTime(r.lastSeenAt),
    confirmedAt: r.confirmedAt === null ? null : isoTime(r.confirmedAt),
    resolvedAt: r.resolvedAt === null ? null : isoTime(r.resolvedAt),
  };
}

function checkJson(r: CheckResult): z.infer<typeof CheckResultSchema> {
  return {
    accountId: r.accountId,
    checked: r.checked,
    ...(r.reason !== undefined && { reason: r.reason }),
    drifts: r.drifts.map((d) => ({ id: d.id, key: d.key, kind: d.kind, ticker: d.ticker, status: d.status, message: d.message })),
    resolved: r.resolved,
  };
}

const ListQuery = z.object({
  status: z.enum(["live", "suspected", "open", "resolved"]).default("live").openapi({ param: { name: "status", in: "query" }, description: "`live` (default): suspected and open." }),
  accountId: z.string().max(64).optional().openapi({ param: { name: "accountId", in: "query" } }),
});

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["drift"],
  summary: "Drift between your broker accounts and Tradeloop's fills",
  ...authenticated,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(z.array(DriftSchema), "Drift, newest first."), ...errorResponses(400, 401) },
});

const CheckBody = z.object({ accountId: z.string().min(1).max(64).optional().openapi({ description: "One account; omitted: every account a subscription trades." }) }).strict();

const checkRoute = createRoute({
  method: "post",
  path: "/check",
  tags: ["drift"],
  summary: "Compare now",
  description: "Reads the broker's positions and open orders and compares them with what each subscription's fills imply. New findings are `suspected` until a later check confirms them.",
  ...authenticated,
  request: { body: jsonBody(CheckBody) },
  responses: { 200: jsonResponse(z.array(CheckResultSchema), "One result per account."), ...errorResponses(400, 401, 404, 413) },
});

const AdoptBody = z
  .object({
    subscriptionId: z.string().min(1).max(64).optional().openapi({ description: "Which subscription takes the broker's position, when several trade the ticker." }),
    price: z.string().regex(/^\d+(\.\d+)?$/).optional().openapi({ description: "Cost for the adopted units when the broker reports no average price." }),
  })
  .strict();

const adoptRoute = createRoute({
  method: "post",
  path: "/{id}/adopt",
  tags: ["drift"],
  summary: "Adopt the broker's position",
  description: "The subscription's fills ledger takes the difference (an adjustment that realizes no P&L), so Tradeloop agrees with the broker; then the account is checked again.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(AdoptBody) },
  responses: { 200: jsonResponse(z.object({ subscriptionId: z.string(), quantity: z.string(), check: CheckResultSchema }), "What was adopted, and the check after it."), ...errorResponses(400, 401, 404, 413) },
});

/** The /api/drift router. */
export const driftApi = createRouter()
  .openapi(listRoute, async (c) => {
    const { status, accountId } = c.req.valid("query");
    const rows = await getDb(c.env.DB)
      .select()
      .from(drift)
      .where(
        and(
          eq(drift.userId, c.var.userId),
          status === "live" ? ne(drift.status, "resolved") : eq(drift.status, status),
          accountId ? eq(drift.accountId, accountId) : undefined,
        ),
      )
      .orderBy(desc(drift.lastSeenAt))
      .limit(200)
      .all();
    return c.json(rows.map(driftJson), 200);
  })
  .openapi(checkRoute, async (c) => {
    const { accountId } = c.req.valid("json");
    const db = getDb(c.env.DB);
    let ids: string[];
    if (accountId) {
      const own = await db.select({ id: accounts.id }).from(accounts).where(and(eq(accounts.id, accountId), eq(accounts.userId, c.var.userId))).get();
      if (!own) throw new AppError("not-found", "Account not found.");
      ids = [own.id];
    } else {
      const rows = await db.selectDistinct({ id: subscriptions.accountId }).from(subscriptions).where(eq(subscriptions.userId, c.var.userId)).all();
      ids = rows.map((r) => r.id);
    }
    const results = await Promise.all(ids.map((id) => c.env.ACCOUNT_RECONCILER.getByName(id).checkNow(id)));
    return c.json(results.map(checkJson), 200);
  })
  .openapi(adoptRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const row = await getDb(c.env.DB).select({ accountId: drift.accountId }).from(drift).where(and(eq(drift.id, id), eq(drift.userId, c.var.userId))).get();
    if (!row) throw new AppError("not-found", "Drift not found.");
    if (body.subscriptionId) {
      const own = await getDb(c.env.DB)
        .select({ id: subscriptions.id })
        .from(subscriptions)
        .where(and(eq(subscriptions.id, body.subscriptionId), eq(subscriptions.userId, c.var.userId), eq(subscriptions.accountId, row.accountId)))
        .get();
      if (!own) throw new AppError("not-found", "Subscription not found on this account.", { field: "subscriptionId" });
    }
    const result = await c.env.ACCOUNT_RECONCILER.getByName(row.accountId).adopt(row.accountId, id, body);
    if (!result.ok) throw new AppError(result.code, result.message, result.field ? { field: result.field } : {});
    return c.json({ subscriptionId: result.subscriptionId, quantity: result.quantity, check: checkJson(result.check) }, 200);
  });
