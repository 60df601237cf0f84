/**
 * The Tradovate client: REST through the SDK's JSON caller with the
 * session's bearer token (a 401 asks the core's token owner to renew).
 *
 * - Orders go out with `isAutomated: true` (Tradovate requires it for any
 *   order not placed by a human) and our id as `clOrdId`.
 * - A bracket is `placeOSO`: the entry with `bracket1` (take profit) and
 *   `bracket2` (stop loss), which Tradovate links as an OCO once the entry fills.
 * - An order is three entities: the order (status), its versions (quantity,
 *   type, prices) and its fills; `getOrder` reads all three.
 * - Lookups by Tradeloop's id are impossible (order lists do not carry
 *   `clOrdId`): they throw `outcome-unknown`, and the core stops instead of
 *   sending twice.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  bearerJsonCaller,
  mapVenueError,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderStatus,
  type PluginContext,
  type TimeInForce,
  type VenueErrorTable,
} from "../sdk";
import type { TradovateCredentials, tradovateCapabilities } from "./manifest";
import { tickerFromTradovate, tradovateSymbol } from "./symbols";
import {
  WireAccountsSchema,
  WireCashSchema,
  WireCommandSchema,
  WireContractSchema,
  WireFillsSchema,
  WireOrderSchema,
  WireOrdersSchema,
  WireOrderVersionsSchema,
  WirePositionsSchema,
  type WireOrder,
} from "./wire";

/** Tradovate's answers → stable codes (most arrive inside HTTP 200). */
export const TRADOVATE_ERROR_TABLE = {
  messages: [
    { match: /insufficient|margin|buying power|not enough/i, mapping: { code: "insufficient-funds", kind: "rejected" } },
    { match: /unknown (symbol|contract)|contract .*not found|invalid symbol/i, mapping: { code: "invalid-symbol", kind: "rejected" } },
    { match: /already (filled|canceled|cancelled)|not (cancelable|working)|too late/i, mapping: { code: "order-not-cancelable", kind: "rejected" } },
    { match: /market (is )?closed|session closed/i, mapping: { code: "market-closed", kind: "rejected" } },
  ],
  statuses: {
    401: { code: "invalid-credentials", kind: "auth-expired" },
    404: { code: "not-found", kind: "rejected" },
    429: { code: "rate-limited", kind: "retryable" },
  },
} as const satisfies VenueErrorTable;

const STATUS: Readonly<Record<string, OrderStatus>> = {
  PendingNew: "pending",
  PendingReplace: "open",
  PendingCancel: "open",
  Suspended: "open",
  Working: "open",
  Completed: "filled",
  Filled: "filled",
  Canceled: "cancelled",
  Expired: "expired",
  Rejected: "rejected",
};
const TIF: Readonly<Record<TimeInForce, string>> = { day: "Day", gtc: "GTC", ioc: "IOC", fok: "FOK", opg: "Day", cls: "Day" };
const TIF_BACK: Readonly<Record<string, TimeInForce>> = { Day: "day", GTC: "gtc", IOC: "ioc", FOK: "fok" };
const TYPE = { market: "Market", limit: "Limit", stop: "Stop", stop_limit: "StopLimit" } as const;

