import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { credentialsHint, openCredentials, parseVaultKeys, sealCredentials } from "../../worker/connections/vault";

const creds = { apiKey: "AKIA-0123456789-abcdef", apiSecret: "s3cr3t-value-that-is-long-k3F9" };

describe("credential vault", () => {
  it("seals with AES-GCM under the first key and opens again", async () => {
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    expect(sealed.keyId).toBe("test1");
    expect(sealed.ciphertext).toMatch(/^v1\./);
    expect(sealed.ciphertext).not.toContain("s3cr3t");
    expect(await openCredentials(env.VAULT_KEYS, "conn-1", sealed)).toEqual(creds);
  });

  it("a fresh IV each time: sealing twice gives different ciphertexts", async () => {
    const a = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    const b = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("an envelope moved to another connection does not open", async () => {
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    await expect(openCredentials(env.VAULT_KEYS, "conn-2", sealed)).rejects.toThrow();
  });

  it("a tampered envelope or a missing key does not open", async () => {
    const sealed = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    const [v, iv, body] = sealed.ciphertext.split(".");
    const flipped = body!.startsWith("A") ? `B${body!.slice(1)}` : `A${body!.slice(1)}`;
    await expect(openCredentials(env.VAULT_KEYS, "conn-1", { ...sealed, ciphertext: `${v}.${iv}.${flipped}` })).rejects.toThrow();
    await expect(openCredentials(env.VAULT_KEYS, "conn-1", { ...sealed, keyId: "gone" })).rejects.toThrow(/not in VAULT_KEYS/);
  });

  it("rotation: a new first key seals, the old one still opens", async () => {
    const old = await sealCredentials(env.VAULT_KEYS, "conn-1", creds);
    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotated = `test2:${newKey},${env.VAULT_KEYS}`;
    expect(await openCredentials(rotated, "conn-1", old)).toEqual(creds);
    expect((await sealCredentials(rotated, "conn-1", creds)).keyId).toBe("test2");
  });

  it("refuses malformed key lists", () => {
    expect(() => parseVaultKeys("")).toThrow();
    expect(() => parseVaultKeys("k1:AAAA")).toThrow(/32 bytes/);
  });

  it("hints show only the last 4 characters of a long value", () => {
    expect(credentialsHint(creds)).toBe("••••k3F9");
    expect(credentialsHint({ pin: "1234" })).toBeNull();
    expect(credentialsHint(null)).toBeNull();
  });
});
