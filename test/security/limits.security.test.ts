/**
 * Finding 11 (limits): no per-user limits. Now strategies, connections and
 * subscriptions per strategy are capped (100, 25, 25 by default; operator
 * vars change them). Retention, the other half: retention.security.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { API_ORIGIN, type ApiErrorJson, signup } from "../helpers/api";

function as(bindings: typeof env, token: string, method: string, path: string, json: unknown) {
  return app.request(`${API_ORIGIN}${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(json) }, bindings);
}

describe("per-user caps", () => {
  it("the operator's vars set them: one more is 409 limit-reached", async () => {
    const { token } = await signup();
    const capped = { ...env, MAX_STRATEGIES_PER_USER: "2", MAX_CONNECTIONS_PER_USER: "1", MAX_SUBSCRIPTIONS_PER_STRATEGY: "1" };
    const strategy = async () => as(capped, token, "POST", "/api/strategies", { name: "S", assetClass: "stocks" });
    expect((await strategy()).status).toBe(201);
    const second = await strategy();
    expect(second.status).toBe(201);
    const third = await strategy();
    expect(third.status).toBe(409);
    expect(((await third.json()) as ApiErrorJson).error).toMatchObject({ messageCode: "limit-reached" });

    const conn = await as(capped, token, "POST", "/api/connections", { broker: "paper", name: "P" });
    expect(conn.status).toBe(201);
    expect((await as(capped, token, "POST", "/api/connections", { broker: "paper", name: "P2" })).status).toBe(409);

    // One subscription per strategy: a second account (another connection) is refused by the cap.
    const subsCapped = { ...env, MAX_SUBSCRIPTIONS_PER_STRATEGY: "1" };
    const strategyId = ((await second.json()) as { id: string }).id;
    const connectionId = ((await conn.json()) as { id: string }).id;
    const other = await as(subsCapped, token, "POST", "/api/connections", { broker: "paper", name: "Other" });
    const otherId = ((await other.json()) as { id: string }).id;
    expect((await as(subsCapped, token, "POST", "/api/subscriptions", { strategyId, connectionId })).status).toBe(201);
    const over = await as(subsCapped, token, "POST", "/api/subscriptions", { strategyId, connectionId: otherId });
    expect(over.status).toBe(409);
    expect(((await over.json()) as ApiErrorJson).error.messageCode).toBe("limit-reached");
  });

  it("caps are per user: one user at the cap does not block another", async () => {
    const capped = { ...env, MAX_STRATEGIES_PER_USER: "1" };
    const a = await signup();
    const b = await signup();
    expect((await as(capped, a.token, "POST", "/api/strategies", { name: "A", assetClass: "stocks" })).status).toBe(201);
    expect((await as(capped, a.token, "POST", "/api/strategies", { name: "A2", assetClass: "stocks" })).status).toBe(409);
    expect((await as(capped, b.token, "POST", "/api/strategies", { name: "B", assetClass: "stocks" })).status).toBe(201);
  });

  it("without any var the default cap (100 strategies) applies", async () => {
    const { token, user } = await signup();
    const insert = env.DB.prepare("INSERT INTO strategies (id, user_id, name, asset_class, secret_hash, settings, enabled, created_at, updated_at) VALUES (?, ?, 'S', 'stocks', 'x', '{}', 1, 0, 0)");
    await env.DB.batch(Array.from({ length: 100 }, () => insert.bind(crypto.randomUUID(), user.id)));
    const over = await as({ ...env, MAX_STRATEGIES_PER_USER: undefined }, token, "POST", "/api/strategies", { name: "one too many", assetClass: "stocks" });
    expect(over.status).toBe(409);
  });
});
