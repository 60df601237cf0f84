/**
 * OANDA v20 JSON shapes, as documented in the v20 REST reference (and its
 * OpenAPI description). Only the fields the plugin reads are declared; the
 * schemas strip the rest, and the whole body is kept as `raw` for the log.
 * Every number OANDA sends is a decimal string, so money never becomes a float.
 *
 * @module
 */
import { z } from "zod";

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "decimal string");

export const ClientExtensionsSchema = z.object({
  id: z.string().optional(),
  tag: z.string().optional(),
  comment: z.string().optional(),
});

/** `GET /accounts` → AccountProperties[]. MT4-linked accounts carry `mt4AccountID`. */
export const AccountListSchema = z.object({
  accounts: z.array(z.object({ id: z.string(), mt4AccountID: z.number().optional(), tags: z.array(z.string()).optional() })),
});

/** `GET /accounts/{id}/summary` → AccountSummary. */
export const AccountSummaryResponseSchema = z.object({
  account: z.object({
    id: z.string(),
    alias: z.string().optional(),
    currency: z.string(),
    balance: decimal,
    NAV: decimal,
    marginAvailable: decimal.optional(),
    hedgingEnabled: z.boolean().optional(),
  }),
  lastTransactionID: z.string().optional(),
});

const PositionSideSchema = z.object({ units: decimal, averagePrice: decimal.optional() });

/** `GET /accounts/{id}/openPositions`. Each instrument has a long and a short side. */
export const OpenPositionsSchema = z.object({
  positions: z.array(z.object({ instrument: z.string(), long: PositionSideSchema, short: PositionSideSchema })),
});

/** TakeProfitDetails / StopLossDetails / TrailingStopLossDetails as echoed on an order. */
const OnFillSchema = z.object({ price: decimal.optional(), distance: decimal.optional() });

/**
 * Any Order. Entry orders (MARKET, LIMIT, STOP, MARKET_IF_TOUCHED) carry
 * `instrument` and signed `units`; dependent orders (TAKE_PROFIT, STOP_LOSS,
 * TRAILING_STOP_LOSS...) carry `tradeID` instead and take the trade's size.
 */
export const OrderSchema = z.object({
  id: z.string(),
  type: z.string(),
  state: z.enum(["PENDING", "FILLED", "TRIGGERED", "CANCELLED"]),
  createTime: z.string().optional(),
  clientExtensions: ClientExtensionsSchema.optional(),
  instrument: z.string().optional(),
  units: decimal.optional(),
  price: decimal.optional(),
  distance: decimal.optional(),
  trailingStopValue: decimal.optional(),
  timeInForce: z.string().optional(),
  tradeID: z.string().optional(),
  takeProfitOnFill: OnFillSchema.optional(),
  stopLossOnFill: OnFillSchema.optional(),
  trailingStopLossOnFill: OnFillSchema.optional(),
  fillingTransactionID: z.string().optional(),
  filledTime: z.string().optional(),
  cancelledTime: z.string().optional(),
});
export type WireOrder = z.infer<typeof OrderSchema>;

export const OrderListSchema = z.object({ orders: z.array(OrderSchema) });
export const OrderResponseSchema = z.object({ order: OrderSchema });

const TradeChangeSchema = z.object({ tradeID: z.string(), units: decimal, price: decimal.optional() });

/** OrderFillTransaction: the per-trade prices are the official fill prices (`price` is deprecated). */
export const FillTransactionSchema = z.object({
  id: z.string(),
  type: z.literal("ORDER_FILL"),
  orderID: z.string(),
  clientOrderID: z.string().optional(),
  instrument: z.string().optional(),
  units: decimal,
  price: decimal.optional(),
  time: z.string().optional(),
  tradeOpened: TradeChangeSchema.optional(),
  tradeReduced: TradeChangeSchema.optional(),
  tradesClosed: z.array(TradeChangeSchema).optional(),
});
export type WireFill = z.infer<typeof FillTransactionSchema>;

export const CancelTransactionSchema = z.object({
  id: z.string(),
  type: z.literal("ORDER_CANCEL"),
  orderID: z.string(),
  reason: z.string().optional(),
  time: z.string().optional(),
});
export type WireCancel = z.infer<typeof CancelTransactionSchema>;

/** The `*_ORDER` transaction that created an order: the request echoed back with the new id. */
export const CreateTransactionSchema = z.object({
  id: z.string(),
  type: z.string(),
  time: z.string().optional(),
  instrument: z.string().optional(),
  units: decimal.optional(),
  price: decimal.optional(),
  timeInForce: z.string().optional(),
  clientExtensions: ClientExtensionsSchema.optional(),
});

/** `POST /accounts/{id}/orders` → 201. */
export const CreateOrderResponseSchema = z.object({
  orderCreateTransaction: CreateTransactionSchema,
  orderFillTransaction: FillTransactionSchema.optional(),
  orderCancelTransaction: CancelTransactionSchema.optional(),
  lastTransactionID: z.string().optional(),
});
export type WireCreateOrderResponse = z.infer<typeof CreateOrderResponseSchema>;

/** `GET /accounts/{id}/transactions/{transactionID}`: we only read ORDER_FILL ones. */
export const TransactionResponseSchema = z.object({ transaction: z.object({ id: z.string(), type: z.string() }).loose() });

/** `GET /accounts/{id}/openTrades`: dependent orders take their instrument and size from here. */
export const OpenTradesSchema = z.object({
  trades: z.array(z.object({ id: z.string(), instrument: z.string(), currentUnits: decimal, initialUnits: decimal.optional(), price: decimal.optional() })),
});

/** `GET /accounts/{id}/trades/{tradeSpecifier}`. */
export const TradeResponseSchema = z.object({
  trade: z.object({ id: z.string(), instrument: z.string(), currentUnits: decimal, initialUnits: decimal.optional(), price: decimal.optional() }),
});

/** `PUT /accounts/{id}/orders/{spec}/cancel` → 200. */
export const CancelOrderResponseSchema = z.object({ orderCancelTransaction: CancelTransactionSchema });

const PriceBucketSchema = z.object({ price: decimal, liquidity: z.number().optional() });

/**
 * `GET /accounts/{id}/instruments?instruments=`: the tradeable instrument's
 * precision (`displayPrecision` decimals for prices, `tradeUnitsPrecision`
 * for units) and its minimum trade size.
 */
export const InstrumentsSchema = z.object({
  instruments: z.array(
    z
      .object({
        name: z.string(),
        displayPrecision: z.number().int().min(0).max(12),
        tradeUnitsPrecision: z.number().int().min(0).max(12),
        minimumTradeSize: decimal.optional(),
        maximumOrderUnits: decimal.optional(),
      })
      .loose(),
  ),
});

/** `GET /accounts/{id}/pricing?instruments=`. */
export const PricingSchema = z.object({
  prices: z.array(
    z.object({
      instrument: z.string(),
      time: z.string(),
      tradeable: z.boolean().optional(),
      bids: z.array(PriceBucketSchema),
      asks: z.array(PriceBucketSchema),
    }),
  ),
});

/** Every error body: `errorCode` is optional (a 401 has only `errorMessage`). */
export const ErrorBodySchema = z.object({
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  orderRejectTransaction: z.object({ rejectReason: z.string().optional() }).loose().optional(),
  orderCancelRejectTransaction: z.object({ rejectReason: z.string().optional() }).loose().optional(),
});
