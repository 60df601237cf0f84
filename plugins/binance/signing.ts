/**
 * Binance HMAC-SHA256 request signing (WebCrypto only).
 *
 * The signed payload is the query string concatenated with the form body
 * (no separator), after percent-encoding; this plugin sends every parameter
 * in the query, so the payload is the query string itself. The signature is
 * the lower-case hex HMAC of that payload under the secret key.
 *
 * @module
 */

import { hmacSha256 } from "../sdk";

/**
 * Percent-encodes a parameter value the way Binance's documented examples do:
 * RFC 3986 unreserved characters stay, everything else (including non-ASCII,
 * as UTF-8) becomes `%XX` with upper-case hex.
 */
export function encodeParam(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `key=value&...` in the given order, values percent-encoded. Order matters: it is what gets signed. */
export function buildQuery(params: readonly (readonly [string, string])[]): string {
  return params.map(([k, v]) => `${k}=${encodeParam(v)}`).join("&");
}

/** hex(HMAC-SHA256(secretKey, payload)), through the SDK's WebCrypto helper. */
export function signPayload(secretKey: string, payload: string): Promise<string> {
  return hmacSha256(secretKey, payload, "hex");
}

/** Constant-time-ish comparison for the fake's verification (signatures are case-insensitive hex). */
export function sameSignature(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
}
