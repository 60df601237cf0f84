/**
 * Tradeloop's normalized models ↔ Robinhood Crypto JSON. Pure functions.
 *
 * @module
 */
import {
  BrokerError,
  dec,
  toDecimal,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type Position,
  type Quote,
} from "../sdk";
import { QUOTE, tickerFromSymbol } from "./symbols";
import type { WireAccount, WireConfig, WireHolding, WireOrder } from "./wire";

const CORE_ID = /^tl([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The core's client order id as the UUID Robinhood requires: `tl` + 32 hex is
 * 128 bits, re-punctuated 8-4-4-4-12 (lossless, deterministic, so a resend
 * carries the same idempotency key). A UUID passes through.
 */
export function toVenueClientId(id: string): string {
  const m = id.match(CORE_ID);
  if (m) return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`;
  if (UUID.test(id)) return id.toLowerCase();
  throw new BrokerError(`Robinhood needs a UUID client order id; "${id}" cannot be turned into one.`, {
    code: "invalid-client-order-id",
    kind: "unsupported",
  });
}

/** A Robinhood `client_order_id` in Tradeloop's notation (the inverse of {@link toVenueClientId}). */
export function fromVenueClientId(uuid: string | null | undefined): string | null {
  if (!uuid) return null;
  return UUID.test(uuid) ? `tl${uuid.replaceAll("-", "").toLowerCase()}` : uuid;
}

type ConfigKey = "market_order_config" | "limit_order_config" | "stop_loss_order_config" | "stop_limit_order_config";

/** `POST /api/v1/crypto/trading/orders/` body, keys in the order of Robinhood's own client. */
export interface NewOrderBody {
  client_order_id: string;
  side: "buy" | "sell";
  type: "market" | "limit" | "stop_loss" | "stop_limit";
  symbol: string;
  market_order_config?: { asset_quantity: string };
  limit_order_config?: { asset_quantity: string; limit_price: string; time_in_force: "gtc" };
  stop_loss_order_config?: { asset_quantity: string; stop_price: string; time_in_force: "gtc" };
  stop_limit_order_config?: { asset_quantity: string; limit_price: string; stop_price: string; time_in_force: "gtc" };
}

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new BrokerError(`A ${what} is required for this order.`, { code: "invalid-order", kind: "rejected" });
  return v;
}

/** Normalized request → order body. Quantities in the asset (never `quote_amount`), as decimal strings. */
export function toNewOrderBody(o: OrderRequest, symbol: string): NewOrderBody {
  const head = { client_order_id: toVenueClientId(o.clientOrderId), side: o.side } as const;
  const asset_quantity = o.quantity;
  switch (o.type) {
    case "market":
      return { ...head, type: "market", symbol, market_order_config: { asset_quantity } };
    case "limit":
      return { ...head, type: "limit", symbol, limit_order_config: { asset_quantity, limit_price: need(o.limitPrice, "limit price"), time_in_force: "gtc" } };
    case "stop":
      return { ...head, type: "stop_loss", symbol, stop_loss_order_config: { asset_quantity, stop_price: need(o.stopPrice, "stop price"), time_in_force: "gtc" } };
    case "stop_limit":
      return {
        ...head,
        type: "stop_limit",
        symbol,
        stop_limit_order_config: { asset_quantity, limit_price: need(o.limitPrice, "limit price"), stop_price: need(o.stopPrice, "stop price"), time_in_force: "gtc" },
      };
    default:
      throw new BrokerError("Robinhood has no trailing stop orders.", { code: "unsupported", kind: "unsupported" });
  }
}

const TYPES: Record<string, [OrderType, ConfigKey]> = {
  market: ["market", "market_order_config"],
  limit: ["limit", "limit_order_config"],
  stop_loss: ["stop", "stop_loss_order_config"],
  stop_limit: ["stop_limit", "stop_limit_order_config"],
};

/** Robinhood `state` → the one state machine; `open` with fills is `partially_filled`. */
export function toStatus(state: string, filled: string): OrderStatus {
  switch (state) {
    case "open":
    case "partially_filled":
      return dec(filled).gt(0) ? "partially_filled" : "open";
    case "filled":
      return "filled";
    case "canceled":
    case "cancelled":
      return "cancelled";
    case "failed":
    case "rejected":
      return "rejected";
    default:
      return "pending";
  }
}

/** Cumulative fill and its average, from the summary fields or, failing that, the executions. */
function fills(o: WireOrder): { filled: string; avg: string | null } {
  const execs = o.executions ?? [];
  const execQty = execs.reduce((sum, e) => sum.plus(e.quantity ?? "0"), dec(0));
  const filled = o.filled_asset_quantity ?? toDecimal(execQty);
  if (!dec(filled).gt(0)) return { filled: "0", avg: null };
  if (o.average_price && dec(o.average_price).gt(0)) return { filled, avg: o.average_price };
  const value = execs.reduce((sum, e) => sum.plus(dec(e.quantity ?? "0").times(e.effective_price ?? "0")), dec(0));
  return { filled, avg: execQty.gt(0) ? toDecimal(value.div(execQty)) : null };
}

/** Wire order → normalized order. */
export function toBrokerOrder(o: WireOrder): BrokerOrder {
  const [type, configKey] = TYPES[o.type] ?? ["market", "market_order_config"];
  const cfg: WireConfig = o[configKey];
  const { filled, avg } = fills(o);
  const order: BrokerOrder = {
    brokerOrderId: o.id,
    clientOrderId: fromVenueClientId(o.client_order_id),
    ticker: tickerFromSymbol(o.symbol),
    side: o.side,
    type,
    // Orders sized in USD (quote_amount, placed elsewhere) have no asset size until they fill.
    quantity: cfg?.asset_quantity ?? filled,
    limitPrice: cfg?.limit_price ?? null,
    stopPrice: cfg?.stop_price ?? null,
    timeInForce: cfg?.time_in_force === "gtc" ? "gtc" : null,
    status: toStatus(o.state, filled),
    filledQuantity: filled,
    avgFillPrice: avg,
    parentBrokerOrderId: null,
    raw: o,
  };
  if (o.created_at) order.createdAt = o.created_at;
  if (o.updated_at) order.updatedAt = o.updated_at;
  return order;
}

/** The one account an API credential reaches. */
export function toAccount(a: WireAccount): BrokerAccount {
  return { brokerAccountId: a.account_number, mode: "live", name: `Robinhood Crypto ••${a.account_number.slice(-4)}`, currency: a.buying_power_currency ?? QUOTE };
}

/** Holdings with a balance → positions (`BTC` → `BTCUSD`). Robinhood reports no cost basis here. */
export function toPositions(holdings: readonly WireHolding[]): Position[] {
  return holdings
    .filter((h) => h.total_quantity !== null && dec(h.total_quantity).gt(0))
    .map((h) => ({ ticker: `${h.asset_code}${QUOTE}`, quantity: h.total_quantity ?? "0", avgPrice: "0", raw: h }));
}

/** Buying power is the cash; equity adds each holding at its quoted price (holdings without a quote are left out). */
export function toBalance(account: WireAccount, holdings: readonly WireHolding[], prices: ReadonlyMap<string, string>): Balance {
  const cash = account.buying_power ?? "0";
  let equity = dec(cash);
  for (const h of holdings) {
    const price = prices.get(h.asset_code);
    if (price !== undefined && h.total_quantity !== null) equity = equity.plus(dec(h.total_quantity).times(price));
  }
  return { currency: account.buying_power_currency ?? QUOTE, cash, equity: toDecimal(equity), buyingPower: cash, raw: { account, holdings } };
}

/** Best bid/ask (spread included, as Robinhood quotes them) → quote. */
export function toQuote(
  ticker: string,
  r: { bid_inclusive_of_sell_spread?: string | null; ask_inclusive_of_buy_spread?: string | null; timestamp?: string | undefined },
  now: Date,
): Quote {
  return { ticker, bid: r.bid_inclusive_of_sell_spread ?? null, ask: r.ask_inclusive_of_buy_spread ?? null, last: null, at: r.timestamp ?? now.toISOString() };
}
