/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. The
 * iteration count travels with the hash so it can be raised later without
 * invalidating existing users (verify reads it from the stored string).
 *
 * 100,000 iterations is the most workerd's PBKDF2 accepts; a memory-hard KDF
 * (argon2, scrypt) is not available in WebCrypto.
 *
 * @module
 */
import { bytesEqual, fromBase64, toBase64 } from "./encoding";

const SCHEME = "pbkdf2-sha256";
/** workerd rejects PBKDF2 above 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Checks a password against a stored hash in constant time. A malformed
 * stored value verifies as false (never throws), so a corrupt row cannot
 * turn a login into a 500 that distinguishes it from a wrong password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  let salt: Uint8Array;
  let expected: Uint8Array;
  try {
    salt = fromBase64(parts[2] ?? "");
    expected = fromBase64(parts[3] ?? "");
  } catch {
    return false;
  }
  const actual = await derive(password, salt, iterations);
  return bytesEqual(actual, expected);
}

/**
 * A well-formed hash (all-zero salt and digest) that no password matches.
 * Login verifies against it when the email is unknown, so "no such user"
 * costs the same PBKDF2 work as "wrong password" and response time does not
 * reveal which emails have accounts.
 */
export const DUMMY_PASSWORD_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64(new Uint8Array(SALT_BYTES))}$${toBase64(new Uint8Array(HASH_BITS / 8))}`;
