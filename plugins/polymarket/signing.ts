/**
 * Polymarket's three signatures, on the SDK's EIP-712 and HMAC helpers:
 *
 * - L1 (`ClobAuth`, domain `ClobAuthDomain` v1): the wallet attests it
 *   controls the address; used once per session to derive API credentials.
 * - L2: `base64url(HMAC-SHA256(base64url-decoded secret, timestamp + METHOD
 *   + path + body))` on every request, timestamp in seconds, body exactly as
 *   sent.
 * - Orders: the CTF Exchange V2 `Order` (11 fields, domain "Polymarket CTF
 *   Exchange" version "2", the exchange or the neg-risk exchange as verifying
 *   contract), signed by the key (types 0-2), or wrapped for a deposit
 *   wallet as ERC-7739 `TypedDataSign` (type 3). The order's id at Polymarket
 *   is the EIP-712 digest, known before sending.
 *
 * @module
 */
import {
  addressOf,
  dec,
  domainSeparator,
  fromBase64,
  hashStruct,
  hex0x,
  hmac,
  keccak256,
  signDigest,
  signTypedData,
  toBase64,
  typedDataDigest,
  type Decimal,
  type TypedData,
} from "../sdk";

export const CLOB_AUTH_MESSAGE = "This message attests that I control the given wallet";
export const BYTES32_ZERO = `0x${"0".repeat(64)}`;

/** L1: the `ClobAuth` signature of the wallet for a timestamp (seconds) and nonce. */
export function clobAuthSignature(privateKey: Uint8Array, chainId: number, timestamp: number, nonce: number): string {
  return signTypedData(privateKey, {
    domain: { name: "ClobAuthDomain", version: "1", chainId },
    types: {
      ClobAuth: [
        { name: "address", type: "address" },
        { name: "timestamp", type: "string" },
        { name: "nonce", type: "uint256" },
        { name: "message", type: "string" },
      ],
    },
    primaryType: "ClobAuth",
    message: { address: addressOf(privateKey), timestamp: String(timestamp), nonce, message: CLOB_AUTH_MESSAGE },
  });
}

