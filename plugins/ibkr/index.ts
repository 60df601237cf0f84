/**
 * The Interactive Brokers plugin: stocks and futures through the user's own
 * Client Portal gateway (behind a Cloudflare Tunnel and an Access service
 * token), kept alive by the connection's session owner (session.ts). See
 * docs/brokers/ibkr.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createIbkrClient } from "./client";
import { ibkrCapabilities, ibkrManifest } from "./manifest";
import { ibkrSession } from "./session";
import { ibkrSymbol } from "./symbols";

/** The IBKR plugin as the registry holds it. */
export const ibkrPlugin = definePlugin({
  manifest: ibkrManifest,
  capabilities: ibkrCapabilities,
  symbol: (ticker, assetClass) => ibkrSymbol(ticker, assetClass),
  connect: (context) => createIbkrClient(context),
  session: ibkrSession,
});
