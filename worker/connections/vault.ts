/**
 * The credential vault: envelope encryption of broker credentials at rest.
 *
 * - Each sealing draws a fresh 256-bit **data key** (DEK) and encrypts the
 *   credentials with it (AES-256-GCM, random 96-bit IV).
 * - The DEK is **wrapped** (AES-256-GCM) by a **vault key** (KEK) from the
 *   `VAULT_KEYS` secret (`kid1:<base64 key>,kid2:...`). Only the wrapped DEK
 *   is stored, next to the ciphertext; the row's `credentials_key_id` names
 *   the KEK that wrapped it.
 * - The first key in `VAULT_KEYS` seals; any listed key opens. Rotating =
 *   prepend a new key, then {@link rewrapCredentials} each row: it unwraps
 *   the 32-byte DEK with the old key and wraps it with the new one. The
 *   credentials' ciphertext is not touched, so rotation never re-encrypts
 *   (or even decrypts) the credentials themselves. Rows are re-wrapped when
 *   they are next used, or all at once with `rewrapStaleConnections`
 *   (rotation.ts, run by the vault cron job); once no row names the old key
 *   id, drop it from the secret.
 * - After a suspected compromise a re-wrap is not enough (whoever saw the old
 *   vault key and a dump can unwrap every data key, and a re-wrap keeps the
 *   data keys), so {@link resealCredentials} decrypts and seals again under
 *   a FRESH data key and the current vault key. The operator chooses it with
 *   `VAULT_ROTATION_MODE=reseal` (docs/security.md).
 *
 * Additional authenticated data binds the credentials to their connection
 * id (a blob copied into another user's row fails to open) and the wrapped
 * DEK to its connection and key id (editing `credentials_key_id` fails too).
 *
 * Stored format: `v2.<wrap IV>.<wrapped DEK>.<IV>.<ciphertext>` (base64 parts).
 * `v1.<IV>.<ciphertext>` (credentials encrypted directly under the vault key)
 * is still opened, and re-wrapping upgrades it to v2.
 *
 * @module
 */
import { fromBase64, toBase64 } from "../auth/encoding";

const V1 = "v1";
const V2 = "v2";
const IV_BYTES = 12;
const encoder = new TextEncoder();

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

/** Id of the key that seals (the first in `VAULT_KEYS`). */
export function currentKeyId(vaultKeys: string): string {
  return parseVaultKeys(vaultKeys)[0]!.id;
}

function vaultKey(vaultKeys: string, keyId: string): VaultKey {
  const key = parseVaultKeys(vaultKeys).find((k) => k.id === keyId);
  if (!key) throw new Error(`Vault key "${keyId}" is not in VAULT_KEYS; the connection's credentials cannot be opened.`);
  return key;
}

function importAesKey(raw: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

async function gcmEncrypt(raw: Uint8Array, plaintext: Uint8Array, aad: string): Promise<{ iv: Uint8Array; body: Uint8Array }> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const body = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(aad) }, await importAesKey(raw, "encrypt"), plaintext);
  return { iv, body: new Uint8Array(body) };
}

async function gcmDecrypt(raw: Uint8Array, iv: Uint8Array, body: Uint8Array, aad: string): Promise<Uint8Array> {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(aad) }, await importAesKey(raw, "decrypt"), body);
  return new Uint8Array(plain);
}

/** AAD of the wrapped data key: a wrap is valid only for this connection and this vault key. */
const wrapAad = (connectionId: string, keyId: string) => `tradeloop/dek/v2/${connectionId}/${keyId}`;

/** What `connections` stores for sealed credentials. */
export interface SealedCredentials {
  ciphertext: string;
  keyId: string;
}

interface V2Parts {
  wrapIv: string;
  wrappedDek: string;
  iv: string;
  body: string;
}

function parseEnvelope(ciphertext: string): { version: typeof V1; iv: string; body: string } | ({ version: typeof V2 } & V2Parts) {
  const parts = ciphertext.split(".");
  if (parts[0] === V1 && parts.length === 3 && parts[1] && parts[2]) return { version: V1, iv: parts[1], body: parts[2] };
  if (parts[0] === V2 && parts.length === 5 && parts.slice(1).every(Boolean)) {
    return { version: V2, wrapIv: parts[1]!, wrappedDek: parts[2]!, iv: parts[3]!, body: parts[4]! };
  }
  throw new Error("Unrecognized credentials envelope.");
}

