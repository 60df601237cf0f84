/**
 * TradeStation (API v3) as data: the sim and live hosts, the Auth0 OAuth
 * flow (20-minute access tokens, `offline_access` refresh tokens), the rate
 * limit and what the plugin can do. No I/O here.
 *
 * Sources (checked with the search tool, see docs/brokers/tradestation.md):
 * api.tradestation.com/docs fundamentals (authentication, refresh tokens,
 * rate limiting), the v3 brokerage and order-execution references as
 * restated by TradeStation's community SDKs.
 *
 * @module
 */
import { OAuthOnlyCredentialsSchema, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

export const TRADESTATION_LIVE_URL = "https://api.tradestation.com/v3";
/** The simulator: same accounts and login, paper money. */
export const TRADESTATION_SIM_URL = "https://sim-api.tradestation.com/v3";
/** Auth0 tenant of TradeStation: one sign-in for sim and live. */
export const TRADESTATION_SIGNIN = "https://signin.tradestation.com";
export const TRADESTATION_AUTHORIZE_URL = `${TRADESTATION_SIGNIN}/authorize`;
export const TRADESTATION_TOKEN_URL = `${TRADESTATION_SIGNIN}/oauth/token`;
/** Auth0's RFC 7009 endpoint; TradeStation's docs say revoking a refresh token revokes them all (path not confirmed in its docs). */
export const TRADESTATION_REVOKE_URL = `${TRADESTATION_SIGNIN}/oauth/revoke`;
/** The `audience` the authorize URL must carry for API tokens. */
export const TRADESTATION_AUDIENCE = "https://api.tradestation.com";
/** Scopes: refresh tokens (`offline_access`), account reads, trading, quotes. */
export const TRADESTATION_SCOPES = ["offline_access", "MarketData", "ReadAccount", "Trade"] as const;

/** TradeStation's manifest. */
export const tradestationManifest = {
  id: "tradestation",
  displayName: "TradeStation",
  version: "1.0.0",
  assetClasses: ["stocks"],
  environments: { paper: TRADESTATION_SIM_URL, live: TRADESTATION_LIVE_URL },
  // The only hosts that see this broker's tokens: the two trading hosts and Auth0's token/revoke host.
  hosts: ["api.tradestation.com", "sim-api.tradestation.com", "signin.tradestation.com"],
  auth: {
    scheme: "oauth2",
    credentials: OAuthOnlyCredentialsSchema,
    oauth: {
      authorizationEndpoint: { paper: TRADESTATION_AUTHORIZE_URL, live: TRADESTATION_AUTHORIZE_URL },
      tokenEndpoint: { paper: TRADESTATION_TOKEN_URL, live: TRADESTATION_TOKEN_URL },
      revocationEndpoint: { paper: TRADESTATION_REVOKE_URL, live: TRADESTATION_REVOKE_URL },
      scopes: TRADESTATION_SCOPES,
      pkce: true,
      clientAuthentication: "client_secret_post",
      authorizationParams: { audience: TRADESTATION_AUDIENCE },
      secrets: { clientId: "TRADESTATION_CLIENT_ID", clientSecret: "TRADESTATION_CLIENT_SECRET" },
      // Access tokens live 20 minutes; refresh tokens do not expire unless the app enables rotation.
      accessTokenTtlMs: 20 * 60_000,
      registrationUrl: "https://api.tradestation.com/docs/fundamentals/authentication/auth-overview",
    },
  },
  // Documented per user and key, per 5-minute window: 250 for accounts, balances, positions and order details.
  rateLimit: { requests: 250, perMs: 300_000 },
  providesQuotes: false,
  certification: "experimental",
  docsUrl: "https://api.tradestation.com/docs/",
} satisfies PluginManifest<typeof OAuthOnlyCredentialsSchema>;

/**
 * TradeStation v3 has no client order id on orders: nothing the core sends
 * comes back, so a lost reply cannot be reconciled by id (the core stops and
 * asks the trader to check; see docs/brokers/tradestation.md). The rules below
 * only say the core's ids are fine to hold locally.
 */
const clientOrderId = { maxLength: 64, pattern: /^[!-~]{1,64}$/, uniqueness: "never" } as const;

/** US equities: market, limit, stop, stop-limit; a bracket is the entry with an OSO group of type BRK (its two exits are an OCO). */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc", "ioc", "fok", "opg", "cls"],
  extendedHours: false,
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId,
  modify: "unsupported",
};

/** `as const`: the literal method map is what `definePlugin` checks the client against. */
export const tradestationCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { stocks },
} as const satisfies Capabilities;
