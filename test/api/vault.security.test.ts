import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rewrapStaleConnections } from "../../worker/connections/rotation";
import {
  credentialsHint,
  currentKeyId,
  needsRewrap,
  openCredentials,
  parseVaultKeys,
  rewrapCredentials,
  sealCredentials,
} from "../../worker/connections/vault";
import { getDb } from "../../worker/db/client";
import { authed, signup } from "../helpers/api";

const creds = { apiKey: "AKIA-0123456789-abcdef", apiSecret: "s3cr3t-value-that-is-long-k3F9" };

function randomKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

/** `v2.<wrap IV>.<wrapped DEK>.<IV>.<ciphertext>` */
function parts(ciphertext: string) {
  const [version, wrapIv, wrappedDek, iv, body] = ciphertext.split(".");
  return { version, wrapIv, wrappedDek, iv, body };
}

/** A v1 envelope as the first vault version wrote it: credentials encrypted directly under the vault key. */
async function sealV1(vaultKeys: string, connectionId: string, value: unknown) {
  const [key] = parseVaultKeys(vaultKeys);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cryptoKey = await crypto.subtle.importKey("raw", key!.raw, "AES-GCM", false, ["encrypt"]);
  const body = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(connectionId) }, cryptoKey, new TextEncoder().encode(JSON.stringify(value)));
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  return { ciphertext: `v1.${b64(iv)}.${b64(new Uint8Array(body))}`, keyId: key!.id };
}

