/**
 * The client side of the ConnectionSession object: a plugin's `ctx.session`
 * and `ctx.journal` for one connection. Every call goes to the connection's
 * one owner object; tokens come back for this call only and are never
 * stored here.
 *
 * @module
 */
import type { BrokerPlugin, OrderJournal, SessionAccess } from "../../plugins/sdk";
import type { Env } from "../env";
import { unwrapSession } from "./session-object";

/** True when the connection's requests carry a session token (OAuth connections, login brokers such as Tradovate). */
export function usesSessionOwner(plugin: BrokerPlugin, authMethod: string | undefined): boolean {
  return authMethod === "oauth" || plugin.session?.login !== undefined;
}

/** The connection's token owner, as a plugin sees it. */
export function sessionAccessFor(env: Env, connectionId: string): SessionAccess {
  const owner = () => env.CONNECTION_SESSION.getByName(connectionId);
  return {
    current: async () => unwrapSession(await owner().current(connectionId)),
    renew: async (rejected) => unwrapSession(await owner().renew(connectionId, rejected)),
  };
}

/** The connection's order journal (see `OrderJournal`), kept durably by its owner object. */
export function orderJournalFor(env: Env, connectionId: string): OrderJournal {
  const owner = () => env.CONNECTION_SESSION.getByName(connectionId);
  return {
    record: (clientOrderId, brokerOrderId) => owner().journalRecord(clientOrderId, brokerOrderId),
    lookup: (clientOrderId) => owner().journalLookup(clientOrderId),
  };
}

/**
 * Nonces for the connection from its owner object (see
 * `PluginContext.sharedNonce`): strictly increasing across isolates.
 */
export function sharedNonceFor(env: Env, connectionId: string, now: () => Date = () => new Date()): () => Promise<string> {
  return () => env.CONNECTION_SESSION.getByName(connectionId).nextNonce(String(BigInt(now().getTime()) * 1000n));
}
