/**
 * Renders the fake broker's state as Alpaca's documented JSON entities
 * (Order, Position, Account, Clock, Calendar, latest quotes), field for field.
 *
 * @module
 */
import { Big, toDecimal } from "../sdk";
import { FINAL_STATUSES, type EngineOrder, type FakeAccount, type FakeEngine, type Instrument } from "./fake-engine";
import type { AlpacaAccountJson, AlpacaCalendarJson, AlpacaClockJson, AlpacaOrderJson, AlpacaPositionJson } from "./fake-entities";

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const decOrNull = (v: Big | null): string | null => (v === null ? null : toDecimal(v));
/** Ratios (P/L percent) are cut to 10 places, as Alpaca prints them. */
const ratio = (num: Big, den: Big): string => (den.eq(0) ? "0" : toDecimal(num.div(den).round(10, 1)));

/** One order; `nested` puts its legs under `legs` (otherwise null, as documented). */
export function orderJson(account: FakeAccount, o: EngineOrder, nested: boolean): AlpacaOrderJson {
  const legs = nested && o.legIds.length > 0 ? o.legIds.map((id) => account.orders.get(id)).filter((l): l is EngineOrder => l !== undefined) : null;
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: o.createdAt.toISOString(),
    updated_at: iso(o.updatedAt),
    submitted_at: iso(o.submittedAt),
    filled_at: iso(o.filledAt),
    expired_at: iso(o.expiredAt),
    canceled_at: iso(o.canceledAt),
    failed_at: null,
    replaced_at: iso(o.replacedAt),
    replaced_by: o.replacedBy,
    replaces: o.replaces,
    asset_id: o.assetId,
    symbol: o.symbol,
    asset_class: o.assetClass,
    notional: decOrNull(o.notional),
    // A notional order has no qty until it fills.
    qty: o.notional !== null && o.filledQty.eq(0) ? null : decOrNull(o.qty),
    filled_qty: toDecimal(o.filledQty),
    filled_avg_price: o.filledQty.gt(0) ? toDecimal(o.filledValue.div(o.filledQty).round(9, 1)) : null,
    order_class: o.orderClass,
    order_type: o.type,
    type: o.type,
    side: o.side,
    time_in_force: o.tif,
    limit_price: decOrNull(o.limit),
    stop_price: decOrNull(o.stop),
    status: o.status,
    extended_hours: o.extendedHours,
    legs: legs === null ? null : legs.map((l) => orderJson(account, l, false)),
    trail_percent: decOrNull(o.trailPercent),
    trail_price: decOrNull(o.trailPrice),
    hwm: decOrNull(o.hwm),
  };
}

/** The query of `GET /v2/orders`, parsed. */
export interface ListQuery {
  status: "open" | "closed" | "all";
  limit: number;
  after: Date | null;
  until: Date | null;
  direction: "asc" | "desc";
  nested: boolean;
  side: "buy" | "sell" | null;
  symbols: Set<string> | null;
}

/**
 * `GET /v2/orders`. Without `nested`, every order (legs included) is listed
 * on its own. With `nested`, legs roll up under their parent, and a parent is
 * listed while it or any of its legs matches the status filter, so a filled
 * entry still shows its working exits.
 */
export function listOrders(account: FakeAccount, q: ListQuery): AlpacaOrderJson[] {
  const open = (o: EngineOrder): boolean => !FINAL_STATUSES.has(o.status);
  const statusOk = (o: EngineOrder): boolean => q.status === "all" || (q.status === "open" ? open(o) : !open(o));
  const legsOf = (o: EngineOrder): EngineOrder[] => o.legIds.map((id) => account.orders.get(id)).filter((l): l is EngineOrder => l !== undefined);
  let list = [...account.orders.values()].filter((o) => {
    if (q.nested && o.parentId !== null) return false;
    const matches = statusOk(o) || (q.nested && legsOf(o).some(statusOk));
    if (!matches) return false;
    if (q.side !== null && o.side !== q.side) return false;
    if (q.symbols !== null && !q.symbols.has(o.symbol) && !q.symbols.has(o.symbol.replace("/", ""))) return false;
    if (q.after !== null && !(o.submittedAt > q.after)) return false;
    if (q.until !== null && !(o.submittedAt < q.until)) return false;
    return true;
  });
  list.sort((a, b) => (q.direction === "asc" ? a.seq - b.seq : b.seq - a.seq));
  list = list.slice(0, q.limit);
  return list.map((o) => orderJson(account, o, q.nested));
}

/** One position. Crypto positions use the legacy slash-less symbol, as in the documented example (`BTCUSD`). */
export function positionJson(engine: FakeEngine, account: FakeAccount, symbol: string): AlpacaPositionJson {
  const h = account.holdings.get(symbol)!;
  const inst: Instrument = engine.instruments.get(symbol)!;
  const m = inst.multiplier;
  const marketValue = h.qty.times(inst.last).times(m);
  const costBasis = h.qty.times(h.avg).times(m);
  const pl = marketValue.minus(costBasis);
  const intraday = inst.last.minus(inst.lastday).times(h.qty).times(m);
  const held = engine.heldQty(account, symbol, h.qty.gt(0) ? "sell" : "buy");
  const available = h.qty.gt(0) ? h.qty.minus(held) : h.qty.plus(held);
  return {
    asset_id: inst.assetId,
    symbol: inst.assetClass === "crypto" ? symbol.replace("/", "") : symbol,
    exchange: inst.exchange,
    asset_class: inst.assetClass,
    avg_entry_price: toDecimal(h.avg),
    qty: toDecimal(h.qty),
    qty_available: toDecimal(available),
    side: h.qty.gt(0) ? "long" : "short",
    market_value: toDecimal(marketValue),
    cost_basis: toDecimal(costBasis),
    unrealized_pl: toDecimal(pl),
    unrealized_plpc: ratio(pl, costBasis.abs()),
    unrealized_intraday_pl: toDecimal(intraday),
    unrealized_intraday_plpc: ratio(inst.last.minus(inst.lastday), inst.lastday),
    current_price: toDecimal(inst.last),
    lastday_price: toDecimal(inst.lastday),
    change_today: ratio(inst.last.minus(inst.lastday), inst.lastday),
  };
}

