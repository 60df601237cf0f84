/**
 * Kraken Spot described as data: one live environment (Kraken has no public
 * spot sandbox), the credentials form, settings and capabilities.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type PluginManifest } from "../sdk";

export const KRAKEN_LIVE_URL = "https://api.kraken.com";
export const KRAKEN_KEY_PAGE = "https://pro.kraken.com/app/settings/api";

/**
 * Client order ids this plugin accepts. Kraken's `cl_ord_id` takes a UUID or
 * up to 18 characters of free text; the core's ids (`tl` + 32 hex) are sent
 * as a UUID made of the same 32 hex digits (see mapping.ts).
 */
export const CLIENT_ORDER_ID_PATTERN = /^(tl[0-9a-f]{32}|[A-Za-z0-9_-]{1,18})$/;

const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const KrakenCredentialsSchema = z.object({
  apiKey: credentialField(z.string().trim().min(1), {
    label: "API key",
    help: "Settings → API → Create API key. Permissions: Funds permissions – Query; Orders and trades – Query open orders & trades, Query closed orders & trades, Create & modify orders, Cancel & close orders. Never Withdraw.",
    link: KRAKEN_KEY_PAGE,
  }),
  privateKey: credentialField(z.string().trim().regex(base64, "the private key is base64 (as Kraken shows it)"), {
    label: "Private key",
    help: "The base64 private key shown once next to the API key. It signs every request and never leaves Tradeloop.",
    link: KRAKEN_KEY_PAGE,
  }),
  otp: credentialField(z.string().trim().min(1).optional(), {
    label: "Key password (2FA)",
    help: "Only if you protected the API key with a static password (two-factor for the key); leave empty otherwise.",
  }),
});
export type KrakenCredentials = z.infer<typeof KrakenCredentialsSchema>;

/** Settings. Unknown keys (the core's `environment`, `baseUrl`) are stripped. */
export const KrakenSettingsSchema = z.object({
  /** The currency cash and equity are counted in (`USD` is the `ZUSD` balance). */
  quoteAsset: z.string().regex(/^[A-Z0-9]{2,6}$/).default("USD"),
});
export type KrakenSettings = z.infer<typeof KrakenSettingsSchema>;

export const krakenManifest = {
  id: "kraken",
  displayName: "Kraken (Spot)",
  version: "0.1.0",
  assetClasses: ["crypto"],
  environments: { live: KRAKEN_LIVE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["api.kraken.com"],
  auth: { scheme: "apiKey", credentials: KrakenCredentialsSchema },
  // Starter tier: a counter of 15 decaying by 0.33/s (order placement and cancels have their own per-pair budget).
  rateLimit: { requests: 15, perMs: 45_000 },
  providesQuotes: true,
  settings: KrakenSettingsSchema,
  certification: "experimental",
  docsUrl: "https://docs.kraken.com/api/docs/rest-api/add-order",
} satisfies PluginManifest<typeof KrakenCredentialsSchema>;

const spot = {
  orderTypes: ["market", "limit", "stop", "stop_limit", "trailing_stop"],
  // GTC and IOC; `day` is sent as GTC (crypto trades around the clock). Kraken has no FOK on spot REST.
  timeInForce: ["day", "gtc", "ioc"],
  extendedHours: false,
  // Conditional close: one exit order attached to the entry (OTO). No TP+SL pair on spot REST.
  brackets: { oto: "native", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "native",
  fractional: true,
  notional: false,
  // Spot only (margin shorting is not implemented).
  shorting: false,
  // Kraken checks cl_ord_id uniqueness across OPEN orders only.
  clientOrderId: { maxLength: 34, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "while-open" },
  modify: "unsupported",
} as const;

export const krakenCapabilities = {
  // By client id: open orders, then closed orders, each filtered by cl_ord_id.
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { crypto: spot },
} as const satisfies Capabilities;
