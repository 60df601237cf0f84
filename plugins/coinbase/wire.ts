/**
 * Coinbase Advanced Trade JSON on the wire, as documented in the API
 * reference. Schemas are lenient about fields Tradeloop does not read (they
 * pass through into `raw`) and strict about the ones it decides with.
 *
 * Money and sizes are decimal strings at Coinbase; a few documented examples
 * show bare numbers, so both are accepted and normalized to canonical strings.
 *
 * @module
 */
import { z } from "zod";
import { isDecimal, toDecimal } from "../sdk";

/** A decimal as Coinbase sends it (string, occasionally a number). Empty string = absent. */
export const WireDecimal = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v === "") return null;
    const s = typeof v === "number" ? toDecimal(v) : v.trim();
    if (!isDecimal(s)) {
      ctx.addIssue({ code: "custom", message: `not a decimal: ${String(v)}` });
      return z.NEVER;
    }
    return toDecimal(s);
  });

const Amount = z.object({ value: WireDecimal, currency: z.string() }).loose();

/** One currency account (`GET /accounts`). */
export const WireAccountSchema = z
  .object({
    uuid: z.string(),
    name: z.string().optional(),
    currency: z.string(),
    available_balance: Amount,
    hold: Amount.optional(),
    retail_portfolio_id: z.string().optional(),
    type: z.string().optional(),
    ready: z.boolean().optional(),
  })
  .loose();
export type WireAccount = z.infer<typeof WireAccountSchema>;

export const WireAccountListSchema = z
  .object({ accounts: z.array(WireAccountSchema), has_next: z.boolean().optional(), cursor: z.string().optional() })
  .loose();

/** `GET /key_permissions`. */
export const WireKeyPermissionsSchema = z
  .object({
    can_view: z.boolean().optional(),
    can_trade: z.boolean().optional(),
    can_transfer: z.boolean().optional(),
    portfolio_uuid: z.string().optional(),
    portfolio_type: z.string().optional(),
  })
  .loose();

const Config = z
  .object({
    quote_size: WireDecimal.optional(),
    base_size: WireDecimal.optional(),
    limit_price: WireDecimal.optional(),
    stop_price: WireDecimal.optional(),
    stop_trigger_price: WireDecimal.optional(),
    stop_direction: z.string().optional(),
    post_only: z.boolean().optional(),
    end_time: z.string().optional(),
  })
  .loose();
export type WireConfig = z.infer<typeof Config>;

/** The one-key order configuration (`{ "limit_limit_gtc": {...} }`). */
export const WireOrderConfigurationSchema = z.record(z.string(), Config);

/** An order (`GET /orders/historical/{id}`, `GET /orders/historical/batch`). */
export const WireOrderSchema = z
  .object({
    order_id: z.string(),
    product_id: z.string(),
    side: z.enum(["BUY", "SELL"]),
    client_order_id: z.string().nullish(),
    status: z.string(),
    time_in_force: z.string().optional(),
    created_time: z.string().optional(),
    last_fill_time: z.string().nullish(),
    last_update_time: z.string().nullish(),
    filled_size: WireDecimal.optional(),
    average_filled_price: WireDecimal.optional(),
    order_type: z.string().optional(),
    order_configuration: WireOrderConfigurationSchema.optional(),
    originating_order_id: z.string().nullish(),
    attached_order_id: z.string().nullish(),
    attached_order_configuration: WireOrderConfigurationSchema.nullish(),
    reject_reason: z.string().nullish(),
    trigger_status: z.string().nullish(),
  })
  .loose();
export type WireOrder = z.infer<typeof WireOrderSchema>;

export const WireGetOrderSchema = z.object({ order: WireOrderSchema }).loose();
export const WireOrderListSchema = z
  .object({ orders: z.array(WireOrderSchema), has_next: z.boolean().optional(), cursor: z.string().optional() })
  .loose();

/** `POST /orders` answer: HTTP 200 either way; `success` says which. */
export const WireCreateOrderSchema = z
  .object({
    success: z.boolean(),
    success_response: z
      .object({ order_id: z.string(), product_id: z.string().optional(), side: z.string().optional(), client_order_id: z.string().optional() })
      .loose()
      .optional(),
    error_response: z
      .object({
        error: z.string().optional(),
        message: z.string().optional(),
        error_details: z.string().optional(),
        preview_failure_reason: z.string().optional(),
        new_order_failure_reason: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type WireCreateOrder = z.infer<typeof WireCreateOrderSchema>;

/** `POST /orders/batch_cancel` answer: HTTP 200 even when a cancel failed; each result says. */
export const WireCancelSchema = z
  .object({
    results: z.array(z.object({ success: z.boolean(), failure_reason: z.string().optional(), order_id: z.string() }).loose()),
  })
  .loose();

const Level = z.object({ price: WireDecimal, size: WireDecimal.optional() }).loose();

/** `GET /best_bid_ask`. */
/**
 * `GET /products/{product_id}` (Get Product): the book's grid. `price_increment`
 * is the limit price step (older answers give only `quote_increment`).
 */
export const WireProductSchema = z
  .object({
    product_id: z.string(),
    base_increment: z.string().optional(),
    quote_increment: z.string().optional(),
    price_increment: z.string().optional(),
    base_min_size: z.string().optional(),
    base_max_size: z.string().optional(),
    quote_min_size: z.string().optional(),
  })
  .loose();

export const WireBestBidAskSchema = z
  .object({
    pricebooks: z.array(z.object({ product_id: z.string(), bids: z.array(Level), asks: z.array(Level), time: z.string().optional() }).loose()),
  })
  .loose();

/** Error body of non-2xx answers (gRPC-gateway style). */
export const WireErrorSchema = z
  .object({
    error: z.string().optional(),
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    error_details: z.string().optional(),
  })
  .loose();
