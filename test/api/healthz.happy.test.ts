/**
 * GET /healthz on a migrated database: the version from package.json, the
 * latest migration applied equal to the latest one the code was built with,
 * and a timed D1 round trip. No auth; nothing cached.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { api } from "../helpers/api";

interface Healthz {
  status: string;
  version: string;
  migrations: { applied: string | null; expected: string | null; upToDate: boolean };
  d1: { ok: boolean; roundTripMs: number | null };
}

describe("GET /healthz", () => {
  it("answers ok with the version, the migration level and a D1 round trip, without auth", async () => {
    const res = await api<Healthz>("GET", "/healthz");
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const latest = env.TEST_MIGRATIONS[env.TEST_MIGRATIONS.length - 1]!.name;
    expect(res.body).toEqual({
      status: "ok",
      version: packageJson.version,
      migrations: { applied: latest, expected: latest, upToDate: true },
      d1: { ok: true, roundTripMs: expect.any(Number) },
    });
    expect(res.body.d1.roundTripMs).toBeGreaterThanOrEqual(0);
  });

  it("leaves /api/health as it was", async () => {
    const res = await api("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it("echoes no secret of the Worker", async () => {
    const res = await api("GET", "/healthz");
    for (const value of [env.JWT_SECRET, env.VAULT_KEYS]) expect(res.text).not.toContain(value);
  });
});
