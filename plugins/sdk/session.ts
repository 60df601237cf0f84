/**
 * Sessions: brokers whose requests carry a short-lived access token that
 * must be renewed (OAuth brokers, and Tradovate's own access-token login).
 *
 * Who does what:
 * - the manifest says how the broker's OAuth works (`auth.oauth`, data only:
 *   endpoints, scopes, PKCE, the Worker secrets holding the app's client id
 *   and secret);
 * - the plugin says how a session is started and renewed at this broker
 *   (`session` hooks of `definePlugin`; the standard OAuth grants are the
 *   default, from `services/oauth.ts`);
 * - the core owns the tokens: ONE owner per connection (the ConnectionSession
 *   Durable Object, or the kit's in-memory keeper) refreshes ahead of expiry
 *   and never runs two refreshes at once, because several brokers revoke a
 *   session when two refreshes race. A plugin's client only asks the owner
 *   for a valid token (`ctx.session`) and tells it when the broker refused
 *   one; it never refreshes by itself.
 *
 * @module
 */
import { z } from "zod";
import type { Logger, PluginContext, PluginFetch, PluginFetchOptions } from "./context";
import { credentialField } from "./manifest";

/** The tokens of one session. Times are epoch milliseconds. */
export interface SessionTokens {
  accessToken: string;
  /** When the access token stops working; absent = until revoked. */
  expiresAt?: number;
  refreshToken?: string;
  /** When the grant (refresh token) stops working and the user must authorise again; absent = until revoked. */
  refreshExpiresAt?: number;
  /** Granted scopes, as the broker reported them. */
  scope?: string;
  /** Non-secret values the plugin needs later (e.g. Tradovate's user id). */
  data?: Record<string, string>;
  /**
   * Secret values of the session besides the access token (Polymarket's API
   * secret and passphrase, derived from the wallet): sealed with the tokens,
   * handed to the client for one call, never logged or stored elsewhere.
   */
  secrets?: Record<string, string>;
}

/** The zod form of {@link SessionTokens}: how the core stores and reads a token set. */
export const SessionTokensSchema = z.object({
  accessToken: z.string().min(1),
  expiresAt: z.number().optional(),
  refreshToken: z.string().min(1).optional(),
  refreshExpiresAt: z.number().optional(),
  scope: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
});

/** Where the Worker keeps a broker app's OAuth client id and secret (wrangler secrets). */
export interface OAuthClientSecretNames {
  clientId: string;
  clientSecret: string;
}

/** A broker's OAuth 2.0 authorization-code flow, as data (manifest `auth.oauth`). */
export interface OAuthSpec {
  /** The authorization endpoint per environment (the user's browser goes there). */
  authorizationEndpoint: { paper?: string; live?: string };
  /** The token endpoint per environment (code exchange and refresh). */
  tokenEndpoint: { paper?: string; live?: string };
  /** RFC 7009 revocation endpoint per environment, where the broker has one. */
  revocationEndpoint?: { paper?: string; live?: string };
  /** Scopes asked for, space-joined on the authorize URL. */
  scopes: readonly string[];
  /** Whether the broker documents PKCE (S256) for this flow. */
  pkce: boolean;
  /** How the app authenticates at the token endpoint. */
  clientAuthentication: "client_secret_post" | "client_secret_basic";
  /** Extra query parameters of the authorize URL (TradeStation's `audience`). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** The Worker secrets with the app's client id and secret. */
  secrets: OAuthClientSecretNames;
  /** Access-token lifetime when the token response gives no `expires_in`; absent = until revoked. */
  accessTokenTtlMs?: number;
  /** The grant's hard lifetime from authorisation (Schwab: 7 days), when the response does not say. */
  refreshTokenTtlMs?: number;
  /** Where the operator registers the app (and enters the redirect URL). */
  registrationUrl: string;
  /** One sentence for the connect screen (e.g. Schwab: no paper environment). */
  connectNote?: string;
}

/** The app's OAuth client, read from the Worker secrets named in {@link OAuthSpec.secrets}. */
export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** What the session hooks get: the connection's credentials and the shared services. */
export interface SessionContext<TCredentials = unknown> {
  /** The user's stored credentials (API-key logins); undefined for OAuth connections. */
  credentials: TCredentials | undefined;
  environment: "paper" | "live";
  baseUrl: string;
  fetch: PluginFetch;
  now: () => Date;
  log: Logger;
  /** The manifest's OAuth spec and the app's client, when the broker has OAuth and the operator configured it. */
  oauth?: { spec: OAuthSpec; client: OAuthClientCredentials };
}

