/**
 * Quantities: how much to enter and how much to exit.
 *
 * Entry quantity comes from the signal (`quantity` + `quantityType`) when it
 * sends one and the subscription allows signal quantities; otherwise from
 * the subscription's sizing mode. Types:
 * - `fixed_quantity`: the number itself; a signal's is multiplied by
 *   `quantityMultiplier` (2 × 2.5 = 5)
 * - `dollar_amount`: dollars ÷ (entry price × point value)
 * - `percent_of_equity`: equity × percent ÷ (entry price × point value)
 * - `risk_dollar_amount`: dollars ÷ (|entry − stop| × point value)
 * - `risk_percent`: equity × percent ÷ (|entry − stop| × point value)
 * - `percent_of_position`: the open position × percent
 * Every result rounds down to the quantity step (whole units unless
 * fractional quantities are allowed). Futures refuse the dollar, equity and
 * risk types.
 *
 * @module
 */
import { Big, type Decimal } from "../../plugins/sdk/decimal";
import type { AssetClass } from "../../plugins/sdk/models";
import type { QuantityType, Signal } from "./signal-schema";
import { reject } from "./reject";
import { floorToStep } from "./rounding";
import type { SizingMode, SubscriptionSettings } from "./settings";

/** Quantity types futures refuse (TradersPost rule). */
export const FUTURES_REFUSED_TYPES: ReadonlySet<QuantityType> = new Set([
  "dollar_amount",
  "risk_dollar_amount",
  "risk_percent",
  "percent_of_equity",
]);

/** Where a quantity comes from, after the signal-vs-subscription choice. */
export interface QuantityRequest {
  type: QuantityType | SizingMode;
  value: Big;
  source: "signal" | "subscription";
}

/** The signal's quantity request, when it sends a quantity and the subscription allows signal quantities. */
export function signalQuantityRequest(signal: Signal, settings: SubscriptionSettings): QuantityRequest | null {
  if (!settings.allowSignalQuantity || signal.quantity === undefined) return null;
  const type = signal.quantityType ?? "fixed_quantity";
  let value = new Big(signal.quantity);
  if (type === "fixed_quantity") value = value.times(settings.quantityMultiplier);
  return { type, value, source: "signal" };
}

/** The quantity request in force for an entry: the signal's when sent and allowed, else the subscription's. */
export function quantityRequest(signal: Signal, settings: SubscriptionSettings): QuantityRequest {
  const fromSignal = signalQuantityRequest(signal, settings);
  if (fromSignal) return fromSignal;
  if (settings.sizingMode === "fixed_quantity") return { type: "fixed_quantity", value: new Big(settings.quantity), source: "subscription" };
  if (settings.sizingValue === undefined) {
    return reject(
      "sizing-value-required",
      `The subscription's "sizingMode" is ${settings.sizingMode} but "sizingValue" is not set; set "sizingValue" (dollars or percent) in the subscription settings.`,
      "sizingValue",
    );
  }
  return { type: settings.sizingMode, value: new Big(settings.sizingValue), source: "subscription" };
}

/** Rejects quantity types the asset class refuses. */
export function checkQuantityTypeForAssetClass(request: QuantityRequest, assetClass: AssetClass): void {
  if (assetClass === "futures" && FUTURES_REFUSED_TYPES.has(request.type as QuantityType)) {
    reject(
      "invalid-quantity-type-for-asset-class",
      request.source === "signal"
        ? `Futures cannot be sized by "${request.type}"; send "quantityType": "fixed_quantity" (contracts), or "percent_of_position" for exits.`
        : `This futures subscription's "sizingMode" is ${request.type}, which futures do not support; use fixed_quantity.`,
      request.source === "signal" ? "quantityType" : "sizingMode",
    );
  }
}

export interface EntrySizingInput {
  request: QuantityRequest;
  /** Entry base price (limit, stop or best known price). */
  price: Big | null;
  pointValue: Big | null;
  /**
   * The account's equity, read only by the equity-based types. A function so
   * that a caller can tell whether the decision needed it (the executor asks
   * the broker for the balance only then).
   */
  equity: () => Decimal | null;
  /** Absolute size of the open position (for percent_of_position adds). */
  positionSize: Big;
  /** Price risk per unit, computed on demand (risk types only). */
  riskPerUnit: () => Big;
  step: Big;
  ticker: string;
}

function needPrice(price: Big | null, type: string, ticker: string): Big {
  if (price === null || !price.gt(0)) {
    return reject(
      "no-price",
      `Sizing by "${type}" needs the current price of ${ticker}, and none is known: add "price": {{close}} to the alert message (or send "limitPrice").`,
      "price",
    );
  }
  return price;
}

