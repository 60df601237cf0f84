/** GET /api/schemas: the settings forms' limits come from the API's own zod schemas. */
import { expect, it } from "vitest";
import { api } from "../helpers/api";
import { createTrader } from "../helpers/trader";

interface JsonSchema {
  properties: Record<string, { type?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number; enum?: string[]; default?: unknown }>;
}

it("serves the subscription and strategy settings schemas with their limits", async () => {
  const t = await createTrader();
  const res = await api<{ subscriptionSettings: JsonSchema; strategySettings: JsonSchema }>("GET", "/api/schemas", { token: t.token });
  expect(res.status).toBe(200);
  const sub = res.body.subscriptionSettings.properties;
  expect(sub.quantity).toMatchObject({ type: "number", exclusiveMinimum: 0, default: 1 });
  expect(sub.approvalTimeoutSeconds).toMatchObject({ type: "integer", minimum: 30, maximum: 86400 });
  expect(sub.sizingMode?.enum).toContain("dollar_amount");
  // 42 before the risk controls, + maxPositionQuantity, maxPositionNotional, maxOpenPositions, dailyLossLimit,
  // dailyProfitTarget, lossLockoutMinutes and marketHours.
  expect(Object.keys(sub)).toHaveLength(49);
  expect(sub.dailyLossLimit).toMatchObject({ type: "object" });
  expect(sub.maxOpenPositions).toMatchObject({ type: "integer", minimum: 1 });
  expect(res.body.strategySettings.properties.duplicateWindowSeconds).toMatchObject({ minimum: 0, maximum: 3600 });
  expect((await api("GET", "/api/schemas")).status).toBe(401);
});
