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
 * Credentials go only to the plugin's declared hosts (base-url.ts): the host
 * passes the allowed host names to the transport, which refuses any other at
 * send time, whatever the plugin or a stored setting asks for. When the
 * connection talks to a host the broker does not declare (the user's own
 * gateway, or a local fake in development), the broker's error text never
 * reaches the API or the signal log: errors keep their code and kind, and
 * their message is replaced by one that says only where it came from.
 *
 * @module
 */
import { getPlugin } from "../../plugins";
import type { BrokerClient } from "../../plugins/sdk";
import { BrokerError, isBrokerError, MANDATORY_METHODS, OPTIONAL_METHODS } from "../../plugins/sdk";
import { connectPlugin, type Transport } from "../../plugins/sdk/host";
import type { Env } from "../env";
import { allowedHostsFor, destinationRules } from "./base-url";
import { splitFaultSettings, withFaults } from "./fault-injection";
import { partnerKeysFromEnv } from "./oauth-config";
import { orderJournalFor, sessionAccessFor, sharedNonceFor, usesSessionOwner } from "./session-access";

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
  const destination = allowedHostsFor(destinationRules(env, plugin), connection.settings.baseUrl);
  let baseUrl: string;
  let transport: Transport;
  if (reach.kind === "durable-object") {
    // One object per connection, addressed by the connection id; requests never leave the Worker.
    const broker = durableObjectBinding(env, reach.binding, plugin.manifest.id).getByName(connection.id);
    baseUrl = `${configured}${reach.basePath.replace(":connectionId", encodeURIComponent(connection.id))}`;
    transport = (request) => broker.fetch(request);
  } else {
    // A stored override that fails today's rules is still used as the URL, so its requests are
    // refused by the host check (and the user told why), never silently sent to the default host.
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
  // Aggregators (SnapTrade) sign every request with the operator's partner keys, kept in Worker secrets.
  const partnerSpec = plugin.manifest.auth.partner;
  const partner = partnerSpec ? partnerKeysFromEnv(env, partnerSpec) : null;
  if (partnerSpec && !partner) {
    throw new BrokerError(`This Tradeloop has no ${plugin.manifest.displayName} partner keys: the operator sets ${Object.values(partnerSpec.secrets).join(" and ")} (see docs/brokers).`, {
      code: "partner-not-configured",
      kind: "unsupported",
    });
  }
  const client = connectPlugin({
    plugin,
    connectionId: connection.id,
    authMethod,
    // Session brokers: the connection's one token owner hands out access tokens (never this client).
    ...(usesSessionOwner(plugin, authMethod) && { session: sessionAccessFor(env, connection.id) }),
    ...(partner && { partner }),
    // The journal lives with the connection's owner object; only plugins that use it reach it.
    journal: orderJournalFor(env, connection.id),
    // Rising nonces (Kraken) come from the same owner, so two isolates never send theirs out of order.
    sharedNonce: sharedNonceFor(env, connection.id),
    credentials: connection.credentials ?? {},
    settings,
    environment,
    baseUrl,
    transport,
    timeoutMs: REQUEST_TIMEOUT_MS,
    allowedHosts: destination.hosts,
  });
  const undeclared = destination.baseUrl !== null && destination.baseUrl.kind !== "declared";
  return undeclared ? withoutBrokerText(client, plugin.manifest.displayName, new URL(baseUrl).hostname) : client;
}

/** Codes that are ours or a plugin table's: kebab-case words. Anything else is replaced. */
const STABLE_CODE = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Wraps a client so its BrokerErrors carry no text from the broker: a host
 * the broker does not declare may answer anything, and that text must never
 * be echoed to the user (it could phish, or reflect what was sent).
 */
function withoutBrokerText(client: BrokerClient, broker: string, host: string): BrokerClient {
  const wrapped: Record<string, unknown> = {};
  for (const name of [...MANDATORY_METHODS, ...OPTIONAL_METHODS]) {
    const method: unknown = client[name];
    if (typeof method !== "function") continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>).apply(client, args);
      } catch (e) {
        if (!isBrokerError(e) || e.code === "undeclared-host") throw e;
        const code = STABLE_CODE.test(e.code) ? e.code : "broker-error";
        throw new BrokerError(`${broker} at ${host} answered with an error (${code}); its own words are not shown because ${host} is not one of ${broker}'s hosts.`, {
          code,
          kind: e.kind,
          ...(e.status !== undefined && { status: e.status }),
          ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }),
        });
      }
    };
  }
  return wrapped as unknown as BrokerClient;
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
