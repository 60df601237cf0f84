/**
 * /api/signals: the signal log and each signal's outcome per subscription,
 * read from D1 (the read model the SubscriptionQueues keep up to date).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { toNumber } from "../../plugins/sdk";
import { getDb, isoTime } from "../db/client";
import * as schema from "../db/schema";
import { AppError } from "../errors";
import { authenticated, createRouter, errorResponses, IdParams, jsonResponse } from "./openapi";
import { chunk } from "../lib/chunk";
import { SIGNAL_OUTCOMES, signalOutcome, tradeOutcome } from "../trading/signal-outcome";
import { TRADE_STATUSES, type TradeStatus } from "../trading/trade-status";

const num = z.number();

export const OrderViewSchema = z
  .object({
    id: z.string(),
    clientOrderId: z.string().openapi({ description: "Deterministic per (signal, subscription, leg); sent to the broker." }),
    brokerOrderId: z.string().nullable(),
    ticker: z.string(),
    side: z.enum(["buy", "sell"]),
    quantity: num,
    type: z.string(),
    limitPrice: num.optional(),
    stopPrice: num.optional(),
    status: z.string(),
    filledQuantity: num,
    avgFillPrice: num.optional(),
    role: z.enum(["entry", "exit", "take_profit", "stop_loss"]),
    message: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Order");

const OutcomeSchema = z.enum(SIGNAL_OUTCOMES).openapi({
  description:
    "What happened: `pending` (queued, executing, or an order still working), `awaiting-approval`, `traded`, `partly-traded`, `nothing-traded` (the rules decided not to trade; the message says why), `rejected` (refused by the webhook or the broker), `failed` (something broke; check the broker account).",
});

export const TradeViewSchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    status: z.enum(TRADE_STATUSES).openapi({ description: "queued → executing → a terminal status." }),
    outcome: OutcomeSchema,
    messageCode: z.string().optional().openapi({ description: "The outcome (e.g. `enter-new-position`) or the reason it was refused." }),
    message: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    orders: z.array(OrderViewSchema),
  })
  .openapi("Trade");

export const SignalViewSchema = z
  .object({
    id: z.string(),
    strategyId: z.string(),
    receivedAt: z.string(),
    status: z.enum(["accepted", "rejected"]).openapi({ description: "Whether the webhook took the alert; `outcome` says what it did." }),
    outcome: OutcomeSchema,
    outcomeCode: z.string().nullable().openapi({ description: "The messageCode behind the outcome (the reason, when nothing traded); null while pending." }),
    outcomeMessage: z.string().openapi({ description: "One sentence: what happened, or why nothing traded." }),
    messageCode: z.string().optional(),
    message: z.string().optional(),
    payload: z.unknown(),
    alertId: z.string().optional(),
    duplicateOf: z.string().optional(),
    trades: z.array(TradeViewSchema),
  })
  .openapi("Signal");

export const SignalListSchema = z
  .object({
    signals: z.array(SignalViewSchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next (older) page; null at the end." }),
  })
  .openapi("SignalList");

const FilterQuery = z.object({
  strategyId: z.string().max(64).optional(),
  ticker: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .optional()
    .openapi({ description: "Only signals whose alert named this ticker (case-insensitive)." }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Only signals received at or after this time (ISO 8601)." }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Only signals received before this time (ISO 8601)." }),
});

const ListQuery = FilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Most rows one CSV export holds. */
export const EXPORT_LIMIT = 5000;

const getSignalRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["signals"],
  summary: "A signal and its outcome on every subscription",
  ...authenticated,
  request: { params: IdParams },
  responses: { 200: jsonResponse(SignalViewSchema, "The signal with its trades and orders."), ...errorResponses(401, 404) },
});

const listSignalsRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["signals"],
  summary: "The signal log, newest first",
  ...authenticated,
  request: { query: ListQuery },
  responses: { 200: jsonResponse(SignalListSchema, "A page of signals."), ...errorResponses(400, 401) },
});

const exportRoute = createRoute({
  method: "get",
  path: "/export",
  tags: ["signals"],
  summary: "The signal log as CSV",
  description: `The same filters as the list; newest first, at most ${EXPORT_LIMIT} signals. One row per signal: its status and outcome (with the reason), each subscription's trade status, the first order's latency and the message.`,
  ...authenticated,
  request: { query: FilterQuery },
  responses: {
    200: { description: "CSV (RFC 4180), UTF-8.", content: { "text/csv": { schema: z.string() } } },
    ...errorResponses(400, 401),
  },
});

