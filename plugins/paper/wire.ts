/**
 * The paper ledger's REST API on the wire: request bodies and response
 * documents. Both sides use these schemas: the Durable Object validates what
 * it receives, the plugin client validates what it gets back, exactly as a
 * plugin for a real broker would validate that broker's JSON.
 *
 * The wire deliberately uses broker-style snake_case (`qty`, `limit_price`)
 * rather than Tradeloop's normalized model, so the plugin shows the mapping
 * step every community plugin needs. Money and quantities are decimal strings.
 *
 * @module
 */
import { z } from "zod";
import { toDecimal } from "../sdk";
import { CLIENT_ORDER_ID_MAX_LENGTH, CLIENT_ORDER_ID_PATTERN, MAX_LATENCY_MS } from "./manifest";

/** Header carrying the connection's simulated latency; the ledger sleeps that long before handling the request. */
export const LATENCY_HEADER = "x-paper-latency-ms";

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** A decimal string in responses. */
export const WireDecimal = z.string().regex(DECIMAL_RE, "decimal string");

/**
 * A decimal in request bodies: a decimal string or a JSON number (handy with
 * curl), normalized to the canonical string before any arithmetic.
 */
const InputDecimal = z
  .union([z.string().trim().regex(DECIMAL_RE, "must be a decimal number such as 101.25"), z.number()])
  .transform((v) => toDecimal(v));

/** A strictly positive input decimal (prices, quantities). */
const PositiveDecimal = InputDecimal.refine((v) => !v.startsWith("-") && /[1-9]/.test(v), "must be greater than 0");

/** Tickers are kept exactly as given: `AAPL`, `BTCUSD`, `SPY 250624C596`, `MNQU2025`. */
const SymbolSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64)
  .regex(/^[^\u0000-\u001f]+$/, "must not contain control characters");

export const WireSideSchema = z.enum(["buy", "sell"]);
export const WireOrderTypeSchema = z.enum(["market", "limit", "stop", "stop_limit", "trailing_stop"]);
export const WireTimeInForceSchema = z.enum(["day", "gtc", "ioc", "fok"]);
export const WireOrderStatusSchema = z.enum(["open", "filled", "cancelled", "rejected", "expired"]);
export const WireOrderRoleSchema = z.enum(["take_profit", "stop_loss"]);

// ---------------------------------------------------------------- requests

/** `POST /ledgers/:id/account` and `POST /ledgers/:id/reset`. */
export const InitAccountBodySchema = z.object({
  starting_cash: PositiveDecimal.optional(),
});
export type InitAccountBody = z.input<typeof InitAccountBodySchema>;

/** `POST /ledgers/:id/prices`: the market traded at `price`. */
export const ObservePriceBodySchema = z.object({
  symbol: SymbolSchema,
  price: PositiveDecimal,
});
export type ObservePriceBody = z.input<typeof ObservePriceBodySchema>;

/** Exit legs attached to an entry; they become an OCO pair once the entry fills. */
export const WireBracketSchema = z.object({
  take_profit: z.object({ limit_price: PositiveDecimal }).optional(),
  stop_loss: z
    .object({
      type: z.enum(["stop", "stop_limit", "trailing_stop"]).default("stop"),
      stop_price: PositiveDecimal.optional(),
      limit_price: PositiveDecimal.optional(),
      trail_amount: PositiveDecimal.optional(),
      trail_percent: PositiveDecimal.optional(),
    })
    .optional(),
});

/** `POST /ledgers/:id/orders`. */
export const NewOrderBodySchema = z.object({
  client_order_id: z
    .string()
    .min(1)
    .max(CLIENT_ORDER_ID_MAX_LENGTH)
    .regex(CLIENT_ORDER_ID_PATTERN, "may contain only letters, digits and . _ : -")
    .optional(),
  symbol: SymbolSchema,
  side: WireSideSchema,
  type: WireOrderTypeSchema,
  qty: PositiveDecimal,
  time_in_force: WireTimeInForceSchema.default("gtc"),
  limit_price: PositiveDecimal.optional(),
  stop_price: PositiveDecimal.optional(),
  trail_amount: PositiveDecimal.optional(),
  trail_percent: PositiveDecimal.optional(),
  /** The alert's price. It marks the market price before the order is handled. */
  reference_price: PositiveDecimal.optional(),
  take_profit: WireBracketSchema.shape.take_profit,
  stop_loss: WireBracketSchema.shape.stop_loss,
});
export type NewOrderBody = z.input<typeof NewOrderBodySchema>;
export type ParsedNewOrderBody = z.output<typeof NewOrderBodySchema>;

