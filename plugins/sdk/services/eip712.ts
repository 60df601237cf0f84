/**
 * Ethereum signing for venues that authenticate with a wallet (Polymarket):
 * keccak-256, addresses, EIP-712 typed-data hashing and secp256k1 signatures
 * with the recovery byte, on `@noble/curves` and `@noble/hashes` (audited,
 * dependency-free) instead of a web3 library. Checked against Polymarket's
 * official client vectors in plugins/polymarket (L1 ClobAuth, orders).
 *
 * Scope: the EIP-712 types venues use: `uintN`/`intN`, `address`, `bool`,
 * `bytesN`, `bytes`, `string` and nested structs. Arrays are refused (no
 * venue here signs one).
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { fromHex, toBytes, toHex, type BytesLike } from "./signing";

/** keccak-256 of bytes or UTF-8 text. */
export function keccak256(data: BytesLike): Uint8Array<ArrayBuffer> {
  return new Uint8Array(keccak_256(toBytes(data)));
}

/** `0x`-prefixed lower-case hex. */
export function hex0x(bytes: Uint8Array): `0x${string}` {
  return `0x${toHex(bytes)}`;
}

/** Bytes of a `0x`-prefixed (or bare) hex string. */
export function fromHex0x(hex: string): Uint8Array<ArrayBuffer> {
  return fromHex(hex.replace(/^0x/i, ""));
}

/** A 32-byte private key from hex (with or without `0x`); throws on anything else. */
export function privateKeyBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = fromHex0x(hex.trim());
  if (bytes.length !== 32 || !secp256k1.utils.isValidSecretKey(bytes)) throw new Error("not a secp256k1 private key (32 bytes of hex)");
  return bytes;
}

/** The EIP-55 checksummed form of an address. */
export function checksumAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`not an address: ${address}`);
  const hash = toHex(keccak256(lower));
  let out = "0x";
  for (let i = 0; i < 40; i++) out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}

/** The address of a private key (checksummed). */
export function addressOf(privateKey: Uint8Array): string {
  const publicKey = secp256k1.getPublicKey(privateKey, false);
  return checksumAddress(toHex(keccak256(publicKey.slice(1)).slice(12)));
}

/** One field of an EIP-712 struct type. */
export interface TypedField {
  name: string;
  type: string;
}

/** EIP-712 typed data: the domain, the struct types (without `EIP712Domain`), the primary type and the message. */
export interface TypedData {
  domain: { name?: string; version?: string; chainId?: number | bigint; verifyingContract?: string; salt?: string };
  types: Readonly<Record<string, readonly TypedField[]>>;
  primaryType: string;
  message: Readonly<Record<string, unknown>>;
}

/** The domain's own type, from the fields it has (EIP-712 §domain separator). */
function domainFields(domain: TypedData["domain"]): TypedField[] {
  const all: TypedField[] = [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
    { name: "salt", type: "bytes32" },
  ];
  return all.filter((f) => domain[f.name as keyof TypedData["domain"]] !== undefined);
}

/** Struct types `primary` refers to, itself first, then the rest sorted by name (EIP-712 `encodeType`). */
function dependencies(primary: string, types: TypedData["types"], found = new Set<string>()): Set<string> {
  if (found.has(primary) || !types[primary]) return found;
  found.add(primary);
  for (const field of types[primary]!) dependencies(field.type.replace(/\[\d*\]$/, ""), types, found);
  return found;
}

/** `encodeType`: `Primary(type name,...)Dep(...)...`. */
export function encodeType(primary: string, types: TypedData["types"]): string {
  const [first, ...rest] = [...dependencies(primary, types)];
  return [first!, ...rest.sort()].map((name) => `${name}(${types[name]!.map((f) => `${f.type} ${f.name}`).join(",")})`).join("");
}

/** `typeHash`: keccak of `encodeType`. */
export function typeHash(primary: string, types: TypedData["types"]): Uint8Array<ArrayBuffer> {
  return keccak256(encodeType(primary, types));
}

function word(value: bigint): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(32);
  let v = BigInt.asUintN(256, value);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function toBigInt(value: unknown, type: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-f]+|-?\d+)$/i.test(value)) return BigInt(value);
  throw new Error(`EIP-712: ${type} value ${String(value)} is not an integer`);
}

