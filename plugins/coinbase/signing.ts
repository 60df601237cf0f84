/**
 * Coinbase CDP API-key authentication: one short-lived JWT per request,
 * ES256 for ECDSA keys and EdDSA for Ed25519 keys (the type Coinbase's own
 * SDK, coinbase/cdp-sdk `generateJwt`, now recommends).
 *
 * An ECDSA key secret is a SEC1 PEM (`BEGIN EC PRIVATE KEY`); WebCrypto
 * imports only PKCS#8, so the SDK's `p256PrivateKeyPkcs8` re-wraps it (no
 * key material changes). An Ed25519 key secret is base64 of 64 bytes: the
 * 32-byte seed, then the 32-byte public key; it is imported as an OKP JWK
 * after checking that the public half belongs to the seed. Either way the
 * key is imported ONCE per client as a non-extractable CryptoKey. Each request then gets a fresh token whose
 * `uri` claim binds it to one method, host and path, so a captured token is
 * useless for any other call and dies after 120 seconds.
 *
 * Token shape (Coinbase's JWT guide and official SDKs): header
 * `{alg: ES256, kid: <key name>, nonce: <random hex>, typ: JWT}`, claims
 * `{sub: <key name>, iss: "cdp", nbf: now, exp: now + 120, uri: "GET api.coinbase.com/api/v3/brokerage/accounts"}`.
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { importJWK, importPKCS8, SignJWT } from "jose";
import { BrokerError, fromBase64, p256PrivateKeyPkcs8, toHex } from "../sdk";

/** The JWT algorithm of a key: ES256 (ECDSA P-256) or EdDSA (Ed25519). */
export type CdpAlgorithm = "ES256" | "EdDSA";

/** An imported key and the algorithm its tokens are signed with. */
export interface CdpSigningKey {
  key: CryptoKey;
  alg: CdpAlgorithm;
}

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** True when the secret is an Ed25519 key as Coinbase hands it out (base64, no PEM armour). */
export function isEd25519Secret(secret: string): boolean {
  return /^[A-Za-z0-9+/]{86}==$/.test(secret.trim());
}

/** Imports an Ed25519 key secret (base64 of seed ‖ public key). */
async function importEd25519(secret: string): Promise<CryptoKey> {
  const bytes = fromBase64(secret.trim());
  const seed = bytes.slice(0, 32);
  const publicKey = bytes.slice(32);
  if (bytes.length !== 64 || toHex(ed25519.getPublicKey(seed)) !== toHex(publicKey)) {
    throw new BrokerError("The Coinbase Ed25519 private key is damaged: paste the key's whole privateKey (88 characters ending in ==) again.", { code: "invalid-credentials", kind: "auth-expired" });
  }
  const key = await importJWK({ kty: "OKP", crv: "Ed25519", d: base64url(seed), x: base64url(publicKey) }, "EdDSA", { extractable: false });
  return key as CryptoKey;
}

/** Lifetime of a request token. Coinbase documents a 2-minute maximum. */
export const JWT_TTL_SECONDS = 120;

/** JWT issuer for CDP keys. (Pre-CDP SDKs used `coinbase-cloud`; current docs and SDKs use `cdp`.) */
export const JWT_ISSUER = "cdp";

/**
 * Imports the key secret. Called once per client: after this the secret
 * exists only inside WebCrypto. Refusals name what the user must fix.
 */
export async function importSigningKey(secret: string): Promise<CdpSigningKey> {
  if (isEd25519Secret(secret)) return { key: await importEd25519(secret), alg: "EdDSA" };
  let pkcs8: string;
  try {
    pkcs8 = p256PrivateKeyPkcs8(secret);
  } catch (cause) {
    throw new BrokerError(
      'The Coinbase private key cannot be read: paste the key\'s whole "privateKey": an ECDSA key from -----BEGIN EC PRIVATE KEY----- to the END line, or an Ed25519 key (88 characters ending in ==).',
      { code: "invalid-credentials", kind: "auth-expired", cause },
    );
  }
  try {
    return { key: await importPKCS8(pkcs8, "ES256"), alg: "ES256" };
  } catch (cause) {
    throw new BrokerError("The Coinbase private key in the PEM block is not an ECDSA P-256 key. Paste the key exactly as Coinbase showed it (ECDSA or Ed25519).", {
      code: "invalid-credentials",
      kind: "auth-expired",
      cause,
    });
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
  /** The key's algorithm (default ES256). */
  alg?: CdpAlgorithm;
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

/** Signs a fresh token for one request (ES256 or EdDSA, by the key). */
export async function signRequestJwt(req: JwtRequest): Promise<string> {
  const nbf = Math.floor(req.now.getTime() / 1000);
  return new SignJWT({ uri: jwtUri(req.method, req.host, req.path) })
    .setProtectedHeader({ alg: req.alg ?? "ES256", kid: req.keyName, nonce: req.nonce ?? randomNonce(), typ: "JWT" })
    .setSubject(req.keyName)
    .setIssuer(JWT_ISSUER)
    .setNotBefore(nbf)
    .setExpirationTime(nbf + JWT_TTL_SECONDS)
    .sign(req.key);
}
