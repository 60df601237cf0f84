/**
 * A fake Polymarket (CLOB V2, Gamma, Data API), written from Polymarket's
 * documentation and the official clients' published vectors, with its own
 * parsing and its own EIP-712 hashing (it imports nothing of the plugin):
 *
 * - L1: `/auth/derive-api-key` and `/auth/api-key` recover the `ClobAuth`
 *   signer from `POLY_SIGNATURE` and compare it with `POLY_ADDRESS`;
 * - L2: every private request's HMAC is recomputed from the issued secret
 *   (timestamp + method + path + body) and compared;
 * - orders: the V2 `Order` struct is hashed (domain "Polymarket CTF
 *   Exchange" v2, the exchange or neg-risk exchange by the market), the
 *   signature must recover to `signer`, the hash is the order id, a repeated
 *   hash is refused, prices must sit on the market's tick, sizes above its
 *   minimum; FOK/FAK orders never rest;
 * - no shorting: selling more shares than held is "not enough balance".
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { z } from "zod";
import { dec, fromBase64, fromHex, hmacSha256, toBase64, toHex, type Decimal } from "../sdk";
import { FakeLedger, FaultInjector, LedgerRejection, replyToResponse, type FakeBroker, type FakeReply, type LedgerOrder } from "../testkit";

export const FAKE_POLY_CLOB = "https://clob.polymarket.test";
/** The publicly known development key (the official clients' tests use it too). */
export const FAKE_POLY_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const FAKE_POLY_ADDRESS = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const CHAIN_ID = 137n;
const EXCHANGE = "0xe111180000d2663c0091e4f400237545b87b996b";
const NEG_RISK_EXCHANGE = "0xe2222d279d744050d28e00520010520000310f59";

interface FakeMarket {
  id: string;
  slug: string;
  conditionId: string;
  tick: Decimal;
  minSize: Decimal;
  negRisk: boolean;
  tokens: { tokenId: string; outcome: string }[];
}

