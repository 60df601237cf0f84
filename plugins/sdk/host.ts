/**
 * Running a plugin: what the core (`worker/connections/broker-client.ts`) and
 * the conformance kit both use to turn a plugin plus a connection into a
 * client. Plugin authors do not import this; it is here so the kit tests
 * plugins through exactly the code the core runs.
 *
 * @module
 */
import { defaultCanSubmit } from "./can-submit";
import { MANDATORY_METHODS, OPTIONAL_METHODS } from "./capabilities";
import type { BrokerClient } from "./client";
import type { PluginContext } from "./context";
import { BrokerError } from "./errors";
import { activeMaintenanceWindow } from "./manifest";
import type { OrderRequest } from "./models";
import type { BrokerPlugin } from "./plugin";
import { monotonicNonce } from "./services/clock";
import { createPluginFetch, type Transport } from "./services/http";
import { createLogger, type LogEntry } from "./services/logger";
import { bucketFor, TokenBucket } from "./services/rate-limit";
import type { OAuthClientCredentials, SessionAccess, SessionContext } from "./session";

/** One connection, as the host knows it. Credentials arrive decrypted. */
export interface HostConnection {
  plugin: BrokerPlugin;
  /** Keys the rate-limit bucket and tags log lines. */
  connectionId: string;
  credentials: unknown;
  settings: Record<string, unknown>;
  environment: "paper" | "live";
  baseUrl: string;
  /** Where requests go: the network, a Durable Object, or a fake broker. */
  transport: Transport;
  now?: () => Date;
  timeoutMs?: number;
  /** Log destination; default the console as JSON lines. */
  logSink?: (entry: LogEntry) => void;
  /** `shared` (default): one bucket per connection id for the isolate; `fresh`: a new bucket (tests); `off`. */
  rateLimit?: "shared" | "fresh" | "off";
  /** Injectable sleep for rate-limit waits (tests). */
  wait?: (ms: number) => Promise<void>;
  /**
   * `credentials` (default): the user's stored credentials, parsed with the
   * manifest's schema. `oauth`: the connection was made through the OAuth
   * flow; it has no user credentials, only a session.
   */
  authMethod?: "credentials" | "oauth";
  /** The connection's token owner, for session-based brokers (see plugins/sdk/session.ts). */
  session?: SessionAccess;
  /**
   * Host names requests may go to; any other is refused before sending (see
   * `PluginFetchConfig.allowedHosts`). The core always sets it; the kit's
   * scripted transports leave it unset.
   */
  allowedHosts?: readonly string[];
}

/** Parses stored credentials; a mismatch means the user must enter them again. */
function parseCredentials(plugin: BrokerPlugin, credentials: unknown): unknown {
  const parsed = plugin.manifest.auth.credentials.safeParse(credentials ?? {});
  if (parsed.success) return parsed.data;
  throw new BrokerError(`The saved ${plugin.manifest.displayName} credentials are incomplete or invalid; enter them again.`, {
    code: "invalid-credentials",
    kind: "auth-expired",
  });
}

function parseSettings(plugin: BrokerPlugin, settings: Record<string, unknown>): Record<string, unknown> {
  if (!plugin.manifest.settings) return settings;
  const parsed = plugin.manifest.settings.safeParse(settings);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  throw new BrokerError(`Connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
    code: "invalid-settings",
    kind: "rejected",
  });
}

/** Builds the context (shared services included) for one connection. */
export function createPluginContext(connection: HostConnection): PluginContext {
  const { plugin } = connection;
  const now = connection.now ?? (() => new Date());
  const credentials = connection.authMethod === "oauth" ? {} : parseCredentials(plugin, connection.credentials);
  const log = createLogger({
    credentials,
    bindings: { plugin: plugin.manifest.id, connection: connection.connectionId },
    ...(connection.logSink && { sink: connection.logSink }),
  });
  const limit = plugin.manifest.rateLimit;
  const mode = connection.rateLimit ?? "shared";
  const bucket = !limit || mode === "off" ? undefined : mode === "fresh" ? new TokenBucket(limit) : bucketFor(connection.connectionId, limit);
  return {
    credentials,
    settings: parseSettings(plugin, connection.settings),
    environment: connection.environment,
    baseUrl: connection.baseUrl.replace(/\/+$/, ""),
    fetch: createPluginFetch({
      transport: connection.transport,
      log,
      ...(bucket && { bucket }),
      ...(connection.timeoutMs !== undefined && { timeoutMs: connection.timeoutMs }),
      ...(connection.wait && { wait: connection.wait }),
      ...(connection.allowedHosts && { allowedHosts: new Set(connection.allowedHosts.map((h) => h.toLowerCase())) }),
    }),
    now,
    nonce: monotonicNonce(now),
    log,
    ...(connection.session && { session: connection.session }),
  };
}

/**
 * The context the session hooks run in (the token owner builds it): the
 * same fetch, clock and redacting logger as the client's, plus the app's
 * OAuth client when the broker has OAuth and the operator configured it.
 */
export function createSessionContext(connection: Omit<HostConnection, "session">, oauthClient?: OAuthClientCredentials): SessionContext {
  const context = createPluginContext(connection);
  const spec = connection.plugin.manifest.auth.oauth;
  return {
    credentials: connection.authMethod === "oauth" ? undefined : context.credentials,
    environment: context.environment,
    baseUrl: context.baseUrl,
    fetch: context.fetch,
    now: context.now,
    log: context.log,
    ...(spec && oauthClient && { oauth: { spec, client: oauthClient } }),
  };
}

/**
 * Wraps a client so `placeOrder` runs the plugin's `canSubmit` and the
 * maintenance-window check first: an order the broker cannot take, or may
 * drop, is refused before anything is sent.
 */
export function guardClient(plugin: BrokerPlugin, client: BrokerClient, now: () => Date): BrokerClient {
  const guarded: Record<string, unknown> = {};
  // Bind each method: class-based clients keep their `this`.
  for (const name of [...MANDATORY_METHODS, ...OPTIONAL_METHODS]) {
    const method: unknown = client[name];
    if (typeof method === "function") guarded[name] = method.bind(client);
  }
  const place = client.placeOrder.bind(client);
  guarded.placeOrder = async (accountId: string, request: OrderRequest) => {
    const check = plugin.canSubmit ? plugin.canSubmit(request) : defaultCanSubmit(plugin.capabilities, request);
    if (!check.ok) {
      throw new BrokerError(check.reason.message, { code: check.reason.messageCode, kind: "unsupported", raw: check.reason });
    }
    const maintenance = activeMaintenanceWindow(plugin.manifest.maintenanceWindows, now());
    if (maintenance) {
      const { window } = maintenance;
      throw new BrokerError(
        `${plugin.manifest.displayName} is in its maintenance window (${window.start}-${window.end} ${window.timezone}${window.reason ? `, ${window.reason}` : ""}); the order was not sent.`,
        { code: "broker-maintenance", kind: "retryable", retryAfterMs: maintenance.endsInMs },
      );
    }
    return place(accountId, request);
  };
  return guarded as unknown as BrokerClient;
}

/** Context + `connect` + guard: the client the core uses for one connection. */
export function connectPlugin(connection: HostConnection): BrokerClient {
  const context = createPluginContext(connection);
  return guardClient(connection.plugin, connection.plugin.connect(context), context.now);
}

export type { Transport } from "./services/http";
export type { LogEntry } from "./services/logger";
