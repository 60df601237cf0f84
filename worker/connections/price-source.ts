/**
 * Market prices for the paper broker. A paper connection may name another
 * connection of the same user, at a quote-capable broker, as its price
 * source (`settings.priceSourceConnectionId`). Its market orders then fill at
 * that broker's current quote mid instead of the alert's price (as
 * TradersPost's paper broker does); without a source, or when the source
 * cannot quote right now, the alert's price is used as before.
 *
 * The paper ledger already fills a market order at the request's
 * `referencePrice`, so the source only has to supply that price: this module
 * wraps the paper client and sets `referencePrice` to the quote mid.
 *
 * @module
 */
import { and, eq } from "drizzle-orm";
import { getPlugin } from "../../plugins";
import { BrokerError, errorMessage, MANDATORY_METHODS, OPTIONAL_METHODS, quoteMid, type BrokerClient, type Decimal, type OrderRequest } from "../../plugins/sdk";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { connections } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { clientForConnection } from "./store";

/** The settings key. */
export const PRICE_SOURCE_SETTING = "priceSourceConnectionId";

const FIELD = `settings.${PRICE_SOURCE_SETTING}`;

/**
 * Checks a price source for a paper connection: another connection of the
 * same user, whose broker provides quotes (and not a paper one). Throws a
 * 400 naming the field.
 */
export async function validatePriceSource(db: Db, userId: string, value: unknown, selfId: string | undefined): Promise<string> {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) throw new AppError("invalid-request", `${FIELD} must be a connection id.`, { field: FIELD });
  if (value === selfId) throw new AppError("invalid-request", `${FIELD} cannot be the paper connection itself; name a live broker connection.`, { field: FIELD });
  const source = await db
    .select({ broker: connections.broker, name: connections.name })
    .from(connections)
    .where(and(eq(connections.id, value), eq(connections.userId, userId)))
    .get();
  // Someone else's connection is "not found" too: ids of other users' connections are never confirmed.
  if (!source) throw new AppError("invalid-request", `${FIELD} names no connection of yours.`, { field: FIELD });
  const plugin = getPlugin(source.broker);
  if (!plugin || !plugin.manifest.providesQuotes || plugin.capabilities.methods.getQuote === "unsupported") {
    throw new AppError(
      "invalid-request",
      `${FIELD}: "${source.name}" (${plugin?.manifest.displayName ?? source.broker}) does not provide quotes; pick a connection to a broker that does.`,
      { field: FIELD },
    );
  }
  return value;
}

/**
 * Wraps a paper client so market orders carry the source's quote mid as
 * their reference price. `source` is called lazily, at most once.
 */
export function withPriceSource(paper: BrokerClient, source: () => Promise<BrokerClient>): BrokerClient {
  let sourceClient: Promise<BrokerClient> | undefined;
  async function mid(request: OrderRequest): Promise<Decimal | null> {
    sourceClient ??= source();
    const client = await sourceClient;
    if (!client.getQuote) return null;
    return quoteMid(await client.getQuote(request.ticker, request.assetClass));
  }
  return {
    ...bindAll(paper),
    async placeOrder(accountId: string, request: OrderRequest) {
      if (request.type !== "market") return paper.placeOrder(accountId, request);
      let price: Decimal | null = null;
      try {
        price = await mid(request);
      } catch (e) {
        // No quote now (source down, market closed, credentials expired): the alert's price still works.
        log.warn("paper price source: no quote", { ticker: request.ticker, error: errorMessage(e) });
        sourceClient = undefined;
      }
      return paper.placeOrder(accountId, price === null ? request : { ...request, referencePrice: price });
    },
  };
}

/** The client's methods, bound, as an object that can be spread. */
function bindAll(client: BrokerClient): BrokerClient {
  const out: Record<string, unknown> = {};
  for (const name of [...MANDATORY_METHODS, ...OPTIONAL_METHODS]) {
    const method: unknown = client[name];
    if (typeof method === "function") out[name] = method.bind(client);
  }
  return out as unknown as BrokerClient;
}

/**
 * The executor's paper client for `connection`, with its price source when
 * the connection names one. The source row is re-checked at run time: it
 * must still exist and belong to the paper connection's user.
 */
export function paperClientWithPriceSource(env: Env, connection: { id: string; settings: Record<string, unknown> }, paper: BrokerClient): BrokerClient {
  const sourceId = connection.settings[PRICE_SOURCE_SETTING];
  if (typeof sourceId !== "string" || sourceId === "") return paper;
  return withPriceSource(paper, async () => {
    const db = getDb(env.DB);
    const [self, source] = await Promise.all([
      db.select({ userId: connections.userId }).from(connections).where(eq(connections.id, connection.id)).get(),
      db.select().from(connections).where(eq(connections.id, sourceId)).get(),
    ]);
    if (!self || !source || source.userId !== self.userId) {
      throw new BrokerError("The paper connection's price source no longer exists.", { code: "price-source-missing", kind: "rejected" });
    }
    return clientForConnection(env, source);
  });
}
