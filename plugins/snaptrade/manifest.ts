/**
 * SnapTrade as data: one aggregator that reaches many brokerages (Robinhood
 * equities, Schwab, Fidelity, Questrade, Wealthsimple...). The operator's
 * partner keys (client id, consumer key) come from Worker secrets and sign
 * every request; each Tradeloop user is one SnapTrade user (registered on
 * the first connect, user secret sealed in the vault); each Tradeloop
 * connection is one brokerage authorization made in SnapTrade's Connection
 * Portal. What an order may be depends on the brokerage behind the
 * authorization: the client reads it from SnapTrade and narrows the
 * connection's capabilities (client.ts `connectionCapabilities`).
 *
 * Sources (docs/brokers/snaptrade.md): docs.snaptrade.com (request signing,
 * registerUser, login, authorizations, accounts, trading), and the official
 * SDKs in passiv/snaptrade-sdks (the signing algorithm of the vector in
 * snaptrade.test.ts).
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

export const SNAPTRADE_API_URL = "https://api.snaptrade.com/api/v1";

/**
 * A connection's credentials: the user's SnapTrade identity (from
 * `registerUser`, kept sealed by the core) and the brokerage authorization
 * the portal created. The user never types them: the portal flow fills them.
 */
export const SnapTradeCredentialsSchema = z.object({
  userId: credentialField(z.string().trim().min(1).max(200), { label: "SnapTrade user id", help: "Set by Tradeloop when you connect through SnapTrade's portal.", secret: false }),
  userSecret: credentialField(z.string().trim().min(1).max(500), { label: "SnapTrade user secret", help: "Set by Tradeloop when you connect through SnapTrade's portal." }),
  authorizationId: credentialField(z.string().trim().min(1).max(200), { label: "Brokerage authorization", help: "The brokerage connection you made in SnapTrade's portal.", secret: false }),
});
export type SnapTradeCredentials = z.infer<typeof SnapTradeCredentialsSchema>;

export const snaptradeManifest = {
  id: "snaptrade",
  displayName: "SnapTrade",
  version: "1.0.0",
  assetClasses: ["stocks"],
  // Every brokerage behind SnapTrade is the user's real account; SnapTrade has no paper host.
  environments: { live: SNAPTRADE_API_URL },
  hosts: ["api.snaptrade.com"],
  auth: {
    scheme: "portal",
    credentials: SnapTradeCredentialsSchema,
    portal: {
      registrationUrl: "https://dashboard.snaptrade.com/",
      connectNote: "You will pick your brokerage and sign in to it on SnapTrade's page; Tradeloop never sees that password.",
    },
    partner: { secrets: { clientId: "SNAPTRADE_CLIENT_ID", consumerKey: "SNAPTRADE_CONSUMER_KEY" }, registrationUrl: "https://dashboard.snaptrade.com/" },
  },
  // SnapTrade's documented default is 250 requests a minute per partner; stay well under it.
  rateLimit: { requests: 2, perMs: 1_000 },
  providesQuotes: false,
  certification: "experimental",
  docsUrl: "https://docs.snaptrade.com/",
} satisfies PluginManifest<typeof SnapTradeCredentialsSchema>;

/**
 * SnapTrade takes no client order id: Tradeloop's id lives only in the
 * connection's order journal (recorded before sending, completed with the
 * brokerage's id after), so a lost reply is outcome-unknown, never resent.
 */
const clientOrderId = { maxLength: 64, pattern: /^[A-Za-z0-9_-]{1,64}$/, uniqueness: "never" } as const;

/**
 * The widest set SnapTrade's trading endpoint takes; each connection is cut
 * down to its brokerage's own (read-only authorizations, no fractional
 * shares...) by `connectionCapabilities`.
 */
const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc", "fok", "ioc"],
  extendedHours: false,
  brackets: { oto: "unsupported", oco: "unsupported", otoco: "unsupported" },
  trailingStop: "unsupported",
  fractional: true,
  notional: false,
  // Short selling depends on the brokerage and SnapTrade does not report it: not offered.
  shorting: false,
  clientOrderId,
  modify: "unsupported",
};

export const snaptradeCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "unsupported", getOrder: "native" },
  orders: { stocks },
  // Orders go through the brokerage's own API one by one.
  concurrentSubmission: false,
} as const satisfies Capabilities;
