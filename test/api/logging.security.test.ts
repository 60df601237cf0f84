/**
 * What the Worker's logs hold for a real webhook and a real API error: every
 * line of a request carries that request's id (the same one the response's
 * X-Request-Id header and the error body carry), and no line holds the
 * webhook's secret, a session token or a Worker secret.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLogSink, type LogLine } from "../../worker/lib/log";
import { api, signup } from "../helpers/api";
import { setupTrader } from "../helpers/trader";

let lines: LogLine[] = [];
let restore: () => void = () => undefined;
beforeEach(() => {
  lines = [];
  restore = setLogSink((line) => lines.push(line));
});
afterEach(() => restore());

describe("request ids", () => {
  it("answers every request with an X-Request-Id and logs the access line under it", async () => {
    const res = await api("GET", "/healthz");
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l.msg === "request")).toMatchObject({ requestId: id, method: "GET", path: "/healthz", status: 200 });
  });

  it("uses Cloudflare's cf-ray as the id when there is one, and ignores one that is not a ray", async () => {
    const ray = "8f1c2d3e4a5b6c7d-IAD";
    const res = await api("GET", "/healthz", { headers: { "cf-ray": ray } });
    expect(res.headers.get("x-request-id")).toBe(ray);
    const forged = await api("GET", "/healthz", { headers: { "cf-ray": 'x","level":"info' } });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the id into API error bodies", async () => {
    const res = await api<{ error: { messageCode: string; requestId?: string } }>("GET", "/api/strategies");
    expect(res.status).toBe(401);
    expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("secrets in logs", () => {
  it("never logs a webhook's secret, a session token or a Worker secret, and tags every line of the request", async () => {
    const user = await signup();
    const setup = await setupTrader(user.token);
    const url = new URL(setup.webhookUrl);
    const secret = url.pathname.split("/").pop()!;
    expect(secret.length).toBeGreaterThan(10);
    lines = [];

    // An accepted signal (traded, waited for), a refused body, and a wrong secret: each path logs.
    const ok = await api("POST", `${url.pathname}?wait=2000`, { json: { ticker: "AAPL", action: "buy", quantity: 1, price: 190 }, headers: { authorization: `Bearer ${user.token}` } });
    expect(ok.status, ok.text).toBe(200);
    const refused = await api("POST", url.pathname, { raw: "not json at all", headers: { "content-type": "text/plain" } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const wrongSecret = await api("POST", `/webhook/${setup.strategyId}/${secret.slice(0, -2)}xx`, { json: { ticker: "AAPL", action: "buy" } });
    expect(wrongSecret.status).toBeGreaterThanOrEqual(400);

    const text = JSON.stringify(lines);
    expect(lines.length).toBeGreaterThan(0);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(0, -2));
    expect(text).not.toContain(user.token);
    for (const value of [env.JWT_SECRET, env.VAULT_KEYS, env.PASSWORD_PEPPER]) expect(text).not.toContain(value);
    const access = lines.filter((l) => l.msg === "request" && typeof l.path === "string" && l.path.startsWith("/webhook/"));
    expect(access).toHaveLength(3);
    for (const line of access) expect(line.path).toBe(`/webhook/${setup.strategyId}/[redacted]`);
    for (const line of lines) expect(line.requestId).not.toBe("none");
  });
});
