/**
 * Coinbase Advanced Trade (crypto spot) plugin: CDP API keys, one ES256 JWT
 * per request, live trading only (the static sandbox serves contract tests).
 *
 * @module
 */
import { definePlugin, type OrderRequest, type SubmitRefusal } from "../sdk";
import { createCoinbaseClient } from "./client";
import { coinbaseCapabilities, coinbaseManifest } from "./manifest";
import { coinbaseSymbol } from "./symbols";

/** Coinbase rules beyond the capability matrix, checked before anything is sent. */
function venueRules(o: OrderRequest): SubmitRefusal | null {
  if (o.type === "stop_limit" && o.timeInForce !== "gtc") {
    return { messageCode: "venue-stop-limit-gtc-only", message: "Coinbase stop-limit orders are good-till-cancelled only; use time in force gtc.", field: "timeInForce" };
  }
  const b = o.bracket;
  if (b && (b.takeProfit || b.stopLoss)) {
    if (b.stopLoss && (b.stopLoss.type !== "stop" || b.stopLoss.stopPrice === undefined)) {
      return { messageCode: "venue-bracket-stop-only", message: "A Coinbase bracket stop loss is a stop trigger price (stopLoss type stop), not stop_limit or trailing.", field: "bracket" };
    }
    if (o.type !== "market" && o.type !== "limit") {
      return { messageCode: "venue-bracket-entry-type", message: "Coinbase attaches a take profit and stop loss to market or limit entries only.", field: "type" };
    }
  }
  return null;
}

/** The Coinbase Advanced Trade plugin. */
export const coinbasePlugin = definePlugin({
  manifest: coinbaseManifest,
  capabilities: coinbaseCapabilities,
  symbol: coinbaseSymbol,
  connect: (context) => createCoinbaseClient(context),
  venueRules,
});

export { COINBASE_BASE_URL, COINBASE_SANDBOX_URL, CoinbaseCredentialsSchema, type CoinbaseCredentials } from "./manifest";
