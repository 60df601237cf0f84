/** The kill switch and account risk settings are the owner's alone. */
import { describe, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";
import { api } from "../helpers/api";
import { killSwitch, trade } from "./support";

describe("kill switch: access", () => {
  it("needs a token", async () => {
    expect((await api("POST", "/api/kill-switch", { json: { active: true } })).status).toBe(401);
    expect((await api("GET", "/api/kill-switch")).status).toBe(401);
  });

  it("one user's switch never stops another user's entries", async () => {
    const alice = await createTrader();
    const bob = await createTrader();
    await killSwitch(alice.token, { active: true });
    expect((await trade(alice, { ticker: "SPY", action: "buy", quantity: 1, price: 100 })).messageCode).toBe("kill-switch-active");
    expect((await trade(bob, { ticker: "SPY", action: "buy", quantity: 1, price: 100 })).status).toBe("filled");
  });
});

describe("account risk: access", () => {
  it("another user's account is not found, for reading and writing", async () => {
    const alice = await createTrader();
    const bob = await createTrader();
    expect((await api("GET", `/api/accounts/${alice.accountId}/risk`, { token: bob.token })).status).toBe(404);
    expect((await api("PUT", `/api/accounts/${alice.accountId}/risk`, { token: bob.token, json: { maxOpenPositions: 1 } })).status).toBe(404);
    expect((await api("PUT", `/api/accounts/${alice.accountId}/risk`, { json: {} })).status).toBe(401);
    expect((await trade(alice, { ticker: "SPY", action: "buy", quantity: 1, price: 100 })).status).toBe("filled");
  });
});
