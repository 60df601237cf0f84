/**
 * A stateful fake of Tradier's Brokerage API v1, from Tradier's
 * documentation: the documented paths under `/v1`, bearer-token auth,
 * form-encoded orders (simple, OTO, OTOCO with indexed legs and a `tag`),
 * and Tradier's quirks: XML unless `Accept: application/json`, one-element
 * lists as bare objects, empty lists as `"null"`, money as JSON numbers,
 * downstream refusals as HTTP 200 with an `errors` body, and the
 * `X-Ratelimit-*` headers. A pure `(Request) => Promise<Response>` on
 * standard web APIs, so it also runs under Node.
 *
 * It implements the conformance kit's `FakeBroker`. One deliberate choice:
 * Tradier places an order with two requests (the position, to pick
 * `buy_to_cover`/`sell_short`, then the POST), so `loseNextReply()` loses
 * the reply of the next request that creates, changes or cancels an order,
 * which is the reply a lost-order scenario is about.
 *
 * @module
 */
import { Big, dec, toDecimal, type OrderStatus } from "../sdk";
import { replyToResponse, timeoutError, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { BookAccount, instrumentOf, TradierBook, TradierRefusal, type BookOrder, type LegSpec, type TradierStatus } from "./fake-book";

/**
 * The book's statuses in the kit's terms, from Tradier's documented order
 * statuses (the fake's own reading; the plugin keeps its own table).
 */
const KIT_STATUS: Readonly<Record<TradierStatus, OrderStatus>> = {
  pending: "pending",
  open: "open",
  partially_filled: "partially_filled",
  filled: "filled",
  expired: "expired",
  canceled: "cancelled",
  rejected: "rejected",
};

/** Obviously fake credentials the fake accepts by default. */
export const TRADIER_FAKE_CREDENTIALS = { token: "fake-tradier-token-for-tests-only-0000" } as const;
export const TRADIER_FAKE_ACCOUNT = "VA00000001";

/** How a fake Tradier is set up: accounts per token, environment, quota, clock. */
export interface TradierFakeOptions {
  /** Tokens with their account. Default: {@link TRADIER_FAKE_CREDENTIALS} → {@link TRADIER_FAKE_ACCOUNT}, margin, $100 000. */
  accounts?: readonly { token: string; accountNumber: string; type?: "margin" | "cash"; cash?: string }[];
  /** `paper` (sandbox: 60 requests/min in the headers) or `live` (120). */
  environment?: "paper" | "live";
  /** Refuse requests over the per-minute quota (`400 Quota Violation`); headers are always sent. */
  enforceRateLimit?: boolean;
  now?: () => Date;
  baseUrl?: string;
}

type Pending = { kind: "fail"; reply: FakeReply } | { kind: "lose" };

const num = (v: Big): number => Number(v.toFixed());
const newYorkDate = (d: Date): string => new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(d);

/** Tradier's XML-rendered-as-JSON lists: nothing = "null", one = the object itself, more = an array. */
function many<T>(items: T[]): T | T[] | "null" {
  return items.length === 0 ? "null" : items.length === 1 ? items[0]! : items;
}

/** Minimal XML for clients that forgot `Accept: application/json` (Tradier's default format). */
function toXml(value: unknown, tag = "response"): string {
  if (Array.isArray(value)) return value.map((v) => toXml(v, tag)).join("");
  if (value !== null && typeof value === "object") {
    return `<${tag}>${Object.entries(value).map(([k, v]) => toXml(v, k)).join("")}</${tag}>`;
  }
  return `<${tag}>${String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;")}</${tag}>`;
}

/** The fake Tradier. `fetch` is the handler; the other members are test controls. */
export class TradierFake implements FakeBroker {
  readonly baseUrl: string | undefined;
  private book!: TradierBook;
  private readonly accounts = new Map<string, BookAccount>();
  private readonly tokens = new Map<string, string>();
  private pending: Pending[] = [];
  private authExpired = false;
  private rate = { windowStart: 0, used: 0 };
  private readonly now: () => Date;

  constructor(private readonly options: TradierFakeOptions = {}) {
    this.baseUrl = options.baseUrl;
    this.now = options.now ?? (() => new Date());
    this.reset();
  }

  /** The API: a pure handler over standard Request/Response. */
  readonly fetch = (request: Request): Promise<Response> => this.handle(request);

  reset(): void {
    const prices = this.book?.prices;
    this.book = new TradierBook(this.now);
    if (prices) for (const [s, p] of prices) this.book.setPrice(s, p);
    this.accounts.clear();
    this.tokens.clear();
    const list = this.options.accounts ?? [{ token: TRADIER_FAKE_CREDENTIALS.token, accountNumber: TRADIER_FAKE_ACCOUNT }];
    for (const a of list) {
      this.tokens.set(a.token, a.accountNumber);
      this.accounts.set(a.accountNumber, new BookAccount(a.accountNumber, a.type ?? "margin", dec(a.cash ?? "100000"), this.now()));
    }
    this.pending = [];
    this.authExpired = false;
    this.rate = { windowStart: 0, used: 0 };
  }

  /** The market traded at `price` (stock symbol or OCC option symbol); resting orders it crosses fill. */
  setPrice(symbol: string, price: string): void {
    this.book.setPrice(symbol, dec(price));
    for (const a of this.accounts.values()) this.book.match(a, symbol.toUpperCase());
  }

  /** The next request gets `reply`, without touching state. */
  failNext(reply: FakeReply): void {
    this.pending.push({ kind: "fail", reply });
  }

  /** The next request that creates, changes or cancels an order is executed, and its reply is lost (the client times out). */
  loseNextReply(): void {
    this.pending.push({ kind: "lose" });
  }

  /** Every request from now on gets Tradier's 401 for a revoked or expired token, until reset(). */
  expireAuth(): void {
    this.authExpired = true;
  }

  partialFillNext(quantity: string): void {
    this.book.partialFillNext(dec(quantity));
  }

  /** The regular session closed: `day` orders (and `pre`/`post` ones) expire. */
  endSession(): void {
    for (const a of this.accounts.values()) this.book.endSession(a);
  }

  /** Every order, oldest first: an OTO/OTOCO as its entry (under the parent's id and tag), then its exits. */
  orders(): FakeOrder[] {
    const out: FakeOrder[] = [];
    for (const a of this.accounts.values()) {
      for (const o of a.orders) {
        const [entry, ...exits] = o.legs.length > 0 ? o.legs : [o];
        const view = (x: BookOrder, id: number, tag: string | null): FakeOrder => ({
          id: String(id),
          clientOrderId: tag,
          symbol: instrumentOf(x),
          side: x.side.startsWith("buy") ? "buy" : "sell",
          quantity: toDecimal(x.quantity),
          filledQuantity: toDecimal(x.execQty),
          status: KIT_STATUS[x.status],
        });
        out.push(view(entry!, o.id, o.tag), ...exits.map((x) => view(x, x.id, null)));
      }
    }
    return out;
  }

  /** Fills `qty` (default: what is left) of an order or leg at `price` (default: the last price). */
  fillOrder(id: number, qty?: string, price?: string): void {
    for (const a of this.accounts.values()) {
      const o = this.book.find(a, id);
      if (!o) continue;
      const left = o.quantity.minus(o.execQty);
      this.book.fill(a, o, qty === undefined ? left : dec(qty), price === undefined ? (this.book.prices.get(instrumentOf(o)) ?? dec(0)) : dec(price));
      return;
    }
    throw new Error(`fake Tradier: no order ${id}`);
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname.replace(/\/+$/, "");
    const text = method === "GET" ? "" : await request.text();
    if (this.authExpired) return new Response("Invalid Access Token", { status: 401, headers: { "content-type": "text/plain" } });

    const changesOrder = method !== "GET" && /\/orders(\/\d+)?$/.test(path);
    const lose = this.pending[0]?.kind === "lose" && changesOrder;
    const next = this.pending[0]?.kind === "fail" ? this.pending.shift() : lose ? this.pending.shift() : undefined;
    if (next?.kind === "fail") return replyToResponse(next.reply);

    const response = this.respond(method, url, path, text, request.headers);
    if (next?.kind === "lose") {
      // The broker did the work; only the answer is lost on the way back.
      await response.body?.cancel();
      throw timeoutError();
    }
    return response;
  }

  private respond(method: string, url: URL, path: string, text: string, headers: Headers): Response {
    const token = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
    const accountNumber = this.tokens.get(token);
    if (accountNumber === undefined) return new Response("Invalid Access Token", { status: 401, headers: { "content-type": "text/plain" } });

    const rate = this.rateHeaders();
    if (rate === null) return new Response("Quota Violation", { status: 400, headers: { "content-type": "text/plain" } });
    const json = (headers.get("accept") ?? "").includes("application/json");
    const send = (status: number, body: unknown): Response =>
      json
        ? new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...rate } })
        : new Response(`<?xml version="1.0" encoding="UTF-8"?>${toXml(body)}`, { status, headers: { "content-type": "application/xml", ...rate } });
    const errors = (status: number, messages: string[]) => send(status, { errors: { error: many(messages) } });

    try {
      const out = this.route(method, url, path, new URLSearchParams(text), accountNumber);
      return out === null ? errors(404, ["Not Found"]) : send(out[0], out[1]);
    } catch (e) {
      if (e instanceof TradierRefusal) return errors(e.downstream ? 200 : 400, [e.message]);
      if (e instanceof NotFound) return errors(404, [e.message]);
      throw e;
    }
  }

  /** Counts the request; the documented headers, or null once the enforced quota is spent. */
  private rateHeaders(): Record<string, string> | null {
    const allowed = this.options.environment === "live" ? 120 : 60;
    const now = this.now().getTime();
    // Tradier's minute starts with the first request and resets one minute later.
    if (now - this.rate.windowStart >= 60_000) this.rate = { windowStart: now, used: 0 };
    this.rate.used += 1;
    if (this.options.enforceRateLimit && this.rate.used > allowed) return null;
    return {
      "x-ratelimit-allowed": String(allowed),
      "x-ratelimit-used": String(this.rate.used),
      "x-ratelimit-available": String(Math.max(0, allowed - this.rate.used)),
      "x-ratelimit-expiry": String(this.rate.windowStart + 60_000),
    };
  }

  private account(id: string, accountNumber: string): BookAccount {
    // A token reaches its own accounts only.
    if (id !== accountNumber) throw new TradierRefusal(`Unauthorized Account: ${id}`, false);
    return this.accounts.get(id)!;
  }

  private route(method: string, url: URL, path: string, form: URLSearchParams, accountNumber: string): [number, unknown] | null {
    const q = url.searchParams;
    if (path.endsWith("/v1/user/profile") && method === "GET") {
      const a = this.accounts.get(accountNumber)!;
      return [200, { profile: { account: many([this.profileAccount(a)]), id: `id-${accountNumber.toLowerCase()}`, name: "Tradeloop Test" } }];
    }
    if (path.endsWith("/v1/markets/clock") && method === "GET") {
      const now = this.now();
      return [200, { clock: { date: newYorkDate(now), description: "Market is open from 09:30 to 16:00", state: "open", timestamp: Math.floor(now.getTime() / 1000), next_change: "16:00", next_state: "postmarket" } }];
    }
    if (path.endsWith("/v1/markets/quotes") && (method === "GET" || method === "POST")) {
      const symbols = (q.get("symbols") ?? form.get("symbols") ?? "").split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
      const found = symbols.filter((s) => this.book.prices.has(s));
      const missing = symbols.filter((s) => !this.book.prices.has(s));
      const quotes: Record<string, unknown> = { quote: many(found.map((s) => this.quote(s))) };
      if (missing.length > 0) quotes.unmatched_symbols = { symbol: many(missing) };
      return [200, { quotes: found.length === 0 && missing.length === 0 ? "null" : quotes }];
    }
    const m = /\/v1\/accounts\/([^/]+)\/(balances|positions|orders)(?:\/(\d+))?$/.exec(path);
    if (!m) return null;
    const account = this.account(decodeURIComponent(m[1]!), accountNumber);
    const [, , resource, idText] = m;
    if (resource === "balances" && method === "GET" && !idText) return [200, { balances: this.balances(account) }];
    if (resource === "positions" && method === "GET" && !idText) {
      const list = [...account.holdings.entries()].map(([symbol, h]) => ({
        cost_basis: num(h.costBasis),
        date_acquired: h.dateAcquired.toISOString(),
        id: h.id,
        quantity: num(h.quantity),
        symbol,
      }));
      return [200, { positions: list.length === 0 ? "null" : { position: many(list) } }];
    }
    if (resource !== "orders") return null;
    const tags = q.get("includeTags") === "true";
    if (!idText) {
      if (method === "GET") return [200, this.listOrders(account, q, tags)];
      if (method === "POST") return [200, this.place(account, form)];
      return null;
    }
    const order = this.book.find(account, Number(idText));
    if (!order) throw new NotFound("Order not found");
    if (method === "GET") return [200, { order: this.orderJson(order, tags) }];
    if (method === "DELETE") {
      this.book.cancel(order);
      return [200, { order: { id: order.id, status: "ok" } }];
    }
    if (method === "PUT") {
      const type = form.get("type");
      if (type !== null && !["market", "limit", "stop", "stop_limit"].includes(type)) throw new TradierRefusal("Invalid Parameter: type", false);
      const duration = form.get("duration");
      if (duration !== null && duration !== "" && !["day", "gtc", "pre", "post"].includes(duration)) throw new TradierRefusal("Invalid Parameter: duration", false);
      this.book.modify(account, order, {
        ...(type ? { type: type as LegSpec["type"] } : {}),
        ...(duration ? { duration } : {}),
        ...(form.get("price") ? { price: decimal(form.get("price")!, "price") } : {}),
        ...(form.get("stop") ? { stop: decimal(form.get("stop")!, "stop") } : {}),
      });
      return [200, { order: { id: order.id, status: "ok" } }];
    }
    return null;
  }

  private profileAccount(a: BookAccount) {
    return {
      account_number: a.accountNumber,
      classification: "individual",
      date_created: a.created.toISOString(),
      day_trader: false,
      option_level: 6,
      status: "active",
      type: a.type,
      last_update_date: a.created.toISOString(),
    };
  }

  private balances(a: BookAccount) {
    const v = this.book.values(a);
    const bp = num(this.book.buyingPower(a));
    const base = {
      option_short_value: 0,
      total_equity: num(v.equity),
      account_number: a.accountNumber,
      account_type: a.type,
      close_pl: 0,
      current_requirement: num(v.gross.times("0.25")),
      equity: 0,
      long_market_value: num(v.longValue),
      market_value: num(v.longValue.plus(v.shortValue)),
      open_pl: 0,
      option_long_value: 0,
      option_requirement: 0,
      pending_orders_count: a.orders.filter((o) => ["open", "pending", "partially_filled"].includes(o.status)).length,
      short_market_value: num(v.shortValue),
      stock_long_value: num(v.longValue),
      total_cash: num(a.cash),
      uncleared_funds: 0,
      pending_cash: 0,
    };
    return a.type === "margin"
      ? { ...base, margin: { fed_call: 0, maintenance_call: 0, option_buying_power: num(this.book.buyingPower(a).div(2)), stock_buying_power: bp, stock_short_value: num(v.shortValue.abs()), sweep: 0 } }
      : { ...base, cash: { cash_available: bp, sweep: 0, unsettled_funds: 0 } };
  }

  private quote(symbol: string) {
    const p = num(this.book.prices.get(symbol)!);
    const t = this.now().getTime();
    const option = /\d{6}[CP]\d{8}$/.test(symbol);
    return { symbol, description: symbol, exch: "Q", type: option ? "option" : "stock", last: p, change: 0, volume: 0, open: p, high: p, low: p, close: null, bid: p, ask: p, bidsize: 1, asksize: 1, trade_date: t, bid_date: t, ask_date: t };
  }

  /** `GET /orders`: today's session by default; `filter=all` with `start`/`end` dates. Paginated. */
  private listOrders(a: BookAccount, q: URLSearchParams, tags: boolean) {
    const today = newYorkDate(this.now());
    const all = q.get("filter") === "all";
    const start = q.get("start") ?? "0000-01-01";
    const end = q.get("end") ?? "9999-12-31";
    const inRange = (o: BookOrder) => {
      const d = newYorkDate(o.createDate);
      return all ? d >= start && d <= end : d === (q.get("date") ?? today);
    };
    const page = Math.max(1, Number(q.get("page") ?? "1") || 1);
    const limit = Math.max(1, Number(q.get("limit") ?? "25") || 25);
    const list = a.orders.filter(inRange).slice((page - 1) * limit, page * limit);
    return { orders: list.length === 0 ? "null" : { order: many(list.map((o) => this.orderJson(o, tags))) } };
  }

  private orderJson(o: BookOrder, tags: boolean): Record<string, unknown> {
    const leg = (x: BookOrder): Record<string, unknown> => ({
      id: x.id,
      type: x.type,
      symbol: x.symbol,
      side: x.side,
      quantity: num(x.quantity),
      status: x.status,
      duration: x.duration,
      ...(x.price !== null ? { price: num(x.price) } : {}),
      avg_fill_price: x.execQty.gt(0) ? num(x.execValue.div(x.execQty).round(8, 1)) : 0,
      exec_quantity: num(x.execQty),
      last_fill_price: num(x.lastFillPrice),
      last_fill_quantity: num(x.lastFillQty),
      remaining_quantity: num(x.quantity.minus(x.execQty)),
      create_date: x.createDate.toISOString(),
      transaction_date: x.transactionDate.toISOString(),
      class: x.klass,
      ...(x.optionSymbol !== null ? { option_symbol: x.optionSymbol } : {}),
      ...(x.stop !== null ? { stop_price: num(x.stop) } : {}),
      ...(tags && x.tag !== null ? { tag: x.tag } : {}),
    });
    if (o.legs.length === 0) return leg(o);
    return { ...leg(o), num_legs: o.legs.length, strategy: o.klass, leg: many(o.legs.map(leg)) };
  }

  /** `POST /orders`: class equity / option / oto / otoco, with indexed legs for the advanced ones. */
  private place(a: BookAccount, form: URLSearchParams) {
    const klass = form.get("class");
    if (klass !== "equity" && klass !== "option" && klass !== "oto" && klass !== "otoco") {
      throw new TradierRefusal(klass === null ? "Invalid Parameter: class" : `The fake Tradier does not take class ${klass} orders`, false);
    }
    const tag = form.get("tag");
    if (tag !== null && !/^[A-Za-z0-9-]{1,255}$/.test(tag)) throw new TradierRefusal("Invalid Parameter: tag", false);
    const advanced = klass === "oto" || klass === "otoco";
    const duration = form.get("duration") ?? (advanced ? form.get("duration[0]") : null);
    if (duration === null || !["day", "gtc", "pre", "post"].includes(duration)) throw new TradierRefusal("Invalid Parameter: duration", false);
    const legs = advanced ? [0, 1, 2].slice(0, klass === "oto" ? 2 : 3).map((i) => readLeg(form, `[${i}]`)) : [readLeg(form, "")];
    for (const leg of legs) {
      if (klass === "option" && leg.optionSymbol === null) throw new TradierRefusal("Invalid Parameter: option_symbol", false);
      if (klass === "equity" && leg.optionSymbol !== null) throw new TradierRefusal("Invalid Parameter: option_symbol", false);
    }
    if ((duration === "pre" || duration === "post") && legs.some((l) => l.type !== "limit")) {
      throw new TradierRefusal("Pre and post market sessions accept only limit orders", true);
    }
    if (advanced) {
      // Documented: the first order is limit, stop or stop_limit; an OTOCO's exits share the symbol and differ in type.
      if (legs[0]!.type === "market") throw new TradierRefusal("Invalid Parameter: type[0]", false);
      if (klass === "otoco") {
        const [, tp, sl] = legs as [LegSpec, LegSpec, LegSpec];
        if (instrumentOf(tp) !== instrumentOf(sl)) throw new TradierRefusal("The second and third orders must have the same symbol", false);
        if (tp.type === sl.type) throw new TradierRefusal("The second and third orders must have a different type", false);
      }
    }
    const placed = this.book.place(a, klass, legs, duration, tag);
    return { order: { id: placed.id, status: "ok", partner_id: "fake-partner" } };
  }
}

