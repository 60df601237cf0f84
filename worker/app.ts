import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "./env";

/** Placeholder app; worker/app.ts composes every router. */
export const app = new OpenAPIHono<AppBindings>().get("/api/health", (c) => c.json({ ok: true }));
export type AppType = typeof app;
