/**
 * The fake broker's reading of `POST /v2/orders` and `PATCH /v2/orders/{id}`
 * bodies: types, required fields and Alpaca's documented order rules, each
 * refused with Alpaca's status and error shape (`{"code", "message"}`).
 *
 * Only standard JavaScript and big.js: this module also runs under Node.
 *
 * @module
 */
import { Big, dec } from "../sdk";
import type { AlpacaAssetClass, AlpacaErrorJson, AlpacaOrderClass, AlpacaOrderType, AlpacaTimeInForce } from "./fake-entities";

/** An error the fake answers with, in Alpaca's format. */
export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: AlpacaErrorJson,
  ) {
    super(body.message);
    this.name = "FakeApiError";
  }
}

/** `{"code": 40010001, ...}` is Alpaca's catch-all for a malformed request. */
export const invalid = (message: string): FakeApiError => new FakeApiError(422, { code: 40010001, message });
/** 42210000: a well-formed request Alpaca cannot process (prices, rules, state). */
export const unprocessable = (message: string, extra: Record<string, unknown> = {}): FakeApiError =>
  new FakeApiError(422, { code: 42210000, message, ...extra });
/** 40310000: refused for the account's money, shares or permissions. */
export const forbidden = (message: string, extra: Record<string, unknown> = {}): FakeApiError =>
  new FakeApiError(403, { code: 40310000, message, ...extra });
export const notFound = (message: string): FakeApiError => new FakeApiError(404, { code: 40410000, message });

/** A validated new order, before the engine looks at the account. */
export interface OrderSpec {
  symbol: string;
  qty: Big | null;
  notional: Big | null;
  side: "buy" | "sell";
  type: AlpacaOrderType;
  tif: AlpacaTimeInForce;
  limit: Big | null;
  stop: Big | null;
  trailPrice: Big | null;
  trailPercent: Big | null;
  extendedHours: boolean;
  clientOrderId: string | null;
  orderClass: AlpacaOrderClass;
  takeProfit: { limit: Big } | null;
  stopLoss: { stop: Big; limit: Big | null } | null;
}

const SIDES = ["buy", "sell"] as const;
const TYPES = ["market", "limit", "stop", "stop_limit", "trailing_stop"] as const;
const TIFS = ["day", "gtc", "opg", "cls", "ioc", "fok"] as const;
const CLASSES = ["", "simple", "bracket", "oco", "oto"] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Alpaca takes numbers as strings (recommended) or JSON numbers. */
function decimalField(body: Record<string, unknown>, name: string): Big | null {
  const v = body[name];
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string" && typeof v !== "number") throw invalid(`invalid ${name}`);
  try {
    const d = dec(typeof v === "string" ? v.trim() : v);
    return d;
  } catch {
    throw invalid(`invalid ${name}`);
  }
}

function enumField<T extends string>(body: Record<string, unknown>, name: string, values: readonly T[], required: boolean): T | null {
  const v = body[name];
  if (v === undefined || v === null) {
    if (required) throw invalid(`${name} is required`);
    return null;
  }
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) throw invalid(`invalid ${name}`);
  return v as T;
}

/** Documented: prices ≥ $1 take at most 2 decimals, below $1 at most 4. */
function checkSubPenny(name: "limit_price" | "stop_price", price: Big): void {
  const decimals = Math.max(0, price.c.length - price.e - 1);
  const max = price.gte(1) ? 2 : 4;
  if (decimals > max) {
    throw unprocessable(`invalid ${name} ${price.toFixed()}. sub-penny increment does not fulfill minimum pricing criteria`);
  }
}

function positive(name: string, v: Big | null): void {
  if (v !== null && !v.gt(0)) throw invalid(`${name} must be > 0`);
}

