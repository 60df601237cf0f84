/**
 * Tradeloop's normalized models ↔ Alpaca's JSON, in both directions. Pure
 * functions, so the static request and response tests drive them directly.
 *
 * @module
 */
import {
  dec,
  toDecimal,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type OrderRequest,
  type OrderRole,
  type OrderType,
  type Position,
  type Quote,
  type TimeInForce,
} from "../sdk";
import { normalizeStatus } from "./status";
import { tickerFromAlpaca } from "./symbols";
import type { AlpacaNewOrderBody, WireAccount, WireOrder, WirePosition } from "./wire";

export { ALPACA_STATUS_TABLE, normalizeStatus } from "./status";

const ORDER_TYPES = new Set<OrderType>(["market", "limit", "stop", "stop_limit", "trailing_stop"]);
const TIME_IN_FORCE = new Set<TimeInForce>(["day", "gtc", "opg", "cls", "ioc", "fok"]);

/** Normalized order request → `POST /v2/orders` body. Absent optional fields are left out, not sent as null. */
export function toNewOrderBody(request: OrderRequest, symbol: string, clientOrderId: string): AlpacaNewOrderBody {
  const body: AlpacaNewOrderBody = {
    symbol,
    qty: toDecimal(request.quantity),
    side: request.side,
    type: request.type,
    time_in_force: request.timeInForce,
    client_order_id: clientOrderId,
  };
  if (request.limitPrice !== undefined) body.limit_price = toDecimal(request.limitPrice);
  if (request.stopPrice !== undefined) body.stop_price = toDecimal(request.stopPrice);
  if (request.type === "trailing_stop") {
    // Alpaca names the dollar trail `trail_price`.
    if (request.trailAmount !== undefined) body.trail_price = toDecimal(request.trailAmount);
    else if (request.trailPercent !== undefined) body.trail_percent = toDecimal(request.trailPercent);
  }
  if (request.extendedHours === true) body.extended_hours = true;
  const tp = request.bracket?.takeProfit;
  const sl = request.bracket?.stopLoss;
  if (tp || sl) {
    // Both legs = bracket (OTOCO); one leg = OTO.
    body.order_class = tp && sl ? "bracket" : "oto";
    if (tp) body.take_profit = { limit_price: toDecimal(tp.limitPrice) };
    if (sl?.stopPrice !== undefined) {
      body.stop_loss = { stop_price: toDecimal(sl.stopPrice) };
      if (sl.type === "stop_limit" && sl.limitPrice !== undefined) body.stop_loss.limit_price = toDecimal(sl.limitPrice);
    }
  }
  return body;
}

function legRole(leg: WireOrder): OrderRole {
  return leg.type === "limit" ? "take_profit" : "stop_loss";
}

/**
 * Wire order → normalized order. `parent` is set for a leg read under its
 * entry. `nestedRead`: the order was read with `nested=true`, so a bracket
 * or OTO order without legs of its own is itself a leg (its entry rolls legs up).
 */
export function toBrokerOrder(o: WireOrder, parent?: WireOrder, nestedRead = false): BrokerOrder {
  const qty = o.qty ?? (o.notional === null ? null : o.filled_qty);
  const filled = o.filled_qty;
  const order: BrokerOrder = {
    brokerOrderId: o.id,
    clientOrderId: o.client_order_id,
    ticker: o.symbol === null ? "" : tickerFromAlpaca(o.symbol, o.asset_class),
    side: o.side === "sell" ? "sell" : "buy",
    type: ORDER_TYPES.has(o.type as OrderType) ? (o.type as OrderType) : "market",
    quantity: qty ?? "0",
    limitPrice: o.limit_price,
    stopPrice: o.stop_price,
    timeInForce: TIME_IN_FORCE.has(o.time_in_force as TimeInForce) ? (o.time_in_force as TimeInForce) : null,
    status: normalizeStatus(o.status, filled, qty),
    filledQuantity: filled,
    // Alpaca may report "0" as the average before anything filled.
    avgFillPrice: dec(filled).gt(0) ? o.filled_avg_price : null,
    parentBrokerOrderId: parent ? parent.id : null,
    raw: o,
  };
  if (o.created_at) order.createdAt = o.created_at;
  if (o.updated_at) order.updatedAt = o.updated_at;
  const hasLegs = (o.legs?.length ?? 0) > 0;
  if (parent) order.role = legRole(o);
  // In an OCO group the take-profit is the parent and the stop-loss its leg.
  else if (o.order_class === "oco") order.role = hasLegs || !nestedRead ? "take_profit" : legRole(o);
  else if (o.order_class === "bracket" || o.order_class === "oto") order.role = hasLegs || !nestedRead ? "entry" : legRole(o);
  return order;
}

/**
 * An order list read with `nested=true` → flat normalized orders: each
 * parent, then its legs with `parentBrokerOrderId` set. Orders without a
 * symbol (multi-leg option parents) are skipped: Tradeloop never sends them.
 */
export function flattenOrders(list: readonly WireOrder[], keep: (o: BrokerOrder) => boolean): BrokerOrder[] {
  const out: BrokerOrder[] = [];
  for (const parent of list) {
    if (parent.symbol !== null) {
      const p = toBrokerOrder(parent, undefined, true);
      if (keep(p)) out.push(p);
    }
    for (const leg of parent.legs ?? []) {
      if (leg.symbol === null) continue;
      const l = toBrokerOrder(leg, parent);
      if (keep(l)) out.push(l);
    }
  }
  return out;
}

/** Wire position → normalized position; quantity is signed (negative = short). */
export function toPosition(p: WirePosition): Position {
  // Alpaca reports shorts with a negative qty already; trust `side` if a payload ever disagrees.
  const qty = p.side === "short" && !p.qty.startsWith("-") ? toDecimal(dec(p.qty).neg()) : p.qty;
  return { ticker: tickerFromAlpaca(p.symbol, p.asset_class), quantity: qty, avgPrice: p.avg_entry_price, raw: p };
}

/** Wire account → normalized balance. */
export function toBalance(a: WireAccount): Balance {
  return { currency: a.currency, cash: a.cash, equity: a.equity, buyingPower: a.buying_power, raw: a };
}

/** Wire account → the one account an Alpaca key reaches. */
export function toAccount(a: WireAccount, mode: "paper" | "live"): BrokerAccount {
  return {
    brokerAccountId: a.id,
    mode,
    name: `Alpaca ${mode} ${a.account_number}`,
    currency: a.currency,
  };
}

/** A latest quote → normalized quote. Alpaca sends 0 for an empty side; that means "no quote", not a price of 0. */
export function toQuote(ticker: string, q: { t: string; ap?: number | null | undefined; bp?: number | null | undefined }): Quote {
  const side = (v: number | null | undefined): string | null => (v === null || v === undefined || !(v > 0) ? null : toDecimal(v));
  return { ticker, bid: side(q.bp), ask: side(q.ap), last: null, at: q.t };
}
