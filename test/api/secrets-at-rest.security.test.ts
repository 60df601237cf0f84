/**
 * Two security claims of docs/security.md, each held to a test:
 *
 * - "Log-in runs the hash even for unknown emails": counted, not timed. The
 *   test counts the PBKDF2 derivations a log-in performs (the Worker runs in
 *   this isolate, so a spy on WebCrypto sees them): an unknown email costs
 *   exactly what a wrong password costs.
 * - "Decrypted credentials live only in memory, never in Durable Object
 *   storage or logs": a real broker connection (Alpaca, through its plugin,
 *   against the Alpaca fake) trades, goes through a broker outage (which the
 *   queue logs, with the broker's errors) and an expired key; then every
 *   table and key of the subscription's queue object, the D1 connection row
 *   and every console line written meanwhile are searched for the
 *   credential values.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { alpacaUnderTest } from "../helpers/alpaca";
import { api, expectStatus, signup } from "../helpers/api";
import { sendAlert, settledSignal, setupTrader } from "../helpers/trader";

describe("log-in runs the password hash for unknown emails", () => {
  /** PBKDF2 derivations performed while `fn` runs. */
  async function pbkdf2Runs(fn: () => Promise<unknown>): Promise<number> {
    const spy = vi.spyOn(crypto.subtle, "deriveBits");
    try {
      await fn();
      return spy.mock.calls.filter(([algorithm]) => typeof algorithm === "object" && algorithm !== null && "name" in algorithm && algorithm.name === "PBKDF2").length;
    } finally {
      spy.mockRestore();
    }
  }

  it("an unknown email costs the same PBKDF2 work as a wrong password, and the same answer", async () => {
    const user = await signup();
    let wrong: Awaited<ReturnType<typeof api>> | undefined;
    let unknown: Awaited<ReturnType<typeof api>> | undefined;
    const forWrongPassword = await pbkdf2Runs(async () => {
      wrong = await api("POST", "/api/auth/login", { json: { email: user.email, password: "not the password at all" } });
    });
    const forUnknownEmail = await pbkdf2Runs(async () => {
      unknown = await api("POST", "/api/auth/login", { json: { email: `nobody-${crypto.randomUUID()}@example.com`, password: "not the password at all" } });
    });
    expect(forWrongPassword, "a wrong password is checked with PBKDF2").toBe(1);
    expect(forUnknownEmail, "an unknown email runs the same hash").toBe(forWrongPassword);
    // Same status, code and words (each error body also carries its own request id).
    const answer = (r: typeof wrong) => [r?.status, (r?.body as { error?: { messageCode?: string; message?: string } } | undefined)?.error?.messageCode, (r?.body as { error?: { message?: string } } | undefined)?.error?.message];
    expect(answer(unknown)).toEqual(answer(wrong));
  });
});

describe("decrypted broker credentials never reach Durable Object storage or logs", () => {
  it("after trades, an outage, a recovery and an expired key, no credential value is in the queue's storage, D1 or any log line", async () => {
    const secretKey = `s3cr3t-${crypto.randomUUID()}`;
    const keyId = `PKSECRET${crypto.randomUUID().replaceAll("-", "").slice(0, 12).toUpperCase()}`;
    const alpaca = alpacaUnderTest("100");
    const lines: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    );
    try {
      const { token } = await signup();
      const conn = await api<{ id: string }>("POST", "/api/connections", {
        token,
        json: { broker: "alpaca", name: "Alpaca", credentials: { keyId, secretKey }, settings: { environment: "paper" } },
      });
      expectStatus(conn, 201);
      const trader = await setupTrader(token, { connectionId: conn.body.id, subscriptionSettings: { allowAddToPosition: true } });

      const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
      const first = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
      expect((await settledSignal(trader.token, first.body.id!)).trades[0]?.status).toBe("filled");
      // The order's POST and then every lookup of it answer 500: the queue cannot tell whether the order
      // was booked, logs that it will resume the signal later (with the broker's error), and does once the
      // broker answers again.
      const outage = { kind: "reply", reply: { status: 500, body: { code: 50010000, message: "internal server error" } } } as const;
      alpaca.fake.inject(outage, { method: "POST", path: "/v2/orders" });
      for (let i = 0; i < 12; i++) alpaca.fake.inject(outage, { method: "GET", path: "/v2/orders:by_client_order_id" });
      const troubled = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
      // The queue's structured log line names the signal it will resume.
      await expect.poll(() => lines.some((l) => l.includes("resuming signal later") && l.includes(troubled.body.id!)), { timeout: 20_000 }).toBe(true);
      await expect
        .poll(
          async () => {
            await runDurableObjectAlarm(queue).catch(() => false);
            return (await queue.pendingWork()).queued;
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBe(0);
      expect((await settledSignal(trader.token, troubled.body.id!)).trades[0]?.status).toBe("filled");
      // Then the broker stops taking the key.
      alpaca.fake.expireAuth();
      const refused = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 1, price: 100 });
      expect((await settledSignal(trader.token, refused.body.id!)).trades[0]?.status).toMatch(/failed|rejected/);

      const stored = await runInDurableObject(queue, async (_instance, state) => {
        const tables = state.storage.sql
          .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
          .toArray()
          .map((r) => r.name);
        const rows = Object.fromEntries(tables.map((t) => [t, state.storage.sql.exec(`SELECT * FROM "${t}"`).toArray()]));
        const kv = Object.fromEntries(await state.storage.list());
        return { tables, text: JSON.stringify({ rows, kv }) };
      });
      // The search is meaningful: the queue's storage holds the signals and trades it ran.
      expect(stored.tables).toEqual(expect.arrayContaining(["queue", "trades", "orders"]));
      expect(stored.text).toContain(first.body.id!);

      const row = await env.DB.prepare(`SELECT * FROM connections WHERE id = ?`).bind(conn.body.id).first();
      const d1 = JSON.stringify(row);
      expect(d1).toContain(conn.body.id);
      const logged = lines.join("\n");
      expect(lines.length, "the run wrote log lines to search").toBeGreaterThan(0);

      for (const [name, value] of [["secretKey", secretKey], ["keyId", keyId]] as const) {
        expect(stored.text.includes(value), `${name} in the queue's Durable Object storage`).toBe(false);
        expect(d1.includes(value), `${name} in the D1 connection row (sealed, never plain)`).toBe(false);
        expect(logged.includes(value), `${name} in a log line`).toBe(false);
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
      alpaca.restore();
    }
  });
});