/** `GET /ledgers/:id/orders?status=`. */
export const ListOrdersQuerySchema = z.object({
  status: z.enum(["open", "closed", "all"]).default("all"),
  symbol: SymbolSchema.optional(),
});

/** Latency header value; garbage is ignored rather than refused (latency is a simulation knob, not an input). */
export const LatencySchema = z.coerce.number().int().min(0).max(MAX_LATENCY_MS).catch(0);

// --------------------------------------------------------------- responses

/** An order as the ledger reports it. */
export const WireOrderSchema = z.object({
  id: z.string(),
  client_order_id: z.string().nullable(),
  symbol: z.string(),
  side: WireSideSchema,
  type: WireOrderTypeSchema,
  qty: WireDecimal,
  time_in_force: WireTimeInForceSchema,
  limit_price: WireDecimal.nullable(),
  /** For trailing stops: the current stop level, which moves with the water mark. */
  stop_price: WireDecimal.nullable(),
  trail_amount: WireDecimal.nullable(),
  trail_percent: WireDecimal.nullable(),
  /** Trailing stops: best price seen since placement (highest for sells, lowest for buys). */
  water_mark: WireDecimal.nullable(),
  status: WireOrderStatusSchema,
  filled_qty: WireDecimal,
  filled_avg_price: WireDecimal.nullable(),
  /** Bracket legs: the entry they belong to, their role and their OCO group. */
  parent_id: z.string().nullable(),
  role: WireOrderRoleSchema.nullable(),
  oco_group: z.string().nullable(),
  /** Why an order was rejected, cancelled or expired by the ledger itself. */
  reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  filled_at: z.string().nullable(),
});
export type WireOrder = z.infer<typeof WireOrderSchema>;

export const WireOrderListSchema = z.object({ orders: z.array(WireOrderSchema) });

export const WireAccountSchema = z.object({
  currency: z.literal("USD"),
  starting_cash: WireDecimal,
  cash: WireDecimal,
  /** Signed sum of position values at last prices. */
  market_value: WireDecimal,
  equity: WireDecimal,
  /** Exposure the account may still add: equity minus gross exposure, floored at 0. */
  buying_power: WireDecimal,
  realized_pnl: WireDecimal,
  created_at: z.string(),
  reset_at: z.string().nullable(),
});
export type WireAccount = z.infer<typeof WireAccountSchema>;

export const WirePositionSchema = z.object({
  symbol: z.string(),
  /** Signed: negative is short. */
  qty: WireDecimal,
  avg_entry_price: WireDecimal,
  last_price: WireDecimal.nullable(),
  market_value: WireDecimal,
  unrealized_pnl: WireDecimal,
});
export type WirePosition = z.infer<typeof WirePositionSchema>;

export const WirePositionListSchema = z.object({ positions: z.array(WirePositionSchema) });

export const WireFillSchema = z.object({
  id: z.number().int(),
  order_id: z.string(),
  symbol: z.string(),
  side: WireSideSchema,
  qty: WireDecimal,
  price: WireDecimal,
  at: z.string(),
});
export const WireFillListSchema = z.object({ fills: z.array(WireFillSchema) });

export const WirePriceSchema = z.object({ symbol: z.string(), price: WireDecimal, at: z.string() });
export const WirePriceListSchema = z.object({ prices: z.array(WirePriceSchema) });

/** Reply to `POST /prices`: the new price and every order it changed (filled, cancelled, created). */
export const WireObservePriceResultSchema = z.object({
  symbol: z.string(),
  price: WireDecimal,
  orders: z.array(WireOrderSchema),
});

/** Every error the ledger returns. */
export const WireErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;
