/**
 * Connection-level broker features: `POST /api/connections/{id}/test` with
 * one actionable sentence, `settings.baseUrl` overrides, credential updates,
 * and the paper broker's price source. Real-broker connections talk to the
 * OANDA fake through a stubbed global fetch (the Worker and the tests share
 * the isolate), so nothing leaves the machine.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAKE_LIVE_TOKEN, FAKE_PRACTICE_TOKEN, OandaFake } from "../../plugins/oanda/fake";
import { OANDA_LIVE_URL, OANDA_PRACTICE_URL } from "../../plugins/oanda/manifest";
import { checkBaseUrl, isLoopbackHost } from "../../worker/connections/base-url";
import { describeTestFailure, TEST_MESSAGES } from "../../worker/connections/test-messages";
import { BrokerError } from "../../plugins/sdk";
import { authed, signup, type ApiErrorJson } from "../helpers/api";
import { createTrader, positions, sendAlert, settledSignal } from "../helpers/trader";

interface Connection {
  id: string;
  status: string;
  statusMessage: string | null;
  settings: Record<string, unknown>;
  credentialsHint: string | null;
  accounts: { id: string; brokerAccountId: string; mode: string }[];
}

type TestResult = { ok: true; status: "connected"; accounts: { brokerAccountId: string }[] } | { ok: false; status: string; messageCode: string; message: string };

/** An explicit base URL on one of OANDA's declared hosts (other hosts are refused: see connection-hosts.security.test.ts). */
const PROXY = "https://api-fxpractice.oanda.com/v3";

/** Routes the Worker's outgoing fetches to an OANDA fake: its two hosts, a proxy host, and a loopback host. */
function routeToFake(fake: OandaFake) {
  const hosts = [OANDA_PRACTICE_URL, OANDA_LIVE_URL, PROXY, "http://127.0.0.1:9999/v3"];
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!hosts.some((h) => request.url.startsWith(h))) throw new TypeError(`network disabled in tests: ${request.url}`);
    // The fake tells environments apart by host; the proxy and loopback hosts stand in for practice.
    const url = request.url.replace(PROXY, OANDA_PRACTICE_URL).replace("http://127.0.0.1:9999/v3", OANDA_PRACTICE_URL);
    return fake.fetch(new Request(url, request));
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function oandaConnection(token: string, fake: OandaFake, settings: Record<string, unknown> = {}, credentialsToken = FAKE_PRACTICE_TOKEN) {
  routeToFake(fake);
  const res = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "OANDA practice", settings, credentials: { token: credentialsToken } });
  return res;
}

