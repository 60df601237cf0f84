/**
 * Tradeloop's normalized models ↔ OANDA v20 JSON, both ways. Pure functions,
 * so static tests drive them with fixtures and no network.
 *
 * @module
 */
import {
  Big,
  BrokerError,
  dec,
  toDecimal,
  type Balance,
  type BrokerOrder,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type Position,
  type TimeInForce,
} from "../sdk";
import { oandaInstrument, tickerFromInstrument } from "./symbols";
import type { AccountSummaryResponseSchema, OpenPositionsSchema, WireFill, WireOrder } from "./wire";
import type { z } from "zod";

/** The `order` object of `POST /accounts/{id}/orders`. */
export interface OandaOrderRequest {
  type: "MARKET" | "LIMIT" | "STOP";
  instrument: string;
  units: string;
  price?: string;
  timeInForce: "FOK" | "IOC" | "GTC" | "GFD";
  positionFill: "REDUCE_FIRST";
  clientExtensions: { id: string; tag: string };
  takeProfitOnFill?: { price: string; timeInForce: "GTC" };
  stopLossOnFill?: { price: string; timeInForce: "GTC" };
  trailingStopLossOnFill?: { distance: string; timeInForce: "GTC" };
}

/** Tag on every order Tradeloop places, so traders can tell them apart in OANDA's platform. */
export const ORDER_TAG = "tradeloop";

function unsupported(message: string): BrokerError {
  return new BrokerError(message, { code: "unsupported", kind: "unsupported" });
}

function timeInForceFor(request: OrderRequest): OandaOrderRequest["timeInForce"] {
  const tif = request.timeInForce;
  if (tif === "opg" || tif === "cls") throw unsupported(`OANDA has no ${tif} orders: forex trades around the clock.`);
  if (request.type === "market") return tif === "ioc" ? "IOC" : "FOK"; // OANDA: market orders are FOK or IOC only.
  return tif === "day" ? "GFD" : tif === "ioc" ? "IOC" : tif === "fok" ? "FOK" : "GTC";
}

/**
 * Normalized request → OANDA order. Units are signed (a sell is negative);
 * `positionFill: REDUCE_FIRST` makes a sell against a long close it first
 * (Tradeloop thinks in net positions, also on hedging-enabled accounts).
 * Brackets become on-fill orders attached to the trade the fill opens.
 */
export function toOandaOrder(request: OrderRequest): OandaOrderRequest {
  if (request.type === "stop_limit" || request.type === "trailing_stop") {
    throw unsupported(
      request.type === "trailing_stop"
        ? "OANDA trailing stops only exist attached to an open trade; send the trailing stop as the entry's stop loss."
        : "OANDA has no stop-limit orders; use a stop or a limit order.",
    );
  }
  const quantity = dec(request.quantity);
  const order: OandaOrderRequest = {
    type: request.type === "market" ? "MARKET" : request.type === "limit" ? "LIMIT" : "STOP",
    instrument: oandaInstrument(request.ticker),
    units: toDecimal(request.side === "sell" ? quantity.neg() : quantity),
    timeInForce: timeInForceFor(request),
    positionFill: "REDUCE_FIRST",
    // clientExtensions.id is OANDA's idempotency key: a second order with the same id is refused.
    clientExtensions: { id: request.clientOrderId, tag: ORDER_TAG },
  };
  const price = request.type === "limit" ? request.limitPrice : request.type === "stop" ? request.stopPrice : undefined;
  if (request.type !== "market") {
    if (price === undefined) throw new BrokerError(`A ${request.type} order needs a price.`, { code: "invalid-order", kind: "rejected" });
    order.price = price;
  }
  const tp = request.bracket?.takeProfit;
  if (tp) order.takeProfitOnFill = { price: tp.limitPrice, timeInForce: "GTC" };
  const sl = request.bracket?.stopLoss;
  if (sl) {
    if (sl.type === "stop" && sl.stopPrice !== undefined) order.stopLossOnFill = { price: sl.stopPrice, timeInForce: "GTC" };
    else if (sl.type === "trailing_stop" && sl.trailAmount !== undefined) {
      order.trailingStopLossOnFill = { distance: sl.trailAmount, timeInForce: "GTC" };
    } else if (sl.type === "trailing_stop") {
      throw unsupported("OANDA trailing stops take a price distance (trailAmount), not a percentage.");
    } else {
      throw unsupported("OANDA stop losses are stop orders with a stop price; a stop-limit stop loss is not available.");
    }
  }
  return order;
}

const STATUS: Readonly<Record<WireOrder["state"], OrderStatus>> = {
  PENDING: "open",
  TRIGGERED: "open",
  FILLED: "filled",
  CANCELLED: "cancelled",
};

const TIF: Readonly<Record<string, TimeInForce>> = { GTC: "gtc", GFD: "day", FOK: "fok", IOC: "ioc" };

