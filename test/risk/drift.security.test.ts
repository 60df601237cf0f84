/** Drift is the account owner's alone: listing, checking and adopting are scoped to the user. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";
import { api } from "../helpers/api";
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
    const checked = await api<{ drifts: { id: string }[] }[]>("POST", "/api/drift/check", { token: alice.token, json: {} });
    const id = checked.body[0]!.drifts[0]!.id;

    expect((await api<unknown[]>("GET", "/api/drift", { token: bob.token })).body).toEqual([]);
    expect((await api("POST", "/api/drift/check", { token: bob.token, json: { accountId: alice.accountId } })).status).toBe(404);
    expect((await api("POST", `/api/drift/${id}/adopt`, { token: bob.token, json: {} })).status).toBe(404);
    expect((await api("POST", `/api/drift/${id}/adopt`, { token: alice.token, json: { subscriptionId: bob.subscriptionId } })).status).toBe(404);
    expect((await api("GET", "/api/drift")).status).toBe(401);
    expect((await api<unknown[]>("GET", "/api/drift", { token: alice.token })).body).toHaveLength(1);
  });
});
