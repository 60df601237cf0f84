/**
 * Charles Schwab (Trader API) as data: one live host (Schwab has no paper
 * environment), OAuth with 30-minute access tokens and a refresh token that
 * dies 7 days after the user signed in (weekly re-authorisation), the order
 * rate limit and what the plugin can do. No I/O here.
 *
 * Sources (see docs/brokers/schwab.md): Schwab's developer portal (Trader
 * API, authentication guide) as restated by its community SDKs (schwab-py,
 * Schwabdev) and the Trader API OpenAPI harvested by api-evangelist.
 *
 * @module
 */
import { OAuthOnlyCredentialsSchema, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

export const SCHWAB_TRADER_URL = "https://api.schwabapi.com/trader/v1";
export const SCHWAB_AUTHORIZE_URL = "https://api.schwabapi.com/v1/oauth/authorize";
export const SCHWAB_TOKEN_URL = "https://api.schwabapi.com/v1/oauth/token";
/** Refresh tokens end 7 days after the sign-in, whatever happens in between. */
export const SCHWAB_REFRESH_TTL_MS = 7 * 24 * 3_600_000;

export const schwabManifest = {
  id: "schwab",
  displayName: "Charles Schwab",
  version: "1.0.0",
  assetClasses: ["stocks"],
  // No paper environment at Schwab: connections are live accounts.
  environments: { live: SCHWAB_TRADER_URL },
  // Trading and the token endpoint share one host.
  hosts: ["api.schwabapi.com"],
  auth: {
    scheme: "oauth2",
    credentials: OAuthOnlyCredentialsSchema,
    oauth: {
      authorizationEndpoint: { live: SCHWAB_AUTHORIZE_URL },
      tokenEndpoint: { live: SCHWAB_TOKEN_URL },
      scopes: [],
      pkce: false,
      clientAuthentication: "client_secret_basic",
      secrets: { clientId: "SCHWAB_CLIENT_ID", clientSecret: "SCHWAB_CLIENT_SECRET" },
      accessTokenTtlMs: 30 * 60_000,
      refreshTokenTtlMs: SCHWAB_REFRESH_TTL_MS,
      registrationUrl: "https://developer.schwab.com/",
      connectNote: "Schwab has no paper environment: this connects a live account, and Schwab asks you to sign in again every 7 days.",
    },
  },
  // Order endpoints: at most 120 requests a minute per account (documented as a throttle on order entry).
  rateLimit: { requests: 120, perMs: 60_000 },
  providesQuotes: false,
  certification: "experimental",
  docsUrl: "https://developer.schwab.com/products/trader-api--individual",
} satisfies PluginManifest<typeof OAuthOnlyCredentialsSchema>;

/** Schwab orders carry no client order id (see docs/brokers/schwab.md): the rules only let the core hold its ids. */
const clientOrderId = { maxLength: 64, pattern: /^[!-~]{1,64}$/, uniqueness: "never" } as const;

/** US equities; a bracket is a TRIGGER order whose child is an OCO of the take profit and the stop loss. */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc", "fok"],
  extendedHours: false,
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId,
  modify: "unsupported",
};

export const schwabCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { stocks },
} as const satisfies Capabilities;
