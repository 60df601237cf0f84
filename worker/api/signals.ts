import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../env";

/** /api/signals (placeholder; mounted behind requireAuth). */
export const signalsApi = new OpenAPIHono<AppBindings>();
