/**
 * The TradeStation client: v3 brokerage reads and order execution through
 * the SDK's JSON caller, every request with the session's bearer token (a
 * 401 asks the core's token owner to renew once).
 *
 * Two TradeStation rules shape it:
 * - orders carry no client order id, so `getOrder({ clientOrderId })` can
 *   never answer "absent" honestly: it throws `outcome-unknown`, and the core
 *   stops instead of sending a lost order twice;
 * - a sell that opens a short is `SELLSHORT`, a buy that closes one is
 *   `BUYTOCOVER`, so placing reads the position first.
 *
 * @module
 */
import {
  BrokerError,
  dec,
  bearerJsonCaller,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PluginContext,
  type Position,
  type TimeInForce,
} from "../sdk";
import { errorFromOrderAnswer, errorFromResponse } from "./errors";
import type { tradestationCapabilities } from "./manifest";
import { tradestationSymbol } from "./symbols";
import { WireAccountsSchema, WireBalancesSchema, WireOrdersSchema, WirePlaceAnswerSchema, WirePositionsSchema, type WireOrder } from "./wire";
import type { z } from "zod";

/** TradeStation status codes → the one state machine. */
const STATUS: Readonly<Record<string, OrderStatus>> = {
  ACK: "open",
  OPN: "open",
  DON: "open",
  OSO: "open",
  PLA: "open",
  REC: "open",
  CND: "open",
  LAT: "open",
  SUS: "open",
  STP: "open",
  STT: "open",
  EXE: "open",
  CHG: "open",
  FPR: "partially_filled",
  FLP: "partially_filled",
  FLL: "filled",
  CAN: "cancelled",
  OUT: "cancelled",
  UCN: "cancelled",
  SCN: "cancelled",
  TSC: "cancelled",
  EXP: "expired",
  REJ: "rejected",
  BRO: "rejected",
  RJC: "rejected",
  RJR: "rejected",
};

const DURATION: Readonly<Record<TimeInForce, string>> = { day: "DAY", gtc: "GTC", ioc: "IOC", fok: "FOK", opg: "OPG", cls: "CLO" };
const TIF_BACK: Readonly<Record<string, TimeInForce>> = { DAY: "day", DYP: "day", GTC: "gtc", GCP: "gtc", IOC: "ioc", FOK: "fok", OPG: "opg", CLO: "cls" };
const ORDER_TYPE = { market: "Market", limit: "Limit", stop: "StopMarket", stop_limit: "StopLimit" } as const;

/** Maps one wire order; exit legs of an OSO carry their parent. */
export function toBrokerOrder(o: WireOrder, clientOrderId: string | null = null): BrokerOrder {
  const leg = o.Legs[0]!;
  const quantity = toDecimal(leg.QuantityOrdered);
  const filled = toDecimal(leg.ExecQuantity ?? "0");
  let status = STATUS[o.Status] ?? "open";
  // A cancelled order that filled in part keeps its fills; the state machine calls that cancelled.
  if (status === "open" && dec(filled).gt(0)) status = dec(filled).gte(quantity) ? "filled" : "partially_filled";
  const type =
    o.OrderType === "Limit" ? "limit" : o.OrderType === "StopMarket" ? "stop" : o.OrderType === "StopLimit" ? "stop_limit" : "market";
  const avg = o.FilledPrice ?? leg.ExecutionPrice;
  return {
    brokerOrderId: o.OrderID,
    clientOrderId,
    ticker: leg.Symbol,
    side: /^buy/i.test(leg.BuyOrSell) ? "buy" : "sell",
    type,
    quantity,
    limitPrice: o.LimitPrice !== undefined && dec(o.LimitPrice).gt(0) ? toDecimal(o.LimitPrice) : null,
    stopPrice: o.StopPrice !== undefined && dec(o.StopPrice).gt(0) ? toDecimal(o.StopPrice) : null,
    timeInForce: o.Duration ? (TIF_BACK[o.Duration.toUpperCase()] ?? null) : null,
    status,
    filledQuantity: filled,
    avgFillPrice: dec(filled).gt(0) && avg !== undefined ? toDecimal(avg) : null,
    ...(o.ParentOrderID !== undefined && { parentBrokerOrderId: o.ParentOrderID }),
    ...(o.ParentOrderID !== undefined && { role: type === "limit" ? ("take_profit" as const) : ("stop_loss" as const) }),
    ...(o.OpenedDateTime && { createdAt: o.OpenedDateTime }),
    raw: o,
  };
}