/** Parses and checks a new order body against Alpaca's documented rules (not yet the account). */
export function parseNewOrder(raw: unknown, assetClassOf: (symbol: string) => AlpacaAssetClass): OrderSpec {
  if (!isRecord(raw)) throw invalid("request body must be a JSON object");
  const symbol = raw.symbol;
  if (typeof symbol !== "string" || symbol.trim() === "") throw invalid("symbol is required");
  const side = enumField(raw, "side", SIDES, true)!;
  const type = enumField(raw, "type", TYPES, true)!;
  const tif = enumField(raw, "time_in_force", TIFS, true)!;
  const orderClass = enumField(raw, "order_class", CLASSES, false) ?? "";
  const qty = decimalField(raw, "qty");
  const notional = decimalField(raw, "notional");
  if (qty === null && notional === null) throw invalid("qty or notional is required");
  if (qty !== null && notional !== null) throw invalid("only one of qty or notional may be specified");
  positive("qty", qty);
  positive("notional", notional);
  const limit = decimalField(raw, "limit_price");
  const stop = decimalField(raw, "stop_price");
  const trailPrice = decimalField(raw, "trail_price");
  const trailPercent = decimalField(raw, "trail_percent");
  for (const [n, v] of [["limit_price", limit], ["stop_price", stop], ["trail_price", trailPrice], ["trail_percent", trailPercent]] as const) positive(n, v);
  const extendedHours = raw.extended_hours === true || raw.extended_hours === "true";
  const cid = raw.client_order_id;
  if (cid !== undefined && cid !== null && typeof cid !== "string") throw invalid("invalid client_order_id");
  const clientOrderId = typeof cid === "string" && cid !== "" ? cid : null;
  if (clientOrderId !== null && clientOrderId.length > 48) throw invalid("client_order_id must be no more than 48 characters");

  if ((type === "stop" || type === "stop_limit") && stop === null) throw invalid("stop_price is required for stop and stop_limit orders");
  if (type === "trailing_stop") {
    if ((trailPrice === null) === (trailPercent === null)) throw invalid("exactly one of trail_price or trail_percent is required for trailing_stop orders");
    if (tif !== "day" && tif !== "gtc") throw unprocessable("trailing_stop orders must be day or gtc orders");
  }

  let takeProfit: OrderSpec["takeProfit"] = null;
  let stopLoss: OrderSpec["stopLoss"] = null;
  if (isRecord(raw.take_profit)) {
    const l = decimalField(raw.take_profit, "limit_price");
    if (l === null) throw invalid("take_profit.limit_price is required");
    positive("take_profit.limit_price", l);
    takeProfit = { limit: l };
  }
  if (isRecord(raw.stop_loss)) {
    const s = decimalField(raw.stop_loss, "stop_price");
    if (s === null) throw invalid("stop_loss.stop_price is required");
    const l = decimalField(raw.stop_loss, "limit_price");
    positive("stop_loss.stop_price", s);
    positive("stop_loss.limit_price", l);
    stopLoss = { stop: s, limit: l };
  }

  // An OCO's own limit is its take-profit price (the documented example sends no top-level limit_price).
  const ocoLimit = orderClass === "oco" && type === "limit" ? (takeProfit?.limit ?? null) : null;
  if ((type === "limit" || type === "stop_limit") && limit === null && ocoLimit === null) throw invalid("limit_price is required for limit and stop_limit orders");

  const spec: OrderSpec = {
    symbol: symbol.trim(),
    qty,
    notional,
    side,
    type,
    tif,
    limit: limit ?? ocoLimit,
    stop,
    trailPrice,
    trailPercent,
    extendedHours,
    clientOrderId,
    orderClass,
    takeProfit,
    stopLoss,
  };
  checkClassRules(spec, assetClassOf(spec.symbol));
  return spec;
}

