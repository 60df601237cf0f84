/**
 * Kraken Spot REST answer shapes (docs.kraken.com REST reference), parsed
 * with zod. Every answer is an envelope `{ error: string[], result?: ... }`.
 *
 * @module
 */
import { z } from "zod";

export const EnvelopeSchema = z.object({ error: z.array(z.string()), result: z.unknown().optional() });

const num = z.string();

export const WireOrderInfoSchema = z.object({
  refid: z.string().nullable().optional(),
  userref: z.number().nullable().optional(),
  cl_ord_id: z.string().nullable().optional(),
  status: z.enum(["pending", "open", "closed", "canceled", "expired"]),
  opentm: z.number(),
  closetm: z.number().optional(),
  starttm: z.number().optional(),
  expiretm: z.number().optional(),
  descr: z.object({
    pair: z.string(),
    type: z.enum(["buy", "sell"]),
    ordertype: z.string(),
    price: num,
    price2: num,
    leverage: z.string().optional(),
    order: z.string().optional(),
    close: z.string().optional(),
  }),
  vol: num,
  vol_exec: num,
  cost: num,
  fee: num,
  price: num,
  stopprice: num.optional(),
  limitprice: num.optional(),
  misc: z.string().optional(),
  oflags: z.string().optional(),
  trades: z.array(z.string()).optional(),
});
export type WireOrderInfo = z.infer<typeof WireOrderInfoSchema>;

export const OpenOrdersResultSchema = z.object({ open: z.record(z.string(), WireOrderInfoSchema) });
export const ClosedOrdersResultSchema = z.object({ closed: z.record(z.string(), WireOrderInfoSchema), count: z.number().optional() });
export const QueryOrdersResultSchema = z.record(z.string(), WireOrderInfoSchema);

export const AddOrderResultSchema = z.object({
  descr: z.object({ order: z.string(), close: z.string().optional() }),
  txid: z.array(z.string()).min(1),
});

export const CancelOrderResultSchema = z.object({ count: z.number(), pending: z.boolean().optional() });

export const BalanceExResultSchema = z.record(
  z.string(),
  z.object({ balance: num, hold_trade: num.optional(), credit: num.optional(), credit_used: num.optional() }),
);
export type BalanceEx = z.infer<typeof BalanceExResultSchema>;

export const TradeBalanceResultSchema = z.object({ eb: num, tb: num.optional() });

/**
 * `GET /0/public/AssetPairs?pair=`: per pair, price decimals
 * (`pair_decimals`, `tick_size`), volume decimals (`lot_decimals`) and the
 * minimum volume and cost (`ordermin`, `costmin`).
 */
export const AssetPairsResultSchema = z.record(
  z.string(),
  z
    .object({
      altname: z.string(),
      pair_decimals: z.number().int().min(0).max(18),
      lot_decimals: z.number().int().min(0).max(18),
      ordermin: z.string().regex(/^\d+(\.\d+)?$/).optional(),
      costmin: z.string().regex(/^\d+(\.\d+)?$/).optional(),
      tick_size: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    })
    .loose(),
);

export const TickerResultSchema = z.record(
  z.string(),
  z.object({ a: z.array(z.string()).min(1), b: z.array(z.string()).min(1), c: z.array(z.string()).min(1) }),
);
