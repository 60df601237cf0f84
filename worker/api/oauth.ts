/**
 * Connecting a broker by OAuth (authorization-code flow, `oauth4webapi`
 * through plugins/sdk/services/oauth.ts):
 *
 * 1. `GET /api/connections/oauth/{broker}/start` (signed in) answers the URL
 *    to send the user to. Its `state` is a jose-signed token bound to the
 *    user, the broker and one row of `oauth_states` (10 minutes, single use);
 *    the PKCE verifier stays in that row, never in the browser.
 * 2. The broker sends the browser to `GET .../callback?code&state`. The state
 *    is verified, the browser must carry the HttpOnly cookie `start` set (its
 *    hash is in the state: the browser that started is the one that
 *    finishes), the state's row is consumed (deleted) in one statement, the code is
 *    exchanged, the tokens go sealed to the connection's ConnectionSession
 *    object (their only owner), the accounts are listed, and the browser goes
 *    back to the dashboard: `/#/connections?connected=<id>`, or
 *    `?error=<code>` with the reason in words.
 *
 * A reconnect (`connectionId`) replaces the tokens of an existing connection
 * and marks it connected; its paused subscriptions stay paused until the
 * user resumes them.
 *
 * Aggregator portals (manifest `auth.scheme: "portal"`, SnapTrade) use the
 * same two routes, state, browser cookie and single-use row: `start`
 * registers the user at the aggregator on their first connect (identity
 * sealed, worker/connections/portal.ts) and answers the portal's URL; the
 * portal sends the browser back to the callback (the state rides in the
 * redirect URI's query, as the portal returns that URI as given), which reads
 * the new authorization and stores it sealed as the connection's
 * credentials (`authMethod: "portal"`), then lists its accounts.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gt, lt } from "drizzle-orm";
import { jwtVerify, SignJWT } from "jose";
import { getPlugin } from "../../plugins";
import { buildAuthorizationUrl, BrokerError, errorMessage, exchangeAuthorizationCode, type BrokerAccount, type RegisteredPlugin } from "../../plugins/sdk";
import { createSessionContext } from "../../plugins/sdk/host";
import { brokerClientFor } from "../connections/broker-client";
import { recordEvent, setConnectionStatus } from "../connections/lifecycle";
import { requireOAuthClient } from "../connections/oauth-config";
import { type ConnectionRow, getOwnedConnection, listConnectionAccounts } from "../connections/store";
import { allowedHostsFor, destinationRules } from "../connections/base-url";
import { isPortalPlugin, portalContext, portalIdentityFor, readIdentity, type PortalPlugin } from "../connections/portal";
import { credentialsHint, openCredentials, sealCredentials } from "../connections/vault";
import { type Db, getDb } from "../db/client";
import { accounts, connections, oauthStates } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { authenticated, createRouter, errorResponses, jsonResponse } from "./openapi";

/** How long a started authorization may take. */
export const STATE_TTL_SECONDS = 10 * 60;
const STATE_AUDIENCE = "tradeloop/oauth-state";
const STATE_ISSUER = "tradeloop";

const BrokerParams = z.object({
  broker: z.string().min(1).max(32).openapi({ param: { name: "broker", in: "path" }, example: "tradestation" }),
});

const StartQuery = z.object({
  environment: z.enum(["demo", "live"]).optional().openapi({
    param: { name: "environment", in: "query" },
    description: "`demo` (the broker's paper/sim environment) or `live`. Default demo where the broker has one, else live.",
  }),
  name: z.string().trim().min(1).max(100).optional().openapi({ param: { name: "name", in: "query" }, description: "The new connection's name (default the broker's name)." }),
  connectionId: z.string().min(1).max(64).optional().openapi({ param: { name: "connectionId", in: "query" }, description: "Reconnect this existing connection instead of creating one." }),
});

