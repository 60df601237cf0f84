/**
 * Tradovate JSON, as zod schemas. Most logical errors come back as HTTP 200
 * with `errorText`, or `failureReason` + `failureText` on order commands.
 *
 * @module
 */
import { z } from "zod";

export const WireAccessTokenSchema = z
  .object({
    accessToken: z.string().optional(),
    expirationTime: z.string().optional(),
    userId: z.number().optional(),
    name: z.string().optional(),
    errorText: z.string().optional(),
    "p-ticket": z.string().optional(),
    "p-time": z.number().optional(),
    "p-captcha": z.boolean().optional(),
  })
  .loose();

export const WireAccountSchema = z.object({ id: z.number(), name: z.string(), active: z.boolean().optional(), accountType: z.string().optional() }).loose();
export const WireAccountsSchema = z.array(WireAccountSchema);

export const WireCashSchema = z.object({ totalCashValue: z.number().optional(), netLiq: z.number().optional(), errorText: z.string().optional() }).loose();

export const WirePositionSchema = z.object({ accountId: z.number(), contractId: z.number(), netPos: z.number(), netPrice: z.number().nullable().optional() }).loose();
export const WirePositionsSchema = z.array(WirePositionSchema);

export const WireContractSchema = z.object({ id: z.number(), name: z.string() }).loose();

export const WireOrderSchema = z
  .object({
    id: z.number(),
    accountId: z.number(),
    contractId: z.number(),
    action: z.enum(["Buy", "Sell"]),
    ordStatus: z.string(),
    timestamp: z.string().optional(),
    parentId: z.number().nullable().optional(),
    ocoId: z.number().nullable().optional(),
  })
  .loose();
export type WireOrder = z.infer<typeof WireOrderSchema>;
export const WireOrdersSchema = z.array(WireOrderSchema);

export const WireOrderVersionSchema = z
  .object({
    id: z.number(),
    orderId: z.number(),
    orderQty: z.number(),
    orderType: z.string(),
    price: z.number().nullable().optional(),
    stopPrice: z.number().nullable().optional(),
    timeInForce: z.string().optional(),
  })
  .loose();
export const WireOrderVersionsSchema = z.array(WireOrderVersionSchema);

export const WireFillSchema = z.object({ orderId: z.number(), qty: z.number(), price: z.number() }).loose();
export const WireFillsSchema = z.array(WireFillSchema);

/** Order commands: an id, or a failure inside a 200. */
export const WireCommandSchema = z
  .object({ orderId: z.number().optional(), oso1Id: z.number().optional(), oso2Id: z.number().optional(), commandId: z.number().optional(), failureReason: z.string().optional(), failureText: z.string().optional(), errorText: z.string().optional() })
  .loose();
