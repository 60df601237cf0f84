/**
 * Tradeloop models ↔ Binance Spot parameters and payloads. Pure functions,
 * so the static request and response tests can drive them directly.
 *
 * @module
 */
import {
  BrokerError,
  dec,
  toDecimal,
  type Bracket,
  type BrokerOrder,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type TimeInForce,
} from "../sdk";
import { CLIENT_ORDER_ID_PATTERN } from "./manifest";
import { tickerFromSymbol } from "./symbols";
import type { WireOrder } from "./wire";

export type Params = [string, string][];

/** `SYMBOL:orderId`. Binance needs the symbol to find an order, so our broker id carries it. */
export function brokerOrderIdOf(symbol: string, orderId: number): string {
  return `${symbol}:${orderId}`;
}

/** Splits a broker id made by {@link brokerOrderIdOf}. */
export function parseBrokerOrderId(id: string): { symbol: string; orderId: string } {
  const i = id.lastIndexOf(":");
  if (i <= 0 || !/^\d+$/.test(id.slice(i + 1))) {
    throw new BrokerError(`"${id}" is not a Binance order id (expected SYMBOL:orderId).`, { code: "order-not-found", kind: "rejected" });
  }
  return { symbol: id.slice(0, i), orderId: id.slice(i + 1) };
}

function unsupported(message: string, code: string): BrokerError {
  return new BrokerError(message, { code, kind: "unsupported" });
}

/** Binance has no session orders: `day` becomes GTC (crypto trades around the clock). */
export function binanceTimeInForce(tif: TimeInForce): "GTC" | "IOC" | "FOK" {
  switch (tif) {
    case "day":
    case "gtc":
      return "GTC";
    case "ioc":
      return "IOC";
    case "fok":
      return "FOK";
    default:
      throw unsupported(`Binance has no "${tif}" time in force.`, "time-in-force-not-supported");
  }
}

/** Percent → BIPS (1% = 100), as Binance's `trailingDelta` wants. Integers only. */
export function trailingDeltaFromPercent(percent: string): string {
  const bips = dec(percent).times(100);
  if (!bips.round(0).eq(bips) || bips.lte(0)) {
    throw unsupported(`Binance trails in whole basis points; ${percent}% is not a multiple of 0.01%.`, "invalid-trail");
  }
  return bips.toFixed(0);
}

/**
 * The limit price that stands in for "market" in a bracket entry: the best
 * quote moved `slippagePercent` against us, rounded away from the market to
 * the symbol's tick (a buy never pays more than this, a sell never gets less).
 */
export function protectedLimitPrice(side: "buy" | "sell", best: string, slippagePercent: string, tickSize: string | null): string {
  const factor = dec(slippagePercent).div(100);
  const raw = side === "buy" ? dec(best).times(dec(1).plus(factor)) : dec(best).times(dec(1).minus(factor));
  const tick = tickSize === null ? dec(0) : dec(tickSize);
  if (tick.lte(0)) return toDecimal(raw.round(8, side === "buy" ? 3 : 0));
  // big.js rounding modes: 0 = down, 3 = up.
  const steps = raw.div(tick).round(0, side === "buy" ? 3 : 0);
  return toDecimal(steps.times(tick));
}

/** Refuses client ids Binance would reject, before anything is sent. */
export function checkClientOrderId(id: string): void {
  if (!CLIENT_ORDER_ID_PATTERN.test(id)) {
    throw unsupported(`Client order id "${id}" does not fit Binance's rule (1-36 of A-Z a-z 0-9 _ -).`, "invalid-client-order-id");
  }
}

/**
 * A derived client id for a bracket leg or list: `tl` ids swap their prefix
 * (`tl…` → `tp…`), so the id stays 34 characters and readable; other ids get
 * a prefix when they still fit 36 characters.
 */
export function derivedClientId(base: string, tag: "tp" | "sl" | "ls"): string {
  if (/^tl[0-9a-f]{32}$/.test(base)) return `${tag}${base.slice(2)}`;
  const id = `${tag}-${base}`;
  if (id.length > 36) throw unsupported(`Client order id "${base}" is too long to derive bracket ids from (max 33 characters).`, "invalid-client-order-id");
  return id;
}

