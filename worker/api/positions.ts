/**
 * GET /api/portfolio: every account's balance, positions (with mark,
 * unrealized and realized P&L, and the strategy that opened each) and open
 * orders in one reply, for the positions screen. Built by
 * worker/portfolio/overview.ts; this module only serializes.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { portfolioOverview } from "../portfolio/overview";
import { authenticated, createRouter, errorResponses, jsonResponse } from "./openapi";
import { AccountOrderSchema, BalanceSchema, PositionSchema, balanceJson, brokerOrderJson } from "./portfolio";

/** A position with its mark and P&L. */
export const PortfolioPositionSchema = PositionSchema.extend({
  markPrice: z.number().nullable().openapi({ description: "The price the position is valued at; null when no price is known." }),
  markSource: z
    .enum(["paper-price", "quote", "last-fill"])
    .nullable()
    .openapi({ description: "`paper-price`: the paper ledger's last price; `quote`: the broker's quote (mid); `last-fill`: the last fill Tradeloop saw." }),
  marketValue: z.number().nullable(),
  unrealizedPnl: z.number().nullable().openapi({ description: "(mark − average price) × quantity." }),
  realizedPnl: z.number().openapi({ description: "Realized from the fills of orders Tradeloop placed on this account and ticker (since the last reset for paper)." }),
  subscriptionId: z.string().nullable().openapi({ description: "The subscription whose fill opened the position, when Tradeloop opened it." }),
  strategyId: z.string().nullable(),
}).openapi("PortfolioPosition");

/** One account of the portfolio. */
export const PortfolioAccountSchema = z
  .object({
    connectionId: z.string(),
    connectionName: z.string(),
    broker: z.string(),
    accountId: z.string(),
    accountName: z.string(),
    mode: z.enum(["paper", "live"]),
    currency: z.string(),
    paper: z.boolean().openapi({ description: "A paper account: it can be reset and given prices." }),
    balance: BalanceSchema.nullable(),
    positions: z.array(PortfolioPositionSchema),
    openOrders: z.array(AccountOrderSchema.extend({ strategyId: z.string().nullable() })),
    realizedPnl: z.number(),
    error: z
      .object({ messageCode: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: "Why this account could not be read (the others still are)." }),
  })
  .openapi("PortfolioAccount");

const portfolioRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["portfolio"],
  summary: "Positions and open orders across every account",
  ...authenticated,
  responses: { 200: jsonResponse(z.object({ accounts: z.array(PortfolioAccountSchema) }), "Every account, oldest connection first."), ...errorResponses(401) },
});

/** The /api/portfolio router. */
export const positionsApi = createRouter().openapi(portfolioRoute, async (c) => {
  const accounts = await portfolioOverview(c.env, getDb(c.env.DB), c.var.userId);
  return c.json(
    {
      accounts: accounts.map((a) => ({
        ...a,
        balance: a.balance ? balanceJson(a.balance) : null,
        openOrders: a.openOrders.map((o) => ({ ...brokerOrderJson(o.order, o.record), strategyId: o.strategyId })),
      })),
    },
    200,
  );
});
