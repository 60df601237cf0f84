/**
 * Worker entry: the Hono app (webhook, JSON API, dashboard assets) and the
 * Durable Object classes.
 *
 * @module
 */
import { app } from "./app";

export type { AppType } from "./app";
export { SubscriptionQueue } from "./execution/subscription-queue";
export { ConnectionSession } from "./connections/session-object";
export { PaperLedger } from "../plugins/paper/ledger-object";

export default app;
