import { describe, expect, it } from "vitest";
import { type ApiErrorJson, authed, signup } from "../helpers/api";

async function fixtures(token: string) {
  const a = authed(token);
  const conn = await a.post<{ id: string; accounts: { id: string }[] }>("/api/connections", { broker: "paper", name: "P" });
  const strategy = await a.post<{ id: string }>("/api/strategies", { name: "S", assetClass: "stocks" });
  return { a, connectionId: conn.body.id, accountId: conn.body.accounts[0]!.id, strategyId: strategy.body.id };
}

describe("subscriptions: errors", () => {
  it("an invalid setting names settings.<field>", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const res = await f.a.post<ApiErrorJson>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      settings: { quantity: -1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      messageCode: "invalid-request",
      message: "settings.quantity must be greater than 0.",
      field: "settings.quantity",
      requestId: expect.any(String),
    });
  });

  it("a setting of the wrong type or an unknown setting is refused by name", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const wrongType = await f.a.post<ApiErrorJson>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      settings: { allowSideSwap: "yes" },
    });
    expect(wrongType.body.error).toMatchObject({ field: "settings.allowSideSwap", message: "settings.allowSideSwap must be true or false." });
    const unknown = await f.a.post<ApiErrorJson>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      settings: { qty: 1 },
    });
    expect(unknown.body.error).toMatchObject({ field: "settings.qty" });
  });

  it("PATCH re-validates after merging", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const sub = await f.a.post<{ id: string }>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId });
    const res = await f.a.patch<ApiErrorJson>(`/api/subscriptions/${sub.body.id}`, { settings: { quantity: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("settings.quantity");
  });

  it("unknown strategy, connection or account are 404 naming which", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const missing = crypto.randomUUID();
    const strat = await f.a.post<ApiErrorJson>("/api/subscriptions", { strategyId: missing, connectionId: f.connectionId });
    expect(strat.status).toBe(404);
    expect(strat.body.error).toMatchObject({ messageCode: "not-found", field: "strategyId" });
    const conn = await f.a.post<ApiErrorJson>("/api/subscriptions", { strategyId: f.strategyId, connectionId: missing });
    expect(conn.body.error).toMatchObject({ messageCode: "not-found", field: "connectionId" });
    const acct = await f.a.post<ApiErrorJson>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId, accountId: missing });
    expect(acct.body.error).toMatchObject({ messageCode: "not-found", field: "accountId" });
  });

  it("an account of another connection is refused", async () => {
    const { token } = await signup();
    const f = await fixtures(token);
    const other = await f.a.post<{ accounts: { id: string }[] }>("/api/connections", { broker: "paper", name: "Other" });
    const res = await f.a.post<ApiErrorJson>("/api/subscriptions", {
      strategyId: f.strategyId,
      connectionId: f.connectionId,
      accountId: other.body.accounts[0]!.id,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.field).toBe("accountId");
  });

  it("missing ids are 400 naming the field", async () => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/subscriptions", { connectionId: "x" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: "strategyId", message: "strategyId is required." });
  });
});
