/**
 * The fake Alpaca against Alpaca's documented behaviour, over raw HTTP
 * (what a bench script or any client sees), and through the real client.
 */
import { describe, expect, it } from "vitest";
import { testClient } from "../testkit/harness";
import { ALPACA_FAKE_CREDENTIALS, AlpacaFake, fakeFaultOf } from "./fake";
import { alpacaPlugin } from "./index";

const BASE = "https://paper-api.alpaca.markets";
const AUTH = { "apca-api-key-id": ALPACA_FAKE_CREDENTIALS.keyId, "apca-api-secret-key": ALPACA_FAKE_CREDENTIALS.secretKey };

type Json = Record<string, unknown> & { legs?: Json[] | null };

function http(fake: AlpacaFake) {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<{ status: number; body: unknown; headers: Headers }> {
    const res = await fake.fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? null : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text), headers: res.headers };
  }
  return {
    call,
    order: async (body: Record<string, unknown>) => call("POST", "/v2/orders", body),
    get: async (path: string) => call("GET", path),
  };
}

function setup(options: ConstructorParameters<typeof AlpacaFake>[0] = {}) {
  const fake = new AlpacaFake(options);
  fake.setPrice("AAPL", "100");
  fake.setPrice("SPY", "300");
  fake.setPrice("BTC/USD", "50000");
  return { fake, api: http(fake) };
}

const buy = (fields: Record<string, unknown> = {}) => ({ symbol: "AAPL", qty: "10", side: "buy", type: "market", time_in_force: "day", ...fields });

describe("fake alpaca: authentication and entities", () => {
  it("refuses missing or wrong keys with Alpaca's 401 body", async () => {
    const { api } = setup();
    expect(await api.call("GET", "/v2/account", undefined, {})).toMatchObject({ status: 401, body: { code: 40110000, message: "request is not authorized" } });
    expect((await api.call("GET", "/v2/account", undefined, { ...AUTH, "apca-api-secret-key": "wrong" })).status).toBe(401);
  });

  it("serves every documented Account field, paper account numbers starting PA", async () => {
    const { api } = setup();
    const { body } = await api.get("/v2/account");
    const documented = [
      "id", "account_number", "status", "crypto_status", "currency", "cash", "portfolio_value", "non_marginable_buying_power", "accrued_fees",
      "pending_transfer_in", "pending_transfer_out", "pattern_day_trader", "trade_suspended_by_user", "trading_blocked", "transfers_blocked",
      "account_blocked", "created_at", "shorting_enabled", "long_market_value", "short_market_value", "equity", "last_equity", "multiplier",
      "buying_power", "initial_margin", "maintenance_margin", "sma", "daytrade_count", "last_maintenance_margin", "daytrading_buying_power", "regt_buying_power",
    ];
    expect(Object.keys(body as Json).sort()).toEqual([...documented].sort());
    expect(body).toMatchObject({ status: "ACTIVE", currency: "USD", cash: "100000", equity: "100000", multiplier: "2", buying_power: "200000" });
    expect((body as Json).account_number).toMatch(/^PA/);
  });

  it("an order carries every documented Order field; legs are null unless nested", async () => {
    const { api } = setup();
    const { status, body } = await api.order(buy({ client_order_id: "my-1" }));
    expect(status).toBe(200);
    expect(Object.keys(body as Json).sort()).toEqual(
      [
        "id", "client_order_id", "created_at", "updated_at", "submitted_at", "filled_at", "expired_at", "canceled_at", "failed_at", "replaced_at",
        "replaced_by", "replaces", "asset_id", "symbol", "asset_class", "notional", "qty", "filled_qty", "filled_avg_price", "order_class",
        "order_type", "type", "side", "time_in_force", "limit_price", "stop_price", "status", "extended_hours", "legs", "trail_percent", "trail_price", "hwm",
      ].sort(),
    );
    expect(body).toMatchObject({ client_order_id: "my-1", status: "filled", filled_qty: "10", filled_avg_price: "100", asset_class: "us_equity", legs: null });
    expect((await api.get("/v2/orders:by_client_order_id?client_order_id=my-1")).body).toMatchObject({ id: (body as Json).id });
  });

  it("positions: long at the average entry, shorts negative, crypto under the legacy symbol", async () => {
    const { fake, api } = setup();
    await api.order(buy());
    await api.order(buy({ qty: "5" }));
    fake.setPrice("AAPL", "110");
    await api.order(buy({ symbol: "SPY", side: "sell", qty: "2" }));
    await api.order({ symbol: "BTC/USD", qty: "0.5", side: "buy", type: "market", time_in_force: "gtc" });
    const { body } = await api.get("/v2/positions");
    expect(body).toMatchObject([
      { symbol: "AAPL", qty: "15", side: "long", avg_entry_price: "100", market_value: "1650", cost_basis: "1500", unrealized_pl: "150", current_price: "110" },
      { symbol: "BTCUSD", qty: "0.5", side: "long", asset_class: "crypto" },
      { symbol: "SPY", qty: "-2", side: "short", market_value: "-600" },
    ]);
    expect((await api.get("/v2/positions/BTC%2FUSD")).body).toMatchObject({ symbol: "BTCUSD" });
    expect(await api.get("/v2/positions/MSFT")).toMatchObject({ status: 404, body: { code: 40410000, message: "position does not exist" } });
  });
});