const DEPENDENT_TYPES: Readonly<Record<string, { type: OrderType; role: "take_profit" | "stop_loss" }>> = {
  TAKE_PROFIT: { type: "limit", role: "take_profit" },
  STOP_LOSS: { type: "stop", role: "stop_loss" },
  GUARANTEED_STOP_LOSS: { type: "stop", role: "stop_loss" },
  TRAILING_STOP_LOSS: { type: "trailing_stop", role: "stop_loss" },
};

/** True for orders that belong to a trade (take profit, stop loss, trailing stop) rather than open one. */
export function isDependentOrder(order: WireOrder): boolean {
  return order.tradeID !== undefined && order.type in DEPENDENT_TYPES;
}

/**
 * Average fill price of an ORDER_FILL: OANDA marks its `price` deprecated and
 * gives the exact price per trade opened, reduced or closed, so this is the
 * units-weighted mean of those (decimal math, no floats).
 */
export function fillPrice(fill: WireFill): string | null {
  const parts = [fill.tradeOpened, fill.tradeReduced, ...(fill.tradesClosed ?? [])].filter((p) => p?.price !== undefined);
  let units = new Big(0);
  let notional = new Big(0);
  for (const part of parts) {
    const u = dec(part!.units).abs();
    units = units.plus(u);
    notional = notional.plus(u.times(part!.price!));
  }
  if (units.gt(0)) return toDecimal(notional.div(units));
  return fill.price ?? null;
}

/** What the caller knows beyond the order object itself. */
export interface OrderContext {
  fill?: WireFill;
  /** For dependent orders: the trade they belong to. */
  trade?: { instrument: string; currentUnits: string; initialUnits?: string | undefined };
  /** For dependent orders: the entry order whose fill opened the trade. */
  parentBrokerOrderId?: string;
  raw?: unknown;
}

/** OANDA Order (+ its fill, + its trade for dependent orders) → normalized order. */
export function toBrokerOrder(order: WireOrder, context: OrderContext = {}): BrokerOrder {
  const dependent = DEPENDENT_TYPES[order.type];
  const instrument = order.instrument ?? context.trade?.instrument ?? "";
  // Dependent orders close their trade: the opposite side, for what is left of it (what they filled,
  // once filled; the trade's opening size once it is closed and its current size reads 0).
  let signedUnits = dec(order.units ?? "0");
  if (dependent && context.trade) {
    const current = dec(context.trade.currentUnits);
    const size = context.fill ? dec(context.fill.units).neg() : current.eq(0) ? dec(context.trade.initialUnits ?? "0") : current;
    signedUnits = size.neg();
  }
  const quantity = toDecimal(signedUnits.abs());
  const status = STATUS[order.state];
  const filled = status === "filled" ? (context.fill ? toDecimal(dec(context.fill.units).abs()) : quantity) : "0";
  const type: OrderType = dependent?.type ?? (order.type === "LIMIT" ? "limit" : order.type === "MARKET" ? "market" : "stop");
  const price = type === "trailing_stop" ? (order.trailingStopValue ?? null) : (order.price ?? null);
  const result: BrokerOrder = {
    brokerOrderId: order.id,
    clientOrderId: order.clientExtensions?.id ?? null,
    ticker: tickerFromInstrument(instrument),
    side: signedUnits.lt(0) ? "sell" : "buy",
    type,
    quantity,
    limitPrice: type === "limit" ? price : null,
    stopPrice: type === "stop" || type === "trailing_stop" ? price : null,
    timeInForce: order.timeInForce ? (TIF[order.timeInForce] ?? null) : null,
    status,
    filledQuantity: filled,
    avgFillPrice: context.fill ? fillPrice(context.fill) : null,
    raw: context.raw ?? order,
  };
  if (dependent) result.role = dependent.role;
  if (context.parentBrokerOrderId !== undefined) result.parentBrokerOrderId = context.parentBrokerOrderId;
  if (order.createTime) result.createdAt = order.createTime;
  const updated = order.filledTime ?? order.cancelledTime;
  if (updated) result.updatedAt = updated;
  return result;
}

/** `openPositions` → net positions. Hedging accounts can hold both sides; Tradeloop sees the net. */
export function toPositions(body: z.infer<typeof OpenPositionsSchema>): Position[] {
  const positions: Position[] = [];
  for (const p of body.positions) {
    const long = dec(p.long.units);
    const short = dec(p.short.units); // already negative
    const net = long.plus(short);
    if (net.eq(0)) continue;
    const side = net.gt(0) ? p.long : p.short;
    positions.push({
      ticker: tickerFromInstrument(p.instrument),
      quantity: toDecimal(net),
      avgPrice: toDecimal(side.averagePrice ?? "0"),
      raw: p,
    });
  }
  return positions;
}

/** Account summary → balance. Cash is the account balance, equity its NAV, buying power the free margin. */
export function toBalance(body: z.infer<typeof AccountSummaryResponseSchema>, raw: unknown): Balance {
  const a = body.account;
  const balance: Balance = { currency: a.currency, cash: toDecimal(a.balance), equity: toDecimal(a.NAV), raw };
  if (a.marginAvailable !== undefined) balance.buyingPower = toDecimal(a.marginAvailable);
  return balance;
}
