/**
 * The Schwab client: Trader API v1 through the SDK's JSON caller with the
 * session's bearer token (a 401 renews once). Schwab rules that shape it:
 *
 * - accounts are addressed by their `hashValue`, never the account number:
 *   Tradeloop's broker account id IS the hash (`GET /accounts/accountNumbers`);
 * - a placed order answers 201 with an empty body; its id is the last
 *   segment of the `Location` header;
 * - no client order id exists, so a lookup by Tradeloop's id cannot say
 *   "absent": it throws `outcome-unknown` and the core stops instead of
 *   sending twice;
 * - a sell that opens a short is `SELL_SHORT`, a buy that closes one is
 *   `BUY_TO_COVER`, so placing reads the position first;
 * - a bracket is a TRIGGER order whose child is an OCO of two SINGLE exits.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  bearerJsonCaller,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRequest,
  type OrderStatus,
  type PluginContext,
  type Position,
  type TimeInForce,
} from "../sdk";
import { errorFromResponse } from "./errors";
import type { schwabCapabilities } from "./manifest";
import { WireAccountNumbersSchema, WireAccountSchema, WireOrderSchema, WireOrdersSchema, type WireOrder } from "./wire";

const STATUS: Readonly<Record<string, OrderStatus>> = {
  AWAITING_PARENT_ORDER: "pending",
  AWAITING_CONDITION: "pending",
  AWAITING_STOP_CONDITION: "open",
  AWAITING_MANUAL_REVIEW: "pending",
  AWAITING_UR_OUT: "open",
  AWAITING_RELEASE_TIME: "pending",
  PENDING_ACTIVATION: "pending",
  PENDING_ACKNOWLEDGEMENT: "pending",
  PENDING_RECALL: "open",
  PENDING_CANCEL: "open",
  PENDING_REPLACE: "open",
  QUEUED: "pending",
  NEW: "open",
  ACCEPTED: "open",
  WORKING: "open",
  FILLED: "filled",
  CANCELED: "cancelled",
  REPLACED: "cancelled",
  REJECTED: "rejected",
  EXPIRED: "expired",
};
const DURATION: Partial<Record<TimeInForce, string>> = { day: "DAY", gtc: "GOOD_TILL_CANCEL", fok: "FILL_OR_KILL" };
const TIF_BACK: Readonly<Record<string, TimeInForce>> = { DAY: "day", GOOD_TILL_CANCEL: "gtc", FILL_OR_KILL: "fok", IMMEDIATE_OR_CANCEL: "ioc" };
const ORDER_TYPE = { market: "MARKET", limit: "LIMIT", stop: "STOP", stop_limit: "STOP_LIMIT" } as const;

/** `NASDAQ:AAPL` → `AAPL`. */
export function schwabSymbol(ticker: string): string {
  const t = ticker.trim().toUpperCase();
  const colon = t.indexOf(":");
  return colon >= 0 ? t.slice(colon + 1) : t;
}

function avgPrice(o: WireOrder): string | null {
  let qty = dec(0);
  let cost = dec(0);
  for (const a of o.orderActivityCollection ?? []) for (const l of a.executionLegs ?? []) {
    qty = qty.plus(String(l.quantity));
    cost = cost.plus(dec(String(l.price)).times(String(l.quantity)));
  }
  return qty.gt(0) ? toDecimal(cost.div(qty).round(6)) : null;
}

/** One wire order (and, for brackets, its nested exits) as normalized orders. */
export function flatten(o: WireOrder, parent: string | null = null, role?: "take_profit" | "stop_loss"): BrokerOrder[] {
  const own: BrokerOrder[] = [];
  const leg = o.orderLegCollection?.[0];
  if (leg && o.orderStrategyType !== "OCO" && o.orderId !== undefined) {
    const quantity = toDecimal(String(o.quantity ?? leg.quantity));
    const filled = toDecimal(String(o.filledQuantity ?? "0"));
    let status = STATUS[o.status ?? ""] ?? "open";
    if ((status === "open" || status === "pending") && dec(filled).gt(0)) status = dec(filled).gte(quantity) ? "filled" : "partially_filled";
    const type = o.orderType === "LIMIT" ? "limit" : o.orderType === "STOP" ? "stop" : o.orderType === "STOP_LIMIT" ? "stop_limit" : "market";
    own.push({
      brokerOrderId: String(o.orderId),
      clientOrderId: null,
      ticker: leg.instrument.symbol,
      side: /^BUY/.test(leg.instruction) ? "buy" : "sell",
      type,
      quantity,
      limitPrice: o.price !== undefined ? toDecimal(String(o.price)) : null,
      stopPrice: o.stopPrice !== undefined ? toDecimal(String(o.stopPrice)) : null,
      timeInForce: o.duration ? (TIF_BACK[o.duration] ?? null) : null,
      status,
      filledQuantity: filled,
      avgFillPrice: dec(filled).gt(0) ? avgPrice(o) : null,
      ...(parent !== null && { parentBrokerOrderId: parent, role: role ?? (type === "limit" ? "take_profit" : "stop_loss") }),
      ...(o.enteredTime && { createdAt: o.enteredTime }),
      raw: o,
    });
  }
  const root = o.orderStrategyType === "OCO" || o.orderId === undefined ? parent : String(o.orderId);
  for (const child of o.childOrderStrategies ?? []) own.push(...flatten(child, root));
  return own;
}

