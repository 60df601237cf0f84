/**
 * /api/health: liveness, no auth, no D1.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "./openapi";

const healthRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["meta"],
  summary: "Liveness check",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }).openapi("Health"), "The Worker is up.") },
});

/** The /api/health router. */
export const healthApi = createRouter().openapi(healthRoute, (c) => c.json({ ok: true as const }, 200));