/** One value's 32-byte encoding (EIP-712 `encodeData` rules). */
function encodeValue(type: string, value: unknown, types: TypedData["types"]): Uint8Array<ArrayBuffer> {
  if (types[type]) return hashStruct(type, value as Record<string, unknown>, types);
  if (type.endsWith("]")) throw new Error("EIP-712 arrays are not supported here");
  if (type === "string") return keccak256(String(value));
  if (type === "bytes") return keccak256(typeof value === "string" ? fromHex0x(value) : (value as Uint8Array));
  if (type === "bool") return word(value === true ? 1n : 0n);
  if (type === "address") return word(BigInt(`0x${fromHexAddress(String(value))}`));
  const bytesN = /^bytes(\d+)$/.exec(type);
  if (bytesN) {
    const raw = typeof value === "string" ? fromHex0x(value) : (value as Uint8Array);
    if (raw.length !== Number(bytesN[1])) throw new Error(`EIP-712: ${type} value has ${raw.length} bytes`);
    const out = new Uint8Array(32);
    out.set(raw, 0);
    return out;
  }
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const bits = Number(int[2] || "256");
    const v = toBigInt(value, type);
    const fits = int[1] === "u" ? v >= 0n && v < 1n << BigInt(bits) : v >= -(1n << BigInt(bits - 1)) && v < 1n << BigInt(bits - 1);
    if (!fits) throw new Error(`EIP-712: ${String(value)} does not fit ${type}`);
    return word(v);
  }
  throw new Error(`EIP-712: unsupported type ${type}`);
}

function fromHexAddress(address: string): string {
  const bare = address.replace(/^0x/i, "").toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(bare)) throw new Error(`EIP-712: ${address} is not an address`);
  return bare;
}

/** `hashStruct`: keccak(typeHash ‖ encodeData). */
export function hashStruct(primary: string, message: Readonly<Record<string, unknown>>, types: TypedData["types"]): Uint8Array<ArrayBuffer> {
  const fields = types[primary];
  if (!fields) throw new Error(`EIP-712: unknown type ${primary}`);
  const parts = [typeHash(primary, types), ...fields.map((f) => encodeValue(f.type, message[f.name], types))];
  const joined = new Uint8Array(parts.length * 32);
  parts.forEach((p, i) => joined.set(p, i * 32));
  return keccak256(joined);
}

/** The domain separator of a domain. */
export function domainSeparator(domain: TypedData["domain"]): Uint8Array<ArrayBuffer> {
  const types = { EIP712Domain: domainFields(domain) };
  return hashStruct("EIP712Domain", domain as Record<string, unknown>, types);
}

/** The digest a wallet signs: keccak(0x1901 ‖ domainSeparator ‖ hashStruct(message)). */
export function typedDataDigest(data: TypedData): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(66);
  out.set([0x19, 0x01], 0);
  out.set(domainSeparator(data.domain), 2);
  out.set(hashStruct(data.primaryType, data.message, data.types), 34);
  return keccak256(out);
}

/**
 * A secp256k1 signature of a 32-byte digest as Ethereum writes it:
 * r ‖ s ‖ v with v = 27 + recovery (65 bytes). Deterministic (RFC 6979),
 * low-s, so the same key and digest always give the same bytes.
 */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): Uint8Array<ArrayBuffer> {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: "recovered", lowS: true });
  const out = new Uint8Array(65);
  out.set(recovered.slice(1, 65), 0);
  out[64] = 27 + recovered[0]!;
  return out;
}

/** Signs typed data (the wallet's `eth_signTypedData_v4`): `0x` + 65 bytes of hex. */
export function signTypedData(privateKey: Uint8Array, data: TypedData): `0x${string}` {
  return hex0x(signDigest(privateKey, typedDataDigest(data)));
}

/** The address that signed `digest` (for checks and tests). */
export function recoverAddress(digest: Uint8Array, signature: Uint8Array): string {
  if (signature.length !== 65) throw new Error("a recoverable signature is 65 bytes");
  const v = signature[64]!;
  const compact = new Uint8Array(65);
  compact[0] = v >= 27 ? v - 27 : v;
  compact.set(signature.slice(0, 64), 1);
  const publicKey = secp256k1.recoverPublicKey(compact, digest, { prehash: false });
  const point = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return checksumAddress(toHex(keccak256(point.slice(1)).slice(12)));
}
