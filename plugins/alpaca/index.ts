/**
 * The Alpaca broker plugin: US stocks, options and crypto through Alpaca's
 * Trading API v2, with paper and live environments. See docs/brokers/alpaca.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createAlpacaClient } from "./client";
import { alpacaCapabilities, alpacaManifest } from "./manifest";
import { alpacaSymbol } from "./symbols";
import { alpacaVenueRules } from "./venue-rules";

/** The Alpaca plugin as the registry holds it (manifest, capabilities, symbols, venue rules, client). */
export const alpacaPlugin = definePlugin({
  manifest: alpacaManifest,
  capabilities: alpacaCapabilities,
  symbol: alpacaSymbol,
  connect: (context) => createAlpacaClient(context),
  venueRules: alpacaVenueRules,
});

export { alpacaSymbol, tickerFromAlpaca } from "./symbols";
