/**
 * Alpaca (Trading API v2) described as data: environments, credentials form,
 * connection settings and what the plugin can do per asset class. Nothing
 * here performs I/O; `GET /api/brokers`, the dashboard and docs read it.
 *
 * Sources: docs.alpaca.markets (Trading API reference, "Orders at Alpaca",
 * "Crypto Trading", "Create an Order") and the shared reference YAML in
 * ../shared/reference/alpaca.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

/** Paper and live are separate hosts AND separate key pairs: a paper key never works on live. */
export const ALPACA_PAPER_URL = "https://paper-api.alpaca.markets";
export const ALPACA_LIVE_URL = "https://api.alpaca.markets";
/** Market data lives on its own host for both environments. */
export const ALPACA_DATA_URL = "https://data.alpaca.markets";

/** Alpaca Connect (OAuth 2.0): the consent page and the token endpoint, one pair for paper and live. */
export const ALPACA_OAUTH_AUTHORIZE_URL = "https://app.alpaca.markets/oauth/authorize";
export const ALPACA_OAUTH_TOKEN_URL = "https://api.alpaca.markets/oauth/token";

/** Where a trader creates the key pair (Home → API Keys → Generate New Keys). */
export const ALPACA_KEYS_URL = "https://app.alpaca.markets/";
export const ALPACA_DOCS_URL = "https://docs.alpaca.markets/docs/authentication";

/** Alpaca accepts client order ids of at most 48 characters (documented on POST /v2/orders). */
export const CLIENT_ORDER_ID_MAX_LENGTH = 48;
/**
 * Alpaca documents the length only, not a character set; printable ASCII
 * without spaces is what every id the core makes (`tl` + 32 hex) uses, and
 * keeps ids safe in the `client_order_id` query parameter.
 */
export const CLIENT_ORDER_ID_PATTERN = /^[!-~]{1,48}$/;

/**
 * Credentials: the key ID and secret sent as `APCA-API-KEY-ID` and
 * `APCA-API-SECRET-KEY` on every request. The `.meta()` keys are what the
 * dashboard's connection form reads (title = label, description = help,
 * `x-link` = where the key is created, `x-secret` = mask it).
 */
export const AlpacaCredentialsSchema = z
  .object({
    keyId: credentialField(z.string().trim().min(1, "Paste the API key ID from the Alpaca dashboard.").max(128), {
      label: "API key ID",
      help: "The key ID shown under Home → API Keys in the Alpaca dashboard. Paper and live accounts have separate keys: generate it while the dashboard shows the account (paper or live) you picked as the environment.",
      link: ALPACA_KEYS_URL,
      placeholder: "PK0123456789ABCDEFGH",
      // An identifier Alpaca shows in clear next to the key; the trader reads it back to check it.
      secret: false,
    }),
    secretKey: credentialField(z.string().trim().min(1, "Paste the secret key shown next to the key ID.").max(256), {
      label: "Secret key",
      help: "Shown only once, when you generate the key. If you lost it, regenerate the key pair in the Alpaca dashboard (this revokes the old pair).",
      link: ALPACA_KEYS_URL,
    }).meta({ writeOnly: true }),
  })
  .meta({
    title: "Alpaca API key",
    description: "An Alpaca Trading API key pair. Alpaca keys carry full trading rights; there is no read-only variant.",
    "x-link": ALPACA_KEYS_URL,
  });
/** Parsed Alpaca credentials. */
export type AlpacaCredentials = z.infer<typeof AlpacaCredentialsSchema>;

/** Market data feeds a key can be entitled to; absent = Alpaca picks (iex on the free plan). */
export const AlpacaDataFeedSchema = z.enum(["iex", "sip", "delayed_sip"]);

/**
 * Connection settings that are not secret. Unknown keys are stripped rather
 * than refused, because the core keeps every connection's settings in one bag.
 */
export const AlpacaSettingsSchema = z.object({
  environment: z
    .enum(["paper", "live"])
    .default("paper")
    .meta({ title: "Environment", description: "paper-api.alpaca.markets (paper money) or api.alpaca.markets (real money)." }),
  baseUrl: z
    .string()
    .optional()
    .meta({
      title: "Trading API base URL override",
      description: "For corporate proxies or a local fake broker. Leave empty to use Alpaca's own host for the environment.",
    }),
  dataFeed: AlpacaDataFeedSchema.optional().meta({
    title: "Quote feed",
    description: "iex (free plan), sip (paid plan) or delayed_sip. Leave empty to let Alpaca choose for your plan.",
  }),
});
/** Parsed Alpaca connection settings. */
export type AlpacaSettings = z.infer<typeof AlpacaSettingsSchema>;

