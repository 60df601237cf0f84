/**
 * Finding 1 (high): credentials are bound to where they go. Before the fix,
 * `PATCH /api/connections/:id` with only a new `settings.baseUrl` kept the
 * sealed credentials, and the next test, read or order sent the decrypted
 * keys to the new host: a stolen session was enough to steal broker keys.
 * Now any change of destination needs the credentials in the same request
 * and passes the broker's connection test before it is saved.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAKE_ACCOUNT_ID, FAKE_LIVE_ACCOUNT_ID, FAKE_LIVE_TOKEN, FAKE_PRACTICE_TOKEN, OandaFake } from "../../plugins/oanda/fake";
import { authed, signup, type ApiErrorJson } from "../helpers/api";
import { LOOPBACK_OANDA, routeOanda } from "../helpers/oanda-network";

interface Connection {
  id: string;
  status: string;
  settings: Record<string, unknown>;
  credentialsHint: string | null;
  accounts: { brokerAccountId: string; mode: string }[];
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function practiceConnection(fake: OandaFake) {
  const { token } = await signup();
  const network = routeOanda(fake);
  const created = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "OANDA", credentials: { token: FAKE_PRACTICE_TOKEN } });
  expect(created.status, created.text).toBe(201);
  network.urls.length = 0;
  return { token, id: created.body.id, network };
}

async function storedRow(id: string) {
  return env.DB.prepare("SELECT settings, credentials_ciphertext FROM connections WHERE id = ?").bind(id).first<{ settings: string; credentials_ciphertext: string }>();
}

describe("PATCH /api/connections/:id: a change of destination needs the credentials again", () => {
  it("a new baseUrl alone is 400 credentials-required; nothing is stored and nothing is sent anywhere", async () => {
    const { token, id, network } = await practiceConnection(new OandaFake());
    const before = await storedRow(id);
    const res = await authed(token).patch<ApiErrorJson>(`/api/connections/${id}`, { settings: { baseUrl: LOOPBACK_OANDA } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "credentials-required", field: "credentials" });
    expect(res.body.error.message).toMatch(/credentials again/);
    expect(await storedRow(id)).toEqual(before);
    expect(network.urls).toEqual([]);
    // The next test still goes to OANDA's own host.
    await authed(token).post(`/api/connections/${id}/test`);
    expect(network.urls.every((u) => u.startsWith("https://api-fxpractice.oanda.com/"))).toBe(true);
  });

  it("switching the environment alone is 400 credentials-required", async () => {
    const { token, id } = await practiceConnection(new OandaFake());
    const res = await authed(token).patch<ApiErrorJson>(`/api/connections/${id}`, { settings: { environment: "live" } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.messageCode).toBe("credentials-required");
    expect(JSON.parse((await storedRow(id))!.settings)).toMatchObject({ environment: "paper" });
  });

  it("removing a base URL is a change of destination too", async () => {
    const fake = new OandaFake();
    const { token } = await signup();
    routeOanda(fake);
    const created = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "Local", settings: { baseUrl: LOOPBACK_OANDA }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(created.status, created.text).toBe(201);
    const res = await authed(token).patch<ApiErrorJson>(`/api/connections/${created.body.id}`, { settings: { baseUrl: null } });
    expect(res.body.error?.messageCode).toBe("credentials-required");
  });

  it("with the credentials, the connection is tested at the new destination before it is saved", async () => {
    const { token, id, network } = await practiceConnection(new OandaFake());
    const res = await authed(token).patch<Connection>(`/api/connections/${id}`, { settings: { environment: "live" }, credentials: { token: FAKE_LIVE_TOKEN } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: "connected", settings: { environment: "live" } });
    expect(network.urls.length).toBeGreaterThan(0);
    expect(network.urls.every((u) => u.startsWith("https://api-fxtrade.oanda.com/"))).toBe(true);
    expect(res.body.accounts.map((a) => a.brokerAccountId)).toEqual([FAKE_ACCOUNT_ID, FAKE_LIVE_ACCOUNT_ID]);
  });

  it("credentials the new destination refuses: the broker's 400 and nothing changes", async () => {
    const { token, id } = await practiceConnection(new OandaFake());
    const before = await storedRow(id);
    // Practice credentials sent to the live environment.
    const res = await authed(token).patch<ApiErrorJson>(`/api/connections/${id}`, { settings: { environment: "live" }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.messageCode).toBe("wrong-environment");
    expect(await storedRow(id)).toEqual(before);
  });

  it("a rename or new credentials for the same destination need no test", async () => {
    const { token, id, network } = await practiceConnection(new OandaFake());
    const renamed = await authed(token).patch<Connection>(`/api/connections/${id}`, { name: "Renamed", settings: { environment: "paper" } });
    expect(renamed.status, renamed.text).toBe(200);
    const rekeyed = await authed(token).patch<Connection>(`/api/connections/${id}`, { credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(rekeyed.status, rekeyed.text).toBe(200);
    expect(network.urls).toEqual([]);
  });
});
