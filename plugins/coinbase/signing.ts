/**
 * Coinbase CDP API-key authentication: one short-lived ES256 JWT per request.
 *
 * Coinbase hands out the key secret as a SEC1 PEM (`BEGIN EC PRIVATE KEY`).
 * WebCrypto imports only PKCS#8, so the SDK's `p256PrivateKeyPkcs8` re-wraps
 * it (no key material changes) and the result is imported ONCE per client as
 * a non-extractable CryptoKey. Each request then gets a fresh token whose
 * `uri` claim binds it to one method, host and path, so a captured token is
 * useless for any other call and dies after 120 seconds.
 *
 * Token shape (Coinbase's JWT guide and official SDKs): header
 * `{alg: ES256, kid: <key name>, nonce: <random hex>, typ: JWT}`, claims
 * `{sub: <key name>, iss: "cdp", nbf: now, exp: now + 120, uri: "GET api.coinbase.com/api/v3/brokerage/accounts"}`.
 *
 * @module
 */
import { importPKCS8, SignJWT } from "jose";
import { BrokerError, p256PrivateKeyPkcs8, toHex } from "../sdk";

/** Lifetime of a request token. Coinbase documents a 2-minute maximum. */
export const JWT_TTL_SECONDS = 120;

/** JWT issuer for CDP keys. (Pre-CDP SDKs used `coinbase-cloud`; current docs and SDKs use `cdp`.) */
export const JWT_ISSUER = "cdp";

/**
 * Imports the key secret. Called once per client: after this the secret
 * exists only inside WebCrypto. Refusals name what the user must fix.
 */
export async function importSigningKey(pem: string): Promise<CryptoKey> {
  let pkcs8: string;
  try {
    pkcs8 = p256PrivateKeyPkcs8(pem);
  } catch (cause) {
    throw new BrokerError(
      'The Coinbase private key cannot be read: paste the key\'s whole "privateKey", from -----BEGIN EC PRIVATE KEY----- to the END line.',
      { code: "invalid-credentials", kind: "auth-expired", cause },
    );
  }
  try {
    return await importPKCS8(pkcs8, "ES256");
  } catch (cause) {
    throw new BrokerError(
      "The Coinbase private key is not an ECDSA P-256 key. Create the API key with the ECDSA signature algorithm (Ed25519 keys do not work with Advanced Trade).",
      { code: "invalid-credentials", kind: "auth-expired", cause },
    );
  }
}

/** Random hex for the JWT `nonce` header (32 bytes, like the official SDK's `secrets.token_hex()`). */
export function randomNonce(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** What one request token is bound to. */
export interface JwtRequest {
  keyName: string;
  key: CryptoKey;
  method: string;
  /** Host of the request URL, e.g. `api.coinbase.com`. */
  host: string;
  /** Path without the query string, e.g. `/api/v3/brokerage/accounts`. */
  path: string;
  now: Date;
  /** Fixed in tests; random otherwise. */
  nonce?: string;
}

/** The `uri` claim: `METHOD host/path`, no scheme, no query (as the official SDKs build it). */
export function jwtUri(method: string, host: string, path: string): string {
  return `${method.toUpperCase()} ${host}${path}`;
}

/** Signs a fresh ES256 token for one request. */
export async function signRequestJwt(req: JwtRequest): Promise<string> {
  const nbf = Math.floor(req.now.getTime() / 1000);
  return new SignJWT({ uri: jwtUri(req.method, req.host, req.path) })
    .setProtectedHeader({ alg: "ES256", kid: req.keyName, nonce: req.nonce ?? randomNonce(), typ: "JWT" })
    .setSubject(req.keyName)
    .setIssuer(JWT_ISSUER)
    .setNotBefore(nbf)
    .setExpirationTime(nbf + JWT_TTL_SECONDS)
    .sign(req.key);
}
