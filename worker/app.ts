/**
 * The Hono app: the webhook, the JSON API under /api, the OpenAPI document,
 * and the dashboard's static assets for everything else.
 *
 * Routes are chained so `AppType` carries every route's types for
 * `hc<AppType>()` (dashboard, tests).
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { requireAuth, requireConfiguredSecrets } from "./auth/middleware";
import { accountRiskApi } from "./api/account-risk";
import { requireSameOrigin } from "./auth/origin";
import { auditApi } from "./api/audit";
import { approvalsApi } from "./api/approvals";
import { authApi } from "./api/auth";
import { brokersApi } from "./api/brokers";
import { channelsApi } from "./api/channels";
import { connectionBrokerApi } from "./api/connection-broker";
import { connectionLifecycleApi } from "./api/connection-lifecycle";
import { connectionsApi } from "./api/connections";
import { driftApi } from "./api/drift";
import { eventsApi } from "./api/events";
import { oauthApi } from "./api/oauth";
import { healthApi, healthzApi } from "./api/health";
import { killSwitchApi } from "./api/kill-switch";
import { performanceApi } from "./api/performance";
import { positionsApi } from "./api/positions";
import { schemasApi } from "./api/schemas";
import { BEARER_SCHEME } from "./api/openapi";
import { apiBodyLimit, renderError, requireWellFormedJson } from "./api/request-guards";
import { signalsApi } from "./api/signals";
import { strategiesApi } from "./api/strategies";
import { subscriptionsApi } from "./api/subscriptions";
import { templatesApi } from "./api/templates";
import { validationHook } from "./api/validation";
import type { AppBindings } from "./env";
import { requestLog } from "./lib/request-log";
import { warnIgnoredDevFlags } from "./lib/environment";
import { securityHeaders } from "./lib/security-headers";
import { webhookRoutes } from "./webhook/route";
import { log } from "./lib/log";

const root = new OpenAPIHono<AppBindings>({ defaultHook: validationHook });

root.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "The `token` from POST /api/auth/signup or /api/auth/login (15 minutes; renew at /api/auth/refresh), or an API token (`tlk_...`) from POST /api/auth/tokens. The dashboard uses session cookies instead.",
});

// Middleware first: Hono runs handlers in registration order. The request id and the
// access line come before everything, so every later log line carries the id.
root.use("*", requestLog);
// Security headers on everything the Worker answers (worker/lib/security-headers.ts).
root.use("*", securityHeaders);
// Development switches set outside development are ignored; say so once per isolate.
root.use("*", async (c, next) => {
  warnIgnoredDevFlags(c.env, (message) => log.warn(message));
  await next();
});
// Cross-site request forgery: state-changing API calls must come from this origin (worker/auth/origin.ts).
root.use("/api/*", requireConfiguredSecrets, requireSameOrigin, apiBodyLimit, requireWellFormedJson);
// The signals router belongs to the webhook/executor side. It is secured here, at the mount
// point, so a route added there without `authenticated` is still private (its routes that do
// declare it verify the token a second time; one HMAC, cheap).
root.use("/api/signals", requireAuth);
root.use("/api/signals/*", requireAuth);

/** The whole Worker app. */
export const app = root
  .route("/", webhookRoutes)
  .route("/api/health", healthApi)
  .route("/healthz", healthzApi)
  .route("/api/auth", authApi)
  .route("/api/brokers", brokersApi)
  .route("/api/connections/oauth", oauthApi)
  .route("/api/connections", connectionsApi)
  .route("/api/connections", connectionBrokerApi)
  .route("/api/connections", connectionLifecycleApi)
  .route("/api/events", eventsApi)
  .route("/api/strategies", strategiesApi)
  .route("/api/strategies", templatesApi)
  .route("/api/subscriptions", subscriptionsApi)
  .route("/api/signals", signalsApi)
  .route("/api/portfolio", positionsApi)
  .route("/api/performance", performanceApi)
  .route("/api/schemas", schemasApi)
  .route("/api/channels", channelsApi)
  .route("/api/kill-switch", killSwitchApi)
  .route("/api/accounts", accountRiskApi)
  .route("/api/drift", driftApi)
  .route("/api", approvalsApi)
  .route("/api/audit", auditApi)
  .doc31("/api/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Tradeloop API",
      version: "1",
      description: "Self-hosted trade automation. Authenticate with `Authorization: Bearer <token>` from /api/auth/login.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));

app.onError(renderError);

app.notFound(async (c) => {
  const path = c.req.path;
  if (path === "/api" || path.startsWith("/api/")) {
    return c.json({ error: { messageCode: "not-found", message: `No API route matches ${c.req.method} ${path}.` } }, 404);
  }
  if (path === "/webhook" || path.startsWith("/webhook/")) {
    // Webhook callers expect the TradersPost shape; the path may hold a secret, so it is not echoed.
    return c.json({ success: false, messageCode: "not-found", message: "Webhook URLs look like /webhook/<strategyId>/<secret>." }, 404);
  }
  if (c.env.ASSETS) {
    // Copied so the security-headers middleware can add to its (otherwise immutable) headers.
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    return new Response(asset.body, asset);
  }
  return c.text("Not found", 404);
});

/** Route types for `hc<AppType>()`. */
export type AppType = typeof app;
