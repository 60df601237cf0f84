/**
 * Tradeloop's normalized models ↔ Coinbase Advanced Trade JSON. Pure
 * functions, so the static request and response tests drive them directly.
 *
 * @module
 */
import {
  BrokerError,
  dec,
  toDecimal,
  type Balance,
  type BrokerOrder,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type Position,
  type Quote,
  type TimeInForce,
} from "../sdk";
import { CASH_CURRENCY, tickerFromProduct } from "./symbols";
import type { WireAccount, WireConfig, WireOrder } from "./wire";

/** `POST /orders` body. Exactly one key in `order_configuration`; TIF is part of that key. */
export interface NewOrderBody {
  client_order_id: string;
  product_id: string;
  side: "BUY" | "SELL";
  order_configuration: Record<string, Record<string, string | boolean>>;
  attached_order_configuration?: Record<string, Record<string, string>>;
}

function unsupported(message: string): BrokerError {
  return new BrokerError(message, { code: "unsupported-order", kind: "unsupported" });
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new BrokerError(`A ${what} is required for this order.`, { code: "invalid-order", kind: "rejected" });
  return value;
}

/** The order-configuration key and its fields for an intent. Throws `unsupported` before anything is sent. */
function configurationFor(o: OrderRequest): [string, Record<string, string | boolean>] {
  const base_size = o.quantity;
  if (o.type === "market") {
    // Size in base currency for both sides; Coinbase market orders are always IOC.
    return ["market_market_ioc", { base_size }];
  }
  if (o.type === "limit") {
    const limit_price = need(o.limitPrice, "limit price");
    if (o.timeInForce === "gtc") return ["limit_limit_gtc", { base_size, limit_price, post_only: false }];
    if (o.timeInForce === "ioc") return ["sor_limit_ioc", { base_size, limit_price }];
    if (o.timeInForce === "fok") return ["limit_limit_fok", { base_size, limit_price }];
    throw unsupported(`Coinbase limit orders take time in force gtc, ioc or fok, not ${o.timeInForce}.`);
  }
  if (o.type === "stop_limit") {
    if (o.timeInForce !== "gtc") throw unsupported(`Coinbase stop-limit orders are gtc only, not ${o.timeInForce}.`);
    return [
      "stop_limit_stop_limit_gtc",
      {
        base_size,
        limit_price: need(o.limitPrice, "limit price"),
        stop_price: need(o.stopPrice, "stop price"),
        // A buy stop triggers on a rise, a sell stop on a fall.
        stop_direction: o.side === "buy" ? "STOP_DIRECTION_STOP_UP" : "STOP_DIRECTION_STOP_DOWN",
      },
    ];
  }
  if (o.type === "stop") throw unsupported("Coinbase has no stop-market order for spot; use a stop-limit order.");
  throw unsupported("Coinbase has no trailing stop orders.");
}

/**
 * Coinbase attaches exits as ONE `trigger_bracket_gtc` order (take-profit
 * limit plus stop trigger, one cancels the other), sized like the entry, so
 * the attached configuration carries no size. Only TP+SL together exist.
 */
function attachedFor(o: OrderRequest): NewOrderBody["attached_order_configuration"] {
  const b = o.bracket;
  if (!b || (!b.takeProfit && !b.stopLoss)) return undefined;
  if (!b.takeProfit || !b.stopLoss) {
    throw unsupported("Coinbase attaches a take profit and a stop loss together only; send both, or the exit as its own order.");
  }
  if (b.stopLoss.type !== "stop" || b.stopLoss.stopPrice === undefined) {
    throw unsupported("A Coinbase bracket stop loss is a stop trigger price only (type stop), not stop_limit or trailing.");
  }
  if (o.type !== "market" && o.type !== "limit") throw unsupported("Coinbase attaches a bracket to market or limit entries only.");
  return { trigger_bracket_gtc: { limit_price: b.takeProfit.limitPrice, stop_trigger_price: b.stopLoss.stopPrice } };
}

/** Normalized order request → `POST /orders` body. */
export function toNewOrderBody(o: OrderRequest, productId: string): NewOrderBody {
  const [key, config] = configurationFor(o);
  const body: NewOrderBody = {
    client_order_id: o.clientOrderId,
    product_id: productId,
    side: o.side === "buy" ? "BUY" : "SELL",
    order_configuration: { [key]: config },
  };
  const attached = attachedFor(o);
  if (attached) body.attached_order_configuration = attached;
  return body;
}