/** The Alpaca manifest: environments, auth form, rate limit, quotes, settings. */
export const alpacaManifest = {
  id: "alpaca",
  displayName: "Alpaca",
  version: "1.0.0",
  assetClasses: ["stocks", "options", "crypto"],
  environments: { paper: ALPACA_PAPER_URL, live: ALPACA_LIVE_URL },
  // The only hosts that see this broker's credentials. Trading on the two environment hosts, quotes and bars on the market-data host.
  hosts: ["paper-api.alpaca.markets", "api.alpaca.markets", "data.alpaca.markets"],
  auth: {
    scheme: "apiKey",
    credentials: AlpacaCredentialsSchema,
    // The second way in (Alpaca Connect): the user approves Tradeloop at Alpaca, no key is pasted.
    oauth: {
      authorizationEndpoint: { paper: ALPACA_OAUTH_AUTHORIZE_URL, live: ALPACA_OAUTH_AUTHORIZE_URL },
      tokenEndpoint: { paper: ALPACA_OAUTH_TOKEN_URL, live: ALPACA_OAUTH_TOKEN_URL },
      scopes: ["account:write", "trading", "data"],
      pkce: false,
      clientAuthentication: "client_secret_post",
      secrets: { clientId: "ALPACA_CLIENT_ID", clientSecret: "ALPACA_CLIENT_SECRET" },
      registrationUrl: "https://docs.alpaca.markets/docs/using-oauth2-and-trading-api",
      connectNote: "Alpaca's OAuth tokens do not expire and have no refresh token: they work until you revoke Tradeloop's access in Alpaca's dashboard or disconnect here.",
    },
  },
  // Documented: 200 requests every minute per API key, then HTTP 429.
  rateLimit: { requests: 200, perMs: 60_000 },
  providesQuotes: true,
  settings: AlpacaSettingsSchema,
  certification: "experimental",
  docsUrl: "https://docs.alpaca.markets/reference",
} satisfies PluginManifest<typeof AlpacaCredentialsSchema>;

/** A used id is refused forever ("client_order_id must be unique", even after the order ended), so a resend can never double. */
const clientOrderId = { maxLength: CLIENT_ORDER_ID_MAX_LENGTH, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "forever" } as const;

/**
 * US equities. Brackets (`order_class` bracket = OTOCO, oto) and trailing
 * stops are native. OCO exists at Alpaca as an exit-only pair, but an
 * OrderRequest cannot express one (it is always an entry), so the plugin
 * does not offer it. A trailing stop cannot be a bracket leg at Alpaca; the
 * plugin refuses that combination before sending (see `canSubmit`).
 */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit", "trailing_stop"],
  timeInForce: ["day", "gtc", "opg", "cls", "ioc", "fok"],
  extendedHours: true,
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "native",
  // Fractional quantities are accepted on simple market + day orders only (see can-submit.ts).
  fractional: true,
  // Alpaca takes `notional`, but an OrderRequest carries a quantity only.
  notional: false,
  shorting: true,
  clientOrderId,
  // PATCH /v2/orders/{id}: Alpaca books a new order (new id) that replaces the old one.
  modify: "cancel-replace",
};

/** Single-leg US options: market and limit, day only, whole contracts, no brackets (documented per security type). */
const options: OrderFeatures = {
  orderTypes: ["market", "limit"],
  timeInForce: ["day"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  // Levels 1-2 only: covered calls and cash-secured puts need holdings; no naked selling.
  shorting: false,
  clientOrderId,
  modify: "unsupported",
};

/** Crypto pairs (`BTC/USD`): market, limit, stop_limit; gtc and ioc; simple orders only; no shorting. */
const crypto: OrderFeatures = {
  orderTypes: ["market", "limit", "stop_limit"],
  timeInForce: ["gtc", "ioc"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: true,
  notional: false,
  shorting: false,
  clientOrderId,
  modify: "unsupported",
};

/** `as const`: the literal method map lets `definePlugin` demand `getQuote` and `modifyOrder` and forbid `observePrice`. */
export const alpacaCapabilities = {
  methods: { getQuote: "native", modifyOrder: "native", observePrice: "unsupported", getOrder: "native" },
  orders: { stocks, options, crypto },
} as const satisfies Capabilities;
