import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ApiErrorJson, api, authed, signup } from "../helpers/api";
import { setupTrader } from "../helpers/trader";

/**
 * Another user's ids must be indistinguishable from ids that do not exist:
 * 404 `not-found` everywhere, never 403, and nothing changes.
 */
describe("cross-user access", () => {
  it("every resource route answers 404 to another user and changes nothing", async () => {
    const owner = await signup();
    const intruder = await signup();
    const o = await setupTrader(owner.token);
    // The intruder has resources of their own, so "no resources at all" is not what is being tested.
    await setupTrader(intruder.token);

    const probes: [string, string, unknown?][] = [
      ["GET", `/api/connections/${o.connectionId}`],
      ["PATCH", `/api/connections/${o.connectionId}`, { name: "pwned" }],
      ["GET", `/api/connections/${o.connectionId}/positions`],
      ["GET", `/api/connections/${o.connectionId}/orders`],
      ["GET", `/api/connections/${o.connectionId}/balance`],
      ["GET", `/api/connections/${o.connectionId}/balance?accountId=${o.accountId}`],
      ["GET", `/api/strategies/${o.strategyId}`],
      ["PATCH", `/api/strategies/${o.strategyId}`, { name: "pwned" }],
      ["POST", `/api/strategies/${o.strategyId}/rotate-secret`],
      ["GET", `/api/subscriptions/${o.subscriptionId}`],
      ["PATCH", `/api/subscriptions/${o.subscriptionId}`, { enabled: false }],
      ["GET", `/api/subscriptions/${o.subscriptionId}/positions`],
      ["DELETE", `/api/subscriptions/${o.subscriptionId}`],
      ["DELETE", `/api/strategies/${o.strategyId}`],
      ["DELETE", `/api/connections/${o.connectionId}`],
    ];
    for (const [method, path, json] of probes) {
      const res = await api<ApiErrorJson>(method, path, { token: intruder.token, json });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.messageCode).toBe("not-found");
    }

    const a = authed(owner.token);
    expect((await a.get<{ name: string }>(`/api/connections/${o.connectionId}`)).body.name).toBe("Paper");
    expect((await a.get<{ name: string }>(`/api/strategies/${o.strategyId}`)).body.name).toBe("Strategy");
    expect((await a.get<{ enabled: boolean }>(`/api/subscriptions/${o.subscriptionId}`)).body.enabled).toBe(true);
    // The owner's webhook secret was not rotated by the intruder.
    const hash = await env.DB.prepare("select secret_hash from strategies where id = ?").bind(o.strategyId).first<{ secret_hash: string }>();
    const { hashWebhookSecret } = await import("../../worker/auth/webhook-secret");
    expect(hash?.secret_hash).toBe(await hashWebhookSecret(o.webhookUrl.split("/").pop()!));
  });

  it("cannot subscribe someone else's account to one's own strategy, or the reverse", async () => {
    const owner = await signup();
    const intruder = await signup();
    const o = await setupTrader(owner.token);
    const i = await setupTrader(intruder.token);
    const b = authed(intruder.token);

    const theirConnection = await b.post<ApiErrorJson>("/api/subscriptions", { strategyId: i.strategyId, connectionId: o.connectionId });
    expect(theirConnection.status).toBe(404);
    expect(theirConnection.body.error.field).toBe("connectionId");

    const theirStrategy = await b.post<ApiErrorJson>("/api/subscriptions", { strategyId: o.strategyId, connectionId: i.connectionId });
    expect(theirStrategy.status).toBe(404);
    expect(theirStrategy.body.error.field).toBe("strategyId");

    const theirAccount = await b.post<ApiErrorJson>("/api/subscriptions", {
      strategyId: i.strategyId,
      connectionId: i.connectionId,
      accountId: o.accountId,
    });
    expect(theirAccount.status).toBe(404);
    expect(theirAccount.body.error.field).toBe("accountId");

    const theirAccountOnMine = await b.get<ApiErrorJson>(`/api/connections/${i.connectionId}/positions?accountId=${o.accountId}`);
    expect(theirAccountOnMine.status).toBe(404);
  });

  it("lists show only the caller's rows", async () => {
    const owner = await signup();
    const intruder = await signup();
    const o = await setupTrader(owner.token);
    const b = authed(intruder.token);
    for (const path of ["/api/connections", "/api/strategies", "/api/subscriptions", `/api/subscriptions?strategyId=${o.strategyId}`]) {
      const res = await b.get<unknown[]>(path);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toEqual([]);
    }
  });
});
