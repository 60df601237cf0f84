/**
 * The only way the dashboard talks to the Worker: a typed `hc` client over
 * the Worker's own route types (`AppType` is imported as a type, so no
 * Worker code reaches the bundle). Requests carry the session cookie
 * (`credentials: "same-origin"`); a 401 sends the app to the log-in screen.
 *
 * @module
 */
import { type ClientResponse, hc } from "hono/client";
import type { AppType } from "../../worker/app";

/** Paths where a 401 is the answer itself (a wrong password), not an expired session. */
const AUTH_PATH = /\/api\/auth\/(login|signup|refresh|logout)\b/;

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the session once for every request that hit its expiry at the same
 * time: `POST /api/auth/refresh` trades the refresh cookie for a new access
 * cookie. A Worker without refresh answers 404, and the 401 stands.
 */
function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: "{}" })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A 401 that answers a wrong password (the password change's current one): the session is fine, retrying would only count another failed attempt. */
async function isWrongPassword(res: Response): Promise<boolean> {
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => null);
  return isRecord(body) && isRecord(body.error) && body.error.messageCode === "invalid-credentials";
}

/**
 * Sends a request with the session cookie (never an Authorization header).
 * A 401 outside the log-in routes
 * renews the session once and retries, so a 15-minute access cookie never
 * sends a working trader to the log-in screen.
 */
function withSession(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const send = (): Promise<Response> => fetch(input, { ...init, credentials: "same-origin" });
  const url = input instanceof Request ? input.url : String(input);
  return send().then(async (res) => {
    if (res.status !== 401 || AUTH_PATH.test(url) || (await isWrongPassword(res)) || !(await refreshSession())) return res;
    return send();
  });
}

export const api = hc<AppType>(location.origin, { fetch: withSession });

/** An API failure: the server's sentence, its stable code and, when it names one, the field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Called on 401 so the app can show the log-in screen; set by the app shell. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** Tells the app the session ended on purpose (log out everywhere), so it shows the log-in screen. */
export function sessionEnded(): void {
  onUnauthorized();
}

type SuccessStatus = 200 | 201 | 204;
/** The body type of a response union's success members. */
export type Success<R> = R extends ClientResponse<infer T, infer S, string> ? (S extends SuccessStatus ? T : never) : never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function toApiError(res: { status: number; json(): Promise<unknown> }): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const message = typeof error?.message === "string" ? error.message : `Tradeloop answered ${res.status}. Try again.`;
  const code = typeof error?.messageCode === "string" ? error.messageCode : "http-error";
  const field = typeof error?.field === "string" ? error.field : undefined;
  return new ApiError(res.status, code, message, field);
}

/**
 * Awaits an `api.*` call and returns its success body, or throws an ApiError.
 * `quiet401` leaves a 401 to the caller (the log-in form's wrong password).
 */
export async function call<R extends ClientResponse<unknown, number, string>>(request: Promise<R>, opts: { quiet401?: boolean } = {}): Promise<Success<R>> {
  let res: R;
  try {
    res = await request;
  } catch {
    throw new ApiError(0, "network", "Tradeloop could not be reached. Check your network and try again.");
  }
  if (res.status >= 200 && res.status < 300) {
    // The Worker validated this body against the route's zod schema before sending it.
    return (res.status === 204 ? undefined : await res.json()) as Success<R>;
  }
  const error = await toApiError(res);
  if (res.status === 401 && !opts.quiet401) onUnauthorized();
  throw error;
}

/** Fetches a same-origin API path as a file download (the CSV export), with the session. */
export async function download(path: string, filename: string): Promise<void> {
  let res: Response;
  try {
    res = await withSession(path);
  } catch {
    throw new ApiError(0, "network", "Tradeloop could not be reached. Check your network and try again.");
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401) onUnauthorized();
    throw error;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The sentence to show for any thrown value. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : "Something went wrong. Try again.";
}

/** Ends the session: `POST /api/auth/logout` revokes it at the Worker and clears its cookies. */
export async function logOut(): Promise<void> {
  await withSession("/api/auth/logout", { method: "POST" }).catch(() => undefined);
}
