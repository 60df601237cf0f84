/**
 * Kraken Spot plugin: HMAC-SHA512 `API-Sign` with a rising nonce, live only.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createKrakenClient } from "./client";
import { krakenCapabilities, krakenManifest } from "./manifest";
import { krakenPair } from "./symbols";

export const krakenPlugin = definePlugin({
  manifest: krakenManifest,
  capabilities: krakenCapabilities,
  symbol: krakenPair,
  connect: (context) => createKrakenClient(context),
});

export { KrakenCredentialsSchema, KrakenSettingsSchema } from "./manifest";
