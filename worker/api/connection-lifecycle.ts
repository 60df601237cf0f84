/**
 * The user's side of the connection lifecycle (worker/connections/lifecycle.ts):
 *
 * - `POST /api/connections/{id}/disconnect`: lists the open positions it
 *   leaves (so the trader knows what to manage by hand), revokes the tokens at
 *   the broker where it has an endpoint, deletes the sealed credentials,
 *   pauses every subscription on the connection and marks it `disconnected`.
 *   Positions and orders at the broker are never touched.
 * - `POST /api/connections/{id}/resume-subscriptions`: after a reconnect,
 *   the paused subscriptions trade again, only because the user said so.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getPlugin } from "../../plugins";
import { errorMessage } from "../../plugins/sdk";
import { callBroker } from "../connections/broker-errors";
import { NOT_TRADING, pauseCodeFor, pauseSubscriptions, recordEvent, resumeSubscriptions, setConnectionStatus } from "../connections/lifecycle";
import { clientForConnection, getOwnedConnection, listConnectionAccounts } from "../connections/store";
import { getDb } from "../db/client";
import { connections } from "../db/schema";
import { AppError } from "../errors";
import { ConnectionSchema, connectionJson, endSession } from "./connections";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";
import { positionJson, PositionSchema } from "./portfolio";

const OpenPositionSchema = PositionSchema.extend({
  accountId: z.string().openapi({ description: "Tradeloop's account id." }),
  brokerAccountId: z.string(),
}).openapi("OpenPosition");

const DisconnectSchema = z
  .object({
    connection: ConnectionSchema,
    openPositions: z
      .array(OpenPositionSchema)
      .nullable()
      .openapi({ description: "Positions still open at the broker, left as they are: manage them there. Null when the broker could not be asked (see `positionsMessage`)." }),
    positionsMessage: z.string().nullable().openapi({ description: "Why the open positions could not be listed, when they could not." }),
    pausedSubscriptions: z.array(z.string()).openapi({ description: "Subscriptions paused by the disconnect (resume them after reconnecting)." }),
    revoked: z.boolean().openapi({ description: "Whether the broker's tokens were revoked at the broker (brokers without a revocation endpoint: false)." }),
  })
  .openapi("Disconnect");

const disconnectRoute = createRoute({
  method: "post",
  path: "/{id}/disconnect",
  tags: ["connections"],
  summary: "Disconnect a broker connection",
  description:
    "Revokes the tokens at the broker where it has an endpoint, deletes the stored credentials, pauses every subscription on the connection (their signals are still logged, refused with `connection-disconnected`) and marks it `disconnected`. Positions and orders at the broker are left alone; the reply lists the open positions. Reconnect with PATCH (credentials) or the OAuth start URL, then resume the subscriptions.",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(DisconnectSchema, "What the disconnect left."), ...errorResponses(401, 404) },
});

const resumeRoute = createRoute({
  method: "post",
  path: "/{id}/resume-subscriptions",
  tags: ["connections"],
  summary: "Resume the subscriptions a connection's expiry or disconnect paused",
  description: "Only on a working connection (`connected` or `expiring`); 409 `conflict` otherwise: reconnect first.",
  ...authenticated,
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ resumed: z.array(z.string()) }).openapi("ResumedSubscriptions"), "The subscriptions that trade again."),
    ...errorResponses(401, 404, 409),
  },
});

/** Disconnect and resume under /api/connections/{id}/... */
export const connectionLifecycleApi = createRouter()
  .openapi(disconnectRoute, async (c) => {
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    const row = await getOwnedConnection(db, userId, c.req.valid("param").id);
    const accounts = await listConnectionAccounts(db, userId, row.id);

    // 1. What stays open at the broker, read while the credentials still work.
    let openPositions: z.infer<typeof OpenPositionSchema>[] | null = [];
    let positionsMessage: string | null = null;
    if (row.status !== "disconnected" && getPlugin(row.broker)) {
      try {
        const client = await clientForConnection(c.env, row);
        for (const account of accounts) {
          const positions = await callBroker(row.name, () => client.getPositions(account.brokerAccountId));
          openPositions.push(...positions.map((p) => ({ ...positionJson(p), accountId: account.id, brokerAccountId: account.brokerAccountId })));
        }
      } catch (e) {
        openPositions = null;
        positionsMessage = `The open positions could not be listed (${errorMessage(e)}); check them at the broker.`;
      }
    } else {
      openPositions = null;
      positionsMessage = "The connection was already disconnected, so its positions could not be asked for; check them at the broker.";
    }

    // 2. Revoke at the broker and forget the tokens; 3. delete the sealed credentials.
    const { revoked } = await endSession(c.env, row);
    const now = Date.now();
    await db
      .update(connections)
      .set({ credentialsCiphertext: null, credentialsKeyId: null, credentialsHint: null, updatedAt: now })
      .where(and(eq(connections.id, row.id), eq(connections.userId, userId)));

    // 4. Pause, mark, tell.
    const reason = `The "${row.name}" connection was disconnected; its positions and orders at the broker were left as they are. Reconnect it, then resume its subscriptions.`;
    await setConnectionStatus(db, row.id, "disconnected", reason, now);
    const paused = await pauseSubscriptions(c.env, row.id, pauseCodeFor("disconnected"), reason, now);
    await recordEvent(db, { userId, kind: "connection-disconnected", connectionId: row.id, message: reason, data: { pausedSubscriptions: paused, revoked, openPositions: openPositions?.length ?? null } }, now);

    const after = await getOwnedConnection(db, userId, row.id);
    return c.json({ connection: connectionJson(c.env, after, accounts), openPositions, positionsMessage, pausedSubscriptions: paused, revoked }, 200);
  })
  .openapi(resumeRoute, async (c) => {
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    const row = await getOwnedConnection(db, userId, c.req.valid("param").id);
    if (NOT_TRADING.has(row.status) || row.status === "error") {
      throw new AppError("conflict", `The "${row.name}" connection is ${row.status}: reconnect it (and test it) before resuming its subscriptions.`, { status: 409 });
    }
    const resumed = await resumeSubscriptions(c.env, userId, row.id);
    if (resumed.length > 0) {
      await recordEvent(db, { userId, kind: "subscriptions-resumed", connectionId: row.id, message: `${resumed.length} subscription(s) on "${row.name}" trade again.`, data: { resumed } });
    }
    return c.json({ resumed }, 200);
  });