describe("fake alpaca: documented order rules", () => {
  it.each<[string, Record<string, unknown>, number, RegExp]>([
    ["a duplicate client_order_id", buy({ client_order_id: "dup" }), 422, /client_order_id must be unique/],
    ["a client_order_id over 48 characters", buy({ client_order_id: "x".repeat(49) }), 422, /48/],
    ["a sub-penny limit (the documented message)", buy({ type: "limit", limit_price: "290.123" }), 422, /invalid limit_price 290.123. sub-penny increment/],
    ["extended hours on a market order", buy({ extended_hours: true }), 422, /extended hours order must be DAY limit orders/],
    ["fractional shares on a gtc order", buy({ qty: "0.5", time_in_force: "gtc" }), 422, /fractional/],
    ["crypto with time in force day", { symbol: "BTC/USD", qty: "1", side: "buy", type: "market", time_in_force: "day" }, 422, /crypto time_in_force/],
    ["a stop order without stop_price", buy({ type: "stop" }), 422, /stop_price is required/],
    ["an unknown symbol", buy({ symbol: "NOPE" }), 422, /not found/],
    ["a buy bracket whose take profit is under its stop", buy({ order_class: "bracket", time_in_force: "gtc", take_profit: { limit_price: "95" }, stop_loss: { stop_price: "96" } }), 422, /take_profit/],
    ["a bracket stop within a cent of the market", buy({ order_class: "bracket", time_in_force: "gtc", take_profit: { limit_price: "110" }, stop_loss: { stop_price: "100" } }), 422, /base_price/],
    ["a trailing stop inside a bracket", buy({ type: "trailing_stop", trail_percent: "1", order_class: "bracket", time_in_force: "gtc", take_profit: { limit_price: "110" }, stop_loss: { stop_price: "90" } }), 422, /trailing_stop/],
    ["more buying power than the account has", buy({ qty: "3000" }), 403, /insufficient buying power/],
  ])("refuses %s", async (_what, body, status, message) => {
    const { api } = setup();
    await api.order(buy({ client_order_id: "dup" }));
    const res = await api.order(body);
    expect(res.status).toBe(status);
    expect(String((res.body as Json).message)).toMatch(message);
    expect(typeof (res.body as Json).code).toBe("number");
  });

  it("never flips a position in one order, and shares held by open sells cannot be sold twice", async () => {
    const { api } = setup();
    await api.order(buy());
    const flip = await api.order(buy({ side: "sell", qty: "15" }));
    expect(flip).toMatchObject({ status: 403, body: { code: 40310000, message: "insufficient qty available for order (requested: 15, available: 10)" } });
    await api.order(buy({ side: "sell", qty: "6", type: "limit", limit_price: "120", time_in_force: "gtc" }));
    expect((await api.order(buy({ side: "sell", qty: "5" }))).body).toMatchObject({ message: "insufficient qty available for order (requested: 5, available: 4)", held_for_orders: "6" });
    expect((await api.get("/v2/positions/AAPL")).body).toMatchObject({ qty: "10", qty_available: "4" });
  });

  it("crypto: no shorting, sells limited to the balance", async () => {
    const { api } = setup();
    const res = await api.order({ symbol: "BTC/USD", qty: "1", side: "sell", type: "market", time_in_force: "gtc" });
    expect(res).toMatchObject({ status: 403, body: { message: "insufficient balance for BTC (requested: 1, available: 0)" } });
  });

  it("open buy orders reduce buying power until they fill or are cancelled", async () => {
    const { api } = setup({ multiplier: 1 });
    const { body } = await api.order(buy({ qty: "100", type: "limit", limit_price: "90", time_in_force: "gtc" }));
    expect((await api.get("/v2/account")).body).toMatchObject({ cash: "100000", buying_power: "91000" });
    expect((await api.call("DELETE", `/v2/orders/${(body as Json).id}`)).status).toBe(204);
    expect((await api.get("/v2/account")).body).toMatchObject({ buying_power: "100000" });
  });

  it("cancel: 204, then 422 'already in canceled state', 404 for an unknown id", async () => {
    const { api } = setup();
    const { body } = await api.order(buy({ type: "limit", limit_price: "90", time_in_force: "gtc" }));
    const id = (body as Json).id as string;
    expect((await api.call("DELETE", `/v2/orders/${id}`)).status).toBe(204);
    expect(await api.call("DELETE", `/v2/orders/${id}`)).toMatchObject({ status: 422, body: { code: 42210000, message: 'order is already in "canceled" state' } });
    expect(await api.call("DELETE", "/v2/orders/00000000-0000-4000-8000-000000000000")).toMatchObject({ status: 404, body: { message: "order not found" } });
  });

  it("ioc cancels what did not fill at once; fok fills all or nothing", async () => {
    const { fake, api } = setup();
    fake.partialFillNext("4");
    expect((await api.order(buy({ time_in_force: "ioc" }))).body).toMatchObject({ status: "canceled", filled_qty: "4" });
    fake.partialFillNext("4");
    expect((await api.order(buy({ time_in_force: "fok" }))).body).toMatchObject({ status: "canceled", filled_qty: "0" });
  });
});

