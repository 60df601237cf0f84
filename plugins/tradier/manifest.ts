/**
 * Tradier (Brokerage API v1) described as data: sandbox and live, the
 * bearer-token form, settings and what the plugin can do for US stocks and
 * options. Nothing here performs I/O.
 *
 * Sources: documentation.tradier.com / docs.tradier.com (place equity,
 * option, OTO, OCO, OTOCO orders; modify; get orders; errors; rate limiting;
 * user profile; balances; positions).
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

/** Sandbox = paper money with delayed data; a separate token from live. */
export const TRADIER_SANDBOX_URL = "https://sandbox.tradier.com/v1";
export const TRADIER_LIVE_URL = "https://api.tradier.com/v1";
/** Where a trader creates an access token (Settings → API Access, live and sandbox tokens side by side). */
export const TRADIER_TOKEN_URL = "https://dash.tradier.com/settings/api";

/**
 * Tradier has no client order id. The order `tag` (letters, digits and `-`,
 * at most 255) carries the core's id instead, and Tradier does NOT refuse a
 * second order with the same tag: reconciliation by scanning the day's
 * orders is the only guard against a double (see client.ts).
 */
export const TAG_MAX_LENGTH = 255;
export const TAG_PATTERN = /^[A-Za-z0-9-]{1,255}$/;

/** Credentials: one bearer access token (the dashboard form reads the field metadata). */
export const TradierCredentialsSchema = z.object({
  token: credentialField(
    z
      .string()
      .trim()
      .min(10, "Paste the whole access token.")
      .max(512)
      .regex(/^[A-Za-z0-9._~+/=-]+$/, "An access token has no spaces or quotes."),
    {
      label: "Access token",
      help: "Your Tradier API access token (Settings → API Access). The sandbox (paper) token and the live token are different: use the one that matches the environment you picked. The account number is found automatically.",
      link: TRADIER_TOKEN_URL,
      placeholder: "KTrQ9ahHk1MfXyzNoTaRealTokenAb",
    },
  ),
});
/** Parsed Tradier credentials. */
export type TradierCredentials = z.infer<typeof TradierCredentialsSchema>;

/** Connection settings; unknown keys are stripped. */
export const TradierSettingsSchema = z.object({
  environment: z
    .enum(["paper", "live"])
    .default("paper")
    .meta({ title: "Environment", description: "`paper` = Tradier sandbox (paper money, delayed data), `live` = api.tradier.com (real money)." }),
  baseUrl: z
    .string()
    .optional()
    .meta({ title: "API base URL override", description: "For corporate proxies or a local fake broker; must end in /v1. Leave empty to use Tradier's host." }),
  accountNumber: z
    .string()
    .regex(/^[A-Za-z0-9]{1,32}$/)
    .optional()
    .meta({ title: "Account number", description: "Only when your token reaches several accounts and the connection should trade one of them." }),
});
/** Parsed Tradier settings. */
export type TradierSettings = z.infer<typeof TradierSettingsSchema>;

/** The Tradier manifest: environments, auth form, rate limit, quotes, settings. */
export const tradierManifest = {
  id: "tradier",
  displayName: "Tradier",
  version: "1.0.0",
  assetClasses: ["stocks", "options"],
  environments: { paper: TRADIER_SANDBOX_URL, live: TRADIER_LIVE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["sandbox.tradier.com", "api.tradier.com"],
  auth: { scheme: "apiKey", credentials: TradierCredentialsSchema },
  // Documented per token: 120 requests/min for account and order reads in production, 60 in the
  // sandbox, and a separate bucket for placing orders. One budget per connection must fit the
  // tighter sandbox figure.
  rateLimit: { requests: 60, perMs: 60_000 },
  providesQuotes: true,
  settings: TradierSettingsSchema,
  certification: "experimental",
  docsUrl: "https://documentation.tradier.com/brokerage-api",
} satisfies PluginManifest<typeof TradierCredentialsSchema>;

const tag = { maxLength: TAG_MAX_LENGTH, pattern: TAG_PATTERN, uniqueness: "never" } as const;

/**
 * US equities. OTOCO (entry + take profit + stop loss) and OTO are native
 * order classes; OCO exists too, but an OrderRequest cannot express an
 * exit-only pair. No trailing stops, no fractional shares, no ioc/fok.
 * Extended hours are Tradier's `pre` and `post` sessions (limit orders).
 */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc"],
  extendedHours: true,
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId: tag,
  // PUT changes type, duration, price and stop in place (same order id); not the quantity.
  modify: "replace",
};

/** Single-leg options with the same order types; sides become buy/sell_to_open/close. */
const options: OrderFeatures = { ...stocks, extendedHours: false };

/** `as const`: the literal method map lets `definePlugin` demand `getQuote` and `modifyOrder`. */
export const tradierCapabilities = {
  methods: { getQuote: "native", modifyOrder: "native", observePrice: "unsupported", getOrder: "emulated" },
  orders: { stocks, options },
} as const satisfies Capabilities;
