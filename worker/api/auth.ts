/**
 * /api/auth: sign up, log in, and who am I.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../auth/password";
import { issueSessionToken } from "../auth/session";
import { findPublicUser, findUserByEmail, insertUser, isSignupOpen } from "../auth/users";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { authenticated, createRouter, errorResponses, jsonBody, jsonResponse } from "./openapi";

/** A user as the API shows it. */
export const UserSchema = z.object({ id: z.string(), email: z.string() }).openapi("User");

/** `{ user, token }`: the reply to sign-up and log-in. */
export const SessionSchema = z
  .object({
    user: UserSchema,
    token: z.string().openapi({ description: "Session JWT (HS256, 7 days). Send it as `Authorization: Bearer <token>`." }),
  })
  .openapi("Session");

/** `{ user }`: the reply to GET /api/auth/me. */
export const MeSchema = z.object({ user: UserSchema }).openapi("Me");

const SignupBody = z
  .object({
    email: z.string().trim().toLowerCase().max(254).email().openapi({ example: "trader@example.com" }),
    password: z.string().min(8).max(1024).openapi({ description: "At least 8 characters." }),
  })
  .openapi("SignupRequest");

// Log-in does not re-check the sign-up rules: it must not hint at the password policy.
const LoginBody = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(254).openapi({ example: "trader@example.com" }),
    password: z.string().min(1).max(1024),
  })
  .openapi("LoginRequest");

const signupRoute = createRoute({
  method: "post",
  path: "/signup",
  tags: ["auth"],
  summary: "Create an account",
  description:
    "Open when the deployment sets `SIGNUP_OPEN=true`; otherwise only the first account of a fresh deployment can be created.",
  request: { body: jsonBody(SignupBody) },
  responses: {
    201: jsonResponse(SessionSchema, "Account created; the token is a session."),
    ...errorResponses(400, 403, 409, 413),
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/login",
  tags: ["auth"],
  summary: "Log in",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: jsonResponse(SessionSchema, "Logged in."),
    ...errorResponses(400, 401, 413),
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  summary: "The logged-in user",
  ...authenticated,
  responses: {
    200: jsonResponse(MeSchema, "The user the token belongs to."),
    ...errorResponses(401),
  },
});

const INVALID_CREDENTIALS = "The email or password is incorrect.";

/** The /api/auth router. Sign-up and log-in are public; /me needs a token. */
export const authApi = createRouter()
  .openapi(signupRoute, async (c) => {
    const { email, password } = c.req.valid("json");
    const user = { id: crypto.randomUUID(), email, passwordHash: await hashPassword(password), createdAt: Date.now() };
    const outcome = await insertUser(c.env.DB, user, { onlyIfFirst: !isSignupOpen(c.env.SIGNUP_OPEN) });
    if (outcome === "signup-closed") {
      throw new AppError("signup-closed", "Sign-up is closed on this Tradeloop. Ask its owner to create your account or to set SIGNUP_OPEN=true.");
    }
    if (outcome === "email-taken") {
      throw new AppError("email-taken", "An account with this email already exists. Log in instead.", { field: "email" });
    }
    const token = await issueSessionToken(c.env.JWT_SECRET, user.id);
    return c.json({ user: { id: user.id, email: user.email }, token }, 201);
  })
  .openapi(loginRoute, async (c) => {
    const { email, password } = c.req.valid("json");
    const user = await findUserByEmail(getDb(c.env.DB), email);
    // Always run PBKDF2, against a dummy hash when the email is unknown, so
    // timing does not tell which emails have accounts.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok) throw new AppError("invalid-credentials", INVALID_CREDENTIALS);
    const token = await issueSessionToken(c.env.JWT_SECRET, user.id);
    return c.json({ user: { id: user.id, email: user.email }, token }, 200);
  })
  .openapi(meRoute, async (c) => {
    const user = await findPublicUser(getDb(c.env.DB), c.var.userId);
    // A valid token for a user that no longer exists is treated as no session.
    if (!user) throw new AppError("unauthorized", "The account for this session no longer exists. Log in again.");
    return c.json({ user }, 200);
  });
