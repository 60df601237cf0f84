import { Hono } from "hono";
import type { AppBindings } from "../env";

/** POST /webhook/:strategyId/:secret (placeholder; the real route replaces it). */
export const webhookRoutes = new Hono<AppBindings>();
