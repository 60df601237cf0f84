/**
 * The first middleware every request passes: it gives the request its id,
 * runs the rest of the app inside that id's log context, answers with the id
 * in `X-Request-Id` (the same id API error bodies carry as `requestId`), and
 * writes one access line per request with the webhook secret cut out of the
 * path.
 *
 * Why our own access line: Cloudflare's automatic invocation logs record the
 * full request URL, and a webhook URL is its own credential. wrangler.toml
 * turns those off (`[observability.logs] invocation_logs = false`); this line
 * replaces them, redacted.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../env";
import { WORKER_SECRET_NAMES } from "../secrets";
import { log, newRequestId, redactText, rememberSecretValues, withLogContext } from "./log";

/** The response header that carries the request id. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** What a `cf-ray` looks like (`8f1c2d3e4a5b6c7d-IAD`); anything else is not trusted into the logs. */
const CF_RAY = /^[A-Za-z0-9-]{8,64}$/;

/** The request's id: Cloudflare's `cf-ray` (so our lines match Cloudflare's own records), or a fresh one. */
export function requestIdFor(request: Request): string {
  const ray = request.headers.get("cf-ray");
  return ray && CF_RAY.test(ray) ? ray : newRequestId();
}

/** Optional secrets a deployment may add (brokers' OAuth apps: `<BROKER>_CLIENT_SECRET`, and the like). */
const SECRET_LOOKING_NAME = /(_SECRET|_KEYS?|_TOKEN|_PEPPER)$/;

let secretsRemembered = false;

/** Assigns the request id, logs the request, and puts the id on the response. */
export const requestLog = createMiddleware<AppBindings>(async (c, next) => {
  if (!secretsRemembered) {
    const names = new Set([...WORKER_SECRET_NAMES, ...Object.keys(c.env).filter((name) => SECRET_LOOKING_NAME.test(name))]);
    rememberSecretValues([...names].map((name) => Reflect.get(c.env, name)).filter((v): v is string => typeof v === "string"));
    secretsRemembered = true;
  }
  const requestId = requestIdFor(c.req.raw);
  const started = Date.now();
  await withLogContext({ requestId }, async () => {
    await next();
    const status = c.res.status;
    const fields = { method: c.req.method, path: redactText(new URL(c.req.url).pathname), status, ms: Date.now() - started };
    if (status >= 500) log.error("request", fields);
    else log.info("request", fields);
  });
  try {
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
  } catch {
    // Headers of a fetched response (the assets binding) are immutable: copy it once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
  }
});
