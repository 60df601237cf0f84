/**
 * The Polymarket client: CLOB V2 with L2 headers on every request, the
 * Gamma API to find a market by slug, the Data API for positions.
 *
 * - Tickers are `<MARKET>:<OUTCOME>` (slug or Gamma market id, colon,
 *   outcome); the market's token ids, tick size, minimum size and neg-risk
 *   flag come from the CLOB and are kept for the isolate.
 * - An order is signed here (signing.ts) with a salt derived from
 *   Tradeloop's id; its id at Polymarket is its EIP-712 hash, which is
 *   recorded in the connection's order journal BEFORE it is sent, so a lost
 *   reply is found by `getOrder({ clientOrderId })`.
 * - A market order is a fill-or-kill limit at the price the book can fill
 *   the whole size at (walked from `/book` before sending).
 * - Instrument rules (tick, 0.01-share lots, minimum size, prices strictly
 *   between 0 and 1) come from the market, so the host rounds and checks
 *   every order before it is signed.
 *
 * @module
 */
import type { z } from "zod";
import {
  addressOf,
  BrokerError,
  dec,
  jsonCaller,
  mapVenueError,
  privateKeyBytes,
  requireSession,
  toDecimal,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type Decimal,
  type InstrumentRules,
  type OrderRequest,
  type OrderStatus,
  type PluginContext,
  type SessionTokens,
  type VenueRequest,
} from "../sdk";
import { POLYMARKET_ERROR_TABLE } from "./errors";
import { EXCHANGE_V2, NEG_RISK_EXCHANGE_V2, POLYGON_CHAIN_ID, type PolymarketCredentials, type polymarketCapabilities } from "./manifest";
import { BYTES32_ZERO, l2Signature, orderAmounts, orderHash, saltFor, signOrder, type OrderV2 } from "./signing";
import {
  WireBalanceSchema,
  WireBookSchema,
  WireCancelSchema,
  WireClobMarketSchema,
  WireGammaMarketSchema,
  WireOpenOrderSchema,
  WireOrdersPageSchema,
  WirePositionsSchema,
  WirePostOrderSchema,
  type WireClobMarket,
  type WireOpenOrder,
} from "./wire";

/** A market as the client needs it. */
interface Market {
  conditionId: string;
  slug: string;
  tickSize: string;
  minSize: string;
  negRisk: boolean;
  /** Outcome (upper-case) → token id. */
  tokens: Map<string, string>;
}

const END_CURSOR = "LTE=";

interface PolyRequest extends VenueRequest {
  url: string;
  path: string;
  body?: string;
  /** Public endpoints (Gamma, Data API, the book) carry no L2 headers. */
  public?: boolean;
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  live: "open",
  delayed: "pending",
  unmatched: "cancelled",
  matched: "filled",
  canceled: "cancelled",
  cancelled: "cancelled",
  canceled_market_resolved: "cancelled",
  invalid: "rejected",
};

