/**
 * /api/connections/{id}/positions | orders | balance: live reads from the
 * broker for one of the connection's accounts (`?accountId=`, default the
 * first). A broker failure is 502 `broker-error`, never a 500.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray } from "drizzle-orm";
import { chunk } from "../lib/chunk";
import { callBroker } from "../connections/broker-errors";
import { clientForConnection, getOwnedConnection, resolveAccount } from "../connections/store";
import { type Db, getDb } from "../db/client";
import { orders } from "../db/schema";
import type { Env } from "../env";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";
import {
  AccountOrderSchema,
  BalanceSchema,
  PositionSchema,
  balanceJson,
  brokerOrderJson,
  positionJson,
  recordedOrderJson,
} from "./portfolio";

const AccountQuery = z.object({
  accountId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ param: { name: "accountId", in: "query" }, description: "One of the connection's account ids; default: its first account." }),
});

const OrdersQuery = AccountQuery.extend({
  include: z
    .enum(["open", "recent"])
    .optional()
    .openapi({
      param: { name: "include", in: "query" },
      description: "`open` (default): the broker's open orders. `recent`: also the last 100 orders Tradeloop placed on the account.",
    }),
});

const RECENT_LIMIT = 100;

/** Loads the connection and account a read targets, plus a client for it. */
async function target(env: Env, db: Db, userId: string, id: string, accountId: string | undefined) {
  const connection = await getOwnedConnection(db, userId, id);
  const account = await resolveAccount(db, userId, connection.id, accountId);
  const label = `The broker (${connection.name})`;
  // Building the client can fail too (broker uninstalled, vault key gone): still a 502, not a 500.
  const client = await callBroker(label, () => clientForConnection(env, connection));
  return { connection, account, client, label };
}

const positionsRoute = createRoute({
  method: "get",
  path: "/{id}/positions",
  tags: ["connections"],
  summary: "Open positions of a connection's account",
  ...authenticated,
  request: { params: IdParams, query: AccountQuery },
  responses: {
    200: jsonResponse(z.array(PositionSchema), "Positions; `quantity` is negative for shorts."),
    ...errorResponses(401, 404, 502),
  },
});

const ordersRoute = createRoute({
  method: "get",
  path: "/{id}/orders",
  tags: ["connections"],
  summary: "Orders of a connection's account",
  ...authenticated,
  request: { params: IdParams, query: OrdersQuery },
  responses: {
    200: jsonResponse(z.array(AccountOrderSchema), "Open orders first, then (with `include=recent`) recent ones, newest first."),
    ...errorResponses(400, 401, 404, 502),
  },
});

const balanceRoute = createRoute({
  method: "get",
  path: "/{id}/balance",
  tags: ["connections"],
  summary: "Cash and equity of a connection's account",
  ...authenticated,
  request: { params: IdParams, query: AccountQuery },
  responses: { 200: jsonResponse(BalanceSchema, "The balance."), ...errorResponses(401, 404, 502) },
});

/** Broker reads under /api/connections/{id}/... */
export const connectionBrokerApi = createRouter()
  .openapi(positionsRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { account, client, label } = await target(c.env, db, c.var.userId, c.req.valid("param").id, c.req.valid("query").accountId);
    const positions = await callBroker(label, () => client.getPositions(account.brokerAccountId));
    return c.json(positions.map(positionJson), 200);
  })
  .openapi(ordersRoute, async (c) => {
    const db = getDb(c.env.DB);
    const query = c.req.valid("query");
    const userId = c.var.userId;
    const { account, client, label } = await target(c.env, db, userId, c.req.valid("param").id, query.accountId);
    const open = await callBroker(label, () => client.getOpenOrders(account.brokerAccountId));

    // Tradeloop's own records of these orders add role, signal and subscription.
    const clientIds = open.map((o) => o.clientOrderId).filter((id): id is string => id !== null);
    const records = new Map<string, typeof orders.$inferSelect>();
    // D1 allows 100 bound parameters per statement.
    for (const part of chunk(clientIds, 90)) {
      const rows = await db
        .select()
        .from(orders)
        .where(and(eq(orders.userId, userId), eq(orders.accountId, account.id), inArray(orders.clientOrderId, part)))
        .all();
      for (const r of rows) records.set(r.clientOrderId, r);
    }
    const result = open.map((o) => brokerOrderJson(o, o.clientOrderId ? records.get(o.clientOrderId) : undefined));

    if (query.include === "recent") {
      const listed = new Set(open.map((o) => o.clientOrderId).filter((id) => id !== null));
      const recent = await db
        .select()
        .from(orders)
        .where(and(eq(orders.userId, userId), eq(orders.accountId, account.id)))
        .orderBy(desc(orders.createdAt))
        .limit(RECENT_LIMIT)
        .all();
      for (const r of recent) if (!listed.has(r.clientOrderId)) result.push(recordedOrderJson(r));
    }
    return c.json(result, 200);
  })
  .openapi(balanceRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { account, client, label } = await target(c.env, db, c.var.userId, c.req.valid("param").id, c.req.valid("query").accountId);
    const balance = await callBroker(label, () => client.getBalance(account.brokerAccountId));
    return c.json(balanceJson(balance), 200);
  });
