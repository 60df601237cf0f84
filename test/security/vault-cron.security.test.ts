/**
 * Finding 9: vault rotation only re-wrapped data keys, and nothing ever
 * called the re-wrap. Now a cron trigger runs it (worker/cron.ts), and after
 * a suspected compromise `VAULT_ROTATION_MODE=reseal` re-encrypts every
 * credential under a FRESH data key, so a data key learned before the
 * rotation opens nothing stored after it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { fromBase64 } from "../../worker/auth/encoding";
import { CRON_JOBS, scheduled } from "../../worker/cron";
import { openCredentials, parseVaultKeys, sealCredentials } from "../../worker/connections/vault";
import { authed, signup } from "../helpers/api";

const creds = { apiKey: "AKIA-0123456789-abcdef", apiSecret: "s3cr3t-value-that-is-long-k3F9" };
const VAULT_CRON = "*/30 * * * *";

function randomKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

/** What an attacker who saw the old vault key and an old dump holds: the connection's data key. */
async function dataKeyOf(vaultKeys: string, connectionId: string, ciphertext: string, keyId: string): Promise<Uint8Array> {
  const [, wrapIv, wrapped] = ciphertext.split(".");
  const kek = parseVaultKeys(vaultKeys).find((k) => k.id === keyId)!;
  const key = await crypto.subtle.importKey("raw", kek.raw, "AES-GCM", false, ["decrypt"]);
  const aad = new TextEncoder().encode(`tradeloop/dek/v2/${connectionId}/${keyId}`);
  return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(wrapIv!), additionalData: aad }, key, fromBase64(wrapped!)));
}

async function opensWith(dek: Uint8Array, connectionId: string, ciphertext: string): Promise<boolean> {
  const [, , , iv, body] = ciphertext.split(".");
  const key = await crypto.subtle.importKey("raw", dek, "AES-GCM", false, ["decrypt"]);
  try {
    await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv!), additionalData: new TextEncoder().encode(connectionId) }, key, fromBase64(body!));
    return true;
  } catch {
    return false;
  }
}

async function connectionWithCredentials(): Promise<string> {
  const { token } = await signup();
  const conn = await authed(token).post<{ id: string }>("/api/connections", { broker: "paper", name: "P" });
  const sealed = await sealCredentials(env.VAULT_KEYS, conn.body.id, creds);
  await env.DB.prepare("UPDATE connections SET credentials_ciphertext = ?, credentials_key_id = ? WHERE id = ?").bind(sealed.ciphertext, sealed.keyId, conn.body.id).run();
  return conn.body.id;
}

async function row(id: string) {
  return (await env.DB.prepare("SELECT credentials_ciphertext AS c, credentials_key_id AS k FROM connections WHERE id = ?").bind(id).first<{ c: string; k: string }>())!;
}

describe("the vault's cron job", () => {
  it("wrangler.toml schedules exactly the expressions worker/cron.ts dispatches", () => {
    const crons = /\[triggers\][^[]*crons\s*=\s*\[([^\]]*)\]/.exec(wranglerToml)?.[1] ?? "";
    const scheduledExpressions = [...crons.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
    expect(scheduledExpressions).toEqual(Object.keys(CRON_JOBS).sort());
  });

  it("re-wraps rows still under an old vault key when the cron fires", async () => {
    const id = await connectionWithCredentials();
    const rotated = `cron2:${randomKey()},${env.VAULT_KEYS}`;
    await scheduled({ cron: VAULT_CRON, scheduledTime: Date.now() }, { ...env, VAULT_KEYS: rotated });
    const after = await row(id);
    expect(after.k).toBe("cron2");
    expect(await openCredentials(rotated.split(",")[0]!, id, { ciphertext: after.c, keyId: after.k })).toEqual(creds);
  });

  it("re-seal mode: fresh data keys, so a data key stolen before the rotation opens nothing after it", async () => {
    const id = await connectionWithCredentials();
    const before = await row(id);
    const stolenDek = await dataKeyOf(env.VAULT_KEYS, id, before.c, before.k);
    expect(await opensWith(stolenDek, id, before.c)).toBe(true);

    const rotated = `cron3:${randomKey()},${env.VAULT_KEYS}`;
    await scheduled({ cron: VAULT_CRON, scheduledTime: Date.now() }, { ...env, VAULT_KEYS: rotated, VAULT_ROTATION_MODE: "reseal" });
    const after = await row(id);
    expect(after.k).toBe("cron3");
    expect(after.c.split(".").slice(3)).not.toEqual(before.c.split(".").slice(3));
    expect(await opensWith(stolenDek, id, after.c)).toBe(false);
    expect(await openCredentials(rotated.split(",")[0]!, id, { ciphertext: after.c, keyId: after.k })).toEqual(creds);
  });

  it("a plain re-wrap keeps the data key (which is why re-seal exists)", async () => {
    const id = await connectionWithCredentials();
    const before = await row(id);
    const dek = await dataKeyOf(env.VAULT_KEYS, id, before.c, before.k);
    const rotated = `cron4:${randomKey()},${env.VAULT_KEYS}`;
    await scheduled({ cron: VAULT_CRON, scheduledTime: Date.now() }, { ...env, VAULT_KEYS: rotated });
    expect(await opensWith(dek, id, (await row(id)).c)).toBe(true);
  });
});