/** Creates the client for one connection. */
export function createPolymarketClient(ctx: PluginContext<PolymarketCredentials>): ClientFor<typeof polymarketCapabilities> {
  const session = requireSession(ctx);
  const key = privateKeyBytes(ctx.credentials.privateKey);
  const signer = addressOf(key);
  const type = ctx.credentials.signatureType;
  const maker = type === 0 ? signer : ctx.credentials.funderAddress!;
  // Gamma and the Data API live beside the CLOB: clob.X → gamma-api.X, data-api.X.
  const sibling = (name: string) => ctx.baseUrl.replace(/\/\/clob\./, `//${name}.`);
  const gamma = sibling("gamma-api");
  const data = sibling("data-api");
  let tokens: SessionTokens | null = null;
  // Markets by ticker part and by condition id, for this client: a market's tokens never change, but
  // the cache stays per connection so one CLOB's answers never serve another's (tests, staging hosts).
  const BY_KEY = new Map<string, Market>();
  const BY_CONDITION = new Map<string, Market>();

  const caller = jsonCaller<PolyRequest>({
    venue: "Polymarket",
    fetch: ctx.fetch,
    async sign(r) {
      const headers: Record<string, string> = { accept: "application/json", ...(r.body !== undefined && { "content-type": "application/json" }) };
      if (!r.public) {
        const t = tokens ?? (await session.current());
        const timestamp = Math.floor(ctx.now().getTime() / 1000);
        Object.assign(headers, {
          POLY_ADDRESS: signer,
          POLY_SIGNATURE: await l2Signature(t.secrets?.secret ?? "", timestamp, r.method, r.path, r.body),
          POLY_TIMESTAMP: String(timestamp),
          POLY_API_KEY: t.accessToken,
          POLY_PASSPHRASE: t.secrets?.passphrase ?? "",
        });
      }
      return new Request(r.url, { method: r.method, headers, ...(r.body !== undefined && { body: r.body }) });
    },
    error(answer, r) {
      const body = answer.body as { error?: unknown; errorMsg?: unknown } | undefined;
      const message = typeof body === "object" && body !== null ? String(body.error ?? body.errorMsg ?? "") || null : typeof body === "string" ? body : null;
      return mapVenueError(POLYMARKET_ERROR_TABLE, { status: answer.status, message, body: answer.body, headers: answer.headers, placingOrder: r.placingOrder === true, now: ctx.now() });
    },
  });

  /**
   * A CLOB call with L2 headers; a 401 renews the credentials once (derive again) and resends.
   * The caller's own `session` option does not fit: it hands `sign` a bearer value, and an L2
   * signature needs the session's secret and passphrase as well, so the renewal is done here.
   */
  async function clob<S extends z.ZodType>(method: string, path: string, schema: S, options: { body?: unknown; placingOrder?: boolean; idempotent?: boolean } = {}): Promise<z.output<S>> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const request: PolyRequest = { method, url: `${ctx.baseUrl}${path}`, path: path.split("?")[0]!, ...(body !== undefined && { body }), ...(options.placingOrder && { placingOrder: true }), ...(options.idempotent !== undefined && { idempotent: options.idempotent }) };
    tokens = await session.current();
    try {
      return await caller.call(request, schema);
    } catch (e) {
      // A 401 is refused before anything happens: safe to resend with renewed credentials.
      if (!(e instanceof BrokerError) || e.status !== 401) throw e;
      tokens = await session.renew(tokens.accessToken);
      return caller.call(request, schema);
    }
  }

  function publicGet<S extends z.ZodType>(url: string, schema: S): Promise<z.output<S>> {
    return caller.call({ method: "GET", url, path: new URL(url).pathname, public: true }, schema);
  }

  function remember(m: WireClobMarket): Market {
    const market: Market = {
      conditionId: m.condition_id,
      slug: m.market_slug,
      tickSize: toDecimal(m.minimum_tick_size),
      minSize: toDecimal(m.minimum_order_size),
      negRisk: m.neg_risk,
      tokens: new Map(m.tokens.map((t) => [t.outcome.toUpperCase(), t.token_id])),
    };
    BY_CONDITION.set(market.conditionId, market);
    return market;
  }

  async function marketByCondition(conditionId: string): Promise<Market> {
    const known = BY_CONDITION.get(conditionId);
    if (known) return known;
    return remember(await publicGet(`${ctx.baseUrl}/markets/${encodeURIComponent(conditionId)}`, WireClobMarketSchema));
  }

  /** The market and outcome token of a ticker `<MARKET>:<OUTCOME>`. */
  async function resolve(ticker: string): Promise<{ market: Market; tokenId: string; outcome: string }> {
    const [part, outcome] = ticker.split(":");
    if (!part || !outcome) throw new BrokerError(`${ticker} is not a Polymarket outcome; send MARKET:OUTCOME, e.g. WILL-THE-FED-CUT-IN-DECEMBER:YES.`, { code: "invalid-symbol", kind: "rejected" });
    let market = BY_KEY.get(part);
    if (!market) {
      const found = /^\d+$/.test(part)
        ? [await publicGet(`${gamma}/markets/${part}`, WireGammaMarketSchema)]
        : await publicGet(`${gamma}/markets?slug=${encodeURIComponent(part.toLowerCase())}`, WireGammaMarketSchema.array());
      const g = found[0];
      if (!g) throw new BrokerError(`Polymarket has no market ${part.toLowerCase()}.`, { code: "invalid-symbol", kind: "rejected" });
      market = await marketByCondition(g.conditionId);
      BY_KEY.set(part, market);
    }
    const tokenId = market.tokens.get(outcome.toUpperCase());
    if (!tokenId) throw new BrokerError(`Market ${market.slug} has no outcome ${outcome}; it has ${[...market.tokens.keys()].join(", ")}.`, { code: "invalid-symbol", kind: "rejected" });
    return { market, tokenId, outcome: outcome.toUpperCase() };
  }

  function tickerOf(market: Market, outcome: string): string {
    return `${market.slug.toUpperCase()}:${outcome.toUpperCase()}`;
  }

  async function normalize(o: WireOpenOrder, clientOrderId: string | null = null): Promise<BrokerOrder> {
    const market = await marketByCondition(o.market);
    const outcome = o.outcome ?? [...market.tokens.entries()].find(([, id]) => id === o.asset_id)?.[0] ?? "";
    const quantity = toDecimal(o.original_size);
    const filled = toDecimal(o.size_matched);
    let status = STATUS[o.status.toLowerCase()] ?? "open";
    if (status === "open" && dec(filled).gt(0)) status = dec(filled).gte(quantity) ? "filled" : "partially_filled";
    if (status === "filled" && dec(filled).lt(quantity)) status = dec(filled).gt(0) ? "partially_filled" : "open";
    const fok = (o.order_type ?? "").toUpperCase();
    return {
      brokerOrderId: o.id,
      clientOrderId,
      ticker: tickerOf(market, outcome),
      side: o.side.toUpperCase() === "BUY" ? "buy" : "sell",
      type: "limit",
      quantity,
      limitPrice: toDecimal(o.price),
      stopPrice: null,
      timeInForce: fok === "FOK" ? "fok" : fok === "FAK" ? "ioc" : "gtc",
      status,
      filledQuantity: filled,
      // A CLOB order fills at its limit or better; the exact average is in the trades, the limit is the bound.
      avgFillPrice: dec(filled).gt(0) ? toDecimal(o.price) : null,
      ...(o.created_at !== undefined && { createdAt: new Date(o.created_at * 1000).toISOString() }),
      raw: o,
    };
  }

  /** One order by its hash, or null when the CLOB has none. */
  async function orderById(id: string, clientOrderId: string | null): Promise<BrokerOrder | null> {
    try {
      const answer = await clob("GET", `/data/order/${encodeURIComponent(id)}`, WireOpenOrderSchema.nullable().or(WireOpenOrderSchema.array().length(0)));
      if (answer === null || Array.isArray(answer)) return null;
      return normalize(answer, clientOrderId);
    } catch (e) {
      if (e instanceof BrokerError && (e.status === 404 || e.code === "order-not-found")) return null;
      throw e;
    }
  }

  /** The price that fills `size` shares against the book now, or null when the book is too thin. */
  async function marketablePrice(tokenId: string, side: "BUY" | "SELL", size: Decimal): Promise<Decimal | null> {
    const book = await publicGet(`${ctx.baseUrl}/book?token_id=${encodeURIComponent(tokenId)}`, WireBookSchema);
    const levels = side === "BUY" ? [...book.asks].sort((a, b) => dec(a.price).cmp(b.price)) : [...book.bids].sort((a, b) => dec(b.price).cmp(a.price));
    let left = dec(size);
    for (const level of levels) {
      left = left.minus(level.size);
      if (left.lte(0)) return toDecimal(level.price);
    }
    return null;
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      await clob("GET", `/balance-allowance?asset_type=COLLATERAL&signature_type=${type}`, WireBalanceSchema);
      return [{ brokerAccountId: maker, mode: "live", name: `Polymarket ${maker.slice(0, 6)}…${maker.slice(-4)}`, currency: "USD" }];
    },

    async getBalance() {
      const balance = await clob("GET", `/balance-allowance?asset_type=COLLATERAL&signature_type=${type}`, WireBalanceSchema);
      const cash = toDecimal(dec(balance.balance).div(1_000_000));
      const positions = await publicGet(`${data}/positions?user=${maker}`, WirePositionsSchema);
      const held = positions.reduce((sum, p) => sum.plus(dec(p.size).times(p.curPrice ?? p.avgPrice)), dec(0));
      return { currency: "USD", cash, equity: toDecimal(held.plus(cash)), buyingPower: cash, raw: { balance, positions } };
    },

    async getPositions() {
      const positions = await publicGet(`${data}/positions?user=${maker}`, WirePositionsSchema);
      return positions
        .filter((p) => dec(p.size).gt(0))
        .map((p) => ({ ticker: `${p.slug.toUpperCase()}:${p.outcome.toUpperCase()}`, quantity: toDecimal(p.size), avgPrice: toDecimal(p.avgPrice), raw: p }));
    },

    async getOpenOrders() {
      const out: BrokerOrder[] = [];
      let cursor = "MA==";
      for (let page = 0; page < 20 && cursor !== END_CURSOR; page++) {
        const answer = await clob("GET", `/data/orders?next_cursor=${encodeURIComponent(cursor)}`, WireOrdersPageSchema);
        for (const o of answer.data) out.push(await normalize(o));
        cursor = answer.next_cursor ?? END_CURSOR;
      }
      return out.filter((o) => o.status === "open" || o.status === "partially_filled" || o.status === "pending");
    },

    async getOrder(_accountId, ref) {
      if ("brokerOrderId" in ref) return orderById(ref.brokerOrderId, null);
      const journal = ctx.journal;
      if (!journal) throw new BrokerError("This connection has no order journal, so an order cannot be found by Tradeloop's id.", { code: "client-order-id-lookup-unsupported", kind: "outcome-unknown" });
      // The hash was journaled before the order was sent: none recorded means none was sent.
      const hash = await journal.lookup(ref.clientOrderId);
      return hash === null ? null : orderById(hash, ref.clientOrderId);
    },

    async placeOrder(_accountId, request: OrderRequest) {
      const { market, tokenId } = await resolve(request.ticker);
      const side = request.side === "buy" ? "BUY" : "SELL";
      let price = request.limitPrice;
      let orderType = request.timeInForce === "fok" ? "FOK" : request.timeInForce === "ioc" ? "FAK" : "GTC";
      if (request.type === "market") {
        const walked = await marketablePrice(tokenId, side, request.quantity);
        if (walked === null) throw new BrokerError(`The ${request.ticker} book cannot fill ${request.quantity} shares now; nothing was sent.`, { code: "order-not-filled", kind: "rejected" });
        price = walked;
        orderType = request.timeInForce === "ioc" ? "FAK" : "FOK";
      }
      if (price === undefined) throw new BrokerError("A Polymarket limit order needs a price.", { code: "order-price-missing", kind: "unsupported" });
      const order: OrderV2 = {
        salt: saltFor(request.clientOrderId),
        maker,
        signer: type === 3 ? maker : signer,
        tokenId,
        ...orderAmounts(side, request.quantity, price, market.tickSize),
        side,
        signatureType: type,
        timestamp: String(ctx.now().getTime()),
        metadata: BYTES32_ZERO,
        builder: BYTES32_ZERO,
      };
      const exchange = market.negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2;
      const hash = orderHash(order, POLYGON_CHAIN_ID, exchange);
      // Before sending: whatever happens to the reply, the order can be found by Tradeloop's id.
      await ctx.journal?.record(request.clientOrderId, hash);
      const t = await session.current();
      const body = {
        deferExec: false,
        postOnly: false,
        order: { ...order, salt: Number(order.salt), expiration: "0", signature: signOrder(key, order, POLYGON_CHAIN_ID, exchange) },
        owner: t.accessToken,
        orderType,
      };
      const answer = await clob("POST", "/order", WirePostOrderSchema, { body, placingOrder: true });
      if (!answer.success) throw mapVenueError(POLYMARKET_ERROR_TABLE, { status: 200, message: answer.errorMsg || "Polymarket refused the order.", body: answer });
      const id = answer.orderID || hash;
      const booked = await orderById(id, request.clientOrderId);
      if (booked) return booked;
      // Filled or killed at once: the CLOB keeps no open order; the answer's amounts tell which.
      const filled = answer.status === "matched";
      return {
        brokerOrderId: id,
        clientOrderId: request.clientOrderId,
        ticker: request.ticker,
        side: request.side,
        type: "limit",
        quantity: request.quantity,
        limitPrice: price,
        stopPrice: null,
        timeInForce: request.timeInForce,
        status: filled ? "filled" : answer.status === "unmatched" ? "cancelled" : "pending",
        filledQuantity: filled ? request.quantity : "0",
        avgFillPrice: filled ? price : null,
        raw: answer,
      };
    },

    async cancelOrder(_accountId, ref) {
      let id: string | null;
      if ("brokerOrderId" in ref) id = ref.brokerOrderId;
      else id = (await ctx.journal?.lookup(ref.clientOrderId)) ?? null;
      if (!id) throw new BrokerError("No such Polymarket order.", { code: "order-not-found", kind: "rejected" });
      const answer = await clob("DELETE", "/order", WireCancelSchema, { body: { orderID: id }, idempotent: true });
      if (answer.canceled.includes(id)) return;
      const reason = answer.not_canceled[id] ?? "the order was not cancelled";
      throw mapVenueError(POLYMARKET_ERROR_TABLE, { status: 200, message: reason, body: answer });
    },

    async getQuote(ticker) {
      const { tokenId } = await resolve(ticker);
      const book = await publicGet(`${ctx.baseUrl}/book?token_id=${encodeURIComponent(tokenId)}`, WireBookSchema);
      const bid = book.bids.reduce<Decimal | null>((best, l) => (best === null || dec(l.price).gt(best) ? toDecimal(l.price) : best), null);
      const ask = book.asks.reduce<Decimal | null>((best, l) => (best === null || dec(l.price).lt(best) ? toDecimal(l.price) : best), null);
      return { ticker, bid, ask, last: null, at: ctx.now().toISOString() };
    },

    async instrumentRules(ticker): Promise<InstrumentRules> {
      const { market } = await resolve(ticker);
      return { tickSize: market.tickSize, lotStep: "0.01", minQuantity: market.minSize, priceRange: { above: "0", below: "1" } };
    },
  };
}