/** Creates the client for one connection. */
export function createSchwabClient(ctx: PluginContext<unknown, Record<string, unknown>>): ClientFor<typeof schwabCapabilities> {

  // Every request carries the session's bearer token; bodies are JSON.
  const caller = bearerJsonCaller(ctx, "Schwab", (answer, r) => errorFromResponse(answer, r.placingOrder === true));

  /** Sends a request whose answer carries no body Tradeloop reads (a placed order's 201, a cancel). */
  function send(method: string, path: string, options: { body?: unknown; placingOrder?: boolean } = {}) {
    return caller.send({ method, path, ...options, idempotent: !options.placingOrder });
  }

  function read<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return caller.call({ method: "GET", path }, schema);
  }

  const acct = (hash: string) => `/accounts/${encodeURIComponent(hash)}`;

  async function account(hash: string) {
    return (await read(`${acct(hash)}?fields=positions`, WireAccountSchema)).securitiesAccount;
  }

  function positionsOf(a: Awaited<ReturnType<typeof account>>): Position[] {
    return (a.positions ?? [])
      .map((p) => ({ ticker: p.instrument.symbol, quantity: toDecimal(dec(p.longQuantity).minus(p.shortQuantity)), avgPrice: toDecimal(p.averagePrice), raw: p }))
      .filter((p) => !dec(p.quantity).eq(0));
  }

  function exit(request: OrderRequest, which: "take_profit" | "stop_loss"): Record<string, unknown> {
    const b = request.bracket!;
    const instruction = request.side === "buy" ? "SELL" : "BUY_TO_COVER";
    const common = {
      session: "NORMAL",
      duration: "GOOD_TILL_CANCEL",
      orderStrategyType: "SINGLE",
      orderLegCollection: [{ instruction, quantity: Number(request.quantity), instrument: { symbol: request.ticker, assetType: "EQUITY" } }],
    };
    if (which === "take_profit") return { ...common, orderType: "LIMIT", price: b.takeProfit!.limitPrice };
    const sl = b.stopLoss!;
    return sl.type === "stop_limit" ? { ...common, orderType: "STOP_LIMIT", stopPrice: sl.stopPrice, price: sl.limitPrice } : { ...common, orderType: "STOP", stopPrice: sl.stopPrice };
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const numbers = await read("/accounts/accountNumbers", WireAccountNumbersSchema);
      // The hash is what every path takes; the number (masked) names the account for the trader.
      return numbers.map((n) => ({ brokerAccountId: n.hashValue, mode: "live" as const, name: `Schwab ••••${n.accountNumber.slice(-4)}`, currency: "USD" }));
    },

    async getBalance(hash) {
      const a = await account(hash);
      const b = a.currentBalances;
      const equity = b.liquidationValue ?? b.equity ?? b.cashBalance ?? "0";
      return { currency: "USD", cash: toDecimal(b.cashBalance ?? "0"), equity: toDecimal(equity), ...(b.buyingPower !== undefined && { buyingPower: toDecimal(b.buyingPower) }), raw: a };
    },

    async getPositions(hash) {
      return positionsOf(await account(hash));
    },

    async getOpenOrders(hash) {
      const to = ctx.now();
      const from = new Date(to.getTime() - 59 * 24 * 3_600_000);
      const list = await read(`${acct(hash)}/orders?fromEnteredTime=${encodeURIComponent(from.toISOString())}&toEnteredTime=${encodeURIComponent(to.toISOString())}`, WireOrdersSchema);
      return list.flatMap((o) => flatten(o)).filter((o) => o.status === "open" || o.status === "partially_filled" || o.status === "pending");
    },

    async getOrder(hash, ref) {
      if ("clientOrderId" in ref) {
        throw new BrokerError("Schwab keeps no client order id, so Tradeloop cannot look this order up by its own id; check the Schwab account before sending it again.", {
          code: "client-order-id-lookup-unsupported",
          kind: "outcome-unknown",
        });
      }
      let wire: WireOrder;
      try {
        wire = await read(`${acct(hash)}/orders/${encodeURIComponent(ref.brokerOrderId)}`, WireOrderSchema);
      } catch (e) {
        // Only Schwab's own "no such order" for this account means absent.
        if (e instanceof BrokerError && e.status === 404 && e.code === "order-not-found") return null;
        throw e;
      }
      return flatten(wire).find((o) => o.brokerOrderId === ref.brokerOrderId) ?? null;
    },

    async placeOrder(hash, request) {
      request = { ...request, ticker: schwabSymbol(request.ticker) };
      const held = positionsOf(await account(hash)).find((p) => p.ticker === request.ticker)?.quantity ?? "0";
      const instruction = request.side === "buy" ? (dec(held).lt(0) ? "BUY_TO_COVER" : "BUY") : dec(held).lte(0) ? "SELL_SHORT" : "SELL";
      const duration = DURATION[request.timeInForce];
      if (!duration) throw new BrokerError(`Schwab does not take time in force ${request.timeInForce}.`, { code: "time-in-force-not-supported", kind: "unsupported" });
      const body: Record<string, unknown> = {
        session: "NORMAL",
        duration,
        orderType: ORDER_TYPE[request.type as keyof typeof ORDER_TYPE],
        orderStrategyType: "SINGLE",
        ...(request.limitPrice !== undefined && { price: request.limitPrice }),
        ...(request.stopPrice !== undefined && { stopPrice: request.stopPrice }),
        orderLegCollection: [{ instruction, quantity: Number(request.quantity), instrument: { symbol: request.ticker, assetType: "EQUITY" } }],
      };
      const b = request.bracket;
      if (b && (b.takeProfit || b.stopLoss)) {
        const exits = [...(b.takeProfit ? [exit(request, "take_profit")] : []), ...(b.stopLoss ? [exit(request, "stop_loss")] : [])];
        body.orderStrategyType = "TRIGGER";
        body.childOrderStrategies = exits.length === 2 ? [{ orderStrategyType: "OCO", childOrderStrategies: exits }] : exits;
      }
      const answer = await send("POST", `${acct(hash)}/orders`, { body, placingOrder: true });
      const location = answer.headers.get("location") ?? "";
      const orderId = /\/orders\/(\d+)\/?$/.exec(location)?.[1];
      if (!orderId) {
        // Booked (201) but the id is unknown: reconciling is impossible, so it is an unknown outcome for the trader.
        throw new BrokerError("Schwab accepted the order but did not say its id (no Location header); check the Schwab account.", { code: "bad-response", kind: "outcome-unknown" });
      }
      const now = await this_getOrder(hash, orderId);
      return now ? { ...now, clientOrderId: request.clientOrderId } : {
        brokerOrderId: orderId,
        clientOrderId: request.clientOrderId,
        ticker: request.ticker,
        side: request.side,
        type: request.type,
        quantity: request.quantity,
        limitPrice: request.limitPrice ?? null,
        stopPrice: request.stopPrice ?? null,
        timeInForce: request.timeInForce,
        status: "pending",
        filledQuantity: "0",
        avgFillPrice: null,
        raw: { location },
      };
    },

    async cancelOrder(hash, ref) {
      if ("clientOrderId" in ref) throw new BrokerError("Schwab cancels by its own order id only.", { code: "client-order-id-lookup-unsupported", kind: "unsupported" });
      await send("DELETE", `${acct(hash)}/orders/${encodeURIComponent(ref.brokerOrderId)}`);
    },
  };

  async function this_getOrder(hash: string, orderId: string): Promise<BrokerOrder | null> {
    const wire = await read(`${acct(hash)}/orders/${encodeURIComponent(orderId)}`, WireOrderSchema);
    return flatten(wire).find((o) => o.brokerOrderId === orderId) ?? null;
  }
}
