/**
 * Coinbase Advanced Trade described as data: credentials form, environments,
 * limits and what the venue can do. Nothing here performs I/O.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type PluginManifest } from "../sdk";

/** Production REST root. Coinbase has no paper trading for Advanced Trade. */
export const COINBASE_BASE_URL = "https://api.coinbase.com/api/v3/brokerage";

/**
 * Coinbase's static sandbox: unauthenticated, canned production-shaped answers
 * for the Accounts and Orders endpoints, `X-Sandbox` header for error
 * variants. Orders placed there do not persist, so it is a contract-test host,
 * not a paper account; use it through `settings.baseUrl`.
 */
export const COINBASE_SANDBOX_URL = "https://api-sandbox.coinbase.com/api/v3/brokerage";

/** Where a user creates the key (Secret API Keys tab of the CDP portal). */
export const COINBASE_KEYS_URL = "https://portal.cdp.coinbase.com/";

/** Coinbase's guide to creating the key, linked from the form. */
export const COINBASE_KEYS_GUIDE_URL = "https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/api-key-authentication";

const KEY_NAME_RE = /^organizations\/[A-Za-z0-9-]+\/apiKeys\/[A-Za-z0-9-]+$/;

/**
 * The connection form: a CDP Secret API key (ECDSA). Labels, help, links and
 * secrecy travel with the schema (`credentialField`) into the dashboard form.
 */
export const CoinbaseCredentialsSchema = z
  .object({
    apiKeyName: credentialField(z.string().trim().regex(KEY_NAME_RE, "must look like organizations/{org_id}/apiKeys/{key_id}"), {
      label: "API key name",
      help: "The key's full name, organizations/{org_id}/apiKeys/{key_id}, shown when you create a Secret API key in the Coinbase Developer Platform.",
      link: COINBASE_KEYS_URL,
      secret: false,
      placeholder: "organizations/00000000-0000-0000-0000-000000000000/apiKeys/00000000-0000-0000-0000-000000000000",
    }),
    privateKey: credentialField(
      z.string().refine((v) => /-----BEGIN (EC )?PRIVATE KEY-----/.test(v), "must be the PEM private key, starting with -----BEGIN EC PRIVATE KEY-----"),
      {
        label: "Private key",
        help: "The key's privateKey: the whole PEM block, BEGIN and END lines included. Create the key with the ECDSA signature algorithm and the View and Trade permissions (not Transfer).",
        link: COINBASE_KEYS_GUIDE_URL,
        placeholder: "-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----",
      },
    ),
  })
  .meta({
    title: "Coinbase CDP API key",
    description:
      "In the Coinbase Developer Platform open API Keys → Secret API Keys → Create API key. Pick the portfolio to trade, allow View and Trade (not Transfer), and set the signature algorithm to ECDSA.",
    "x-link": COINBASE_KEYS_URL,
  });
export type CoinbaseCredentials = z.infer<typeof CoinbaseCredentialsSchema>;

/**
 * Connection settings. Unknown keys are stripped: the core keeps every setting
 * in one bag, and validates `baseUrl` (e.g. the static sandbox) itself.
 */
export const CoinbaseSettingsSchema = z.object({
  environment: z.literal("live").default("live").meta({ title: "Environment", description: "Coinbase has live trading only." }),
});

export const coinbaseManifest = {
  id: "coinbase",
  displayName: "Coinbase Advanced Trade",
  version: "1.0.0",
  assetClasses: ["crypto"],
  environments: { live: COINBASE_BASE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["api.coinbase.com"],
  auth: { scheme: "apiKey", credentials: CoinbaseCredentialsSchema },
  // Documented private-endpoint limit: 30 requests per second per user.
  rateLimit: { requests: 30, perMs: 1_000 },
  providesQuotes: true,
  settings: CoinbaseSettingsSchema,
  certification: "experimental",
  docsUrl: "https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/rest-api",
} satisfies PluginManifest<typeof CoinbaseCredentialsSchema>;

/**
 * Client order ids: Coinbase documents no format beyond "a unique ID"; the
 * core's `tl` + 32 hex ids are sent unchanged. The 64-character cap is ours
 * (conservative), not a documented limit.
 */
export const CLIENT_ORDER_ID_MAX_LENGTH = 64;
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * What Coinbase spot can do. Declared `as const` so the type checker demands
 * exactly the optional client methods marked supported (here: getQuote).
 */
export const coinbaseCapabilities = {
  // getOrder by client id scans recent orders: Coinbase has no lookup by client order id.
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "emulated" },
  orders: {
    crypto: {
      // No stop-market for spot: a stop is always stop-limit (stop_limit_stop_limit_gtc).
      orderTypes: ["market", "limit", "stop_limit"],
      // TIF lives in the order-configuration key: gtc (limit_limit_gtc), ioc (sor_limit_ioc), fok (limit_limit_fok).
      timeInForce: ["gtc", "ioc", "fok"],
      extendedHours: false,
      // Entry + take profit + stop loss in one request (attached trigger_bracket_gtc). A lone exit leg
      // cannot be attached, so the core places it after the entry fills. A standalone OCO has no intent
      // in the contract.
      brackets: { oto: "unsupported", oco: "unsupported", otoco: "native" },
      trailingStop: "unsupported",
      fractional: true,
      notional: false,
      shorting: false,
      // A reused id returns the existing order instead of creating one (documented on Create Order).
      clientOrderId: { maxLength: CLIENT_ORDER_ID_MAX_LENGTH, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "forever" },
      modify: "unsupported",
    },
  },
} as const satisfies Capabilities;
