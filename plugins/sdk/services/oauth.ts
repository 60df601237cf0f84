/**
 * The standard OAuth 2.0 grants, with `oauth4webapi`: the authorize URL, the
 * authorization-code exchange, the refresh-token grant and RFC 7009
 * revocation, for any broker described by an {@link OAuthSpec}. Every
 * request goes through the plugin's fetch (`customFetch`), so the core's
 * timeout, rate limit and transport errors apply, and the kit's fakes see
 * the token requests like any other.
 *
 * Failures become BrokerErrors: the authorization server refusing the grant
 * (`invalid_grant`, `invalid_client`, any 4xx) is `auth-expired` (the user
 * must connect again); a 5xx, a 429 or no answer is `retryable`.
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import { BrokerError, errorMessage } from "../errors";
import type { AuthorizationGrant, OAuthClientCredentials, OAuthSpec, SessionContext, SessionTokens } from "../session";

/** The spec's endpoint for an environment, or a clear error. */
export function oauthEndpoint(endpoints: { paper?: string; live?: string } | undefined, environment: "paper" | "live", what: string): string {
  const url = endpoints?.[environment] ?? (environment === "paper" ? undefined : endpoints?.paper);
  if (!url) throw new BrokerError(`This broker has no OAuth ${what} for its ${environment} environment.`, { code: "oauth-unsupported", kind: "unsupported" });
  return url;
}

function authorizationServer(spec: OAuthSpec, environment: "paper" | "live"): oauth.AuthorizationServer {
  const token = oauthEndpoint(spec.tokenEndpoint, environment, "token endpoint");
  return {
    issuer: new URL(token).origin,
    authorization_endpoint: oauthEndpoint(spec.authorizationEndpoint, environment, "authorization endpoint"),
    token_endpoint: token,
    ...(spec.revocationEndpoint?.[environment] && { revocation_endpoint: spec.revocationEndpoint[environment] }),
  };
}

function clientAuth(spec: OAuthSpec, client: OAuthClientCredentials): oauth.ClientAuth {
  return spec.clientAuthentication === "client_secret_basic" ? oauth.ClientSecretBasic(client.clientSecret) : oauth.ClientSecretPost(client.clientSecret);
}

/** Request options: the plugin's fetch, and plain http only to a loopback fake (the core validates those URLs). */
function requestOptions(ctx: SessionContext, url: string): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]: boolean } {
  const insecure = new URL(url).protocol === "http:";
  return {
    // Token requests are POSTs that create nothing at the broker's book: a lost answer is worth asking again.
    [oauth.customFetch]: ((input: string | URL | Request, init?: RequestInit) => ctx.fetch(new Request(input, init), { idempotent: true })) as typeof fetch,
    [oauth.allowInsecureRequests]: insecure,
  };
}

/** The URL to send the user's browser to, plus the PKCE verifier to keep for the callback (when the spec uses PKCE). */
export async function buildAuthorizationUrl(
  spec: OAuthSpec,
  environment: "paper" | "live",
  client: { clientId: string },
  params: { redirectUri: string; state: string },
): Promise<{ url: string; codeVerifier?: string }> {
  const url = new URL(oauthEndpoint(spec.authorizationEndpoint, environment, "authorization endpoint"));
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  if (spec.scopes.length > 0) url.searchParams.set("scope", spec.scopes.join(" "));
  url.searchParams.set("state", params.state);
  for (const [key, value] of Object.entries(spec.authorizationParams ?? {})) url.searchParams.set(key, value);
  if (!spec.pkce) return { url: url.href };
  const codeVerifier = oauth.generateRandomCodeVerifier();
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  return { url: url.href, codeVerifier };
}

/** Turns a token response into SessionTokens; a refresh keeps what the response leaves out. */
export function tokensFromResponse(
  response: oauth.TokenEndpointResponse,
  now: Date,
  spec: Pick<OAuthSpec, "accessTokenTtlMs" | "refreshTokenTtlMs">,
  previous?: SessionTokens,
): SessionTokens {
  const at = now.getTime();
  const expiresIn = typeof response.expires_in === "number" ? response.expires_in * 1000 : spec.accessTokenTtlMs;
  const refreshIn = typeof response.refresh_token_expires_in === "number" ? response.refresh_token_expires_in * 1000 : undefined;
  // The grant's clock starts at authorisation (Schwab's 7 days); a refresh does not restart it unless the broker says so.
  const refreshExpiresAt = refreshIn !== undefined ? at + refreshIn : (previous?.refreshExpiresAt ?? (spec.refreshTokenTtlMs !== undefined ? at + spec.refreshTokenTtlMs : undefined));
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const scope = response.scope ?? previous?.scope;
  return {
    accessToken: response.access_token,
    ...(expiresIn !== undefined && { expiresAt: at + expiresIn }),
    ...(refreshToken !== undefined && { refreshToken }),
    ...(refreshExpiresAt !== undefined && { refreshExpiresAt }),
    ...(scope !== undefined && { scope }),
    ...(previous?.data && { data: previous.data }),
  };
}