/** Rules per security type, sessions, fractional and notional orders, sub-penny prices and advanced classes. */
function checkClassRules(o: OrderSpec, assetClass: AlpacaAssetClass): void {
  const advanced = o.orderClass === "bracket" || o.orderClass === "oco" || o.orderClass === "oto";
  if (assetClass === "crypto") {
    if (o.tif !== "gtc" && o.tif !== "ioc") throw unprocessable("invalid crypto time_in_force");
    if (o.type !== "market" && o.type !== "limit" && o.type !== "stop_limit") throw unprocessable(`invalid order type for crypto order: ${o.type}`);
    if (advanced) throw unprocessable("crypto orders support only the simple order class");
    if (o.notional !== null && o.type !== "market") throw unprocessable("notional orders must be market orders");
    return;
  }
  if (assetClass === "us_option") {
    if (o.tif !== "day") throw unprocessable("options orders must be day orders");
    if (o.type !== "market" && o.type !== "limit") throw unprocessable(`invalid order type for options order: ${o.type}`);
    if (advanced) throw unprocessable("options orders support only the simple order class");
    if (o.notional !== null) throw unprocessable("notional is not supported for options orders");
    if (o.qty !== null && !o.qty.round(0, 0).eq(o.qty)) throw unprocessable("qty must be a whole number for options orders");
    if (o.extendedHours) throw unprocessable("extended hours are not supported for options orders");
  }
  if (o.extendedHours && !(o.type === "limit" && o.tif === "day")) throw unprocessable("extended hours order must be DAY limit orders");
  if (o.notional !== null && !(o.type === "market" && o.tif === "day")) throw unprocessable("notional orders must be market day orders");
  if (o.qty !== null && !o.qty.round(0, 0).eq(o.qty) && !(o.type === "market" && o.tif === "day")) {
    throw unprocessable("fractional orders must be market day orders");
  }
  if ((o.tif === "opg" || o.tif === "cls") && o.type !== "market" && o.type !== "limit") {
    throw unprocessable(`${o.tif} orders must be market or limit orders`);
  }
  if (o.limit !== null) checkSubPenny("limit_price", o.limit);
  if (o.stop !== null) checkSubPenny("stop_price", o.stop);
  if (!advanced) return;

  // Bracket, OCO and OTO (documented under "Bracket Orders", "OCO Orders", "OTO Orders").
  if (o.tif !== "day" && o.tif !== "gtc") throw unprocessable("time_in_force must be day or gtc for advanced orders");
  if (o.extendedHours) throw unprocessable("extended hours are not supported for advanced orders");
  if (o.type === "trailing_stop") throw unprocessable("trailing_stop orders are supported only as simple orders");
  if (o.notional !== null || (o.qty !== null && !o.qty.round(0, 0).eq(o.qty))) throw unprocessable("fractional and notional orders cannot be advanced orders");
  if (o.orderClass === "bracket" || o.orderClass === "oco") {
    if (!o.takeProfit || !o.stopLoss) throw unprocessable(`take_profit and stop_loss are required for ${o.orderClass} orders`);
  } else if ((o.takeProfit === null) === (o.stopLoss === null)) {
    throw unprocessable("exactly one of take_profit or stop_loss is required for oto orders");
  }
  if (o.orderClass === "oco" && o.type !== "limit") throw unprocessable("oco orders must be limit orders");
  if (o.takeProfit) checkSubPenny("limit_price", o.takeProfit.limit);
  if (o.stopLoss) checkSubPenny("stop_price", o.stopLoss.stop);
  if (o.takeProfit && o.stopLoss) {
    // The exit legs sell after a buy entry (and buy after a sell entry); an OCO's side is the exit's own.
    const exitSells = o.orderClass === "oco" ? o.side === "sell" : o.side === "buy";
    const ok = exitSells ? o.takeProfit.limit.gt(o.stopLoss.stop) : o.takeProfit.limit.lt(o.stopLoss.stop);
    if (!ok) {
      throw unprocessable(
        exitSells ? "take_profit.limit_price must be greater than stop_loss.stop_price" : "take_profit.limit_price must be less than stop_loss.stop_price",
      );
    }
  }
}

/**
 * The documented stop-price threshold of advanced orders: the stop must be
 * at least $0.01 beyond the base price (the take-profit for OCO, the entry's
 * limit for limit entries, and the current price in every case).
 */
export function checkStopThreshold(o: OrderSpec, marketPrice: Big): void {
  if (!o.stopLoss) return;
  const exitSells = o.orderClass === "oco" ? o.side === "sell" : o.side === "buy";
  const bases = [marketPrice];
  if (o.orderClass === "oco" && o.takeProfit) bases.push(o.takeProfit.limit);
  if (o.orderClass !== "oco" && o.type === "limit" && o.limit !== null) bases.push(o.limit);
  const cent = new Big("0.01");
  for (const base of bases) {
    if (exitSells && o.stopLoss.stop.gt(base.minus(cent))) throw unprocessable(`stop_loss.stop_price must be <= base_price - 0.01 (base_price: ${base.toFixed()})`);
    if (!exitSells && o.stopLoss.stop.lt(base.plus(cent))) throw unprocessable(`stop_loss.stop_price must be >= base_price + 0.01 (base_price: ${base.toFixed()})`);
  }
}

/** Fields of `PATCH /v2/orders/{id}` (each overrides the old order's value). */
export interface ReplaceSpec {
  qty: Big | null;
  tif: AlpacaTimeInForce | null;
  limit: Big | null;
  stop: Big | null;
  trail: Big | null;
  clientOrderId: string | null;
}

/** Parses a `PATCH /v2/orders/{id}` body. */
export function parseReplace(raw: unknown): ReplaceSpec {
  if (!isRecord(raw)) throw invalid("request body must be a JSON object");
  const cid = raw.client_order_id;
  if (cid !== undefined && cid !== null && typeof cid !== "string") throw invalid("invalid client_order_id");
  if (typeof cid === "string" && cid.length > 48) throw invalid("client_order_id must be no more than 48 characters");
  const spec: ReplaceSpec = {
    qty: decimalField(raw, "qty"),
    tif: enumField(raw, "time_in_force", TIFS, false),
    limit: decimalField(raw, "limit_price"),
    stop: decimalField(raw, "stop_price"),
    trail: decimalField(raw, "trail"),
    clientOrderId: typeof cid === "string" && cid !== "" ? cid : null,
  };
  positive("qty", spec.qty);
  positive("limit_price", spec.limit);
  positive("stop_price", spec.stop);
  positive("trail", spec.trail);
  return spec;
}
