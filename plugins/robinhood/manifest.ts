/**
 * Robinhood Crypto Trading API described as data. Nothing here performs I/O.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, fromBase64, type Capabilities, type PluginManifest } from "../sdk";

/** Production host. Robinhood offers no sandbox or paper environment for this API. */
export const ROBINHOOD_BASE_URL = "https://trading.robinhood.com";

/** Where the user creates API credentials (desktop web only). */
export const ROBINHOOD_KEYS_URL = "https://robinhood.com/account/crypto";

/** The API reference, including the key-pair scripts. */
export const ROBINHOOD_DOCS_URL = "https://docs.robinhood.com/crypto/trading/";

function isEd25519Key(v: string): boolean {
  try {
    const n = fromBase64(v.trim()).length;
    return n === 32 || n === 64;
  } catch {
    return false;
  }
}

/** The connection form. Labels, help and links travel with the schema into the dashboard. */
export const RobinhoodCredentialsSchema = z
  .object({
    apiKey: credentialField(z.string().trim().min(8, "paste the API key shown by the credentials portal"), {
      label: "API key",
      help: "The key the Robinhood API Credentials Portal shows after you register your public key (keys issued since August 2024 start with rh-api-).",
      link: ROBINHOOD_KEYS_URL,
      secret: false,
      placeholder: "rh-api-00000000-0000-0000-0000-000000000000",
    }),
    privateKey: credentialField(z.string().refine(isEd25519Key, "must be the base64 Ed25519 private key of the key pair you registered"), {
      label: "Private key (base64)",
      help: "The base64 private key of the Ed25519 key pair whose public key you registered with Robinhood. It is stored encrypted and never shown again.",
      link: ROBINHOOD_DOCS_URL,
      placeholder: "base64 of 32 bytes, e.g. generated with the script in Robinhood's API docs",
    }),
  })
  .meta({
    title: "Robinhood Crypto API credentials",
    description:
      "Generate an Ed25519 key pair (Robinhood's API docs have a script). On a desktop browser open the API Credentials Portal (robinhood.com/account/crypto), create a credential with your PUBLIC key, then enter the API key it shows and your PRIVATE key here.",
    "x-link": ROBINHOOD_KEYS_URL,
  });
export type RobinhoodCredentials = z.infer<typeof RobinhoodCredentialsSchema>;

/**
 * Connection settings. Unknown keys are stripped: the core keeps every setting
 * in one bag, and validates `baseUrl` (a proxy, a local fake) itself.
 */
export const RobinhoodSettingsSchema = z.object({
  environment: z.literal("live").default("live").meta({ title: "Environment", description: "Robinhood has live trading only." }),
});

export const robinhoodManifest = {
  id: "robinhood",
  displayName: "Robinhood Crypto",
  version: "1.0.0",
  assetClasses: ["crypto"],
  environments: { live: ROBINHOOD_BASE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["trading.robinhood.com"],
  auth: { scheme: "apiKey", credentials: RobinhoodCredentialsSchema },
  // Documented: 100 requests per minute per account (bursts up to 300).
  rateLimit: { requests: 100, perMs: 60_000 },
  providesQuotes: true,
  settings: RobinhoodSettingsSchema,
  certification: "experimental",
  docsUrl: ROBINHOOD_DOCS_URL,
} satisfies PluginManifest<typeof RobinhoodCredentialsSchema>;

/**
 * Robinhood requires `client_order_id` to be a UUID. The core's ids
 * (`tl` + 32 hex) carry exactly 128 bits, so they are sent re-punctuated as a
 * UUID (8-4-4-4-12) and read back the same way; a UUID is also accepted as is.
 */
export const CLIENT_ORDER_ID_PATTERN = /^(tl[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** What Robinhood Crypto can do. `as const` so the type checker demands exactly the declared optional methods. */
export const robinhoodCapabilities = {
  // getOrder by client id scans recent orders: the orders endpoint has no client-id filter.
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "emulated" },
  orders: {
    crypto: {
      // stop = stop_loss (stop-market), stop_limit = stop_limit.
      orderTypes: ["market", "limit", "stop", "stop_limit"],
      // The order configs document time_in_force "gtc" only.
      timeInForce: ["gtc"],
      extendedHours: false,
      // No attached or linked orders at Robinhood: a single exit leg is placed by the core after the
      // entry fills; entry + take profit + stop loss together cannot be protected (no OCO).
      brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
      trailingStop: "unsupported",
      fractional: true,
      notional: false,
      shorting: false,
      clientOrderId: { maxLength: 36, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "forever" },
      modify: "unsupported",
    },
  },
} as const satisfies Capabilities;