export const FAKE_POLY_MARKETS: readonly FakeMarket[] = [
  {
    id: "516710",
    slug: "will-it-rain-in-london-tomorrow",
    conditionId: "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
    tick: "0.01",
    minSize: "5",
    negRisk: false,
    tokens: [
      { tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563", outcome: "Yes" },
      { tokenId: "52114319501245915516055106046884209969926127482827954674443846427813813222426", outcome: "No" },
    ],
  },
  {
    id: "559302",
    slug: "which-team-wins-the-final",
    conditionId: "0x9c1f0a6a5b6e1f0c2a7f4c3d2e1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a091",
    tick: "0.001",
    minSize: "5",
    negRisk: true,
    tokens: [
      { tokenId: "10344502193312348873311117092432131183893372925545532311231233451111234567890", outcome: "Yes" },
      { tokenId: "10344502193312348873311117092432131183893372925545532311231233451111234567891", outcome: "No" },
    ],
  },
];

const OrderBody = z.object({
  deferExec: z.boolean().optional(),
  postOnly: z.boolean().optional(),
  order: z.object({
    salt: z.number().int().nonnegative(),
    maker: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    tokenId: z.string().regex(/^\d+$/),
    makerAmount: z.string().regex(/^\d+$/),
    takerAmount: z.string().regex(/^\d+$/),
    side: z.enum(["BUY", "SELL"]),
    signatureType: z.number().int().min(0).max(3),
    timestamp: z.string().regex(/^\d+$/),
    expiration: z.string().regex(/^\d+$/),
    metadata: z.string().regex(/^0x[0-9a-f]{64}$/i),
    builder: z.string().regex(/^0x[0-9a-f]{64}$/i),
    signature: z.string().regex(/^0x[0-9a-f]+$/i),
  }),
  owner: z.string(),
  orderType: z.enum(["GTC", "GTD", "FOK", "FAK"]),
});
type OrderWire = z.infer<typeof OrderBody>["order"];

const utf8 = (s: string) => new TextEncoder().encode(s);
const keccak = (b: Uint8Array) => keccak_256(b);
function word(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const addr = (a: string) => word(BigInt(a));
const hexBytes = (h: string) => fromHex(h.replace(/^0x/i, ""));

/** EIP-712 digest of a struct hash under a domain separator. */
function digest(domainSep: Uint8Array, structHash: Uint8Array): Uint8Array {
  return keccak(concat(new Uint8Array([0x19, 0x01]), domainSep, structHash));
}

function recover(hash: Uint8Array, signatureHex: string): string | null {
  try {
    const sig = hexBytes(signatureHex);
    if (sig.length !== 65) return null;
    const compact = concat(new Uint8Array([sig[64]! - 27]), sig.slice(0, 64));
    const pub = secp256k1.Point.fromBytes(secp256k1.recoverPublicKey(compact, hash, { prehash: false })).toBytes(false);
    return `0x${toHex(keccak(pub.slice(1)).slice(12))}`;
  } catch {
    return null;
  }
}

/** The ClobAuth digest (domain ClobAuthDomain v1, chain 137) for an address, timestamp and nonce. */
function clobAuthDigest(address: string, timestamp: string, nonce: bigint): Uint8Array {
  const domainType = keccak(utf8("EIP712Domain(string name,string version,uint256 chainId)"));
  const domainSep = keccak(concat(domainType, keccak(utf8("ClobAuthDomain")), keccak(utf8("1")), word(CHAIN_ID)));
  const type = keccak(utf8("ClobAuth(address address,string timestamp,uint256 nonce,string message)"));
  const struct = keccak(concat(type, addr(address), keccak(utf8(timestamp)), word(nonce), keccak(utf8("This message attests that I control the given wallet"))));
  return digest(domainSep, struct);
}

/** The V2 order digest (= its id at the CLOB). */
function orderDigest(o: OrderWire, exchange: string): Uint8Array {
  const domainType = keccak(utf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"));
  const domainSep = keccak(concat(domainType, keccak(utf8("Polymarket CTF Exchange")), keccak(utf8("2")), word(CHAIN_ID), addr(exchange)));
  const type = keccak(
    utf8("Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)"),
  );
  const struct = keccak(
    concat(
      type,
      word(BigInt(o.salt)),
      addr(o.maker),
      addr(o.signer),
      word(BigInt(o.tokenId)),
      word(BigInt(o.makerAmount)),
      word(BigInt(o.takerAmount)),
      word(o.side === "BUY" ? 0n : 1n),
      word(BigInt(o.signatureType)),
      word(BigInt(o.timestamp)),
      hexBytes(o.metadata),
      hexBytes(o.builder),
    ),
  );
  return digest(domainSep, struct);
}

const STATUS: Record<string, string> = { open: "LIVE", pending: "LIVE", partially_filled: "LIVE", filled: "MATCHED", cancelled: "CANCELED", rejected: "CANCELED", expired: "CANCELED" };

export class PolymarketFake implements FakeBroker {
  readonly baseUrl = FAKE_POLY_CLOB;
  private ledger = new FakeLedger({ shorting: false, idPrefix: "0x" });
  private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { error: "Unauthorized/Invalid api key" } } });
  /** Issued API credentials by wallet address (one set per wallet, as derive returns the same). */
  private creds = new Map<string, { apiKey: string; secret: string; passphrase: string }>();
  private banned = false;
  /** CLOB order id (hash) → book id and order type, and the salt the wallet chose. */
  private readonly ids = new Map<string, { ledgerId: string; orderType: string; salt: string }>();
  /** Every derive or create the CLOB answered (tests count them). */
  derivations = 0;

  fetch = (request: Request): Promise<Response> => this.faults.handle(request, (r) => this.route(r));
  failNext = (reply: FakeReply): void => this.faults.failNext(reply);
  loseNextReply = (): void => this.faults.loseNextReply();
  expireAuth = (): void => this.faults.expireAuth();
  partialFillNext = (quantity: Decimal): void => this.ledger.partialFillNext(quantity);

  /** The wallet's API key is deleted (as `DELETE /auth/api-key` would): requests with it are 401 until a new one is made. */
  expireAccessToken(): void {
    this.creds.clear();
  }

  /** The wallet is refused outright (its L1 signatures no longer get keys). */
  revokeGrant(): void {
    this.creds.clear();
    this.banned = true;
  }

  reset(): void {
    this.ledger = new FakeLedger({ shorting: false, idPrefix: "0x" });
    this.faults.reset();
    this.creds.clear();
    this.banned = false;
    this.ids.clear();
    this.derivations = 0;
  }

  setPrice(symbol: string, price: Decimal): void {
    this.ledger.setPrice(symbol, price);
  }

  /** Orders as the kit sees them; the client order id is the salt the wallet chose (Polymarket has no other). */
  orders() {
    const salts = new Map([...this.ids.values()].map((v) => [v.ledgerId, v.salt]));
    return this.ledger.fakeOrders().map((o) => ({ ...o, clientOrderId: salts.get(o.id) ?? null }));
  }

  private json(body: unknown, status = 200): Response {
    return replyToResponse({ status, body });
  }

  private symbol(market: FakeMarket, outcome: string): string {
    return `${market.slug.toUpperCase()}:${outcome.toUpperCase()}`;
  }

  private byToken(tokenId: string): { market: FakeMarket; outcome: string } | null {
    for (const market of FAKE_POLY_MARKETS) {
      const t = market.tokens.find((x) => x.tokenId === tokenId);
      if (t) return { market, outcome: t.outcome };
    }
    return null;
  }

  private async route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    if (url.host === "gamma-api.polymarket.test") return this.gamma(url);
    if (url.host === "data-api.polymarket.test") return this.dataApi(url);
    if (url.host !== "clob.polymarket.test") return this.json({ error: "not found" }, 404);
    const key = `${request.method} ${url.pathname}`;
    if (key === "GET /auth/derive-api-key" || key === "POST /auth/api-key") return this.l1(request, key === "POST /auth/api-key");
    if (url.pathname.startsWith("/markets/")) {
      const m = FAKE_POLY_MARKETS.find((x) => x.conditionId === decodeURIComponent(url.pathname.slice("/markets/".length)));
      if (!m) return this.json({ error: "market not found" }, 404);
      return this.json({
        condition_id: m.conditionId,
        market_slug: m.slug,
        tokens: m.tokens.map((t) => ({ token_id: t.tokenId, outcome: t.outcome, price: Number(this.ledger.prices.get(this.symbol(m, t.outcome)) ?? "0.5") })),
        minimum_tick_size: Number(m.tick),
        minimum_order_size: Number(m.minSize),
        neg_risk: m.negRisk,
        active: true,
        closed: false,
        accepting_orders: true,
      });
    }
    if (key === "GET /book") {
      const found = this.byToken(url.searchParams.get("token_id") ?? "");
      if (!found) return this.json({ error: "No orderbook exists for the requested token id" }, 404);
      const last = this.ledger.prices.get(this.symbol(found.market, found.outcome));
      if (!last) return this.json({ asset_id: url.searchParams.get("token_id"), bids: [], asks: [], tick_size: found.market.tick });
      return this.json({ asset_id: url.searchParams.get("token_id"), bids: [{ price: last, size: "10000000000" }], asks: [{ price: last, size: "10000000000" }], tick_size: found.market.tick, timestamp: String(Date.now()) });
    }
    const auth = await this.l2(request, url, body);
    if (auth) return auth;
    if (key === "GET /balance-allowance") return this.json({ balance: dec(this.ledger.cash).times(1_000_000).round(0, 0).toFixed(0), allowances: { [EXCHANGE]: "115792089237316195423570985008687907853269984665640564039457584007913129639935" } });
    if (key === "GET /data/orders") return this.json({ data: this.ledger.open().map((o) => this.wireOrder(o)), next_cursor: "LTE=", limit: 500, count: this.ledger.open().length });
    if (request.method === "GET" && url.pathname.startsWith("/data/order/")) {
      const id = decodeURIComponent(url.pathname.slice("/data/order/".length));
      const known = this.ids.get(id);
      const o = known && this.ledger.get(known.ledgerId);
      // An unknown id answers an empty body with 200, as the CLOB does for an order it never saw.
      return o ? this.json(this.wireOrder(o)) : this.json(null);
    }
    if (key === "POST /order") return this.place(body, request.headers.get("POLY_API_KEY") ?? "");
    if (key === "DELETE /order") {
      const parsed = z.object({ orderID: z.string() }).safeParse(JSON.parse(body || "null"));
      if (!parsed.success) return this.json({ error: "Invalid order payload" }, 400);
      const known = this.ids.get(parsed.data.orderID);
      if (!known) return this.json({ canceled: [], not_canceled: { [parsed.data.orderID]: "Order not found or already canceled" } });
      try {
        this.ledger.cancel(known.ledgerId);
        return this.json({ canceled: [parsed.data.orderID], not_canceled: {} });
      } catch {
        return this.json({ canceled: [], not_canceled: { [parsed.data.orderID]: "order can't be canceled: already matched or canceled" } });
      }
    }
    return this.json({ error: "not found" }, 404);
  }

  private gamma(url: URL): Response {
    const shape = (m: FakeMarket) => ({ id: m.id, slug: m.slug, conditionId: m.conditionId, outcomes: JSON.stringify(m.tokens.map((t) => t.outcome)), clobTokenIds: JSON.stringify(m.tokens.map((t) => t.tokenId)), negRisk: m.negRisk, active: true, closed: false });
    if (url.pathname === "/markets") return this.json(FAKE_POLY_MARKETS.filter((m) => m.slug === url.searchParams.get("slug")).map(shape));
    const byId = /^\/markets\/(\d+)$/.exec(url.pathname);
    const m = byId && FAKE_POLY_MARKETS.find((x) => x.id === byId[1]);
    return m ? this.json(shape(m)) : this.json({ type: "not found error", error: "id not found" }, 404);
  }

  private dataApi(url: URL): Response {
    if (url.pathname !== "/positions") return this.json({ error: "not found" }, 404);
    const user = (url.searchParams.get("user") ?? "").toLowerCase();
    if (user !== FAKE_POLY_ADDRESS) return this.json([]);
    const rows = this.ledger.positionList().flatMap((p) => {
      for (const market of FAKE_POLY_MARKETS) {
        const t = market.tokens.find((x) => this.symbol(market, x.outcome) === p.symbol);
        if (t) {
          const cur = this.ledger.prices.get(p.symbol) ?? p.avgPrice;
          return [{ proxyWallet: FAKE_POLY_ADDRESS, asset: t.tokenId, conditionId: market.conditionId, size: Number(p.quantity), avgPrice: Number(p.avgPrice), curPrice: Number(cur), currentValue: Number(dec(cur).times(p.quantity)), slug: market.slug, outcome: t.outcome, negativeRisk: market.negRisk }];
        }
      }
      return [];
    });
    return this.json(rows);
  }

  /** L1: the wallet's ClobAuth signature must recover to POLY_ADDRESS. */
  private l1(request: Request, create: boolean): Response {
    const address = (request.headers.get("POLY_ADDRESS") ?? "").toLowerCase();
    const timestamp = request.headers.get("POLY_TIMESTAMP") ?? "";
    const nonce = request.headers.get("POLY_NONCE") ?? "0";
    const signer = /^\d+$/.test(timestamp) && /^\d+$/.test(nonce) ? recover(clobAuthDigest(address, timestamp, BigInt(nonce)), request.headers.get("POLY_SIGNATURE") ?? "") : null;
    if (!signer || signer !== address || this.banned) return this.json({ error: "Unauthorized/Invalid L1 Request headers" }, 401);
    this.derivations++;
    const existing = this.creds.get(address);
    if (!create) return existing ? this.json(existing) : this.json({ error: "Could not derive api key!" }, 400);
    const fresh = { apiKey: crypto.randomUUID(), secret: toBase64(crypto.getRandomValues(new Uint8Array(32))).replace(/\+/g, "-").replace(/\//g, "_"), passphrase: toHex(crypto.getRandomValues(new Uint8Array(32))) };
    this.creds.set(address, fresh);
    return this.json(fresh);
  }

  /** L2: the API key, passphrase and HMAC must match the wallet's issued credentials; null = authorised. */
  private async l2(request: Request, url: URL, body: string): Promise<Response | null> {
    const address = (request.headers.get("POLY_ADDRESS") ?? "").toLowerCase();
    const creds = this.creds.get(address);
    const h = (name: string) => request.headers.get(name) ?? "";
    if (!creds || h("POLY_API_KEY") !== creds.apiKey || h("POLY_PASSPHRASE") !== creds.passphrase) return this.json({ error: "Unauthorized/Invalid api key" }, 401);
    const expected = (await hmacSha256(fromBase64(creds.secret), `${h("POLY_TIMESTAMP")}${request.method}${url.pathname}${body}`, "base64")).replace(/\+/g, "-").replace(/\//g, "_");
    if (expected !== h("POLY_SIGNATURE")) return this.json({ error: "Unauthorized/Invalid api key" }, 401);
    return null;
  }

  private wireOrder(o: LedgerOrder) {
    const hash = [...this.ids.entries()].find(([, v]) => v.ledgerId === o.id);
    const found = FAKE_POLY_MARKETS.flatMap((m) => m.tokens.map((t) => ({ m, t }))).find(({ m, t }) => this.symbol(m, t.outcome) === o.symbol);
    return {
      id: hash?.[0] ?? o.id,
      status: STATUS[o.status],
      owner: this.creds.get(FAKE_POLY_ADDRESS)?.apiKey ?? "",
      maker_address: FAKE_POLY_ADDRESS,
      market: found?.m.conditionId ?? "",
      asset_id: found?.t.tokenId ?? "",
      side: o.side === "buy" ? "BUY" : "SELL",
      original_size: o.quantity,
      size_matched: o.filledQuantity,
      price: o.limitPrice ?? "0",
      outcome: found?.t.outcome ?? "",
      expiration: "0",
      order_type: hash?.[1].orderType ?? "GTC",
      associate_trades: [],
      created_at: Math.floor(Date.parse(o.createdAt) / 1000),
    };
  }

  private place(raw: string, apiKey: string): Response {
    let parsed;
    try {
      parsed = OrderBody.safeParse(JSON.parse(raw));
    } catch {
      return this.json({ error: "Invalid order payload" }, 400);
    }
    if (!parsed.success) return this.json({ error: `Invalid order payload: ${parsed.error.issues[0]?.path.join(".")}` }, 400);
    const { order, owner, orderType } = parsed.data;
    if (owner !== apiKey) return this.json({ error: "the order owner has to be the owner of the API KEY" }, 400);
    const found = this.byToken(order.tokenId);
    if (!found) return this.json({ error: "Invalid order payload: invalid token id" }, 400);
    const exchange = found.market.negRisk ? NEG_RISK_EXCHANGE : EXCHANGE;
    const hash = `0x${toHex(orderDigest(order, exchange))}`;
    if (order.signatureType === 0 && order.maker.toLowerCase() !== order.signer.toLowerCase()) return this.json({ error: "invalid signature" }, 400);
    if (recover(orderDigest(order, exchange), order.signature)?.toLowerCase() !== order.signer.toLowerCase()) return this.json({ error: "invalid signature" }, 400);
    if (this.ids.has(hash)) return this.json({ error: "order already exists" }, 400);
    // Shares and USDC amounts back to size and price.
    const shares = dec(order.side === "BUY" ? order.takerAmount : order.makerAmount).div(1_000_000);
    const usdc = dec(order.side === "BUY" ? order.makerAmount : order.takerAmount).div(1_000_000);
    if (shares.lte(0)) return this.json({ error: "invalid amounts" }, 400);
    const price = usdc.div(shares);
    if (!price.div(found.market.tick).round(0, 0).times(found.market.tick).eq(price)) return this.json({ error: `order ${hash} is invalid. Price (${price.toFixed()}), breaks minimum tick size rule: ${found.market.tick}` }, 400);
    if (shares.lt(found.market.minSize)) return this.json({ error: `order ${hash} is invalid. Size (${shares.toFixed()}) lower than the minimum: ${found.market.minSize}` }, 400);
    try {
      const booked = this.ledger.place({ clientOrderId: hash, symbol: this.symbol(found.market, found.outcome), side: order.side === "BUY" ? "buy" : "sell", type: "limit", quantity: shares.toFixed(), limitPrice: price.toFixed() });
      this.ids.set(hash, { ledgerId: booked.id, orderType, salt: String(order.salt) });
      let status = booked.status === "filled" ? "matched" : "live";
      if ((orderType === "FOK" || orderType === "FAK") && booked.status !== "filled") {
        if (orderType === "FOK" && dec(booked.filledQuantity).eq(0)) {
          this.ledger.cancel(booked.id);
          this.ids.delete(hash);
          return this.json({ errorMsg: "order couldn't be fully filled. FOK orders are fully filled or killed.", success: false, orderID: "", status: "", takingAmount: "", makingAmount: "" }, 400);
        }
        this.ledger.cancel(booked.id);
        status = "unmatched";
      }
      return this.json({ errorMsg: "", orderID: hash, takingAmount: "", makingAmount: "", status, success: true });
    } catch (e) {
      if (e instanceof LedgerRejection && (e.code === "insufficient-funds" || e.code === "short-not-allowed")) return this.json({ error: "not enough balance / allowance" }, 400);
      if (e instanceof LedgerRejection) return this.json({ error: e.message }, 400);
      throw e;
    }
  }
}
