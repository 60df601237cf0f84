/** The kill switch and account risk settings are the owner's alone. */
import { describe, expect, it } from "vitest";
import { call, createTrader } from "../helpers/trader";
import { killSwitch, trade } from "./support";

describe("kill switch: access", () => {
  it("needs a token", async () => {
    expect((await call("POST", "/api/kill-switch", { body: { active: true } })).status).toBe(401);
    expect((await call("GET", "/api/kill-switch")).status).toBe(401);
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
    expect((await call("GET", `/api/accounts/${alice.accountId}/risk`, { token: bob.token })).status).toBe(404);
    expect((await call("PUT", `/api/accounts/${alice.accountId}/risk`, { token: bob.token, body: { maxOpenPositions: 1 } })).status).toBe(404);
    expect((await call("PUT", `/api/accounts/${alice.accountId}/risk`, { body: {} })).status).toBe(401);
    expect((await trade(alice, { ticker: "SPY", action: "buy", quantity: 1, price: 100 })).status).toBe("filled");
  });
});
