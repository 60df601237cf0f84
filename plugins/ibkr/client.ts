/**
 * The IBKR client: the Client Portal Web API on the user's gateway, through
 * `ctx.fetch`, with the Cloudflare Access service token's headers on every
 * request.
 *
 * - Session: every call first asks the connection's session owner for the
 *   live marker (a dead gateway session is `auth-expired` before anything is
 *   sent); a 401 asks the owner to renew once (tickle, reopen) and resends.
 * - Orders carry Tradeloop's id as `cOID`; a bracket is the entry (with
 *   `cOID`) and its exits pointing at it with `parentId`.
 * - IBKR answers an order with a question (price constraints, missing market
 *   data, size limits...): the client confirms it at `/iserver/reply/{id}`,
 *   up to {@link MAX_REPLIES} rounds, and refuses those whose message ids the
 *   connection lists in `neverConfirm` (answering no).
 * - A lost reply is reconciled by `cOID` (`order_ref` in the live orders).
 *   That list is primed by the first call of a session and may come back
 *   empty then, so "no such order" is concluded only from a complete
 *   snapshot read twice; anything less is `outcome-unknown`, never null.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  jsonCaller,
  mapVenueError,
  requireSession,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type Decimal,
  type OrderChanges,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type PluginContext,
  type Position,
  type TimeInForce,
  type VenueRequest,
} from "../sdk";
import { IBKR_ERROR_TABLE } from "./errors";
import { gatewayHeaders, requireGateway } from "./gateway";
import type { ibkrCapabilities, IbkrCredentials, IbkrSettingsSchema } from "./manifest";
import { futureTickerFromDescription, ibkrSymbol, parseFutureTicker, stockTicker } from "./symbols";
import {
  WireCancelSchema,
  WireFuturesSchema,
  WireIserverAccountsSchema,
  WireLiveOrdersSchema,
  WireOrderStatusSchema,
  WirePortfolioAccountsSchema,
  WirePositionsSchema,
  WireStocksSchema,
  WireSubmitSchema,
  WireSummarySchema,
  type WireLiveOrder,
  type WirePosition,
  type WireSubmitItem,
} from "./wire";

/** Most question rounds one order may take before the client gives up (IBKR asks one or two). */
export const MAX_REPLIES = 5;
/**
 * Contract ids by ticker, for the isolate: a conid never changes (IBKR's
 * permanent contract id), so every connection shares the lookups, and an
 * order after the first for a ticker sends nothing but the order.
 */
const CONIDS = new Map<string, string>();
const TICKERS = new Map<string, string>();

/** Positions come 100 a page. */
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

type Settings = z.output<typeof IbkrSettingsSchema>;

interface IbkrRequest extends VenueRequest {
  path: string;
  body?: unknown;
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  pendingsubmit: "pending",
  apipending: "pending",
  presubmitted: "open",
  submitted: "open",
  pendingcancel: "open",
  filled: "filled",
  cancelled: "cancelled",
  apicancelled: "cancelled",
  inactive: "rejected",
};
const ACTIVE: ReadonlySet<OrderStatus> = new Set(["pending", "open", "partially_filled"]);
const TYPE: Readonly<Record<OrderType, string>> = { market: "MKT", limit: "LMT", stop: "STP", stop_limit: "STOP_LIMIT", trailing_stop: "TRAIL" };
const TIF: Readonly<Record<TimeInForce, string>> = { day: "DAY", gtc: "GTC", ioc: "IOC", fok: "FOK", opg: "OPG", cls: "DAY" };

function typeBack(raw: string | undefined): OrderType {
  const t = (raw ?? "").toUpperCase().replace(/[\s_]/g, "");
  if (t === "LMT" || t === "LIMIT") return "limit";
  if (t === "STP" || t === "STOP") return "stop";
  if (t === "STOPLIMIT" || t === "STPLMT") return "stop_limit";
  if (t === "TRAIL" || t === "TRAILINGSTOP") return "trailing_stop";
  return "market";
}

function tifBack(raw: string | undefined): TimeInForce | null {
  const t = (raw ?? "").toUpperCase();
  return t === "DAY" ? "day" : t === "GTC" ? "gtc" : t === "IOC" ? "ioc" : t === "FOK" ? "fok" : t === "OPG" ? "opg" : null;
}

