/**
 * Health checks, no auth:
 * - `/api/health`: liveness only (the Worker answers), no D1;
 * - `/healthz`: what an operator or an uptime monitor needs after a deploy:
 *   the running version, whether the database schema matches the code (the
 *   latest applied D1 migration against the latest one the code was built
 *   with), and one timed D1 round trip. It answers 503 when D1 does not
 *   answer or migrations are behind, so a monitor alerts on either.
 *
 * Nothing here is secret: the version and migration names are in the public
 * repository, and no setting or binding value is echoed.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import packageJson from "../../package.json";
import journal from "../../migrations/meta/_journal.json";
import { createRouter, jsonResponse } from "./openapi";

const healthRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["meta"],
  summary: "Liveness check",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }).openapi("Health"), "The Worker is up.") },
});

/** The /api/health router. */
export const healthApi = createRouter().openapi(healthRoute, (c) => c.json({ ok: true as const }, 200));

/** The Worker's version, from package.json at build time. */
export const WORKER_VERSION: string = packageJson.version;

/**
 * The migration the code was built with: the last entry of drizzle-kit's
 * journal, named as wrangler records it in `d1_migrations` (the file name).
 */
export const EXPECTED_MIGRATION: string | null = journal.entries.length > 0 ? `${journal.entries[journal.entries.length - 1]!.tag}.sql` : null;

const HealthzSchema = z
  .object({
    status: z.enum(["ok", "migrations-pending", "d1-unavailable"]).openapi({ description: "`ok` (200) or why not (503)." }),
    version: z.string().openapi({ example: "0.1.0", description: "The Worker's version (package.json at build time)." }),
    migrations: z.object({
      applied: z.string().nullable().openapi({ example: "0000_init.sql", description: "The latest migration applied to D1 (null: none, or D1 did not answer)." }),
      expected: z.string().nullable().openapi({ example: "0000_init.sql", description: "The latest migration this code was built with." }),
      upToDate: z.boolean(),
    }),
    d1: z.object({
      ok: z.boolean(),
      roundTripMs: z.number().nullable().openapi({ example: 2.4, description: "Wall time of one D1 query from this Worker." }),
    }),
  })
  .openapi("Healthz");

const healthzRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["meta"],
  summary: "Readiness: version, migration level, D1 round trip",
  responses: {
    200: jsonResponse(HealthzSchema, "Everything answers and the schema matches the code."),
    503: jsonResponse(HealthzSchema, "D1 did not answer, or migrations are behind the code."),
  },
});

/** Migration file names are zero-padded (`0003_x.sql`), so name order is apply order. */
function atLeast(applied: string | null, expected: string | null): boolean {
  if (expected === null) return true;
  return applied !== null && applied >= expected;
}

/** The /healthz router. */
export const healthzApi = createRouter().openapi(healthzRoute, async (c) => {
  let applied: string | null = null;
  let d1Ok = true;
  let roundTripMs: number | null = null;
  const started = performance.now();
  try {
    // One query is both the round trip and the migration level (wrangler's own bookkeeping table).
    const row = await c.env.DB.prepare("SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1").first<{ name: string }>();
    applied = row?.name ?? null;
  } catch (err) {
    // A database that never saw a migration has no d1_migrations table: D1 answered, nothing applied.
    if (!(err instanceof Error && /no such table/i.test(err.message))) d1Ok = false;
  }
  if (d1Ok) roundTripMs = Math.round((performance.now() - started) * 10) / 10;
  const upToDate = d1Ok && atLeast(applied, EXPECTED_MIGRATION);
  const status = !d1Ok ? "d1-unavailable" : upToDate ? "ok" : "migrations-pending";
  c.header("Cache-Control", "no-store");
  const body = {
    status,
    version: WORKER_VERSION,
    migrations: { applied, expected: EXPECTED_MIGRATION, upToDate },
    d1: { ok: d1Ok, roundTripMs },
  } as const;
  return status === "ok" ? c.json(body, 200) : c.json(body, 503);
});
