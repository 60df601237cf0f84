/**
 * Cross-site request forgery guard for the JSON API. Browsers attach the
 * dashboard's cookies only to same-site requests (SameSite=Strict), and they
 * always send `Origin` with a state-changing request, so:
 *
 * - a POST/PUT/PATCH/DELETE with an `Origin` header is refused (403
 *   `forbidden`) unless that origin is this Tradeloop's (the request's own
 *   origin, or `PUBLIC_URL`'s). This covers log-in and sign-up too (login
 *   CSRF), which set cookies;
 * - one without `Origin` that carries a session cookie must say
 *   `Sec-Fetch-Site: same-origin`; programs that send neither header and no
 *   cookie (curl, bots with Bearer tokens) are not browsers and pass.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../env";
import { AppError } from "../errors";
import { readSessionCookies } from "./cookies";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function origins(requestUrl: string, publicUrl: string | undefined): Set<string> {
  const out = new Set([new URL(requestUrl).origin]);
  if (publicUrl) {
    try {
      out.add(new URL(publicUrl).origin);
    } catch {
      // A malformed PUBLIC_URL adds nothing.
    }
  }
  return out;
}

/** Refuses cross-origin state-changing API requests. */
export const requireSameOrigin = createMiddleware<AppBindings>(async (c, next) => {
  if (!STATE_CHANGING.has(c.req.method)) return next();
  const origin = c.req.header("Origin");
  if (origin !== undefined) {
    if (!origins(c.req.url, c.env.PUBLIC_URL).has(origin)) {
      throw new AppError("forbidden", "Cross-origin requests cannot change anything on this Tradeloop; use the dashboard or an API token.");
    }
  } else {
    const cookies = readSessionCookies(c);
    if ((cookies.access || cookies.refresh) && c.req.header("Sec-Fetch-Site") !== "same-origin") {
      throw new AppError("forbidden", "A request that uses the session cookie must come from the Tradeloop dashboard itself.");
    }
  }
  await next();
});
