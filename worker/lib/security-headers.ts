/**
 * Security headers on every response the Worker makes (API, webhook, and
 * dashboard files it serves through the ASSETS binding), via Hono's
 * secureHeaders middleware. Files the asset server answers without running
 * the Worker get the same headers from `ui/public/_headers` (copied into
 * ui/dist by Vite; Cloudflare applies it to static assets); a test keeps the
 * two in step.
 *
 * - CSP: scripts, styles, fonts and API calls only from this origin, no
 *   inline script or style (the dashboard's build has none), no plugins,
 *   no framing (`frame-ancestors 'none'`, plus X-Frame-Options for old
 *   browsers).
 * - `Referrer-Policy: no-referrer`: a webhook URL (with its secret) must
 *   never leave in a Referer header.
 * - `X-Content-Type-Options: nosniff`.
 * - HSTS for one year, only on https hosts that are not this machine (HSTS
 *   on localhost would break every other local project on that name).
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { isLoopbackHost } from "../connections/base-url";

/** The Content-Security-Policy directives. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

/** The CSP header value, as `_headers` must spell it. */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([directive, values]) => `${directive.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${values.join(" ")}`)
  .join("; ");

/** The HSTS value on deployed hosts. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

const baseHeaders = secureHeaders({
  contentSecurityPolicy: Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([directive, values]) => [directive, [...values]])),
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  strictTransportSecurity: false,
});

/** Sets the security headers on every response. */
export const securityHeaders = createMiddleware(async (c, next) => {
  await baseHeaders(c, next);
  const url = new URL(c.req.url);
  if (url.protocol === "https:" && !isLoopbackHost(url.hostname)) c.res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
});
