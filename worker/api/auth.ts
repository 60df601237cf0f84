/**
 * /api/auth: sign up, log in, refresh, log out (here or everywhere), change
 * the password, who am I, and API tokens.
 *
 * Sign-up and log-in answer `{ user, token }` for API clients (Bearer) and
 * also set the dashboard's HttpOnly session cookies (cookies.ts). Both are
 * throttled, and sign-up decides whether it is allowed BEFORE it spends a
 * PBKDF2 hash on the password.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { API_TOKEN_SCOPES, createApiToken, listApiTokens, revokeApiToken } from "../auth/api-tokens";
import { clearSessionCookies, readSessionCookies, setSessionCookies } from "../auth/cookies";
import { sha256Hex, stringsEqual } from "../auth/encoding";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../auth/password";
import { ACCESS_TTL_SECONDS, issueAccessToken } from "../auth/session";
import { createSession, refreshSession, revokeAllSessions, revokeSession } from "../auth/sessions";
import { anyUserExists, findPublicUser, findUserByEmail, insertUser, isSignupOpen, setPasswordHash } from "../auth/users";
import { audit } from "../audit/log";
import { getDb, isoTime } from "../db/client";
import type { AppBindings } from "../env";
import { AppError } from "../errors";
import { isDevelopment } from "../lib/environment";
import { accountKey, clientIp, RATE_RULES, throttle } from "../limits/throttle";
import { authenticated, createRouter, errorResponses, IdParams, jsonBody, jsonResponse } from "./openapi";

/** A user as the API shows it. */
export const UserSchema = z.object({ id: z.string(), email: z.string() }).openapi("User");

/** `{ user, token, ... }`: the reply to sign-up, log-in, refresh and a password change. */
export const SessionSchema = z
  .object({
    user: UserSchema,
    token: z.string().openapi({ description: `Access JWT (HS256, ${ACCESS_TTL_SECONDS / 60} minutes). Send it as \`Authorization: Bearer <token>\`.` }),
    expiresAt: z.string().openapi({ format: "date-time", description: "When `token` expires." }),
    refreshToken: z.string().openapi({ description: "Exchange it at POST /api/auth/refresh for a new token (it is replaced each time). The dashboard uses cookies instead." }),
  })
  .openapi("Session");

/** `{ user }`: the reply to GET /api/auth/me. */
export const MeSchema = z.object({ user: UserSchema }).openapi("Me");

const PasswordField = z.string().min(8).max(1024).openapi({ description: "At least 8 characters." });

const SignupBody = z
  .object({
    email: z.string().trim().toLowerCase().max(254).email().openapi({ example: "trader@example.com" }),
    password: PasswordField,
    setupToken: z.string().max(256).optional().openapi({
      description: "Required for the first account of a deployment (outside development): the SETUP_TOKEN secret, from the setup link printed at deploy.",
    }),
  })
  .openapi("SignupRequest");

// Log-in does not re-check the sign-up rules: it must not hint at the password policy.
const LoginBody = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(254).openapi({ example: "trader@example.com" }),
    password: z.string().min(1).max(1024),
  })
  .openapi("LoginRequest");

const RefreshBody = z
  .object({ refreshToken: z.string().max(512).optional().openapi({ description: "From a previous session reply; the dashboard's cookie is used when omitted." }) })
  .openapi("RefreshRequest");

const PasswordChangeBody = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordField }).openapi("PasswordChangeRequest");

const ApiTokenScopeSchema = z.enum(API_TOKEN_SCOPES).openapi({ description: "`read`: GET only. `trade`: also changes strategies, subscriptions, connections and approvals." });

/** An API token as listed (never the token itself). */
export const ApiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(ApiTokenScopeSchema),
    createdAt: z.string().openapi({ format: "date-time" }),
    lastUsedAt: z.string().nullable().openapi({ format: "date-time", description: "Last request made with it (to the nearest 5 minutes)." }),
  })
  .openapi("ApiToken");

const CreatedApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: "Send as `Authorization: Bearer <token>`. Shown this once: only its hash is stored." }),
}).openapi("CreatedApiToken");

const CreateApiTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "Portfolio script" }),
    scopes: z.array(ApiTokenScopeSchema).min(1).openapi({ example: ["read"] }),
  })
  .openapi("CreateApiTokenRequest");

const signupRoute = createRoute({
  method: "post",
  path: "/signup",
  tags: ["auth"],
  summary: "Create an account",
  description:
    "The first account of a deployment is its owner's and needs `setupToken` (the SETUP_TOKEN secret) unless Tradeloop runs in development. After that, sign-up is open only when the deployment sets `SIGNUP_OPEN=true`. Throttled per address (429 `too-many-requests`).",
  request: { body: jsonBody(SignupBody) },
  responses: {
    201: jsonResponse(SessionSchema, "Account created; also sets the session cookies."),
    ...errorResponses(400, 403, 409, 413, 429),
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  tags: ["auth"],
  summary: "Log in",
  description: "Throttled per account and per address (429 `too-many-requests` with Retry-After). Also sets the session cookies.",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: jsonResponse(SessionSchema, "Logged in."),
    ...errorResponses(400, 401, 413, 429),
  },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/refresh",
  tags: ["auth"],
  summary: "Get a new access token",
  description: "Takes the refresh token (body, or the dashboard's cookie) and answers a new access token and a new refresh token; the old refresh token stops working. Reusing an old one ends the session.",
  request: { body: { required: false, content: { "application/json": { schema: RefreshBody } } } },
  responses: { 200: jsonResponse(SessionSchema, "A fresh access token."), ...errorResponses(401) },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/logout",
  tags: ["auth"],
  summary: "Log out (this session)",
  description: "Ends the session server-side: its access and refresh tokens stop working. Clears the cookies.",
  ...authenticated,
  responses: { 204: { description: "Logged out." }, ...errorResponses(401, 403) },
});

const logoutEverywhereRoute = createRoute({
  method: "post",
  path: "/logout-everywhere",
  tags: ["auth"],
  summary: "Log out everywhere",
  description: "Ends every session of the account, this one included. API tokens are not affected (revoke them separately).",
  ...authenticated,
  responses: { 204: { description: "Every session ended." }, ...errorResponses(401, 403) },
});

const passwordRoute = createRoute({
  method: "post",
  path: "/password",
  tags: ["auth"],
  summary: "Change the password",
  description: "Needs the current password. Ends every session of the account and answers a new one for this client.",
  ...authenticated,
  request: { body: jsonBody(PasswordChangeBody) },
  responses: { 200: jsonResponse(SessionSchema, "Password changed; a new session."), ...errorResponses(400, 401, 403, 429) },
});

const meRoute = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The logged-in user",
  description: "Tells whether the session (cookie or token) is alive.",
  ...authenticated,
  responses: {
    200: jsonResponse(MeSchema, "The user the session belongs to."),
    ...errorResponses(401),
  },
});

const createTokenRoute = createRoute({
  method: "post",
  path: "/tokens",
  tags: ["auth"],
  summary: "Create an API token",
  description: "For programs. The token is answered once and only its hash is stored. Needs a log-in (not another API token).",
  ...authenticated,
  request: { body: jsonBody(CreateApiTokenBody) },
  responses: { 201: jsonResponse(CreatedApiTokenSchema, "The token, shown once."), ...errorResponses(400, 401, 403) },
});

const listTokensRoute = createRoute({
  method: "get",
  path: "/tokens",
  tags: ["auth"],
  summary: "List your API tokens",
  ...authenticated,
  responses: { 200: jsonResponse(z.array(ApiTokenSchema), "Newest first, with their last use."), ...errorResponses(401, 403) },
});

const revokeTokenRoute = createRoute({
  method: "delete",
  path: "/tokens/{id}",
  tags: ["auth"],
  summary: "Revoke an API token",
  ...authenticated,
  request: { params: IdParams },
  responses: { 204: { description: "Revoked." }, ...errorResponses(401, 403, 404) },
});

const INVALID_CREDENTIALS = "The email or password is incorrect.";

