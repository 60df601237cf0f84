/**
 * Kraken `API-Sign` (WebCrypto through the SDK's helpers):
 *
 *   base64( HMAC-SHA512( base64decode(privateKey), uriPath ‖ SHA256(nonce ‖ postData) ) )
 *
 * where `uriPath` starts at `/0/private/`, `postData` is the exact body sent
 * (form-encoded here, nonce included) and SHA256 is the raw 32-byte digest.
 *
 * @module
 */
import { digest, fromBase64, hmac, toBase64, toBytes } from "../sdk";

/** Computes API-Sign for one request. */
export async function krakenSign(privateKey: string, uriPath: string, nonce: string, postData: string): Promise<string> {
  const inner = await digest("SHA-256", `${nonce}${postData}`);
  const path = toBytes(uriPath);
  const message = new Uint8Array(path.length + inner.length);
  message.set(path, 0);
  message.set(inner, path.length);
  return toBase64(await hmac("SHA-512", fromBase64(privateKey), message));
}
