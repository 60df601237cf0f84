/**
 * Password hashing: HMAC-SHA256 with a secret pepper, then PBKDF2-SHA256,
 * through WebCrypto.
 *
 * Why the pepper: 100,000 PBKDF2 iterations is the most workerd accepts and
 * WebCrypto has no memory-hard KDF (argon2, scrypt), so a D1 dump alone
 * would be worth attacking offline. The pepper (`PASSWORD_PEPPER`, a Worker
 * secret) is not in D1: without it, a stolen hash cannot even be tested
 * against a guess.
 *
 * Stored forms (the version travels with the hash, so it can change again):
 * - `v2$pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: PBKDF2 over
 *   HMAC-SHA256(pepper, password). Written for every new or changed password.
 * - `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (v1): PBKDF2 over the
 *   password alone. Still verified; {@link verifyPassword} reports
 *   `needsUpgrade` and log-in re-hashes it as v2 at once.
 *
 * @module
 */
import { bytesEqual, fromBase64, toBase64 } from "./encoding";

const SCHEME = "pbkdf2-sha256";
const V2 = "v2";
/** workerd rejects PBKDF2 above 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const encoder = new TextEncoder();

/** The PBKDF2 input of a v2 hash: HMAC-SHA256 keyed by the pepper. */
async function peppered(password: string, pepper: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(password)));
}

async function derive(material: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

/** Hashes a password (v2: peppered) with a fresh random salt. */
export async function hashPassword(password: string, pepper: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(await peppered(password, pepper), salt, PBKDF2_ITERATIONS);
  return `${V2}$${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Result of {@link verifyPassword}: `needsUpgrade` when the stored hash is an older version. */
export interface PasswordCheck {
  ok: boolean;
  needsUpgrade: boolean;
}

/**
 * Checks a password against a stored hash in constant time. A malformed
 * stored value verifies as false (never throws), so a corrupt row cannot
 * turn a login into a 500 that distinguishes it from a wrong password.
 */
export async function verifyPassword(password: string, stored: string, pepper: string): Promise<PasswordCheck> {
  const parts = stored.split("$");
  const v2 = parts[0] === V2;
  const [scheme, iterationsText, saltText, hashText] = v2 ? parts.slice(1) : parts;
  if (parts.length !== (v2 ? 5 : 4) || scheme !== SCHEME) return { ok: false, needsUpgrade: false };
  const iterations = Number(iterationsText);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return { ok: false, needsUpgrade: false };
  let salt: Uint8Array;
  let expected: Uint8Array;
  try {
    salt = fromBase64(saltText ?? "");
    expected = fromBase64(hashText ?? "");
  } catch {
    return { ok: false, needsUpgrade: false };
  }
  const material = v2 ? await peppered(password, pepper) : encoder.encode(password);
  const ok = bytesEqual(await derive(material, salt, iterations), expected);
  return { ok, needsUpgrade: ok && (!v2 || iterations < PBKDF2_ITERATIONS) };
}

/**
 * A well-formed v2 hash (all-zero salt and digest) that no password matches.
 * Log-in verifies against it when the email is unknown, so "no such user"
 * costs the same HMAC and PBKDF2 work as "wrong password" and response time
 * does not reveal which emails have accounts.
 */
export const DUMMY_PASSWORD_HASH = `${V2}$${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(new Uint8Array(SALT_BYTES))}$${toBase64(new Uint8Array(HASH_BITS / 8))}`;
