/** Kill switch and account risk requests a trader gets wrong: clear 400s with a messageCode and a sentence. */
import { describe, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";
import { api, type ApiErrorJson } from "../helpers/api";
import { killSwitch } from "./support";

describe("kill switch: bad requests", () => {
  it("flatten without turning it on is refused, and the switch stays off", async () => {
    const trader = await createTrader();
    const r = await api<ApiErrorJson>("POST", "/api/kill-switch", { token: trader.token, json: { active: false, flatten: true } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ messageCode: "invalid-request", field: "flatten" });
    expect(r.body.error.message).toContain('{"active": true, "flatten": true}');
    expect((await api<{ active: boolean }>("GET", "/api/kill-switch", { token: trader.token })).body.active).toBe(false);
  });

  it("active must be a boolean; unknown fields are refused", async () => {
    const trader = await createTrader();
    for (const body of [{}, { active: "yes" }, { active: true, flaten: true }]) {
      const r = await killSwitch(trader.token, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.body as unknown as ApiErrorJson).error.messageCode).toBe("invalid-request");
    }
  });
});

describe("account risk: bad requests", () => {
  it("refuses a negative limit and an unknown timezone with the field named", async () => {
    const trader = await createTrader();
    const neg = await api<ApiErrorJson>("PUT", `/api/accounts/${trader.accountId}/risk`, { token: trader.token, json: { maxPositionQuantity: -1 } });
    expect(neg.status).toBe(400);
    expect(neg.body.error.field).toBe("maxPositionQuantity");
    const tz = await api<ApiErrorJson>("PUT", `/api/accounts/${trader.accountId}/risk`, { token: trader.token, json: { dailyLossLimit: { amount: 10, timezone: "Mars/Olympus" } } });
    expect(tz.status).toBe(400);
    expect(tz.body.error.message).toContain("IANA timezone");
  });
});
