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
import { getDb } from "../db/client";
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
  summary: "Start connecting a broker by OAuth",
  description:
    "Answers the broker's authorization URL. 400 `oauth-not-configured` names the Worker secrets this deployment must set (its own app at the broker); 400 `oauth-unsupported` when the broker has no OAuth or not for that environment.",
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
    "Not called by API clients. Verifies the single-use `state`, exchanges the code, stores the tokens sealed, lists the accounts and redirects to the dashboard: `/#/connections?connected=<id>`, or `/#/connections?error=<code>&message=<sentence>`.",
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
    const jti = crypto.randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const binding = crypto.randomUUID() + crypto.randomUUID();
    const claims: Omit<StateClaims, "sub" | "jti"> = {
      bnd: await sha256(binding),
      broker: plugin.manifest.id,
      env: environment,
      name: query.name ?? plugin.manifest.displayName,
      ...(query.connectionId && { cid: query.connectionId }),
    };
    const state = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setJti(jti)
      .setIssuer(STATE_ISSUER)
      .setAudience(STATE_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + STATE_TTL_SECONDS)
      .sign(stateKey(c.env));
    const redirectUri = redirectUriFor(c.env, c.req.url, plugin.manifest.id);
    const { url, codeVerifier } = await buildAuthorizationUrl(spec, environment, client, { redirectUri, state });
    // Expired rows of anyone are swept on the way (they can no longer be used).
    await db.batch([
      db.delete(oauthStates).where(lt(oauthStates.expiresAt, Date.now())),
      db.insert(oauthStates).values({ id: jti, userId, broker: plugin.manifest.id, codeVerifier: codeVerifier ?? null, expiresAt: (now + STATE_TTL_SECONDS) * 1000, createdAt: Date.now() }),
    ]);
    c.header("set-cookie", cookieHeader(binding, c.req.url, STATE_TTL_SECONDS));
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