/**
 * How a session starts and renews at one broker. Every hook throws
 * BrokerError only: `auth-expired` when the grant is dead for good (the user
 * must connect again), `retryable` when it may work later (network, 5xx,
 * 429, a penalty wait). Defaults: the OAuth grants of `services/oauth.ts`.
 */
export interface PluginSession<TCredentials = unknown> {
  /** How long before expiry the owner renews. Default {@link DEFAULT_RENEW_BEFORE_MS}. */
  renewBeforeMs?: number;
  /** Starts a session from the stored credentials (API-key logins). Absent: only OAuth starts sessions. */
  login?(ctx: SessionContext<TCredentials>): Promise<SessionTokens>;
  /** Renews the session. Default: the OAuth refresh_token grant. */
  refresh?(ctx: SessionContext<TCredentials>, current: SessionTokens): Promise<SessionTokens>;
  /** Exchanges an authorization code. Default: the OAuth authorization_code grant. */
  exchangeCode?(ctx: SessionContext<TCredentials>, grant: AuthorizationGrant): Promise<SessionTokens>;
  /** Revokes the session at the broker. Default: RFC 7009 when the spec has a revocation endpoint, else nothing. */
  revoke?(ctx: SessionContext<TCredentials>, current: SessionTokens): Promise<void>;
}

/** What the OAuth callback hands `exchangeCode`. */
export interface AuthorizationGrant {
  /** The callback's query parameters, already checked against the state. */
  callbackParameters: URLSearchParams;
  redirectUri: string;
  /** The PKCE verifier, when the flow used PKCE. */
  codeVerifier?: string;
}

/** Renew this long before the access token expires (the "about 15 minutes"). */
export const DEFAULT_RENEW_BEFORE_MS = 15 * 60_000;

/**
 * The token owner as a plugin's client sees it (`ctx.session`). Tokens come
 * back decrypted, for this call only: never store them.
 */
export interface SessionAccess {
  /** Valid tokens now (the owner renews ahead of expiry; a dead session throws `auth-expired`). */
  current(): Promise<SessionTokens>;
  /**
   * The broker refused `rejectedAccessToken` (HTTP 401): the owner renews once
   * (or hands back a token another caller already renewed) and answers the
   * new tokens, or throws `auth-expired` when the session cannot be renewed.
   */
  renew(rejectedAccessToken: string): Promise<SessionTokens>;
}

/** A plugin context that has a session (checked with {@link requireSession}). */
export type SessionPluginContext<C = unknown, S = Record<string, unknown>> = PluginContext<C, S> & { session: SessionAccess };

/**
 * Sends a request with the session's bearer token. On a 401 it asks the
 * owner to renew once and sends again. Resending after a 401 is safe even
 * for an order: the broker refused the request before doing anything.
 * `build` makes a fresh Request per attempt (bodies are single-use).
 */
export async function fetchWithSession(
  ctx: { fetch: PluginFetch; session?: SessionAccess | undefined },
  build: (authorization: string) => Request | Promise<Request>,
  options?: PluginFetchOptions,
): Promise<Response> {
  const session = requireSession(ctx);
  const tokens = await session.current();
  const first = await ctx.fetch(await build(`Bearer ${tokens.accessToken}`), options);
  if (first.status !== 401) return first;
  await first.body?.cancel();
  const renewed = await session.renew(tokens.accessToken);
  return ctx.fetch(await build(`Bearer ${renewed.accessToken}`), options);
}

/** The context's session, or a clear error for a plugin wired without one (a core bug, never the trader's). */
export function requireSession(ctx: { session?: SessionAccess | undefined }): SessionAccess {
  if (!ctx.session) throw new Error("This connection has no session owner: the core must pass ctx.session for session-based brokers.");
  return ctx.session;
}

/**
 * The credentials schema of a broker whose only way in is OAuth: the user
 * never types anything, the OAuth callback stores the tokens. One field so
 * the kit's credentials-form check has something to describe.
 */
export const OAuthOnlyCredentialsSchema = z.object({
  authorization: credentialField(z.string().optional(), {
    label: "Authorization",
    help: "Nothing to paste: use the Connect button, sign in at the broker and approve Tradeloop; the broker's tokens are stored encrypted.",
  }),
});