/** Coinbase order status → the one state machine. `OPEN` with fills is `partially_filled`. */
export function toStatus(status: string, filled: string): OrderStatus {
  switch (status) {
    case "OPEN":
    case "EDIT_QUEUED":
    case "CANCEL_QUEUED":
      return dec(filled).gt(0) ? "partially_filled" : "open";
    case "FILLED":
      return "filled";
    case "CANCELLED":
      return "cancelled";
    case "EXPIRED":
      return "expired";
    case "FAILED":
      return "rejected";
    default:
      // PENDING, QUEUED, UNKNOWN_ORDER_STATUS: accepted but not yet working.
      return "pending";
  }
}

function typeFor(key: string): OrderType {
  if (key.startsWith("market_")) return "market";
  if (key.startsWith("stop_limit_")) return "stop_limit";
  // limit_limit_*, sor_limit_ioc, and trigger_bracket_* (a limit with a stop trigger).
  return "limit";
}

function tifFor(key: string): TimeInForce | null {
  if (key.endsWith("_gtc")) return "gtc";
  if (key.endsWith("_ioc")) return "ioc";
  if (key.endsWith("_fok")) return "fok";
  return null;
}

/** Wire order → normalized order. `clientOrderId` is Coinbase's, which is Tradeloop's id sent unchanged. */
export function toBrokerOrder(o: WireOrder): BrokerOrder {
  const [key, cfg] = Object.entries(o.order_configuration ?? {})[0] ?? ["", {} as WireConfig];
  const filled = o.filled_size ?? "0";
  const order: BrokerOrder = {
    brokerOrderId: o.order_id,
    clientOrderId: o.client_order_id ? o.client_order_id : null,
    ticker: tickerFromProduct(o.product_id),
    side: o.side === "BUY" ? "buy" : "sell",
    type: typeFor(key),
    // Orders sized in quote currency (placed elsewhere) have no base size until they fill.
    quantity: cfg.base_size ?? filled,
    limitPrice: cfg.limit_price ?? null,
    stopPrice: cfg.stop_price ?? cfg.stop_trigger_price ?? null,
    timeInForce: tifFor(key),
    status: toStatus(o.status, filled),
    filledQuantity: filled,
    avgFillPrice: dec(filled).gt(0) ? (o.average_filled_price ?? null) : null,
    parentBrokerOrderId: o.originating_order_id ? o.originating_order_id : null,
    raw: o,
  };
  if (o.created_time) order.createdAt = o.created_time;
  const updated = o.last_update_time ?? o.last_fill_time;
  if (updated) order.updatedAt = updated;
  return order;
}

/**
 * Suffix of the stop-loss leg's id. Coinbase's attached bracket is ONE venue
 * order (`trigger_bracket_gtc`: a take-profit limit and a stop trigger, one
 * cancels the other). Tradeloop reports it as the two legs it is to the
 * trader: the take profit under the venue id, the stop loss under the venue
 * id + this suffix. Reading or cancelling either leg reads or cancels the
 * one venue order.
 */
export const STOP_LEG_SUFFIX = "~stop";

/** The venue order id behind a leg id. */
export function venueOrderId(brokerOrderId: string): string {
  return brokerOrderId.endsWith(STOP_LEG_SUFFIX) ? brokerOrderId.slice(0, -STOP_LEG_SUFFIX.length) : brokerOrderId;
}

export function isBracketOrder(o: WireOrder): boolean {
  return Object.keys(o.order_configuration ?? {}).some((k) => k.startsWith("trigger_bracket_"));
}

/** Which leg of a bracket order executed: the stop when it triggered (or filled worse than the limit). */
function stopExecuted(o: WireOrder, limit: string | null): boolean {
  if (o.trigger_status === "STOP_TRIGGERED") return true;
  const avg = o.average_filled_price;
  if (!avg || limit === null || !dec(o.filled_size ?? "0").gt(0)) return false;
  return o.side === "SELL" ? dec(avg).lt(limit) : dec(avg).gt(limit);
}

