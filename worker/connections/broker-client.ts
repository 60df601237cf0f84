/**
 * Builds a plugin client for one stored connection: picks the environment's
 * base URL and hands the plugin the core's fetch. The paper broker's "HTTP
 * API" is served by its PaperLedger Durable Object, so its fetch is routed to
 * that object instead of the network.
 *
 * @module
 */
import { getPlugin } from "../../plugins";
import type { BrokerClient, BrokerPlugin } from "../../plugins/sdk";
import { BrokerError } from "../../plugins/sdk";
import type { Env } from "../env";
import { splitFaultSettings, withFaults } from "./fault-injection";

/** The parts of a connection row a client needs. Credentials arrive decrypted. */
export interface ConnectionForClient {
  id: string;
  broker: string;
  settings: Record<string, unknown>;
  credentials?: unknown;
}

/** Host the paper plugin talks to; it never leaves the Worker. */
export const PAPER_HOST = "https://paper.tradeloop.internal";

/** Default time a plugin request may take before it counts as outcome-unknown. */
const REQUEST_TIMEOUT_MS = 10_000;

export function brokerClientFor(env: Env, connection: ConnectionForClient): BrokerClient {
  const plugin: BrokerPlugin | undefined = getPlugin(connection.broker);
  if (!plugin) {
    throw new BrokerError(`Broker "${connection.broker}" is not installed on this Tradeloop.`, {
      code: "unknown-broker",
      kind: "unsupported",
    });
  }
  const environment = connection.settings.environment === "live" ? "live" : "paper";
  let baseUrl: string;
  let fetcher: (request: Request) => Promise<Response>;
  if (plugin.manifest.id === "paper") {
    // One ledger per paper connection, addressed by the connection id.
    const ledger = env.PAPER_LEDGER.getByName(connection.id);
    baseUrl = `${PAPER_HOST}/ledgers/${connection.id}`;
    fetcher = (request) => ledger.fetch(request);
  } else {
    const configured = plugin.manifest.environments[environment];
    const override = typeof connection.settings.baseUrl === "string" ? connection.settings.baseUrl : undefined;
    baseUrl = override ?? configured ?? "";
    fetcher = (request) => fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }
  // Rehearsal/chaos only (fault-injection.ts): `settings.faults` never reaches the plugin, and
  // wraps the fetch only when the Worker runs with ALLOW_FAULT_INJECTION="true" (tests, never production).
  const { settings, faults } = splitFaultSettings(env, connection.settings);
  if (faults) fetcher = withFaults(fetcher, faults, connection.id);
  return plugin.connect({
    credentials: connection.credentials ?? {},
    settings,
    environment,
    baseUrl,
    fetch: fetcher,
    now: () => new Date(),
  });
}