const StartSchema = z
  .object({
    url: z.string().openapi({ description: "Send the user's browser here: the broker's sign-in and consent page." }),
    note: z.string().nullable().openapi({ description: "One sentence about this broker's connect flow (e.g. Schwab has no paper environment)." }),
  })
  .openapi("OAuthStart");

const startRoute = createRoute({
  method: "get",
  path: "/{broker}/start",
  tags: ["connections"],
  summary: "Start connecting a broker by OAuth or an aggregator's portal",
  description:
    "Answers the broker's authorization URL, or for a portal broker (SnapTrade) the aggregator's connection portal URL (on the user's first connect the user is registered at the aggregator; its secret is kept sealed and never returned). 400 `oauth-not-configured` / `partner-not-configured` names the Worker secrets this deployment must set (its own app or partner keys at the broker); 400 `oauth-unsupported` when the broker has no OAuth or portal, or not for that environment; 502 `broker-error` when the aggregator did not answer.",
  ...authenticated,
  request: { params: BrokerParams, query: StartQuery },
  responses: { 200: jsonResponse(StartSchema, "Where to send the user."), ...errorResponses(400, 401, 404) },
});

function stateKey(env: Env): Uint8Array {
  // A different audience than session tokens: a state can never pass as a session, nor a session as a state.
  return new TextEncoder().encode(env.JWT_SECRET);
}

/** The public origin the broker redirects back to (PUBLIC_URL when set, else the request's). */
export function publicOrigin(env: Env, requestUrl: string): string {
  return (env.PUBLIC_URL?.replace(/\/+$/, "") || new URL(requestUrl).origin).replace(/\/+$/, "");
}

/** The redirect URL to register at the broker. */
export function redirectUriFor(env: Env, requestUrl: string, broker: string): string {
  return `${publicOrigin(env, requestUrl)}/api/connections/oauth/${broker}/callback`;
}

function oauthPlugin(broker: string): RegisteredPlugin & { manifest: { auth: { oauth: NonNullable<RegisteredPlugin["manifest"]["auth"]["oauth"]> } } } {
  const plugin = getPlugin(broker);
  if (!plugin) throw new AppError("not-found", `No broker "${broker}" is installed on this Tradeloop.`);
  if (!plugin.manifest.auth.oauth) throw new AppError("oauth-unsupported", `${plugin.manifest.displayName} does not connect through OAuth; add it with POST /api/connections and its credentials.`, { status: 400 });
  return plugin as ReturnType<typeof oauthPlugin>;
}

/** demo|live → the plugin's environment, if the broker has it for OAuth. */
function environmentFor(plugin: ReturnType<typeof oauthPlugin>, requested: "demo" | "live" | undefined): "paper" | "live" {
  const spec = plugin.manifest.auth.oauth;
  const has = (e: "paper" | "live") => plugin.manifest.environments[e] !== undefined && spec.authorizationEndpoint[e] !== undefined;
  const wanted = requested === "live" ? "live" : requested === "demo" ? "paper" : has("paper") ? "paper" : "live";
  if (!has(wanted)) {
    throw new AppError(
      "oauth-unsupported",
      `${plugin.manifest.displayName} has no ${wanted === "paper" ? "demo (paper)" : "live"} environment to connect to${spec.connectNote ? `: ${spec.connectNote}` : "."}`,
      { status: 400, field: "environment" },
    );
  }
  return wanted;
}

/**
 * The browser that started the flow must be the one that finishes it: a
 * random value in an HttpOnly cookie, whose hash travels in the state.
 * Without it, an attacker could start a flow in their own account and have
 * a victim approve it, landing the victim's broker in the attacker's
 * Tradeloop. SameSite=Lax: the broker's redirect back is a cross-site
 * top-level navigation, which Strict would not carry the cookie on.
 */
export const BROWSER_COOKIE = "tradeloop_oauth";
const COOKIE_PATH = "/api/connections/oauth";

