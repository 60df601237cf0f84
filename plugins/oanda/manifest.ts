/**
 * OANDA v20 described as data: environments, the token form, settings and
 * what the venue can do for forex. Nothing here performs I/O.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

/** fxTrade Practice (demo money, real prices). */
export const OANDA_PRACTICE_URL = "https://api-fxpractice.oanda.com/v3";
/** fxTrade (real money). */
export const OANDA_LIVE_URL = "https://api-fxtrade.oanda.com/v3";

/** OANDA's page on personal access tokens: where to generate one (My Account → My Services → Manage API Access). */
export const OANDA_TOKEN_HELP_URL = "https://developer.oanda.com/rest-live-v20/authentication/";

/**
 * A personal access token is the only credential: OANDA tokens are not scoped
 * (a token can read and trade every v20 account of its user), and the account
 * ids are discovered with `GET /v3/accounts`, so nothing else is asked for.
 */
export const OandaCredentialsSchema = z.object({
  token: credentialField(
    z
      .string()
      .trim()
      .min(16, "paste the whole personal access token")
      .regex(/^[A-Za-z0-9-]+$/, "a personal access token has only letters, digits and dashes"),
    {
      label: "Personal access token",
      help: "Generate it in OANDA under My Account → My Services → Manage API Access; it reaches every v20 sub-account of your login. A practice token only works in the practice environment and a live token only in live.",
      link: OANDA_TOKEN_HELP_URL,
      placeholder: "12345678900987654321-abc34135acde13f13530",
    },
  ),
});
export type OandaCredentials = z.infer<typeof OandaCredentialsSchema>;

/** Connection settings. `paper` is OANDA's practice environment. */
export const OandaSettingsSchema = z.object({
  environment: z
    .enum(["paper", "live"])
    .default("paper")
    .meta({ title: "Environment", description: "`paper` = fxTrade Practice (demo funds), `live` = fxTrade (real money)." }),
});
export type OandaSettings = z.infer<typeof OandaSettingsSchema>;

export const oandaManifest = {
  id: "oanda",
  displayName: "OANDA",
  version: "1.0.0",
  assetClasses: ["forex"],
  environments: { paper: OANDA_PRACTICE_URL, live: OANDA_LIVE_URL },
  // The only hosts that see this broker's credentials.
  hosts: ["api-fxpractice.oanda.com", "api-fxtrade.oanda.com"],
  auth: { scheme: "apiKey", credentials: OandaCredentialsSchema },
  // OANDA's best-practice page: at most 100 requests per second on a persistent connection.
  rateLimit: { requests: 100, perMs: 1_000 },
  providesQuotes: true,
  settings: OandaSettingsSchema,
  certification: "experimental",
  docsUrl: "https://developer.oanda.com/rest-live-v20/introduction/",
} satisfies PluginManifest<typeof OandaCredentialsSchema>;

/**
 * OANDA's ClientID has no documented length or charset limit. The core's ids
 * (`tl` + 32 hex, 34 characters) are plain alphanumerics; 64 characters of
 * `[A-Za-z0-9_-]` keeps ids safe inside the `@<clientID>` URL path segment.
 */
export const CLIENT_ORDER_ID_MAX_LENGTH = 64;
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

const forex: OrderFeatures = {
  // STOP is a stop-entry order (fills at market once touched). stop_limit has no OANDA equivalent
  // (priceBound cancels instead of resting), and a trailing stop exists only attached to a trade.
  orderTypes: ["market", "limit", "stop"],
  // day → GFD; market orders only take FOK/IOC, so day/gtc market orders are sent as FOK.
  timeInForce: ["day", "gtc", "ioc", "fok"],
  extendedHours: false,
  // On-fill orders: takeProfitOnFill, stopLossOnFill, trailingStopLossOnFill. A stand-alone OCO on an
  // existing position would need the trade id, which the contract does not carry.
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  // OANDA's trailing stops exist only attached to a trade (trailingStopLossOnFill, TRAILING_STOP_LOSS
  // with a tradeID). The contract's one trailingStop flag also promises stand-alone trailing-stop
  // orders, which OANDA lacks, so it says unsupported; the on-fill mapping in mapping.ts is ready
  // for when the contract can say "as a bracket leg only".
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  // OANDA refuses a second order whose clientExtensions.id is in use (CLIENT_ORDER_ID_ALREADY_EXISTS);
  // whether ids of long-finished orders are ever released is not documented, so no stronger claim.
  clientOrderId: { maxLength: CLIENT_ORDER_ID_MAX_LENGTH, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "while-open" },
  modify: "unsupported",
};

/** `as const`: the literal method map lets `definePlugin` demand `getQuote` and forbid the others. */
export const oandaCapabilities = {
  methods: { getQuote: "native", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { forex },
} as const satisfies Capabilities;
