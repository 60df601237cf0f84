/**
 * SnapTrade's JSON, as zod schemas (the fields the client reads; the rest
 * is kept loose and lands in `raw`).
 *
 * @module
 */
import { z } from "zod";

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?(e-?\d+)?$/i)]).transform((v) => String(v));

/** `POST /snapTrade/registerUser`. */
export const WireRegisteredUserSchema = z.object({ userId: z.string().min(1), userSecret: z.string().min(1) }).loose();

/** `POST /snapTrade/login`: the Connection Portal's URL. */
export const WireLoginSchema = z.object({ redirectURI: z.url(), sessionId: z.string().optional() }).loose();

/** A brokerage as SnapTrade describes it (inside an authorization). */
export const WireBrokerageSchema = z
  .object({
    id: z.string().optional(),
    slug: z.string().optional(),
    name: z.string(),
    display_name: z.string().optional(),
    allows_trading: z.boolean().nullable().optional(),
    allows_fractional_units: z.boolean().nullable().optional(),
    maintenance_mode: z.boolean().optional(),
  })
  .loose();

/** `GET /authorizations/{authorizationId}`. `type` is `read` or `trade`. */
export const WireAuthorizationSchema = z
  .object({ id: z.string(), brokerage: WireBrokerageSchema, name: z.string().optional(), type: z.string().optional(), disabled: z.boolean().optional() })
  .loose();

/** One of `GET /accounts`. */
export const WireAccountSchema = z
  .object({
    id: z.string(),
    brokerage_authorization: z.string(),
    name: z.string().nullable().optional(),
    number: z.string().optional(),
    institution_name: z.string().optional(),
    balance: z.object({ total: z.object({ amount: num, currency: z.string() }).nullable().optional() }).loose().optional(),
  })
  .loose();

/** One of `GET /accounts/{accountId}/balances`. */
export const WireBalanceSchema = z
  .object({ currency: z.object({ code: z.string() }).loose().nullable(), cash: num.nullable(), buying_power: num.nullable().optional() })
  .loose();

const UniversalSymbolSchema = z.object({ id: z.string().optional(), symbol: z.string(), raw_symbol: z.string().optional() }).loose();

/** One of `GET /accounts/{accountId}/positions`: the universal symbol sits in `symbol.symbol`. */
export const WirePositionSchema = z
  .object({
    symbol: z.object({ symbol: UniversalSymbolSchema }).loose(),
    units: num.nullable(),
    price: num.nullable().optional(),
    average_purchase_price: num.nullable().optional(),
  })
  .loose();

/** An order (`AccountOrderRecord`), from placing, cancelling, the order list and order details. */
export const WireOrderSchema = z
  .object({
    brokerage_order_id: z.string(),
    status: z.string(),
    universal_symbol: UniversalSymbolSchema.nullable().optional(),
    symbol: z.string().nullable().optional(),
    action: z.string(),
    total_quantity: num.nullable(),
    open_quantity: num.nullable().optional(),
    canceled_quantity: num.nullable().optional(),
    filled_quantity: num.nullable().optional(),
    execution_price: num.nullable().optional(),
    limit_price: num.nullable().optional(),
    stop_price: num.nullable().optional(),
    order_type: z.string().nullable().optional(),
    time_in_force: z.string().nullable().optional(),
    time_placed: z.string().nullable().optional(),
  })
  .loose();
export type WireOrder = z.infer<typeof WireOrderSchema>;
