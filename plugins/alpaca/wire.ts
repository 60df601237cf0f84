/**
 * Alpaca's JSON on the wire, as documented (entities Account, Order,
 * Position, Clock, Calendar; the Market Data latest-quotes answer).
 *
 * Two views of the same documents:
 * - `*Json` interfaces: the exact documented shape, which the fake broker
 *   produces field for field;
 * - zod `*Schema`s: what the client accepts. They are lenient where Alpaca's
 *   own examples are (a number where the spec says string, a missing
 *   nullable field), strict where it matters (ids, statuses, decimals).
 *
 * Money and quantities are decimal strings on both sides ("Decimal numbers
 * are returned as strings to preserve full precision").
 *
 * @module
 */
import { z } from "zod";
import { toDecimal } from "../sdk";

// ------------------------------------------------------------ documented shapes

/** Order statuses from "Order Lifecycle" (plus `held` for bracket legs and `pending_review`). */
export type AlpacaOrderStatus =
  | "new"
  | "partially_filled"
  | "filled"
  | "done_for_day"
  | "canceled"
  | "expired"
  | "replaced"
  | "pending_cancel"
  | "pending_replace"
  | "pending_review"
  | "accepted"
  | "pending_new"
  | "accepted_for_bidding"
  | "stopped"
  | "rejected"
  | "suspended"
  | "calculated"
  | "held";

/** Order classes (`""` means simple). */
export type AlpacaOrderClass = "" | "simple" | "bracket" | "oco" | "oto" | "mleg";
/** Order types Alpaca takes. */
export type AlpacaOrderType = "market" | "limit" | "stop" | "stop_limit" | "trailing_stop";
/** Time-in-force values Alpaca takes. */
export type AlpacaTimeInForce = "day" | "gtc" | "opg" | "cls" | "ioc" | "fok";
/** Alpaca's asset classes. */
export type AlpacaAssetClass = "us_equity" | "crypto" | "us_option";

/** The Order entity (entities-order-v2.yaml). */
export interface AlpacaOrderJson {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string | null;
  submitted_at: string | null;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_id: string;
  symbol: string;
  asset_class: AlpacaAssetClass;
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: AlpacaOrderClass;
  order_type: AlpacaOrderType;
  type: AlpacaOrderType;
  side: "buy" | "sell";
  time_in_force: AlpacaTimeInForce;
  limit_price: string | null;
  stop_price: string | null;
  status: AlpacaOrderStatus;
  extended_hours: boolean;
  legs: AlpacaOrderJson[] | null;
  trail_percent: string | null;
  trail_price: string | null;
  hwm: string | null;
}

/** The Position entity (entities-position.yaml). Short positions have negative `qty` and `market_value`. */
export interface AlpacaPositionJson {
  asset_id: string;
  symbol: string;
  exchange: string;
  asset_class: AlpacaAssetClass;
  avg_entry_price: string;
  qty: string;
  qty_available: string;
  side: "long" | "short";
  market_value: string;
  cost_basis: string;
  unrealized_pl: string;
  unrealized_plpc: string;
  unrealized_intraday_pl: string;
  unrealized_intraday_plpc: string;
  current_price: string;
  lastday_price: string;
  change_today: string;
}

/** The Account entity (entities-account-v2.yaml). */
export interface AlpacaAccountJson {
  id: string;
  account_number: string;
  status: string;
  crypto_status: string;
  currency: string;
  cash: string;
  portfolio_value: string;
  non_marginable_buying_power: string;
  accrued_fees: string;
  pending_transfer_in: string;
  pending_transfer_out: string;
  pattern_day_trader: boolean;
  trade_suspended_by_user: boolean;
  trading_blocked: boolean;
  transfers_blocked: boolean;
  account_blocked: boolean;
  created_at: string;
  shorting_enabled: boolean;
  long_market_value: string;
  short_market_value: string;
  equity: string;
  last_equity: string;
  multiplier: string;
  buying_power: string;
  initial_margin: string;
  maintenance_margin: string;
  sma: string;
  daytrade_count: number;
  last_maintenance_margin: string;
  daytrading_buying_power: string;
  regt_buying_power: string;
}

/** The Clock entity. */
export interface AlpacaClockJson {
  timestamp: string;
  is_open: boolean;
  next_open: string;
  next_close: string;
}

/** One Calendar day. */
export interface AlpacaCalendarJson {
  date: string;
  open: string;
  close: string;
}

/** Every Alpaca error body: an 8-digit code and a message (some carry extra context fields). */
export interface AlpacaErrorJson {
  code?: number;
  message: string;
  [extra: string]: unknown;
}

