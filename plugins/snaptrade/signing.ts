/**
 * SnapTrade request signing: HMAC-SHA256, keyed by the URI-encoded consumer
 * key, over the JSON of `{content, path, query}` with every object's keys
 * sorted; base64 in the `Signature` header. `path` is the full path
 * (`/api/v1/...`), `query` the exact query string sent (without `?`, which
 * carries `clientId` and `timestamp`), `content` the JSON body or null.
 *
 * @module
 */
import { hmacSha256 } from "../sdk";

/** JSON with every object's keys in sorted order (the SDKs' `JSONstringifyOrder`). */
export function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : sortedJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(",")}}`;
}

/** The `Signature` header for one request. */
export function snaptradeSignature(consumerKey: string, path: string, query: string, content: unknown): Promise<string> {
  return hmacSha256(encodeURI(consumerKey), sortedJson({ content: content ?? null, path, query }), "base64");
}