async function sha256(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function cookieHeader(value: string, requestUrl: string, maxAge: number): string {
  const secure = new URL(requestUrl).protocol === "https:" ? "; Secure" : "";
  return `${BROWSER_COOKIE}=${value}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

function readCookie(header: string | null | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

interface StateClaims {
  sub: string;
  jti: string;
  /** SHA-256 of the browser-binding cookie set by `start`. */
  bnd: string;
  broker: string;
  env: "paper" | "live";
  name: string;
  cid?: string;
}

const callbackRoute = createRoute({
  method: "get",
  path: "/{broker}/callback",
  tags: ["connections"],
  summary: "OAuth callback (the broker redirects the browser here)",
  description:
    "Not called by API clients. Verifies the single-use `state`, exchanges the code (OAuth) or reads the new brokerage authorization (portal), stores the tokens or authorization sealed, lists the accounts and redirects to the dashboard: `/#/connections?connected=<id>`, or `/#/connections?error=<code>&message=<sentence>` with code `oauth-state-invalid`, `oauth-browser-mismatch`, `oauth-state-used`, `oauth-denied`, `oauth-exchange-failed`, `oauth-accounts-failed`, `portal-not-finished` (the user left the portal without linking a brokerage) or `portal-failed` (the aggregator did not confirm the authorization).",
  request: { params: BrokerParams },
  responses: { 302: { description: "Back to the dashboard." } },
});

/** Redirect back to the dashboard's connections screen. */
function backToDashboard(origin: string, params: Record<string, string>): Response {
  const query = new URLSearchParams(params).toString();
  const headers = new Headers({ location: `${origin}/#/connections?${query}`, "cache-control": "no-store", "referrer-policy": "no-referrer" });
  // The binding cookie is spent whatever the outcome.
  headers.append("set-cookie", `${BROWSER_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0`);
  return new Response(null, { status: 302, headers });
}