/** Starts a session for a user: the row, the access token, the cookies and the reply body. */
async function startSession(c: Context<AppBindings>, user: { id: string; email: string }) {
  const session = await createSession(getDb(c.env.DB), user.id, c.req.header("User-Agent"));
  const access = await issueAccessToken(c.env.JWT_SECRET, user.id, session.sessionId);
  setSessionCookies(c, access.token, session.refreshToken, session.expiresAt);
  return { user: { id: user.id, email: user.email }, token: access.token, expiresAt: isoTime(access.expiresAt), refreshToken: session.refreshToken };
}

/** Whether a presented setup token equals SETUP_TOKEN: digests compared in constant time (no length leak). */
async function setupTokenMatches(presented: string | undefined, expected: string | undefined): Promise<boolean> {
  if (!presented || !expected) return false;
  return stringsEqual(await sha256Hex(presented), await sha256Hex(expected));
}

/** The /api/auth router. Sign-up, log-in and refresh are public; the rest needs a log-in. */
export const authApi = createRouter()
  .openapi(signupRoute, async (c) => {
    const { email, password, setupToken } = c.req.valid("json");
    await throttle(c.env, [{ key: `signup-ip:${clientIp(c.req.raw.headers)}`, rule: RATE_RULES.signupIp }], "sign-up attempts");
    // Decide whether this sign-up may happen before spending a PBKDF2 hash on it.
    const first = !(await anyUserExists(c.env.DB));
    if (first) {
      if (!isDevelopment(c.env) && !(await setupTokenMatches(setupToken, c.env.SETUP_TOKEN))) {
        throw new AppError(
          "setup-token-required",
          c.env.SETUP_TOKEN
            ? "This Tradeloop has no owner yet: the first account needs the setup token from the setup link printed at deploy (#/setup?token=...)."
            : "This Tradeloop has no owner yet and no SETUP_TOKEN is set; the operator sets it with `wrangler secret put SETUP_TOKEN` and opens the setup link.",
          { field: "setupToken" },
        );
      }
    } else if (!isSignupOpen(c.env.SIGNUP_OPEN)) {
      throw new AppError("signup-closed", "Sign-up is closed on this Tradeloop. Ask its owner to create your account or to set SIGNUP_OPEN=true.");
    }
    const user = { id: crypto.randomUUID(), email, passwordHash: await hashPassword(password, c.env.PASSWORD_PEPPER), createdAt: Date.now() };
    // A first sign-up is inserted only while the table is still empty (two racing owners: one wins).
    const outcome = await insertUser(c.env.DB, user, { onlyIfFirst: first && !isSignupOpen(c.env.SIGNUP_OPEN) });
    if (outcome === "signup-closed") {
      throw new AppError("signup-closed", "Sign-up is closed on this Tradeloop. Ask its owner to create your account or to set SIGNUP_OPEN=true.");
    }
    if (outcome === "email-taken") {
      throw new AppError("email-taken", "An account with this email already exists. Log in instead.", { field: "email" });
    }
    await audit(c, "signup", { first }, user.id);
    return c.json(await startSession(c, user), 201);
  })
  .openapi(loginRoute, async (c) => {
    const { email, password } = c.req.valid("json");
    await throttle(
      c.env,
      [
        { key: `login-ip:${clientIp(c.req.raw.headers)}`, rule: RATE_RULES.loginIp },
        { key: await accountKey("login-account", email), rule: RATE_RULES.loginAccount },
      ],
      "log-in attempts",
    );
    const db = getDb(c.env.DB);
    const user = await findUserByEmail(db, email);
    // Always hash, against a dummy when the email is unknown, so timing does not tell which emails have accounts.
    const check = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH, c.env.PASSWORD_PEPPER);
    if (!user || !check.ok) {
      if (user) await audit(c, "login-failed", {}, user.id);
      throw new AppError("invalid-credentials", INVALID_CREDENTIALS);
    }
    // An older hash (unpeppered v1) is replaced now that the password is known.
    if (check.needsUpgrade) await setPasswordHash(db, user.id, await hashPassword(password, c.env.PASSWORD_PEPPER));
    await audit(c, "login", {}, user.id);
    return c.json(await startSession(c, user), 200);
  })
  .openapi(refreshRoute, async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as unknown;
    const parsed = RefreshBody.safeParse(body ?? {});
    const presented = (parsed.success ? parsed.data.refreshToken : undefined) ?? readSessionCookies(c).refresh;
    if (!presented) throw new AppError("unauthorized", "Send the refresh token (or log in again).");
    const db = getDb(c.env.DB);
    const renewed = await refreshSession(db, presented);
    if (!renewed.ok) {
      if (renewed.reason === "reused") await audit(c, "session-reuse-detected", {}, renewed.userId);
      clearSessionCookies(c);
      throw new AppError("unauthorized", "The refresh token is invalid, was already used, or its session ended. Log in again.");
    }
    const user = await findPublicUser(db, renewed.userId);
    if (!user) throw new AppError("unauthorized", "The account for this session no longer exists.");
    const access = await issueAccessToken(c.env.JWT_SECRET, user.id, renewed.sessionId);
    setSessionCookies(c, access.token, renewed.refreshToken, renewed.expiresAt);
    return c.json({ user, token: access.token, expiresAt: isoTime(access.expiresAt), refreshToken: renewed.refreshToken }, 200);
  })
  .openapi(logoutRoute, async (c) => {
    const auth = c.var.auth;
    if (auth.kind === "session") await revokeSession(getDb(c.env.DB), c.var.userId, auth.sessionId);
    clearSessionCookies(c);
    await audit(c, "logout");
    return c.body(null, 204);
  })
  .openapi(logoutEverywhereRoute, async (c) => {
    const ended = await revokeAllSessions(getDb(c.env.DB), c.var.userId);
    clearSessionCookies(c);
    await audit(c, "logout-everywhere", { sessions: ended });
    return c.body(null, 204);
  })
  .openapi(passwordRoute, async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    const db = getDb(c.env.DB);
    const me = await findPublicUser(db, c.var.userId);
    if (!me) throw new AppError("unauthorized", "The account for this session no longer exists.");
    await throttle(c.env, [{ key: await accountKey("login-account", me.email), rule: RATE_RULES.loginAccount }], "password attempts");
    const user = await findUserByEmail(db, me.email);
    const check = await verifyPassword(currentPassword, user?.passwordHash ?? DUMMY_PASSWORD_HASH, c.env.PASSWORD_PEPPER);
    if (!user || !check.ok) throw new AppError("invalid-credentials", "The current password is incorrect.", { field: "currentPassword" });
    await setPasswordHash(db, user.id, await hashPassword(newPassword, c.env.PASSWORD_PEPPER));
    // Whoever else held a session (a stolen token, a forgotten laptop) is out now.
    const ended = await revokeAllSessions(db, user.id);
    await audit(c, "password-changed", { sessionsEnded: ended });
    return c.json(await startSession(c, me), 200);
  })
  .openapi(meRoute, async (c) => {
    const user = await findPublicUser(getDb(c.env.DB), c.var.userId);
    // A valid token for a user that no longer exists is treated as no session.
    if (!user) throw new AppError("unauthorized", "The account for this session no longer exists. Log in again.");
    return c.json({ user }, 200);
  })
  .openapi(createTokenRoute, async (c) => {
    const { name, scopes } = c.req.valid("json");
    const created = await createApiToken(getDb(c.env.DB), c.var.userId, name, scopes);
    await audit(c, "token-created", { tokenId: created.id, name, scopes: created.scopes });
    return c.json({ id: created.id, name, scopes: created.scopes, createdAt: isoTime(created.createdAt), lastUsedAt: null, token: created.token }, 201);
  })
  .openapi(listTokensRoute, async (c) => {
    const rows = await listApiTokens(getDb(c.env.DB), c.var.userId);
    return c.json(
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        scopes: r.scopes.filter((s): s is (typeof API_TOKEN_SCOPES)[number] => (API_TOKEN_SCOPES as readonly string[]).includes(s)),
        createdAt: isoTime(r.createdAt),
        lastUsedAt: r.lastUsedAt === null ? null : isoTime(r.lastUsedAt),
      })),
      200,
    );
  })
  .openapi(revokeTokenRoute, async (c) => {
    const { id } = c.req.valid("param");
    const name = await revokeApiToken(getDb(c.env.DB), c.var.userId, id);
    if (name === null) throw new AppError("not-found", "API token not found.");
    await audit(c, "token-revoked", { tokenId: id, name });
    return c.body(null, 204);
  });
