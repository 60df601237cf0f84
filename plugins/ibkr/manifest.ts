/**
 * Interactive Brokers (Client Portal Web API) as data. A retail account
 * reaches the API through the Client Portal gateway the user runs and logs
 * into; Tradeloop reaches that gateway where the user exposes it (a
 * Cloudflare Tunnel protected by an Access service token, see
 * docs/brokers/ibkr.md). So the API host is the user's own: the manifest
 * says so (`userChosenHosts`), and a connection must set `settings.baseUrl`
 * to the gateway's `.../v1/api` URL. `api.ibkr.com` (IBKR's OAuth flavour
 * for registered third parties) is declared only as the default; without a
 * gateway URL the client refuses before sending anything.
 *
 * Sources (docs/brokers/ibkr.md): IBKR Campus "Web API v1.0 documentation"
 * (session, tickle, orders, reply, order status, portfolio), its bracket
 * order guide, and the Client Portal swagger as generated in the `ib` crate.
 *
 * @module
 */
import { z } from "zod";
import { credentialField, type Capabilities, type OrderFeatures, type PluginManifest } from "../sdk";

/** IBKR's own Web API host (OAuth for registered third parties): never reached without the user's gateway URL. */
export const IBKR_DEFAULT_URL = "https://api.ibkr.com/v1/api";
export const CLOUDFLARE_ACCESS_DOCS = "https://developers.cloudflare.com/cloudflare-one/identity/service-tokens/";

/**
 * The Cloudflare Access service token in front of the user's gateway (both
 * fields, or neither for a gateway reached without Access).
 */
export const IbkrCredentialsSchema = z
  .object({
    accessClientId: credentialField(z.string().trim().max(200).optional(), {
      label: "Access client ID",
      help: "The Client ID of the Cloudflare Access service token that protects your gateway's tunnel (sent as CF-Access-Client-Id). Leave empty only if your gateway URL has no Access policy.",
      link: CLOUDFLARE_ACCESS_DOCS,
      secret: false,
      placeholder: "0123456789abcdef0123456789abcdef.access",
    }),
    accessClientSecret: credentialField(z.string().trim().max(500).optional(), {
      label: "Access client secret",
      help: "The service token's Client Secret (sent as CF-Access-Client-Secret); shown once when the token is created.",
      link: CLOUDFLARE_ACCESS_DOCS,
    }),
  })
  .refine((c) => (c.accessClientId === undefined || c.accessClientId === "") === (c.accessClientSecret === undefined || c.accessClientSecret === ""), {
    message: "Enter both the Access client ID and the client secret, or neither.",
    path: ["accessClientSecret"],
  });
export type IbkrCredentials = z.infer<typeof IbkrCredentialsSchema>;

/** Connection settings the plugin reads (the core reads `environment` and `baseUrl`). */
export const IbkrSettingsSchema = z
  .object({
    environment: z.enum(["paper", "live"]).optional(),
    /**
     * Message ids of IBKR's order questions never to confirm (e.g. `o163`, a
     * price beyond the percentage constraint): an order asking one is
     * answered "no" and refused with IBKR's text. Every other question is
     * confirmed, as a trader confirming in TWS would.
     */
    neverConfirm: z.array(z.string().regex(/^[a-z]?\d{1,6}$/)).max(50).default([]),
  });

export const ibkrManifest = {
  id: "ibkr",
  displayName: "Interactive Brokers",
  version: "1.0.0",
  assetClasses: ["stocks", "futures"],
  // Paper or live is the account the user logged the gateway into (paper ids start with D).
  environments: { paper: IBKR_DEFAULT_URL, live: IBKR_DEFAULT_URL },
  hosts: ["api.ibkr.com"],
  userChosenHosts: true,
  auth: { scheme: "apiKey", credentials: IbkrCredentialsSchema },
  // The gateway allows about 10 requests a second in all (IBKR Campus, pacing limits).
  rateLimit: { requests: 10, perMs: 1_000 },
  // IBKR's North American daily server reset: orders and sessions are unreliable in it.
  maintenanceWindows: [{ timezone: "America/New_York", start: "23:45", end: "00:45", reason: "IBKR daily server reset" }],
  providesQuotes: false,
  settings: IbkrSettingsSchema,
  certification: "experimental",
  docsUrl: "https://www.interactivebrokers.com/campus/ibkr-api-page/cpapi-v1/",
} satisfies PluginManifest<typeof IbkrCredentialsSchema>;

/**
 * `cOID` carries Tradeloop's id; IBKR refuses a repeated one (its docs say
 * for 24 hours, so "while-open" is the honest promise here).
 */
const clientOrderId = { maxLength: 64, pattern: /^[A-Za-z0-9_-]{1,64}$/, uniqueness: "while-open" } as const;

const stocks: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit"],
  timeInForce: ["day", "gtc", "ioc"],
  extendedHours: true,
  // A bracket: the entry with cOID, its take profit and stop loss pointing at it with parentId.
  brackets: { oto: "native", oco: "unsupported", otoco: "native" },
  trailingStop: "unsupported",
  fractional: false,
  notional: false,
  shorting: true,
  clientOrderId,
  // POST /iserver/account/{accountId}/order/{orderId} changes the working order in place (same order id).
  modify: "replace",
};

const futures: OrderFeatures = { ...stocks, extendedHours: false, timeInForce: ["day", "gtc"] };

export const ibkrCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "native", observePrice: "unsupported", getOrder: "native" },
  orders: { stocks, futures },
} as const satisfies Capabilities;
