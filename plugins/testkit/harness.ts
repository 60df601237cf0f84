/**
 * Building clients for tests exactly as the core builds them (through the
 * SDK's host: shared fetch, guard, logger), over a scripted or fake transport.
 *
 * @module
 */
import { BrokerError, TokenKeeper, type BrokerClient, type BrokerPlugin, type OAuthClientCredentials, type PluginContext, type SessionAccess, type SessionTokens } from "../sdk";
import { connectPlugin, createPluginContext, createSessionContext, type LogEntry, type Transport } from "../sdk/host";
import { replyToResponse } from "./faults";
import type { FakeReply, RecordedFixture } from "./types";

/** The kit's fixed clock: signatures and timestamps in static tests are reproducible. */
export const KIT_NOW = new Date("2026-01-02T03:04:05.000Z");

/** One request as the transport received it. Header names are lower-case. */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

/** Where and as whom a test client connects. */
export interface TestConnection {
  plugin: BrokerPlugin;
  credentials: unknown;
  settings?: Record<string, unknown>;
  environment?: "paper" | "live";
  /** Default: the manifest's URL for the environment. */
  baseUrl?: string;
  /** Default {@link KIT_NOW} (fixed). */
  now?: () => Date;
  /** Receives every log line the plugin writes (after redaction). */
  logSink?: (entry: LogEntry) => void;
  /** The manifest's rate limit: a fresh bucket per client (default, as a new connection gets), or off for unit tests. */
  rateLimit?: "fresh" | "off";
  /** `oauth`: a connection made through the OAuth flow (no user credentials, a session only). */
  authMethod?: "credentials" | "oauth";
  /** The session owner to use; default a fresh in-memory {@link TokenKeeper} for session-based plugins. */
  session?: SessionAccess;
  /** Tokens the default keeper starts from (static layers of OAuth plugins). */
  tokens?: SessionTokens;
}

/** The OAuth app the kit plays (fakes accept it by default). */
export const KIT_OAUTH_CLIENT: OAuthClientCredentials = { clientId: "kit-oauth-client-id", clientSecret: "kit-oauth-client-secret-0123456789" };
/** The redirect URL the kit's OAuth flows use. */
export const KIT_REDIRECT_URI = "https://tradeloop.test/api/connections/oauth/callback";

/** True when the plugin's requests carry a session token (it has session hooks, or the connection came through OAuth). */
export function usesSession(plugin: BrokerPlugin, authMethod: "credentials" | "oauth" | undefined): boolean {
  return plugin.session?.login !== undefined || authMethod === "oauth";
}

/** Reads a request into a {@link CapturedRequest} (the body is consumed from a clone). */
export async function captureRequest(request: Request): Promise<CapturedRequest> {
  // Decoded from bytes: workerd warns when .text() reads a form-encoded body (OAuth token requests).
  const text = new TextDecoder().decode(await request.clone().arrayBuffer());
  let body: unknown = text === "" ? undefined : text;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (form data, plain text): keep the text.
    }
  }
  return { method: request.method, url: request.url, headers: Object.fromEntries(request.headers.entries()), body };
}

function baseUrlOf(connection: TestConnection): string {
  const environment = connection.environment ?? "paper";
  const url = connection.baseUrl ?? connection.plugin.manifest.environments[environment];
  // An empty baseUrl is passed on as it is: a plugin must refuse it itself (Kraken: "no sandbox").
  if (url === undefined) throw new Error(`${connection.plugin.manifest.id} has no ${environment} environment; pass baseUrl`);
  return url;
}

/** An in-memory token owner for one test connection, over the same transport as its client. */
export function testSessionKeeper(connection: TestConnection, transport: Transport, initial?: SessionTokens | null): TokenKeeper {
  const base = hostConnection(connection, transport, false);
  return new TokenKeeper({
    hooks: connection.plugin.session,
    context: createSessionContext(base, connection.plugin.manifest.auth.oauth ? KIT_OAUTH_CLIENT : undefined),
    initial: initial ?? connection.tokens ?? null,
  });
}

function hostConnection(connection: TestConnection, transport: Transport, withSession = true) {
  const session =
    connection.session ?? (withSession && usesSession(connection.plugin, connection.authMethod) ? testSessionKeeper(connection, transport) : undefined);
  return {
    ...(connection.authMethod && { authMethod: connection.authMethod }),
    ...(session && { session }),
    plugin: connection.plugin,
    connectionId: `kit-${connection.plugin.manifest.id}-${crypto.randomUUID()}`,
    credentials: connection.credentials,
    settings: connection.settings ?? {},
    environment: connection.environment ?? "paper",
    baseUrl: baseUrlOf(connection),
    transport,
    now: connection.now ?? (() => new Date(KIT_NOW.getTime())),
    logSink: connection.logSink ?? (() => {}),
    rateLimit: connection.rateLimit ?? "fresh",
  };
}

/**
 * A context as the core would build it, over any transport: for plugin unit
 * tests that call `plugin.connect(context)` themselves.
 */
export function testContext(connection: TestConnection, transport: Transport): PluginContext {
  return createPluginContext(hostConnection(connection, transport));
}

/** A client as the core builds it (shared fetch + `canSubmit` guard), over any transport. */
export function testClient(connection: TestConnection, transport: Transport): BrokerClient {
  return connectPlugin(hostConnection(connection, transport));
}

/** Awaits a call that must fail with a BrokerError, and returns it (anything else fails the test with what happened). */
export async function brokerErrorOf(call: Promise<unknown>): Promise<BrokerError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw new Error(`expected a BrokerError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("expected a BrokerError, the call succeeded");
}

/** A reply from a case: fixtures carry theirs under `response`. */
export function toReply(reply: FakeReply | RecordedFixture): FakeReply {
  return "response" in reply ? reply.response : reply;
}

/**
 * A client whose transport records every request and answers from a script
 * (default `200 {}` once the script runs out, or an Error to throw).
 */
export function scriptedClient(
  connection: TestConnection,
  replies: readonly (FakeReply | RecordedFixture | Error)[] = [],
  options: { whenEmpty?: FakeReply | "throw" } = {},
): { client: BrokerClient; sent: CapturedRequest[] } {
  const sent: CapturedRequest[] = [];
  const queue = [...replies];
  const client = testClient(connection, async (request) => {
    sent.push(await captureRequest(request));
    const next = queue.shift();
    if (next instanceof Error) throw next;
    if (next === undefined) {
      if (options.whenEmpty === "throw") throw new Error("the recorded replies ran out: the call made more requests than the case scripted");
      return replyToResponse(options.whenEmpty ?? { status: 200, body: {} });
    }
    return replyToResponse(toReply(next));
  });
  return { client, sent };
}