/** Body of `POST /v2/orders`. Decimals are sent as strings, as Alpaca recommends. */
export interface AlpacaNewOrderBody {
  symbol: string;
  qty?: string;
  notional?: string;
  side: "buy" | "sell";
  type: AlpacaOrderType;
  time_in_force: AlpacaTimeInForce;
  limit_price?: string;
  stop_price?: string;
  trail_price?: string;
  trail_percent?: string;
  extended_hours?: boolean;
  client_order_id?: string;
  order_class?: AlpacaOrderClass;
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string; limit_price?: string };
}

// ------------------------------------------------------------ what the client accepts

/** A decimal field: a string per the spec, a number in some examples; canonicalized. */
const WireDecimal = z
  .union([z.string().trim().regex(/^-?\d+(\.\d+)?$/), z.number().refine(Number.isFinite)])
  .transform((v) => toDecimal(v));
const NullableDecimal = WireDecimal.nullable().optional().transform((v) => v ?? null);
const NullableString = z.string().nullable().optional().transform((v) => v ?? null);

/** The Order entity as the client reads it; `legs` nest the same schema. */
export interface WireOrder {
  id: string;
  client_order_id: string | null;
  created_at: string | null;
  updated_at: string | null;
  symbol: string | null;
  asset_class: string | null;
  qty: string | null;
  notional: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: string;
  type: string | null;
  side: string | null;
  time_in_force: string | null;
  limit_price: string | null;
  stop_price: string | null;
  trail_price: string | null;
  trail_percent: string | null;
  status: string;
  legs: WireOrder[] | null;
}

/** The Order entity as the client reads it. */
export const WireOrderSchema: z.ZodType<WireOrder, unknown> = z.lazy(() =>
  z
    .object({
      id: z.string().min(1),
      client_order_id: NullableString,
      created_at: NullableString,
      updated_at: NullableString,
      symbol: NullableString,
      asset_class: NullableString,
      qty: NullableDecimal,
      notional: NullableDecimal,
      filled_qty: WireDecimal.nullable()
        .optional()
        .transform((v) => v ?? "0"),
      filled_avg_price: NullableDecimal,
      order_class: z
        .string()
        .nullable()
        .optional()
        .transform((v) => v ?? ""),
      type: NullableString,
      order_type: NullableString,
      side: NullableString,
      time_in_force: NullableString,
      limit_price: NullableDecimal,
      stop_price: NullableDecimal,
      trail_price: NullableDecimal,
      trail_percent: NullableDecimal,
      status: z.string().min(1),
      legs: z
        .array(WireOrderSchema)
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    })
    // `order_type` is the deprecated twin of `type`; read whichever is there.
    .transform(({ order_type, ...o }) => ({ ...o, type: o.type ?? order_type })),
);

/** `GET /v2/orders`: a list of orders. */
export const WireOrderListSchema = z.array(WireOrderSchema);

/** The Position entity, as far as the client needs it. */
export const WirePositionSchema = z.object({
  symbol: z.string().min(1),
  asset_class: NullableString,
  avg_entry_price: WireDecimal,
  qty: WireDecimal,
  side: z.string().nullable().optional(),
});
/** A position as the client reads it. */
export type WirePosition = z.output<typeof WirePositionSchema>;
/** `GET /v2/positions`. */
export const WirePositionListSchema = z.array(WirePositionSchema);

/** The Account entity, as far as the client needs it. */
export const WireAccountSchema = z.object({
  id: z.string().min(1),
  account_number: z.string().min(1),
  status: z.string(),
  currency: z.string().min(1),
  cash: WireDecimal,
  equity: WireDecimal,
  buying_power: WireDecimal,
  trading_blocked: z.boolean().optional(),
  account_blocked: z.boolean().optional(),
  trade_suspended_by_user: z.boolean().optional(),
  shorting_enabled: z.boolean().optional(),
  crypto_status: z.string().optional(),
});
/** An account as the client reads it. */
export type WireAccount = z.output<typeof WireAccountSchema>;

/** One latest quote from Market Data (`ap`/`bp` are JSON numbers there, not strings). */
export const WireQuoteSchema = z.object({
  t: z.string(),
  ap: z.number().nullable().optional(),
  bp: z.number().nullable().optional(),
});
/** Latest quotes, keyed by symbol. */
export const WireLatestQuotesSchema = z.object({ quotes: z.record(z.string(), WireQuoteSchema) });

/** Error bodies: `{"code": 40310000, "message": "..."}`; the code is absent on some 401s. */
export const WireErrorSchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string(),
});
/** An error body as the client reads it. */
export type WireError = z.output<typeof WireErrorSchema>;