/** One leg of a bracket order, as its own normalized order. */
export function bracketLeg(o: WireOrder, leg: "take_profit" | "stop_loss"): BrokerOrder {
  const whole = toBrokerOrder(o);
  const executed = dec(whole.filledQuantity).gt(0) ? (stopExecuted(o, whole.limitPrice) ? "stop_loss" : "take_profit") : null;
  const view: BrokerOrder =
    leg === "take_profit"
      ? { ...whole, type: "limit", stopPrice: null, role: "take_profit" }
      : { ...whole, brokerOrderId: `${o.order_id}${STOP_LEG_SUFFIX}`, type: "stop", limitPrice: whole.stopPrice, role: "stop_loss" };
  if (leg === "stop_loss") view.limitPrice = null;
  if (executed !== null && executed !== leg) {
    // The sibling executed: this leg never filled, and is cancelled once the venue order is done.
    const done = whole.status === "filled" || whole.status === "cancelled" || whole.status === "expired";
    return { ...view, status: done ? "cancelled" : "open", filledQuantity: "0", avgFillPrice: null };
  }
  return view;
}

/** A venue order → the normalized orders it stands for (two for a bracket, one otherwise). */
export function toBrokerOrders(o: WireOrder): BrokerOrder[] {
  return isBracketOrder(o) ? [bracketLeg(o, "take_profit"), bracketLeg(o, "stop_loss")] : [toBrokerOrder(o)];
}

/** The normalized order a broker id names (a bracket leg id picks its leg). */
export function orderForId(o: WireOrder, brokerOrderId: string): BrokerOrder {
  if (!isBracketOrder(o)) return toBrokerOrder(o);
  return bracketLeg(o, brokerOrderId.endsWith(STOP_LEG_SUFFIX) ? "stop_loss" : "take_profit");
}

function total(a: WireAccount): string {
  return toDecimal(dec(a.available_balance.value ?? "0").plus(a.hold?.value ?? "0"));
}

/** Cash-like currencies valued 1:1 in USD without a quote. */
const CASH_LIKE = new Set(["USDC"]);

/** Currency accounts holding something other than the cash currency → spot positions (`BTC` → `BTCUSD`). */
export function toPositions(accounts: readonly WireAccount[]): Position[] {
  return accounts
    .filter((a) => a.currency !== CASH_CURRENCY && dec(total(a)).gt(0))
    .map((a) => ({
      ticker: `${a.currency}${CASH_CURRENCY}`,
      quantity: total(a),
      // /accounts reports balances, not cost basis; "0" marks the average price as unknown.
      avgPrice: "0",
      raw: a,
    }));
}

/**
 * Currency accounts + quotes → balance. Cash is the USD account (available +
 * hold); equity adds every other holding at its quote mid (USDC at 1). A
 * currency without a quote is left out of equity rather than guessed.
 */
export function toBalance(accounts: readonly WireAccount[], mids: ReadonlyMap<string, string>): Balance {
  const usd = accounts.find((a) => a.currency === CASH_CURRENCY);
  const cash = usd ? total(usd) : "0";
  let equity = dec(cash);
  for (const a of accounts) {
    if (a.currency === CASH_CURRENCY) continue;
    const price = CASH_LIKE.has(a.currency) ? "1" : mids.get(a.currency);
    if (price !== undefined) equity = equity.plus(dec(total(a)).times(price));
  }
  return {
    currency: CASH_CURRENCY,
    cash,
    equity: toDecimal(equity),
    buyingPower: usd?.available_balance.value ?? "0",
    raw: accounts,
  };
}

/** Best bid/ask of one product → quote. Coinbase's book snapshot has no last trade. */
export function toQuote(
  ticker: string,
  book: { bids: readonly { price: string | null }[]; asks: readonly { price: string | null }[]; time?: string | undefined },
  now: Date,
): Quote {
  return { ticker, bid: book.bids[0]?.price ?? null, ask: book.asks[0]?.price ?? null, last: null, at: book.time ?? now.toISOString() };
}

/** Mid of a book, or the one side it has. */
export function midOf(bid: string | null, ask: string | null): string | null {
  if (bid !== null && ask !== null) return toDecimal(dec(bid).plus(ask).div(2));
  return bid ?? ask;
}
