/**
 * Robinhood Crypto Trading API plugin: Ed25519-signed requests, live only,
 * no brackets (a single exit leg is placed by the core after the entry fills).
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createRobinhoodClient } from "./client";
import { robinhoodCapabilities, robinhoodManifest } from "./manifest";
import { robinhoodSymbol } from "./symbols";

/** The Robinhood Crypto plugin. */
export const robinhoodPlugin = definePlugin({
  manifest: robinhoodManifest,
  capabilities: robinhoodCapabilities,
  symbol: robinhoodSymbol,
  connect: (context) => createRobinhoodClient(context),
});

export { ROBINHOOD_BASE_URL, RobinhoodCredentialsSchema, type RobinhoodCredentials } from "./manifest";