describe("POST /api/connections/{id}/test", () => {
  it("a working connection answers ok with its accounts and stays connected", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const conn = await oandaConnection(token, fake);
    expect(conn.status, conn.text).toBe(201);
    expect(conn.body).toMatchObject({ status: "connected", credentialsHint: "••••k3F9", settings: { environment: "paper" } });
    expect(conn.body.accounts.map((a) => [a.brokerAccountId, a.mode])).toEqual([["101-001-1234567-001", "paper"]]);
    const res = await authed(token).post<TestResult>(`/api/connections/${conn.body.id}/test`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: "connected", accounts: [{ brokerAccountId: "101-001-1234567-001" }] });
  });

  it("revoked credentials: ok false, one sentence, the connection becomes expired; new credentials and a test bring it back", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const conn = await oandaConnection(token, fake);
    fake.expireAuth();
    const failed = await authed(token).post<TestResult>(`/api/connections/${conn.body.id}/test`);
    expect(failed.body).toEqual({
      ok: false,
      status: "expired",
      messageCode: "invalid-credentials",
      message: "OANDA rejected the credentials, so check that you pasted the whole key for this account or create a new one and reconnect.",
    });
    const after = await authed(token).get<Connection>(`/api/connections/${conn.body.id}`);
    expect(after.body).toMatchObject({ status: "expired", statusMessage: (failed.body as { message: string }).message });

    fake.reset();
    const patched = await authed(token).patch<Connection>(`/api/connections/${conn.body.id}`, { credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.text).not.toContain(FAKE_PRACTICE_TOKEN);
    const ok = await authed(token).post<TestResult>(`/api/connections/${conn.body.id}/test`);
    expect(ok.body.ok).toBe(true);
    expect((await authed(token).get<Connection>(`/api/connections/${conn.body.id}`)).body).toMatchObject({ status: "connected", statusMessage: null });
  });

  it("a token of the other environment is named as such at creation and when tested", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const created = await oandaConnection(token, fake, {}, FAKE_LIVE_TOKEN);
    expect(created.status).toBe(400);
    expect((created.body as unknown as ApiErrorJson).error).toEqual({
      messageCode: "wrong-environment",
      message: "These credentials belong to OANDA's live environment, so switch the connection's environment to live or use paper (practice/sandbox) credentials.",
      requestId: expect.any(String),
    });
    const live = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "Live", settings: { environment: "live" }, credentials: { token: FAKE_LIVE_TOKEN } });
    expect(live.status, live.text).toBe(201);
    expect(live.body.accounts[0]).toMatchObject({ mode: "live" });
  });

  it("an unreachable broker is an error with a base-URL hint, and the paper broker always passes", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const conn = await oandaConnection(token, fake, { baseUrl: "http://127.0.0.1:9999/v3" });
    expect(conn.status, conn.text).toBe(201);
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const res = await authed(token).post<TestResult>(`/api/connections/${conn.body.id}/test`);
    expect(res.body).toEqual({
      ok: false,
      status: "error",
      messageCode: "broker-unreachable",
      message: "OANDA could not be reached, so check the connection's base URL and test again.",
    });
    const paper = await authed(token).post<Connection>("/api/connections", { broker: "paper", name: "Paper" });
    expect((await authed(token).post<TestResult>(`/api/connections/${paper.body.id}/test`)).body).toMatchObject({ ok: true, accounts: [{ brokerAccountId: "paper" }] });
  });

  it("someone else's connection is 404", async () => {
    const owner = await signup();
    const paper = await authed(owner.token).post<Connection>("/api/connections", { broker: "paper", name: "Paper" });
    const other = await signup();
    expect((await authed(other.token).post(`/api/connections/${paper.body.id}/test`)).status).toBe(404);
  });

  it("every message is one sentence naming what to do", () => {
    const subject = { broker: "Acme", environment: "paper" as const, hasBaseUrl: false };
    for (const code of Object.keys(TEST_MESSAGES)) {
      const { message } = describeTestFailure(subject, new BrokerError("Bad thing. More detail here.", { code, kind: "rejected" }));
      expect(message.match(/[.!?](\s|$)/g), `${code}: ${message}`).toHaveLength(1);
      expect(message.endsWith("."), message).toBe(true);
    }
    const fallback = describeTestFailure(subject, new BrokerError("Account is blocked. Call us.", { code: "account-blocked", kind: "rejected" }));
    expect(fallback.message).toBe("Acme refused the test (account-blocked: account is blocked), so fix that at Acme and test again.");
    expect(describeTestFailure(subject, new Error("boom")).messageCode).toBe("broker-error");
  });
});

describe("settings.baseUrl", () => {
  it("https overrides on a declared host are kept (normalized) and used for every request", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const spy = routeToFake(fake);
    const res = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "Via proxy", settings: { baseUrl: `${PROXY}/` }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.settings.baseUrl).toBe(PROXY);
    const urls = spy.mock.calls.map(([input]) => (input instanceof Request ? input.url : String(input)));
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((u) => u.startsWith(PROXY))).toBe(true);
    // Removing the override with null: a change of destination, so the credentials come again.
    const cleared = await authed(token).patch<Connection>(`/api/connections/${res.body.id}`, { settings: { baseUrl: null }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.settings).not.toHaveProperty("baseUrl");
  });

  it("plain http is allowed to loopback in development (tests run with ALLOW_HTTP_LOOPBACK)", async () => {
    const { token } = await signup();
    routeToFake(new OandaFake());
    const res = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "Local fake", settings: { baseUrl: "http://127.0.0.1:9999/v3" }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(res.status, res.text).toBe(201);
  });

  it.each([
    ["http://broker.example.com/v3", /must use https/],
    ["http://10.0.0.5/v3", /must use https/],
    ["ftp://broker.example.com", /must use https/],
    ["https://user:pass@broker.example.com/v3", /user name or password/],
    ["https://broker.example.com/v3?key=1", /query string/],
    ["not a url", /not a valid URL/],
    ["", /absolute URL/],
  ])("refuses %s", async (baseUrl, message) => {
    const { token } = await signup();
    const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "oanda", name: "x", settings: { baseUrl }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "settings.baseUrl" });
    expect(res.body.error.message).toMatch(message);
  });

  it("the paper broker takes no base URL; PATCH validates too", async () => {
    const { token } = await signup();
    const paper = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "paper", name: "P", settings: { baseUrl: "https://x.example.com" } });
    expect(paper.status).toBe(400);
    expect(paper.body.error.field).toBe("settings.baseUrl");
    const conn = await oandaConnection(token, new OandaFake());
    const bad = await authed(token).patch<ApiErrorJson>(`/api/connections/${conn.body.id}`, { settings: { baseUrl: "http://evil.example.com" } });
    expect(bad.status).toBe(400);
  });

  it("outside development, http is refused even to loopback", () => {
    const rules = (loopbackAllowed: boolean) => ({ broker: "OANDA", declaredHosts: ["api-fxpractice.oanda.com"], userChosenHosts: false, loopbackAllowed });
    expect(() => checkBaseUrl("http://127.0.0.1:8080/v3", rules(false))).toThrow(/only allowed when Tradeloop runs in development/);
    expect(() => checkBaseUrl("http://localhost:8080", rules(false))).toThrow(/only allowed when Tradeloop runs in development/);
    expect(checkBaseUrl("http://localhost:8080/", rules(true)).url).toBe("http://localhost:8080");
    expect(checkBaseUrl("http://[::1]:8080/v3", rules(true)).url).toBe("http://[::1]:8080/v3");
    expect(checkBaseUrl("http://127.1:8080/v3", rules(true)).url).toBe("http://127.0.0.1:8080/v3");
    expect(["127.0.0.1", "127.255.0.9", "localhost", "api.localhost", "[::1]"].every(isLoopbackHost)).toBe(true);
    expect(["128.0.0.1", "localhost.example.com", "[::2]", "0.0.0.0"].some(isLoopbackHost)).toBe(false);
  });
});

