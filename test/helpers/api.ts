/**
 * The one way tests talk to the Worker: through its real entry point
 * (`exports.default.fetch`), exactly as a client would.
 *
 * - `client(token)`: the typed `hc<AppType>` client, the default for
 *   fixtures and reads (the dashboard uses the same one);
 * - `api()`: one raw request, for what the typed client cannot send on
 *   purpose (malformed bodies, odd headers, other users' ids, webhooks);
 *   `authed(token)` binds it to a session;
 * - `signup()`: a fresh user with a session token, through the typed client.
 *
 * Fixtures built on these (a trader with a connection, a strategy and a
 * subscription; alerts; settled signals) are in ./trader.ts.
 *
 * @module
 */
import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { expect } from "vitest";
import type { AppType } from "../../worker/app";

/** Origin used for every test request. */
export const API_ORIGIN = "http://tradeloop.test";

/**
 * The Worker's default export. test/env.d.ts does not declare
 * `Cloudflare.GlobalProps.mainModule`, so `exports` is untyped; this is the
 * one place that narrows it.
 */
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

/**
 * A fresh client address (198.18.0.0/15, the benchmarking range) for each
 * request that names none: per-IP throttles (log-in, sign-up) then see many
 * callers, as in production, instead of one "unknown" caller for a whole file.
 */
export function testClientIp(): string {
  const n = crypto.getRandomValues(new Uint8Array(3));
  return `198.${18 + (n[0]! & 1)}.${n[1]}.${n[2]}`;
}

/** Sends a Request to the Worker. */
export function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request && !init ? input : new Request(input, init);
  return worker.fetch(request);
}

export interface ApiOptions {
  token?: string;
  /** Serialized as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent verbatim (no content type unless given in `headers`). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface ApiResult<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One request to the API. `path` is relative to {@link API_ORIGIN} unless absolute. */
export async function api<T = unknown>(method: string, path: string, opts: ApiOptions = {}): Promise<ApiResult<T>> {
  const headers = new Headers(opts.headers);
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", testClientIp());
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const url = /^https?:/.test(path) ? path : `${API_ORIGIN}${path}`;
  const res = await workerFetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** The API error body. */
export interface ApiErrorJson {
  error: { messageCode: string; message: string; field?: string; requestId?: string };
}

export interface SignedUp {
  token: string;
  /** For the refresh path (POST /api/auth/refresh). */
  refreshToken: string;
  user: { id: string; email: string };
  email: string;
  password: string;
}

let seq = 0;

/** A unique email for this test run. */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}${++seq}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** Asserts a raw result's status, showing the body when it differs. */
export function expectStatus(res: Pick<ApiResult<unknown>, "status" | "text">, status: number): void {
  expect(res.status, res.text).toBe(status);
}

/** Any typed-client response (hc's ClientResponse union has one variant per documented status). */
interface TypedResponse {
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/**
 * The body of a typed-client response that must have `status`, typed by
 * that status's schema; fails the test, showing the body, otherwise.
 */
export async function expectJson<R extends TypedResponse, S extends R["status"]>(res: R, status: S): Promise<Awaited<ReturnType<Extract<R, { status: S }>["json"]>>> {
  if (res.status !== status) expect.fail(`expected HTTP ${status}, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as Awaited<ReturnType<Extract<R, { status: S }>["json"]>>;
}

/** Signs up a fresh user (asserting 201) through the typed client and returns the session. */
export async function signup(email = uniqueEmail(), password = "correct horse battery"): Promise<SignedUp> {
  const created = await expectJson(await client().api.auth.signup.$post({ json: { email, password } }), 201);
  return { token: created.token, refreshToken: created.refreshToken, user: { id: created.user.id, email: created.user.email }, email, password };
}

/** Logs in again (asserting 200): for tests whose fake clock outlives the 15-minute access token. */
export async function login(user: Pick<SignedUp, "email" | "password">): Promise<string> {
  const res = await api<{ token: string }>("POST", "/api/auth/login", { json: { email: user.email, password: user.password } });
  expect(res.status, res.text).toBe(200);
  return res.body.token;
}

/** Request helpers bound to a session token. */
export function authed(token: string) {
  return {
    get: <T = unknown>(path: string) => api<T>("GET", path, { token }),
    post: <T = unknown>(path: string, json?: unknown) => api<T>("POST", path, { token, json }),
    patch: <T = unknown>(path: string, json: unknown) => api<T>("PATCH", path, { token, json }),
    del: <T = unknown>(path: string) => api<T>("DELETE", path, { token }),
  };
}

/**
 * The typed RPC client (`hc<AppType>`), talking to the Worker in-process,
 * as one caller (one `CF-Connecting-IP` per client, like `api()`), so the
 * per-address limits see many callers, as in production.
 */
export function client(token?: string) {
  return hc<AppType>(API_ORIGIN, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => workerFetch(input, init),
    headers: { "CF-Connecting-IP": testClientIp(), ...(token && { Authorization: `Bearer ${token}` }) },
  });
}
