/**
 * A stateful fake of Kraken's Spot REST API, written from docs.kraken.com:
 * `POST /0/private/<Method>` with form bodies, `API-Key` + `API-Sign`
 * verification, strictly rising nonces, HTTP 200 envelopes with `error[]`,
 * balances under Kraken's asset codes (`ZUSD`, `XXBT`), order info as
 * OpenOrders / ClosedOrders / QueryOrders show it, `cl_ord_id`, and the
 * conditional close (one exit order created when the entry fills, linked by
 * `refid`).
 *
 * Not modelled (see docs/brokers/kraken.md): fees, ordermin/costmin/tick
 * checks, margin and leverage, take-profit order types as entries, `userref`,
 * iceberg and post-only flags, GTD/starttm/expiretm, the index trigger, the
 * call-counter rate limit, WebSocket feeds.
 *
 * @module
 */
import { FaultInjector, type FakeBroker, type FakeOrder, type FakeReply } from "../testkit";
import { Big, dec, digest, fromBase64, hmac, toBase64, toBytes, toDecimal, type OrderStatus } from "../sdk";

/**
 * The signature Kraken documents for private endpoints ("Spot REST
 * Authentication"): base64(HMAC-SHA512(base64decode(secret), uriPath +
 * SHA256(nonce + postData))), with the raw 32-byte SHA-256 digest. The fake
 * recomputes it from the request as received; the docs' example is its anchor
 * (fake tests in kraken.test.ts).
 */
export async function expectedApiSign(secret: string, uriPath: string, nonce: string, postData: string): Promise<string> {
  const hashed = await digest("SHA-256", nonce + postData);
  const path = toBytes(uriPath);
  const message = new Uint8Array(path.length + hashed.length);
  message.set(path);
  message.set(hashed, path.length);
  return toBase64(await hmac("SHA-512", fromBase64(secret), message));
}

type Side = "buy" | "sell";
type KStatus = "pending" | "open" | "closed" | "canceled" | "expired";

interface Close {
  ordertype: string;
  price: string;
  price2: string | null;
}

interface Order {
  txid: string;
  clOrdId: string | null;
  refid: string | null;
  status: KStatus;
  pair: string;
  side: Side;
  ordertype: string;
  price: string;
  price2: string;
  vol: Big;
  executed: Big;
  cost: Big;
  opentm: number;
  closetm: number;
  timeinforce: string;
  close: Close | null;
  /** Triggered stop-loss-limit works as a limit from then on. */
  triggered: boolean;
  /** Trailing stops: best price since placement. */
  peak: Big | null;
  hold: { asset: string; amount: Big } | null;
}

/** Pair altname → [base asset code, quote asset code, result key Kraken uses]. */
const PAIRS: Readonly<Record<string, [string, string, string]>> = {
  XBTUSD: ["XXBT", "ZUSD", "XXBTZUSD"],
  ETHUSD: ["XETH", "ZUSD", "XETHZUSD"],
  XBTEUR: ["XXBT", "ZEUR", "XXBTZEUR"],
  SOLUSD: ["SOL", "ZUSD", "SOLUSD"],
  ETHXBT: ["XETH", "XXBT", "XETHXXBT"],
};

export interface KrakenFakeOptions {
  apiKey?: string;
  /** Base64 private key. */
  privateKey?: string;
  /** Starting `ZUSD` balance. Default 100000. */
  startingBalance?: string;
  /** Clock for `opentm` (seconds). Default real time. */
  clock?: () => number;
}

const ACTIVE: ReadonlySet<KStatus> = new Set(["pending", "open"]);

function isUuid(s: string): boolean {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) || /^[0-9a-fA-F]{32}$/.test(s);
}

class KError extends Error {}

/** The fake Kraken. */
export class KrakenFake implements FakeBroker {
  readonly apiKey: string;
  readonly privateKey: string;
  private readonly startingBalance: string;
  private readonly clock: () => number;
  private readonly faults = new FaultInjector({ authExpired: { status: 200, body: { error: ["EAPI:Invalid key"] } } });
  private balances = new Map<string, { balance: Big; hold: Big }>();
  private prices = new Map<string, Big>();
  private list: Order[] = [];
  private lastNonce = 0n;
  private partialNext: Big | null = null;
  private seq = 0;
  /** Every private call the fake received (method and fields), for tests. */
  readonly calls: { method: string; fields: URLSearchParams }[] = [];

