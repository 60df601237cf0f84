/**
 * The outbound webhook's signature, the scheme payment platforms use:
 *
 *   X-Tradeloop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The key is the channel's secret exactly as shown once at creation
 * (`whsec_...`, its UTF-8 bytes). Signing the timestamp with the body lets a
 * receiver refuse replays: it recomputes the HMAC over the raw body it
 * received and accepts only when a `v1` matches (compared in constant time)
 * and `t` is within its tolerance of its own clock (Tradeloop documents
 * {@link SIGNATURE_TOLERANCE_SECONDS}). Each retry is signed afresh with the
 * time it is sent; the event id stays the same, for deduplication.
 *
 * {@link verifySignature} is the receiver's side, used by the tests and
 * mirrored by the snippet in docs/notifications.md.
 *
 * @module
 */
import { bytesEqual, toBase64Url, toHex } from "../auth/encoding";

/** The signature header. */
export const SIGNATURE_HEADER = "X-Tradeloop-Signature";
/** How far a receiver should let `t` stray from its clock (documented; receivers choose). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** The secret's prefix, so it is recognisable (and scannable) as a Tradeloop webhook secret. */
export const SECRET_PREFIX = "whsec_";

const encoder = new TextEncoder();

/** A fresh signing secret: 256 random bits. */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

/** The header value for `body` sent at `unixSeconds`. */
export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "stale" | "mismatch" };

/**
 * Checks a received signature: a `t` within `toleranceSeconds` of `nowSeconds`
 * and at least one `v1` equal to the HMAC of `"<t>.<body>"`.
 */
export async function verifySignature(
  header: string | null,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: "malformed" };
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === null || candidates.length === 0) return { ok: false, reason: "malformed" };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: "stale" };
  const expected = encoder.encode(await hmacHex(secret, `${t}.${body}`));
  return candidates.some((c) => bytesEqual(encoder.encode(c), expected)) ? { ok: true, timestamp: t } : { ok: false, reason: "mismatch" };
}
