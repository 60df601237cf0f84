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
export type Position = InferResponseType<(typeof api.api.connections)[":id"]["positions"]["$get"], 200>[number];
export type Balance = InferResponseType<(typeof api.api.connections)[":id"]["balance"]["$get"], 200>;
export type Strategy = InferResponseType<typeof api.api.strategies.$get, 200>[number];
export type AlertTemplates = InferResponseType<(typeof api.api.strategies)[":id"]["templates"]["$get"], 200>;
export type Subscription = InferResponseType<typeof api.api.subscriptions.$get, 200>[number];
export type SignalPage = InferResponseType<typeof api.api.signals.$get, 200>;
export type Signal = SignalPage["signals"][number];
export type PendingTrade = InferResponseType<typeof api.api.approvals.$get, 200>["trades"][number];
