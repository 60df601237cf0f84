/**
 * Layer 3 for session brokers (OAuth, Tradovate's login): the access token
 * dies mid-session and is renewed exactly once, and a renewal the broker
 * refuses for good surfaces as `auth-expired` with nothing sent.
 *
 * They run when the connection uses a session (`authMethod: "oauth"`, or a
 * plugin with a `login` hook) and need the fake's session controls
 * (`expireAccessToken`, `revokeGrant`).
 *
 * @module
 */
import { expect } from "vitest";
import { BrokerError } from "../sdk";
import { usesSession } from "./harness";
import type { Scenario } from "./scenarios";

const gate: Scenario["gate"] = (plugin, _features, options) =>
  usesSession(plugin, options.authMethod) ? null : "capabilities: the connection has no session (no OAuth, no login)";

const refreshMidSession: Scenario = {
  id: "session-refresh-mid-session",
  title: "an access token that dies mid-session is renewed once (even for three callers at once), then trading goes on",
  gate,
  needs: (fake) => (fake.expireAccessToken ? null : "the fake has no expireAccessToken()"),
  async run(env) {
    const before = env.session?.peek()?.accessToken;
    expect(before, "the session holds an access token").toBeTruthy();
    await env.client.getBalance(env.accountId);
    env.fake.expireAccessToken?.();
    const renewals = env.session?.renewals ?? 0;
    // Three callers hit the dead token together: one renewal serves them all.
    const balances = await Promise.all([env.client.getBalance(env.accountId), env.client.getPositions(env.accountId), env.client.getOpenOrders(env.accountId)]);
    expect(balances[0].currency, "the read succeeded after the renewal").toBeTruthy();
    expect((env.session?.renewals ?? 0) - renewals, "exactly one renewal for three callers").toBe(1);
    const after = env.session?.peek()?.accessToken;
    expect(after, "a new access token").not.toBe(before);
    // Orders go through on the renewed session.
    const type = env.features.orderTypes.includes("market") ? "market" : "limit";
    const order = await env.place(env.intent("buy", type, type === "limit" ? { limitPrice: env.priceAt("1.05") } : {}));
    expect((await env.settle(order)).status, "an order on the renewed session fills").toBe("filled");
  },
};

const refreshFails: Scenario = {
  id: "session-refresh-fails",
  title: "a renewal the broker refuses for good is auth-expired, the session is dead, and no order is sent",
  gate,
  needs: (fake) => (fake.expireAccessToken && fake.revokeGrant ? null : "the fake has no expireAccessToken() / revokeGrant()"),
  async run(env) {
    const booked = (await env.fake.orders()).length;
    env.fake.revokeGrant?.();
    env.fake.expireAccessToken?.();
    const read = await env.client.getBalance(env.accountId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(read instanceof BrokerError ? read.kind : read, "a read on a dead session").toBe("auth-expired");
    expect(env.session?.deadReason()?.kind, "the owner knows the session is dead").toBe("auth-expired");
    const type = env.features.orderTypes.includes("market") ? "market" : "limit";
    const write = await env.client.placeOrder(env.accountId, env.intent("buy", type, type === "limit" ? { limitPrice: env.priceAt("1.05") } : {})).then(
      () => null,
      (e: unknown) => e,
    );
    expect(write instanceof BrokerError ? write.kind : write, "an order on a dead session").toBe("auth-expired");
    expect((await env.fake.orders()).length, "no order booked").toBe(booked);
  },
};

/** The session scenarios, appended to the kit's matrix. */
export const sessionScenarios: readonly Scenario[] = [refreshMidSession, refreshFails];