/** Every position of an account, by symbol. */
export function positionsJson(engine: FakeEngine, account: FakeAccount): AlpacaPositionJson[] {
  return [...account.holdings.keys()].sort().map((s) => positionJson(engine, account, s));
}

/** The Account entity, every documented field, computed from cash, holdings and open orders. */
export function accountJson(engine: FakeEngine, account: FakeAccount): AlpacaAccountJson {
  const f = engine.figures(account);
  const equity = toDecimal(f.equity);
  const bp = toDecimal(f.buyingPower);
  return {
    id: account.id,
    account_number: account.accountNumber,
    status: account.status,
    crypto_status: "ACTIVE",
    currency: "USD",
    cash: toDecimal(account.cash),
    portfolio_value: equity,
    non_marginable_buying_power: toDecimal(f.nonMarginable),
    accrued_fees: "0",
    pending_transfer_in: "0",
    pending_transfer_out: "0",
    pattern_day_trader: false,
    trade_suspended_by_user: account.tradeSuspendedByUser,
    trading_blocked: account.tradingBlocked,
    transfers_blocked: false,
    account_blocked: account.accountBlocked,
    created_at: account.createdAt.toISOString(),
    shorting_enabled: account.config.shortingEnabled && account.multiplier > 1,
    long_market_value: toDecimal(f.longMv),
    short_market_value: toDecimal(f.shortMv),
    equity,
    last_equity: toDecimal(account.lastEquity),
    multiplier: String(account.multiplier),
    buying_power: bp,
    initial_margin: toDecimal(f.initialMargin),
    maintenance_margin: toDecimal(f.maintenanceMargin),
    sma: "0",
    daytrade_count: 0,
    last_maintenance_margin: toDecimal(f.maintenanceMargin),
    daytrading_buying_power: bp,
    regt_buying_power: bp,
  };
}

/** New York's UTC offset (e.g. "-04:00") on a date, from the runtime's time zone data. */
function newYorkOffset(d: Date): string {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeZoneName: "shortOffset" })
    .formatToParts(d)
    .find((p) => p.type === "timeZoneName")?.value;
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name ?? "");
  return m ? `${m[1]}${m[2]!.padStart(2, "0")}:${m[3] ?? "00"}` : "-05:00";
}

/** Next weekday (from `d`'s New York date, inclusive when `includeToday`) at HH:MM New York time. */
function nextSession(d: Date, hhmm: string, includeToday: boolean): string {
  for (let i = includeToday ? 0 : 1; i < 8; i++) {
    const day = new Date(d.getTime() + i * 86_400_000);
    const date = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(day);
    const weekday = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", weekday: "short" }).format(day);
    if (weekday === "Sat" || weekday === "Sun") continue;
    const at = `${date}T${hhmm}:00${newYorkOffset(day)}`;
    if (new Date(at) > d) return at;
  }
  return d.toISOString();
}

/** The Clock entity. `is_open` follows the fake's market switch, not the wall clock, so tests are deterministic. */
export function clockJson(now: Date, isOpen: boolean): AlpacaClockJson {
  return {
    timestamp: now.toISOString(),
    is_open: isOpen,
    next_open: nextSession(now, "09:30", !isOpen),
    next_close: nextSession(now, "16:00", true),
  };
}

/** `GET /v2/calendar`: weekdays 09:30-16:00 between `start` and `end` (no holidays). */
export function calendarJson(start: string, end: string): AlpacaCalendarJson[] {
  const days: AlpacaCalendarJson[] = [];
  const from = new Date(`${start}T12:00:00Z`);
  const to = new Date(`${end}T12:00:00Z`);
  for (let t = from.getTime(); t <= to.getTime() && days.length < 1000; t += 86_400_000) {
    const d = new Date(t);
    const wd = d.getUTCDay();
    if (wd === 0 || wd === 6) continue;
    days.push({ date: d.toISOString().slice(0, 10), open: "09:30", close: "16:00" });
  }
  return days;
}

/** A latest quote (Market Data): prices and sizes are JSON numbers there. */
export function quoteJson(inst: Instrument, now: Date): Record<string, unknown> {
  const n = (v: Big): number => Number(v.toFixed());
  const base = { t: now.toISOString(), ap: n(inst.ask), as: 1, bp: n(inst.bid), bs: 1 };
  if (inst.assetClass === "crypto") return base;
  return { ...base, ax: "V", bx: "V", c: ["R"], ...(inst.assetClass === "us_equity" ? { z: "C" } : {}) };
}
