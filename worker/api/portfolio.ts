/**
 * Response schemas and serializers for what a broker account holds:
 * positions, balances and orders. The plugin models carry decimal strings;
 * they become JSON numbers here, at the API edge, and nowhere earlier.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Balance, BrokerOrder, Position } from "../../plugins/sdk";
import { toNumber } from "../../plugins/sdk";
import type { orders } from "../db/schema";
import { isoTime } from "../db/client";

/** An open position. `quantity` is signed: negative means short. */
export const PositionSchema = z
  .object({
    ticker: z.string().openapi({ example: "AAPL" }),
    quantity: z.number().openapi({ description: "Signed: negative means short.", example: 10 }),
    avgPrice: z.number().openapi({ example: 187.5 }),
  })
  .openapi("Position");

/** Cash and equity of an account. */
export const BalanceSchema = z
  .object({
    currency: z.string(),
    cash: z.number(),
    equity: z.number().openapi({ description: "Cash plus the market value of positions." }),
    buyingPower: z.number().nullable(),
  })
  .openapi("Balance");

/**
 * An order on an account: the broker's view merged with Tradeloop's record
 * when Tradeloop placed it (then `id`, `role`, `signalId` and
 * `subscriptionId` are set).
 */
export const AccountOrderSchema = z
  .object({
    id: z.string().nullable().openapi({ description: "Tradeloop's order id, when Tradeloop placed the order." }),
    clientOrderId: z.string().nullable(),
    brokerOrderId: z.string().nullable(),
    ticker: z.string(),
    side: z.enum(["buy", "sell"]),
    type: z.string().openapi({ example: "limit" }),
    quantity: z.number(),
    limitPrice: z.number().nullable(),
    stopPrice: z.number().nullable(),
    timeInForce: z.string().nullable(),
    status: z.string().openapi({ example: "open" }),
    filledQuantity: z.number(),
    avgFillPrice: z.number().nullable(),
    role: z.string().nullable().openapi({ description: "entry | exit | take_profit | stop_loss" }),
    signalId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi("AccountOrder");

/** JSON form of {@link PositionSchema}. */
export type PositionJson = z.infer<typeof PositionSchema>;
/** JSON form of {@link BalanceSchema}. */
export type BalanceJson = z.infer<typeof BalanceSchema>;
/** JSON form of {@link AccountOrderSchema}. */
export type AccountOrderJson = z.infer<typeof AccountOrderSchema>;
type OrderRow = typeof orders.$inferSelect;

function num(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** A plugin position as JSON numbers. */
export function positionJson(p: Position): PositionJson {
  return { ticker: p.ticker, quantity: toNumber(p.quantity), avgPrice: toNumber(p.avgPrice) };
}

/** A plugin balance as JSON numbers. */
export function balanceJson(b: Balance): BalanceJson {
  return { currency: b.currency, cash: toNumber(b.cash), equity: toNumber(b.equity), buyingPower: num(b.buyingPower) };
}

/** A broker order, enriched with Tradeloop's record of it when there is one. */
export function brokerOrderJson(o: BrokerOrder, record: OrderRow | undefined): AccountOrderJson {
  return {
    id: record?.id ?? null,
    clientOrderId: o.clientOrderId,
    brokerOrderId: o.brokerOrderId,
    ticker: o.ticker,
    side: o.side,
    type: o.type,
    quantity: toNumber(o.quantity),
    limitPrice: num(o.limitPrice),
    stopPrice: num(o.stopPrice),
    timeInForce: o.timeInForce,
    status: o.status,
    filledQuantity: toNumber(o.filledQuantity),
    avgFillPrice: num(o.avgFillPrice),
    role: record?.role ?? o.role ?? null,
    signalId: record?.signalId ?? null,
    subscriptionId: record?.subscriptionId ?? null,
    createdAt: o.createdAt ?? (record ? isoTime(record.createdAt) : null),
  };
}

/** An order from Tradeloop's log (D1), for history the broker no longer lists as open. */
export function recordedOrderJson(r: OrderRow): AccountOrderJson {
  return {
    id: r.id,
    clientOrderId: r.clientOrderId,
    brokerOrderId: r.brokerOrderId,
    ticker: r.ticker,
    side: r.side === "sell" ? "sell" : "buy",
    type: r.type,
    quantity: toNumber(r.quantity),
    limitPrice: num(r.limitPrice),
    stopPrice: num(r.stopPrice),
    timeInForce: r.timeInForce,
    status: r.status,
    filledQuantity: toNumber(r.filledQuantity),
    avgFillPrice: num(r.avgFillPrice),
    role: r.role,
    signalId: r.signalId,
    subscriptionId: r.subscriptionId,
    createdAt: isoTime(r.createdAt),
  };
}