/** Ids per IN (...) list: D1's 100-parameter limit, less the other parameters. */
const ID_CHUNK = 90;

type SignalRow = typeof schema.signals.$inferSelect;
type TradeRow = typeof schema.trades.$inferSelect;
type OrderRow = typeof schema.orders.$inferSelect;

export const signalsApi = createRouter()
  // Before /{id}, which would otherwise take "export" for an id.
  .openapi(exportRoute, async (c) => {
    const { signals } = await loadSignals(getDb(c.env.DB), c.var.userId, c.req.valid("query"), EXPORT_LIMIT, null);
    return c.body(signalsCsv(signals), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="tradeloop-signals.csv"`,
    });
  })
  .openapi(getSignalRoute, async (c) => {
    const db = getDb(c.env.DB);
    const { id } = c.req.valid("param");
    const userId = c.var.userId;
    const [signalRows, tradeRows, orderRows] = await db.batch([
      db.select().from(schema.signals).where(and(eq(schema.signals.id, id), eq(schema.signals.userId, userId))).limit(1),
      db.select().from(schema.trades).where(and(eq(schema.trades.signalId, id), eq(schema.trades.userId, userId))).orderBy(schema.trades.createdAt),
      db.select().from(schema.orders).where(and(eq(schema.orders.signalId, id), eq(schema.orders.userId, userId))).orderBy(schema.orders.createdAt),
    ]);
    const signal = signalRows[0];
    if (!signal) throw new AppError("not-found", "No signal with this id.", { field: "id" });
    return c.json(signalView(signal, tradeRows, orderRows), 200);
  })
  .openapi(listSignalsRoute, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : null;
    const { signals, more } = await loadSignals(getDb(c.env.DB), c.var.userId, filters, limit, after);
    const last = signals.at(-1);
    return c.json({ signals, nextCursor: more && last ? encodeCursor(Date.parse(last.receivedAt), last.id) : null }, 200);
  });

type Filters = z.infer<typeof FilterQuery>;

/** A page of signal views, newest first, and whether older ones exist. */
async function loadSignals(
  db: ReturnType<typeof getDb>,
  userId: string,
  filters: Filters,
  limit: number,
  after: { receivedAt: number; id: string } | null,
): Promise<{ signals: z.infer<typeof SignalViewSchema>[]; more: boolean }> {
  const { strategyId, ticker, from, to } = filters;
  const rows = await db
    .select()
    .from(schema.signals)
    .where(
      and(
        eq(schema.signals.userId, userId),
        strategyId ? eq(schema.signals.strategyId, strategyId) : undefined,
        ticker ? sql`upper(json_extract(${schema.signals.payload}, '$.ticker')) = ${ticker.toUpperCase()}` : undefined,
        from ? gte(schema.signals.receivedAt, Date.parse(from)) : undefined,
        to ? lt(schema.signals.receivedAt, Date.parse(to)) : undefined,
        after
          ? or(
              lt(schema.signals.receivedAt, after.receivedAt),
              and(eq(schema.signals.receivedAt, after.receivedAt), lt(schema.signals.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(schema.signals.receivedAt), desc(schema.signals.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const ids = page.map((s) => s.id);
  // D1 binds at most 100 parameters per statement: look the page's trades and orders up in
  // chunks of ids, all in one batch (one round trip).
  const queries = chunk(ids, ID_CHUNK).flatMap((part) => [
    db.select().from(schema.trades).where(and(eq(schema.trades.userId, userId), inArray(schema.trades.signalId, part))),
    db.select().from(schema.orders).where(and(eq(schema.orders.userId, userId), inArray(schema.orders.signalId, part))),
  ]);
  const [first, ...rest] = queries;
  const results = first ? await db.batch([first, ...rest]) : [];
  const tradeRows = results.filter((_, i) => i % 2 === 0).flat() as TradeRow[];
  const orderRows = results.filter((_, i) => i % 2 === 1).flat() as OrderRow[];
  return {
    signals: page.map((s) => signalView(s, tradeRows.filter((t) => t.signalId === s.id), orderRows.filter((o) => o.signalId === s.id))),
    more: rows.length > limit,
  };
}

/** Milliseconds from the signal's receipt to its first order, or null when it placed none. */
export function firstOrderLatencyMs(signal: z.infer<typeof SignalViewSchema>): number | null {
  const times = signal.trades.flatMap((t) => t.orders.map((o) => Date.parse(o.createdAt)));
  return times.length ? Math.max(0, Math.min(...times) - Date.parse(signal.receivedAt)) : null;
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  // Quote every cell that needs it; a leading = + - @ is defused so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function payloadField(payload: unknown, key: string): unknown {
  return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? Reflect.get(payload, key) : undefined;
}

/** The CSV of `signals`, with a header row. */
export function signalsCsv(signals: readonly z.infer<typeof SignalViewSchema>[]): string {
  const header = ["received_at", "signal_id", "strategy_id", "ticker", "action", "quantity", "price", "status", "outcome", "outcome_code", "outcome_message", "message_code", "message", "trades", "first_order_latency_ms"];
  const rows = signals.map((s) => [
    s.receivedAt,
    s.id,
    s.strategyId,
    payloadField(s.payload, "ticker"),
    payloadField(s.payload, "action"),
    payloadField(s.payload, "quantity"),
    payloadField(s.payload, "price") ?? payloadField(s.payload, "signalPrice"),
    s.status,
    s.outcome,
    s.outcomeCode,
    s.outcomeMessage,
    s.messageCode,
    s.message,
    s.trades.map((t) => `${t.status}${t.messageCode ? ` (${t.messageCode})` : ""}`).join("; "),
    firstOrderLatencyMs(s),
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function signalView(s: SignalRow, trades: readonly TradeRow[], orders: readonly OrderRow[]): z.infer<typeof SignalViewSchema> {
  const status = s.status === "accepted" ? "accepted" : "rejected";
  const tradeStatus = (t: TradeRow): TradeStatus => ((TRADE_STATUSES as readonly string[]).includes(t.status) ? (t.status as TradeStatus) : "failed");
  const forOutcome = (t: TradeRow) => ({ status: tradeStatus(t), messageCode: t.messageCode, message: t.message });
  // A fixed order, so the list and the detail pick the same reason when several trades have one.
  const ordered = [...trades].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const outcome = signalOutcome({
    status,
    messageCode: s.messageCode,
    message: s.message,
    duplicateOf: s.duplicateOf,
    expectedTrades: s.expectedTrades,
    trades: ordered.map(forOutcome),
  });
  return {
    id: s.id,
    strategyId: s.strategyId,
    receivedAt: isoTime(s.receivedAt),
    status,
    ...outcome,
    ...(s.messageCode && { messageCode: s.messageCode }),
    ...(s.message && { message: s.message }),
    payload: s.payload,
    ...(s.alertId && { alertId: s.alertId }),
    ...(s.duplicateOf && { duplicateOf: s.duplicateOf }),
    trades: ordered.map((t) => ({
      id: t.id,
      subscriptionId: t.subscriptionId,
      status: tradeStatus(t),
      outcome: tradeOutcome(forOutcome(t)).outcome,
      ...(t.messageCode && { messageCode: t.messageCode }),
      ...(t.message && { message: t.message }),
      createdAt: isoTime(t.createdAt),
      updatedAt: isoTime(t.updatedAt),
      orders: orders.filter((o) => o.tradeId === t.id).map(orderView),
    })),
  };
}

/** Decimal strings become JSON numbers here, at the edge, and nowhere else. */
export function orderView(o: OrderRow): z.infer<typeof OrderViewSchema> {
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    brokerOrderId: o.brokerOrderId,
    ticker: o.ticker,
    side: o.side === "sell" ? "sell" : "buy",
    quantity: toNumber(o.quantity),
    type: o.type,
    ...(o.limitPrice !== null && { limitPrice: toNumber(o.limitPrice) }),
    ...(o.stopPrice !== null && { stopPrice: toNumber(o.stopPrice) }),
    status: o.status,
    filledQuantity: toNumber(o.filledQuantity),
    ...(o.avgFillPrice !== null && { avgFillPrice: toNumber(o.avgFillPrice) }),
    role: o.role as z.infer<typeof OrderViewSchema>["role"],
    ...(o.message && { message: o.message }),
    createdAt: isoTime(o.createdAt),
    updatedAt: isoTime(o.updatedAt),
  };
}

function encodeCursor(receivedAt: number, id: string): string {
  return btoa(`${receivedAt}:${id}`);
}

function decodeCursor(cursor: string): { receivedAt: number; id: string } {
  try {
    const [at, id] = atob(cursor).split(":");
    const receivedAt = Number(at);
    if (!id || !Number.isSafeInteger(receivedAt)) throw new Error("bad cursor");
    return { receivedAt, id };
  } catch {
    throw new AppError("invalid-request", "cursor is not valid; pass the nextCursor from the previous page.", { field: "cursor" });
  }
}
