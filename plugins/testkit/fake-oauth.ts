/**
 * A fake OAuth 2.0 authorization server for fake brokers (RFC 6749, 7636,
 * 7009), configured with what each broker documents: how the client
 * authenticates at the token endpoint, token lifetimes, whether refresh
 * tokens rotate, whether PKCE is required. It knows nothing of any plugin:
 * it parses the requests itself, so a plugin that sends the wrong grant,
 * the wrong client authentication or a stale refresh token is refused the
 * way the broker would refuse it.
 *
 * @module
 */
import { replyToResponse } from "./faults";
import { KIT_OAUTH_CLIENT } from "./harness";
import type { FakeReply } from "./types";

export interface FakeOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** How the token endpoint expects the client's secret. */
  clientAuthentication: "client_secret_post" | "client_secret_basic";
  /** Seconds an access token lives (`expires_in`); null = until revoked, and no `expires_in` is sent (Alpaca). */
  accessTokenTtlSeconds: number | null;
  /** Seconds a refresh token lives from the authorisation; absent = until revoked. */
  refreshTokenTtlSeconds?: number;
  /** Whether to send `refresh_token_expires_in` in token answers. */
  sendRefreshTokenExpiresIn?: boolean;
  /** A refresh answers a new refresh token and retires the old one. */
  rotateRefreshTokens?: boolean;
  /** Whether a refresh answer repeats the (unchanged) refresh token. */
  echoRefreshToken?: boolean;
  /** The authorize request must carry an S256 code challenge. */
  requirePkce?: boolean;
  /** Whether the authorization-code answer includes a refresh token at all (Alpaca: no). */
  issueRefreshTokens?: boolean;
  /** Scopes the authorize request must ask for (all of them). */
  requiredScopes?: readonly string[];
  /** Extra parameters the authorize request must carry (TradeStation's `audience`). */
  requiredParams?: Readonly<Record<string, string>>;
  /** Prefix of issued tokens, so logs show whose they are. */
  prefix: string;
  clock?: () => Date;
}

interface IssuedCode {
  redirectUri: string;
  challenge: string | null;
  scope: string;
}

interface Grant {
  refreshToken: string | null;
  expiresAt: number | null;
  scope: string;
}

const b64url = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** The fake authorization server. */
export class FakeAuthorizationServer {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { expiresAt: number; grant: string }>();
  private seq = 0;
  /** Token-endpoint calls by grant type, for tests. */
  readonly calls = { authorization_code: 0, refresh_token: 0, revoke: 0 };

  constructor(private readonly options: FakeOAuthOptions) {}

  private now(): number {
    return (this.options.clock?.() ?? new Date()).getTime();
  }

  private next(kind: string): string {
    return `${this.options.prefix}-${kind}-${String(++this.seq).padStart(6, "0")}-${crypto.randomUUID().slice(0, 8)}`;
  }

  private accessExpiry(): number {
    return this.options.accessTokenTtlSeconds === null ? Number.POSITIVE_INFINITY : this.now() + this.options.accessTokenTtlSeconds * 1000;
  }

  /** Forgets every code, grant and token. */
  reset(): void {
    this.codes.clear();
    this.grants.clear();
    this.accessTokens.clear();
    this.calls.authorization_code = this.calls.refresh_token = this.calls.revoke = 0;
  }