describe("fake alpaca: brackets, OCO and trailing stops", () => {
  const bracket = buy({ symbol: "SPY", qty: "100", type: "limit", limit_price: "299", time_in_force: "gtc", order_class: "bracket", take_profit: { limit_price: "310" }, stop_loss: { stop_price: "290", limit_price: "289.5" } });

  it("legs are held until the entry fills, then the take profit is new and the stop loss held", async () => {
    const { fake, api } = setup();
    const { body } = await api.order(bracket);
    const entry = body as Json;
    expect(entry.legs?.map((l) => [l.type, l.status, l.side, l.order_class])).toEqual([
      ["limit", "held", "sell", "bracket"],
      ["stop_limit", "held", "sell", "bracket"],
    ]);
    fake.setPrice("SPY", "298.5");
    const nested = (await api.get(`/v2/orders/${entry.id}?nested=true`)).body as Json;
    expect(nested.status).toBe("filled");
    expect(nested.legs?.map((l) => l.status)).toEqual(["new", "held"]);
    // Non-nested, each leg is an order of its own; nested, the legs roll up under the filled entry.
    expect(((await api.get("/v2/orders?status=open")).body as Json[]).map((o) => o.type).sort()).toEqual(["limit", "stop_limit"]);
    const open = (await api.get("/v2/orders?status=open&nested=true")).body as Json[];
    expect(open.map((o) => [o.id, o.status, o.legs?.length])).toEqual([[entry.id, "filled", 2]]);
  });

  it("the take profit filling cancels the stop loss; a partial take profit shrinks it", async () => {
    const { fake, api } = setup();
    const entry = (await api.order({ ...bracket, type: "market", limit_price: undefined })).body as Json;
    const [tp, sl] = ((await api.get(`/v2/orders/${entry.id}?nested=true`)).body as Json).legs!;
    fake.fillOrder(tp!.id as string, "40", "310");
    expect((await api.get(`/v2/orders/${sl!.id}`)).body).toMatchObject({ qty: "60", status: "held" });
    fake.setPrice("SPY", "311");
    expect((await api.get(`/v2/orders/${tp!.id}`)).body).toMatchObject({ status: "filled", filled_qty: "100" });
    expect((await api.get(`/v2/orders/${sl!.id}`)).body).toMatchObject({ status: "canceled" });
    expect((await api.get("/v2/positions")).body).toEqual([]);
  });

  it("cancelling any order of the group cancels the rest", async () => {
    const { api } = setup();
    const entry = (await api.order(bracket)).body as Json;
    await api.call("DELETE", `/v2/orders/${entry.legs![1]!.id}`);
    const after = (await api.get(`/v2/orders/${entry.id}?nested=true`)).body as Json;
    expect([after.status, ...after.legs!.map((l) => l.status)]).toEqual(["canceled", "canceled", "canceled"]);
  });

  it("OCO: an exit-only pair on a held position, the take profit is the parent", async () => {
    const { fake, api } = setup();
    await api.order(buy({ symbol: "SPY", qty: "100" }));
    const oco = (await api.order({ symbol: "SPY", qty: "100", side: "sell", type: "limit", time_in_force: "gtc", order_class: "oco", take_profit: { limit_price: "310" }, stop_loss: { stop_price: "290" } })).body as Json;
    expect(oco).toMatchObject({ order_class: "oco", type: "limit", limit_price: "310", status: "new" });
    expect(oco.legs).toMatchObject([{ type: "stop", stop_price: "290", status: "held" }]);
    fake.setPrice("SPY", "289");
    expect((await api.get(`/v2/orders/${oco.id}`)).body).toMatchObject({ status: "canceled" });
    expect((await api.get(`/v2/orders/${(oco.legs as Json[])[0]!.id}`)).body).toMatchObject({ status: "filled" });
  });

  it("a trailing stop follows the high water mark and fires when the price falls back", async () => {
    const { fake, api } = setup();
    await api.order(buy());
    const trail = (await api.order(buy({ side: "sell", type: "trailing_stop", trail_price: "5", time_in_force: "gtc" }))).body as Json;
    expect(trail).toMatchObject({ hwm: "100", stop_price: "95", status: "new" });
    fake.setPrice("AAPL", "120");
    fake.setPrice("AAPL", "116");
    expect((await api.get(`/v2/orders/${trail.id}`)).body).toMatchObject({ hwm: "120", stop_price: "115", status: "new" });
    fake.setPrice("AAPL", "114.9");
    expect((await api.get(`/v2/orders/${trail.id}`)).body).toMatchObject({ status: "filled", filled_avg_price: "114.9" });
  });

  it("cancel-all answers 207 per order; closing a position sends a market order for it", async () => {
    const { api } = setup();
    await api.order(buy());
    const resting = (await api.order(buy({ type: "limit", limit_price: "90", time_in_force: "gtc" }))).body as Json;
    expect(await api.call("DELETE", "/v2/orders")).toMatchObject({ status: 207, body: [{ id: resting.id, status: 200 }] });
    expect((await api.get(`/v2/orders/${resting.id}`)).body).toMatchObject({ status: "canceled" });
    const close = await api.call("DELETE", "/v2/positions/AAPL?qty=4");
    expect(close).toMatchObject({ status: 200, body: { side: "sell", qty: "4", type: "market", status: "filled" } });
    expect((await api.get("/v2/positions/AAPL")).body).toMatchObject({ qty: "6" });
    expect(await api.call("DELETE", "/v2/positions")).toMatchObject({ status: 207, body: [{ symbol: "AAPL", status: 200 }] });
    expect((await api.get("/v2/positions")).body).toEqual([]);
  });

  it("PATCH replaces an order under a new id; the old one ends replaced", async () => {
    const { api } = setup();
    const old = (await api.order(buy({ type: "limit", limit_price: "90", time_in_force: "gtc" }))).body as Json;
    const next = (await api.call("PATCH", `/v2/orders/${old.id}`, { limit_price: "91", qty: "4" })).body as Json;
    expect(next).toMatchObject({ replaces: old.id, limit_price: "91", qty: "4", status: "new" });
    expect((await api.get(`/v2/orders/${old.id}`)).body).toMatchObject({ status: "replaced", replaced_by: next.id });
  });
});

