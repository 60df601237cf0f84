/**
 * Strategy webhook secrets. The secret is the password inside the webhook
 * URL (`/webhook/<strategyId>/<secret>`), so it is handled like one: 256
 * random bits, shown once, and stored only as a SHA-256 digest.
 *
 * A plain (unsalted, fast) hash is enough here, unlike for user passwords:
 * the secret is uniformly random with 256 bits of entropy, so neither a
 * dictionary nor brute force against a leaked digest is feasible.
 *
 * @module
 */
import { sha256Hex, stringsEqual, toBase64Url } from "./encoding";

const SECRET_BYTES = 32;

/** A fresh webhook secret: 32 random bytes as base64url (43 characters). */
export function generateWebhookSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The digest stored in `strategies.secret_hash` (SHA-256, lower-case hex). */
export function hashWebhookSecret(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** Checks a presented secret against a stored digest in constant time. */
export async function verifyWebhookSecret(secret: string, storedHash: string): Promise<boolean> {
  return stringsEqual(await hashWebhookSecret(secret), storedHash);
}
