import { describe, expect, it } from "vitest";
import { api, authed, paperSetup, signup } from "../helpers/api";

/** Keys that must never appear in any API response. */
const FORBIDDEN_KEYS = new Set(["passwordHash", "password_hash", "secretHash", "secret_hash", "credentials", "credentialsCiphertext", "credentials_ciphertext", "credentialsKeyId"]);

function forbiddenKeysIn(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => forbiddenKeysIn(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [...(FORBIDDEN_KEYS.has(k) ? [`${path}.${k}`] : []), ...forbiddenKeysIn(v, `${path}.${k}`)]);
}

describe("no response leaks secrets", () => {
  it("walks every read and write of a full setup", async () => {
    const password = "leak-check password";
    const s = await signup(undefined, password);
    const setup = await paperSetup(s.token);
    const secret = setup.webhookUrl.split("/").pop()!;
    const a = authed(s.token);
    const responses = [
      await api("POST", "/api/auth/login", { json: { email: s.email, password } }),
      await a.get("/api/auth/me"),
      await a.get("/api/brokers"),
      await a.get("/api/connections"),
      await a.get(`/api/connections/${setup.connectionId}`),
      await a.patch(`/api/connections/${setup.connectionId}`, { name: "Renamed" }),
      await a.get(`/api/connections/${setup.connectionId}/positions`),
      await a.get(`/api/connections/${setup.connectionId}/orders?include=recent`),
      await a.get(`/api/connections/${setup.connectionId}/balance`),
      await a.get("/api/strategies"),
      await a.get(`/api/strategies/${setup.strategyId}`),
      await a.patch(`/api/strategies/${setup.strategyId}`, { enabled: false }),
      await a.get("/api/subscriptions"),
      await a.get(`/api/subscriptions/${setup.subscriptionId}`),
      await a.get(`/api/subscriptions/${setup.subscriptionId}/positions`),
    ];
    for (const res of responses) {
      expect(res.status, res.text).toBeLessThan(300);
      expect(forbiddenKeysIn(res.body), res.text).toEqual([]);
      expect(res.text).not.toContain(password);
      expect(res.text).not.toContain(secret);
    }
  });
});
