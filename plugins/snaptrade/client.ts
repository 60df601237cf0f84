/**
 * The SnapTrade client for one brokerage authorization.
 *
 * - Accounts are the authorization's (`GET /accounts`, filtered by
 *   `brokerage_authorization`).
 * - Orders go through `POST /trade/place` with the ticker; SnapTrade passes
 *   them to the brokerage and answers its order record.
 * - No client order id exists at SnapTrade. Before sending, the journal
 *   records that Tradeloop's id is being sent; after the answer, it records
 *   the brokerage's order id. So `getOrder` by Tradeloop's id finds a placed
 *   order, answers null for one never sent, and for one whose answer was lost
 *   throws `outcome-unknown` (the core then holds instead of resending).
 * - What the brokerage allows (trading at all, fractional shares) comes
 *   from the authorization's brokerage (`connectionCapabilities`).
 *
 * @module
 */
import {
  BrokerError,
  dec,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type CapabilityNarrowing,
  type ClientFor,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type PluginContext,
  type TimeInForce,
} from "../sdk";
import { z } from "zod";
import { snaptradeApi, type SnapTradeRequest } from "./api";
import type { SnapTradeCredentials, snaptradeCapabilities } from "./manifest";
import { WireAccountSchema, WireAuthorizationSchema, WireBalanceSchema, WireOrderSchema, WirePositionSchema, type WireOrder } from "./wire";

/** How long one reading of the brokerage's abilities serves this client. */
const NARROWING_TTL_MS = 5 * 60_000;

/** A journal entry for an order whose answer has not come back yet. */
const SENDING = "sending:";

const STATUS: Readonly<Record<string, OrderStatus>> = {
  NONE: "pending",
  PENDING: "pending",
  QUEUED: "pending",
  PENDING_RISK_REVIEW: "pending",
  CONTINGENT_ORDER: "pending",
  ACCEPTED: "open",
  TRIGGERED: "open",
  ACTIVATED: "open",
  STOPPED: "open",
  SUSPENDED: "open",
  CANCEL_PENDING: "open",
  REPLACE_PENDING: "open",
  PARTIAL: "partially_filled",
  EXECUTED: "filled",
  CANCELED: "cancelled",
  PARTIAL_CANCELED: "cancelled",
  REPLACED: "cancelled",
  FAILED: "rejected",
  REJECTED: "rejected",
  EXPIRED: "expired",
};

const ORDER_TYPE: Readonly<Record<string, OrderType>> = { market: "market", limit: "limit", stop: "stop", stoplimit: "stop_limit" };
const TO_ORDER_TYPE: Readonly<Partial<Record<OrderType, string>>> = { market: "Market", limit: "Limit", stop: "Stop", stop_limit: "StopLimit" };
const TIF: Readonly<Record<string, TimeInForce>> = { day: "day", gtc: "gtc", fok: "fok", ioc: "ioc" };
const TO_TIF: Readonly<Partial<Record<TimeInForce, string>>> = { day: "Day", gtc: "GTC", fok: "FOK", ioc: "IOC" };