async function wrapDek(key: VaultKey, connectionId: string, dek: Uint8Array): Promise<{ wrapIv: string; wrappedDek: string }> {
  const { iv, body } = await gcmEncrypt(key.raw, dek, wrapAad(connectionId, key.id));
  return { wrapIv: toBase64(iv), wrappedDek: toBase64(body) };
}

async function unwrapDek(key: VaultKey, connectionId: string, parts: V2Parts): Promise<Uint8Array> {
  return gcmDecrypt(key.raw, fromBase64(parts.wrapIv), fromBase64(parts.wrappedDek), wrapAad(connectionId, key.id));
}

function envelope(parts: V2Parts): string {
  return [V2, parts.wrapIv, parts.wrappedDek, parts.iv, parts.body].join(".");
}

/** Encrypts credentials for one connection under a fresh data key, wrapped by the current vault key. */
export async function sealCredentials(vaultKeys: string, connectionId: string, credentials: unknown): Promise<SealedCredentials> {
  const current = parseVaultKeys(vaultKeys)[0]!;
  const dek = crypto.getRandomValues(new Uint8Array(32));
  try {
    const { iv, body } = await gcmEncrypt(dek, encoder.encode(JSON.stringify(credentials)), connectionId);
    const wrapped = await wrapDek(current, connectionId, dek);
    return { ciphertext: envelope({ ...wrapped, iv: toBase64(iv), body: toBase64(body) }), keyId: current.id };
  } finally {
    dek.fill(0); // the plaintext data key never outlives this call
  }
}

/**
 * Decrypts a connection's credentials. Throws when the key is gone or the
 * envelope was tampered with or moved to another connection.
 */
export async function openCredentials(vaultKeys: string, connectionId: string, sealed: SealedCredentials): Promise<unknown> {
  const key = vaultKey(vaultKeys, sealed.keyId);
  const parsed = parseEnvelope(sealed.ciphertext);
  let plaintext: Uint8Array;
  if (parsed.version === V1) {
    plaintext = await gcmDecrypt(key.raw, fromBase64(parsed.iv), fromBase64(parsed.body), connectionId);
  } else {
    const dek = await unwrapDek(key, connectionId, parsed);
    try {
      plaintext = await gcmDecrypt(dek, fromBase64(parsed.iv), fromBase64(parsed.body), connectionId);
    } finally {
      dek.fill(0);
    }
  }
  return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
}

/** True when the envelope is not (yet) a v2 envelope wrapped by the current vault key. */
export function needsRewrap(vaultKeys: string, sealed: SealedCredentials): boolean {
  return sealed.keyId !== currentKeyId(vaultKeys) || !sealed.ciphertext.startsWith(`${V2}.`);
}

/**
 * Re-wraps the data key under the current vault key, leaving the
 * credentials' ciphertext as it is. A v1 envelope is upgraded (decrypted and
 * sealed as v2, once). Returns the envelope unchanged if nothing is to do.
 */
export async function rewrapCredentials(vaultKeys: string, connectionId: string, sealed: SealedCredentials): Promise<SealedCredentials> {
  if (!needsRewrap(vaultKeys, sealed)) return sealed;
  const parsed = parseEnvelope(sealed.ciphertext);
  if (parsed.version === V1) return sealCredentials(vaultKeys, connectionId, await openCredentials(vaultKeys, connectionId, sealed));
  const current = parseVaultKeys(vaultKeys)[0]!;
  const dek = await unwrapDek(vaultKey(vaultKeys, sealed.keyId), connectionId, parsed);
  try {
    const wrapped = await wrapDek(current, connectionId, dek);
    return { ciphertext: envelope({ ...parsed, ...wrapped }), keyId: current.id };
  } finally {
    dek.fill(0);
  }
}

/**
 * Re-encrypts a connection's credentials under a fresh data key wrapped by
 * the current vault key (a full re-seal, unlike {@link rewrapCredentials}).
 * The old envelope must still open (its vault key is still listed).
 */
export async function resealCredentials(vaultKeys: string, connectionId: string, sealed: SealedCredentials): Promise<SealedCredentials> {
  return sealCredentials(vaultKeys, connectionId, await openCredentials(vaultKeys, connectionId, sealed));
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
