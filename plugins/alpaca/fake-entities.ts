/**
 * Alpaca's documented entities as the fake broker renders them (Order,
 * Position, Account, Clock, Calendar, error body), written from Alpaca's
 * published entity descriptions (docs.alpaca.markets; the YAML under
 * `data/webapi/entities` of alpacahq/alpaca-docs). The fake keeps its own
 * copy on purpose: if the plugin's wire types misread a field, the fake must
 * not inherit the mistake (plugins/testkit/fake-rules.ts).
 *
 * @module
 */

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