/** Parameters of a single order (`POST /api/v3/order`), in a fixed order (it is signed). */
export function newOrderParams(req: OrderRequest, symbol: string): Params {
  checkClientOrderId(req.clientOrderId);
  const p: Params = [
    ["symbol", symbol],
    ["side", req.side === "buy" ? "BUY" : "SELL"],
  ];
  switch (req.type) {
    case "market":
      p.push(["type", "MARKET"], ["quantity", req.quantity]);
      break;
    case "limit":
      p.push(["type", "LIMIT"], ["timeInForce", binanceTimeInForce(req.timeInForce)], ["quantity", req.quantity], ["price", need(req.limitPrice, "limitPrice")]);
      break;
    case "stop":
      p.push(["type", "STOP_LOSS"], ["quantity", req.quantity], ["stopPrice", need(req.stopPrice, "stopPrice")]);
      break;
    case "stop_limit":
      p.push(
        ["type", "STOP_LOSS_LIMIT"],
        ["timeInForce", binanceTimeInForce(req.timeInForce)],
        ["quantity", req.quantity],
        ["price", need(req.limitPrice, "limitPrice")],
        ["stopPrice", need(req.stopPrice, "stopPrice")],
      );
      break;
    case "trailing_stop":
      p.push(["type", "STOP_LOSS"], ["quantity", req.quantity], ...trailParams(req.trailPercent, req.trailAmount, req.stopPrice, ""));
      break;
  }
  p.push(["newClientOrderId", req.clientOrderId], ["newOrderRespType", "RESULT"]);
  return p;
}

function need(value: string | undefined, field: string): string {
  if (value === undefined) throw new BrokerError(`The order needs ${field}.`, { code: "invalid-order", kind: "rejected" });
  return value;
}

/** `trailingDelta` (+ optional activation `stopPrice`), with a prefix for list legs. */
function trailParams(percent: string | undefined, amount: string | undefined, stopPrice: string | undefined, prefix: string): Params {
  if (percent === undefined) {
    throw unsupported(
      amount !== undefined
        ? "Binance trails by percent only (trailingDelta in basis points); send trailPercent instead of trailAmount."
        : "A trailing stop needs trailPercent.",
      "trail-amount-not-supported",
    );
  }
  const p: Params = [[`${prefix}${prefix ? "TrailingDelta" : "trailingDelta"}`, trailingDeltaFromPercent(percent)]];
  if (stopPrice !== undefined) p.push([prefix ? `${prefix}StopPrice` : "stopPrice", stopPrice]);
  return p;
}

/** The exit legs' parameters for one side (`pendingAbove`, `pendingBelow` or `pending`). */
function legParams(prefix: string, leg: "tp" | "sl", bracket: Bracket, above: boolean, clientId: string): Params {
  const p: Params = [];
  if (leg === "tp") {
    const price = bracket.takeProfit?.limitPrice ?? "";
    // Above the market a resting maker limit is the take profit; below, Binance lists no LIMIT_MAKER
    // for the lower leg, so a TAKE_PROFIT_LIMIT at the same stop and limit price stands in.
    if (above) p.push([`${prefix}Type`, "LIMIT_MAKER"], [`${prefix}Price`, price]);
    else p.push([`${prefix}Type`, "TAKE_PROFIT_LIMIT"], [`${prefix}Price`, price], [`${prefix}StopPrice`, price], [`${prefix}TimeInForce`, "GTC"]);
  } else {
    const sl = bracket.stopLoss;
    if (!sl) throw new BrokerError("The bracket has no stop loss.", { code: "invalid-bracket", kind: "rejected" });
    if (sl.type === "stop") p.push([`${prefix}Type`, "STOP_LOSS"], [`${prefix}StopPrice`, need(sl.stopPrice, "stopLoss.stopPrice")]);
    else if (sl.type === "stop_limit") {
      p.push(
        [`${prefix}Type`, "STOP_LOSS_LIMIT"],
        [`${prefix}Price`, need(sl.limitPrice, "stopLoss.limitPrice")],
        [`${prefix}StopPrice`, need(sl.stopPrice, "stopLoss.stopPrice")],
        [`${prefix}TimeInForce`, "GTC"],
      );
    } else p.push([`${prefix}Type`, "STOP_LOSS"], ...trailParams(sl.trailPercent, sl.trailAmount, sl.stopPrice, prefix));
  }
  p.push([`${prefix}ClientOrderId`, clientId]);
  return p;
}

/**
 * A bracket entry as an order list: OTOCO when both exits are present, OTO
 * with one. Binance only accepts a LIMIT working (entry) order in both.
 */
