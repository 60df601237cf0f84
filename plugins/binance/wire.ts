/**
 * Binance Spot response shapes (as documented in rest-api.md), parsed with
 * zod. Only the fields the plugin reads are required; Binance adds
 * conditional fields (`stopPrice`, `trailingDelta`, ...) per order type.
 *
 * @module
 */
import { z } from "zod";

const num = z.string();

export const WireBalanceSchema = z.object({ asset: z.string(), free: num, locked: num });

export const WireAccountSchema = z.object({
  canTrade: z.boolean(),
  accountType: z.string(),
  balances: z.array(WireBalanceSchema),
  permissions: z.array(z.string()).optional(),
  uid: z.number().optional(),
  updateTime: z.number().optional(),
});
export type WireAccount = z.infer<typeof WireAccountSchema>;

/** An order as `GET /api/v3/order`, `openOrders`, placement (RESULT/FULL) and cancel return it. */
export const WireOrderSchema = z.object({
  symbol: z.string(),
  orderId: z.number(),
  orderListId: z.number().optional(),
  clientOrderId: z.string(),
  origClientOrderId: z.string().optional(),
  price: num,
  origQty: num,
  executedQty: num,
  cummulativeQuoteQty: num,
  status: z.string(),
  timeInForce: z.string(),
  type: z.string(),
  side: z.enum(["BUY", "SELL"]),
  stopPrice: num.optional(),
  trailingDelta: z.number().optional(),
  time: z.number().optional(),
  transactTime: z.number().optional(),
  updateTime: z.number().optional(),
  workingTime: z.number().optional(),
});
export type WireOrder = z.infer<typeof WireOrderSchema>;

export const WireOrderListSchema = z.object({ symbol: z.string(), orderId: z.number(), clientOrderId: z.string() });

/** `POST /api/v3/orderList/oto|otoco`, `GET|DELETE /api/v3/orderList`. */
export const WireOrderListResultSchema = z.object({
  orderListId: z.number(),
  contingencyType: z.string(),
  listStatusType: z.string(),
  listOrderStatus: z.string(),
  listClientOrderId: z.string(),
  symbol: z.string(),
  orders: z.array(WireOrderListSchema),
  orderReports: z.array(WireOrderSchema).optional(),
});
export type WireOrderListResult = z.infer<typeof WireOrderListResultSchema>;

export const WireBookTickerSchema = z.object({ symbol: z.string(), bidPrice: num, bidQty: num, askPrice: num, askQty: num });
export const WirePriceListSchema = z.array(z.object({ symbol: z.string(), price: num }));
export const WireServerTimeSchema = z.object({ serverTime: z.number() });

/** `GET /api/v3/exchangeInfo?symbol=`: only the price filter is read (tick size for protected prices). */
export const WireExchangeInfoSchema = z.object({
  symbols: z.array(
    z.object({
      symbol: z.string(),
      // filters.md: PRICE_FILTER tickSize; LOT_SIZE stepSize, minQty, maxQty; NOTIONAL (or the older MIN_NOTIONAL) minNotional.
      filters: z.array(
        z
          .object({ filterType: z.string(), tickSize: num.optional(), stepSize: num.optional(), minQty: num.optional(), maxQty: num.optional(), minNotional: num.optional() })
          .loose(),
      ),
    }),
  ),
});
