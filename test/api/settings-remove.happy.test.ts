/**
 * PATCH settings with `null`: an optional setting is removed (back to its
 * default), which is how the dashboard's settings forms clear a field.
 * `allowedTickers: null` on a subscription is a value of its own (follow the
 * strategy) and is kept.
 */
import { expect, it } from "vitest";
import { api } from "../helpers/api";
import { createTrader } from "../helpers/trader";

it("a null removes an optional subscription or strategy setting", async () => {
  const t = await createTrader({ subscriptionSettings: { entryCancelAfterSeconds: 60, takeProfit: { percent: 3 }, allowedTickers: ["AAPL"] } });
  const patched = await api<{ settings: Record<string, unknown> }>("PATCH", `/api/subscriptions/${t.subscriptionId}`, {
    token: t.token,
    json: { settings: { entryCancelAfterSeconds: null, takeProfit: null, allowedTickers: null, quantity: 2 } },
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  expect(patched.body.settings).not.toHaveProperty("entryCancelAfterSeconds");
  expect(patched.body.settings).not.toHaveProperty("takeProfit");
  expect(patched.body.settings).toMatchObject({ allowedTickers: null, quantity: 2 });

  await api("PATCH", `/api/strategies/${t.strategyId}`, { token: t.token, json: { settings: { maxSignalAgeSeconds: 30 } } });
  const cleared = await api<{ settings: Record<string, unknown> }>("PATCH", `/api/strategies/${t.strategyId}`, { token: t.token, json: { settings: { maxSignalAgeSeconds: null } } });
  expect(cleared.status).toBe(200);
  expect(cleared.body.settings).not.toHaveProperty("maxSignalAgeSeconds");
});
