/**
 * One subscription per strategy and account: a second one traded every alert
 * twice. Refused on create and on the update that could bring one back, with
 * its own messageCode, and decided by a unique index so that racing creates
 * cannot both win.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ApiErrorJson, authed, signup } from "../helpers/api";

interface Sub {
  id: string;
  enabled: boolean;
  duplicateOf: string | null;
}

async function fixtures() {
  const { token, user } = await signup();
  const a = authed(token);
  const conn = await a.post<{ id: string; accounts: { id: string; name: string }[] }>("/api/connections", { broker: "paper", name: "Paper" });
  const strategy = await a.post<{ id: string }>("/api/strategies", { name: "Breakout", assetClass: "stocks" });
  expect(conn.status).toBe(201);
  return { a, userId: user.id, connectionId: conn.body.id, accountId: conn.body.accounts[0]!.id, accountName: conn.body.accounts[0]!.name, strategyId: strategy.body.id };
}

describe("the same strategy subscribed twice to the same account", () => {
  it("is refused on create with 409 duplicate-subscription, naming the existing subscription", async () => {
    const f = await fixtures();
    const body = { strategyId: f.strategyId, connectionId: f.connectionId };
    const first = await f.a.post<Sub>("/api/subscriptions", body);
    expect(first.status).toBe(201);
    const second = await f.a.post<ApiErrorJson>("/api/subscriptions", { ...body, settings: { quantity: 5 } });
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({
      messageCode: "duplicate-subscription",
      field: "strategyId",
      message: `The account "${f.accountName}" already follows the strategy "Breakout" through subscription ${first.body.id}, and a second subscription would trade every alert twice; change that subscription's settings instead, or delete it first.`,
      requestId: expect.any(String),
    });
    // A disabled copy is refused too: enabling it later would trade twice.
    expect((await f.a.post("/api/subscriptions", { ...body, enabled: false })).status).toBe(409);
    expect((await f.a.get<Sub[]>(`/api/subscriptions?strategyId=${f.strategyId}`)).body).toHaveLength(1);
  });

  it("two concurrent creates cannot both win", async () => {
    const f = await fixtures();
    const body = { strategyId: f.strategyId, connectionId: f.connectionId };
    const results = await Promise.all(Array.from({ length: 6 }, () => f.a.post<Sub | ApiErrorJson>("/api/subscriptions", body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect((r.body as ApiErrorJson).error.messageCode).toBe("duplicate-subscription");
    expect((await f.a.get<Sub[]>(`/api/subscriptions?strategyId=${f.strategyId}`)).body).toHaveLength(1);
  });

  it("other pairs stay allowed: another account, another strategy, and again after a delete", async () => {
    const f = await fixtures();
    const first = await f.a.post<Sub>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId });
    const otherConn = await f.a.post<{ id: string }>("/api/connections", { broker: "paper", name: "Second" });
    expect((await f.a.post("/api/subscriptions", { strategyId: f.strategyId, connectionId: otherConn.body.id })).status).toBe(201);
    const otherStrategy = await f.a.post<{ id: string }>("/api/strategies", { name: "Mean reversion", assetClass: "stocks" });
    expect((await f.a.post("/api/subscriptions", { strategyId: otherStrategy.body.id, connectionId: f.connectionId })).status).toBe(201);
    expect((await f.a.del(`/api/subscriptions/${first.body.id}`)).status).toBe(204);
    expect((await f.a.post("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId })).status).toBe(201);
  });

  it("a copy the upgrade disabled says so, and enabling it is refused while the kept one exists", async () => {
    const f = await fixtures();
    const kept = await f.a.post<Sub>("/api/subscriptions", { strategyId: f.strategyId, connectionId: f.connectionId });
    // What the migration leaves for a copy that existed before the rule: disabled, pointing at the kept one.
    const parkedId = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO subscriptions (id, user_id, strategy_id, connection_id, account_id, enabled, settings, duplicate_of, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, '{}', ?, ?, ?)`,
    )
      .bind(parkedId, f.userId, f.strategyId, f.connectionId, f.accountId, kept.body.id, Date.now(), Date.now())
      .run();
    const parked = await f.a.get<Sub>(`/api/subscriptions/${parkedId}`);
    expect(parked.body).toMatchObject({ enabled: false, duplicateOf: kept.body.id });

    // Settings may still change; enabling is the update that would produce a duplicate.
    expect((await f.a.patch<Sub>(`/api/subscriptions/${parkedId}`, { settings: { quantity: 2 } })).status).toBe(200);
    const enable = await f.a.patch<ApiErrorJson>(`/api/subscriptions/${parkedId}`, { enabled: true });
    expect(enable.status).toBe(409);
    expect(enable.body.error).toMatchObject({ messageCode: "duplicate-subscription", field: "enabled" });
    expect(enable.body.error.message).toBe(
      `This account already follows this strategy through subscription ${kept.body.id}, and a second subscription would trade every alert twice; delete one of the two, then enable the one you keep.`,
    );
    expect((await f.a.get<Sub>(`/api/subscriptions/${parkedId}`)).body).toMatchObject({ enabled: false, duplicateOf: kept.body.id });

    // Once the kept one is gone, the copy can be enabled and is an ordinary subscription again.
    await f.a.del(`/api/subscriptions/${kept.body.id}`);
    const enabled = await f.a.patch<Sub>(`/api/subscriptions/${parkedId}`, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, duplicateOf: null });
  });
});
