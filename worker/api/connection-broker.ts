/**
 * /api/connections/{id}/positions | orders | balance: live reads from the
 * broker for one of the connection's accounts (`?accountId=`, default the
 * first), cancelling an open order, and a paper account's reset and price.
 * A broker failure is 502 `broker-error`, never a 500.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { callBroker } from "../connections/broker-errors";
import { clientForConnection, getOwnedConnection, resolveAccount } from "../connections/store";
import { type Db, getDb } from "../db/client";
import { AppError } from "../errors";
import { toDecimal } from "../../plugins/sdk";
import { orders } from "../db/schema";
import type { Env } from "../env";
import { orderRecords } from "../portfolio/overview";
import { requirePaper, resetPaperAccount } from "../portfolio/paper-controls";
import { authenticated, createRouter, errorResponses, IdParams, jsonBody, jsonResponse } from "./openapi";
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

const CancelParams = IdParams.extend({
  orderId: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "orderId", in: "path" }, description: "The broker's order id (`brokerOrderId` in GET /api/connections/{id}/orders)." }),
});

const cancelRoute = createRoute({
  method: "delete",
  path: "/{id}/orders/{orderId}",
  tags: ["connections"],
  summary: "Cancel an open order at the broker",
  description: "Cancels a working order by its broker id. An order the broker can no longer cancel (filled meanwhile) is 502 `broker-error` with the broker's reason.",
  ...authenticated,
  request: { params: CancelParams, query: AccountQuery },
  responses: { 204: { description: "Cancelled." }, ...errorResponses(400, 401, 404, 502) },
});

const PaperResetBody = z
  .object({
    startingCash: z
      .number()
      .positive()
      .max(1_000_000_000)
      .optional()
      .openapi({ description: "Cash to start over with; default the connection's `startingCash`.", example: 100000 }),
  })
  .openapi("PaperResetRequest");

const paperResetRoute = createRoute({
  method: "post",
  path: "/{id}/paper/reset",
  tags: ["connections"],
  summary: "Start a paper account over",
  description: "Empties the paper account's positions, orders and prices and sets its cash. Tradeloop's signal and order log is kept; performance counts fills after the reset.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(PaperResetBody) },
  responses: { 200: jsonResponse(BalanceSchema, "The balance after the reset."), ...errorResponses(400, 401, 404, 502) },
});

const PaperPriceBody = z
  .object({
    ticker: z.string().trim().toUpperCase().min(1).max(40).openapi({ example: "AAPL" }),
    price: z.number().positive().max(1_000_000_000).openapi({ example: 191.5 }),
  })
  .openapi("PaperPriceRequest");

const paperPriceRoute = createRoute({
  method: "post",
  path: "/{id}/paper/price",
  tags: ["connections"],
  summary: "Set a paper account's market price for a ticker",
  description: "As if the market traded there: positions are marked at it, and resting orders it crosses fill.",
  ...authenticated,
  request: { params: IdParams, body: jsonBody(PaperPriceBody) },
  responses: { 200: jsonResponse(PaperPriceBody, "The price now in force."), ...errorResponses(400, 401, 404, 502) },
});

/** Broker reads and actions under /api/connections/{id}/... */
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
    const records = await orderRecords(db, userId, account.id, open);
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
  })
  .openapi(cancelRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { id, orderId } = c.req.valid("param");
    const { account, client, label } = await target(c.env, db, c.var.userId, id, c.req.valid("query").accountId);
    await callBroker(label, () => client.cancelOrder(account.brokerAccountId, { brokerOrderId: orderId }));
    return c.body(null, 204);
  })
  .openapi(paperResetRoute, async (c) => {
    const db = getDb(c.env.DB);
    const connection = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    requirePaper(connection);
    const { account, client, label } = await target(c.env, db, c.var.userId, connection.id, undefined);
    await callBroker(label, () => resetPaperAccount(c.env, connection, c.req.valid("json").startingCash));
    return c.json(balanceJson(await callBroker(label, () => client.getBalance(account.brokerAccountId))), 200);
  })
  .openapi(paperPriceRoute, async (c) => {
    const db = getDb(c.env.DB);
    const body = c.req.valid("json");
    const connection = await getOwnedConnection(db, c.var.userId, c.req.valid("param").id);
    requirePaper(connection);
    const { account, client, label } = await target(c.env, db, c.var.userId, connection.id, undefined);
    const observe = client.observePrice?.bind(client);
    if (!observe) throw new AppError("invalid-request", "This paper account cannot take prices.");
    await callBroker(label, () => observe(account.brokerAccountId, body.ticker, toDecimal(body.price)));
    return c.json(body, 200);
  });