function needEquity(read: () => Decimal | null, type: string): Big {
  const equity = read();
  if (equity === null || !new Big(equity).gt(0)) {
    return reject("equity-unavailable", `Sizing by "${type}" needs the account's equity, and the broker did not report a positive equity; use a fixed quantity or dollar_amount.`, "quantityType");
  }
  return new Big(equity);
}

/** Unrounded units for one unit of price exposure: price × point value. */
function unitCost(price: Big, pointValue: Big | null): Big {
  return price.times(pointValue ?? 1);
}

/** The entry quantity, rounded down to the step. Throws `entry-quantity-zero` when it rounds to nothing. */
export function entryQuantity(input: EntrySizingInput): Big {
  const { request, step } = input;
  let raw: Big;
  switch (request.type) {
    case "fixed_quantity":
      raw = request.value;
      break;
    case "dollar_amount":
      raw = request.value.div(unitCost(needPrice(input.price, request.type, input.ticker), input.pointValue));
      break;
    case "percent_of_equity": {
      const equity = needEquity(input.equity, request.type);
      raw = equity.times(request.value).div(100).div(unitCost(needPrice(input.price, request.type, input.ticker), input.pointValue));
      break;
    }
    case "risk_dollar_amount":
    case "risk_percent": {
      needPrice(input.price, request.type, input.ticker);
      const dollars = request.type === "risk_percent" ? needEquity(input.equity, request.type).times(request.value).div(100) : request.value;
      const perUnit = input.riskPerUnit().times(input.pointValue ?? 1);
      if (!perUnit.gt(0)) return reject("quantity-type-requires-stop-loss", "Risk sizing needs a stop loss away from the entry price.", "stopLoss");
      raw = dollars.div(perUnit);
      break;
    }
    case "percent_of_position":
      raw = input.positionSize.times(request.value).div(100);
      break;
  }
  const quantity = floorToStep(raw, step);
  if (!quantity.gt(0)) {
    return reject(
      "entry-quantity-zero",
      `The entry quantity works out at ${raw.round(8, Big.roundDown).toFixed()} ${input.ticker}, which rounds down to 0${step.eq(1) ? " whole units" : ""}; send a larger "quantity"${step.eq(1) ? " or allow fractional quantities" : ""}.`,
      "quantity",
    );
  }
  return quantity;
}

export interface ExitSizingInput {
  request: QuantityRequest | null;
  /** Absolute size of the open position. */
  positionSize: Big;
  price: Big | null;
  pointValue: Big | null;
  /** The account's equity, read only by `percent_of_equity` (see EntrySizingInput.equity). */
  equity: () => Decimal | null;
  step: Big;
  ticker: string;
}

/**
 * The exit quantity: the whole position unless a signal quantity asks for
 * less. A quantity at or above the position (or none) exits the whole
 * position, exactly (fractional positions included).
 */
export function exitQuantity(input: ExitSizingInput): { quantity: Big; full: boolean } {
  const { request, positionSize, step } = input;
  const whole = { quantity: positionSize, full: true };
  // Only a signal quantity makes an exit partial; the subscription's entry size never does.
  if (!request || request.source !== "signal") return whole;
  let raw: Big;
  switch (request.type) {
    case "fixed_quantity":
      raw = request.value;
      break;
    case "percent_of_position":
      raw = positionSize.times(request.value).div(100);
      break;
    case "dollar_amount":
      raw = request.value.div(unitCost(needPrice(input.price, request.type, input.ticker), input.pointValue));
      break;
    case "percent_of_equity":
      raw = needEquity(input.equity, request.type)
        .times(request.value)
        .div(100)
        .div(unitCost(needPrice(input.price, request.type, input.ticker), input.pointValue));
      break;
    default:
      return reject("invalid-quantity-type-action", `"quantityType" "${request.type}" sizes entries and cannot size an exit.`, "quantityType");
  }
  if (raw.gte(positionSize)) return whole;
  const quantity = floorToStep(raw, step);
  if (!quantity.gt(0)) {
    return reject(
      "exit-quantity-zero",
      `The exit quantity works out at ${raw.round(8, Big.roundDown).toFixed()} of a ${positionSize.toFixed()} ${input.ticker} position, which rounds down to 0; send a larger "quantity" or omit it to exit the whole position.`,
      "quantity",
    );
  }
  return { quantity, full: false };
}
