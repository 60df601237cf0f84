/**
 * Polymarket's JSON (CLOB, Gamma and Data APIs), as zod schemas.
 *
 * @module
 */
import { z } from "zod";

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?(e-?\d+)?$/i)]).transform((v) => String(v));

/** `GET /auth/derive-api-key`, `POST /auth/api-key`. */
export const WireApiCredsSchema = z.object({ apiKey: z.string().min(1), secret: z.string().min(1), passphrase: z.string().min(1) });

/** Gamma `GET /markets?slug=` (a list) and `GET /markets/{id}` (one). Outcomes and token ids are JSON text. */
export const WireGammaMarketSchema = z
  .object({ id: z.union([z.string(), z.number()]).transform(String), slug: z.string(), conditionId: z.string(), outcomes: z.string(), clobTokenIds: z.string() })
  .loose();

/** CLOB `GET /markets/{condition_id}`. */
export const WireClobMarketSchema = z
  .object({
    condition_id: z.string(),
    market_slug: z.string(),
    tokens: z.array(z.object({ token_id: z.string(), outcome: z.string() }).loose()),
    minimum_tick_size: num,
    minimum_order_size: num,
    neg_risk: z.boolean().default(false),
    accepting_orders: z.boolean().default(true),
    closed: z.boolean().default(false),
  })
  .loose();
export type WireClobMarket = z.infer<typeof WireClobMarketSchema>;

/** CLOB `GET /book?token_id=`. */
export const WireBookSchema = z
  .object({
    asset_id: z.string().optional(),
    bids: z.array(z.object({ price: num, size: num })).default([]),
    asks: z.array(z.object({ price: num, size: num })).default([]),
    tick_size: num.optional(),
    timestamp: z.union([z.string(), z.number()]).optional(),
  })
  .loose();

/** One order of `GET /data/orders` and `GET /data/order/{id}`. */
export const WireOpenOrderSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    market: z.string(),
    asset_id: z.string(),
    side: z.string(),
    original_size: num,
    size_matched: num,
    price: num,
    outcome: z.string().optional(),
    created_at: z.number().optional(),
    order_type: z.string().optional(),
  })
  .loose();
export type WireOpenOrder = z.infer<typeof WireOpenOrderSchema>;

/** `GET /data/orders`: a page of orders and the cursor of the next (`LTE=` at the end). */
export const WireOrdersPageSchema = z.object({ data: z.array(WireOpenOrderSchema), next_cursor: z.string().optional() }).loose();

/** `POST /order`. */
export const WirePostOrderSchema = z
  .object({ success: z.boolean(), errorMsg: z.string().optional().default(""), orderID: z.string().optional().default(""), status: z.string().optional(), takingAmount: z.string().optional(), makingAmount: z.string().optional() })
  .loose();

/** `DELETE /order`. */
export const WireCancelSchema = z.object({ canceled: z.array(z.string()).default([]), not_canceled: z.record(z.string(), z.string()).default({}) }).loose();

/** `GET /balance-allowance?asset_type=COLLATERAL`: 6-decimal base units. */
export const WireBalanceSchema = z.object({ balance: num }).loose();

/** Data API `GET /positions?user=`. */
export const WirePositionsSchema = z.array(
  z.object({ asset: z.string(), conditionId: z.string().optional(), size: num, avgPrice: num, curPrice: num.optional(), slug: z.string(), outcome: z.string() }).loose(),
);
