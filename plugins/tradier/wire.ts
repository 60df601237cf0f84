/**
 * Tradier's JSON on the wire, as the client reads it, with the quirks that
 * come from Tradier rendering XML as JSON:
 *
 * - a list with ONE element is a bare object, not an array
 *   (`{"orders": {"order": {...}}}`), and `leg`, `position`, `account`,
 *   `quote` and `error` all do it;
 * - an empty list is the string `"null"` (`{"positions": "null"}`);
 * - money and quantities are JSON numbers (`17798.36`, `50.00000000`),
 *   converted once, here, to canonical decimal strings; never used as floats.
 *
 * @module
 */
import { z } from "zod";
import { toDecimal } from "../sdk";

/** A list Tradier may send as an array, a single object, `"null"`, `null` or nothing; always an array here. */
export function oneOrMany<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.literal("null"), z.null(), item])
    .optional()
    .transform((v): z.output<T>[] => (v === undefined || v === null || v === "null" ? [] : Array.isArray(v) ? v : [v]));
}

/** A number (or numeric string) as a canonical decimal string. */
const Num = z.union([z.number().refine(Number.isFinite), z.string().trim().regex(/^-?\d+(\.\d+)?$/)]).transform((v) => toDecimal(v));
const OptNum = Num.nullable()
  .optional()
  .transform((v) => v ?? null);
/** Ids and account numbers arrive as numbers or strings. */
const Id = z.union([z.number(), z.string().min(1)]).transform(String);

export const WireProfileAccountSchema = z.looseObject({
  account_number: Id,
  classification: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
  option_level: z.number().optional(),
  day_trader: z.boolean().optional(),
});
/** One account of the user profile. */
export type WireProfileAccount = z.output<typeof WireProfileAccountSchema>;

/** `GET /user/profile`. */
export const WireProfileSchema = z.object({
  profile: z.looseObject({ account: oneOrMany(WireProfileAccountSchema), id: z.string().optional(), name: z.string().optional() }),
});

const BuyingPower = z.looseObject({ stock_buying_power: OptNum, option_buying_power: OptNum });
/** `GET /accounts/{id}/balances`. */
export const WireBalancesSchema = z.object({
  balances: z.looseObject({
    account_number: Id,
    account_type: z.string(),
    total_cash: Num,
    total_equity: Num,
    // One of these, per account type.
    margin: BuyingPower.optional(),
    pdt: BuyingPower.optional(),
    cash: z.looseObject({ cash_available: OptNum }).optional(),
  }),
});
export type WireBalances = z.output<typeof WireBalancesSchema>["balances"];

/** One position. */
export const WirePositionSchema = z.looseObject({
  symbol: z.string().min(1),
  quantity: Num,
  cost_basis: Num,
  date_acquired: z.string().optional(),
  id: Id.optional(),
});
/** A position as the client reads it. */
export type WirePosition = z.output<typeof WirePositionSchema>;

/** `GET /accounts/{id}/positions`. */
export const WirePositionsSchema = z.object({
  positions: z.union([z.literal("null"), z.null(), z.looseObject({ position: oneOrMany(WirePositionSchema) })]).optional(),
});

/** One order (the Order reference: id, type, symbol, side, quantity, status, duration, prices, fills, class, tag, legs). */
export interface WireOrder {
  id: string;
  type: string;
  symbol: string;
  side: string;
  quantity: string;
  status: string;
  duration: string | null;
  price: string | null;
  stop_price: string | null;
  avg_fill_price: string | null;
  exec_quantity: string;
  remaining_quantity: string | null;
  create_date: string | null;
  transaction_date: string | null;
  class: string;
  option_symbol: string | null;
  tag: string | null;
  reason_description: string | null;
  leg: WireOrder[];
}

/** One order (or leg) as the client reads it. */
export const WireOrderSchema: z.ZodType<WireOrder, unknown> = z.lazy(() =>
  z
    .looseObject({
      id: Id,
      type: z.string(),
      symbol: z.string(),
      side: z.string(),
      quantity: Num,
      status: z.string(),
      duration: z.string().nullable().optional(),
      price: OptNum,
      stop_price: OptNum,
      avg_fill_price: OptNum,
      exec_quantity: OptNum,
      remaining_quantity: OptNum,
      create_date: z.string().nullable().optional(),
      transaction_date: z.string().nullable().optional(),
      class: z.string(),
      option_symbol: z.string().nullable().optional(),
      tag: z.string().nullable().optional(),
      reason_description: z.string().nullable().optional(),
      leg: oneOrMany(WireOrderSchema),
    })
    .transform((o) => ({
      id: o.id,
      type: o.type,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      status: o.status,
      duration: o.duration ?? null,
      price: o.price,
      stop_price: o.stop_price,
      avg_fill_price: o.avg_fill_price,
      exec_quantity: o.exec_quantity ?? "0",
      remaining_quantity: o.remaining_quantity,
      create_date: o.create_date ?? null,
      transaction_date: o.transaction_date ?? null,
      class: o.class,
      option_symbol: o.option_symbol ?? null,
      tag: o.tag ?? null,
      reason_description: o.reason_description ?? null,
      leg: o.leg,
    })),
);

/** `GET /accounts/{id}/orders`. */
export const WireOrdersSchema = z.object({
  orders: z.union([z.literal("null"), z.null(), z.looseObject({ order: oneOrMany(WireOrderSchema) })]).optional(),
});
/** `GET /accounts/{id}/orders/{id}`. */
export const WireOneOrderSchema = z.object({ order: WireOrderSchema });

/** The answer to placing, changing or cancelling an order: only an id and `"ok"`. */
export const WireOrderAckSchema = z.object({
  order: z.looseObject({ id: Id, status: z.string(), partner_id: z.string().optional() }),
});

/** Downstream refusals: HTTP 200 (or 400) with `{"errors": {"error": "..." | ["...", ...]}}`. */
export const WireErrorsSchema = z.object({ errors: z.looseObject({ error: oneOrMany(z.string()) }) });

export const WireQuoteSchema = z.looseObject({
  symbol: z.string(),
  bid: OptNum,
  ask: OptNum,
  last: OptNum,
  trade_date: z.union([z.number(), z.string()]).nullable().optional(),
  bid_date: z.union([z.number(), z.string()]).nullable().optional(),
  ask_date: z.union([z.number(), z.string()]).nullable().optional(),
});
/** A quote as the client reads it. */
export type WireQuote = z.output<typeof WireQuoteSchema>;
/** `GET /markets/quotes`. */
export const WireQuotesSchema = z.object({
  quotes: z.union([z.literal("null"), z.null(), z.looseObject({ quote: oneOrMany(WireQuoteSchema) })]),
});
