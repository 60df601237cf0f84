/**
 * TradeStation v3 JSON, as zod schemas (PascalCase fields, numbers as
 * strings). Unknown fields pass through: TradeStation adds fields often.
 *
 * @module
 */
import { z } from "zod";

const str = z.union([z.string(), z.number()]).transform(String);

export const WireAccountsSchema = z.object({
  Accounts: z.array(z.object({ AccountID: str, AccountType: z.string().optional(), Currency: z.string().optional(), Status: z.string().optional(), Alias: z.string().optional() }).loose()),
});

export const WireBalancesSchema = z.object({
  Balances: z.array(
    z.object({ AccountID: str, CashBalance: str, Equity: str, BuyingPower: str.optional(), MarketValue: str.optional(), Currency: z.string().optional() }).loose(),
  ),
});

export const WirePositionsSchema = z.object({
  Positions: z.array(z.object({ AccountID: str, Symbol: z.string(), Quantity: str, LongShort: z.enum(["Long", "Short"]), AveragePrice: str, AssetType: z.string().optional() }).loose()),
});

export const WireLegSchema = z
  .object({
    BuyOrSell: z.string(),
    Symbol: z.string(),
    QuantityOrdered: str,
    ExecQuantity: str.optional(),
    ExecutionPrice: str.optional(),
    OpenOrClose: z.string().optional(),
  })
  .loose();

export const WireOrderSchema = z
  .object({
    AccountID: str,
    OrderID: str,
    Status: z.string(),
    StatusDescription: z.string().optional(),
    OrderType: z.string(),
    LimitPrice: str.optional(),
    StopPrice: str.optional(),
    Duration: z.string().optional(),
    FilledPrice: str.optional(),
    Legs: z.array(WireLegSchema).min(1),
    OpenedDateTime: z.string().optional(),
    ClosedDateTime: z.string().optional(),
    ConditionalOrders: z.array(z.object({ OrderID: str, Relationship: z.string() }).loose()).optional(),
    /** Set on orders of an OSO group: the order that triggers them. */
    ParentOrderID: str.optional(),
  })
  .loose();
export type WireOrder = z.infer<typeof WireOrderSchema>;

export const WireOrdersSchema = z.object({ Orders: z.array(WireOrderSchema) });

/** `POST /orderexecution/orders` answer: one entry per order placed (the entry, then OSO children). */
export const WirePlaceAnswerSchema = z.object({
  Orders: z.array(z.object({ OrderID: str.optional(), Message: z.string().optional(), Error: z.string().optional() }).loose()).optional(),
  Errors: z.array(z.object({ OrderID: str.optional(), Error: z.string().optional(), Message: z.string().optional() }).loose()).optional(),
});

/** Error bodies: `{"Error":"BadRequest","Message":"..."}`. */
export const WireErrorSchema = z.object({ Error: z.string().optional(), Message: z.string().optional() }).loose();
