/**
 * Tradeloop's models ↔ Tradier's forms and JSON. Pure functions.
 *
 * Tradier's `side` says what the order does to the position (`buy_to_cover`,
 * `sell_short`; `buy_to_open`... for options), so the side of an order
 * depends on the position it meets: {@link tradierSide} decides it from the
 * signed position the client reads just before sending.
 *
 * @module
 */
export { normalizeStatus, TRADIER_STATUS_TABLE } from "./status";
import {
  BrokerError,
  dec,
  toDecimal,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type OrderRequest,
  type OrderRole,
  type OrderType,
  type Position,
  type Quote,
} from "../sdk";
import { normalizeStatus } from "./status";
import { isOptionSymbol, tickerFromTradier, underlyingOf } from "./symbols";
import type { WireBalances, WireOrder, WirePosition, WireProfileAccount, WireQuote } from "./wire";

/** Tradier's side for an order of `side` meeting a signed `position`. Refuses a flip. */
export function tradierSide(side: "buy" | "sell", quantity: string, position: string, assetClass: AssetClass): string {
  const pos = dec(position);
  const qty = dec(quantity);
  const option = assetClass === "options";
  const closing = side === "buy" ? pos.lt(0) : pos.gt(0);
  if (closing && qty.gt(pos.abs())) {
    throw new BrokerError(
      `The ${side} of ${toDecimal(qty)} is larger than the ${pos.gt(0) ? "long" : "short"} position of ${toDecimal(pos.abs())}; Tradier never reverses a position in one order. Close it first, then open the other side.`,
      { code: "position-side-mismatch", kind: "rejected" },
    );
  }
  if (side === "buy") return option ? (closing ? "buy_to_close" : "buy_to_open") : closing ? "buy_to_cover" : "buy";
  return option ? (closing ? "sell_to_close" : "sell_to_open") : closing ? "sell" : "sell_short";
}

/**
 * The side of the exits of a bracket entered with `entrySide`: they close
 * what the entry opened (`sell` / `buy_to_cover` for shares,
 * `sell_to_close` / `buy_to_close` for contracts), never open more. A
 * bracket on an entry that itself closes a position (`sell`, `buy_to_cover`,
 * `*_to_close`) would have exits opening a new one, so it is refused.
 * (Found by the kit's bracket scenarios: the old fallback sent the options
 * side `buy_to_close` for the exits of a closing share order.)
 */
function exitSide(entrySide: string): string {
  switch (entrySide) {
    case "buy":
      return "sell";
    case "sell_short":
      return "buy_to_cover";
    case "buy_to_open":
      return "sell_to_close";
    case "sell_to_open":
      return "buy_to_close";
    default:
      throw new BrokerError(
        "A take profit or stop loss protects a position the order opens, but this order closes a position. Send the bracket with the entry, or close without one.",
        { code: "invalid-order", kind: "rejected" },
      );
  }
}

/** Tradier's duration. Extended hours are the `pre` and `post` sessions, picked by the New York clock. */
export function duration(request: OrderRequest, now: Date): string {
  if (request.extendedHours !== true) return request.timeInForce === "gtc" ? "gtc" : "day";
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hourCycle: "h23", hour: "2-digit", minute: "2-digit" }).formatToParts(now);
  const minutes = Number(parts.find((p) => p.type === "hour")?.value) * 60 + Number(parts.find((p) => p.type === "minute")?.value);
  if (minutes < 9 * 60 + 30) return "pre";
  if (minutes >= 16 * 60) return "post";
  return "day";
}

interface Leg {
  side: string;
  type: OrderType;
  limitPrice?: string | undefined;
  stopPrice?: string | undefined;
}

