/**
 * Manual approval: trades of subscriptions with `autoSubmit: false` wait as
 * `pending_approval` at the head of their queue until approved, rejected, or
 * their `approvalTimeoutSeconds` pass.
 *
 * @module
 */
import { audit } from "../audit/log";
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { getDb, isoTime } from "../db/client";
import * as schema from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import type { TradeSnapshot } from "../execution/subscription-queue";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";

const PlannedOrderSchema = z.object({
  role: z.string(),
  side: z.string(),
  quantity: z.string(),
  type: z.string(),
  limitPrice: z.string().optional(),
  stopPrice: z.string().optional(),
});

export const PendingTradeSchema = z
  .object({
    id: z.string(),
    signalId: z.string(),
    subscriptionId: z.string(),
    status: z.string(),
    messageCode: z.string().nullable(),
    message: z.string().nullable(),
    ticker: z.string().nullable(),
    orders: z.array(PlannedOrderSchema).openapi({ description: "The orders that approval would send, in order." }),
    approvalDeadline: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("PendingTrade");

const listRoute = createRoute({
  method: "get",
  path: "/approvals",
  tags: ["approvals"],
  summary: "Trades waiting for your approval",
  ...authenticated,
  responses: { 200: jsonResponse(z.object({ trades: z.array(PendingTradeSchema) }), "Pending trades, newest first."), ...errorResponses(401) },
});

const decideRoute = (action: "approve" | "reject") =>
  createRoute({
    method: "post",
    path: `/trades/{id}/${action}`,
    tags: ["approvals"],
    summary: action === "approve" ? "Approve a pending trade (its orders are sent)" : "Reject a pending trade (nothing is sent)",
    ...authenticated,
    request: { params: IdParams },
    responses: {
      200: jsonResponse(PendingTradeSchema, "The trade after the decision."),
      ...errorResponses(401, 404, 409),
    },
  });

function view(t: TradeSnapshot, subscriptionId: string, createdAt: number): z.infer<typeof PendingTradeSchema> {
  const orders = (t.plan?.steps ?? []).flatMap((s) =>
    s.kind === "order"
      ? [
          {
            role: s.order.role,
            side: s.order.side,
            quantity: s.order.quantity,
            type: s.order.type,
            ...(s.order.limitPrice !== undefined && { limitPrice: s.order.limitPrice }),
            ...(s.order.stopPrice !== undefined && { stopPrice: s.order.stopPrice }),
          },
        ]
      : [],
  );
  return {
    id: t.tradeId,
    signalId: t.signalId,
    subscriptionId,
    status: t.status,
    messageCode: t.messageCode,
    message: t.message,
    ticker: t.plan?.ticker ?? t.orders[0]?.ticker ?? null,
    orders,
    approvalDeadline: t.approvalDeadline === null ? null : isoTime(t.approvalDeadline),
    createdAt: isoTime(createdAt),
  };
}

export const approvalsApi = createRouter()
  .openapi(listRoute, async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(schema.trades)
      .where(and(eq(schema.trades.userId, c.var.userId), eq(schema.trades.status, "pending_approval")))
      .orderBy(desc(schema.trades.createdAt))
      .limit(100);
    // The queue holds the plan (the truth); D1 only says which trades to ask about.
    const trades = await Promise.all(
      rows.map(async (r) => {
        const snap = await c.env.SUBSCRIPTION_QUEUE.getByName(r.subscriptionId).getTradeById(r.id);
        return snap && snap.status === "pending_approval" ? view(snap, r.subscriptionId, r.createdAt) : null;
      }),
    );
    return c.json({ trades: trades.filter((t) => t !== null) }, 200);
  })
  .openapi(decideRoute("approve"), async (c) => {
    const trade = await decideTrade(c.env, c.var.userId, c.req.valid("param").id, true);
    await audit(c, "trade-approved", { tradeId: c.req.valid("param").id });
    return c.json(trade, 200);
  })
  .openapi(decideRoute("reject"), async (c) => {
    const trade = await decideTrade(c.env, c.var.userId, c.req.valid("param").id, false);
    await audit(c, "trade-rejected", { tradeId: c.req.valid("param").id });
    return c.json(trade, 200);
  });

async function decideTrade(env: Env, userId: string, id: string, approve: boolean): Promise<z.infer<typeof PendingTradeSchema>> {
  const row = await getDb(env.DB)
    .select()
    .from(schema.trades)
    .where(and(eq(schema.trades.id, id), eq(schema.trades.userId, userId)))
    .get();
  if (!row) throw new AppError("not-found", "No trade with this id.", { field: "id" });
  const snap = await env.SUBSCRIPTION_QUEUE.getByName(row.subscriptionId).decideApproval(id, approve);
  if (!snap) throw new AppError("conflict", "This trade is not waiting for approval (it was already decided or it timed out).");
  return view(snap, row.subscriptionId, row.createdAt);
}
