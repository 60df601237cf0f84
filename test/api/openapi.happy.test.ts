import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";

interface OpenApiDoc {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
}

/** Every route of the JSON API this suite owns. */
const ROUTES: [string, string][] = [
  ["get", "/api/health"],
  ["post", "/api/auth/signup"],
  ["post", "/api/auth/login"],
  ["get", "/api/auth/me"],
  ["get", "/api/brokers"],
  ["get", "/api/connections"],
  ["post", "/api/connections"],
  ["get", "/api/connections/{id}"],
  ["patch", "/api/connections/{id}"],
  ["delete", "/api/connections/{id}"],
  ["get", "/api/connections/{id}/positions"],
  ["get", "/api/connections/{id}/orders"],
  ["get", "/api/connections/{id}/balance"],
  ["get", "/api/strategies"],
  ["post", "/api/strategies"],
  ["get", "/api/strategies/{id}"],
  ["patch", "/api/strategies/{id}"],
  ["delete", "/api/strategies/{id}"],
  ["post", "/api/strategies/{id}/rotate-secret"],
  ["get", "/api/subscriptions"],
  ["post", "/api/subscriptions"],
  ["get", "/api/subscriptions/{id}"],
  ["patch", "/api/subscriptions/{id}"],
  ["delete", "/api/subscriptions/{id}"],
  ["get", "/api/subscriptions/{id}/positions"],
  ["get", "/api/signals/{id}"],
  ["get", "/api/signals"],
];

const PUBLIC = new Set(["get /api/health", "post /api/auth/signup", "post /api/auth/login"]);

async function fetchDoc() {
  const res = await api<OpenApiDoc>("GET", "/api/openapi.json");
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  return res.body;
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 JSON with the bearer scheme", async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Tradeloop API");
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
    for (const name of ["Connection", "Strategy", "Subscription", "Position", "Error", "Broker"]) {
      expect(doc.components.schemas[name], name).toMatchObject({ type: "object", properties: expect.any(Object) });
    }
  });

  it("lists every route, and marks all but sign-up, log-in and health as needing the bearer token", async () => {
    const doc = await fetchDoc();
    for (const [method, path] of ROUTES) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toMatchObject({ responses: expect.any(Object) });
      if (!PUBLIC.has(`${method} ${path}`)) expect(op?.security, `${method} ${path}`).toEqual([{ Bearer: [] }]);
    }
  });

  it("every documented secured route really refuses a request without a token", async () => {
    const doc = await fetchDoc();
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.security) continue;
        const url = path.replaceAll(/\{[^}]+\}/g, crypto.randomUUID());
        const res = await api<{ error: { messageCode: string } }>(method.toUpperCase(), url, method === "get" ? {} : { json: {} });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.error.messageCode).toBe("unauthorized");
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(ROUTES.length - PUBLIC.size);
  });
});
