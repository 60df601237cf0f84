/**
 * Reconciliation end to end: the paper broker's account is changed outside
 * Tradeloop (orders placed straight on its REST API, as the trader's own
 * clicks would), and the account's reconciler finds it after a trade, on
 * the schedule and on request; a finding is told once confirmed by a second
 * look, resolves by itself when the two agree again, and "adopt" makes the
 * subscription's fills take the broker's position (which a flatten then closes).
 *
 * The 30 s confirmation wait is simulated by moving the row's first-seen time
 * back, never by sleeping.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reconcileAccounts } from "../../worker/jobs/reconcile-accounts";
import { routeNotifications } from "../helpers/notification-fakes";
import { createChannel, runNotifier } from "../helpers/notifications";
import { createTrader, positionOf, type Trader } from "../helpers/trader";
import { api } from "../helpers/api";
import { drained, killSwitch, trade } from "./support";

afterEach(() => {
  vi.restoreAllMocks();
});

interface DriftJson {
  id: string;
  kind: string;
  ticker: string;
  status: string;
  resolution: string | null;
  brokerQuantity: string | null;
  expectedQuantity: string | null;
  message: string;
}

/** An order placed at the paper broker directly, as if by hand at the broker. */
async function orderOutsideTradeloop(trader: Trader, order: Record<string, unknown>): Promise<void> {
  const res = await env.PAPER_LEDGER.getByName(trader.connectionId).fetch(`https://paper.tradeloop.internal/ledgers/${trader.connectionId}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "market", ...order }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function check(trader: Trader): Promise<{ checked: boolean; drifts: { id: string; status: string; kind: string }[] }[]> {
  const res = await api<{ checked: boolean; drifts: { id: string; status: string; kind: string }[] }[]>("POST", "/api/drift/check", { token: trader.token, json: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function driftList(trader: Trader, status = "live"): Promise<DriftJson[]> {
  return (await api<DriftJson[]>("GET", `/api/drift?status=${status}`, { token: trader.token })).body;
}

/** As if CONFIRM_MS had passed since the finding was first seen. */
async function ageFindings(accountId: string): Promise<void> {
  await env.DB.prepare(`UPDATE drift SET first_seen_at = first_seen_at - 60000 WHERE account_id = ? AND status = 'suspected'`).bind(accountId).run();
}

describe("reconciliation", () => {
  it("a position changed at the broker is suspected, confirmed by a second look, told on Telegram once, and listed", async () => {
    const fakes = routeNotifications();
    const trader = await createTrader();
    const channel = await createChannel(trader.token, { kind: "telegram", name: "Phone", settings: fakes.telegram.bot(), events: ["drift-detected"] });
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "buy", qty: "2" });

    const first = await check(trader);
    expect(first[0]!.drifts).toEqual([expect.objectContaining({ kind: "position", status: "suspected" })]);
    expect((await driftList(trader))[0]).toMatchObject({ ticker: "SPY", brokerQuantity: "5", expectedQuantity: "3", status: "suspected" });
    await runNotifier(trader.userId);
    expect(fakes.telegram.messages).toHaveLength(0);

    await ageFindings(trader.accountId);
    expect((await check(trader))[0]!.drifts[0]!.status).toBe("open");
    await check(trader);
    await runNotifier(trader.userId);
    expect(fakes.telegram.messages).toHaveLength(1);
    expect(fakes.telegram.messages[0]!.text).toContain("The broker holds 5 SPY, but Tradeloop's fills imply 3");
    expect(fakes.telegram.messages[0]!.text).toContain("drift-detected");
    const events = await api<{ kind: string; message: string }[]>("GET", "/api/events", { token: trader.token });
    expect(events.body.filter((e) => e.kind === "drift-detected")).toHaveLength(1);
    expect(channel.id).toBeTruthy();
  });

  it("a finding resolves by itself once the broker agrees again", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "buy", qty: "2" });
    await check(trader);
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "sell", qty: "2" });
    expect((await check(trader))[0]).toMatchObject({ drifts: [], resolved: 1 });
    expect(await driftList(trader)).toEqual([]);
    expect((await driftList(trader, "resolved"))[0]).toMatchObject({ resolution: "agrees" });
  });

  it("adopting the broker's position makes the subscription's fills hold it: no drift after, and a flatten closes all of it", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "buy", qty: "2" });
    const drifts = (await check(trader))[0]!.drifts;
    const adopted = await api<{ subscriptionId: string; quantity: string; check: { drifts: unknown[] } }>("POST", `/api/drift/${drifts[0]!.id}/adopt`, { token: trader.token, json: {} });
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body).toMatchObject({ subscriptionId: trader.subscriptionId, quantity: "5", check: { drifts: [] } });
    expect((await driftList(trader, "resolved"))[0]).toMatchObject({ resolution: "adopted" });

    await killSwitch(trader.token, { active: true, flatten: true });
    await drained(trader.subscriptionId);
    expect(await positionOf(trader, "SPY")).toBe(0);
  });

  it("an open order nobody in Tradeloop placed, in a ticker it trades, is an unknown-order finding", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "sell", type: "limit", qty: "3", limit_price: "150" });
    const drifts = (await check(trader))[0]!.drifts;
    expect(drifts.map((d) => d.kind)).toEqual(["unknown-order"]);
    expect((await driftList(trader))[0]!.message).toContain("that no Tradeloop subscription placed");
  });

  it("a trade asks the account's reconciler for a check, and the scheduled job asks every traded account", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "buy", qty: "1" });
    const reconciler = env.ACCOUNT_RECONCILER.getByName(trader.accountId);
    // The trade armed the reconciler's alarm (a debounced check): run it now.
    expect(await runDurableObjectAlarm(reconciler)).toBe(true);
    expect((await driftList(trader)).map((d) => d.ticker)).toEqual(["SPY"]);

    const other = await createTrader();
    await trade(other, { ticker: "QQQ", action: "buy", quantity: 1, price: 400 });
    await orderOutsideTradeloop(other, { symbol: "QQQ", side: "sell", qty: "1" });
    await runDurableObjectAlarm(env.ACCOUNT_RECONCILER.getByName(other.accountId));
    await env.DB.prepare(`DELETE FROM drift WHERE account_id = ?`).bind(other.accountId).run();
    const job = await reconcileAccounts(env);
    expect(job.accounts).toBeGreaterThanOrEqual(2);
    expect(await runDurableObjectAlarm(env.ACCOUNT_RECONCILER.getByName(other.accountId))).toBe(true);
    expect((await driftList(other))[0]).toMatchObject({ ticker: "QQQ", brokerQuantity: "0", expectedQuantity: "1" });
  });

  it("adopting a position the broker no longer holds needs no price: the fills drop to zero", async () => {
    const trader = await createTrader();
    await trade(trader, { ticker: "SPY", action: "buy", quantity: 3, price: 100 });
    await orderOutsideTradeloop(trader, { symbol: "SPY", side: "sell", qty: "3" });
    const drifts = (await check(trader))[0]!.drifts;
    const adopted = await api<{ quantity: string; check: { drifts: unknown[] } }>("POST", `/api/drift/${drifts[0]!.id}/adopt`, { token: trader.token, json: {} });
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body).toMatchObject({ quantity: "0", check: { drifts: [] } });
    // Nothing left to flatten.
    expect((await killSwitch(trader.token, { active: true, flatten: true })).body.flatten).toMatchObject({ positions: 0 });
  });
});