describe("credential vault: envelope encryption", () => {
  it("seals under a fresh data key wrapped by the first vault key, and opens again", async () => {
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    expect(sealed.keyId).toBe("test1");
    const p = parts(sealed.ciphertext);
    expect(p.version).toBe("v2");
    // A wrapped 256-bit data key: 32 bytes + 16-byte GCM tag.
    expect(atob(p.wrappedDek!).length).toBe(48);
    expect(sealed.ciphertext).not.toContain("s3cr3t");
    expect(await openCredentials(env.VAULT_KEYS, "conn-1", sealed)).toEqual(creds);
  });

  it("a fresh data key and IVs each time: sealing twice gives different envelopes", async () => {
    const a = parts((await sealCredentials(env.VAULT_KEYS, "conn-1", creds)).ciphertext);
    const b = parts((await sealCredentials(env.VAULT_KEYS, "conn-1", creds)).ciphertext);
    expect(a.wrappedDek).not.toBe(b.wrappedDek);
    expect(a.body).not.toBe(b.body);
  });

  it("an envelope moved to another connection does not open", async () => {
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    // The connection id is the AES-GCM additional data: authentication fails.
    await expect(openCredentials(env.VAULT_KEYS, "conn-2", sealed)).rejects.toThrow(/Decryption failed/);
  });

  it("a tampered envelope, a swapped key id or a missing key does not open", async () => {
    const twoKeys = `other:${randomKey()},${env.VAULT_KEYS}`;
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    const p = parts(sealed.ciphertext);
    const flip = (s: string) => (s.startsWith("A") ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    for (const broken of [
      [p.version, p.wrapIv, p.wrappedDek, p.iv, flip(p.body!)],
      [p.version, p.wrapIv, flip(p.wrappedDek!), p.iv, p.body],
      [p.version, p.wrapIv, p.wrappedDek, p.iv],
    ]) {
      await expect(openCredentials(env.VAULT_KEYS, "conn-1", { ...sealed, ciphertext: broken.join(".") })).rejects.toThrow(
        /Decryption failed|Unrecognized credentials envelope/,
      );
    }
    // The wrap is bound to its key id: relabelling the row with another key fails.
    await expect(openCredentials(twoKeys, "conn-1", { ...sealed, keyId: "other" })).rejects.toThrow(/Decryption failed/);
    await expect(openCredentials(env.VAULT_KEYS, "conn-1", { ...sealed, keyId: "gone" })).rejects.toThrow(/not in VAULT_KEYS/);
  });

  it("rotation: a new first key seals; re-wrapping changes only the wrapped data key, never the credentials' ciphertext", async () => {
    const old = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    const rotated = `test2:${randomKey()},${env.VAULT_KEYS}`;
    expect(currentKeyId(rotated)).toBe("test2");
    expect(await openCredentials(rotated, "conn-1", old)).toEqual(creds);
    expect(needsRewrap(rotated, old)).toBe(true);
    const rewrapped = await rewrapCredentials(rotated, "conn-1", old);
    expect(rewrapped.keyId).toBe("test2");
    expect(parts(rewrapped.ciphertext).body).toBe(parts(old.ciphertext).body);
    expect(parts(rewrapped.ciphertext).iv).toBe(parts(old.ciphertext).iv);
    expect(parts(rewrapped.ciphertext).wrappedDek).not.toBe(parts(old.ciphertext).wrappedDek);
    // Once re-wrapped, the old key can go.
    const newOnly = rotated.split(",")[0]!;
    expect(await openCredentials(newOnly, "conn-1", rewrapped)).toEqual(creds);
    expect(needsRewrap(rotated, rewrapped)).toBe(false);
    expect(await rewrapCredentials(rotated, "conn-1", rewrapped)).toBe(rewrapped);
    expect((await sealCredentials(rotated, "conn-1", creds)).keyId).toBe("test2");
  });

  it("v1 envelopes (credentials under the vault key directly) still open, and re-wrapping upgrades them to v2", async () => {
    const v1 = await sealV1(env.VAULT_KEYS, "conn-1", creds);
    expect(await openCredentials(env.VAULT_KEYS, "conn-1", v1)).toEqual(creds);
    expect(needsRewrap(env.VAULT_KEYS, v1)).toBe(true);
    const upgraded = await rewrapCredentials(env.VAULT_KEYS, "conn-1", v1);
    expect(parts(upgraded.ciphertext).version).toBe("v2");
    expect(await openCredentials(env.VAULT_KEYS, "conn-1", upgraded)).toEqual(creds);
  });

  it("refuses malformed key lists", () => {
    expect(() => parseVaultKeys("")).toThrow(/VAULT_KEYS is empty/);
    expect(() => parseVaultKeys("k1:AAAA")).toThrow(/32 bytes/);
  });

  it("hints show only the last 4 characters of a long value", () => {
    expect(credentialsHint(creds)).toBe("••••k3F9");
    expect(credentialsHint({ pin: "1234" })).toBeNull();
    expect(credentialsHint(null)).toBeNull();
  });
});

describe("credential vault: rotating stored connections", () => {
  it("rewrapStaleConnections re-wraps every row still under an old key (or v1), then nothing remains", async () => {
    const { token, user } = await signup();
    const db = getDb(env.DB);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const conn = await authed(token).post<{ id: string }>("/api/connections", { broker: "paper", name: `P${i}` });
      ids.push(conn.body.id);
    }
    // Give the rows credentials as an older deployment would have stored them.
    const oldKeys = env.VAULT_KEYS;
    const sealedOld = await sealCredentials(oldKeys, ids[0]!, creds);
    const sealedV1 = await sealV1(oldKeys, ids[1]!, creds);
    await env.DB.prepare("UPDATE connections SET credentials_ciphertext = ?, credentials_key_id = ? WHERE id = ?").bind(sealedOld.ciphertext, sealedOld.keyId, ids[0]).run();
    await env.DB.prepare("UPDATE connections SET credentials_ciphertext = ?, credentials_key_id = ? WHERE id = ?").bind(sealedV1.ciphertext, sealedV1.keyId, ids[1]).run();
    const rotated = `test9:${randomKey()},${oldKeys}`;
    let remaining = Infinity;
    for (let round = 0; round < 10 && remaining > 0; round++) remaining = (await rewrapStaleConnections(db, rotated, 50)).remaining;
    expect(remaining).toBe(0);
    for (const id of ids.slice(0, 2)) {
      const row = await env.DB.prepare("SELECT credentials_ciphertext AS c, credentials_key_id AS k, user_id AS u FROM connections WHERE id = ?").bind(id).first<{ c: string; k: string; u: string }>();
      expect(row).toMatchObject({ k: "test9", u: user.id });
      expect(row!.c.startsWith("v2.")).toBe(true);
      expect(await openCredentials(rotated.split(",")[0]!, id, { ciphertext: row!.c, keyId: row!.k })).toEqual(creds);
    }
  });
});
