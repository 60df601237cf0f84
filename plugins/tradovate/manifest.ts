/**
 * Tradovate (futures) as data: demo and live hosts, the two ways in (the
 * access-token request with a user name, password and API key, or OAuth),
 * the rate limit, the daily CME Globex halt, and what the plugin can do.
 * No I/O here.
 *
 * Sources (see docs/brokers/tradovate.md): partner.tradovate.com (access
 * token request, renew access token, OAuth token, place order, place OSO,
 * cancel order, rate limits) and tradovate/example-api-oauth.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

export const TRADOVATE_DEMO_URL = "https://demo.tradovateapi.com/v1";
export const TRADOVATE_LIVE_URL = "https://live.tradovateapi.com/v1";
/** OAuth: the consent page, and the code exchange (documented on the API hosts, outside /v1). */
export const TRADOVATE_AUTHORIZE_URL = "https://trader.tradovate.com/oauth";
export const TRADOVATE_TOKEN_URL = { paper: "https://demo.tradovateapi.com/auth/oauthtoken", live: "https://live.tradovateapi.com/auth/oauthtoken" } as const;
export const TRADOVATE_API_KEYS_URL = "https://trader.tradovate.com/";

/** The access-token request's credentials (Settings → API Access in the Tradovate web trader). */
export const TradovateCredentialsSchema = z.object({
  name: credentialField(z.string().trim().min(1).max(128), { label: "User name", help: "Your Tradovate login name (the accountSpec orders are sent under).", secret: false }),
  password: credentialField(z.string().min(1).max(256), { label: "Password", help: "Your Tradovate password, or the dedicated API password if you created one.", link: TRADOVATE_API_KEYS_URL }),
  appId: credentialField(z.string().trim().min(1).max(128), { label: "App id", help: "The name you gave the API key under Settings → API Access.", secret: false }),
  appVersion: credentialField(z.string().trim().min(1).max(32).default("1.0"), { label: "App version", help: "Any version string, e.g. 1.0.", secret: false }),
  cid: credentialField(z.coerce.number().int().positive(), { label: "Client id (cid)", help: "The numeric id shown when the API key was created.", secret: false }),
  sec: credentialField(z.string().trim().min(1).max(256), { label: "Secret (sec)", help: "The secret shown once when the API key was created.", link: TRADOVATE_API_KEYS_URL }),
});
export type TradovateCredentials = z.infer<typeof TradovateCredentialsSchema>;

export const tradovateManifest = {
  id: "tradovate",
  displayName: "Tradovate",
  version: "1.0.0",
  assetClasses: ["futures"],
  environments: { paper: TRADOVATE_DEMO_URL, live: TRADOVATE_LIVE_URL },
  // Trading, access-token requests and the OAuth code exchange all go to the two API hosts (the consent page is browser-only).
  hosts: ["demo.tradovateapi.com", "live.tradovateapi.com"],
  auth: {
    scheme: "apiKey",
    credentials: TradovateCredentialsSchema,
    oauth: {
      authorizationEndpoint: { paper: TRADOVATE_AUTHORIZE_URL, live: TRADOVATE_AUTHORIZE_URL },
      tokenEndpoint: { paper: TRADOVATE_TOKEN_URL.paper, live: TRADOVATE_TOKEN_URL.live },
      scopes: [],
      pkce: false,
      clientAuthentication: "client_secret_post",
      secrets: { clientId: "TRADOVATE_CLIENT_ID", clientSecret: "TRADOVATE_CLIENT_SECRET" },
      accessTokenTtlMs: 90 * 60_000,
      registrationUrl: "https://partner.tradovate.com/api/rest-api-endpoints/authentication/o-auth-token",
    },
  },
  // Documented: 5,000 requests an hour per user (per-endpoint limits are tighter for logins).
  rateLimit: { requests: 5000, perMs: 3_600_000 },
  // CME Globex halts every weekday evening; Tradovate refuses orders then.
  maintenanceWindows: [{ timezone: "America/Chicago", start: "16:00", end: "17:00", days: [1, 2, 3, 4], reason: "daily CME Globex halt" }],
  providesQuotes: false,
  certification: "experimental",
  docsUrl: "https://partner.tradovate.com/",
} satisfies PluginManifest<typeof TradovateCredentialsSchema>;

/** `clOrdId` is sent (≤ 64 characters), but Tradovate's order lists do not echo it back (see docs/brokers/tradovate.md). */
const clientOrderId = { maxLength: 64, pattern: /^[!-~]{1,64}$/, uniqueness: "never" } as const;

const futures: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc", "ioc", "fok"],
  extendedHours: false,
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId,
  modify: "unsupported",
};

export const tradovateCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { futures },
} as const satisfies Capabilities;
