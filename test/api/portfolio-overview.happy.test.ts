/**
 * The positions, performance and paper-control APIs over a real alert
 * pipeline: webhook → queue → paper ledger → D1 read model → /api/portfolio
 * and /api/performance.
 */
import { api } from "../helpers/api";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert, settledSignal, type Trader } from "../helpers/trader";

interface Portfolio {
  accounts: {
    accountId: string;
    paper: boolean;
    realizedPnl: number;
    balance: { cash: number; equity: number } | null;
    error: unknown;
    positions: { ticker: string; quantity: number; avgPrice: number; markPrice: number | null; markSource: string | null; unrealizedPnl: number | null; realizedPnl: number; strategyId: string | null; subscriptionId: string | null }[];
    openOrders: { brokerOrderId: string | null; ticker: string; status: string; strategyId: string | null; subscriptionId: string | null; role: string | null }[];
  }[];
}
interface Performance {
  realizedPnl: number;
  tradeCount: number;
  wins: number;
  winRate: number | null;
  maxDrawdown: number;
  startingEquity: number;
  since: string | null;
  equityCurve: { time: number; value: number }[];
}

async function alert(t: Trader, body: Record<string, unknown>): Promise<string> {
  const res = await sendAlert(t.webhookUrl, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const id = res.body.id ?? "";
  await settledSignal(t.token, id);
  return id;
}

async function portfolio(t: Trader): Promise<Portfolio["accounts"][number]> {
  const res = await api<Portfolio>("GET", "/api/portfolio", { token: t.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.accounts).toHaveLength(1);
  const account = res.body.accounts[0];
  if (!account) throw new Error("no account");
  expect(account.error).toBeNull();
  return account;
}

describe("GET /api/portfolio", () => {
  it("shows an alert's position with its mark, unrealized and realized P&L and the strategy that opened it", async () => {
    const t = await createTrader({ connectionSettings: { startingCash: 100000 }, subscriptionSettings: { quantity: 3 } });
    await alert(t, { ticker: "AAPL", action: "buy", price: 190.25 });

    let account = await portfolio(t);
    expect(account.paper).toBe(true);
    expect(account.positions).toEqual([
      { ticker: "AAPL", quantity: 3, avgPrice: 190.25, markPrice: 190.25, markSource: "paper-price", marketValue: 570.75, unrealizedPnl: 0, realizedPnl: 0, subscriptionId: t.subscriptionId, strategyId: t.strategyId },
    ]);

    // A new market price marks the position there.
    const priced = await api("POST", `/api/connections/${t.connectionId}/paper/price`, { token: t.token, json: { ticker: "aapl", price: 195.25 } });
    expect(priced.status, JSON.stringify(priced.body)).toBe(200);
    expect(priced.body).toEqual({ ticker: "AAPL", price: 195.25 });
    account = await portfolio(t);
    expect(account.positions[0]).toMatchObject({ markPrice: 195.25, unrealizedPnl: 15 });

    await alert(t, { ticker: "AAPL", action: "exit", price: 200 });
    account = await portfolio(t);
    expect(account.positions).toEqual([]);
    expect(account.realizedPnl).toBe(29.25);
  });

  it("lists a resting order with its strategy and cancels it at the broker", async () => {
    const t = await createTrader({ subscriptionSettings: { quantity: 1 } });
    await alert(t, { ticker: "MSFT", action: "buy", orderType: "limit", limitPrice: 100, price: 400 });
    let account = await portfolio(t);
    const order = account.openOrders.find((o) => o.ticker === "MSFT");
    expect(order).toMatchObject({ status: "open", strategyId: t.strategyId, subscriptionId: t.subscriptionId, role: "entry" });

    const cancelled = await api("DELETE", `/api/connections/${t.connectionId}/orders/${encodeURIComponent(order?.brokerOrderId ?? "")}`, { token: t.token });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(204);
    account = await portfolio(t);
    expect(account.openOrders).toEqual([]);
  });
});

describe("GET /api/performance", () => {
  it("computes realized P&L, trades, win rate and the equity curve per subscription and per account", async () => {
    const t = await createTrader({ connectionSettings: { startingCash: 50000 }, subscriptionSettings: { quantity: 2 } });
    await alert(t, { ticker: "AAPL", action: "buy", price: 100 });
    await alert(t, { ticker: "AAPL", action: "exit", price: 110 });
    await alert(t, { ticker: "AAPL", action: "buy", price: 100 });
    await alert(t, { ticker: "AAPL", action: "exit", price: 95 });

    const account = await api<Performance>("GET", `/api/performance/accounts/${t.accountId}`, { token: t.token });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    expect(account.body).toMatchObject({ realizedPnl: 10, tradeCount: 2, wins: 1, winRate: 0.5, maxDrawdown: 10, startingEquity: 50000 });
    expect(account.body.equityCurve[0]?.value).toBe(50000);
    expect(account.body.equityCurve.at(-1)?.value).toBe(50010);
    const times = account.body.equityCurve.map((p) => p.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);

    const sub = await api<Performance>("GET", `/api/performance/subscriptions/${t.subscriptionId}`, { token: t.token });
    expect(sub.body).toMatchObject({ realizedPnl: 10, tradeCount: 2, startingEquity: 0 });

    const list = await api<{ subscriptions: { subscriptionId: string; realizedPnl: number }[]; accounts: { accountId: string; tradeCount: number }[] }>("GET", "/api/performance", { token: t.token });
    expect(list.body.subscriptions).toEqual([expect.objectContaining({ subscriptionId: t.subscriptionId, realizedPnl: 10 })]);
    expect(list.body.accounts).toEqual([expect.objectContaining({ accountId: t.accountId, tradeCount: 2 })]);
  });

  it("a paper reset starts the account over: no positions, the new cash, and performance counted from the reset", async () => {
    const t = await createTrader({ subscriptionSettings: { quantity: 1 } });
    await alert(t, { ticker: "AAPL", action: "buy", price: 100 });
    await alert(t, { ticker: "AAPL", action: "exit", price: 120 });
    await alert(t, { ticker: "MSFT", action: "buy", price: 50 });

    const reset = await api<{ cash: number; equity: number }>("POST", `/api/connections/${t.connectionId}/paper/reset`, { token: t.token, json: { startingCash: 25000 } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body).toMatchObject({ cash: 25000, equity: 25000 });
    const account = await portfolio(t);
    expect(account.positions).toEqual([]);
    expect(account.realizedPnl).toBe(0);
    const perf = await api<Performance>("GET", `/api/performance/accounts/${t.accountId}`, { token: t.token });
    expect(perf.body).toMatchObject({ realizedPnl: 0, tradeCount: 0, startingEquity: 25000 });
    expect(perf.body.since).not.toBeNull();
  });
});

describe("GET /api/signals filters and CSV export", () => {
  it("filters by ticker and time, and exports the same rows as CSV", async () => {
    const t = await createTrader();
    const before = new Date(Date.now() - 1000).toISOString();
    const aapl = await alert(t, { ticker: "AAPL", action: "buy", price: 10 });
    await alert(t, { ticker: "MSFT", action: "buy", price: 20 });

    const byTicker = await api<{ signals: { id: string }[] }>("GET", "/api/signals?ticker=aapl", { token: t.token });
    expect(byTicker.body.signals.map((s) => s.id)).toEqual([aapl]);
    const inWindow = await api<{ signals: unknown[] }>("GET", `/api/signals?from=${encodeURIComponent(before)}`, { token: t.token });
    expect(inWindow.body.signals).toHaveLength(2);
    const none = await api<{ signals: unknown[] }>("GET", `/api/signals?to=${encodeURIComponent(before)}`, { token: t.token });
    expect(none.body.signals).toHaveLength(0);

    const csv = await api<string>("GET", "/api/signals/export?ticker=AAPL", { token: t.token });
    expect(csv.status).toBe(200);
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe("received_at,signal_id,strategy_id,ticker,action,quantity,price,status,outcome,outcome_code,outcome_message,message_code,message,trades,first_order_latency_ms");
    expect(lines).toHaveLength(2);
    const cells = lines[1]?.split(",") ?? [];
    expect(cells.slice(1, 5)).toEqual([aapl, t.strategyId, "AAPL", "buy"]);
    expect(cells[8]).toBe("traded");
    expect(cells.at(-2)).toMatch(/^filled/);
    expect(Number(cells.at(-1))).toBeGreaterThanOrEqual(0);
  });
});
