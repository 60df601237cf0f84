/**
 * Builds a plugin client for one stored connection: picks the environment's
 * base URL and the transport, then lets the SDK's host (`plugins/sdk/host.ts`)
 * wrap it in the shared services (timeout, rate limit, redacting logger,
 * clock and nonce) and the pre-send guard (`canSubmit`, maintenance windows).
 * The conformance kit runs plugins through the same host code.
 *
 * The paper broker's "HTTP API" is served by its PaperLedger Durable Object,
 * so its transport is that object instead of the network.
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

/** Host the paper plugin talks to; it never leaves the Worker. */
export const PAPER_HOST = "https://paper.tradeloop.internal";

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
  let baseUrl: string;
  let transport: Transport;
  if (plugin.manifest.id === "paper") {
    // One ledger per paper connection, addressed by the connection id.
    const ledger = env.PAPER_LEDGER.getByName(connection.id);
    baseUrl = `${PAPER_HOST}/ledgers/${connection.id}`;
    transport = (request) => ledger.fetch(request);
  } else {
    const configured = plugin.manifest.environments[environment];
    const override = typeof connection.settings.baseUrl === "string" ? connection.settings.baseUrl : undefined;
    baseUrl = override ?? configured ?? "";
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
