/**
 * Intents a plugin's capabilities rule out, derived from the capabilities
 * themselves, with the messageCode the shared `canSubmit` must refuse them with.
 *
 * @module
 */
import { AssetClassSchema, OrderTypeSchema, TimeInForceSchema, type OrderRequest, type SubmitRefusalCode } from "../sdk";
import type { ScenarioEnv } from "./scenario-env";

export interface UnsupportedCase {
  what: string;
  intent: OrderRequest;
  messageCode: SubmitRefusalCode;
}

/** One refusable intent per feature the broker lacks (plus an over-long client order id, always). */
export function unsupportedIntents(env: ScenarioEnv): UnsupportedCase[] {
  const f = env.features;
  const baseType = f.orderTypes.includes("limit") ? "limit" : (f.orderTypes[0] ?? "market");
  // Prices for every type, so only the feature under test is missing.
  const base = (fields: Partial<OrderRequest>): OrderRequest =>
    env.intent("buy", baseType, { limitPrice: env.priceAt("0.9"), stopPrice: env.priceAt("0.9"), ...fields });
  const out: UnsupportedCase[] = [
    {
      what: "a client order id longer than the broker allows",
      intent: base({ clientOrderId: "t".repeat(f.clientOrderId.maxLength + 1) }),
      messageCode: "invalid-client-order-id",
    },
  ];
  const otherClass = AssetClassSchema.options.find((a) => env.capabilities.orders[a] === undefined);
  if (otherClass) out.push({ what: `asset class ${otherClass}`, intent: base({ assetClass: otherClass }), messageCode: "asset-class-not-supported" });
  const type = OrderTypeSchema.options.find((t) => !f.orderTypes.includes(t) && t !== "trailing_stop");
  if (type) out.push({ what: `order type ${type}`, intent: base({ type }), messageCode: "order-type-not-supported" });
  if (f.trailingStop === "unsupported") {
    out.push({ what: "a trailing stop", intent: base({ type: "trailing_stop", trailPercent: "1" }), messageCode: "trailing-stop-not-supported" });
  }
  const tif = TimeInForceSchema.options.find((t) => !f.timeInForce.includes(t));
  if (tif) out.push({ what: `time in force ${tif}`, intent: base({ timeInForce: tif }), messageCode: "time-in-force-not-supported" });
  if (!f.extendedHours) out.push({ what: "extended hours", intent: base({ extendedHours: true }), messageCode: "extended-hours-not-supported" });
  if (f.brackets.otoco === "unsupported") {
    out.push({
      what: "a bracket",
      intent: base({ bracket: { takeProfit: { limitPrice: env.priceAt("1.1") }, stopLoss: { type: "stop", stopPrice: env.priceAt("0.8") } } }),
      messageCode: "brackets-not-supported",
    });
  }
  if (!f.fractional) out.push({ what: "a fractional quantity", intent: base({ quantity: "0.5" }), messageCode: "fractional-not-supported" });
  return out;
}