/** L2: the HMAC of one request, URL-safe base64 (with padding), as the official clients write it. */
export async function l2Signature(secret: string, timestamp: number, method: string, requestPath: string, body: string | undefined): Promise<string> {
  const mac = await hmac("SHA-256", fromBase64(secret), `${timestamp}${method}${requestPath}${body ?? ""}`);
  return toBase64(mac).replace(/\+/g, "-").replace(/\//g, "_");
}

/** The V2 order struct as the exchange hashes it. */
export const ORDER_FIELDS = [
  { name: "salt", type: "uint256" },
  { name: "maker", type: "address" },
  { name: "signer", type: "address" },
  { name: "tokenId", type: "uint256" },
  { name: "makerAmount", type: "uint256" },
  { name: "takerAmount", type: "uint256" },
  { name: "side", type: "uint8" },
  { name: "signatureType", type: "uint8" },
  { name: "timestamp", type: "uint256" },
  { name: "metadata", type: "bytes32" },
  { name: "builder", type: "bytes32" },
] as const;

/** One V2 order before signing (amounts in 6-decimal base units, as text). */
export interface OrderV2 {
  salt: string;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: "BUY" | "SELL";
  signatureType: number;
  /** Milliseconds; the per-address uniqueness field of V2. */
  timestamp: string;
  metadata: string;
  builder: string;
}

function orderTypedData(order: OrderV2, chainId: number, exchange: string): TypedData {
  return {
    domain: { name: "Polymarket CTF Exchange", version: "2", chainId, verifyingContract: exchange },
    types: { Order: ORDER_FIELDS },
    primaryType: "Order",
    message: { ...order, side: order.side === "BUY" ? 0 : 1 },
  };
}

/** The order's id at Polymarket: its EIP-712 digest. */
export function orderHash(order: OrderV2, chainId: number, exchange: string): string {
  return hex0x(typedDataDigest(orderTypedData(order, chainId, exchange)));
}

const ORDER_TYPE_STRING = `Order(${ORDER_FIELDS.map((f) => `${f.type} ${f.name}`).join(",")})`;
const TYPED_DATA_SIGN_TYPE = `TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)${ORDER_TYPE_STRING}`;

function abiWords(...words: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(words.length * 32);
  words.forEach((w, i) => out.set(w, i * 32));
  return out;
}

function uintWord(value: bigint | number | string): Uint8Array {
  const out = new Uint8Array(32);
  let v = BigInt(value);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * The order's signature: the key's EIP-712 signature for types 0-2; for a
 * deposit wallet (type 3) the ERC-7739 wrapping the wallet contract checks:
 * the key's signature of `TypedDataSign(contents, "DepositWallet", "1",
 * chainId, wallet, 0)` under the exchange's domain, followed by the
 * exchange's domain separator, the order's struct hash, the order type
 * string and its length (2 bytes).
 */
export function signOrder(privateKey: Uint8Array, order: OrderV2, chainId: number, exchange: string): string {
  const typed = orderTypedData(order, chainId, exchange);
  if (order.signatureType !== 3) return signTypedData(privateKey, typed);
  const appDomain = domainSeparator(typed.domain);
  const contents = hashStruct("Order", typed.message, typed.types);
  const typedDataSign = keccak256(
    abiWords(
      keccak256(TYPED_DATA_SIGN_TYPE),
      contents,
      keccak256("DepositWallet"),
      keccak256("1"),
      uintWord(chainId),
      uintWord(BigInt(order.signer)),
      new Uint8Array(32),
    ),
  );
  const digest = keccak256(new Uint8Array([0x19, 0x01, ...appDomain, ...typedDataSign]));
  const inner = signDigest(privateKey, digest);
  const typeBytes = new TextEncoder().encode(ORDER_TYPE_STRING);
  const length = new Uint8Array([typeBytes.length >> 8, typeBytes.length & 0xff]);
  return hex0x(new Uint8Array([...inner, ...appDomain, ...contents, ...typeBytes, ...length]));
}

/** Decimal places per tick size, as the official order builder rounds (price, size, amount). */
export const ROUNDING: Readonly<Record<string, { price: number; size: number; amount: number }>> = {
  "0.1": { price: 1, size: 2, amount: 3 },
  "0.01": { price: 2, size: 2, amount: 4 },
  "0.005": { price: 3, size: 2, amount: 5 },
  "0.0025": { price: 4, size: 2, amount: 6 },
  "0.001": { price: 3, size: 2, amount: 5 },
  "0.0001": { price: 4, size: 2, amount: 6 },
};

/**
 * Maker and taker amounts (6-decimal base units) for `size` shares at
 * `price`: a buy gives USDC (maker) for shares (taker), a sell the reverse.
 * Shares round down to the size decimals; the USDC side is the exact product,
 * cut down to the tick's amount decimals (the official builder's rule,
 * without its float detours).
 */
export function orderAmounts(side: "BUY" | "SELL", size: Decimal, price: Decimal, tickSize: string): { makerAmount: string; takerAmount: string } {
  const r = ROUNDING[tickSize] ?? ROUNDING["0.01"]!;
  const shares = dec(size).round(r.size, 0);
  const usdc = shares.times(dec(price).round(r.price, 1)).round(r.amount, 0);
  const units = (v: ReturnType<typeof dec>) => v.times(1_000_000).round(0, 0).toFixed(0);
  return side === "BUY" ? { makerAmount: units(usdc), takerAmount: units(shares) } : { makerAmount: units(shares), takerAmount: units(usdc) };
}

/** A salt from Tradeloop's client order id: the same id always makes the same order (below 2^53, as the API reads it as a number). */
export function saltFor(clientOrderId: string): string {
  const hex = /^tl[0-9a-f]{32}$/.test(clientOrderId) ? clientOrderId.slice(2) : hex0x(keccak256(clientOrderId)).slice(2);
  return BigInt(`0x${hex.slice(0, 13)}`).toString();
}
