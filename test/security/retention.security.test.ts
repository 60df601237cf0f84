/**
 * Finding 11 (retention): the signal log was never trimmed. Now a daily cron
 * job (worker/cron.ts) deletes signals older than SIGNAL_RETENTION_DAYS (90
 * by default) with their trades and orders, once their trades are finished.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { scheduled } from "../../worker/cron";
import { DEFAULT_SIGNAL_RETENTION_DAYS, retentionDays } from "../../worker/jobs/signal-retention";
import { signup } from "../helpers/api";

const DAY = 24 * 60 * 60 * 1000;

describe("signal-log retention", () => {
  async function insertSignal(strategyId: string, userId: string, ageDays: number, tradeStatus?: string) {
    const id = crypto.randomUUID();
    const at = Date.now() - ageDays * DAY;
    await env.DB.prepare("INSERT INTO signals (id, user_id, strategy_id, received_at, status, payload) VALUES (?, ?, ?, ?, 'accepted', '{}')").bind(id, userId, strategyId, at).run();
    if (tradeStatus) {
      await env.DB.prepare("INSERT INTO trades (id, user_id, signal_id, subscription_id, status, created_at, updated_at) VALUES (?, ?, ?, 'sub', ?, ?, ?)").bind(crypto.randomUUID(), userId, id, tradeStatus, at, at).run();
      await env.DB.prepare(
        "INSERT INTO orders (id, user_id, trade_id, signal_id, subscription_id, connection_id, account_id, client_order_id, ticker, side, quantity, type, status, role, created_at, updated_at) VALUES (?, ?, 't', ?, 'sub', 'c', 'a', ?, 'AAPL', 'buy', '1', 'market', 'filled', 'entry', ?, ?)",
      )
        .bind(crypto.randomUUID(), userId, id, `tl${crypto.randomUUID().replaceAll("-", "")}`, at, at)
        .run();
    }
    return id;
  }
  const exists = async (table: string, column: string, id: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(id).first<{ n: number }>())!.n;

  it("the daily job deletes finished signals older than 90 days, with their trades and orders, and keeps the rest", async () => {
    const { user } = await signup();
    const strategyId = crypto.randomUUID();
    const oldFilled = await insertSignal(strategyId, user.id, 91, "filled");
    const oldRefused = await insertSignal(strategyId, user.id, 200);
    const oldPending = await insertSignal(strategyId, user.id, 120, "pending_approval");
    const recent = await insertSignal(strategyId, user.id, 89, "filled");
    await scheduled({ cron: "17 3 * * *", scheduledTime: Date.now() }, env);
    expect(await exists("signals", "id", oldFilled)).toBe(0);
    expect(await exists("trades", "signal_id", oldFilled)).toBe(0);
    expect(await exists("orders", "signal_id", oldFilled)).toBe(0);
    expect(await exists("signals", "id", oldRefused)).toBe(0);
    expect(await exists("signals", "id", oldPending)).toBe(1);
    expect(await exists("signals", "id", recent)).toBe(1);
    expect(await exists("orders", "signal_id", recent)).toBe(1);
  });

  it("the operator sets the retention (0 keeps everything)", async () => {
    expect(retentionDays(undefined)).toBe(DEFAULT_SIGNAL_RETENTION_DAYS);
    expect(retentionDays("30")).toBe(30);
    expect(retentionDays("nonsense")).toBe(DEFAULT_SIGNAL_RETENTION_DAYS);
    const { user } = await signup();
    const strategyId = crypto.randomUUID();
    const tenDays = await insertSignal(strategyId, user.id, 10, "filled");
    await scheduled({ cron: "17 3 * * *", scheduledTime: Date.now() }, { ...env, SIGNAL_RETENTION_DAYS: "0" });
    expect(await exists("signals", "id", tenDays)).toBe(1);
    await scheduled({ cron: "17 3 * * *", scheduledTime: Date.now() }, { ...env, SIGNAL_RETENTION_DAYS: "7" });
    expect(await exists("signals", "id", tenDays)).toBe(0);
  });
});

describe("an unknown cron expression", () => {
  it("runs nothing and does not throw", async () => {
    await expect(scheduled({ cron: "0 0 1 1 *", scheduledTime: Date.now() }, env)).resolves.toBeUndefined();
  });
});

