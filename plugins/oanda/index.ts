/**
 * OANDA v20 (forex): practice and live, personal access token, on-fill
 * take-profit / stop-loss brackets, quotes from the account's pricing
 * endpoint. See docs/brokers/oanda.md.
 *
 * @module
 */
import { definePlugin, type OrderRequest, type SubmitRefusal } from "../sdk";
import { createOandaClient } from "./client";
import { oandaCapabilities, oandaManifest } from "./manifest";
import { oandaInstrument } from "./symbols";

/** Bracket shapes OANDA's on-fill orders cannot express, refused before anything is sent. */
function venueRules(intent: OrderRequest): SubmitRefusal | null {
  const sl = intent.bracket?.stopLoss;
  if (sl?.type === "stop_limit") {
    return { messageCode: "venue-stop-limit-stop-loss", message: "OANDA stop losses are stop orders; send a stop (not stop-limit) stop loss.", field: "bracket" };
  }
  if (sl?.type === "trailing_stop" && sl.trailAmount === undefined) {
    return { messageCode: "venue-trailing-percent", message: "OANDA trailing stops take a price distance; send trailAmount instead of trailPercent.", field: "bracket" };
  }
  return null;
}

export const oandaPlugin = definePlugin({
  manifest: oandaManifest,
  capabilities: oandaCapabilities,
  symbol: (ticker) => oandaInstrument(ticker),
  connect: (context) => createOandaClient(context),
  venueRules,
});

export { oandaInstrument, tickerFromInstrument } from "./symbols";
