/**
 * Binance Spot plugin: HMAC-SHA256 signed REST, testnet (paper) and live.
 * USD-M futures are not implemented.
 *
 * @module
 */
import { definePlugin, type OrderRequest, type SubmitRefusal } from "../sdk";
import { createBinanceClient } from "./client";
import { binanceCapabilities, binanceManifest } from "./manifest";
import { binanceSymbol } from "./symbols";

/** Binance rules the capability matrix cannot express; checked before anything is sent. */
export function binanceVenueRules(intent: OrderRequest): SubmitRefusal | null {
  const b = intent.bracket;
  if (b && (b.takeProfit || b.stopLoss) && intent.type !== "limit" && intent.type !== "market") {
    return {
      messageCode: "venue-bracket-entry-type",
      message: "Binance attaches take-profit and stop-loss exits only to a limit or market entry.",
      field: "type",
    };
  }
  const trailByAmount = (intent.type === "trailing_stop" && intent.trailPercent === undefined) || (b?.stopLoss?.type === "trailing_stop" && b.stopLoss.trailPercent === undefined);
  if (trailByAmount) {
    return { messageCode: "venue-trail-percent-only", message: "Binance trails by percent only (trailingDelta); send trailPercent.", field: "trailPercent" };
  }
  return null;
}

export const binancePlugin = definePlugin({
  manifest: binanceManifest,
  capabilities: binanceCapabilities,
  symbol: binanceSymbol,
  connect: (context) => createBinanceClient(context),
  venueRules: binanceVenueRules,
});

export { BinanceCredentialsSchema, BinanceSettingsSchema } from "./manifest";
