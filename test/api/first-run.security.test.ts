/**
 * Finding 8: a fresh deployment belonged to whoever signed up first. Now,
 * outside development, the first account needs the one-time SETUP_TOKEN
 * (the deploy prints `<origin>/#/setup?token=...`), compared in constant
 * time and checked before any password is hashed; `npm start` (development)
 * keeps local sign-up open. This file's D1 starts with no user.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { API_ORIGIN, type ApiErrorJson, testClientIp, uniqueEmail } from "../helpers/api";

const production = { ...env, ENVIRONMENT: "production", SIGNUP_OPEN: "false" };

function signupAs(bindings: typeof env, body: Record<string, unknown>) {
  return app.request(
    `${API_ORIGIN}/api/auth/signup`,
    { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": testClientIp() }, body: JSON.stringify({ email: uniqueEmail("owner"), password: "long enough", ...body }) },
    bindings,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the first account of a deployment", () => {
  it("without the setup token is 403 setup-token-required, refused before any hashing", async () => {
    await env.DB.prepare("DELETE FROM users").run();
    const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
    const res = await signupAs(production, {});
    expect(res.status).toBe(403);
    const body = (await res.json()) as ApiErrorJson;
    expect(body.error).toMatchObject({ messageCode: "setup-token-required", field: "setupToken" });
    expect(deriveBits).not.toHaveBeenCalled();
    expect((await signupAs(production, { setupToken: "a-guess" })).status).toBe(403);
    expect((await signupAs(production, { setupToken: `${env.SETUP_TOKEN}x` })).status).toBe(403);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>()).toEqual({ n: 0 });
  });

  it("with the setup token it is created; after that, sign-up is closed unless SIGNUP_OPEN", async () => {
    await env.DB.prepare("DELETE FROM users").run();
    const owner = await signupAs(production, { setupToken: env.SETUP_TOKEN });
    expect(owner.status, await owner.clone().text()).toBe(201);
    const second = await signupAs(production, { setupToken: env.SETUP_TOKEN });
    expect(second.status).toBe(403);
    expect(((await second.json()) as ApiErrorJson).error.messageCode).toBe("signup-closed");
    expect((await signupAs({ ...production, SIGNUP_OPEN: "true" }, {})).status).toBe(201);
  });

  it("a production Worker with no SETUP_TOKEN configured lets nobody claim it", async () => {
    await env.DB.prepare("DELETE FROM users").run();
    const res = await signupAs({ ...production, SETUP_TOKEN: undefined }, { setupToken: "" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ApiErrorJson).error.message).toMatch(/wrangler secret put SETUP_TOKEN/);
  });

  it("in development (npm start) the first sign-up needs no token", async () => {
    await env.DB.prepare("DELETE FROM users").run();
    expect((await signupAs({ ...env, SIGNUP_OPEN: "false" }, {})).status).toBe(201);
  });
});
