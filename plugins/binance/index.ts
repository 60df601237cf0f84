/**
 * Binance Spot plugin: HMAC-SHA256 signed REST, testnet (paper) and live.
 * USD-M futures are not implemented.
 *
 * @module
 */
import type { BrokerPlugin } from "../sdk";
import { createBinanceClient, parseBinanceCredentials } from "./client";
import { binanceCapabilities, binanceManifest } from "./manifest";
import { binanceSymbol } from "./symbols";

export const binancePlugin: BrokerPlugin = {
  manifest: binanceManifest,
  capabilities: binanceCapabilities,
  symbol: binanceSymbol,
  connect: (context) => createBinanceClient({ ...context, credentials: parseBinanceCredentials(context.credentials) }),
};

export { BinanceCredentialsSchema, BinanceSettingsSchema } from "./manifest";
