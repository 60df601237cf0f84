/**
 * The built-in paper broker plugin: a simulated broker whose "venue" is the
 * PaperLedger Durable Object. It is built exactly like a plugin for a real
 * broker (manifest, capabilities, symbol map, HTTP client, error table), so it
 * doubles as the worked example for plugin authors.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createPaperClient } from "./client";
import { paperCapabilities, paperManifest } from "./manifest";
import { paperSymbol } from "./mapping";

export const paperPlugin = definePlugin({
  manifest: paperManifest,
  capabilities: paperCapabilities,
  symbol: paperSymbol,
  connect: (context) => createPaperClient(context),
});

export { PAPER_ACCOUNT } from "./mapping";
export { PaperSettingsSchema, type PaperSettings } from "./manifest";
