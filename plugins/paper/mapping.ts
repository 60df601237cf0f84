/**
 * Mapping between Tradeloop's normalized models and the paper ledger's wire
 * format, in both directions. Pure functions, so the static request and
 * response tests can drive them with fixtures and no network.
 *
 * @module
 */
import type { AssetClass, Balance, BrokerAccount, BrokerOrder, OrderRequest, Position } from "../sdk";
import type { NewOrderBody, WireAccount, WireOrder, WirePosition } from "./wire";

/** The one account a paper connection reaches. */
export const PAPER_ACCOUNT: BrokerAccount = {
  brokerAccountId: "paper",
  mode: "paper",
  name: "Paper account",
  currency: "USD",
};

/**
 * The ledger trades tickers exactly as Tradeloop writes them (`AAPL`,
 * `BTCUSD`, `SPY 250624C596`), for every asset class; there is no venue
 * symbology to translate to.
 */
export function paperSymbol(ticker: string, _assetClass: AssetClass): string {
  return ticker;
}

/** Normalized order request → `POST /orders` body. Absent optional fields are left out, not sent as null. */
export function toNewOrderBody(request: OrderRequest, symbol: string): NewOrderBody {
  const body: NewOrderBody = {
    client_order_id: request.clientOrderId,
    symbol,
    side: request.side,
    type: request.type,
    qty: request.quantity,
    // The ledger knows no sessions, so opg/cls (not in the capabilities) would be refused by its schema.
    time_in_force: request.timeInForce === "opg" || request.timeInForce === "cls" ? "day" : request.timeInForce,
  };
  if (request.limitPrice !== undefined) body.limit_price = request.limitPrice;
  if (request.stopPrice !== undefined) body.stop_price = request.stopPrice;
  if (request.trailAmount !== undefined) body.trail_amount = request.trailAmount;
  if (request.trailPercent !== undefined) body.trail_percent = request.trailPercent;
  if (request.referencePrice !== undefined) body.reference_price = request.referencePrice;
  const tp = request.bracket?.takeProfit;
  if (tp) body.take_profit = { limit_price: tp.limitPrice };
  const sl = request.bracket?.stopLoss;
  if (sl) {
    body.stop_loss = { type: sl.type };
    if (sl.stopPrice !== undefined) body.stop_loss.stop_price = sl.stopPrice;
    if (sl.limitPrice !== undefined) body.stop_loss.limit_price = sl.limitPrice;
    if (sl.trailAmount !== undefined) body.stop_loss.trail_amount = sl.trailAmount;
    if (sl.trailPercent !== undefined) body.stop_loss.trail_percent = sl.trailPercent;
  }
  return body;
}

/** Wire order → normalized order. Ledger statuses are a subset of Tradeloop's. */
export function toBrokerOrder(o: WireOrder): BrokerOrder {
  const order: BrokerOrder = {
    brokerOrderId: o.id,
    clientOrderId: o.client_order_id,
    ticker: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.qty,
    limitPrice: o.limit_price,
    stopPrice: o.stop_price,
    timeInForce: o.time_in_force,
    status: o.status,
    filledQuantity: o.filled_qty,
    avgFillPrice: o.filled_avg_price,
    parentBrokerOrderId: o.parent_id,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    raw: o,
  };
  if (o.role !== null) order.role = o.role;
  return order;
}

/** Wire position → normalized position (signed quantity). */
export function toPosition(p: WirePosition): Position {
  return { ticker: p.symbol, quantity: p.qty, avgPrice: p.avg_entry_price, raw: p };
}

/** Wire account → normalized balance. */
export function toBalance(a: WireAccount): Balance {
  return { currency: a.currency, cash: a.cash, equity: a.equity, buyingPower: a.buying_power, raw: a };
}