/** Creates the client for one connection (one brokerage authorization). */
export function createSnapTradeClient(ctx: PluginContext<SnapTradeCredentials>): ClientFor<typeof snaptradeCapabilities> {
  const api = snaptradeApi(ctx);
  const user = { userId: ctx.credentials.userId, userSecret: ctx.credentials.userSecret };
  const authorizationId = ctx.credentials.authorizationId;
  const call = <S extends z.ZodType>(r: Omit<SnapTradeRequest, "user">, schema: S) => api.call({ ...r, user }, schema);
  const account = (id: string) => `/accounts/${encodeURIComponent(id)}`;
  let narrowed: { value: CapabilityNarrowing; at: number } | null = null;

  function normalize(o: WireOrder, clientOrderId: string | null): BrokerOrder {
    const quantity = toDecimal(o.total_quantity ?? "0");
    const filled = toDecimal(o.filled_quantity ?? "0");
    let status = STATUS[o.status.toUpperCase()] ?? "pending";
    if (status === "open" && dec(filled).gt(0)) status = "partially_filled";
    return {
      brokerOrderId: o.brokerage_order_id,
      clientOrderId,
      ticker: (o.universal_symbol?.symbol ?? o.symbol ?? "").toUpperCase(),
      side: o.action.toUpperCase().startsWith("SELL") ? "sell" : "buy",
      type: ORDER_TYPE[(o.order_type ?? "market").toLowerCase()] ?? "market",
      quantity,
      limitPrice: o.limit_price != null ? toDecimal(o.limit_price) : null,
      stopPrice: o.stop_price != null ? toDecimal(o.stop_price) : null,
      timeInForce: TIF[(o.time_in_force ?? "day").toLowerCase()] ?? "day",
      status,
      filledQuantity: filled,
      avgFillPrice: dec(filled).gt(0) && o.execution_price != null ? toDecimal(o.execution_price) : null,
      ...(o.time_placed && { createdAt: new Date(o.time_placed).toISOString() }),
      raw: o,
    };
  }

  async function orderById(accountId: string, id: string, clientOrderId: string | null): Promise<BrokerOrder | null> {
    try {
      // A read through POST: safe to resend.
      const o = await call({ method: "POST", path: `${account(accountId)}/orders/details`, body: { brokerage_order_id: id }, idempotent: true }, WireOrderSchema);
      return normalize(o, clientOrderId);
    } catch (e) {
      if (e instanceof BrokerError && e.status === 404) return null;
      throw e;
    }
  }

  async function positions(accountId: string) {
    return call({ method: "GET", path: `${account(accountId)}/positions` }, z.array(WirePositionSchema));
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const accounts = await call({ method: "GET", path: "/accounts" }, z.array(WireAccountSchema));
      return accounts
        .filter((a) => a.brokerage_authorization === authorizationId)
        .map((a) => ({ brokerAccountId: a.id, mode: "live" as const, name: a.name ?? `${a.institution_name ?? "SnapTrade"} ${a.number ?? a.id}`, currency: a.balance?.total?.currency ?? "USD" }));
    },

    async connectionCapabilities(): Promise<CapabilityNarrowing> {
      // The host asks before every order; a brokerage's abilities change rarely, so one answer serves a few minutes.
      if (narrowed && ctx.now().getTime() - narrowed.at < NARROWING_TTL_MS) return narrowed.value;
      const authorization = await call({ method: "GET", path: `/authorizations/${encodeURIComponent(authorizationId)}` }, WireAuthorizationSchema);
      const b = authorization.brokerage;
      const name = b.display_name ?? b.name;
      const value: CapabilityNarrowing = {
        trading: authorization.disabled !== true && (authorization.type ?? "trade") === "trade" && b.allows_trading !== false,
        orders: { stocks: { fractional: b.allows_fractional_units === true } },
        source: `${name} through SnapTrade`,
      };
      narrowed = { value, at: ctx.now().getTime() };
      return value;
    },

    async getBalance(accountId) {
      const balances = await call({ method: "GET", path: `${account(accountId)}/balances` }, z.array(WireBalanceSchema));
      const main = balances.find((b) => b.currency?.code === "USD") ?? balances[0];
      const cash = dec(main?.cash ?? "0");
      const held = (await positions(accountId)).reduce((sum, p) => sum.plus(dec(p.units ?? "0").times(p.price ?? "0")), dec(0));
      return {
        currency: main?.currency?.code ?? "USD",
        cash: toDecimal(cash),
        equity: toDecimal(cash.plus(held)),
        buyingPower: toDecimal(main?.buying_power ?? cash),
        raw: balances,
      };
    },

    async getPositions(accountId) {
      return (await positions(accountId))
        .filter((p) => !dec(p.units ?? "0").eq(0))
        .map((p) => ({ ticker: p.symbol.symbol.symbol.toUpperCase(), quantity: toDecimal(p.units ?? "0"), avgPrice: toDecimal(p.average_purchase_price ?? p.price ?? "0"), raw: p }));
    },

    async getOpenOrders(accountId) {
      const orders = await call({ method: "GET", path: `${account(accountId)}/orders`, query: { state: "open" } }, z.array(WireOrderSchema));
      return orders.map((o) => normalize(o, null)).filter((o) => o.status === "open" || o.status === "partially_filled" || o.status === "pending");
    },

    async getOrder(accountId, ref) {
      if ("brokerOrderId" in ref) return orderById(accountId, ref.brokerOrderId, null);
      const recorded = (await ctx.journal?.lookup(ref.clientOrderId)) ?? null;
      // Nothing recorded: Tradeloop never sent this id (the record is written before sending).
      if (recorded === null) return null;
      if (recorded.startsWith(SENDING)) {
        throw new BrokerError("SnapTrade's answer to this order was lost and SnapTrade keeps no client order id, so Tradeloop cannot tell whether the brokerage took it; check the brokerage's order list.", {
          code: "client-order-id-lookup-unsupported",
          kind: "outcome-unknown",
        });
      }
      return orderById(accountId, recorded, ref.clientOrderId);
    },

    async placeOrder(accountId, request: OrderRequest) {
      const orderType = TO_ORDER_TYPE[request.type];
      const timeInForce = TO_TIF[request.timeInForce];
      if (!orderType || !timeInForce) throw new BrokerError(`SnapTrade cannot place a ${request.type} order with time in force ${request.timeInForce}.`, { code: "unsupported", kind: "unsupported" });
      // Before sending: from here on, a lost answer is "maybe placed", never "never sent".
      await ctx.journal?.record(request.clientOrderId, `${SENDING}${ctx.now().toISOString()}`);
      const body = {
        account_id: accountId,
        action: request.side === "buy" ? "BUY" : "SELL",
        symbol: request.ticker,
        order_type: orderType,
        time_in_force: timeInForce,
        units: Number(request.quantity),
        ...(request.limitPrice !== undefined && { price: Number(request.limitPrice) }),
        ...(request.stopPrice !== undefined && { stop: Number(request.stopPrice) }),
      };
      const placed = await call({ method: "POST", path: "/trade/place", body, placingOrder: true }, WireOrderSchema);
      await ctx.journal?.record(request.clientOrderId, placed.brokerage_order_id);
      return normalize(placed, request.clientOrderId);
    },

    async cancelOrder(accountId, ref) {
      let id: string | null;
      if ("brokerOrderId" in ref) id = ref.brokerOrderId;
      else {
        id = (await ctx.journal?.lookup(ref.clientOrderId)) ?? null;
        if (id?.startsWith(SENDING)) throw new BrokerError("This order's answer from SnapTrade was lost; cancel it at the brokerage.", { code: "client-order-id-lookup-unsupported", kind: "outcome-unknown" });
      }
      if (!id) throw new BrokerError("No such SnapTrade order.", { code: "order-not-found", kind: "rejected" });
      await call({ method: "POST", path: `${account(accountId)}/orders/cancel`, body: { brokerage_order_id: id }, idempotent: true }, WireOrderSchema.or(z.object({}).loose()));
    },
  };
}
