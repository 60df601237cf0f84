/**
 * The credential vault: broker credentials are sealed with AES-256-GCM before
 * they reach D1, and opened only in memory when a broker client is built.
 *
 * Keys come from the `VAULT_KEYS` secret (`kid1:<base64 key>,kid2:...`). The
 * first key seals; any listed key opens, so keys rotate by prepending a new
 * one and re-sealing at leisure. The row stores which key sealed it.
 *
 * The connection id is bound in as additional authenticated data: a sealed
 * blob copied into another user's row fails to open instead of lending that
 * row someone else's credentials.
 *
 * @module
 */
import { fromBase64, toBase64 } from "../auth/encoding";

const ENVELOPE_VERSION = "v1";
const IV_BYTES = 12;

interface VaultKey {
  id: string;
  raw: Uint8Array;
}

/** Parses `VAULT_KEYS`. Throws if it holds no usable 256-bit key. */
export function parseVaultKeys(spec: string): VaultKey[] {
  const keys = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(":");
      const raw = fromBase64(entry.slice(at + 1));
      if (at < 1 || raw.byteLength !== 32) throw new Error("VAULT_KEYS entries must be `<kid>:<base64 of 32 bytes>`.");
      return { id: entry.slice(0, at), raw };
    });
  if (keys.length === 0) throw new Error("VAULT_KEYS is empty.");
  return keys;
}

function importKey(raw: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** What `connections` stores for sealed credentials. */
export interface SealedCredentials {
  ciphertext: string;
  keyId: string;
}

/** Encrypts credentials for one connection with the current (first) vault key. */
export async function sealCredentials(vaultKeys: string, connectionId: string, credentials: unknown): Promise<SealedCredentials> {
  const [current] = parseVaultKeys(vaultKeys);
  if (!current) throw new Error("VAULT_KEYS is empty.");
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(credentials));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(connectionId) },
    await importKey(current.raw, "encrypt"),
    plaintext,
  );
  return { ciphertext: `${ENVELOPE_VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`, keyId: current.id };
}

/**
 * Decrypts a connection's credentials. Throws when the key is gone or the
 * envelope was tampered with or moved to another connection.
 */
export async function openCredentials(vaultKeys: string, connectionId: string, sealed: SealedCredentials): Promise<unknown> {
  const key = parseVaultKeys(vaultKeys).find((k) => k.id === sealed.keyId);
  if (!key) throw new Error(`Vault key "${sealed.keyId}" is not in VAULT_KEYS; the connection's credentials cannot be opened.`);
  const [version, iv, body] = sealed.ciphertext.split(".");
  if (version !== ENVELOPE_VERSION || !iv || !body) throw new Error("Unrecognized credentials envelope.");
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv), additionalData: new TextEncoder().encode(connectionId) },
    await importKey(key.raw, "decrypt"),
    fromBase64(body),
  );
  return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
}

/**
 * A hint that lets a user recognise which credentials a connection holds
 * (`••••k3F9`) without revealing them: the last 4 characters of the longest
 * string value, and only when that value is long enough (16+) that 4
 * characters give an attacker nothing useful.
 */
export function credentialsHint(credentials: unknown): string | null {
  if (credentials === null || typeof credentials !== "object") return null;
  const strings = Object.values(credentials).filter((v): v is string => typeof v === "string");
  const longest = strings.sort((a, b) => b.length - a.length)[0];
  return longest && longest.length >= 16 ? `••••${longest.slice(-4)}` : null;
}
