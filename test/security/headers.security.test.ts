/**
 * Finding 10: no security headers at all. Now every Worker response carries
 * a CSP without inline script (`frame-ancestors 'none'`), nosniff,
 * `Referrer-Policy: no-referrer` (a webhook URL must never leave in a
 * Referer) and, on deployed https hosts, HSTS. Dashboard files served
 * straight from the asset server get the same from ui/public/_headers.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import indexHtml from "../../ui/index.html?raw";
import { app } from "../../worker/app";
import { API_ORIGIN as ORIGIN, api, signup } from "../helpers/api";
import { createTrader } from "../helpers/trader";

/** What the CSP must say (worker/lib/security-headers.ts builds it; ui/public/_headers repeats it). */
function expectStrictCsp(csp: string | null): void {
  expect(csp).toMatch(/default-src 'self'/);
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).toMatch(/style-src 'self'(;|$)/);
  expect(csp).toMatch(/object-src 'none'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
}

function expectSecurityHeaders(headers: Headers): void {
  expectStrictCsp(headers.get("Content-Security-Policy"));
  expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(headers.get("Referrer-Policy")).toBe("no-referrer");
  expect(headers.get("X-Frame-Options")).toBe("DENY");
}

describe("security headers", () => {
  it("are on API answers, errors included", async () => {
    const s = await signup();
    expectSecurityHeaders((await api("GET", "/api/auth/me", { token: s.token })).headers);
    expectSecurityHeaders((await api("GET", "/api/nope")).headers);
    expectSecurityHeaders((await api("GET", "/api/connections")).headers);
  });

  it("are on webhook answers", async () => {
    const trader = await createTrader();
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(new Request(trader.webhookUrl, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    expectSecurityHeaders(res.headers);
  });

  it("are on dashboard files the Worker serves through ASSETS", async () => {
    const assets = { fetch: async () => new Response("<!doctype html><p>dashboard</p>", { headers: { "content-type": "text/html" } }) };
    const res = await app.request(`${ORIGIN}/connections`, {}, { ...env, ASSETS: assets as unknown as Fetcher });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res.headers);
  });

  it("HSTS on a deployed https host only, never on http or this machine", async () => {
    const at = async (origin: string) => (await app.request(`${origin}/api/health`, {}, env)).headers.get("Strict-Transport-Security");
    expect(await at("https://tradeloop.example.com")).toMatch(/^max-age=31536000; includeSubDomains$/);
    expect(await at("http://tradeloop.example.com")).toBeNull();
    expect(await at("https://localhost:8787")).toBeNull();
    expect(await at("https://127.0.0.1:8787")).toBeNull();
  });

  it("the dashboard page has no inline script or style the CSP would block", () => {
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe("");
    }
    expect(indexHtml).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
