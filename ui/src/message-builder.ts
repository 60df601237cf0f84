/**
 * The alert message builder: starts from a sender's template (GET
 * /api/strategies/:id/templates) and applies the trader's options (fixed
 * quantity, limit order at the alert's price, take profit and stop loss in
 * percent, alertId for duplicate protection). Pure, so it is tested without
 * a page; the options' limits are the webhook's (docs/signals.md).
 *
 * @module
 */
import { limitSentence, type Limits } from "./messages";

/** What the trader chose. Numbers stay text until built, so an entry is checked as typed. */
export interface BuilderOptions {
  /** Empty: the template's own quantity (TradingView's contracts) or the subscription's sizing. */
  quantity: string;
  orderType: "market" | "limit";
  takeProfitPercent: string;
  stopLossPercent: string;
  /** Keep the template's alertId (a retried delivery then never trades twice). */
  alertId: boolean;
}

export const DEFAULT_OPTIONS: BuilderOptions = { quantity: "", orderType: "market", takeProfitPercent: "", stopLossPercent: "", alertId: true };

/** The webhook's limits for each option (see "Fields" in docs/signals.md). */
export const OPTION_LIMITS = {
  quantity: { exclusiveMinimum: 0 },
  takeProfitPercent: { exclusiveMinimum: 0 },
  stopLossPercent: { exclusiveMinimum: 0, exclusiveMaximum: 100 },
} satisfies Record<string, Limits>;

const LABELS = {
  quantity: { label: "Quantity" },
  takeProfitPercent: { label: "Take profit (%)" },
  stopLossPercent: { label: "Stop loss (%)" },
};

/** A template as the builder needs it. */
export interface BuilderTemplate {
  kind: "json" | "code";
  body: string;
}

/** Problems with the options, by option name; empty when the message can be built. */
export function optionErrors(o: BuilderOptions): Partial<Record<keyof typeof OPTION_LIMITS, string>> {
  const out: Partial<Record<keyof typeof OPTION_LIMITS, string>> = {};
  for (const key of Object.keys(OPTION_LIMITS) as (keyof typeof OPTION_LIMITS)[]) {
    const sentence = limitSentence(o[key], OPTION_LIMITS[key], LABELS[key]);
    if (sentence) out[key] = sentence;
  }
  return out;
}

/**
 * Whether the template takes a fixed quantity: not one that sends the
 * strategy's `targetPosition` (the account then trades the difference to it,
 * and a quantity beside it would contradict it).
 */
export function takesQuantity(template: BuilderTemplate): boolean {
  if (template.kind !== "json") return false;
  return !("targetPosition" in (JSON.parse(template.body) as Record<string, unknown>));
}

/**
 * The message to paste. JSON templates get the options applied and are
 * pretty-printed; code snippets (curl, MT5) are returned as they are.
 */
export function buildMessage(template: BuilderTemplate, o: BuilderOptions): string {
  if (template.kind !== "json") return template.body;
  const message = JSON.parse(template.body) as Record<string, unknown>;
  if (o.quantity.trim() !== "" && takesQuantity(template)) message.quantity = o.quantity.trim();
  if (o.orderType === "limit") {
    message.orderType = "limit";
    // The alert's own price (TradingView's {{close}}) is the limit: no chasing a moved market.
    message.limitPrice = message.price ?? "{{close}}";
  }
  if (o.takeProfitPercent.trim() !== "") message.takeProfit = { percent: Number(o.takeProfitPercent) };
  if (o.stopLossPercent.trim() !== "") message.stopLoss = { type: "stop", percent: Number(o.stopLossPercent) };
  if (!o.alertId) delete message.alertId;
  return JSON.stringify(message, null, 2);
}
