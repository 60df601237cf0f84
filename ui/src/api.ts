/**
 * The only way the dashboard talks to the Worker: a typed `hc` client over
 * the Worker's own route types. `AppType` is imported as a type, so no
 * Worker code reaches the bundle.
 *
 * @module
 */
import { type ClientResponse, hc } from "hono/client";
import type { AppType } from "../../worker/app";

// The session travels in HttpOnly cookies (same origin), never in an Authorization header.
export const api = hc<AppType>(location.origin, { init: { credentials: "same-origin" } });

/** An API failure with the server's sentence and, when it names one, the field concerned. */
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

/** Called on 401 so the app can drop the session; set by main.ts. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
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
  const message = typeof error?.message === "string" ? error.message : `The server answered ${res.status}. Try again.`;
  const code = typeof error?.messageCode === "string" ? error.messageCode : "http-error";
  const field = typeof error?.field === "string" ? error.field : undefined;
  return new ApiError(res.status, code, message, field);
}

/**
 * Awaits an `api.*` call and returns its success body, or throws an ApiError
 * carrying the server's `message` and `field`.
 */
export async function call<R extends ClientResponse<unknown, number, string>>(request: Promise<R>): Promise<Success<R>> {
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
  if (res.status === 401) onUnauthorized();
  throw error;
}
