/**
 * The paper broker described as data: what it is, how it is configured and
 * what it can do. The core, the dashboard and `GET /api/brokers` read these
 * objects; nothing here performs I/O.
 *
 * @module
 */
import { z } from "zod";
import type { AssetClass, Capabilities, OrderFeatures, PluginManifest } from "../sdk";

/** Host of the simulated broker. Requests to it are routed to the PaperLedger Durable Object, never to the network. */
export const PAPER_BASE_URL = "https://paper.tradeloop.internal";

/** The paper broker needs no credentials. */
export const PaperCredentialsSchema = z.object({});

/** Default starting cash of a new paper account, in USD. */
export const DEFAULT_STARTING_CASH = 100_000;

/** Longest simulated latency a connection may ask for. */
export const MAX_LATENCY_MS = 10_000;

/**
 * Connection settings of a paper account. Unknown keys (such as the core's
 * `environment`) are stripped, not refused, because the core stores every
 * connection's settings in one bag.
 */
export const PaperSettingsSchema = z.object({
  /** Cash the account starts with (and returns to on reset). */
  startingCash: z
    .number()
    .positive()
    .default(DEFAULT_STARTING_CASH)
    .meta({ title: "Starting cash", description: "Cash the paper account starts with, in USD (and returns to on reset)." }),
  /**
   * Simulated broker latency, applied by the ledger before it handles each
   * request. Traders use it to rehearse slow fills; tests use it to make a slow broker.
   */
  latencyMs: z
    .number()
    .int()
    .min(0)
    .max(MAX_LATENCY_MS)
    .default(0)
    .meta({
      title: "Simulated latency (ms)",
      description: "Delay the paper broker adds to every request, to rehearse a slow broker. Leave at 0 for instant fills.",
    }),
});
export type PaperSettings = z.infer<typeof PaperSettingsSchema>;

/** Client order ids the ledger accepts: the core's ids (`tl` + 32 hex) fit with room to spare. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 64;
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

const ASSET_CLASSES = ["stocks", "options", "futures", "crypto", "forex"] as const satisfies readonly AssetClass[];

export const paperManifest = {
  id: "paper",
  displayName: "Paper broker (built in)",
  version: "1.1.0",
  assetClasses: ASSET_CLASSES,
  environments: { paper: PAPER_BASE_URL },
  // The only hosts that see this broker's credentials. Never on the network: the core routes this host to the PaperLedger Durable Object.
  hosts: ["paper.tradeloop.internal"],
  auth: { scheme: "none", credentials: PaperCredentialsSchema },
  providesQuotes: false,
  // The "venue" is the PaperLedger Durable Object (ledger-object.ts): one per paper connection.
  transport: { kind: "durable-object", binding: "PAPER_LEDGER", basePath: "/ledgers/:connectionId" },
  settings: PaperSettingsSchema,
  certification: "certified",
  maintainer: "tradeloop",
} satisfies PluginManifest<typeof PaperCredentialsSchema>;

/** The simulated venue behaves the same for every asset class. */
const features: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit", "trailing_stop"],
  // Market hours are not simulated, so `day` behaves like `gtc`; ioc/fok expire if not filled at once.
  timeInForce: ["day", "gtc", "ioc", "fok"],
  extendedHours: true,
  brackets: { oto: "native", oco: "native", otoco: "native" },
  trailingStop: "native",
  fractional: true,
  notional: false,
  shorting: true,
  clientOrderId: { maxLength: CLIENT_ORDER_ID_MAX_LENGTH, pattern: CLIENT_ORDER_ID_PATTERN, uniqueness: "forever" },
  modify: "unsupported",
};

/** `as const`: the literal method map is what lets `definePlugin` demand `observePrice` and forbid the rest. */
export const paperCapabilities = {
  methods: { getQuote: "unsupported", modifyOrder: "unsupported", observePrice: "native", getOrder: "native" },
  orders: Object.fromEntries(ASSET_CLASSES.map((assetClass) => [assetClass, features])),
  // The ledger serializes requests itself (one Durable Object per account).
  concurrentSubmission: true,
} as const satisfies Capabilities;