/** The normalized status, folding fills into it (IBKR keeps `Submitted` while partly filled). */
function statusOf(raw: string, filled: Decimal, total: Decimal): OrderStatus {
  const base = STATUS[raw.toLowerCase()] ?? "open";
  if ((base === "open" || base === "pending") && dec(filled).gt(0)) return dec(filled).gte(total) ? "filled" : "partially_filled";
  return base;
}

/** Creates the client for one connection. */
export function createIbkrClient(ctx: PluginContext<IbkrCredentials, Settings>): ClientFor<typeof ibkrCapabilities> {
  const session = requireSession(ctx);
  const conids = CONIDS;
  const tickers = TICKERS;
  let portfolioPrimed: Promise<unknown> | null = null;

  const caller = jsonCaller<IbkrRequest>({
    venue: "Interactive Brokers",
    fetch: ctx.fetch,
    // The owner's keepalive marker: a 401 asks it to renew (tickle, reopen the brokerage session) once, then resends.
    session,
    // The marker is no credential (the gateway knows its own login), so the bearer value is not sent.
    sign: (r) =>
      new Request(`${ctx.baseUrl}${r.path}`, {
        method: r.method,
        headers: gatewayHeaders(ctx.credentials, r.body !== undefined),
        ...(r.body !== undefined && { body: JSON.stringify(r.body) }),
      }),
    error: (answer, r) => {
      const message = typeof answer.body === "object" && answer.body !== null && "error" in answer.body ? String((answer.body as { error: unknown }).error) : null;
      return mapVenueError(IBKR_ERROR_TABLE, { status: answer.status, message, body: answer.body, headers: answer.headers, placingOrder: r.placingOrder === true, now: ctx.now() });
    },
  });

  /** One gateway call on a live session; refused before the session is touched when the connection has no gateway URL. */
  async function call<S extends z.ZodType>(request: IbkrRequest, schema: S): Promise<z.output<S>> {
    requireGateway(ctx.baseUrl);
    return caller.call(request, schema);
  }

  async function primePortfolio(): Promise<void> {
    // IBKR: /portfolio/accounts must be read once in a session before other /portfolio calls.
    portfolioPrimed ??= call({ method: "GET", path: "/portfolio/accounts" }, WirePortfolioAccountsSchema).catch((e: unknown) => {
      portfolioPrimed = null;
      throw e;
    });
    await portfolioPrimed;
  }

  async function conidOf(ticker: string, assetClass: OrderRequest["assetClass"]): Promise<string> {
    const key = `${assetClass}:${ticker}`;
    const known = conids.get(key);
    if (known) return known;
    let conid: string | undefined;
    if (assetClass === "futures") {
      const f = parseFutureTicker(ticker);
      if (!f) throw new BrokerError(`${ticker} is not a futures contract IBKR can look up.`, { code: "invalid-symbol", kind: "rejected" });
      const list = await call({ method: "GET", path: `/trsrv/futures?symbols=${encodeURIComponent(f.root)}` }, WireFuturesSchema);
      conid = list[f.root]?.find((c) => c.expirationDate.startsWith(f.month))?.conid;
    } else {
      const symbol = ibkrSymbol(ticker, assetClass);
      const list = await call({ method: "GET", path: `/trsrv/stocks?symbols=${encodeURIComponent(symbol)}` }, WireStocksSchema);
      const contracts = (list[symbol] ?? []).flatMap((s) => s.contracts);
      // The US listing (SMART routing) when there are several.
      conid = (contracts.find((c) => c.isUS) ?? contracts[0])?.conid;
    }
    if (!conid) throw new BrokerError(`Interactive Brokers has no contract for ${ticker}.`, { code: "invalid-symbol", kind: "rejected" });
    conids.set(key, conid);
    tickers.set(conid, ticker);
    return conid;
  }

  function tickerOfOrder(o: WireLiveOrder): string {
    const byConid = o.conid !== undefined ? tickers.get(o.conid) : undefined;
    if (byConid) return byConid;
    if ((o.secType ?? "").toUpperCase() === "FUT") return futureTickerFromDescription(o.description1 ?? o.ticker ?? "") ?? o.ticker ?? "";
    return stockTicker(o.ticker ?? o.description1 ?? "");
  }

  function tickerOfPosition(p: WirePosition): string {
    const byConid = tickers.get(p.conid);
    if (byConid) return byConid;
    if ((p.assetClass ?? "").toUpperCase() === "FUT") return futureTickerFromDescription(p.contractDesc ?? "") ?? p.ticker ?? p.contractDesc ?? "";
    return stockTicker(p.ticker ?? p.contractDesc ?? "");
  }

  function normalize(o: WireLiveOrder): BrokerOrder {
    const type = typeBack(o.orderType ?? o.origOrderType);
    const filled = toDecimal(o.filledQuantity ?? "0");
    const total = toDecimal(o.totalSize ?? dec(filled).plus(o.remainingQuantity ?? "0"));
    const status = statusOf(o.status, filled, total);
    const limitPrice = type === "limit" || type === "stop_limit" ? (o.price !== undefined ? toDecimal(o.price) : null) : null;
    const stopPrice = type === "stop" ? toDecimal(o.auxPrice ?? o.price ?? "0") : type === "stop_limit" && o.auxPrice !== undefined ? toDecimal(o.auxPrice) : null;
    return {
      brokerOrderId: o.orderId,
      clientOrderId: o.order_ref ?? null,
      ticker: tickerOfOrder(o),
      side: o.side.toUpperCase().startsWith("B") ? "buy" : "sell",
      type,
      quantity: total,
      limitPrice,
      stopPrice: type === "stop" && stopPrice === "0" ? null : stopPrice,
      timeInForce: tifBack(o.timeInForce),
      status,
      filledQuantity: filled,
      avgFillPrice: dec(filled).gt(0) && o.avgPrice !== undefined ? toDecimal(o.avgPrice) : null,
      ...(o.parentId !== undefined && o.parentId !== "0" && { parentBrokerOrderId: o.parentId, role: type === "limit" ? ("take_profit" as const) : ("stop_loss" as const) }),
      ...(o.lastExecutionTime_r !== undefined && { updatedAt: new Date(o.lastExecutionTime_r).toISOString() }),
      raw: o,
    };
  }

  /** The live orders list; `complete` says whether the gateway's snapshot was ready. */
  async function liveOrders(): Promise<{ orders: WireLiveOrder[]; complete: boolean }> {
    const answer = await call({ method: "GET", path: "/iserver/account/orders" }, WireLiveOrdersSchema);
    return { orders: answer.orders, complete: answer.snapshot !== false };
  }

  /** Finds an order in the live list; the first read of a session may be an unprimed, empty list, so it reads twice. */
  async function findLive(accountId: string, match: (o: WireLiveOrder) => boolean): Promise<{ order: WireLiveOrder | null; complete: boolean }> {
    let complete = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      const list = await liveOrders();
      const hit = list.orders.find((o) => (o.acct ?? o.account ?? accountId) === accountId && match(o));
      if (hit) return { order: hit, complete: true };
      complete = list.complete && attempt > 0;
    }
    return { order: null, complete };
  }

  async function orderById(accountId: string, brokerOrderId: string): Promise<BrokerOrder | null> {
    const live = await findLive(accountId, (o) => o.orderId === brokerOrderId);
    if (live.order) return normalize(live.order);
    // Not in today's list: ask the order status endpoint, which knows older orders too.
    try {
      const s = await call({ method: "GET", path: `/iserver/account/order/status/${encodeURIComponent(brokerOrderId)}` }, WireOrderStatusSchema);
      const type = typeBack(s.order_type);
      const filled = toDecimal(s.cum_fill ?? "0");
      const total = toDecimal(s.total_size ?? filled);
      return {
        brokerOrderId: s.order_id,
        clientOrderId: null,
        ticker: (s.conid !== undefined ? tickers.get(s.conid) : undefined) ?? stockTicker(s.symbol ?? ""),
        side: (s.side ?? "B").toUpperCase().startsWith("B") ? "buy" : "sell",
        type,
        quantity: total,
        limitPrice: s.limit_price !== undefined && (type === "limit" || type === "stop_limit") ? toDecimal(s.limit_price) : null,
        stopPrice: s.stop_price !== undefined && (type === "stop" || type === "stop_limit") ? toDecimal(s.stop_price) : null,
        timeInForce: tifBack(s.tif),
        status: statusOf(s.order_status, filled, total),
        filledQuantity: filled,
        avgFillPrice: dec(filled).gt(0) && s.average_price !== undefined ? toDecimal(s.average_price) : null,
        raw: s,
      };
    } catch (e) {
      if (e instanceof BrokerError && e.code === "order-not-found") return null;
      throw e;
    }
  }

  function orderBody(accountId: string, conid: string, request: OrderRequest): Record<string, unknown>[] {
    const side = request.side === "buy" ? "BUY" : "SELL";
    const exit = request.side === "buy" ? "SELL" : "BUY";
    const tif = TIF[request.timeInForce];
    const price = (d: Decimal | undefined) => (d === undefined ? undefined : Number(d));
    const entry: Record<string, unknown> = {
      acctId: accountId,
      conid: Number(conid),
      cOID: request.clientOrderId,
      orderType: TYPE[request.type],
      side,
      quantity: Number(request.quantity),
      tif,
      ...(request.extendedHours === true && { outsideRTH: true }),
      // LMT: the limit; STP: the stop; STOP_LIMIT: the limit, with the stop as auxPrice.
      ...(request.type === "limit" && { price: price(request.limitPrice) }),
      ...(request.type === "stop" && { price: price(request.stopPrice) }),
      ...(request.type === "stop_limit" && { price: price(request.limitPrice), auxPrice: price(request.stopPrice) }),
    };
    const orders = [entry];
    const b = request.bracket;
    if (b?.takeProfit) {
      orders.push({ acctId: accountId, conid: Number(conid), parentId: request.clientOrderId, orderType: "LMT", side: exit, quantity: Number(request.quantity), tif, price: price(b.takeProfit.limitPrice) });
    }
    if (b?.stopLoss) {
      const sl = b.stopLoss;
      orders.push(
        sl.type === "stop_limit"
          ? { acctId: accountId, conid: Number(conid), parentId: request.clientOrderId, orderType: "STOP_LIMIT", side: exit, quantity: Number(request.quantity), tif, price: price(sl.limitPrice), auxPrice: price(sl.stopPrice) }
          : { acctId: accountId, conid: Number(conid), parentId: request.clientOrderId, orderType: "STP", side: exit, quantity: Number(request.quantity), tif, price: price(sl.stopPrice) },
      );
    }
    return orders;
  }

  /**
   * Sends the order and answers IBKR's questions until it returns order ids.
   * Every step is a POST that may have submitted the order, so a lost answer
   * anywhere is outcome-unknown and the core reconciles by cOID.
   */
  async function submit(accountId: string, orders: Record<string, unknown>[]): Promise<WireSubmitItem[]> {
    return answerQuestions(await call({ method: "POST", path: `/iserver/account/${encodeURIComponent(accountId)}/orders`, body: { orders }, placingOrder: true }, WireSubmitSchema));
  }

  /** The confirmation loop shared by placement and modification: both answer with orders, questions or an error. */
  async function answerQuestions(first: z.output<typeof WireSubmitSchema>): Promise<WireSubmitItem[]> {
    let answer = first;
    const refused = new Set(ctx.settings.neverConfirm ?? []);
    for (let round = 0; ; round++) {
      if (!Array.isArray(answer)) throw mapVenueError(IBKR_ERROR_TABLE, { status: 200, message: answer.error, body: answer, placingOrder: true });
      const failed = answer.find((i): i is Extract<WireSubmitItem, { error: string }> => "error" in i);
      if (failed) throw mapVenueError(IBKR_ERROR_TABLE, { status: 200, message: failed.error, body: answer, placingOrder: true });
      const question = answer.find((i): i is Extract<WireSubmitItem, { id: string }> => "id" in i && !("order_id" in i));
      if (!question) return answer;
      const text = question.message.join(" ").trim();
      if (question.messageIds.some((m) => refused.has(m)) || round >= MAX_REPLIES) {
        // Answer no, so the question does not stay pending at the gateway.
        await call({ method: "POST", path: `/iserver/reply/${encodeURIComponent(question.id)}`, body: { confirmed: false }, placingOrder: true }, WireSubmitSchema).catch(() => undefined);
        throw new BrokerError(
          round >= MAX_REPLIES
            ? `Interactive Brokers kept asking questions about the order (last: ${text}); it was not confirmed.`
            : `Interactive Brokers asked "${text}" (${question.messageIds.join(", ")}), which this connection never confirms; the order was not sent.`,
          { code: "order-question-refused", kind: "rejected", raw: question },
        );
      }
      ctx.log.info("confirming IBKR order question", { messageIds: question.messageIds, message: text });
      answer = await call({ method: "POST", path: `/iserver/reply/${encodeURIComponent(question.id)}`, body: { confirmed: true }, placingOrder: true }, WireSubmitSchema);
    }
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      // IBKR: /iserver/accounts must be read before orders can be placed in a session.
      const iserver = await call({ method: "GET", path: "/iserver/accounts" }, WireIserverAccountsSchema);
      const portfolio = await call({ method: "GET", path: "/portfolio/accounts" }, WirePortfolioAccountsSchema);
      portfolioPrimed = Promise.resolve(portfolio);
      const accounts = iserver.accounts.map((id) => {
        const info = portfolio.find((p) => p.id === id || p.accountId === id);
        // Paper accounts' ids start with D (DU..., DF...).
        return { brokerAccountId: id, mode: id.startsWith("D") ? ("paper" as const) : ("live" as const), name: `IBKR ${info?.desc ?? id}`, currency: info?.currency ?? "USD" };
      });
      const usable = accounts.filter((a) => a.mode === ctx.environment);
      if (usable.length === 0 && accounts.length > 0) {
        throw new BrokerError(`The gateway is logged into ${ctx.environment === "paper" ? "a live" : "a paper"} account, not ${ctx.environment}.`, { code: "wrong-environment", kind: "auth-expired" });
      }
      if (usable.length === 0) throw new BrokerError("The gateway's login reaches no account.", { code: "no-usable-account", kind: "rejected" });
      return usable;
    },

    async getBalance(accountId) {
      await primePortfolio();
      const s = await call({ method: "GET", path: `/portfolio/${encodeURIComponent(accountId)}/summary` }, WireSummarySchema);
      const amount = (v: { amount?: number | null | undefined } | undefined) => toDecimal(v?.amount ?? 0);
      return {
        currency: s.netliquidation?.currency ?? s.totalcashvalue?.currency ?? "USD",
        cash: amount(s.totalcashvalue),
        equity: amount(s.netliquidation),
        ...(s.buyingpower?.amount !== undefined && s.buyingpower.amount !== null && { buyingPower: amount(s.buyingpower) }),
        raw: s,
      };
    },

    async getPositions(accountId): Promise<Position[]> {
      await primePortfolio();
      const out: Position[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const rows = await call({ method: "GET", path: `/portfolio/${encodeURIComponent(accountId)}/positions/${page}` }, WirePositionsSchema);
        for (const p of rows) {
          if (dec(p.position).eq(0)) continue;
          out.push({ ticker: tickerOfPosition(p), quantity: toDecimal(p.position), avgPrice: toDecimal(p.avgPrice ?? p.avgCost ?? "0"), raw: p });
        }
        if (rows.length < PAGE_SIZE) break;
      }
      return out;
    },

    async getOpenOrders(accountId) {
      const { orders } = await liveOrders();
      return orders
        .filter((o) => (o.acct ?? o.account ?? accountId) === accountId)
        .map(normalize)
        .filter((o) => ACTIVE.has(o.status));
    },

    async getOrder(accountId, ref: OrderRef) {
      if ("brokerOrderId" in ref) return orderById(accountId, ref.brokerOrderId);
      const found = await findLive(accountId, (o) => o.order_ref === ref.clientOrderId);
      if (found.order) return normalize(found.order);
      if (found.complete) return null;
      throw new BrokerError("The gateway's order list was not ready, so Tradeloop cannot tell yet whether the order was placed.", { code: "order-lookup-incomplete", kind: "outcome-unknown" });
    },

    async placeOrder(accountId, request) {
      const conid = await conidOf(request.ticker, request.assetClass);
      const answer = await submit(accountId, orderBody(accountId, conid, request));
      const placed = answer.filter((i): i is Extract<WireSubmitItem, { order_id: string }> => "order_id" in i);
      const entry = placed.find((i) => i.local_order_id === request.clientOrderId) ?? placed[0];
      if (!entry) throw new BrokerError("Interactive Brokers answered the order without an order id.", { code: "bad-response", kind: "outcome-unknown", raw: answer });
      const booked = await orderById(accountId, entry.order_id).catch(() => null);
      if (booked) return { ...booked, clientOrderId: request.clientOrderId };
      return {
        brokerOrderId: entry.order_id,
        clientOrderId: request.clientOrderId,
        ticker: request.ticker,
        side: request.side,
        type: request.type,
        quantity: request.quantity,
        limitPrice: request.limitPrice ?? null,
        stopPrice: request.stopPrice ?? null,
        timeInForce: request.timeInForce,
        status: statusOf(entry.order_status ?? "PendingSubmit", "0", request.quantity),
        filledQuantity: "0",
        avgFillPrice: null,
        raw: answer,
      };
    },

    /**
     * IBKR modifies in place: the whole ticket is sent again with the changed
     * fields (its docs), so the order's current contract, side, type and size
     * are read first. A lost answer is outcome-unknown; the core reads the
     * order back before anything else.
     */
    async modifyOrder(accountId, ref: OrderRef, changes: OrderChanges) {
      const id = "brokerOrderId" in ref ? ref.brokerOrderId : (await findLive(accountId, (o) => o.order_ref === ref.clientOrderId)).order?.orderId;
      if (id === undefined) throw new BrokerError(`No working order with id ${"clientOrderId" in ref ? ref.clientOrderId : ""} is known to the gateway.`, { code: "order-not-found", kind: "rejected" });
      const s = await call({ method: "GET", path: `/iserver/account/order/status/${encodeURIComponent(id)}` }, WireOrderStatusSchema);
      const type = typeBack(s.order_type);
      if (s.conid === undefined || type === "trailing_stop") throw new BrokerError(`Interactive Brokers order ${id} cannot be changed here; cancel it and place a new one.`, { code: "unsupported", kind: "unsupported" });
      const limit = changes.limitPrice ?? (s.limit_price !== undefined ? toDecimal(s.limit_price) : undefined);
      const stop = changes.stopPrice ?? (s.stop_price !== undefined ? toDecimal(s.stop_price) : undefined);
      const num = (d: Decimal | undefined) => (d === undefined ? undefined : Number(d));
      const ticket: Record<string, unknown> = {
        acctId: accountId,
        conid: Number(s.conid),
        orderType: TYPE[type],
        side: (s.side ?? "B").toUpperCase().startsWith("B") ? "BUY" : "SELL",
        quantity: Number(changes.quantity ?? s.total_size ?? "0"),
        tif: changes.timeInForce !== undefined ? TIF[changes.timeInForce] : (s.tif ?? "DAY").toUpperCase(),
        ...(type === "limit" && { price: num(limit) }),
        ...(type === "stop" && { price: num(stop) }),
        ...(type === "stop_limit" && { price: num(limit), auxPrice: num(stop) }),
      };
      await answerQuestions(await call({ method: "POST", path: `/iserver/account/${encodeURIComponent(accountId)}/order/${encodeURIComponent(id)}`, body: ticket, placingOrder: true }, WireSubmitSchema));
      const now = await orderById(accountId, id);
      if (!now) throw new BrokerError(`Interactive Brokers no longer shows order ${id} after changing it.`, { code: "order-not-found", kind: "outcome-unknown" });
      return now;
    },

    async cancelOrder(accountId, ref) {
      let brokerOrderId: string;
      if ("brokerOrderId" in ref) brokerOrderId = ref.brokerOrderId;
      else {
        const found = await findLive(accountId, (o) => o.order_ref === ref.clientOrderId);
        if (!found.order) throw new BrokerError(`No order with id ${ref.clientOrderId} is known to the gateway.`, { code: "order-not-found", kind: "rejected" });
        brokerOrderId = found.order.orderId;
      }
      const answer = await call({ method: "DELETE", path: `/iserver/account/${encodeURIComponent(accountId)}/order/${encodeURIComponent(brokerOrderId)}` }, WireCancelSchema);
      if (answer.error) throw mapVenueError(IBKR_ERROR_TABLE, { status: 200, message: answer.error, body: answer });
    },
  };
}