describe("fake alpaca: market hours, clock, quotes, lists", () => {
  it("equity orders wait as accepted while the market is closed; crypto trades 24/7", async () => {
    const { fake, api } = setup({ marketOpen: false });
    expect((await api.get("/v2/clock")).body).toMatchObject({ is_open: false });
    const o = (await api.order(buy())).body as Json;
    expect(o.status).toBe("accepted");
    expect((await api.order({ symbol: "BTC/USD", qty: "0.1", side: "buy", type: "market", time_in_force: "gtc" })).body).toMatchObject({ status: "filled" });
    fake.setMarketOpen(true);
    expect((await api.get(`/v2/orders/${o.id}`)).body).toMatchObject({ status: "filled" });
  });

  it("next-request fills: the POST answers pending_new, the next request sees the fill", async () => {
    const { api } = setup({ marketFill: "next-request" });
    const o = (await api.order(buy())).body as Json;
    expect(o.status).toBe("pending_new");
    expect((await api.get(`/v2/orders/${o.id}`)).body).toMatchObject({ status: "filled" });
  });

  it("calendar lists weekdays; latest quotes answer per symbol with numeric prices", async () => {
    const { fake, api } = setup();
    expect((await api.get("/v2/calendar?start=2026-01-02&end=2026-01-06")).body).toEqual([
      { date: "2026-01-02", open: "09:30", close: "16:00" },
      { date: "2026-01-05", open: "09:30", close: "16:00" },
      { date: "2026-01-06", open: "09:30", close: "16:00" },
    ]);
    fake.setQuote("AAPL", { bid: "99.98", ask: "100.02" });
    expect((await api.get("/v2/stocks/quotes/latest?symbols=AAPL,NOPE")).body).toMatchObject({ quotes: { AAPL: { ap: 100.02, bp: 99.98 } } });
    expect((await api.get("/v1beta3/crypto/us/latest/quotes?symbols=BTC/USD")).body).toMatchObject({ quotes: { "BTC/USD": { ap: 50000, bp: 50000 } } });
  });

  it("lists filter by status, side and symbols, newest first by default, up to limit", async () => {
    const { api } = setup();
    await api.order(buy({ client_order_id: "a" }));
    await api.order(buy({ client_order_id: "b", type: "limit", limit_price: "50", time_in_force: "gtc" }));
    await api.order(buy({ client_order_id: "c", symbol: "SPY", side: "sell", qty: "1" }));
    const ids = async (q: string) => ((await api.get(`/v2/orders?${q}`)).body as Json[]).map((o) => o.client_order_id);
    expect(await ids("status=all")).toEqual(["c", "b", "a"]);
    expect(await ids("status=all&direction=asc&limit=2")).toEqual(["a", "b"]);
    expect(await ids("")).toEqual(["b"]);
    expect(await ids("status=closed&side=sell")).toEqual(["c"]);
    expect(await ids("status=all&symbols=SPY")).toEqual(["c"]);
  });
});

