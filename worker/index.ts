/**
 * Worker entry: the Hono app (webhook, JSON API, dashboard assets), the
 * scheduled jobs (worker/cron.ts) and the Durable Object classes.
 *
 * @module
 */
import { app } from "./app";
import { scheduled } from "./cron";
import type { Env } from "./env";

export type { AppType } from "./app";
export { SubscriptionQueue } from "./execution/subscription-queue";
export { ConnectionSession } from "./connections/session-object";
export { PaperLedger } from "../plugins/paper/ledger-object";
export { RateLimiter } from "./limits/rate-limiter";
export { Notifier } from "./notifications/notifier";
export { AccountReconciler } from "./execution/reconciler";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