/** Creates the client for one connection. */
export function createTradestationClient(ctx: PluginContext<unknown, Record<string, unknown>>): ClientFor<typeof tradestationCapabilities> {

  // Every request carries the session's bearer token; bodies are JSON.
  const caller = bearerJsonCaller(ctx, "TradeStation", (answer, r) => errorFromResponse(answer, r.placingOrder === true));

  /** One round trip: the parsed body, or a BrokerError. */
  function call<S extends z.ZodType>(method: string, path: string, schema: S, options: { body?: unknown; placingOrder?: boolean } = {}): Promise<z.output<S>> {
    return caller.call({ method, path, ...options, idempotent: !options.placingOrder }, schema);
  }

  const account = (id: string) => encodeURIComponent(id);

  async function ordersById(accountId: string, orderId: string): Promise<WireOrder[]> {
    const today = await call("GET", `/brokerage/accounts/${account(accountId)}/orders/${encodeURIComponent(orderId)}`, WireOrdersSchema);
    return today.Orders;
  }

  async function positionOf(accountId: string, symbol: string): Promise<string> {
    const positions = await call("GET", `/brokerage/accounts/${account(accountId)}/positions`, WirePositionsSchema);
    const p = positions.Positions.find((x) => x.Symbol === symbol);
    if (!p) return "0";
    return p.LongShort === "Short" ? toDecimal(dec(p.Quantity).abs().neg()) : toDecimal(dec(p.Quantity).abs());
  }

  function exit(request: OrderRequest, accountId: string, leg: "take_profit" | "stop_loss"): Record<string, unknown> {
    const b = request.bracket!;
    const side = request.side === "buy" ? "SELL" : "BUYTOCOVER";
    const common = { AccountID: accountId, Symbol: request.ticker, Quantity: request.quantity, TradeAction: side, TimeInForce: { Duration: "GTC" }, Route: "Intelligent" };
    if (leg === "take_profit") return { ...common, OrderType: "Limit", LimitPrice: b.takeProfit!.limitPrice };
    const sl = b.stopLoss!;
    return sl.type === "stop_limit"
      ? { ...common, OrderType: "StopLimit", StopPrice: sl.stopPrice, LimitPrice: sl.limitPrice }
      : { ...common, OrderType: "StopMarket", StopPrice: sl.stopPrice };
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const answer = await call("GET", "/brokerage/accounts", WireAccountsSchema);
      return answer.Accounts.filter((a) => a.Status === undefined || /active/i.test(a.Status)).map((a) => ({
        brokerAccountId: a.AccountID,
        mode: ctx.environment,
        name: `TradeStation ${a.AccountType ?? ""} ${a.AccountID}`.replace(/\s+/g, " "),
        currency: a.Currency ?? "USD",
      }));
    },

    async getBalance(accountId) {
      const answer = await call("GET", `/brokerage/accounts/${account(accountId)}/balances`, WireBalancesSchema);
      const b = answer.Balances.find((x) => x.AccountID === accountId) ?? answer.Balances[0];
      if (!b) throw new BrokerError(`TradeStation has no balance for account ${accountId}.`, { code: "account-not-found", kind: "rejected" });
      return { currency: b.Currency ?? "USD", cash: toDecimal(b.CashBalance), equity: toDecimal(b.Equity), ...(b.BuyingPower !== undefined && { buyingPower: toDecimal(b.BuyingPower) }), raw: b };
    },

    async getPositions(accountId): Promise<Position[]> {
      const answer = await call("GET", `/brokerage/accounts/${account(accountId)}/positions`, WirePositionsSchema);
      return answer.Positions.map((p) => ({
        ticker: p.Symbol,
        quantity: p.LongShort === "Short" ? toDecimal(dec(p.Quantity).abs().neg()) : toDecimal(dec(p.Quantity).abs()),
        avgPrice: toDecimal(p.AveragePrice),
        raw: p,
      }));
    },

    async getOpenOrders(accountId) {
      const answer = await call("GET", `/brokerage/accounts/${account(accountId)}/orders`, WireOrdersSchema);
      return answer.Orders.map((o) => toBrokerOrder(o)).filter((o) => o.status === "open" || o.status === "partially_filled" || o.status === "pending");
    },

    async getOrder(accountId, ref: OrderRef) {
      if ("clientOrderId" in ref) {
        throw new BrokerError("TradeStation keeps no client order id, so Tradeloop cannot look this order up by its own id; check the TradeStation account before sending it again.", {
          code: "client-order-id-lookup-unsupported",
          kind: "outcome-unknown",
        });
      }
      const found = (await ordersById(accountId, ref.brokerOrderId)).find((o) => o.OrderID === ref.brokerOrderId);
      return found ? toBrokerOrder(found) : null;
    },

    async placeOrder(accountId, request) {
      request = { ...request, ticker: tradestationSymbol(request.ticker) };
      const held = await positionOf(accountId, request.ticker);
      const opensShort = request.side === "sell" && dec(held).lte(0);
      const coversShort = request.side === "buy" && dec(held).lt(0);
      const body: Record<string, unknown> = {
        AccountID: accountId,
        Symbol: request.ticker,
        Quantity: request.quantity,
        OrderType: ORDER_TYPE[request.type as keyof typeof ORDER_TYPE],
        TradeAction: request.side === "buy" ? (coversShort ? "BUYTOCOVER" : "BUY") : opensShort ? "SELLSHORT" : "SELL",
        TimeInForce: { Duration: DURATION[request.timeInForce] },
        Route: "Intelligent",
        ...(request.limitPrice !== undefined && { LimitPrice: request.limitPrice }),
        ...(request.stopPrice !== undefined && { StopPrice: request.stopPrice }),
      };
      const b = request.bracket;
      if (b && (b.takeProfit || b.stopLoss)) {
        const exits = [...(b.takeProfit ? [exit(request, accountId, "take_profit")] : []), ...(b.stopLoss ? [exit(request, accountId, "stop_loss")] : [])];
        // Two exits form a bracket group (one cancels the other); one exit is a plain OSO.
        body.OSOs = [{ Type: exits.length === 2 ? "BRK" : "NORMAL", Orders: exits }];
      }
      const answer = await call("POST", "/orderexecution/orders", WirePlaceAnswerSchema, { body, placingOrder: true });
      const failed = [...(answer.Errors ?? []), ...(answer.Orders ?? []).filter((o) => o.Error !== undefined)][0];
      const placed = (answer.Orders ?? []).find((o) => o.OrderID !== undefined && o.Error === undefined);
      if (!placed?.OrderID) throw errorFromOrderAnswer(failed?.Message, answer);
      const now = (await ordersById(accountId, placed.OrderID)).find((o) => o.OrderID === placed.OrderID);
      if (!now) {
        return {
          brokerOrderId: placed.OrderID,
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
          raw: answer,
        };
      }
      return toBrokerOrder(now, request.clientOrderId);
    },

    async cancelOrder(accountId, ref) {
      if ("clientOrderId" in ref) {
        throw new BrokerError("TradeStation cancels by its own order id only.", { code: "client-order-id-lookup-unsupported", kind: "unsupported" });
      }
      void accountId;
      await caller.send({ method: "DELETE", path: `/orderexecution/orders/${encodeURIComponent(ref.brokerOrderId)}` });
    },
  };
}
