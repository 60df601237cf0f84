/**
 * Polymarket (prediction markets, CLOB V2 on Polygon) as data. The user's
 * wallet key signs everything: an L1 signature (EIP-712 `ClobAuth`) derives
 * the API credentials once per session, L2 HMAC headers sign every request,
 * and every order is an EIP-712 `Order` of the CTF Exchange V2 signed by the
 * key. No paper environment exists.
 *
 * Sources (docs/brokers/polymarket.md): docs.polymarket.com (authentication,
 * orders, V2 migration), Polymarket/clob-client-v2 and py-clob-client-v2
 * (order builder, signing, the vectors in polymarket.test.ts).
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

export const POLYMARKET_CLOB_URL = "https://clob.polymarket.com";
/** Polygon mainnet. */
export const POLYGON_CHAIN_ID = 137;
/** CTF Exchange V2 and its neg-risk twin (the order's verifying contract), Polygon. */
export const EXCHANGE_V2 = "0xE111180000d2663C0091e4f400237545B87B996B";
export const NEG_RISK_EXCHANGE_V2 = "0xe2222d279d744050d28e00520010520000310F59";

/**
 * How orders are authorised on chain: 0 the wallet itself (EOA), 1 a
 * Polymarket proxy wallet the key owns, 2 a Gnosis Safe the key owns, 3 a
 * deposit wallet (EIP-1271). For 1-3 the funds sit at `funderAddress`.
 */
export const SIGNATURE_TYPES = [0, 1, 2, 3] as const;

export const PolymarketCredentialsSchema = z
  .object({
    privateKey: credentialField(z.string().trim().regex(/^(0x)?[0-9a-fA-F]{64}$/, "a 32-byte private key in hex"), {
      label: "Wallet private key",
      help: "The private key of the wallet that signs your Polymarket orders (hex). Use a wallet that holds only your Polymarket trading funds.",
      link: "https://docs.polymarket.com/developers/CLOB/authentication",
      placeholder: "0x…64 hex digits",
    }),
    signatureType: credentialField(z.coerce.number().int().min(0).max(3).default(0), {
      label: "Wallet type",
      help: "0 = the key's own wallet (EOA); 1 = a Polymarket (email/Magic) proxy wallet; 2 = a browser-wallet Safe; 3 = a deposit wallet. Polymarket.com accounts are 1 or 2: the address shown on your profile is the funder.",
      secret: false,
    }),
    funderAddress: credentialField(z.string().trim().regex(/^0x[0-9a-fA-F]{40}$/, "an address such as 0x…").optional(), {
      label: "Funder address",
      help: "For wallet types 1-3: the address that holds your funds (your Polymarket profile's address). Leave empty for type 0.",
      secret: false,
    }),
  })
  .refine((c) => c.signatureType === 0 || c.funderAddress !== undefined, { message: "Wallet types 1-3 need the funder address.", path: ["funderAddress"] });
export type PolymarketCredentials = z.infer<typeof PolymarketCredentialsSchema>;

export const polymarketManifest = {
  id: "polymarket",
  displayName: "Polymarket",
  version: "1.0.0",
  assetClasses: ["predictions"],
  environments: { live: POLYMARKET_CLOB_URL },
  hosts: ["clob.polymarket.com", "gamma-api.polymarket.com", "data-api.polymarket.com"],
  auth: { scheme: "apiKey", credentials: PolymarketCredentialsSchema },
  // Polymarket publishes per-endpoint limits well above this (POST /order: 3,500 per 10 s burst); stay polite.
  rateLimit: { requests: 50, perMs: 10_000 },
  providesQuotes: true,
  certification: "experimental",
  docsUrl: "https://docs.polymarket.com/",
} satisfies PluginManifest<typeof PolymarketCredentialsSchema>;

/**
 * Polymarket takes no client order id, but the order's id is its EIP-712
 * hash, which the plugin computes before sending and records in the
 * connection's order journal: a lost reply is found by that hash.
 */
const clientOrderId = { maxLength: 64, pattern: /^[A-Za-z0-9_-]{1,64}$/, uniqueness: "never" } as const;

const predictions: OrderFeatures = {
  // Market orders are fill-or-kill limits at the price the book can fill (walked before sending).
  orderTypes: ["market", "limit"],
  // GTC rests; IOC is Polymarket's FAK (fill what you can, kill the rest); FOK fills whole or nothing.
  timeInForce: ["gtc", "ioc", "fok"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: true,
  notional: false,
  // Selling needs shares: buying the other outcome is how one bets against.
  shorting: false,
  clientOrderId,
  modify: "unsupported",
};

export const polymarketCapabilities = {
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { predictions },
} as const satisfies Capabilities;