  constructor(options: KrakenFakeOptions = {}) {
    this.apiKey = options.apiKey ?? "fake-kraken-key";
    // 64 bytes of 0x01, base64: an obviously fake secret.
    this.privateKey = options.privateKey ?? "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==";
    this.startingBalance = options.startingBalance ?? "100000";
    this.clock = options.clock ?? (() => Date.now());
    this.reset();
  }

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();

  reset(): void {
    this.faults.reset();
    this.balances = new Map([["ZUSD", { balance: dec(this.startingBalance), hold: dec(0) }]]);
    this.prices = new Map();
    this.list = [];
    this.lastNonce = 0n;
    this.partialNext = null;
    this.calls.length = 0;
  }

  partialFillNext(quantity: string): void {
    this.partialNext = dec(quantity);
  }

  /** Sets a balance directly (test setup), under Kraken's code (`XXBT`). */
  fund(asset: string, amount: string): void {
    this.balances.set(asset, { balance: dec(amount), hold: dec(0) });
  }

  setPrice(symbol: string, price: string): void {
    this.prices.set(symbol, dec(price));
    this.match(symbol);
  }

  orders(): readonly FakeOrder[] {
    return this.list.map((o) => ({
      id: o.txid,
      // As Kraken holds it (the plugin sends the core's id in UUID form; the kit maps it).
      clientOrderId: o.clOrdId,
      symbol: o.pair,
      side: o.side,
      quantity: toDecimal(o.vol),
      filledQuantity: toDecimal(o.executed),
      status: this.normalized(o),
    }));
  }

  private normalized(o: Order): OrderStatus {
    if (o.status === "closed") return o.executed.gte(o.vol) ? "filled" : "expired";
    if (o.status === "canceled") return "cancelled";
    if (o.status === "expired") return "expired";
    if (o.status === "pending") return "pending";
    return o.executed.gt(0) ? "partially_filled" : "open";
  }

