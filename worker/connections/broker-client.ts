/**
 * Builds a plugin client for one stored connection: picks the environment's
 * base URL and the transport, then lets the SDK's host (`plugins/sdk/host.ts`)
 * wrap it in the shared services (timeout, rate limit, redacting logger,
 * clock and nonce) and the pre-send guard (`canSubmit`, maintenance windows).
 * The conformance kit runs plugins through the same host code.
 *
 * A plugin whose manifest says it is reached through a Durable Object (the
 * paper broker's PaperLedger) gets that object, one per connection, as its
 * transport instead of the network.
 *
 * @module
 */
import { getPlugin } from "../../plugins";
import type { BrokerClient } from "../../plugins/sdk";
import { BrokerError } from "../../plugins/sdk";
import { connectPlugin, type Transport } from "../../plugins/sdk/host";
import type { Env } from "../env";
import { splitFaultSettings, withFaults } from "./fault-injection";
import { sessionAccessFor, usesSessionOwner } from "./session-access";

/** The parts of a connection row a client needs. Credentials arrive decrypted. */
export interface ConnectionForClient {
  id: string;
  broker: string;
  settings: Record<string, unknown>;
  credentials?: unknown;
  /** `oauth`: tokens from the OAuth flow, held by the ConnectionSession object (default `credentials`). */
  authMethod?: string;
}

/** Default time a plugin request may take before it counts as lost (outcome-unknown for orders). */
const REQUEST_TIMEOUT_MS = 10_000;

export function brokerClientFor(env: Env, connection: ConnectionForClient): BrokerClient {
  const plugin = getPlugin(connection.broker);
  if (!plugin) {
    throw new BrokerError(`Broker "${connection.broker}" is not installed on this Tradeloop.`, {
      code: "unknown-broker",
      kind: "unsupported",
    });
  }
  const environment = connection.settings.environment === "live" ? "live" : "paper";
  const configured = plugin.manifest.environments[environment] ?? plugin.manifest.environments.paper ?? plugin.manifest.environments.live ?? "";
  const reach = plugin.manifest.transport ?? { kind: "network" };
  let baseUrl: string;
  let transport: Transport;
  if (reach.kind === "durable-object") {
    // One object per connection, addressed by the connection id; requests never leave the Worker.
    const broker = durableObjectBinding(env, reach.binding, plugin.manifest.id).getByName(connection.id);
    baseUrl = `${configured}${reach.basePath.replace(":connectionId", encodeURIComponent(connection.id))}`;
    transport = (request) => broker.fetch(request);
  } else {
    const override = typeof connection.settings.baseUrl === "string" ? connection.settings.baseUrl : undefined;
    baseUrl = override ?? plugin.manifest.environments[environment] ?? "";
    // The host adds the timeout (and turns it into the right BrokerError kind).
    transport = (request) => fetch(request);
  }
  // Rehearsal/chaos only (fault-injection.ts): `settings.faults` never reaches the plugin, and
  // wraps the fetch only when the Worker runs with ALLOW_FAULT_INJECTION="true" (tests, never production).
  const { settings, faults } = splitFaultSettings(env, connection.settings);
  if (faults) transport = withFaults(transport, faults, connection.id);
  const authMethod = connection.authMethod === "oauth" ? "oauth" : "credentials";
  return connectPlugin({
    plugin,
    connectionId: connection.id,
    authMethod,
    // Session brokers: the connection's one token owner hands out access tokens (never this client).
    ...(usesSessionOwner(plugin, authMethod) && { session: sessionAccessFor(env, connection.id) }),
    credentials: connection.credentials ?? {},
    settings,
    environment,
    baseUrl,
    transport,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
}

/** The Durable Object namespace a plugin's manifest names; a Worker without that binding cannot run the plugin. */
function durableObjectBinding(env: Env, binding: string, pluginId: string): DurableObjectNamespace {
  const value: unknown = (env as unknown as Record<string, unknown>)[binding];
  if (typeof value === "object" && value !== null && "getByName" in value) return value as DurableObjectNamespace;
  throw new BrokerError(`Broker "${pluginId}" runs in the Durable Object binding ${binding}, which this Worker does not have (wrangler.toml).`, {
    code: "unknown-broker",
    kind: "unsupported",
  });
}
