/** Drift is the account owner's alone: listing, checking and adopting are scoped to the user. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createTrader } from "../helpers/trader";
import { trade } from "./support";

describe("drift: access", () => {
  it("another user cannot list, check or adopt an account's drift", async () => {
    const alice = await createTrader();
    const bob = await createTrader();
    await trade(alice, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    await env.PAPER_LEDGER.getByName(alice.connectionId).fetch(`https://paper.tradeloop.internal/ledgers/${alice.connectionId}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ symbol: "SPY", side: "buy", type: "market", qty: "1" }),
    });
    const checked = await call<{ drifts: { id: string }[] }[]>("POST", "/api/drift/check", { token: alice.token, body: {} });
    const id = checked.body[0]!.drifts[0]!.id;

    expect((await call<unknown[]>("GET", "/api/drift", { token: bob.token })).body).toEqual([]);
    expect((await call("POST", "/api/drift/check", { token: bob.token, body: { accountId: alice.accountId } })).status).toBe(404);
    expect((await call("POST", `/api/drift/${id}/adopt`, { token: bob.token, body: {} })).status).toBe(404);
    expect((await call("POST", `/api/drift/${id}/adopt`, { token: alice.token, body: { subscriptionId: bob.subscriptionId } })).status).toBe(404);
    expect((await call("GET", "/api/drift")).status).toBe(401);
    expect((await call<unknown[]>("GET", "/api/drift", { token: alice.token })).body).toHaveLength(1);
  });
});
