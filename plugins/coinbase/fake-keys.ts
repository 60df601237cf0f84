/**
 * Test-only key plumbing: turns a freshly generated WebCrypto key into the
 * SEC1 PEM (`BEGIN EC PRIVATE KEY`) that Coinbase hands out, so tests
 * exercise the same import path as a real key. No key is ever committed.
 *
 * @module
 */
import { toBase64 } from "../sdk";

/** Reads one DER TLV at `offset`. */
function tlv(der: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset] ?? 0;
  let len = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let i = 0; i < count; i++) len = (len << 8) | (der[start + i] ?? 0);
    start += count;
  }
  return { tag, start, end: start + len };
}

/** PKCS#8 `PrivateKeyInfo` DER → SEC1 `ECPrivateKey` PEM (the inner OCTET STRING). */
export function pkcs8ToSec1PemForTests(pkcs8: Uint8Array): string {
  const outer = tlv(pkcs8, 0);
  const version = tlv(pkcs8, outer.start);
  const algorithm = tlv(pkcs8, version.end);
  const key = tlv(pkcs8, algorithm.end);
  if (outer.tag !== 0x30 || key.tag !== 0x04) throw new Error("not a PKCS#8 key");
  const lines = toBase64(pkcs8.slice(key.start, key.end)).match(/.{1,64}/g) ?? [];
  return `-----BEGIN EC PRIVATE KEY-----\n${lines.join("\n")}\n-----END EC PRIVATE KEY-----\n`;
}
