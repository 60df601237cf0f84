/**
 * The migration that makes (strategy, account) unique on a database that
 * already holds duplicates, as a deployed one may: the migrations before it
 * are applied to an empty D1 of its own, duplicates are inserted with the
 * old schema, and then it runs. It must not fail, must keep exactly one
 * subscription per pair trading (an enabled one, the oldest), must park the
 * others (disabled, pointing at the one kept) without deleting anything, and
 * must leave the rule enforced for every later write.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";

const MIGRATION = "one_subscription_per_account";
const db = env.MIGRATIONS_TEST_DB;
const migrations = env.TEST_MIGRATIONS;
const index = migrations.findIndex((m) => m.name.includes(MIGRATION));

interface Row {
  id: string;
  enabled: number;
  duplicate_of: string | null;
  updated_at: number;
}

const T0 = 1_700_000_000_000;

/** Rows as a database migrated up to 0000 holds them (no duplicate_of column yet). */
async function seedOldSchema(): Promise<void> {
  const sub = (id: string, strategy: string, account: string, enabled: boolean, createdAt: number) =>
    db
      .prepare(
        `INSERT INTO subscriptions (id, user_id, strategy_id, connection_id, account_id, enabled, settings, created_at, updated_at)
         VALUES (?, 'u1', ?, 'c1', ?, ?, '{}', ?, ?)`,
      )
      .bind(id, strategy, account, enabled ? 1 : 0, createdAt, createdAt);
  await db.batch([
    db.prepare(`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'a@example.com', 'x', ?)`).bind(T0),
    db.prepare(`INSERT INTO connections (id, user_id, broker, name, status, settings, created_at, updated_at) VALUES ('c1', 'u1', 'paper', 'Paper', 'active', '{}', ?, ?)`).bind(T0, T0),
    db.prepare(`INSERT INTO accounts (id, user_id, connection_id, broker_account_id, mode, name, created_at) VALUES ('a1', 'u1', 'c1', 'p1', 'paper', 'One', ?), ('a2', 'u1', 'c1', 'p2', 'paper', 'Two', ?)`).bind(T0, T0),
    db.prepare(
      `INSERT INTO strategies (id, user_id, name, asset_class, secret_hash, settings, created_at, updated_at)
       VALUES ('s1', 'u1', 'One', 'stocks', 'h', '{}', ?, ?), ('s2', 'u1', 'Two', 'stocks', 'h', '{}', ?, ?)`,
    ).bind(T0, T0, T0, T0),
    // s1 × a1: three enabled copies; the oldest is kept.
    sub("a-old", "s1", "a1", true, T0 + 1),
    sub("a-mid", "s1", "a1", true, T0 + 2),
    sub("a-new", "s1", "a1", true, T0 + 3),
    // s1 × a2: the oldest is disabled, the newer one trades: the one trading is kept.
    sub("b-old-off", "s1", "a2", false, T0 + 1),
    sub("b-new-on", "s1", "a2", true, T0 + 2),
    // s2 × a1: no duplicate.
    sub("c-only", "s2", "a1", true, T0 + 1),
    // s2 × a2: two disabled copies; the oldest is kept.
    sub("d-old-off", "s2", "a2", false, T0 + 1),
    sub("d-new-off", "s2", "a2", false, T0 + 2),
  ]);
}

async function rows(): Promise<Map<string, Row>> {
  const r = await db.prepare(`SELECT id, enabled, duplicate_of, updated_at FROM subscriptions`).all<Row>();
  return new Map(r.results.map((x) => [x.id, x]));
}

describe(`migration ${MIGRATION} on a database that holds duplicates`, () => {
  /** What creating the unique index without the migration's first step answered. */
  let indexAlone = "";
  beforeAll(async () => {
    expect(index, `no migration named *${MIGRATION}*`).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, index));
    await seedOldSchema();
    // The naive migration, the unique index alone, fails on this data: that is the deployed-database problem.
    indexAlone = await db
      .prepare(`CREATE UNIQUE INDEX naive_uq ON subscriptions (strategy_id, account_id)`)
      .run()
      .then(() => "created", (e: unknown) => (e instanceof Error ? e.message : String(e)));
    await applyD1Migrations(db, migrations.slice(0, index + 1));
  });

  it("is needed: the unique index alone fails on a database with duplicates", () => {
    expect(indexAlone).toMatch(/UNIQUE constraint failed/);
  });

  it("applies, and keeps one subscription per strategy and account: an enabled one first, then the oldest", async () => {
    const r = await rows();
    expect(r.size).toBe(8); // nothing deleted
    const kept = [...r.values()].filter((x) => x.duplicate_of === null).map((x) => x.id).sort();
    expect(kept).toEqual(["a-old", "b-new-on", "c-only", "d-old-off"]);
    expect(r.get("a-old")).toMatchObject({ enabled: 1, updated_at: T0 + 1 });
    expect(r.get("b-new-on")).toMatchObject({ enabled: 1, updated_at: T0 + 2 });
    expect(r.get("c-only")).toMatchObject({ enabled: 1, updated_at: T0 + 1 });
  });

  it("parks every other copy: disabled, pointing at the one kept, with its change time", async () => {
    const r = await rows();
    expect(r.get("a-mid")).toMatchObject({ enabled: 0, duplicate_of: "a-old" });
    expect(r.get("a-new")).toMatchObject({ enabled: 0, duplicate_of: "a-old" });
    expect(r.get("b-old-off")).toMatchObject({ enabled: 0, duplicate_of: "b-new-on" });
    expect(r.get("d-new-off")).toMatchObject({ enabled: 0, duplicate_of: "d-old-off" });
    expect(r.get("a-mid")!.updated_at).toBeGreaterThan(T0 + 1_000_000);
    // At most one subscription per pair can trade now.
    const trading = await db.prepare(`SELECT strategy_id, account_id, count(*) AS n FROM subscriptions WHERE enabled = 1 GROUP BY 1, 2 HAVING n > 1`).all();
    expect(trading.results).toEqual([]);
  });

  it("enforces the rule for later writes, and the later migrations still apply", async () => {
    await applyD1Migrations(db, migrations);
    const insert = (id: string, duplicateOf: string | null) =>
      db
        .prepare(
          `INSERT INTO subscriptions (id, user_id, strategy_id, connection_id, account_id, enabled, settings, duplicate_of, created_at, updated_at)
           VALUES (?, 'u1', 's1', 'c1', 'a1', 0, '{}', ?, ?, ?)`,
        )
        .bind(id, duplicateOf, T0 + 9, T0 + 9)
        .run();
    await expect(insert("e-dup", null)).rejects.toThrow(/UNIQUE constraint failed: subscriptions\.strategy_id, subscriptions\.account_id/);
    // Un-parking a copy while the kept one exists is refused the same way.
    await expect(db.prepare(`UPDATE subscriptions SET duplicate_of = NULL, enabled = 1 WHERE id = 'a-mid'`).run()).rejects.toThrow(/UNIQUE constraint failed/);
  });
});
