/**
 * /api/performance: realized P&L, win rate, trade count, max drawdown and
 * an equity curve, per subscription and per account, computed from the
 * fills of the orders Tradeloop placed (worker/portfolio/reports.ts).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { type PerformanceView, performanceOf, performanceReports } from "../portfolio/reports";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";

const SummaryFields = {
  currency: z.string(),
  realizedPnl: z.number(),
  tradeCount: z.number().int().openapi({ description: "Closed round trips (flat → position → flat; a reversal closes one and opens the next)." }),
  wins: z.number().int(),
  losses: z.number().int(),
  winRate: z.number().nullable().openapi({ description: "wins / tradeCount (0..1); null before the first closed trade." }),
  maxDrawdown: z.number().openapi({ description: "Largest fall of the curve from a peak, in money." }),
  maxDrawdownPercent: z.number().nullable().openapi({ description: "maxDrawdown / that peak (0..1); null without a starting equity." }),
  fillCount: z.number().int(),
  startingEquity: z.number().openapi({ description: "Where the curve starts: a paper account's starting cash, else 0 (P&L only)." }),
  since: z.string().nullable().openapi({ description: "A paper account's last reset; fills before it are not counted." }),
};

export const PerformanceSummarySchema = z.object(SummaryFields).openapi("PerformanceSummary");

export const PerformanceSchema = z
  .object({
    ...SummaryFields,
    equityCurve: z
      .array(z.object({ time: z.number().int().openapi({ description: "Epoch seconds." }), value: z.number() }))
      .openapi({ description: "startingEquity + realized P&L after each second with a closing fill; strictly increasing times." }),
  })
  .openapi("Performance");

const ListSchema = z
  .object({
    subscriptions: z.array(PerformanceSummarySchema.extend({ subscriptionId: z.string() })),
    accounts: z.array(PerformanceSummarySchema.extend({ accountId: z.string() })),
  })
  .openapi("PerformanceList");

function summary(v: PerformanceView): z.infer<typeof PerformanceSummarySchema> {
  const { equityCurve: _curve, ...rest } = v;
  return rest;
}

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["performance"],
  summary: "Performance of every subscription and account",
  ...authenticated,
  responses: { 200: jsonResponse(ListSchema, "One summary per subscription and per account."), ...errorResponses(401) },
});

const detailRoute = (kind: "subscriptions" | "accounts") =>
  createRoute({
    method: "get",
    path: `/${kind}/{id}`,
    tags: ["performance"],
    summary: kind === "subscriptions" ? "Performance of a subscription" : "Performance of an account",
    ...authenticated,
    request: { params: IdParams },
    responses: { 200: jsonResponse(PerformanceSchema, "The numbers and the equity curve."), ...errorResponses(401, 404) },
  });

/** The /api/performance router. */
export const performanceApi = createRouter()
  .openapi(listRoute, async (c) => {
    const all = await performanceReports(c.env, getDb(c.env.DB), c.var.userId);
    return c.json(
      {
        subscriptions: [...all.subscriptions].map(([subscriptionId, v]) => ({ subscriptionId, ...summary(v) })),
        accounts: [...all.accounts].map(([accountId, v]) => ({ accountId, ...summary(v) })),
      },
      200,
    );
  })
  .openapi(detailRoute("subscriptions"), async (c) => c.json(await performanceOf(c.env, getDb(c.env.DB), c.var.userId, "subscription", c.req.valid("param").id), 200))
  .openapi(detailRoute("accounts"), async (c) => c.json(await performanceOf(c.env, getDb(c.env.DB), c.var.userId, "account", c.req.valid("param").id), 200));