  // ---------------------------------------------------------------- HTTP

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === "GET" && url.pathname === "/0/public/Time") {
        const now = this.clock();
        return ok({ unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() });
      }
      if (request.method === "GET" && url.pathname === "/0/public/Ticker") return ok(this.ticker(url.searchParams.get("pair") ?? ""));
      const m = /^\/0\/private\/([A-Za-z]+)$/.exec(url.pathname);
      if (request.method !== "POST" || !m?.[1]) return new Response(null, { status: 404 });
      const body = await request.text();
      const fields = new URLSearchParams(body);
      await this.authenticate(request, url.pathname, fields, body);
      this.calls.push({ method: m[1], fields });
      switch (m[1]) {
        case "Balance":
          return ok(Object.fromEntries([...this.balances].map(([k, b]) => [k, b.balance.toFixed(4)])));
        case "BalanceEx":
          return ok(Object.fromEntries([...this.balances].map(([k, b]) => [k, { balance: b.balance.toFixed(4), hold_trade: b.hold.toFixed(4) }])));
        case "TradeBalance":
          return ok(this.tradeBalance(fields.get("asset") ?? "ZUSD"));
        case "OpenOrders":
          return ok({ open: this.view((o) => ACTIVE.has(o.status), fields.get("cl_ord_id")) });
        case "ClosedOrders":
          return ok({ closed: this.view((o) => !ACTIVE.has(o.status), fields.get("cl_ord_id")), count: this.list.filter((o) => !ACTIVE.has(o.status)).length });
        case "QueryOrders":
          return ok(this.query(fields.get("txid") ?? ""));
        case "AddOrder":
          return ok(this.addOrder(fields));
        case "CancelOrder":
          return ok(this.cancel(fields));
      }
      throw new KError("EGeneral:Unknown method");
    } catch (e) {
      if (e instanceof KError) return new Response(JSON.stringify({ error: [e.message] }), { status: 200, headers: { "content-type": "application/json" } });
      throw e;
    }
  }

  private async authenticate(request: Request, path: string, fields: URLSearchParams, body: string): Promise<void> {
    if (request.headers.get("api-key") !== this.apiKey) throw new KError("EAPI:Invalid key");
    const nonce = fields.get("nonce");
    if (nonce === null || !/^\d+$/.test(nonce)) throw new KError("EAPI:Invalid nonce");
    const expected = await expectedApiSign(this.privateKey, path, nonce, body);
    if (request.headers.get("api-sign") !== expected) throw new KError("EAPI:Invalid signature");
    // Strictly increasing per key, checked after the signature (as a forged request must not burn a nonce).
    if (BigInt(nonce) <= this.lastNonce) throw new KError("EAPI:Invalid nonce");
    this.lastNonce = BigInt(nonce);
  }

  // ----------------------------------------------------------- read side

  private ticker(pair: string): unknown {
    const info = PAIRS[pair];
    const p = this.prices.get(pair);
    if (!info || !p) throw new KError("EQuery:Unknown asset pair");
    const s = p.toFixed(5);
    return {
      [info[2]]: { a: [s, "1", "1.000"], b: [s, "1", "1.000"], c: [s, "0.00100000"], v: ["0", "0"], p: [s, s], t: [0, 0], l: [s, s], h: [s, s], o: s },
    };
  }

  private tradeBalance(asset: string): unknown {
    let eb = dec(0);
    for (const [code, b] of this.balances) {
      if (code === asset) eb = eb.plus(b.balance);
      else {
        const pair = Object.entries(PAIRS).find(([, v]) => v[0] === code && v[1] === asset)?.[0];
        const p = pair ? this.prices.get(pair) : undefined;
        if (p) eb = eb.plus(b.balance.times(p));
      }
    }
    return { eb: eb.toFixed(4), tb: eb.toFixed(4), m: "0.0000", n: "0.0000", c: "0.0000", v: "0.0000", e: eb.toFixed(4), mf: eb.toFixed(4) };
  }

  private view(filter: (o: Order) => boolean, clOrdId: string | null): Record<string, unknown> {
    return Object.fromEntries(this.list.filter((o) => filter(o) && (clOrdId === null || o.clOrdId === clOrdId)).map((o) => [o.txid, this.info(o)]));
  }

  private query(txids: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const id of txids.split(",")) {
      const o = this.list.find((x) => x.txid === id);
      if (!o) throw new KError("EOrder:Invalid order");
      out[id] = this.info(o);
    }
    return out;
  }

  /** Order info as the docs show it. */
  private info(o: Order): Record<string, unknown> {
    const avg = o.executed.gt(0) ? o.cost.div(o.executed) : dec(0);
    const closeDescr = o.close ? `close position @ ${o.close.ordertype} ${o.close.price}${o.close.price2 ? ` -> limit ${o.close.price2}` : ""}` : "";
    return {
      refid: o.refid,
      userref: 0,
      cl_ord_id: o.clOrdId,
      status: o.status,
      reason: null,
      opentm: o.opentm,
      closetm: o.closetm,
      starttm: 0,
      expiretm: 0,
      descr: {
        pair: o.pair,
        type: o.side,
        ordertype: o.ordertype,
        price: o.price,
        price2: o.price2,
        leverage: "none",
        order: `${o.side} ${o.vol.toFixed(8)} ${o.pair} @ ${o.ordertype} ${o.price}`,
        close: closeDescr,
      },
      vol: o.vol.toFixed(8),
      vol_exec: o.executed.toFixed(8),
      cost: o.cost.toFixed(5),
      fee: "0.00000",
      price: avg.toFixed(5),
      stopprice: "0.00000",
      limitprice: "0.00000",
      misc: o.executed.gt(0) && o.executed.lt(o.vol) ? "partial" : "",
      oflags: o.side === "buy" ? "fciq" : "fcib",
    };
  }

  // ---------------------------------------------------------- write side

  private bal(code: string): { balance: Big; hold: Big } {
    let b = this.balances.get(code);
    if (!b) {
      b = { balance: dec(0), hold: dec(0) };
      this.balances.set(code, b);
    }
    return b;
  }

  private available(code: string): Big {
    const b = this.bal(code);
    return b.balance.minus(b.hold);
  }

  /** Kraken-looking ids (6-5-6), e.g. `OF0001-AKEKR-000001`. */
  private txid(): string {
    this.seq += 1;
    const n = this.seq.toString(36).toUpperCase().padStart(6, "0");
    return `OF${n.slice(-4)}-AKEKR-${n}`;
  }

  private decimal(fields: URLSearchParams, name: string): Big {
    const raw = fields.get(name);
    if (raw === null || !/^\d+(\.\d+)?$/.test(raw)) throw new KError(`EGeneral:Invalid arguments:${name}`);
    return dec(raw);
  }

  private addOrder(fields: URLSearchParams): unknown {
    const pair = fields.get("pair") ?? "";
    const info = PAIRS[pair];
    const last = this.prices.get(pair);
    if (!info || !last) throw new KError("EQuery:Unknown asset pair");
    const side = fields.get("type");
    if (side !== "buy" && side !== "sell") throw new KError("EGeneral:Invalid arguments:type");
    const ordertype = fields.get("ordertype") ?? "";
    if (!["market", "limit", "stop-loss", "take-profit", "stop-loss-limit", "take-profit-limit", "trailing-stop"].includes(ordertype)) {
      throw new KError("EGeneral:Invalid arguments:ordertype");
    }
    const vol = this.decimal(fields, "volume");
    const price = fields.get("price") ?? "0";
    const price2 = fields.get("price2") ?? "0";
    if (ordertype !== "market" && ordertype !== "trailing-stop") this.decimal(fields, "price");
    if (ordertype === "trailing-stop" && !/^\+\d+(\.\d+)?%?$/.test(price)) throw new KError("EGeneral:Invalid arguments:price");
    const clOrdId = fields.get("cl_ord_id");
    if (clOrdId !== null) {
      if (!isUuid(clOrdId) && !/^[\x21-\x7e]{1,18}$/.test(clOrdId)) throw new KError("EGeneral:Invalid arguments:cl_ord_id");
      // Kraken enforces cl_ord_id uniqueness across open orders; the exact error string is not documented.
      if (this.list.some((o) => o.clOrdId === clOrdId && ACTIVE.has(o.status))) throw new KError("EOrder:Duplicate cl_ord_id");
    }
    const closeType = fields.get("close[ordertype]");
    const close: Close | null = closeType ? { ordertype: closeType, price: fields.get("close[price]") ?? "0", price2: fields.get("close[price2]") } : null;
    const o = this.create(pair, side, ordertype, price, price2, vol, clOrdId, null, close, fields.get("timeinforce") ?? "GTC");
    this.book(o, last);
    return { descr: { order: `${side} ${vol.toFixed(8)} ${pair} @ ${ordertype}${ordertype === "market" ? "" : ` ${price}`}`, ...(close && { close: `close position @ ${close.ordertype} ${close.price}` }) }, txid: [o.txid] };
  }

  private create(pair: string, side: Side, ordertype: string, price: string, price2: string, vol: Big, clOrdId: string | null, refid: string | null, close: Close | null, timeinforce: string): Order {
    return {
      txid: this.txid(),
      clOrdId,
      refid,
      status: "open",
      pair,
      side,
      ordertype,
      price,
      price2,
      vol,
      executed: dec(0),
      cost: dec(0),
      opentm: this.clock() / 1000 + this.seq / 1e6,
      closetm: 0,
      timeinforce,
      close,
      triggered: false,
      peak: null,
      hold: null,
    };
  }

  /** Spot funds: a buy must be paid in the quote asset, a sell covered by the base asset. */
  private book(o: Order, last: Big): void {
    const [base, quote] = PAIRS[o.pair] as [string, string, string];
    const limitLike = o.ordertype === "limit";
    const needQuote = o.vol.times(limitLike ? dec(o.price) : last);
    if (o.side === "buy" ? this.available(quote).lt(needQuote) : this.available(base).lt(o.vol)) throw new KError("EOrder:Insufficient funds");
    this.list.push(o);
    if (o.ordertype === "trailing-stop") o.peak = last;
    if (o.ordertype === "market") this.fill(o, last, this.takePartial(o.vol));
    else if (limitLike && this.crosses(o, dec(o.price), last)) this.fill(o, last, this.takePartial(o.vol));
    if (ACTIVE.has(o.status) && (limitLike || o.side === "sell")) {
      // Open orders hold what they would spend (hold_trade).
      const asset = o.side === "buy" ? quote : base;
      const rest = o.vol.minus(o.executed);
      const amount = o.side === "buy" ? rest.times(limitLike ? dec(o.price) : last) : rest;
      this.bal(asset).hold = this.bal(asset).hold.plus(amount);
      o.hold = { asset, amount };
    }
    if (o.timeinforce === "IOC" && ACTIVE.has(o.status)) this.end(o, "canceled");
  }

  private takePartial(qty: Big): Big {
    const p = this.partialNext;
    this.partialNext = null;
    return p !== null && p.lt(qty) ? p : qty;
  }

  private releaseHold(o: Order): void {
    if (!o.hold) return;
    const b = this.bal(o.hold.asset);
    b.hold = b.hold.minus(o.hold.amount);
    o.hold = null;
  }

  private end(o: Order, status: KStatus): void {
    o.status = status;
    o.closetm = this.clock() / 1000;
    this.releaseHold(o);
  }

  private crosses(o: Order, limit: Big, last: Big): boolean {
    return o.side === "buy" ? last.lte(limit) : last.gte(limit);
  }

  private fill(o: Order, price: Big, qty: Big): void {
    const [base, quote] = PAIRS[o.pair] as [string, string, string];
    const cost = qty.times(price);
    if (o.hold) {
      const part = o.side === "buy" ? qty.times(o.ordertype === "limit" ? dec(o.price) : price) : qty;
      const used = part.gt(o.hold.amount) ? o.hold.amount : part;
      o.hold.amount = o.hold.amount.minus(used);
      this.bal(o.hold.asset).hold = this.bal(o.hold.asset).hold.minus(used);
    }
    const b = this.bal(base);
    const q = this.bal(quote);
    if (o.side === "buy") {
      q.balance = q.balance.minus(cost);
      b.balance = b.balance.plus(qty);
    } else {
      b.balance = b.balance.minus(qty);
      q.balance = q.balance.plus(cost);
    }
    o.executed = o.executed.plus(qty);
    o.cost = o.cost.plus(cost);
    if (o.executed.gte(o.vol)) {
      this.end(o, "closed");
      this.spawnClose(o);
    }
  }

  /** Conditional close: when the entry is filled, its exit order opens, linked by `refid`. */
  private spawnClose(o: Order): void {
    if (!o.close) return;
    const side: Side = o.side === "buy" ? "sell" : "buy";
    const c = this.create(o.pair, side, o.close.ordertype, o.close.price, o.close.price2 ?? "0", o.executed, null, o.txid, null, "GTC");
    this.list.push(c);
    if (c.ordertype === "trailing-stop") c.peak = this.prices.get(o.pair) ?? null;
  }

  private match(pair: string): void {
    const last = this.prices.get(pair);
    if (!last) return;
    for (const o of [...this.list]) {
      if (o.pair !== pair || !ACTIVE.has(o.status)) continue;
      const rest = o.vol.minus(o.executed);
      const t = o.ordertype;
      if (t === "limit" || o.triggered) {
        const limit = dec(t === "limit" ? o.price : o.price2);
        if (!this.crosses(o, limit, last)) continue;
        if (o.hold || this.canPay(o, limit, rest)) this.fill(o, limit, rest);
        else this.end(o, "canceled");
        continue;
      }
      if (!this.triggered(o, last)) continue;
      if (t.endsWith("-limit")) {
        o.triggered = true;
        if (this.crosses(o, dec(o.price2), last)) this.fill(o, dec(o.price2), rest);
      } else if (o.hold || this.canPay(o, last, rest)) this.fill(o, last, rest);
      else this.end(o, "canceled");
    }
  }

  private canPay(o: Order, price: Big, qty: Big): boolean {
    const [base, quote] = PAIRS[o.pair] as [string, string, string];
    return o.side === "buy" ? this.available(quote).gte(qty.times(price)) : this.available(base).gte(qty);
  }

  /** Stop-loss: sell on the way down, buy on the way up; take-profit the opposite; trailing from the peak. */
  private triggered(o: Order, last: Big): boolean {
    if (o.ordertype === "trailing-stop") {
      const sell = o.side === "sell";
      const peak = o.peak ?? last;
      o.peak = sell ? (last.gt(peak) ? last : peak) : last.lt(peak) ? last : peak;
      const raw = o.price.slice(1);
      const offset = raw.endsWith("%") ? (o.peak as Big).times(dec(raw.slice(0, -1)).div(100)) : dec(raw);
      return sell ? last.lte((o.peak as Big).minus(offset)) : last.gte((o.peak as Big).plus(offset));
    }
    const stop = dec(o.price);
    const down = o.ordertype.startsWith("stop-loss") ? o.side === "sell" : o.side === "buy";
    return down ? last.lte(stop) : last.gte(stop);
  }

  private cancel(fields: URLSearchParams): unknown {
    const txid = fields.get("txid");
    const clOrdId = fields.get("cl_ord_id");
    const o = this.list.find((x) => (txid !== null ? x.txid === txid : x.clOrdId === clOrdId && ACTIVE.has(x.status)));
    if (!o || !ACTIVE.has(o.status)) throw new KError("EOrder:Unknown order");
    this.end(o, "canceled");
    return { count: 1 };
  }
}

function ok(result: unknown): Response {
  return new Response(JSON.stringify({ error: [], result }), { status: 200, headers: { "content-type": "application/json" } });
}
