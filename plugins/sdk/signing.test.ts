/** Signing helpers against published test vectors (RFC 4231 HMAC, RFC 8032 Ed25519) and a JWT round trip. */
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ed25519Sign, es256Jwt, fromBase64, fromHex, hmacSha256, hmacSha512, p256PrivateKeyPkcs8, toBase64, toHex } from "./services/signing";

describe("HMAC (RFC 4231 test case 2)", () => {
  const key = "Jefe";
  const data = "what do ya want for nothing?";
  it("SHA-256, hex and base64", async () => {
    const hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(await hmacSha256(key, data)).toBe(hex);
    expect(await hmacSha256(key, data, "base64")).toBe(toBase64(fromHex(hex)));
  });
  it("SHA-512", async () => {
    expect(await hmacSha512(key, data)).toBe(
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
  });
  it("takes binary keys (RFC 4231 test case 1: 20 × 0x0b)", async () => {
    expect(await hmacSha256(new Uint8Array(20).fill(0x0b), "Hi There")).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  });
});

describe("Ed25519 (RFC 8032 §7.1 test 2)", () => {
  it("signs one byte with a raw seed", async () => {
    const seed = fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    const sig = await ed25519Sign(seed, fromHex("72"));
    expect(toHex(sig)).toBe(
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    );
  });
});

describe("ES256 JWT", () => {
  it("signs with a SEC1 key (as brokers issue them) and verifies with its public key", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
    const pem = (label: string, der: Uint8Array) => `-----BEGIN ${label}-----\n${toBase64(der)}\n-----END ${label}-----`;
    // PKCS#8 → SEC1 (the OCTET STRING inside) to mimic a broker's "EC PRIVATE KEY", then back through the helper.
    const sec1 = pkcs8.slice(pkcs8.indexOf(0x30, 26));
    const sec1Pem = pem("EC PRIVATE KEY", sec1).replace(/\n/g, "\\n");
    expect(p256PrivateKeyPkcs8(sec1Pem)).toContain("BEGIN PRIVATE KEY");
    const now = new Date("2026-01-02T03:04:05Z");
    const jwt = await es256Jwt({ privateKeyPem: sec1Pem, keyId: "organizations/x/apiKeys/y", claims: { sub: "y", uri: "GET api.example/v3/x" }, header: { nonce: "n1" }, now });
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: "ES256", kid: "organizations/x/apiKeys/y", nonce: "n1", typ: "JWT" });
    const { payload } = await jwtVerify(jwt, await importSPKI(pem("PUBLIC KEY", spki), "ES256"), { currentDate: now });
    expect(payload).toMatchObject({ sub: "y", uri: "GET api.example/v3/x", iat: now.getTime() / 1000, exp: now.getTime() / 1000 + 120 });
  });
});

describe("encodings", () => {
  it("base64 round trip, URL-safe accepted", () => {
    const bytes = fromHex("fbff00");
    expect(toBase64(bytes)).toBe("+/8A");
    expect(toHex(fromBase64("-_8A"))).toBe("fbff00");
  });
});
