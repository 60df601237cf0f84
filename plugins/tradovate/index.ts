/**
 * The Tradovate plugin: futures (prop-firm accounts included), demo and
 * live, logged in with an API key or connected by OAuth; the core's token
 * owner renews the ~90-minute session (session.ts). See
 * docs/brokers/tradovate.md.
 *
 * @module
 */
import { definePlugin } from "../sdk";
import { createTradovateClient } from "./client";
import { tradovateCapabilities, tradovateManifest } from "./manifest";
import { tradovateSession } from "./session";
import { tradovateSymbol } from "./symbols";

/** The Tradovate plugin as the registry holds it. */
export const tradovatePlugin = definePlugin({
  manifest: tradovateManifest,
  capabilities: tradovateCapabilities,
  symbol: (ticker) => tradovateSymbol(ticker),
  connect: (context) => createTradovateClient(context),
  session: tradovateSession,
});
