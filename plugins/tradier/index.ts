/**
 * The Tradier broker plugin: US stocks and options through Tradier's
 * Brokerage API, with sandbox (paper) and live environments. See
 * docs/brokers/tradier.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createTradierClient } from "./client";
import { tradierCapabilities, tradierManifest } from "./manifest";
import { tradierSymbol } from "./symbols";
import { tradierVenueRules } from "./venue-rules";

/** The Tradier plugin as the registry holds it. */
export const tradierPlugin = definePlugin({
  manifest: tradierManifest,
  capabilities: tradierCapabilities,
  symbol: tradierSymbol,
  connect: (context) => createTradierClient(context),
  venueRules: tradierVenueRules,
});

export { tickerFromTradier, tradierSymbol } from "./symbols";
