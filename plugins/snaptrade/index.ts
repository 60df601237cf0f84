/**
 * The SnapTrade plugin: many brokerages through one aggregator, signed
 * with the operator's partner keys, each connection one brokerage
 * authorization made in SnapTrade's Connection Portal. See
 * docs/brokers/snaptrade.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createSnapTradeClient } from "./client";
import { snaptradeCapabilities, snaptradeManifest } from "./manifest";
import { snaptradePortal } from "./portal";

/** The SnapTrade plugin as the registry holds it. */
export const snaptradePlugin = definePlugin({
  manifest: snaptradeManifest,
  capabilities: snaptradeCapabilities,
  // SnapTrade takes the brokerage's own ticker (`AAPL`, `BRK.B`).
  symbol: (ticker) => ticker.toUpperCase(),
  connect: (context) => createSnapTradeClient(context),
  portal: snaptradePortal,
});
