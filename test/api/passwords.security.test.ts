/**
 * Finding 7: PBKDF2 at 100,000 iterations (the Workers ceiling) and nothing
 * else, so a D1 dump alone was enough to attack the hashes offline. Now the
 * password is HMAC'd with PASSWORD_PEPPER (a Worker secret, not in D1)
 * before PBKDF2, the hash format is versioned, and older hashes still log in
 * and are upgraded on the spot.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../../worker/auth/encoding";
import { hashPassword, verifyPassword } from "../../worker/auth/password";
import { api, signup, uniqueEmail } from "../helpers/api";

async function pbkdf2(material: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256));
}

async function storedHash(userId: string): Promise<string> {
  return String((await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(userId).first<{ password_hash: string }>())?.password_hash);
}

describe("peppered password hashes", () => {
  it("a D1 dump alone cannot test a guess: PBKDF2 of the right password with the stored salt does not match", async () => {
    const s = await signup(uniqueEmail(), "correct horse battery");
    const parts = (await storedHash(s.user.id)).split("$");
    const [salt, hash] = parts.slice(-2) as [string, string];
    const iterations = Number(parts.at(-3));
    const offline = await pbkdf2(new TextEncoder().encode("correct horse battery"), fromBase64(salt), iterations);
    expect(toBase64(offline)).not.toBe(hash);
    expect(parts[0]).toBe("v2");
  });

  it("the same hash does not verify under another pepper", async () => {
    const stored = await hashPassword("correct horse battery", env.PASSWORD_PEPPER);
    expect((await verifyPassword("correct horse battery", stored, env.PASSWORD_PEPPER)).ok).toBe(true);
    expect((await verifyPassword("correct horse battery", stored, "a-different-pepper-0123456789abcdef0123")).ok).toBe(false);
  });

  it("an older unpeppered hash still logs in, and is replaced by a v2 hash at that log-in", async () => {
    const email = uniqueEmail("legacy");
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const v1 = `pbkdf2-sha256$100000$${toBase64(salt)}$${toBase64(await pbkdf2(new TextEncoder().encode("old but good"), salt, 100_000))}`;
    const id = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)").bind(id, email, v1, Date.now()).run();
    expect((await verifyPassword("old but good", v1, env.PASSWORD_PEPPER)).needsUpgrade).toBe(true);

    expect((await api("POST", "/api/auth/login", { json: { email, password: "old but good" } })).status).toBe(200);
    const upgraded = await storedHash(id);
    expect(upgraded).toMatch(/^v2\$pbkdf2-sha256\$100000\$/);
    expect((await api("POST", "/api/auth/login", { json: { email, password: "old but good" } })).status).toBe(200);
    expect((await api("POST", "/api/auth/login", { json: { email, password: "wrong" } })).status).toBe(401);
  });
});