export function orderListParams(req: OrderRequest, symbol: string, bracket: Bracket): { path: string; params: Params } {
  checkClientOrderId(req.clientOrderId);
  if (req.type !== "limit") {
    throw unsupported(
      "Binance attaches take-profit and stop-loss exits only to a limit entry (orderList/oto, orderList/otoco); send the entry as a limit order.",
      "bracket-entry-must-be-limit",
    );
  }
  const entrySide = req.side === "buy" ? "BUY" : "SELL";
  const exitSide = req.side === "buy" ? "SELL" : "BUY";
  const working: Params = [
    ["workingType", "LIMIT"],
    ["workingSide", entrySide],
    ["workingClientOrderId", req.clientOrderId],
    ["workingPrice", need(req.limitPrice, "limitPrice")],
    ["workingQuantity", req.quantity],
    ["workingTimeInForce", binanceTimeInForce(req.timeInForce)],
  ];
  const tpId = derivedClientId(req.clientOrderId, "tp");
  const slId = derivedClientId(req.clientOrderId, "sl");
  const head: Params = [
    ["symbol", symbol],
    ["listClientOrderId", derivedClientId(req.clientOrderId, "ls")],
  ];
  if (bracket.takeProfit && bracket.stopLoss) {
    // A long's take profit sits above the market and its stop below; a short's the other way round.
    const long = req.side === "buy";
    const above = long ? legParams("pendingAbove", "tp", bracket, true, tpId) : legParams("pendingAbove", "sl", bracket, true, slId);
    const below = long ? legParams("pendingBelow", "sl", bracket, false, slId) : legParams("pendingBelow", "tp", bracket, false, tpId);
    return {
      path: "/api/v3/orderList/otoco",
      params: [...head, ...working, ["pendingSide", exitSide], ["pendingQuantity", req.quantity], ...above, ...below, ["newOrderRespType", "RESULT"]],
    };
  }
  const leg: "tp" | "sl" = bracket.takeProfit ? "tp" : "sl";
  const pending = legParams("pending", leg, bracket, req.side === "buy", leg === "tp" ? tpId : slId);
  return {
    path: "/api/v3/orderList/oto",
    params: [...head, ...working, ["pendingSide", exitSide], ["pendingQuantity", req.quantity], ...pending, ["newOrderRespType", "RESULT"]],
  };
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: "open",
  // A dormant OTO/OTOCO leg: accepted, waiting for the entry to fill.
  PENDING_NEW: "open",
  PARTIALLY_FILLED: "partially_filled",
  FILLED: "filled",
  CANCELED: "cancelled",
  PENDING_CANCEL: "open",
  REJECTED: "rejected",
  EXPIRED: "expired",
  EXPIRED_IN_MATCH: "expired",
};

function orderType(o: WireOrder): OrderType {
  switch (o.type) {
    case "MARKET":
      return "market";
    case "LIMIT":
    case "LIMIT_MAKER":
      return "limit";
    case "STOP_LOSS":
    case "TAKE_PROFIT":
      return o.trailingDelta !== undefined ? "trailing_stop" : "stop";
    default:
      return "stop_limit";
  }
}

function positive(value: string | undefined): string | null {
  if (value === undefined) return null;
  const d = dec(value);
  return d.gt(0) ? toDecimal(d) : null;
}

/** Binance order → normalized order. Average price = quote spent / base executed. */
export function toBrokerOrder(o: WireOrder): BrokerOrder {
  const filled = dec(o.executedQty);
  const type = orderType(o);
  const hasLimit = type === "limit" || type === "stop_limit";
  const created = o.time ?? o.transactTime;
  const updated = o.updateTime ?? o.transactTime;
  const quote = dec(o.cummulativeQuoteQty);
  let status = STATUS[o.status] ?? "open";
  // An order-list leg that EXPIRED without a fill was ended by its sibling (OCO) or its entry: cancelled, for the core.
  if (status === "expired" && (o.orderListId ?? -1) >= 0 && filled.eq(0)) status = "cancelled";
  // Binance keeps `EXPIRED` for IOC/market remainders after partial fills; the fills still count.
  if (status === "open" && filled.gt(0)) status = "partially_filled";
  const order: BrokerOrder = {
    brokerOrderId: brokerOrderIdOf(o.symbol, o.orderId),
    clientOrderId: o.clientOrderId,
    ticker: tickerFromSymbol(o.symbol),
    side: o.side === "BUY" ? "buy" : "sell",
    type,
    quantity: toDecimal(o.origQty),
    limitPrice: hasLimit ? positive(o.price) : null,
    stopPrice: positive(o.stopPrice),
    timeInForce: o.timeInForce === "IOC" ? "ioc" : o.timeInForce === "FOK" ? "fok" : "gtc",
    status,
    filledQuantity: toDecimal(filled),
    // Some historical orders report a negative cumulative quote ("not available"): no average then.
    avgFillPrice: filled.gt(0) && quote.gt(0) ? toDecimal(quote.div(filled).round(8)) : null,
    raw: o,
  };
  if (created !== undefined) order.createdAt = new Date(created).toISOString();
  if (updated !== undefined) order.updatedAt = new Date(updated).toISOString();
  return order;
}

/** Bracket role of a list leg from its Binance type. */
export function roleOf(o: WireOrder): "take_profit" | "stop_loss" {
  return o.type === "LIMIT_MAKER" || o.type.startsWith("TAKE_PROFIT") ? "take_profit" : "stop_loss";
}
