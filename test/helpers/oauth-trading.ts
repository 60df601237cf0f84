/**
 * A strategy and a subscription on an OAuth connection, for lifecycle tests.
 *
 * @module
 */
import { expect } from "vitest";
import { authed } from "./api";

export interface Subscribed {
  strategyId: string;
  webhookUrl: string;
  subscriptionId: string;
}

/** A stocks strategy with one subscription on `connectionId`. */
export async function subscribe(token: string, connectionId: string): Promise<Subscribed> {
  const strategy = await authed(token).post<{ id: string; webhookUrl: string }>("/api/strategies", { name: `OAuth strategy ${crypto.randomUUID().slice(0, 6)}`, assetClass: "stocks" });
  expect(strategy.status, strategy.text).toBe(201);
  const sub = await authed(token).post<{ id: string }>("/api/subscriptions", { strategyId: strategy.body.id, connectionId, settings: { quantity: 1 } });
  expect(sub.status, sub.text).toBe(201);
  return { strategyId: strategy.body.id, webhookUrl: strategy.body.webhookUrl, subscriptionId: sub.body.id };
}