  /** The front channel: the user approved. Answers the redirect with `code` and `state`, or an `error`. */
  async authorize(url: URL): Promise<URL> {
    const q = url.searchParams;
    const redirect = q.get("redirect_uri");
    if (!redirect) throw new Error("fake authorization server: the authorize URL has no redirect_uri");
    const back = new URL(redirect);
    const fail = (error: string): URL => {
      back.searchParams.set("error", error);
      if (q.get("state")) back.searchParams.set("state", q.get("state")!);
      return back;
    };
    if (q.get("response_type") !== "code") return fail("unsupported_response_type");
    if (q.get("client_id") !== (this.options.clientId ?? KIT_OAUTH_CLIENT.clientId)) return fail("unauthorized_client");
    const scope = q.get("scope") ?? "";
    const asked = new Set(scope.split(" ").filter(Boolean));
    if ((this.options.requiredScopes ?? []).some((s) => !asked.has(s))) return fail("invalid_scope");
    for (const [k, v] of Object.entries(this.options.requiredParams ?? {})) if (q.get(k) !== v) return fail("invalid_request");
    const challenge = q.get("code_challenge");
    if (challenge && q.get("code_challenge_method") !== "S256") return fail("invalid_request");
    if (this.options.requirePkce && !challenge) return fail("invalid_request");
    const code = this.next("code");
    this.codes.set(code, { redirectUri: redirect, challenge, scope });
    back.searchParams.set("code", code);
    if (q.get("state") !== null) back.searchParams.set("state", q.get("state")!);
    return back;
  }

  private error(status: number, error: string, description: string): Response {
    return replyToResponse({ status, body: { error, error_description: description } });
  }

  /** Reads the token request's form and the client's credentials the documented way. */
  private async readClient(request: Request): Promise<{ form: URLSearchParams; ok: boolean }> {
    // Decoded from bytes: workerd warns when .text() reads a form body.
    const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
    const id = this.options.clientId ?? KIT_OAUTH_CLIENT.clientId;
    const secret = this.options.clientSecret ?? KIT_OAUTH_CLIENT.clientSecret;
    if (this.options.clientAuthentication === "client_secret_basic") {
      const header = request.headers.get("authorization") ?? "";
      if (!header.startsWith("Basic ")) return { form, ok: false };
      const [user, pass] = atob(header.slice(6)).split(":").map((p) => decodeURIComponent(p));
      return { form, ok: user === id && pass === secret && !form.has("client_secret") };
    }
    return { form, ok: form.get("client_id") === id && form.get("client_secret") === secret };
  }

  private issue(grantId: string, grant: Grant, withRefresh: boolean): FakeReply {
    const token = this.next("access");
    this.accessTokens.set(token, { expiresAt: this.accessExpiry(), grant: grantId });
    const body: Record<string, unknown> = {
      access_token: token,
      token_type: "Bearer",
      ...(this.options.accessTokenTtlSeconds !== null && { expires_in: this.options.accessTokenTtlSeconds }),
      scope: grant.scope,
    };
    if (withRefresh && grant.refreshToken) body.refresh_token = grant.refreshToken;
    if (withRefresh && grant.expiresAt !== null && this.options.sendRefreshTokenExpiresIn) {
      body.refresh_token_expires_in = Math.max(0, Math.floor((grant.expiresAt - this.now()) / 1000));
    }
    return { status: 200, body, headers: { "cache-control": "no-store" } };
  }

