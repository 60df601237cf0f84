import { describe, expect, it } from "vitest";
import { authed, signup } from "../helpers/api";
import { setupTrader } from "../helpers/trader";

interface Subscription {
  id: string;
  strategyId: string;
  connectionId: string;
  accountId: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

async function fixtures(token: string) {
  const a = authed(token);
  const conn = await a.post<{ id: string; accounts: { id: string }[] }>("/api/connections", { broker: "paper", name: "P" });
  const strategy = await a.post<{ id: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
  return { a, connectionId: conn.body.id, accountId: conn.body.accounts[0]!.id, strategyId: strategy.body.id };
}

describe("subscriptions: happy paths", () => {
  it("create applies every default and picks the connection's first account", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const res = await f.a.post<Subscription>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ strategyId: f.strategyId, connectionId: f.connectionId, accountId: f.accountId, enabled: true });
    expect(res.body.settings).toMatchObject({ quantity: 1, allowAddToPosition: false, allowSideSwap: true });
  });

  it("accepts an explicit account, enabled flag and settings", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const res = await f.a.post<Subscription>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      accountId: f.accountId,
      enabled: false,
      settings: { quantity: 5, allowAddToPosition: true },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.enabled).toBe(false);
    expect(res.body.settings).toMatchObject({ quantity: 5, allowAddToPosition: true, allowSideSwap: true });
  });

  it("PATCH merges settings then re-validates; enabled toggles", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const created = await f.a.post<Subscription>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      settings: { quantity: 2, allowSideSwap: false },
    });
    const patched = await f.a.patch<Subscription>(`/api/subscriptions/${created.body.id}`, { enabled: false, settings: { quantity: 3 } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.enabled).toBe(false);
    expect(patched.body.settings).toMatchObject({ quantity: 3, allowSideSwap: false });
    const got = await f.a.get<Subscription>(`/api/subscriptions/${created.body.id}`);
    expect(got.body).toEqual(patched.body);
  });

  it("lists, filtered by strategy", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const other = await f.a.post<{ id: string }>("/api/strategies", { name: "Other", assetClass: "stocks" });
    const s1 = await f.a.post<Subscription>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId });
    const s2 = await f.a.post<Subscription>("/api/subscriptions", { strategyId: other.body.id, connectionId: f.connectionId });
    expect((await f.a.get<Subscription[]>("/api/subscriptions")).body.map((s) => s.id)).toEqual([s1.body.id, s2.body.id]);
    expect((await f.a.get<Subscription[]>(`/api/subscriptions?strategyId=${other.body.id}`)).body.map((s) => s.id)).toEqual([s2.body.id]);
  });

  it("positions are empty before any order, and delete works", async () => {
    const { token } = await signup();
    const setup = await setupTrader(token);
    const a = authed(token);
    const pos = await a.get(`/api/subscriptions/${setup.subscriptionId}/positions`);
    expect(pos.status, pos.text).toBe(200);
    expect(pos.body).toEqual([]);
    expect((await a.del(`/api/subscriptions/${setup.subscriptionId}`)).status).toBe(204);
    expect((await a.get(`/api/subscriptions/${setup.subscriptionId}`)).status).toBe(404);
  });
});
