/** Drift requests that cannot be carried out: a clear answer with a messageCode, never a 5xx. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";
import { api, type ApiErrorJson } from "../helpers/api";
import { trade } from "./support";

async function outside(connectionId: string, order: Record<string, unknown>): Promise<void> {
  const res = await env.PAPER_LEDGER.getByName(connectionId).fetch(`https://paper.tradeloop.internal/ledgers/${connectionId}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order),
  });
  expect(res.status).toBe(201);
}

describe("drift: errors", () => {
  it("an order drift cannot be adopted; the answer says what clears it", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    await outside(trader.connectionId, { symbol: "SPY", side: "sell", type: "limit", qty: "1", limit_price: "150" });
    const checked = await api<{ drifts: { id: string }[] }[]>("POST", "/api/drift/check", { token: trader.token, json: {} });
    const id = checked.body[0]!.drifts[0]!.id;
    const r = await api<ApiErrorJson>("POST", `/api/drift/${id}/adopt`, { token: trader.token, json: {} });
    expect(r.status).toBe(400);
    expect(r.body.error.messageCode).toBe("invalid-request");
    expect(r.body.error.message).toContain("Only a position drift can be adopted");
  });

  it("an unknown drift id is 404; a bad status filter and a malformed price are 400", async () => {
    const trader = await createTrader();
    expect((await api<ApiErrorJson>("POST", `/api/drift/${crypto.randomUUID()}/adopt`, { token: trader.token, json: {} })).status).toBe(404);
    expect((await api<ApiErrorJson>("GET", "/api/drift?status=everything", { token: trader.token })).status).toBe(400);
    const bad = await api<ApiErrorJson>("POST", `/api/drift/${crypto.randomUUID()}/adopt`, { token: trader.token, json: { price: "abc" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("price");
  });

  it("an account whose connection cannot be read reports why instead of failing", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
    await env.DB.prepare(`UPDATE connections SET status = 'expired' WHERE id = ?`).bind(trader.connectionId).run();
    const r = await api<{ checked: boolean; reason?: string }[]>("POST", "/api/drift/check", { token: trader.token, json: { accountId: trader.accountId } });
    expect(r.status).toBe(200);
    expect(r.body[0]).toMatchObject({ checked: false });
    expect(r.body[0]!.reason).toContain("reconnect");
  });
});
