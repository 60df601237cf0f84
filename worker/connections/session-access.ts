/**
 * The client side of the ConnectionSession object: a plugin's `ctx.session`
 * for one connection. Every call goes to the connection's one token owner;
 * the tokens come back for this call only and are never stored here.
 *
 * @module
 */
import type { BrokerPlugin, SessionAccess } from "../../plugins/sdk";
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