describe("fake alpaca: faults, rate limits, arrivals", () => {
  it("sends X-Ratelimit headers and, when enforced, Alpaca's 429", async () => {
    const t = new Date("2026-01-02T15:00:10Z");
    const { api } = setup({ rateLimit: { requests: 2, perMs: 60_000 }, now: () => t });
    const first = await api.get("/v2/account");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-reset")).toBe(String(Date.parse("2026-01-02T15:01:00Z") / 1000));
    await api.get("/v2/account");
    expect(await api.get("/v2/account")).toMatchObject({ status: 429, body: { code: 42910000 } });
  });

  it("a lost reply executes the order and throws a timeout; a reset throws before the broker sees it", async () => {
    const { fake, api } = setup();
    fake.loseNextReply();
    const lost = await api.order(buy({ client_order_id: "lost" })).catch((e: unknown) => e);
    expect(lost).toMatchObject({ name: "TimeoutError" });
    expect(fakeFaultOf(lost)).toBe("lose-reply");
    expect((await api.get("/v2/orders:by_client_order_id?client_order_id=lost")).status).toBe(200);
    fake.inject({ kind: "reset" });
    const reset = await api.order(buy({ client_order_id: "reset" })).catch((e: unknown) => e);
    expect(fakeFaultOf(reset)).toBe("reset");
    expect((await api.get("/v2/orders:by_client_order_id?client_order_id=reset")).status).toBe(404);
    expect(fake.arrivals.map((a) => a.clientOrderId)).toEqual(["lost"]);
  });

  it("a slow reply the client gives up on is still executed, like a real server", async () => {
    const { fake } = setup();
    fake.inject({ kind: "delay", ms: 30 }, { method: "POST", path: "/v2/orders" });
    const abort = new AbortController();
    const pending = fake.fetch(new Request(`${BASE}/v2/orders`, { method: "POST", headers: AUTH, body: JSON.stringify(buy({ client_order_id: "slow" })), signal: abort.signal }));
    abort.abort(new DOMException("timed out", "TimeoutError"));
    await expect(pending).rejects.toMatchObject({ name: "TimeoutError" });
    // The broker carries on after the client left: await that, however long the machine takes.
    await expect.poll(() => fake.orders().map((o) => [o.clientOrderId, o.status])).toEqual([["slow", "filled"]]);
  });

  it("a seeded fault profile is reproducible and counts what fired", async () => {
    const run = async () => {
      const { fake, api } = setup({ faults: { serverErrorRate: 0.2, rateLimitRate: 0.2, lostReplyRate: 0.1, scope: "orders", seed: 42 } });
      const out: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await api.order(buy({ qty: "1", client_order_id: `o${i}` })).then((x) => String(x.status), (e: unknown) => fakeFaultOf(e) ?? "error");
        out.push(r);
      }
      expect((await api.get("/v2/account")).status).toBe(200);
      return { out, fired: { ...fake.faultsFired } };
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.out).toContain("500");
    expect(a.out).toContain("429");
    expect(a.out).toContain("lose-reply");
    expect(a.fired.reply).toBe(a.out.filter((s) => s === "500" || s === "429").length);
  });

  it("acceptAnyKey gives every key pair its own account (one per bench subscription)", async () => {
    const { fake, api } = setup({ acceptAnyKey: true });
    await api.call("POST", "/v2/orders", buy(), { "apca-api-key-id": "PKBENCH1", "apca-api-secret-key": "s1" });
    await api.call("POST", "/v2/orders", buy({ qty: "3" }), { "apca-api-key-id": "PKBENCH2", "apca-api-secret-key": "s2" });
    expect(fake.positions("PKBENCH1")).toMatchObject([{ qty: "10" }]);
    expect(fake.positions("PKBENCH2")).toMatchObject([{ qty: "3" }]);
    expect((await api.call("GET", "/v2/account", undefined, { "apca-api-key-id": "PKBENCH1", "apca-api-secret-key": "other" })).status).toBe(401);
  });
});

