/**
 * GET /healthz when the schema is behind the code: 503 `migrations-pending`,
 * so an uptime monitor alerts after a deploy whose migrations did not run.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { api } from "../helpers/api";

it("answers 503 migrations-pending when the latest migration is not applied", async () => {
  const latest = env.TEST_MIGRATIONS[env.TEST_MIGRATIONS.length - 1]!.name;
  await env.DB.prepare("DELETE FROM d1_migrations WHERE name = ?").bind(latest).run();
  const res = await api<{ status: string; migrations: { applied: string | null; expected: string; upToDate: boolean }; d1: { ok: boolean } }>("GET", "/healthz");
  expect(res.status).toBe(503);
  expect(res.body.status).toBe("migrations-pending");
  expect(res.body.migrations).toMatchObject({ expected: latest, upToDate: false });
  expect(res.body.migrations.applied === null || res.body.migrations.applied < latest).toBe(true);
  expect(res.body.d1.ok).toBe(true);
});

it("answers 503 migrations-pending on a database that never saw a migration", async () => {
  await env.DB.prepare("DROP TABLE d1_migrations").run();
  const res = await api<{ status: string; migrations: { applied: string | null }; d1: { ok: boolean } }>("GET", "/healthz");
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ status: "migrations-pending", migrations: { applied: null }, d1: { ok: true } });
});