/** Creates the client for one connection. */
export function createTradovateClient(ctx: PluginContext<TradovateCredentials, Record<string, unknown>>): ClientFor<typeof tradovateCapabilities> {
  const contracts = new Map<number, string>();

  // Every request carries the session's bearer token; bodies are JSON. Its errors are not JSON: only the status says something.
  const caller = bearerJsonCaller(ctx, "Tradovate", (answer, r) => mapVenueError(TRADOVATE_ERROR_TABLE, { status: answer.status, message: null, body: answer.body, headers: answer.headers, placingOrder: r.placingOrder === true }));

  /** One round trip (`read`: a POST that only reads, so safe to resend): the parsed body, or a BrokerError. */
  function call<S extends z.ZodType>(method: "GET" | "POST", path: string, schema: S, options: { body?: unknown; placingOrder?: boolean; read?: boolean } = {}): Promise<z.output<S>> {
    const { read, ...rest } = options;
    return caller.call({ method, path, ...rest, idempotent: read === true || method === "GET" }, schema);
  }

  async function contractName(id: number): Promise<string> {
    const known = contracts.get(id);
    if (known) return known;
    const c = await call("GET", `/contract/item?id=${id}`, WireContractSchema);
    contracts.set(id, c.name);
    return c.name;
  }

  async function accountName(accountId: string): Promise<string> {
    const list = await call("GET", "/account/list", WireAccountsSchema);
    const found = list.find((a) => String(a.id) === accountId);
    if (!found) throw new BrokerError(`Tradovate account ${accountId} is not reachable with this login.`, { code: "account-not-found", kind: "rejected" });
    return found.name;
  }

  async function normalize(o: WireOrder, clientOrderId: string | null = null): Promise<BrokerOrder> {
    const [versions, fills, name] = await Promise.all([
      call("GET", `/orderVersion/deps?masterid=${o.id}`, WireOrderVersionsSchema),
      call("GET", `/fill/deps?masterid=${o.id}`, WireFillsSchema),
      contractName(o.contractId),
    ]);
    const v = versions[versions.length - 1];
    const quantity = toDecimal(v?.orderQty ?? 0);
    let filled = dec(0);
    let cost = dec(0);
    for (const f of fills) {
      filled = filled.plus(f.qty);
      cost = cost.plus(dec(f.price).times(f.qty));
    }
    let status = STATUS[o.ordStatus] ?? "open";
    if (status === "open" && filled.gt(0)) status = filled.gte(quantity) ? "filled" : "partially_filled";
    const type = v?.orderType === "Limit" ? "limit" : v?.orderType === "Stop" ? "stop" : v?.orderType === "StopLimit" ? "stop_limit" : "market";
    return {
      brokerOrderId: String(o.id),
      clientOrderId,
      ticker: tickerFromTradovate(name, ctx.now()),
      side: o.action === "Buy" ? "buy" : "sell",
      type,
      quantity,
      limitPrice: v?.price !== undefined && v.price !== null && (type === "limit" || type === "stop_limit") ? toDecimal(v.price) : null,
      stopPrice: v?.stopPrice !== undefined && v.stopPrice !== null ? toDecimal(v.stopPrice) : null,
      timeInForce: v?.timeInForce ? (TIF_BACK[v.timeInForce] ?? null) : null,
      status,
      filledQuantity: toDecimal(filled),
      avgFillPrice: filled.gt(0) ? toDecimal(cost.div(filled).round(8)) : null,
      ...(o.parentId !== undefined && o.parentId !== null && { parentBrokerOrderId: String(o.parentId), role: type === "limit" ? ("take_profit" as const) : ("stop_loss" as const) }),
      ...(o.timestamp && { createdAt: o.timestamp }),
      raw: { order: o, version: v, fills },
    };
  }

  function failure(answer: z.output<typeof WireCommandSchema>): BrokerError {
    const text = answer.failureText ?? answer.errorText ?? answer.failureReason ?? "Tradovate refused the order.";
    return mapVenueError(TRADOVATE_ERROR_TABLE, { status: 200, message: text, body: answer });
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      const list = await call("GET", "/account/list", WireAccountsSchema);
      return list.filter((a) => a.active !== false).map((a) => ({ brokerAccountId: String(a.id), mode: ctx.environment, name: `Tradovate ${a.name}`, currency: "USD" }));
    },

    async getBalance(accountId) {
      const snap = await call("POST", "/cashBalance/getcashbalancesnapshot", WireCashSchema, { body: { accountId: Number(accountId) }, read: true });
      if (snap.errorText) throw mapVenueError(TRADOVATE_ERROR_TABLE, { status: 200, message: snap.errorText, body: snap });
      return { currency: "USD", cash: toDecimal(snap.totalCashValue ?? 0), equity: toDecimal(snap.netLiq ?? snap.totalCashValue ?? 0), raw: snap };
    },

    async getPositions(accountId) {
      const list = (await call("GET", "/position/list", WirePositionsSchema)).filter((p) => String(p.accountId) === accountId && p.netPos !== 0);
      return Promise.all(
        list.map(async (p) => ({ ticker: tickerFromTradovate(await contractName(p.contractId), ctx.now()), quantity: toDecimal(p.netPos), avgPrice: toDecimal(p.netPrice ?? 0), raw: p })),
      );
    },

    async getOpenOrders(accountId) {
      const list = (await call("GET", "/order/list", WireOrdersSchema)).filter((o) => String(o.accountId) === accountId && (STATUS[o.ordStatus] === "open" || STATUS[o.ordStatus] === "pending"));
      return Promise.all(list.map((o) => normalize(o)));
    },

    async getOrder(_accountId, ref) {
      if ("clientOrderId" in ref) {
        throw new BrokerError("Tradovate's order lists do not carry Tradeloop's id, so this order cannot be looked up by it; check the Tradovate account before sending it again.", {
          code: "client-order-id-lookup-unsupported",
          kind: "outcome-unknown",
        });
      }
      let order: WireOrder;
      try {
        order = await call("GET", `/order/item?id=${encodeURIComponent(ref.brokerOrderId)}`, WireOrderSchema);
      } catch (e) {
        if (e instanceof BrokerError && e.status === 404) return null;
        throw e;
      }
      return normalize(order);
    },

    async placeOrder(accountId, request) {
      const symbol = tradovateSymbol(request.ticker);
      const order: Record<string, unknown> = {
        accountSpec: await accountName(accountId),
        accountId: Number(accountId),
        clOrdId: request.clientOrderId,
        action: request.side === "buy" ? "Buy" : "Sell",
        symbol,
        orderQty: Number(request.quantity),
        orderType: TYPE[request.type as keyof typeof TYPE],
        ...(request.limitPrice !== undefined && { price: Number(request.limitPrice) }),
        ...(request.stopPrice !== undefined && { stopPrice: Number(request.stopPrice) }),
        timeInForce: TIF[request.timeInForce],
        // Required by Tradovate for every order a human did not place by hand.
        isAutomated: true,
      };
      const b = request.bracket;
      const exitAction = request.side === "buy" ? "Sell" : "Buy";
      let path = "/order/placeorder";
      if (b && (b.takeProfit || b.stopLoss)) {
        path = "/order/placeOSO";
        const legs = [
          ...(b.takeProfit ? [{ action: exitAction, orderType: "Limit", price: Number(b.takeProfit.limitPrice) }] : []),
          ...(b.stopLoss
            ? [b.stopLoss.type === "stop_limit"
                ? { action: exitAction, orderType: "StopLimit", stopPrice: Number(b.stopLoss.stopPrice), price: Number(b.stopLoss.limitPrice) }
                : { action: exitAction, orderType: "Stop", stopPrice: Number(b.stopLoss.stopPrice) }]
            : []),
        ];
        order.bracket1 = legs[0];
        if (legs[1]) order.bracket2 = legs[1];
      }
      const answer = await call("POST", path, WireCommandSchema, { body: order, placingOrder: true });
      if (answer.orderId === undefined) throw failure(answer);
      const booked = await call("GET", `/order/item?id=${answer.orderId}`, WireOrderSchema);
      return normalize(booked, request.clientOrderId);
    },

    async cancelOrder(_accountId, ref) {
      if ("clientOrderId" in ref) throw new BrokerError("Tradovate cancels by its own order id only.", { code: "client-order-id-lookup-unsupported", kind: "unsupported" });
      const answer = await call("POST", "/order/cancelorder", WireCommandSchema, { body: { orderId: Number(ref.brokerOrderId) } });
      if (answer.failureReason || answer.errorText) throw failure(answer);
    },
  };
}
