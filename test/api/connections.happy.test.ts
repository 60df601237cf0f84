import { describe, expect, it } from "vitest";
import { authed, client, signup } from "../helpers/api";

interface Connection {
  id: string;
  broker: string;
  name: string;
  status: string;
  statusMessage: string | null;
  settings: Record<string, unknown>;
  credentialsHint: string | null;
  accounts: { id: string; brokerAccountId: string; mode: string; name: string; currency: string }[];
  createdAt: string;
  updatedAt: string;
}

describe("connections: happy paths", () => {
  it("connecting the paper broker gives one paper account and default starting cash", async () => {
    const { token } = await signup();
    const res = await authed(token).post<Connection>("/api/connections", { broker: "paper", name: "My paper" });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ broker: "paper", name: "My paper", status: "connected", credentialsHint: null });
    expect(res.body.settings.startingCash).toBe(100000);
    expect(res.body.accounts).toHaveLength(1);
    expect(res.body.accounts[0]).toMatchObject({ id: expect.any(String), mode: "paper", currency: "USD" });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
  });

  it("balance, positions and orders of a fresh paper account", async () => {
    const { token } = await signup();
    const a = authed(token);
    const conn = await a.post<Connection>("/api/connections", { broker: "paper", name: "P", settings: { startingCash: 25000 } });
    expect(conn.status, conn.text).toBe(201);
    const balance = await a.get<{ cash: number; equity: number; currency: string }>(`/api/connections/${conn.body.id}/balance`);
    expect(balance.status, balance.text).toBe(200);
    expect(balance.body).toMatchObject({ cash: 25000, equity: 25000 });
    const positions = await a.get(`/api/connections/${conn.body.id}/positions`);
    expect(positions.status, positions.text).toBe(200);
    expect(positions.body).toEqual([]);
    const orders = await a.get(`/api/connections/${conn.body.id}/orders?include=recent`);
    expect(orders.status, orders.text).toBe(200);
    expect(orders.body).toEqual([]);
    const explicit = await a.get(`/api/connections/${conn.body.id}/balance?accountId=${conn.body.accounts[0]!.id}`);
    expect(explicit.body).toEqual(balance.body);
  });

  it("lists, reads, renames and re-configures", async () => {
    const { token } = await signup();
    const a = authed(token);
    const one = await a.post<Connection>("/api/connections", { broker: "paper", name: "One" });
    const two = await a.post<Connection>("/api/connections", { broker: "paper", name: "Two" });
    const list = await a.get<Connection[]>("/api/connections");
    expect(list.body.map((c) => c.id)).toEqual([one.body.id, two.body.id]);
    expect(list.body[0]!.accounts).toEqual(one.body.accounts);

    const got = await a.get<Connection>(`/api/connections/${one.body.id}`);
    expect(got.body).toEqual(one.body);

    const patched = await a.patch<Connection>(`/api/connections/${one.body.id}`, { name: "Renamed", settings: { latencyMs: 5 } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.name).toBe("Renamed");
    // Settings merge: startingCash is kept while latencyMs changes.
    expect(patched.body.settings).toMatchObject({ startingCash: 100000, latencyMs: 5 });
    expect((await a.get<Connection>(`/api/connections/${one.body.id}`)).body.name).toBe("Renamed");
  });

  it("delete removes the connection, its accounts and subscriptions", async () => {
    const { token } = await signup();
    const a = authed(token);
    const conn = await a.post<Connection>("/api/connections", { broker: "paper", name: "Doomed" });
    const strategy = await a.post<{ id: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
    const sub = await a.post<{ id: string }>("/api/subscriptions", { strategyId: strategy.body.id, connectionId: conn.body.id });
    expect(sub.status).toBe(201);
    const del = await a.del(`/api/connections/${conn.body.id}`);
    expect(del.status).toBe(204);
    expect((await a.get(`/api/connections/${conn.body.id}`)).status).toBe(404);
    expect((await a.get(`/api/subscriptions/${sub.body.id}`)).status).toBe(404);
    expect((await a.del(`/api/connections/${conn.body.id}`)).status).toBe(404);
  });

  it("works through the typed client", async () => {
    const { token } = await signup();
    const api = client(token).api;
    const res = await api.connections.$post({ json: { broker: "paper", name: "Typed" } });
    expect(res.status).toBe(201);
    if (res.status !== 201) return;
    const created = await res.json();
    const bal = await api.connections[":id"].balance.$get({ param: { id: created.id }, query: {} });
    expect(bal.status).toBe(200);
    if (bal.status === 200) expect((await bal.json()).cash).toBe(100000);
  });
});
