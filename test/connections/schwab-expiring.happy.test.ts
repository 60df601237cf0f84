/**
 * Schwab's grant ends a fixed time after the sign-in (7 days): a day ahead,
 * the owner's alarm marks the connection `expiring` and tells the user, once.
 * Also: Schwab's connect flow says there is no paper environment.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SchwabFake } from "../../plugins/schwab/fake";
import { authed, signup, workerFetch, type ApiErrorJson } from "../helpers/api";
import { browserCookie } from "../helpers/oauth";

afterEach(() => {
  vi.restoreAllMocks();
});

function routeToSchwab(fake: SchwabFake) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!request.url.startsWith("https://api.schwabapi.com/")) throw new TypeError(`network disabled in tests: ${request.url}`);
    return fake.fetch(request);
  });
}

describe("Schwab's weekly re-authorisation", () => {
  it("a grant ending within a day marks the connection expiring, with one event", async () => {
    // The fake's grant ends in 12 hours and it says so (refresh_token_expires_in).
    const fake = new SchwabFake({ refreshTokenTtlSeconds: 12 * 3600, sendRefreshTokenExpiresIn: true });
    routeToSchwab(fake);
    const { token } = await signup();
    const demo = await authed(token).get<ApiErrorJson>("/api/connections/oauth/schwab/start?environment=demo");
    expect(demo.status).toBe(400);
    expect(demo.body.error).toMatchObject({ messageCode: "oauth-unsupported" });
    expect(demo.body.error.message).toMatch(/Schwab has no paper environment/);
    const start = await authed(token).get<{ url: string; note: string }>("/api/connections/oauth/schwab/start?name=Schwab");
    expect(start.status, start.text).toBe(200);
    expect(start.body.note).toMatch(/no paper environment/);
    const back = await fake.authorize(new URL(start.body.url));
    const callback = await workerFetch(back.href, { redirect: "manual", headers: { cookie: browserCookie(start.headers) } });
    const id = new URL((callback.headers.get("location") ?? "").replace("/#/", "/")).searchParams.get("connected");
    expect(id, callback.headers.get("location") ?? "").toBeTruthy();
    const conn = await authed(token).get<{ status: string; accounts: { brokerAccountId: string; mode: string }[] }>(`/api/connections/${id}`);
    expect(conn.body.accounts[0]).toMatchObject({ mode: "live" });

    const owner = env.CONNECTION_SESSION.getByName(id!);
    await runDurableObjectAlarm(owner);
    const after = await authed(token).get<{ status: string; statusReason: string }>(`/api/connections/${id}`);
    expect(after.body.status).toBe("expiring");
    expect(after.body.statusReason).toMatch(/authorisation ends in about 12 h .*reconnect it before then/);
    await runDurableObjectAlarm(owner);
    const events = await authed(token).get<{ kind: string }[]>("/api/events");
    expect(events.body.filter((e) => e.kind === "connection-expiring")).toHaveLength(1);
  });

  it("a broker whose app is not configured answers which Worker secrets to set", async () => {
    const { token } = await signup();
    const res = await authed(token).get<ApiErrorJson>("/api/connections/oauth/alpaca/start?environment=demo");
    expect(res.status).toBe(400);
    expect(res.body.error.messageCode).toBe("oauth-not-configured");
    expect(res.body.error.message).toMatch(/ALPACA_CLIENT_ID and ALPACA_CLIENT_SECRET/);
  });
});