describe("paper price source", () => {
  it("validated: a connection of yours at a quote-capable broker, for paper connections only", async () => {
    const { token } = await signup();
    const fake = new OandaFake();
    const oanda = await oandaConnection(token, fake);
    const otherPaper = await authed(token).post<Connection>("/api/connections", { broker: "paper", name: "Other" });
    const stranger = await signup();
    const strangersOanda = await oandaConnection(stranger.token, fake);
    const refusals: [unknown, RegExp][] = [
      [otherPaper.body.id, /does not provide quotes/],
      [strangersOanda.body.id, /names no connection of yours/],
      ["nope", /names no connection of yours/],
      [42, /must be a connection id/],
    ];
    for (const [value, message] of refusals) {
      const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "paper", name: "P", settings: { priceSourceConnectionId: value } });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ field: "settings.priceSourceConnectionId" });
      expect(res.body.error.message).toMatch(message);
    }
    const onOanda = await authed(token).patch<ApiErrorJson>(`/api/connections/${oanda.body.id}`, { settings: { priceSourceConnectionId: oanda.body.id } });
    expect(onOanda.body.error.message).toMatch(/only for paper connections/);
    const ok = await authed(token).post<Connection>("/api/connections", { broker: "paper", name: "P", settings: { priceSourceConnectionId: oanda.body.id } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.settings.priceSourceConnectionId).toBe(oanda.body.id);
  });

  it("market orders of a paper connection fill at the source's quote mid, not the alert's price", async () => {
    const fake = new OandaFake({ halfSpread: "0.0002" });
    fake.setPrice("EUR_USD", "1.1");
    const trader = await createTrader({ assetClass: "forex" });
    const oanda = await oandaConnection(trader.token, fake);
    expect(oanda.status, oanda.text).toBe(201);
    const patched = await authed(trader.token).patch<Connection>(`/api/connections/${trader.connectionId}`, { settings: { priceSourceConnectionId: oanda.body.id } });
    expect(patched.status, patched.text).toBe(200);
    const reply = await sendAlert(trader.webhookUrl, { ticker: "EURUSD", action: "buy", quantity: 1000, signalPrice: 1.05 });
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status, JSON.stringify(signal)).toBe("filled");
    expect(await positions(trader)).toMatchObject([{ ticker: "EURUSD", quantity: 1000, avgPrice: 1.1 }]);
  });

  it("without a usable quote the alert's price is used", async () => {
    const fake = new OandaFake();
    const trader = await createTrader({ assetClass: "forex" });
    const oanda = await oandaConnection(trader.token, fake);
    await authed(trader.token).patch(`/api/connections/${trader.connectionId}`, { settings: { priceSourceConnectionId: oanda.body.id } });
    // The fake has no EUR_USD price: pricing answers 400, so the paper fill falls back to the signal price.
    const reply = await sendAlert(trader.webhookUrl, { ticker: "EURUSD", action: "buy", quantity: 1000, signalPrice: 1.05 });
    const signal = await settledSignal(trader.token, reply.body.id!);
    expect(signal.trades[0]?.status, JSON.stringify(signal)).toBe("filled");
    expect(await positions(trader)).toMatchObject([{ ticker: "EURUSD", quantity: 1000, avgPrice: 1.05 }]);
  });
});
