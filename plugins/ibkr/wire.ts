/**
 * The Client Portal gateway's JSON, as zod schemas (lenient where IBKR
 * documents a field as a string in one place and a number in another).
 *
 * @module
 */
import { z } from "zod";

/** A number IBKR sends as a JSON number or as text. */
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform((v) => String(v));
const id = z.union([z.number(), z.string()]).transform((v) => String(v));

/** `POST /iserver/auth/status`, and `iserver.authStatus` inside `POST /tickle`. */
export const WireAuthStatusSchema = z
  .object({
    authenticated: z.boolean().default(false),
    competing: z.boolean().default(false),
    connected: z.boolean().default(false),
    message: z.string().optional(),
    fail: z.string().optional(),
  })
  .loose();
export type WireAuthStatus = z.infer<typeof WireAuthStatusSchema>;

/** `POST /tickle`. */
export const WireTickleSchema = z
  .object({
    session: z.string().optional(),
    ssoExpires: z.number().optional(),
    collission: z.boolean().optional(),
    iserver: z.object({ authStatus: WireAuthStatusSchema.optional() }).loose().optional(),
  })
  .loose();

/** `GET /iserver/accounts`. */
export const WireIserverAccountsSchema = z.object({ accounts: z.array(z.string()), selectedAccount: z.string().optional() }).loose();

/** `GET /portfolio/accounts`. */
export const WirePortfolioAccountsSchema = z.array(
  z.object({ id: z.string(), accountId: z.string().optional(), currency: z.string().default("USD"), desc: z.string().optional(), type: z.string().optional() }).loose(),
);

const amount = z.object({ amount: z.number().nullable().optional(), currency: z.string().nullable().optional() }).loose();
/** `GET /portfolio/{accountId}/summary`: lower-case keys, each `{amount, currency}`. */
export const WireSummarySchema = z
  .object({ netliquidation: amount.optional(), totalcashvalue: amount.optional(), buyingpower: amount.optional(), availablefunds: amount.optional() })
  .loose();

/** `GET /portfolio/{accountId}/positions/{pageId}`: up to 100 a page. */
export const WirePositionsSchema = z.array(
  z
    .object({
      acctId: z.string().optional(),
      conid: id,
      contractDesc: z.string().optional(),
      position: num,
      avgCost: num.optional(),
      avgPrice: num.optional(),
      currency: z.string().optional(),
      assetClass: z.string().optional(),
      ticker: z.string().optional(),
    })
    .loose(),
);
export type WirePosition = z.infer<typeof WirePositionsSchema>[number];

/** `GET /trsrv/stocks?symbols=AAPL`. */
export const WireStocksSchema = z.record(
  z.string(),
  z.array(z.object({ name: z.string().optional(), assetClass: z.string().optional(), contracts: z.array(z.object({ conid: id, exchange: z.string().optional(), isUS: z.boolean().optional() }).loose()) }).loose()),
);

/** `GET /trsrv/futures?symbols=MES`. */
export const WireFuturesSchema = z.record(
  z.string(),
  z.array(z.object({ symbol: z.string(), conid: id, underlyingConid: id.optional(), expirationDate: id, ltd: id.optional() }).loose()),
);

/** One order of `GET /iserver/account/orders`. */
export const WireLiveOrderSchema = z
  .object({
    acct: z.string().optional(),
    account: z.string().optional(),
    conid: id.optional(),
    orderId: id,
    order_ref: z.string().optional(),
    status: z.string(),
    side: z.string(),
    ticker: z.string().optional(),
    secType: z.string().optional(),
    description1: z.string().optional(),
    totalSize: num.optional(),
    filledQuantity: num.optional(),
    remainingQuantity: num.optional(),
    avgPrice: num.optional(),
    price: num.optional(),
    auxPrice: num.optional(),
    orderType: z.string().optional(),
    origOrderType: z.string().optional(),
    timeInForce: z.string().optional(),
    parentId: id.optional(),
    lastExecutionTime_r: z.number().optional(),
  })
  .loose();
export type WireLiveOrder = z.infer<typeof WireLiveOrderSchema>;

/** `GET /iserver/account/orders`: the list, and whether the gateway's snapshot is complete. */
export const WireLiveOrdersSchema = z.object({ orders: z.array(WireLiveOrderSchema).default([]), snapshot: z.boolean().optional() }).loose();

/** `GET /iserver/account/order/status/{orderId}`. */
export const WireOrderStatusSchema = z
  .object({
    order_id: id,
    conid: id.optional(),
    symbol: z.string().optional(),
    side: z.string().optional(),
    total_size: num.optional(),
    cum_fill: num.optional(),
    average_price: num.optional(),
    limit_price: num.optional(),
    stop_price: num.optional(),
    order_type: z.string().optional(),
    order_status: z.string(),
    tif: z.string().optional(),
    sec_type: z.string().optional(),
  })
  .loose();

/** One element of an order placement (or reply) answer: an order, a question, or an error. */
export const WireSubmitItemSchema = z.union([
  z.object({ order_id: id, order_status: z.string().optional(), local_order_id: z.string().optional() }).loose(),
  z.object({ id: z.string(), message: z.array(z.string()).default([]), messageIds: z.array(z.string()).default([]), isSuppressed: z.boolean().optional() }).loose(),
  z.object({ error: z.string() }).loose(),
]);
/** An order placement (or reply) answer: a list, or one error object. */
export const WireSubmitSchema = z.union([z.array(WireSubmitItemSchema), z.object({ error: z.string() }).loose()]);
export type WireSubmitItem = z.infer<typeof WireSubmitItemSchema>;

/** `DELETE /iserver/account/{accountId}/order/{orderId}`. */
export const WireCancelSchema = z.object({ msg: z.string().optional(), order_id: id.optional(), error: z.string().optional() }).loose();

/** An error body: `{"error": "..."}` (sometimes with HTTP 200). */
export const WireErrorSchema = z.object({ error: z.string() }).loose();
