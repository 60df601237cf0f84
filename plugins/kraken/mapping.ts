/**
 * Tradeloop models ↔ Kraken AddOrder parameters and order info. Pure.
 *
 * @module
 */
import { BrokerError, dec, toDecimal, type Bracket, type BrokerOrder, type OrderRequest, type OrderStatus, type OrderType, type TimeInForce } from "../sdk";
import { tickerFromPair } from "./symbols";
import type { WireOrderInfo } from "./wire";

export type Params = [string, string][];

const TL_ID = /^tl([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

/**
 * Tradeloop client id → Kraken `cl_ord_id`. The core's `tl` + 32 hex does not
 * fit Kraken's 18-character free text, so its 32 hex digits are sent in UUID
 * layout (reversibly); short ids go as they are.
 */
export function toClOrdId(clientOrderId: string): string {
  const m = TL_ID.exec(clientOrderId);
  if (m) return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`;
  if (/^[A-Za-z0-9_-]{1,18}$/.test(clientOrderId)) return clientOrderId;
  throw new BrokerError(`Client order id "${clientOrderId}" does not fit Kraken's cl_ord_id (a UUID or up to 18 characters).`, {
    code: "invalid-client-order-id",
    kind: "unsupported",
  });
}

/** Kraken `cl_ord_id` → Tradeloop client id (inverse of {@link toClOrdId}). */
export function fromClOrdId(clOrdId: string | null | undefined): string | null {
  if (clOrdId === null || clOrdId === undefined || clOrdId === "") return null;
  const m = UUID.exec(clOrdId);
  return m ? `tl${m.slice(1).join("")}` : clOrdId;
}

/** Kraken spot has GTC and IOC; `day` is sent as GTC. */
function tif(t: TimeInForce): "GTC" | "IOC" {
  if (t === "day" || t === "gtc") return "GTC";
  if (t === "ioc") return "IOC";
  throw new BrokerError(`Kraken has no "${t}" time in force on spot.`, { code: "time-in-force-not-supported", kind: "unsupported" });
}

function need(value: string | undefined, field: string): string {
  if (value === undefined) throw new BrokerError(`The order needs ${field}.`, { code: "invalid-order", kind: "rejected" });
  return value;
}

/** Kraken trailing offsets are relative to the peak: `+5` (price) or `+2.5%` (percent). */
function trailOffset(amount: string | undefined, percent: string | undefined): string {
  if (percent !== undefined) return `+${percent}%`;
  return `+${need(amount, "trailAmount or trailPercent")}`;
}

/** AddOrder form fields, nonce excluded, in a fixed order (the body is signed). */
export function addOrderParams(req: OrderRequest, pair: string): Params {
  const p: Params = [
    ["ordertype", ""],
    ["type", req.side],
    ["volume", req.quantity],
    ["pair", pair],
  ];
  let ordertype: string;
  switch (req.type) {
    case "market":
      ordertype = "market";
      break;
    case "limit":
      ordertype = "limit";
      p.push(["price", need(req.limitPrice, "limitPrice")], ["timeinforce", tif(req.timeInForce)]);
      break;
    case "stop":
      ordertype = "stop-loss";
      p.push(["price", need(req.stopPrice, "stopPrice")]);
      break;
    case "stop_limit":
      ordertype = "stop-loss-limit";
      p.push(["price", need(req.stopPrice, "stopPrice")], ["price2", need(req.limitPrice, "limitPrice")], ["timeinforce", tif(req.timeInForce)]);
      break;
    case "trailing_stop":
      ordertype = "trailing-stop";
      p.push(["price", trailOffset(req.trailAmount, req.trailPercent)]);
      break;
  }
  p[0] = ["ordertype", ordertype];
  p.push(["cl_ord_id", toClOrdId(req.clientOrderId)]);
  if (req.bracket) p.push(...closeParams(req.bracket));
  return p;
}

