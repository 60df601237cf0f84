/**
 * The Charles Schwab plugin: US stocks through the Trader API, live only
 * (Schwab has no paper environment), connected by OAuth with a weekly
 * re-authorisation. The standard OAuth grants are its session. See
 * docs/brokers/schwab.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createSchwabClient, schwabSymbol } from "./client";
import { schwabCapabilities, schwabManifest } from "./manifest";

/** The Schwab plugin as the registry holds it. */
export const schwabPlugin = definePlugin({
  manifest: schwabManifest,
  capabilities: schwabCapabilities,
  symbol: schwabSymbol,
  connect: (context) => createSchwabClient(context),
  session: {},
});
