import { describe, expect, it, vi } from "vitest";
import { FAKE_PRACTICE_TOKEN, OandaFake } from "../../plugins/oanda/fake";
import { api, authed, signup } from "../helpers/api";
import { setupTrader } from "../helpers/trader";

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
    const setup = await setupTrader(s.token);
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

describe("no response leaks broker credentials", () => {
  it("a real-broker connection's token never comes back, from any route, only its masked hint", async () => {
    const fake = new OandaFake();
    fake.setPrice("EUR_USD", "1.1");
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => fake.fetch(new Request(input, init)));
    try {
      const s = await signup();
      const a = authed(s.token);
      const created = await a.post<{ id: string; credentialsHint: string }>("/api/connections", { broker: "oanda", name: "OANDA", credentials: { token: FAKE_PRACTICE_TOKEN } });
      expect(created.status, created.text).toBe(201);
      expect(created.body.credentialsHint).toBe(`••••${FAKE_PRACTICE_TOKEN.slice(-4)}`);
      const id = created.body.id;
      const paper = await a.post<{ id: string }>("/api/connections", { broker: "paper", name: "Paper", settings: { priceSourceConnectionId: id } });
      const responses = [
        created,
        paper,
        await a.get("/api/connections"),
        await a.get(`/api/connections/${id}`),
        await a.patch(`/api/connections/${id}`, { name: "Renamed", credentials: { token: FAKE_PRACTICE_TOKEN } }),
        await a.post(`/api/connections/${id}/test`),
        await a.get(`/api/connections/${id}/positions`),
        await a.get(`/api/connections/${id}/orders?include=recent`),
        await a.get(`/api/connections/${id}/balance`),
        await a.get("/api/brokers"),
      ];
      fake.expireAuth();
      responses.push(await a.post(`/api/connections/${id}/test`), await a.get(`/api/connections/${id}/balance`));
      for (const res of responses) {
        expect(forbiddenKeysIn(res.body), res.text).toEqual([]);
        expect(res.text).not.toContain(FAKE_PRACTICE_TOKEN);
        expect(res.text).not.toContain(FAKE_PRACTICE_TOKEN.slice(0, -4));
      }
    } finally {
      spy.mockRestore();
    }
  });
});