/** Conditional close: the one exit Kraken places once the entry fills. */
function closeParams(b: Bracket): Params {
  if (b.takeProfit && b.stopLoss) {
    throw new BrokerError("Kraken attaches one exit order to an entry (conditional close); send a take profit or a stop loss, not both.", {
      code: "brackets-not-supported",
      kind: "unsupported",
    });
  }
  if (b.takeProfit) return [["close[ordertype]", "limit"], ["close[price]", b.takeProfit.limitPrice]];
  const sl = b.stopLoss;
  if (!sl) return [];
  switch (sl.type) {
    case "stop":
      return [["close[ordertype]", "stop-loss"], ["close[price]", need(sl.stopPrice, "stopLoss.stopPrice")]];
    case "stop_limit":
      return [["close[ordertype]", "stop-loss-limit"], ["close[price]", need(sl.stopPrice, "stopLoss.stopPrice")], ["close[price2]", need(sl.limitPrice, "stopLoss.limitPrice")]];
    case "trailing_stop":
      return [["close[ordertype]", "trailing-stop"], ["close[price]", trailOffset(sl.trailAmount, sl.trailPercent)]];
  }
}

const TYPES: Readonly<Record<string, OrderType>> = {
  market: "market",
  limit: "limit",
  iceberg: "limit",
  "stop-loss": "stop",
  "take-profit": "stop",
  "stop-loss-limit": "stop_limit",
  "take-profit-limit": "stop_limit",
  "trailing-stop": "trailing_stop",
  "trailing-stop-limit": "trailing_stop",
};

function positive(v: string | undefined): string | null {
  if (v === undefined || v === "" || v.startsWith("+") || v.startsWith("-") || v.startsWith("#") || v.endsWith("%")) return null;
  const d = dec(v);
  return d.gt(0) ? toDecimal(d) : null;
}

/** Kraken order info → normalized order. `closed` with everything executed is `filled`. */
export function toBrokerOrder(txid: string, o: WireOrderInfo): BrokerOrder {
  const type = TYPES[o.descr.ordertype] ?? "limit";
  const filled = dec(o.vol_exec);
  const qty = dec(o.vol);
  let status: OrderStatus;
  switch (o.status) {
    case "pending":
      status = "pending";
      break;
    case "open":
      status = filled.gt(0) ? "partially_filled" : "open";
      break;
    case "closed":
      // A closed order that executed less than its volume ended early; its fills still count.
      status = filled.gte(qty) ? "filled" : filled.gt(0) ? "expired" : "cancelled";
      break;
    case "canceled":
      status = "cancelled";
      break;
    case "expired":
      status = "expired";
      break;
  }
  const p1 = positive(o.descr.price);
  const p2 = positive(o.descr.price2);
  const order: BrokerOrder = {
    brokerOrderId: txid,
    clientOrderId: fromClOrdId(o.cl_ord_id),
    ticker: tickerFromPair(o.descr.pair),
    side: o.descr.type,
    type,
    quantity: toDecimal(qty),
    limitPrice: type === "limit" ? p1 : type === "stop_limit" ? p2 : null,
    stopPrice: type === "stop" || type === "stop_limit" ? p1 : null,
    timeInForce: o.oflags?.includes("ioc") ? "ioc" : null,
    status,
    filledQuantity: toDecimal(filled),
    avgFillPrice: filled.gt(0) ? positive(o.price) : null,
    createdAt: new Date(Math.round(o.opentm * 1000)).toISOString(),
    raw: o,
  };
  if (o.closetm !== undefined && o.closetm > 0) order.updatedAt = new Date(Math.round(o.closetm * 1000)).toISOString();
  // A conditional close is created by its entry: `refid` names it.
  if (o.refid && o.refid !== "None") {
    order.parentBrokerOrderId = o.refid;
    order.role = type === "limit" ? "take_profit" : "stop_loss";
  }
  return order;
}
