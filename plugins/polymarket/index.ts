/**
 * The Polymarket plugin: prediction-market outcomes on the CLOB V2, signed
 * by the user's wallet key (EIP-712 orders, L1/L2 authentication), its API
 * credentials derived and held by the connection's session owner. See
 * docs/brokers/polymarket.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createPolymarketClient } from "./client";
import { polymarketCapabilities, polymarketManifest } from "./manifest";
import { polymarketSession } from "./session";

/** The Polymarket plugin as the registry holds it. */
export const polymarketPlugin = definePlugin({
  manifest: polymarketManifest,
  capabilities: polymarketCapabilities,
  // The ticker is the outcome's name at Polymarket already (`<MARKET>:<OUTCOME>`).
  symbol: (ticker) => ticker,
  connect: (context) => createPolymarketClient(context),
  session: polymarketSession,
});
