import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OrderRequest } from "../../plugins/sdk";
import { brokerClientFor } from "../../worker/connections/broker-client";
import { authed, signup } from "../helpers/api";
import { setupTrader } from "../helpers/trader";

/**
 * Positions and orders as the API shows them, with the paper broker holding
 * real state. Orders are placed straight through the plugin client (as the
 * executor would) so these tests do not depend on the signal pipeline.
 */
async function place(connectionId: string, order: Partial<OrderRequest> & Pick<OrderRequest, "ticker" | "side" | "quantity">) {
  const client = brokerClientFor(env, { id: connectionId, broker: "paper", settings: { startingCash: 100000, latencyMs: 0 } });
  return client.placeOrder("paper", {
    clientOrderId: `tl${crypto.randomUUID().replaceAll("-", "")}`,
    assetClass: "stocks",
    type: "market",
    timeInForce: "gtc",
    referencePrice: "100",
    ...order,
  });
}

/** Records an order in D1 as the executor's read model would. */
async function recordOrder(o: { userId: string; subscriptionId: string; connectionId: string; accountId: string; ticker: string; clientOrderId: string; status: string }) {
  const now = Date.now();
  await env.DB.prepare(
    `insert into orders (id, user_id, trade_id, signal_id, subscription_id, connection_id, account_id, client_order_id, ticker, side, quantity, type, status, filled_quantity, role, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'buy', '1', 'limit', ?, '0', 'entry', ?, ?)`,
  )
    .bind(crypto.randomUUID(), o.userId, crypto.randomUUID(), crypto.randomUUID(), o.subscriptionId, o.connectionId, o.accountId, o.clientOrderId, o.ticker, o.status, now, now)
    .run();
}

describe("positions, orders and balance with broker state", () => {
  it("positions are JSON numbers, signed, and a subscription sees only its tickers", async () => {
    const s = await signup();
    const setup = await setupTrader(s.token);
    await place(setup.connectionId, { ticker: "AAPL", side: "buy", quantity: "2.5", referencePrice: "101.5" });
    await place(setup.connectionId, { ticker: "MSFT", side: "sell", quantity: "3", referencePrice: "400" });
    const a = authed(s.token);

    const all = await a.get<{ ticker: string; quantity: number; avgPrice: number }[]>(`/api/connections/${setup.connectionId}/positions`);
    expect(all.status, all.text).toBe(200);
    expect([...all.body].sort((x, y) => x.ticker.localeCompare(y.ticker))).toEqual([
      { ticker: "AAPL", quantity: 2.5, avgPrice: 101.5 },
      { ticker: "MSFT", quantity: -3, avgPrice: 400 },
    ]);

    await recordOrder({ userId: s.user.id, subscriptionId: setup.subscriptionId, connectionId: setup.connectionId, accountId: setup.accountId, ticker: "AAPL", clientOrderId: `x${crypto.randomUUID()}`, status: "filled" });
    const mine = await a.get(`/api/subscriptions/${setup.subscriptionId}/positions`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body).toEqual([{ ticker: "AAPL", quantity: 2.5, avgPrice: 101.5 }]);

    const balance = await a.get<{ cash: number; equity: number }>(`/api/connections/${setup.connectionId}/balance`);
    expect(typeof balance.body.cash).toBe("number");
    expect(typeof balance.body.equity).toBe("number");
  });

  it("open orders come from the broker, enriched with Tradeloop's record; include=recent adds history", async () => {
    const s = await signup();
    const setup = await setupTrader(s.token);
    const resting = await place(setup.connectionId, { ticker: "AAPL", side: "buy", quantity: "1", type: "limit", limitPrice: "50", referencePrice: "100" });
    expect(resting.status).toBe("open");
    await recordOrder({
      userId: s.user.id,
      subscriptionId: setup.subscriptionId,
      connectionId: setup.connectionId,
      accountId: setup.accountId,
      ticker: "AAPL",
      clientOrderId: resting.clientOrderId!,
      status: "open",
    });
    await recordOrder({
      userId: s.user.id,
      subscriptionId: setup.subscriptionId,
      connectionId: setup.connectionId,
      accountId: setup.accountId,
      ticker: "TSLA",
      clientOrderId: `old${crypto.randomUUID()}`,
      status: "filled",
    });
    const a = authed(s.token);
    const open = await a.get<{ clientOrderId: string; ticker: string; limitPrice: number; quantity: number; subscriptionId: string | null; role: string | null; status: string }[]>(
      `/api/connections/${setup.connectionId}/orders`,
    );
    expect(open.status, open.text).toBe(200);
    expect(open.body).toHaveLength(1);
    expect(open.body[0]).toMatchObject({
      clientOrderId: resting.clientOrderId,
      ticker: "AAPL",
      limitPrice: 50,
      quantity: 1,
      status: "open",
      subscriptionId: setup.subscriptionId,
      role: "entry",
    });
    const withRecent = await a.get<{ ticker: string }[]>(`/api/connections/${setup.connectionId}/orders?include=recent`);
    expect(withRecent.body.map((o) => o.ticker)).toEqual(["AAPL", "TSLA"]);
  });
});