class NotFound extends Error {}

function decimal(v: string, name: string): Big {
  try {
    const d = dec(v.trim());
    if (!d.gt(0)) throw new Error("not positive");
    return d;
  } catch {
    throw new TradierRefusal(`Invalid Parameter: ${name}`, false);
  }
}

/** One order (or leg `suffix` = `[i]`) from the form, with the documented required fields. */
function readLeg(form: URLSearchParams, suffix: string): LegSpec {
  const get = (name: string) => form.get(`${name}${suffix}`);
  const symbol = get("symbol");
  if (!symbol) throw new TradierRefusal(`Invalid Parameter: symbol${suffix}`, false);
  const optionSymbol = get("option_symbol");
  const side = get("side") ?? "";
  const sides = optionSymbol ? ["buy_to_open", "buy_to_close", "sell_to_open", "sell_to_close"] : ["buy", "buy_to_cover", "sell", "sell_short"];
  if (!sides.includes(side)) throw new TradierRefusal(`Invalid Parameter: side${suffix}`, false);
  const type = get("type") ?? "";
  if (!["market", "limit", "stop", "stop_limit"].includes(type)) throw new TradierRefusal(`Invalid Parameter: type${suffix}`, false);
  const quantity = decimal(get("quantity") ?? "", `quantity${suffix}`);
  if (!quantity.round(0, 0).eq(quantity)) throw new TradierRefusal("IncorrectOrderQuantity", true);
  const price = get("price");
  const stop = get("stop");
  if ((type === "limit" || type === "stop_limit") && !price) throw new TradierRefusal(`Invalid Parameter: price${suffix}`, false);
  if ((type === "stop" || type === "stop_limit") && !stop) throw new TradierRefusal(`Invalid Parameter: stop${suffix}`, false);
  return {
    symbol: symbol.toUpperCase(),
    optionSymbol: optionSymbol ? optionSymbol.toUpperCase() : null,
    side,
    quantity,
    type: type as LegSpec["type"],
    price: price ? decimal(price, `price${suffix}`) : null,
    stop: stop ? decimal(stop, `stop${suffix}`) : null,
  };
}