/** The /api/connections/oauth router. */
export const oauthApi = createRouter()
  .openapi(startRoute, async (c) => {
    const portal = getPlugin(c.req.valid("param").broker);
    if (portal && isPortalPlugin(portal)) {
      const started = await startPortal(c.env, c.req.url, c.var.userId, portal, c.req.valid("query"));
      c.header("set-cookie", cookieHeader(started.binding, c.req.url, STATE_TTL_SECONDS));
      c.header("cache-control", "no-store");
      return c.json({ url: started.url, note: portal.manifest.auth.portal?.connectNote ?? null }, 200);
    }
    const plugin = oauthPlugin(c.req.valid("param").broker);
    const query = c.req.valid("query");
    const spec = plugin.manifest.auth.oauth;
    const client = requireOAuthClient(c.env, spec, plugin.manifest.displayName);
    const db = getDb(c.env.DB);
    const userId = c.var.userId;
    let environment: "paper" | "live";
    if (query.connectionId) {
      const existing = await getOwnedConnection(db, userId, query.connectionId, "connectionId");
      if (existing.broker !== plugin.manifest.id) throw new AppError("invalid-request", `Connection ${existing.name} is not a ${plugin.manifest.displayName} connection.`, { field: "connectionId" });
      environment = existing.settings.environment === "live" ? "live" : "paper";
    } else {
      environment = environmentFor(plugin, query.environment);
    }
    const issued = await signState(c.env, userId, {
      broker: plugin.manifest.id,
      env: environment,
      name: query.name ?? plugin.manifest.displayName,
      ...(query.connectionId && { cid: query.connectionId }),
    });
    const redirectUri = redirectUriFor(c.env, c.req.url, plugin.manifest.id);
    const { url, codeVerifier } = await buildAuthorizationUrl(spec, environment, client, { redirectUri, state: issued.state });
    await storeState(db, userId, plugin.manifest.id, issued, codeVerifier ?? null);
    c.header("set-cookie", cookieHeader(issued.binding, c.req.url, STATE_TTL_SECONDS));
    c.header("cache-control", "no-store");
    return c.json({ url, note: spec.connectNote ?? null }, 200);
  })
  .openapi(callbackRoute, async (c) => {
    const origin = publicOrigin(c.env, c.req.url);
    const broker = c.req.valid("param").broker;
    const params = new URL(c.req.url).searchParams;
    const fail = (code: string, message: string) => backToDashboard(origin, { error: code, message });

    // 1. The state: signed by us, for this broker, not expired, and used once.
    let claims: StateClaims;
    try {
      const { payload } = await jwtVerify(params.get("state") ?? "", stateKey(c.env), {
        algorithms: ["HS256"],
        issuer: STATE_ISSUER,
        audience: STATE_AUDIENCE,
        requiredClaims: ["sub", "jti", "exp"],
      });
      claims = payload as unknown as StateClaims;
    } catch {
      return fail("oauth-state-invalid", "The sign-in could not be matched to a request from this Tradeloop (expired or altered); start connecting again.");
    }
    if (claims.broker !== broker) return fail("oauth-state-invalid", "The sign-in came back for another broker; start connecting again.");
    const cookie = readCookie(c.req.header("cookie"), BROWSER_COOKIE);
    if (!cookie || typeof claims.bnd !== "string" || (await sha256(cookie)) !== claims.bnd) {
      return fail("oauth-browser-mismatch", "This sign-in was started in another browser (or its cookie is gone); start connecting again from the browser you are using.");
    }
    const db = getDb(c.env.DB);
    const consumed = await db
      .delete(oauthStates)
      .where(and(eq(oauthStates.id, claims.jti), eq(oauthStates.userId, claims.sub), eq(oauthStates.broker, broker), gt(oauthStates.expiresAt, Date.now())))
      .returning({ codeVerifier: oauthStates.codeVerifier });
    const row = consumed[0];
    if (!row) return fail("oauth-state-used", "This sign-in link was already used or has expired; start connecting again.");

    const plugin = getPlugin(broker);
    if (plugin && isPortalPlugin(plugin)) return completePortal(c.env, c.req.url, plugin, claims, params, fail);
    const spec = plugin?.manifest.auth.oauth;
    if (!plugin || !spec) return fail("oauth-unsupported", `Broker ${broker} cannot be connected through OAuth here.`);
    if (params.get("error")) {
      const said = params.get("error_description") ?? params.get("error") ?? "";
      return fail("oauth-denied", `${plugin.manifest.displayName} did not authorise Tradeloop (${said.slice(0, 200)}).`);
    }
    let client;
    try {
      client = requireOAuthClient(c.env, spec, plugin.manifest.displayName);
    } catch (e) {
      return fail("oauth-not-configured", errorMessage(e));
    }

    // 2. The code for tokens, through the plugin's session (or the standard grant).
    const environment = claims.env;
    const baseUrl = plugin.manifest.environments[environment] ?? "";
    const redirectUri = redirectUriFor(c.env, c.req.url, broker);
    const id = claims.cid ?? crypto.randomUUID();
    const sessionContext = createSessionContext(
      {
        plugin,
        connectionId: id,
        credentials: undefined,
        settings: {},
        environment,
        baseUrl,
        authMethod: "oauth",
        transport: (request) => fetch(request),
        timeoutMs: 10_000,
        // The code exchange returns the tokens: only to the broker's declared hosts.
        allowedHosts: allowedHostsFor(destinationRules(c.env, plugin), undefined).hosts,
      },
      client,
    );
    let tokens;
    try {
      const grant = { callbackParameters: params, redirectUri, ...(row.codeVerifier && { codeVerifier: row.codeVerifier }) };
      tokens = plugin.session?.exchangeCode ? await plugin.session.exchangeCode(sessionContext, grant) : await exchangeAuthorizationCode(sessionContext, grant);
    } catch (e) {
      log.warn("oauth callback: code exchange failed", { broker, error: errorMessage(e) });
      return fail("oauth-exchange-failed", `${plugin.manifest.displayName} did not accept the sign-in (${e instanceof BrokerError ? e.code : "error"}); start connecting again.`);
    }

    // 3. The connection (new, or the one being reconnected), its tokens with their owner, its accounts.
    const now = Date.now();
    let existing: ConnectionRow | undefined;
    if (claims.cid) {
      existing = await db.select().from(connections).where(and(eq(connections.id, claims.cid), eq(connections.userId, claims.sub))).get();
      if (!existing) return fail("not-found", "The connection to reconnect no longer exists.");
    } else {
      await db.insert(connections).values({
        id,
        userId: claims.sub,
        broker,
        name: claims.name,
        status: "connected",
        statusMessage: null,
        statusAt: now,
        authMethod: "oauth",
        settings: { environment },
        credentialsCiphertext: null,
        credentialsKeyId: null,
        credentialsHint: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    const owner = c.env.CONNECTION_SESSION.getByName(id);
    await owner.install(id, tokens);
    let discovered: BrokerAccount[];
    try {
      discovered = await brokerClientFor(c.env, { id, broker, settings: existing?.settings ?? { environment }, authMethod: "oauth" }).testConnection();
    } catch (e) {
      log.warn("oauth callback: listing accounts failed", { broker, error: errorMessage(e) });
      if (!existing) {
        await owner.disconnect(id);
        await db.delete(connections).where(eq(connections.id, id));
      }
      return fail("oauth-accounts-failed", `${plugin.manifest.displayName} authorised Tradeloop but its accounts could not be listed; try again shortly.`);
    }
    const known = new Set((await listConnectionAccounts(db, claims.sub, id)).map((a) => a.brokerAccountId));
    const fresh = discovered.filter((a) => !known.has(a.brokerAccountId) && known.add(a.brokerAccountId));
    for (const a of fresh) {
      await db.insert(accounts).values({ id: crypto.randomUUID(), userId: claims.sub, connectionId: id, brokerAccountId: a.brokerAccountId, mode: a.mode, name: a.name, currency: a.currency, createdAt: now });
    }
    if (existing) {
      await db
        .update(connections)
        .set({ authMethod: "oauth", credentialsCiphertext: null, credentialsKeyId: null, credentialsHint: null, updatedAt: now })
        .where(eq(connections.id, id));
      await setConnectionStatus(db, id, "connected", null, now);
    }
    await recordEvent(db, {
      userId: claims.sub,
      kind: "connection-connected",
      connectionId: id,
      message: existing ? `The "${existing.name}" connection was reconnected; resume its paused subscriptions when you are ready.` : `${plugin.manifest.displayName} was connected as "${claims.name}".`,
      data: { accounts: discovered.length },
    });
    return backToDashboard(origin, { connected: id });
  });

/** A signed state for one start (OAuth or portal), bound to the browser by a cookie value; single-use once stored ({@link storeState}). */
interface IssuedState {
  state: string;
  binding: string;
  jti: string;
  /** Issue time, seconds. */
  now: number;
}

/** Signs a state (OAuth or portal) and the browser binding's cookie value. */
async function signState(env: Env, userId: string, claims: Omit<StateClaims, "sub" | "jti" | "bnd">): Promise<IssuedState> {
  const jti = crypto.randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const binding = crypto.randomUUID() + crypto.randomUUID();
  const state = await new SignJWT({ ...claims, bnd: await sha256(binding) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setJti(jti)
    .setIssuer(STATE_ISSUER)
    .setAudience(STATE_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + STATE_TTL_SECONDS)
    .sign(stateKey(env));
  return { state, binding, jti, now };
}

/** Stores a signed state's row (what makes it single-use), sweeping anyone's expired rows on the way (they can no longer be used). */
async function storeState(db: Db, userId: string, broker: string, issued: IssuedState, codeVerifier: string | null): Promise<void> {
  await db.batch([
    db.delete(oauthStates).where(lt(oauthStates.expiresAt, Date.now())),
    db.insert(oauthStates).values({ id: issued.jti, userId, broker, codeVerifier, expiresAt: (issued.now + STATE_TTL_SECONDS) * 1000, createdAt: Date.now() }),
  ]);
}

/** A signed, single-use state for one portal start, and the browser binding's cookie value. */
async function issueState(env: Env, db: Db, userId: string, claims: Omit<StateClaims, "sub" | "jti" | "bnd">, codeVerifier: string | null): Promise<{ state: string; binding: string }> {
  const issued = await signState(env, userId, claims);
  await storeState(db, userId, claims.broker, issued, codeVerifier);
  return { state: issued.state, binding: issued.binding };
}

/** What went wrong talking to the aggregator, in words, for a 502 at start. */
function portalFailure(plugin: PortalPlugin, e: unknown): AppError {
  if (e instanceof AppError) return e;
  const code = e instanceof BrokerError ? e.code : "error";
  log.warn("portal start: the aggregator failed", { broker: plugin.manifest.id, code });
  return new AppError("broker-error", `${plugin.manifest.displayName} did not open its connection portal (${code}); try again shortly.`, { status: 502 });
}

/**
 * Portal start: the user's identity at the aggregator (registered and
 * sealed on the first connect), a state bound to this browser, and the
 * portal's URL with the callback (carrying the state) as its way back.
 */
async function startPortal(
  env: Env,
  requestUrl: string,
  userId: string,
  plugin: PortalPlugin,
  query: z.infer<typeof StartQuery>,
): Promise<{ url: string; binding: string }> {
  const db = getDb(env.DB);
  let environment: "paper" | "live" = plugin.manifest.environments.live !== undefined ? "live" : "paper";
  let reconnect: unknown;
  if (query.connectionId) {
    const existing = await getOwnedConnection(db, userId, query.connectionId, "connectionId");
    if (existing.broker !== plugin.manifest.id) throw new AppError("invalid-request", `Connection ${existing.name} is not a ${plugin.manifest.displayName} connection.`, { field: "connectionId" });
    environment = existing.settings.environment === "paper" ? "paper" : "live";
    if (existing.credentialsCiphertext && existing.credentialsKeyId) reconnect = await openCredentials(env.VAULT_KEYS, existing.id, { ciphertext: existing.credentialsCiphertext, keyId: existing.credentialsKeyId });
  } else if (query.environment !== undefined && plugin.manifest.environments[query.environment === "demo" ? "paper" : "live"] === undefined) {
    throw new AppError("oauth-unsupported", `${plugin.manifest.displayName} has no ${query.environment === "demo" ? "demo (paper)" : "live"} environment: its connections are the brokerage accounts themselves.`, { status: 400, field: "environment" });
  }
  const ctx = portalContext(env, plugin, environment);
  try {
    const identity = await portalIdentityFor(env, db, userId, plugin, ctx);
    const { state, binding } = await issueState(
      env,
      db,
      userId,
      { broker: plugin.manifest.id, env: environment, name: query.name ?? plugin.manifest.displayName, ...(query.connectionId && { cid: query.connectionId }) },
      null,
    );
    const redirectUri = `${redirectUriFor(env, requestUrl, plugin.manifest.id)}?${new URLSearchParams({ state })}`;
    const { url } = await plugin.portal.start(ctx, { identity, redirectUri, ...(reconnect !== undefined && { reconnect }) });
    return { url, binding };
  } catch (e) {
    throw portalFailure(plugin, e);
  }
}

/**
 * Portal callback (state, browser and row already checked): the new
 * authorization becomes the connection's sealed credentials (identity
 * merged with what the portal returned), its accounts are listed, and the
 * browser goes back to the dashboard.
 */
async function completePortal(
  env: Env,
  requestUrl: string,
  plugin: PortalPlugin,
  claims: StateClaims,
  params: URLSearchParams,
  fail: (code: string, message: string) => Response,
): Promise<Response> {
  const origin = publicOrigin(env, requestUrl);
  const db = getDb(env.DB);
  const broker = plugin.manifest.id;
  const name = plugin.manifest.displayName;
  let credentials: Record<string, string>;
  try {
    const ctx = portalContext(env, plugin, claims.env);
    const identity = await readIdentity(env, db, claims.sub, broker);
    if (!identity) return fail("portal-failed", `Tradeloop has no ${name} identity for you yet; start connecting again.`);
    const completed = await plugin.portal.complete(ctx, { identity, callbackParameters: params });
    credentials = { ...identity, ...completed };
  } catch (e) {
    if (e instanceof AppError) return fail(e.messageCode, e.message);
    if (e instanceof BrokerError && e.kind === "rejected") return fail("portal-not-finished", e.message);
    log.warn("portal callback: reading the new authorization failed", { broker, code: e instanceof BrokerError ? e.code : "error" });
    return fail("portal-failed", `${name} did not confirm the brokerage connection; try again shortly.`);
  }
  const checked = plugin.manifest.auth.credentials.safeParse(credentials);
  if (!checked.success) return fail("portal-failed", `${name} answered an authorization Tradeloop cannot use; start connecting again.`);

  const now = Date.now();
  const id = claims.cid ?? crypto.randomUUID();
  const settings = { environment: claims.env };
  let existing: ConnectionRow | undefined;
  if (claims.cid) {
    existing = await db.select().from(connections).where(and(eq(connections.id, claims.cid), eq(connections.userId, claims.sub))).get();
    if (!existing) return fail("not-found", "The connection to reconnect no longer exists.");
  }
  let discovered: BrokerAccount[];
  try {
    discovered = await brokerClientFor(env, { id, broker, settings: existing?.settings ?? settings, credentials: checked.data, authMethod: "portal" }).testConnection();
  } catch (e) {
    log.warn("portal callback: listing accounts failed", { broker, code: e instanceof BrokerError ? e.code : "error" });
    return fail("oauth-accounts-failed", `${name} connected the brokerage but its accounts could not be listed; try again shortly.`);
  }
  const sealed = await sealCredentials(env.VAULT_KEYS, id, checked.data);
  const stored = { authMethod: "portal", credentialsCiphertext: sealed.ciphertext, credentialsKeyId: sealed.keyId, credentialsHint: credentialsHint({ authorizationId: credentials.authorizationId ?? "" }) };
  if (existing) {
    await db.update(connections).set({ ...stored, updatedAt: now }).where(and(eq(connections.id, id), eq(connections.userId, claims.sub)));
    await setConnectionStatus(db, id, "connected", null, now);
  } else {
    await db.insert(connections).values({ id, userId: claims.sub, broker, name: claims.name, status: "connected", statusMessage: null, statusAt: now, settings, ...stored, createdAt: now, updatedAt: now });
  }
  const known = new Set((await listConnectionAccounts(db, claims.sub, id)).map((a) => a.brokerAccountId));
  for (const a of discovered.filter((x) => !known.has(x.brokerAccountId) && known.add(x.brokerAccountId))) {
    await db.insert(accounts).values({ id: crypto.randomUUID(), userId: claims.sub, connectionId: id, brokerAccountId: a.brokerAccountId, mode: a.mode, name: a.name, currency: a.currency, createdAt: now });
  }
  await recordEvent(db, {
    userId: claims.sub,
    kind: "connection-connected",
    connectionId: id,
    message: existing ? `The "${existing.name}" connection was reconnected; resume its paused subscriptions when you are ready.` : `${name} was connected as "${claims.name}".`,
    data: { accounts: discovered.length },
  });
  return backToDashboard(origin, { connected: id });
}
