import { Hono } from "hono";
import type { AppBindings } from "./env";

const app = new Hono<AppBindings>().get("/api/health", (c) => c.json({ ok: true }));

export type AppType = typeof app;
export default app;
export { SubscriptionQueue } from "./execution/subscription-queue";
export { PaperLedger } from "../plugins/paper/ledger-object";