  /** The token endpoint: `authorization_code` and `refresh_token` grants, form-encoded. */
  async token(request: Request): Promise<Response> {
    if (request.method !== "POST") return this.error(405, "invalid_request", "POST only");
    if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) return this.error(400, "invalid_request", "form body required");
    const { form, ok } = await this.readClient(request);
    if (!ok) return this.error(401, "invalid_client", "client authentication failed");
    const type = form.get("grant_type");
    if (type === "authorization_code") {
      this.calls.authorization_code++;
      const code = form.get("code") ?? "";
      const issued = this.codes.get(code);
      this.codes.delete(code); // single use
      if (!issued) return this.error(400, "invalid_grant", "unknown or used authorization code");
      if (form.get("redirect_uri") !== issued.redirectUri) return this.error(400, "invalid_grant", "redirect_uri does not match");
      if (issued.challenge) {
        const verifier = form.get("code_verifier") ?? "";
        const digest = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
        if (digest !== issued.challenge) return this.error(400, "invalid_grant", "code_verifier does not match");
      }
      const grantId = this.next("grant");
      const refresh = this.options.issueRefreshTokens === false ? null : this.next("refresh");
      const ttl = this.options.refreshTokenTtlSeconds;
      const grant: Grant = { refreshToken: refresh, expiresAt: ttl !== undefined ? this.now() + ttl * 1000 : null, scope: issued.scope };
      this.grants.set(grantId, grant);
      return replyToResponse(this.issue(grantId, grant, true));
    }
    if (type === "refresh_token") {
      this.calls.refresh_token++;
      const presented = form.get("refresh_token") ?? "";
      const entry = [...this.grants.entries()].find(([, g]) => g.refreshToken === presented);
      if (!entry) return this.error(400, "invalid_grant", "refresh token is invalid, expired or revoked");
      const [grantId, grant] = entry;
      if (grant.expiresAt !== null && grant.expiresAt <= this.now()) return this.error(400, "invalid_grant", "refresh token expired");
      if (this.options.rotateRefreshTokens) grant.refreshToken = this.next("refresh");
      return replyToResponse(this.issue(grantId, grant, this.options.rotateRefreshTokens === true || this.options.echoRefreshToken === true));
    }
    return this.error(400, "unsupported_grant_type", `grant_type ${type ?? "(none)"} is not supported`);
  }

  /** RFC 7009 revocation: the grant the token belongs to dies (answers 200 even for unknown tokens). */
  async revoke(request: Request): Promise<Response> {
    const { form, ok } = await this.readClient(request);
    if (!ok) return this.error(401, "invalid_client", "client authentication failed");
    this.calls.revoke++;
    const token = form.get("token") ?? "";
    for (const [id, g] of this.grants) if (g.refreshToken === token || this.accessTokens.get(token)?.grant === id) this.killGrant(id);
    return new Response(null, { status: 200 });
  }

  private killGrant(id: string): void {
    this.grants.delete(id);
    for (const [t, a] of this.accessTokens) if (a.grant === id) this.accessTokens.delete(t);
  }

  /** True when the request carries a live access token (`Authorization: Bearer`). */
  validBearer(request: Request): boolean {
    const header = request.headers.get("authorization") ?? "";
    if (!header.startsWith("Bearer ")) return false;
    const found = this.accessTokens.get(header.slice(7));
    return found !== undefined && found.expiresAt > this.now() && this.grants.has(found.grant);
  }

  /** Issues a token pair without the front channel (a login endpoint, e.g. Tradovate's access-token request). */
  issueForLogin(scope = ""): { accessToken: string; expiresAt: number; grant: string } {
    const grantId = this.next("grant");
    this.grants.set(grantId, { refreshToken: null, expiresAt: null, scope });
    const token = this.next("access");
    const expiresAt = this.accessExpiry();
    this.accessTokens.set(token, { expiresAt, grant: grantId });
    return { accessToken: token, expiresAt, grant: grantId };
  }

  /** Exchanges a live access token for a new one of the same grant (renewal with the token itself). */
  renewWithAccessToken(request: Request): { accessToken: string; expiresAt: number } | null {
    if (!this.validBearer(request)) return null;
    const old = request.headers.get("authorization")!.slice(7);
    const grant = this.accessTokens.get(old)!.grant;
    const token = this.next("access");
    const expiresAt = this.accessExpiry();
    this.accessTokens.set(token, { expiresAt, grant });
    return { accessToken: token, expiresAt };
  }

  /** Live grants (sessions) at the moment. */
  liveGrants(): number {
    return this.grants.size;
  }

  /** Drops the oldest grants beyond `max` (Tradovate ends the oldest session when a third opens). */
  limitGrants(max: number): void {
    const ids = [...this.grants.keys()];
    for (const id of ids.slice(0, Math.max(0, ids.length - max))) this.killGrant(id);
  }

  /** Every access token issued so far stops working; grants (refresh tokens) live on. */
  expireAccessTokens(): void {
    for (const a of this.accessTokens.values()) a.expiresAt = 0;
  }

  /** Every grant dies: refreshes are refused (`invalid_grant`) and access tokens stop working. */
  revokeAll(): void {
    for (const id of [...this.grants.keys()]) this.killGrant(id);
  }
}
