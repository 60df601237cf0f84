/**
 * Robinhood Crypto request signing (Ed25519, WebCrypto via the SDK).
 *
 * Every request carries `x-api-key`, `x-timestamp` (Unix seconds, valid for
 * 30 seconds) and `x-signature` = base64 of the Ed25519 signature over
 *
 *     api_key + timestamp + path + METHOD + body
 *
 * concatenated with no separator, where `path` includes the query string and
 * the trailing slash, and `body` is the exact text sent (omitted when there is
 * none). Because the signature covers the body bytes, the client signs the
 * very string it transmits.
 *
 * The key a user pastes is the base64 of the 32-byte seed (Robinhood's Python
 * sample); its Node sample prints tweetnacl's 64-byte secret key (seed +
 * public key), so both are accepted and the seed is the first 32 bytes.
 *
 * @module
 */
import { BrokerError, ed25519Sign, fromBase64, toBase64 } from "../sdk";

/** What one signature covers. */
export interface SignedRequest {
  apiKey: string;
  /** Unix seconds, as sent in `x-timestamp`. */
  timestamp: string;
  /** Path with query string, e.g. `/api/v1/crypto/trading/orders/?state=open`. */
  path: string;
  method: string;
  /** The exact body text, or "" for none. */
  body: string;
}

/** The signed message, exactly as Robinhood documents it. */
export function messageToSign(r: SignedRequest): string {
  return `${r.apiKey}${r.timestamp}${r.path}${r.method.toUpperCase()}${r.body}`;
}

/** Decodes the pasted private key to the 32-byte Ed25519 seed. */
export function seedFromBase64(privateKey: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(privateKey.trim());
  } catch (cause) {
    throw new BrokerError("The Robinhood private key is not base64: paste the private key you generated with your key pair.", {
      code: "invalid-credentials",
      kind: "auth-expired",
      cause,
    });
  }
  if (bytes.length !== 32 && bytes.length !== 64) {
    throw new BrokerError(
      `The Robinhood private key must be a base64 Ed25519 key (32 bytes, or 64 with the public key); this one is ${bytes.length} bytes.`,
      { code: "invalid-credentials", kind: "auth-expired" },
    );
  }
  return bytes.slice(0, 32);
}

/** `x-signature` for one request. */
export async function signRequest(seed: Uint8Array, r: SignedRequest): Promise<string> {
  return toBase64(await ed25519Sign(seed, messageToSign(r)));
}