describe("fake alpaca through the real client", () => {
  const client = (fake: AlpacaFake) =>
    testClient({ plugin: alpacaPlugin, credentials: ALPACA_FAKE_CREDENTIALS, settings: {}, now: () => new Date() }, (r) => fake.fetch(r));

  it("crypto and options round trips: symbols map both ways", async () => {
    const { fake } = setup();
    fake.setPrice("SPY250624C00596000", "3.10");
    const c = client(fake);
    const [account] = await c.testConnection();
    await c.placeOrder(account!.brokerAccountId, { clientOrderId: "tlcrypto", ticker: "BTCUSD", assetClass: "crypto", side: "buy", quantity: "0.01", type: "market", timeInForce: "gtc" });
    await c.placeOrder(account!.brokerAccountId, { clientOrderId: "tloption", ticker: "SPY 250624C596", assetClass: "options", side: "buy", quantity: "2", type: "limit", limitPrice: "3.2", timeInForce: "day" });
    const positions = await c.getPositions(account!.brokerAccountId);
    expect(positions.map((p) => [p.ticker, p.quantity, p.avgPrice])).toEqual([
      ["BTCUSD", "0.01", "50000"],
      ["SPY 250624C596", "2", "3.1"],
    ]);
    // Options are 100 shares per contract: 2 × 3.10 × 100 = 620 spent, besides the crypto.
    expect((await c.getBalance(account!.brokerAccountId)).cash).toBe("98880");
    expect(await c.getQuote?.("BTCUSD", "crypto")).toMatchObject({ ticker: "BTCUSD", bid: "50000", ask: "50000" });
  });

  it("a buy bracket: the legs come back from getOpenOrders with the entry id and their roles", async () => {
    const { fake } = setup();
    const c = client(fake);
    const [account] = await c.testConnection();
    const entry = await c.placeOrder(account!.brokerAccountId, {
      clientOrderId: "tlbracket",
      ticker: "SPY",
      assetClass: "stocks",
      side: "buy",
      quantity: "3",
      type: "market",
      timeInForce: "gtc",
      bracket: { takeProfit: { limitPrice: "320" }, stopLoss: { type: "stop", stopPrice: "280" } },
    });
    expect(entry).toMatchObject({ status: "filled", role: "entry" });
    const legs = await c.getOpenOrders(account!.brokerAccountId);
    expect(legs.map((l) => [l.role, l.type, l.side, l.parentBrokerOrderId, l.status])).toEqual([
      ["take_profit", "limit", "sell", entry.brokerOrderId, "open"],
      ["stop_loss", "stop", "sell", entry.brokerOrderId, "open"],
    ]);
    await expect(c.placeOrder(account!.brokerAccountId, { clientOrderId: "tlsell", ticker: "SPY", assetClass: "stocks", side: "sell", quantity: "1", type: "market", timeInForce: "day" })).rejects.toMatchObject({
      kind: "rejected",
      code: "insufficient-quantity",
    });
  });

  it("a blocked account fails the connection test with a sentence saying what to do", async () => {
    const { fake } = setup();
    fake.setAccountFlags({ tradeSuspendedByUser: true });
    await expect(client(fake).testConnection()).rejects.toMatchObject({ code: "trading-suspended", message: expect.stringMatching(/turn it back on/) });
    fake.setAccountFlags({ tradeSuspendedByUser: false, tradingBlocked: true });
    await expect(client(fake).testConnection()).rejects.toMatchObject({ code: "no-usable-account" });
  });
});
