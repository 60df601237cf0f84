/**
 * `/api/accounts/{id}/risk`: a broker account's risk settings, the
 * account-level overrides of the subscription risk controls (the same
 * fields as a subscription's: maxPositionQuantity, maxPositionNotional,
 * maxOpenPositions, dailyLossLimit, dailyProfitTarget, lossLockoutMinutes).
 * They apply to every subscription on the account; where a subscription sets
 * the same control, the stricter value wins (worker/trading/risk.ts), so an
 * account limit is a ceiling no subscription can loosen.
 *
 * Queues read them when they decide each entry (worker/execution/risk-state.ts).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getDb, isoTime } from "../db/client";
import { accountRisk, accounts } from "../db/schema";
import { AppError } from "../errors";
import { RiskSettingsSchema } from "../trading/settings";
import { authenticated, createRouter, errorResponses, IdParams, jsonBody, jsonResponse } from "./openapi";

const AccountRiskSchema = z
  .object({
    accountId: z.string(),
    settings: RiskSettingsSchema,
    updatedAt: z.string().nullable(),
  })
  .openapi("AccountRisk");

const getRoute = createRoute({
  method: "get",
  path: "/{id}/risk",
  tags: ["accounts"],
  summary: "An account's risk settings (apply to every subscription on it)",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(AccountRiskSchema, "The account's risk settings ({} when none)."), ...errorResponses(401, 404) },
});

const putRoute = createRoute({
  method: "put",
  path: "/{id}/risk",
  tags: ["accounts"],
  summary: "Replace an account's risk settings",
  description:
    "The subscription risk fields, for the whole account: each applies to every subscription on it, and where a subscription sets the same control the stricter value wins. `{}` removes them.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(RiskSettingsSchema.openapi("RiskSettings")) },
  responses: { 200: jsonResponse(AccountRiskSchema, "The account's risk settings."), ...errorResponses(400, 401, 404, 413) },
});

/** The /api/accounts router. */
export const accountRiskApi = createRouter()
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = getDb(c.env.DB);
    const account = await db.select({ id: accounts.id }).from(accounts).where(and(eq(accounts.id, id), eq(accounts.userId, c.var.userId))).get();
    if (!account) throw new AppError("not-found", "Account not found.");
    const row = await db.select().from(accountRisk).where(and(eq(accountRisk.accountId, id), eq(accountRisk.userId, c.var.userId))).get();
    const parsed = RiskSettingsSchema.safeParse(row?.settings ?? {});
    return c.json({ accountId: id, settings: parsed.success ? parsed.data : {}, updatedAt: row ? isoTime(row.updatedAt) : null }, 200);
  })
  .openapi(putRoute, async (c) => {
    const { id } = c.req.valid("param");
    const settings = c.req.valid("json");
    const db = getDb(c.env.DB);
    const account = await db.select({ id: accounts.id }).from(accounts).where(and(eq(accounts.id, id), eq(accounts.userId, c.var.userId))).get();
    if (!account) throw new AppError("not-found", "Account not found.");
    const now = Date.now();
    await db
      .insert(accountRisk)
      .values({ accountId: id, userId: c.var.userId, settings, updatedAt: now })
      .onConflictDoUpdate({ target: accountRisk.accountId, set: { settings, updatedAt: now } });
    return c.json({ accountId: id, settings, updatedAt: isoTime(now) }, 200);
  });