/** Classifies a failure of a token request. */
export function oauthFailure(e: unknown, what: string): BrokerError {
  if (e instanceof BrokerError) return e;
  if (e instanceof oauth.ResponseBodyError) {
    const permanent = e.status >= 400 && e.status < 500 && e.status !== 429;
    return new BrokerError(`The broker refused the ${what} (${e.error}${e.error_description ? `: ${e.error_description}` : ""}).`, {
      code: permanent ? (e.error === "invalid_client" ? "oauth-invalid-client" : "oauth-invalid-grant") : "oauth-unavailable",
      kind: permanent ? "auth-expired" : "retryable",
      status: e.status,
    });
  }
  if (e instanceof oauth.AuthorizationResponseError) {
    return new BrokerError(`The broker's authorization answer was an error (${e.error}).`, { code: "oauth-denied", kind: "auth-expired" });
  }
  // A non-OAuth body (HTML error page) or a malformed token response.
  const status = e instanceof oauth.OperationProcessingError && e.cause instanceof Response ? e.cause.status : undefined;
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429;
  return new BrokerError(`The broker's answer to the ${what} could not be used: ${errorMessage(e)}`, {
    code: permanent ? "oauth-invalid-grant" : "oauth-unavailable",
    kind: permanent ? "auth-expired" : "retryable",
    ...(status !== undefined && { status }),
  });
}

function requireOAuth(ctx: SessionContext): { spec: OAuthSpec; client: OAuthClientCredentials } {
  if (!ctx.oauth) throw new BrokerError("This broker's OAuth app is not configured on this Tradeloop.", { code: "oauth-not-configured", kind: "unsupported" });
  return ctx.oauth;
}

/** The authorization_code grant (with the PKCE verifier when there is one). */
export async function exchangeAuthorizationCode(ctx: SessionContext, grant: AuthorizationGrant): Promise<SessionTokens> {
  const { spec, client } = requireOAuth(ctx);
  const as = authorizationServer(spec, ctx.environment);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    // The core checked `state` itself (a signed, single-use token): here the callback is checked
    // for an `error` answer and a code.
    const callback = oauth.validateAuthResponse(as, oauthClient, grant.callbackParameters, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      oauthClient,
      clientAuth(spec, client),
      callback,
      grant.redirectUri,
      grant.codeVerifier ?? oauth.nopkce,
      requestOptions(ctx, as.token_endpoint!),
    );
    return tokensFromResponse(await oauth.processAuthorizationCodeResponse(as, oauthClient, response), ctx.now(), spec);
  } catch (e) {
    throw oauthFailure(e, "authorization code");
  }
}

/** The refresh_token grant. */
export async function refreshWithRefreshToken(ctx: SessionContext, current: SessionTokens): Promise<SessionTokens> {
  const { spec, client } = requireOAuth(ctx);
  if (!current.refreshToken) {
    throw new BrokerError("The broker gave no refresh token, so the session cannot be renewed; connect again.", { code: "oauth-no-refresh-token", kind: "auth-expired" });
  }
  const as = authorizationServer(spec, ctx.environment);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(as, oauthClient, clientAuth(spec, client), current.refreshToken, requestOptions(ctx, as.token_endpoint!));
    return tokensFromResponse(await oauth.processRefreshTokenResponse(as, oauthClient, response), ctx.now(), spec, current);
  } catch (e) {
    throw oauthFailure(e, "token refresh");
  }
}

/** RFC 7009: revokes the refresh token (or the access token when there is none). No endpoint = nothing to do. */
export async function revokeTokens(ctx: SessionContext, current: SessionTokens): Promise<void> {
  const { spec, client } = requireOAuth(ctx);
  if (!spec.revocationEndpoint?.[ctx.environment]) return;
  const as = authorizationServer(spec, ctx.environment);
  try {
    const response = await oauth.revocationRequest(
      as,
      { client_id: client.clientId },
      clientAuth(spec, client),
      current.refreshToken ?? current.accessToken,
      requestOptions(ctx, as.revocation_endpoint!),
    );
    await oauth.processRevocationResponse(response);
  } catch (e) {
    throw oauthFailure(e, "token revocation");
  }
}
