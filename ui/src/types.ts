/**
 * Response types of the routes the dashboard reads, inferred from the
 * Worker's route definitions through the typed client: when a response
 * schema changes, the dashboard stops compiling instead of breaking quietly.
 *
 * @module
 */
import type { InferResponseType } from "hono/client";
import type { api } from "./api";

export type Broker = InferResponseType<typeof api.api.brokers.$get, 200>[number];
export type Connection = InferResponseType<typeof api.api.connections.$get, 200>[number];
export type Account = Connection["accounts"][number];
export type ConnectionTest = InferResponseType<(typeof api.api.connections)[":id"]["test"]["$post"], 200>;
export type Strategy = InferResponseType<typeof api.api.strategies.$get, 200>[number];
export type AlertTemplates = InferResponseType<(typeof api.api.strategies)[":id"]["templates"]["$get"], 200>;
export type AlertTemplate = AlertTemplates["templates"][number];
export type Subscription = InferResponseType<typeof api.api.subscriptions.$get, 200>[number];
export type SubscriptionSettings = Subscription["settings"];
export type SignalPage = InferResponseType<typeof api.api.signals.$get, 200>;
export type Signal = SignalPage["signals"][number];
export type Trade = Signal["trades"][number];
export type PendingTrade = InferResponseType<typeof api.api.approvals.$get, 200>["trades"][number];
export type Portfolio = InferResponseType<typeof api.api.portfolio.$get, 200>;
export type PortfolioAccount = Portfolio["accounts"][number];
export type PortfolioPosition = PortfolioAccount["positions"][number];
export type PortfolioOrder = PortfolioAccount["openOrders"][number];
export type PerformanceList = InferResponseType<typeof api.api.performance.$get, 200>;
export type Performance = InferResponseType<(typeof api.api.performance.accounts)[":id"]["$get"], 200>;
export type SettingsSchemas = InferResponseType<typeof api.api.schemas.$get, 200>;
