/**
 * Finding 13: ALLOW_HTTP_LOOPBACK and ALLOW_FAULT_INJECTION were honoured in
 * any environment. Now they work only when ENVIRONMENT is exactly
 * "development" (npm start, the tests), and a Worker that has them set
 * anywhere else logs one warning and ignores them.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { httpLoopbackAllowed } from "../../worker/connections/base-url";
import { faultInjectionAllowed, splitFaultSettings } from "../../worker/connections/fault-injection";
import { app } from "../../worker/app";
import { API_ORIGIN } from "../helpers/api";

afterEach(() => {
  vi.restoreAllMocks();
});

const flags = { ALLOW_HTTP_LOOPBACK: "true", ALLOW_FAULT_INJECTION: "true" };

describe("development switches", () => {
  it("work only with ENVIRONMENT=development", () => {
    for (const environment of ["production", "staging", "Development", "", undefined]) {
      const e = { ...flags, ENVIRONMENT: environment };
      expect(httpLoopbackAllowed(e), String(environment)).toBe(false);
      expect(faultInjectionAllowed(e), String(environment)).toBe(false);
    }
    expect(httpLoopbackAllowed({ ...flags, ENVIRONMENT: "development" })).toBe(true);
    expect(faultInjectionAllowed({ ENVIRONMENT: "development", ALLOW_FAULT_INJECTION: "false" })).toBe(false);
  });

  it("a connection's fault profile is ignored (and never reaches the plugin) outside development", () => {
    const settings = { environment: "paper", faults: { serverErrorRate: 1 } };
    expect(splitFaultSettings({ ...flags, ENVIRONMENT: "production" }, settings)).toEqual({ settings: { environment: "paper" }, faults: null });
    expect(splitFaultSettings({ ...flags, ENVIRONMENT: "development" }, settings).faults).toMatchObject({ serverErrorRate: 1 });
  });

  it("a production Worker with them set warns once, naming them, on its first request", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const production = { ...env, ENVIRONMENT: "production", ...flags };
    await app.request(`${API_ORIGIN}/api/health`, {}, production);
    await app.request(`${API_ORIGIN}/api/health`, {}, production);
    const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("development switches"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ALLOW_HTTP_LOOPBACK, ALLOW_FAULT_INJECTION are set but ignored/);
  });
});
