import { api } from "../helpers/api";
import { describe, expect, it } from "vitest";
import { createTrader, logRowStatus, positionOf, sendAlert, settledSignal } from "../helpers/trader";

describe("webhook → queue → paper broker → API", () => {
  it("turns a TradingView-style buy into a filled paper order and a position", async () => {
    const trader = await createTrader();
    const alert = { ticker: "AAPL", action: "buy", quantity: 3, price: 190.25 };
    const reply = await sendAlert(trader.webhookUrl, alert);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, payload: alert });
    expect(reply.body.id).toBe(reply.body.logId);

    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal).toMatchObject({ id: reply.body.id, strategyId: trader.strategyId, status: "accepted" });
    expect(signal.trades).toHaveLength(1);
    const [trade] = signal.trades;
    expect(trade).toMatchObject({ subscriptionId: trader.subscriptionId, status: "filled", messageCode: "enter-new-position" });
    expect(trade!.orders).toHaveLength(1);
    expect(trade!.orders[0]).toMatchObject({
      ticker: "AAPL",
      side: "buy",
      quantity: 3,
      type: "market",
      status: "filled",
      filledQuantity: 3,
      avgFillPrice: 190.25,
      role: "entry",
    });
    expect(trade!.orders[0]!.clientOrderId).toMatch(/^tl[0-9a-f]{32}$/);
    expect(trade!.orders[0]!.brokerOrderId).toBeTruthy();

    expect(await positionOf(trader, "AAPL")).toBe(3);
    const sub = await api<{ ticker: string; quantity: number; avgPrice: number }[]>("GET", `/api/subscriptions/${trader.subscriptionId}/positions`, { token: trader.token });
    expect(sub.body).toEqual([{ ticker: "AAPL", quantity: 3, avgPrice: 190.25 }]);
    const balance = await api<{ cash: number; equity: number }>("GET", `/api/connections/${trader.connectionId}/balance`, { token: trader.token });
    expect(balance.body).toMatchObject({ cash: 100000 - 3 * 190.25, equity: 100000 });
  });

  it("accepts text/plain bodies and numeric strings, as TradingView sends them", async () => {
    const trader = await createTrader();
    const body = '{"ticker":"MSFT","action":"buy","quantity":"2","price":"410.5"}';
    const reply = await sendAlert(trader.webhookUrl, body, { contentType: "text/plain; charset=utf-8" });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.orders[0]).toMatchObject({ quantity: 2, avgFillPrice: 410.5, status: "filled" });
    expect(await positionOf(trader, "MSFT")).toBe(2);
  });

  it("closes a long with sell+flat and then has nothing left to exit", async () => {
    const trader = await createTrader();
    const buy = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 5, price: 500 });
    await settledSignal(trader.token, buy.body.id!);
    const sell = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "sell", sentiment: "flat", price: 505 });
    const closed = await settledSignal(trader.token, sell.body.id!);
    expect(closed.trades[0]).toMatchObject({ status: "filled", messageCode: "close-open-position" });
    expect(closed.trades[0]?.orders[0]).toMatchObject({ side: "sell", quantity: 5, role: "exit" });
    expect(await positionOf(trader, "SPY")).toBe(0);

    const again = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "exit", price: 505 });
    const rejected = await settledSignal(trader.token, again.body.id!);
    expect(rejected.trades[0]?.status).toBe("rejected");
    expect(rejected.trades[0]?.messageCode).toBeTruthy();
    expect(rejected.trades[0]?.message).toMatch(/SPY/);
  });

  it("swaps sides on an opposite signal: exit, then entry", async () => {
    const trader = await createTrader();
    const buy = await sendAlert(trader.webhookUrl, { ticker: "TSLA", action: "buy", quantity: 2, price: 200 });
    await settledSignal(trader.token, buy.body.id!);
    const sell = await sendAlert(trader.webhookUrl, { ticker: "TSLA", action: "sell", quantity: 2, price: 210 });
    const swapped = await settledSignal(trader.token, sell.body.id!);
    const roles = swapped.trades[0]?.orders.map((o) => `${o.role}:${o.side}:${o.quantity}`);
    expect(roles).toEqual(["exit:sell:2", "entry:sell:2"]);
    expect(await positionOf(trader, "TSLA")).toBe(-2);
  });

  it("holds the reply for the outcome with ?wait=", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "NVDA", action: "buy", quantity: 1, price: 120 }, { query: "?wait=2000" });
    expect(reply.status).toBe(200);
    expect(reply.body.trades).toHaveLength(1);
    expect(reply.body.trades?.[0]).toMatchObject({ subscriptionId: trader.subscriptionId, status: "filled" });
    expect(reply.body.trades?.[0]?.orders[0]).toMatchObject({ quantity: "1", status: "filled" });
  });

  it("rejects a market order with no known price, telling the trader to send price", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "IBM", action: "buy", quantity: 1 });
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]).toMatchObject({ status: "rejected", messageCode: "no-price" });
    expect(signal.trades[0]?.message).toMatch(/price/);
  });

  it("lists signals newest first with a cursor", async () => {
    const trader = await createTrader();
    const ids: string[] = [];
    for (const q of [1, 2, 3]) ids.push((await sendAlert(trader.webhookUrl, { ticker: "AMD", action: "buy", quantity: q, price: 100 })).body.id!);
    // The queue copies accepted signals to D1 moments after the reply.
    for (const id of ids) await settledSignal(trader.token, id);
    const page1 = await api<{ signals: { id: string }[]; nextCursor: string | null }>("GET", `/api/signals?strategyId=${trader.strategyId}&limit=2`, { token: trader.token });
    expect(page1.body.signals.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const page2 = await api<{ signals: { id: string }[]; nextCursor: string | null }>("GET", `/api/signals?strategyId=${trader.strategyId}&limit=2&cursor=${encodeURIComponent(page1.body.nextCursor!)}`, { token: trader.token });
    expect(page2.body.signals.map((s) => s.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it("an accepted signal's log row reaches D1 through its queue, moments after the reply", async () => {
    const trader = await createTrader();
    const reply = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", price: 1 });
    expect(await logRowStatus(reply.body.id!, 2_000)).toBe("accepted");
  });

  it("a strategy without subscriptions logs the signal before replying", async () => {
    const trader = await createTrader();
    await api("DELETE", `/api/subscriptions/${trader.subscriptionId}`, { token: trader.token });
    const reply = await sendAlert(trader.webhookUrl, { ticker: "AAPL", action: "buy", price: 1 });
    expect(reply.status).toBe(200);
    expect(await logRowStatus(reply.body.id!, 0)).toBe("accepted");
  });
});