/** The form fields of one order (or one indexed leg `[i]` of an advanced order). */
function legFields(form: URLSearchParams, symbol: string, quantity: string, leg: Leg, index: number | null): void {
  const k = (name: string) => (index === null ? name : `${name}[${index}]`);
  const option = isOptionSymbol(symbol);
  form.set(k("symbol"), option ? underlyingOf(symbol) : symbol);
  if (option) form.set(k("option_symbol"), symbol);
  form.set(k("side"), leg.side);
  form.set(k("quantity"), toDecimal(quantity));
  form.set(k("type"), leg.type);
  if (leg.limitPrice !== undefined) form.set(k("price"), toDecimal(leg.limitPrice));
  if (leg.stopPrice !== undefined) form.set(k("stop"), toDecimal(leg.stopPrice));
}

/**
 * Normalized order → the `POST /accounts/{id}/orders` form. Both bracket
 * legs = `otoco` (entry, take profit, stop loss); one leg = `oto`. The
 * client order id travels as `tag`.
 */
export function toOrderForm(request: OrderRequest, symbol: string, side: string, now: Date): URLSearchParams {
  const form = new URLSearchParams();
  const option = isOptionSymbol(symbol);
  const entry: Leg = {
    side,
    type: request.type,
    limitPrice: request.type === "limit" || request.type === "stop_limit" ? request.limitPrice : undefined,
    stopPrice: request.type === "stop" || request.type === "stop_limit" ? request.stopPrice : undefined,
  };
  const tp = request.bracket?.takeProfit;
  const sl = request.bracket?.stopLoss;
  if (!tp && !sl) {
    form.set("class", option ? "option" : "equity");
    legFields(form, symbol, request.quantity, entry, null);
    form.set("duration", duration(request, now));
  } else {
    form.set("class", tp && sl ? "otoco" : "oto");
    form.set("duration", duration(request, now));
    const exits: Leg[] = [];
    if (tp) exits.push({ side: exitSide(side), type: "limit", limitPrice: tp.limitPrice });
    if (sl) {
      const stopLimit = sl.type === "stop_limit";
      exits.push({ side: exitSide(side), type: stopLimit ? "stop_limit" : "stop", stopPrice: sl.stopPrice, limitPrice: stopLimit ? sl.limitPrice : undefined });
    }
    [entry, ...exits].forEach((leg, i) => legFields(form, symbol, request.quantity, leg, i));
  }
  form.set("tag", request.clientOrderId);
  return form;
}

const ORDER_TYPES = new Set<OrderType>(["market", "limit", "stop", "stop_limit"]);

function legRole(leg: WireOrder): OrderRole {
  return leg.type === "limit" ? "take_profit" : "stop_loss";
}

/** One Tradier order (a simple one, or a leg) → normalized. */
function single(o: WireOrder, id: string, tag: string | null, parent: string | null): BrokerOrder {
  const type = ORDER_TYPES.has(o.type as OrderType) ? (o.type as OrderType) : "market";
  const order: BrokerOrder = {
    brokerOrderId: id,
    clientOrderId: tag,
    ticker: tickerFromTradier(o.option_symbol ?? o.symbol),
    side: o.side.startsWith("buy") ? "buy" : "sell",
    type,
    quantity: o.quantity,
    limitPrice: type === "limit" || type === "stop_limit" ? o.price : null,
    stopPrice: o.stop_price,
    timeInForce: o.duration === "gtc" ? "gtc" : o.duration === null ? null : "day",
    status: normalizeStatus(o.status, o.exec_quantity, o.quantity),
    filledQuantity: o.exec_quantity,
    // Tradier reports 0.00 as the average of an order with no fills.
    avgFillPrice: dec(o.exec_quantity).gt(0) ? o.avg_fill_price : null,
    parentBrokerOrderId: parent,
    raw: o,
  };
  if (o.create_date) order.createdAt = o.create_date;
  if (o.transaction_date) order.updatedAt = o.transaction_date;
  return order;
}

/**
 * A Tradier order → the normalized orders it stands for. An OTO/OTOCO is
 * its entry (the first leg, under the parent's id and tag, so the core keeps
 * one id for it) followed by its exits (`parentBrokerOrderId` = that id).
 */
