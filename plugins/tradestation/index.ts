/**
 * The TradeStation plugin: US stocks through TradeStation API v3, sim and
 * live, connected by OAuth (Auth0, `offline_access` refresh tokens). The
 * standard OAuth grants (plugins/sdk/services/oauth.ts) are its session:
 * nothing TradeStation-specific to add. See docs/brokers/tradestation.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createTradestationClient } from "./client";
import { tradestationCapabilities, tradestationManifest } from "./manifest";

import { tradestationSymbol } from "./symbols";

export { tradestationSymbol } from "./symbols";

/** The TradeStation plugin as the registry holds it. */
export const tradestationPlugin = definePlugin({
  manifest: tradestationManifest,
  capabilities: tradestationCapabilities,
  symbol: tradestationSymbol,
  connect: (context) => createTradestationClient(context),
  session: {},
});
