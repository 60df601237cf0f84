/**
 * Broker clients for a SubscriptionQueue. Credential-less plugins (the paper
 * broker) are built straight from the settings copy. Plugins with credentials
 * read the connection row from D1 and open its credentials from the vault.
 * Clients are cached in memory only (never in Durable Object storage): a
 * connection change (new keys, new settings) clears them at once through the
 * queue's `configChanged`, and the cache's lifetime bounds the rest (a
 * connection marked expired by another queue, a change whose notice was lost).
 *
 * @module
 */
import { eq } from "drizzle-orm";
import { getPlugin } from "../../plugins";
import { BrokerError, type BrokerClient } from "../../plugins/sdk";
import { brokerClientFor } from "../connections/broker-client";
import { paperClientWithPriceSource } from "../connections/price-source";
import { clientForConnection } from "../connections/store";
import { getDb } from "../db/client";
import { expireConnection } from "../connections/lifecycle";
import * as schema from "../db/schema";
import type { Env } from "../env";
import type { QueuedSignal } from "./envelope";

/** How long a client with credentials is reused before its connection row is read again. */
const CACHE_MS = 5 * 60_000;

export class BrokerClients {
  private readonly cache = new Map<string, { client: BrokerClient; expiresAt: number }>();
  /**
   * Credential-less clients by the connection object of a settings copy: one copy (and so one
   * object) serves every signal queued under it, and building a client costs a settings parse.
   */
  private plain = new WeakMap<QueuedSignal["connection"], BrokerClient>();

  constructor(private readonly env: Env) {}

  async for(connection: QueuedSignal["connection"]): Promise<BrokerClient> {
    const plugin = getPlugin(connection.broker);
    if (!plugin || plugin.manifest.auth.scheme === "none") {
      let client = this.plain.get(connection);
      if (!client) {
        // A paper connection with `settings.priceSourceConnectionId` fills market orders at that
        // connection's quote mid (worker/connections/price-source.ts); otherwise this is the plain client.
        client = paperClientWithPriceSource(this.env, connection, brokerClientFor(this.env, connection));
        this.plain.set(connection, client);
      }
      return client;
    }
    const cached = this.cache.get(connection.id);
    if (cached && cached.expiresAt > Date.now()) return cached.client;
    const row = await getDb(this.env.DB).select().from(schema.connections).where(eq(schema.connections.id, connection.id)).get();
    if (!row) {
      throw new BrokerError("This subscription's broker connection was deleted; nothing was sent.", { code: "connection-not-found", kind: "rejected" });
    }
    if (row.status === "expired") {
      throw new BrokerError(`The "${row.name}" connection's credentials have expired. Reconnect it in Tradeloop; nothing was sent.`, {
        code: "connection-expired",
        kind: "auth-expired",
      });
    }
    if (row.status === "disconnected") {
      throw new BrokerError(`The "${row.name}" connection was disconnected. Reconnect it and resume its subscriptions; nothing was sent.`, {
        code: "connection-disconnected",
        kind: "rejected",
      });
    }
    const client = await clientForConnection(this.env, row);
    this.cache.set(connection.id, { client, expiresAt: Date.now() + CACHE_MS });
    return client;
  }

  /** Forget a client (after its credentials were refused). */
  drop(connectionId: string): void {
    this.cache.delete(connectionId);
  }

  /** Forget every client (the configuration changed). */
  clear(): void {
    this.cache.clear();
    this.plain = new WeakMap();
  }
}

/**
 * The broker refused the connection's credentials (or its session could not
 * be renewed): the connection becomes `expired`, its subscriptions pause and
 * the user is told (worker/connections/lifecycle.ts), so every queue stops
 * trying until the user reconnects (BrokerClients refuses expired
 * connections up front).
 */
export async function markConnectionExpired(env: Env, connectionId: string, message: string): Promise<void> {
  await expireConnection(env, connectionId, message);
}