export function expandOrder(o: WireOrder): BrokerOrder[] {
  const advanced = o.class === "oto" || o.class === "otoco" || o.class === "oco";
  if (!advanced || o.leg.length === 0) return [single(o, o.id, o.tag, null)];
  if (o.class === "oco") return o.leg.map((leg) => ({ ...single(leg, leg.id, null, o.id), role: legRole(leg) }));
  const [entryLeg, ...exits] = o.leg as [WireOrder, ...WireOrder[]];
  const entry: BrokerOrder = { ...single(entryLeg, o.id, o.tag, null), role: "entry", raw: o };
  return [entry, ...exits.map((leg) => ({ ...single(leg, leg.id, null, o.id), role: legRole(leg) }))];
}

/** The order the core asked about: the entry of an advanced order, or the order itself. */
export function toBrokerOrder(o: WireOrder): BrokerOrder {
  return expandOrder(o)[0]!;
}

/**
 * What `POST /orders` says: only an id and "ok". The order is then at
 * Tradier, not yet working; its state comes from `getOrder`.
 */
export function ackToBrokerOrder(id: string, request: OrderRequest, ack: unknown): BrokerOrder {
  return {
    brokerOrderId: id,
    clientOrderId: request.clientOrderId,
    ticker: request.ticker,
    side: request.side,
    type: request.type,
    quantity: toDecimal(request.quantity),
    limitPrice: request.limitPrice === undefined ? null : toDecimal(request.limitPrice),
    stopPrice: request.stopPrice === undefined ? null : toDecimal(request.stopPrice),
    timeInForce: request.timeInForce,
    status: "pending",
    filledQuantity: "0",
    avgFillPrice: null,
    parentBrokerOrderId: null,
    ...(request.bracket ? { role: "entry" as const } : {}),
    raw: ack,
  };
}

/** Wire position → normalized. Tradier gives the total cost basis; options count 100 shares per contract. */
export function toPosition(p: WirePosition): Position {
  const multiplier = isOptionSymbol(p.symbol) ? 100 : 1;
  const qty = dec(p.quantity);
  const avg = qty.eq(0) ? dec(0) : dec(p.cost_basis).div(qty.times(multiplier)).abs().round(8, 1);
  return { ticker: tickerFromTradier(p.symbol), quantity: p.quantity, avgPrice: toDecimal(avg), raw: p };
}

/** Balances → normalized. Buying power sits under `margin`, `pdt` or `cash`, per account type. */
export function toBalance(b: WireBalances): Balance {
  const buyingPower = b.margin?.stock_buying_power ?? b.pdt?.stock_buying_power ?? b.cash?.cash_available ?? null;
  return { currency: "USD", cash: b.total_cash, equity: b.total_equity, ...(buyingPower !== null && { buyingPower }), raw: b };
}

/** A profile account → the account a connection reaches. */
export function toAccount(a: WireProfileAccount, mode: "paper" | "live"): BrokerAccount {
  return {
    brokerAccountId: a.account_number,
    mode,
    name: `Tradier ${mode === "paper" ? "sandbox" : "live"} ${a.account_number}${a.type ? ` (${a.type})` : ""}`,
    currency: "USD",
  };
}

/** A quote's time: Tradier sends epoch milliseconds (or an ISO string in older answers). */
function quoteTime(q: WireQuote, now: Date): string {
  for (const t of [q.trade_date, q.bid_date, q.ask_date]) {
    if (typeof t === "number" && t > 0) return new Date(t).toISOString();
    if (typeof t === "string" && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  }
  return now.toISOString();
}

/** A quote → normalized; a 0 bid or ask means no quote. */
export function toQuote(ticker: string, q: WireQuote, now: Date): Quote {
  const side = (v: string | null): string | null => (v === null || !dec(v).gt(0) ? null : v);
  return { ticker, bid: side(q.bid), ask: side(q.ask), last: side(q.last), at: quoteTime(q, now) };
}
