/**
 * Binance Spot described as data: environments, credentials form, settings
 * and capabilities. Nothing here performs I/O.
 *
 * USD-M futures are not implemented (declared unsupported: the plugin trades
 * the `crypto` asset class on Spot only).
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type PluginManifest } from "../sdk";

/** Production REST host. */
export const BINANCE_LIVE_URL = "https://api.binance.com";
/** Spot Test Network host (keys come from testnet.binance.vision, not from binance.com). */
export const BINANCE_TESTNET_URL = "https://testnet.binance.vision";

/** Where the trader creates the key; the testnet has its own key page. */
export const BINANCE_KEY_PAGE = "https://www.binance.com/en/my/settings/api-management";
export const BINANCE_TESTNET_KEY_PAGE = "https://testnet.binance.vision/";

/**
 * Binance documents no REST regex for `newClientOrderId`; its FIX API
 * documents `^[a-zA-Z0-9-_]{1,36}$` and USD-M futures document a superset.
 * We accept the strict intersection so an id valid here is valid everywhere.
 */
export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

/** HMAC key pair. Both values are secrets: Binance shows the secret only once. */
export const BinanceCredentialsSchema = z.object({
  apiKey: credentialField(z.string().trim().min(1), {
    label: "API key",
    help: 'From Binance API Management (testnet: testnet.binance.vision). Create a system-generated HMAC key, tick "Enable Spot & Margin Trading", never withdrawals.',
    link: BINANCE_KEY_PAGE,
    placeholder: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
  }),
  secretKey: credentialField(z.string().trim().min(1), {
    label: "Secret key",
    help: "Shown once when the API key is created. Testnet keys only work with the paper (testnet) environment, live keys only with live.",
    link: BINANCE_KEY_PAGE,
  }),
});
export type BinanceCredentials = z.infer<typeof BinanceCredentialsSchema>;

/**
 * Connection settings. Unknown keys (the core's `environment`, `baseUrl`) are
 * stripped, not refused, because the core keeps every setting in one bag.
 */
export const BinanceSettingsSchema = z.object({
  /** The asset cash is counted in; positions are every other non-zero asset. */
  quoteAsset: z.string().regex(/^[A-Z0-9]{2,10}$/).default("USDT"),
  /**
   * How long a signed request stays valid at Binance (ms). Binance's default
   * is 5000 and its maximum 60000; a longer window tolerates a slower network.
   */
  recvWindow: z.int().min(1000).max(60000).default(5000),
  /**
   * A market entry with exits is sent as an OTOCO whose entry is a LIMIT at
   * the best quote moved this many percent against us: it fills like a market
   * order but never beyond that price.
   */
  bracketSlippagePercent: z.string().regex(/^\d+(\.\d+)?$/).default("0.5"),
});
export type BinanceSettings = z.infer<typeof BinanceSettingsSchema>;

export const binanceManifest = {
  id: "binance",
  displayName: "Binance (Spot)",
  version: "0.1.0",
  assetClasses: ["crypto"],
  environments: { paper: BINANCE_TESTNET_URL, live: BINANCE_LIVE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["testnet.binance.vision", "api.binance.com"],
  auth: { scheme: "apiKey", credentials: BinanceCredentialsSchema },
  // ORDERS is 10 per second per account; request weight is 6000/min per IP (shared with every key on the IP).
  rateLimit: { requests: 10, perMs: 1000 },
  providesQuotes: true,
  settings: BinanceSettingsSchema,
  certification: "experimental",
  docsUrl: "https://developers.binance.com/docs/binance-spot-api-docs/rest-api",
} satisfies PluginManifest<typeof BinanceCredentialsSchema>;

const spot = {
  // stop = STOP_LOSS (market when triggered), stop_limit = STOP_LOSS_LIMIT, trailing = trailingDelta in BIPS.
  orderTypes: ["market", "limit", "stop", "stop_limit", "trailing_stop"],
  // Binance has no session orders; `day` is sent as GTC (crypto trades around the clock).
  timeInForce: ["day", "gtc", "ioc", "fok"],
  extendedHours: false,
  // orderList/oto and orderList/otoco (LIMIT entry); a market entry becomes a protected marketable LIMIT (see settings).
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  // Percent trails only (trailingDelta); a trail in price units is refused.
  trailingStop: "native",
  fractional: true,
  notional: false,
  shorting: false,
  // Unique among OPEN orders only: once filled, the same id is accepted again, so reconciliation guards resends.
  clientOrderId: { maxLength: CLIENT_ORDER_ID_MAX_LENGTH, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "while-open" },
  modify: "unsupported",
} as const;

export const binanceCapabilities = {
  // getOrder by client id needs the symbol at Binance; the plugin finds it by scanning (see client.ts).
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "emulated" },
  orders: { crypto: spot },
} as const satisfies Capabilities;
