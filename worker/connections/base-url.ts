/**
 * `settings.baseUrl`: a connection may send its broker requests somewhere
 * other than the plugin's environment URL — a corporate proxy, a regional
 * host, or a local fake broker while developing. Credentials travel to that
 * URL, so it is validated: https only, except plain http to this machine
 * (127.0.0.0/8, localhost, [::1]) when the Worker runs in development
 * (`ALLOW_HTTP_LOOPBACK = "true"`, set by `npm start` in .dev.vars and by
 * the test config; never in a deployed Worker).
 *
 * @module
 */
import { AppError } from "../errors";

/** The settings key. */
export const BASE_URL_SETTING = "baseUrl";

const FIELD = `settings.${BASE_URL_SETTING}`;
const MAX_LENGTH = 2048;

/** True when the Worker was started for development (plain-http loopback broker URLs allowed). */
export function httpLoopbackAllowed(env: object): boolean {
  return "ALLOW_HTTP_LOOPBACK" in env && env.ALLOW_HTTP_LOOPBACK === "true";
}

/** 127.0.0.0/8, `localhost` (and `*.localhost`, which resolves to loopback by RFC 6761), `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]") return true;
  // The URL parser normalizes IPv4 forms (127.1, 0x7f.1...) to dotted quads.
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return quad !== null && quad[1] === "127";
}

function invalid(message: string): AppError {
  return new AppError("invalid-request", message, { field: FIELD });
}

/**
 * Validates a base URL override and returns it normalized (no trailing
 * slash). `allowHttpLoopback` comes from {@link httpLoopbackAllowed}.
 */
export function validateBaseUrl(value: unknown, allowHttpLoopback: boolean): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_LENGTH) {
    throw invalid(`${FIELD} must be an absolute URL such as https://broker-proxy.example.com/v3.`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(`${FIELD} is not a valid URL; write it in full, e.g. https://broker-proxy.example.com/v3.`);
  }
  if (url.username || url.password) throw invalid(`${FIELD} must not contain a user name or password; credentials belong in the connection's credentials.`);
  if (url.search || url.hash) throw invalid(`${FIELD} must not have a query string or fragment.`);
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) throw invalid(`${FIELD} must use https; plain http is only allowed to this machine (localhost) in development.`);
    if (!allowHttpLoopback) throw invalid(`${FIELD} must use https; plain http to localhost is only allowed when Tradeloop runs in development.`);
  } else if (url.protocol !== "https:") {
    throw invalid(`${FIELD} must use https.`);
  }
  return url.href.replace(/\/+$/, "");
}
