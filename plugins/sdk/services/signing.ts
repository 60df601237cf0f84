/**
 * Request-signing helpers on WebCrypto (and jose for JWTs). Plugins sign with
 * these rather than their own crypto: one audited implementation, the same
 * in Workers and in tests, and checked against published test vectors
 * (RFC 4231, RFC 8032) in `signing.test.ts`.
 *
 * @module
 */
import { importPKCS8, SignJWT, type JWTPayload } from "jose";

/** Bytes in, or text (UTF-8). */
export type BytesLike = string | Uint8Array;

const utf8 = new TextEncoder();

/** UTF-8 bytes of text; bytes pass through. */
export function toBytes(data: BytesLike): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return new Uint8Array(utf8.encode(data));
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex (either case) to bytes. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error("not a hex string");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard base64 (with padding). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Standard or URL-safe base64 to bytes (Kraken and Coinbase secrets are base64). */
export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const normal = b64.replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "");
  const s = atob(normal + "=".repeat((4 - (normal.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export type HashAlgorithm = "SHA-256" | "SHA-384" | "SHA-512";
export type Encoding = "hex" | "base64";

function encode(bytes: Uint8Array, encoding: Encoding): string {
  return encoding === "hex" ? toHex(bytes) : toBase64(bytes);
}

/** Digest of `data`. */
export async function digest(algorithm: HashAlgorithm, data: BytesLike): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, toBytes(data)));
}

/** Raw HMAC of `message` under `key` (text keys are UTF-8; decode base64 keys with {@link fromBase64} first). */
export async function hmac(algorithm: HashAlgorithm, key: BytesLike, message: BytesLike): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey("raw", toBytes(key), { name: "HMAC", hash: algorithm }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, toBytes(message)));
}

/** HMAC-SHA256, hex or base64 (Binance, Alpaca-style, Coinbase legacy). */
export async function hmacSha256(key: BytesLike, message: BytesLike, encoding: Encoding = "hex"): Promise<string> {
  return encode(await hmac("SHA-256", key, message), encoding);
}

/** HMAC-SHA512, hex or base64 (Kraken). */
export async function hmacSha512(key: BytesLike, message: BytesLike, encoding: Encoding = "hex"): Promise<string> {
  return encode(await hmac("SHA-512", key, message), encoding);
}

// --------------------------------------------------------------------- keys

/** DER length bytes. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const len = derLength(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PEM body → DER bytes, and the PEM label. */
export function pemToDer(pem: string): { label: string; der: Uint8Array<ArrayBuffer> } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem.replace(/\\n/g, "\n"));
  if (!m?.[1] || m[2] === undefined) throw new Error("not a PEM block");
  return { label: m[1], der: fromBase64(m[2]) };
}

function derToPem(label: string, bytes: Uint8Array): string {
  const b64 = toBase64(bytes).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

// OIDs: id-ecPublicKey, prime256v1 (P-256).
const EC_ALGORITHM = fromHex("301306072a8648ce3d020106082a8648ce3d030107");

/**
 * A P-256 private key as PKCS#8 PEM. Brokers hand out SEC1 keys
 * (`BEGIN EC PRIVATE KEY`, e.g. Coinbase CDP) but WebCrypto imports only
 * PKCS#8, so SEC1 is wrapped; PKCS#8 passes through.
 */
export function p256PrivateKeyPkcs8(pem: string): string {
  const { label, der: body } = pemToDer(pem);
  if (label === "PRIVATE KEY") return derToPem("PRIVATE KEY", body);
  if (label !== "EC PRIVATE KEY") throw new Error(`unsupported key type ${label}`);
  const version = fromHex("020100");
  return derToPem("PRIVATE KEY", der(0x30, concat(version, EC_ALGORITHM, der(0x04, body))));
}

export interface Es256JwtOptions {
  /** P-256 private key, PKCS#8 or SEC1 PEM (literal `\n` sequences are accepted). */
  privateKeyPem: string;
  /** `kid` header (the key's name at the broker). */
  keyId: string;
  claims: JWTPayload;
  /** Extra protected-header fields (e.g. Coinbase's `nonce`). */
  header?: Record<string, string>;
  now: Date;
  /** Lifetime in seconds; default 120. */
  ttlSeconds?: number;
}

/** A short-lived ES256 JWT (Coinbase Advanced Trade), issued at `now`. */
export async function es256Jwt(options: Es256JwtOptions): Promise<string> {
  const key = await importPKCS8(p256PrivateKeyPkcs8(options.privateKeyPem), "ES256");
  const iat = Math.floor(options.now.getTime() / 1000);
  return new SignJWT(options.claims)
    .setProtectedHeader({ ...options.header, alg: "ES256", kid: options.keyId, typ: "JWT" })
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 120))
    .sign(key);
}

// Ed25519 PKCS#8 prefix for a 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");

/**
 * Ed25519 signature (Binance Ed25519 API keys). The key is a PKCS#8 PEM or
 * the raw 32-byte seed. Returns the 64-byte signature.
 */
export async function ed25519Sign(privateKey: string | Uint8Array, message: BytesLike): Promise<Uint8Array<ArrayBuffer>> {
  let pkcs8: Uint8Array<ArrayBuffer>;
  if (typeof privateKey === "string") {
    pkcs8 = pemToDer(privateKey).der;
  } else {
    if (privateKey.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
    pkcs8 = concat(ED25519_PKCS8_PREFIX, privateKey);
  }
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, toBytes(message)));
}
