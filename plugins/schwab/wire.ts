/**
 * Schwab Trader API JSON (TD Ameritrade's order model), as zod schemas.
 * Unknown fields pass through.
 *
 * @module
 */
import { z } from "zod";

const num = z.union([z.number(), z.string()]).transform(String);

export const WireAccountNumbersSchema = z.array(z.object({ accountNumber: z.string(), hashValue: z.string() }).loose());

export const WirePositionSchema = z
  .object({
    longQuantity: num.default("0"),
    shortQuantity: num.default("0"),
    averagePrice: num.default("0"),
    instrument: z.object({ symbol: z.string(), assetType: z.string().optional() }).loose(),
  })
  .loose();

export const WireAccountSchema = z.object({
  securitiesAccount: z
    .object({
      accountNumber: z.string(),
      type: z.string().optional(),
      positions: z.array(WirePositionSchema).optional(),
      currentBalances: z.object({ cashBalance: num.optional(), liquidationValue: num.optional(), buyingPower: num.optional(), equity: num.optional() }).loose(),
    })
    .loose(),
});

/** An order; an OCO container (a bracket's exits) may carry only its strategy type and children. */
export interface WireOrder {
  orderId?: number | string;
  status?: string;
  orderType?: string;
  orderStrategyType?: string;
  duration?: string;
  price?: number | string;
  stopPrice?: number | string;
  quantity?: number | string;
  filledQuantity?: number | string;
  enteredTime?: string;
  orderLegCollection?: { instruction: string; quantity: number | string; instrument: { symbol: string; assetType?: string } }[];
  orderActivityCollection?: { executionLegs?: { price: number | string; quantity: number | string }[] }[];
  childOrderStrategies?: WireOrder[];
}

export const WireOrderSchema: z.ZodType<WireOrder> = z.lazy(() =>
  z
    .object({
      orderId: z.union([z.number(), z.string()]).optional(),
      status: z.string().optional(),
      orderType: z.string().optional(),
      orderStrategyType: z.string().optional(),
      duration: z.string().optional(),
      price: z.union([z.number(), z.string()]).optional(),
      stopPrice: z.union([z.number(), z.string()]).optional(),
      quantity: z.union([z.number(), z.string()]).optional(),
      filledQuantity: z.union([z.number(), z.string()]).optional(),
      enteredTime: z.string().optional(),
      orderLegCollection: z.array(z.object({ instruction: z.string(), quantity: z.union([z.number(), z.string()]), instrument: z.object({ symbol: z.string(), assetType: z.string().optional() }).loose() }).loose()).optional(),
      orderActivityCollection: z.array(z.object({ executionLegs: z.array(z.object({ price: z.union([z.number(), z.string()]), quantity: z.union([z.number(), z.string()]) }).loose()).optional() }).loose()).optional(),
      childOrderStrategies: z.array(WireOrderSchema).optional(),
    })
    .loose(),
) as z.ZodType<WireOrder>;

export const WireOrdersSchema = z.array(WireOrderSchema);

/** Errors: `{"message": "...", "errors": [...]}`. */
export const WireErrorSchema = z.object({ message: z.string().optional(), errors: z.array(z.unknown()).optional(), error: z.string().optional() }).loose();
