/**
 * The paper broker's REST API, served by the PaperLedger Durable Object.
 * Routes, JSON shapes and error codes are documented in `README.md`.
 *
 * Concurrency: each mutating handler first finishes all of its awaits (the
 * simulated latency, reading the body) and then runs load → ledger operation
 * → save as one synchronous, transactional section. The Durable Object runs
 * one event at a time, so two requests can never interleave inside that
 * section; they can only interleave while awaiting, which is before any state
 * was read. The latency sleep lets later requests in, like a real network
 * would, but each request still sees the state left by the ones before it.
 *
 * @module
 */
import { Hono, type Context } from "hono";
import type { z } from "zod";
import {
  cancelOrder,
  LedgerError,
  newLedger,
  observePrice,
  placeOrder,
  positionViews,
  valuation,
  type LedgerOrder,
  type LedgerState,
  type NewOrder,
  type Outcome,
} from "./ledger";
import type { LedgerStore } from "./store";
import {
  InitAccountBodySchema,
  LATENCY_HEADER,
  LatencySchema,
  ListOrdersQuerySchema,
  NewOrderBodySchema,
  ObservePriceBodySchema,
  type ParsedNewOrderBody,
  type WireAccount,
  type WireError,
  type WireOrder,
  type WirePosition,
} from "./wire";
import { toDecimal } from "../sdk";
import { DEFAULT_STARTING_CASH } from "./manifest";

/** Everything the API needs from its host. */
export interface LedgerApiDeps {
  store: LedgerStore;
  /** ISO-8601 timestamp of "now"; injected so the host owns the clock. */
  now: () => string;
  sleep: (ms: number) => Promise<void>;
}

// ------------------------------------------------------------- wire shapes

/** Ledger order → wire order. */
export function toWireOrder(o: LedgerOrder): WireOrder {
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    symbol: o.ticker,
    side: o.side,
    type: o.type,
    qty: o.quantity,
    time_in_force: o.timeInForce,
    limit_price: o.limitPrice,
    stop_price: o.stopPrice,
    trail_amount: o.trailAmount,
    trail_percent: o.trailPercent,
    water_mark: o.waterMark,
    status: o.status,
    filled_qty: o.filledQuantity,
    filled_avg_price: o.avgFillPrice,
    parent_id: o.parentId,
    role: o.role,
    oco_group: o.ocoGroup,
    reason: o.reason,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    filled_at: o.filledAt,
  };
}

function toWireAccount(state: LedgerState): WireAccount {
  const v = valuation(state);
  return {
    currency: "USD",
    starting_cash: state.account.startingCash,
    cash: state.account.cash,
    market_value: v.marketValue,
    equity: v.equity,
    buying_power: v.buyingPower,
    realized_pnl: state.account.realizedPnl,
    created_at: state.account.createdAt,
    reset_at: state.account.resetAt,
  };
}

function toWirePositions(state: LedgerState): WirePosition[] {
  return positionViews(state).map((p) => ({
    symbol: p.ticker,
    qty: p.quantity,
    avg_entry_price: p.avgPrice,
    last_price: p.lastPrice,
    market_value: p.marketValue,
    unrealized_pnl: p.unrealizedPnl,
  }));
}

function toNewOrder(b: ParsedNewOrderBody): NewOrder {
  const bracket =
    b.take_profit || b.stop_loss
      ? {
          takeProfit: b.take_profit ? { limitPrice: b.take_profit.limit_price } : undefined,
          stopLoss: b.stop_loss
            ? {
                type: b.stop_loss.type,
                stopPrice: b.stop_loss.stop_price,
                limitPrice: b.stop_loss.limit_price,
                trailAmount: b.stop_loss.trail_amount,
                trailPercent: b.stop_loss.trail_percent,
              }
            : undefined,
        }
      : undefined;
  return {
    clientOrderId: b.client_order_id ?? null,
    ticker: b.symbol,
    side: b.side,
    type: b.type,
    quantity: b.qty,
    timeInForce: b.time_in_force,
    limitPrice: b.limit_price,
    stopPrice: b.stop_price,
    trailAmount: b.trail_amount,
    trailPercent: b.trail_percent,
    referencePrice: b.reference_price,
    bracket,
  };
}

// ----------------------------------------------------------------- helpers

function notInitialized(): LedgerError {
  return new LedgerError("not-initialized", "The paper account is not set up yet: POST /ledgers/:id/account first.", 409);
}

function orderNotFound(what: string): LedgerError {
  return new LedgerError("order-not-found", `The paper account has no order ${what}.`, 404);
}

/** Reads and validates a JSON body. An empty body counts as `{}` (for the optional-body routes). */
async function body<S extends z.ZodType>(c: Context, schema: S, invalidCode: string): Promise<z.output<S>> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      throw new LedgerError(invalidCode, "The request body is not valid JSON.", 422);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "";
    throw new LedgerError(invalidCode, `${field || "body"}: ${issue?.message ?? "invalid"}`, 422, field || undefined);
  }
  return parsed.data;
}

/**
 * Builds the ledger's Hono app. Routes live under `/ledgers/:ledgerId`; the
 * Durable Object is already the ledger named in the path, so the id only
 * mirrors a real broker's account-scoped URLs.
 */
export function createLedgerApi(deps: LedgerApiDeps): Hono {
  const { store } = deps;

  /** Load → operate → save, with no await anywhere inside: the atomic section. */
  function mutate<T>(op: (state: LedgerState, now: string) => Outcome<T>, alsoOrderIds: readonly string[] = []): T {
    return store.transact(() => {
      const state = store.loadState(alsoOrderIds);
      if (!state) throw notInitialized();
      const outcome = op(state, deps.now());
      store.save(outcome.state, outcome.changes);
      return outcome.result;
    });
  }

  /** Account, positions and prices (no orders): what valuations and position views read. */
  function read(): LedgerState {
    const state = store.loadState([], { orders: false });
    if (!state) throw notInitialized();
    return state;
  }

  function requireAccount(): void {
    if (!store.account()) throw notInitialized();
  }

  const app = new Hono().basePath("/ledgers/:ledgerId");

  app.onError((err, c) => {
    if (err instanceof LedgerError) {
      // The ledger names fields in its own camelCase; the wire speaks snake_case.
      const field = err.field?.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
      const payload: WireError = { code: err.code, message: err.message, ...(field ? { field } : {}) };
      return c.json(payload, err.status);
    }
    console.error("paper ledger: unexpected error", err);
    const payload: WireError = { code: "internal", message: "The paper ledger failed unexpectedly." };
    return c.json(payload, 500);
  });
  app.notFound((c) => c.json({ code: "route-not-found", message: `No paper API route ${c.req.method} ${new URL(c.req.url).pathname}.` } satisfies WireError, 404));

  // Simulated network latency. The body is read first (Hono caches it) and the
  // sleep comes before anything reads the ledger, so after waking a handler has
  // nothing left to await: requests with equal latency apply in arrival order,
  // each on the state left by the ones before it.
  app.use("*", async (c, next) => {
    const ms = LatencySchema.parse(c.req.header(LATENCY_HEADER) ?? 0);
    if (ms > 0) {
      if (c.req.method !== "GET" && c.req.method !== "HEAD") await c.req.text();
      await deps.sleep(ms);
    }
    await next();
  });

  app.post("/account", async (c) => {
    const b = await body(c, InitAccountBodySchema, "invalid-request");
    // Idempotent: the first call funds the account; later calls just report it.
    const created = store.transact(() => {
      if (store.account()) return false;
      store.createAccount(newLedger(b.starting_cash ?? toDecimal(DEFAULT_STARTING_CASH), deps.now()).account);
      return true;
    });
    return c.json(toWireAccount(read()), created ? 201 : 200);
  });

  app.get("/account", (c) => c.json(toWireAccount(read())));

  app.post("/reset", async (c) => {
    const b = await body(c, InitAccountBodySchema, "invalid-request");
    store.transact(() => {
      const current = store.account();
      if (!current) throw notInitialized();
      const now = deps.now();
      // Order numbers carry on, so an id from before the reset never names a new order.
      const fresh = newLedger(b.starting_cash ?? current.startingCash, now, current.nextOrderSeq).account;
      store.clearBook();
      store.writeAccount({ ...fresh, createdAt: current.createdAt, resetAt: now });
    });
    return c.json(toWireAccount(read()));
  });

  app.get("/positions", (c) => c.json({ positions: toWirePositions(read()) }));

  app.get("/orders", (c) => {
    requireAccount();
    const q = ListOrdersQuerySchema.safeParse(c.req.query());
    if (!q.success) throw new LedgerError("invalid-request", "status must be open, closed or all.", 422, "status");
    return c.json({ orders: store.listOrders({ status: q.data.status, ticker: q.data.symbol }).map(toWireOrder) });
  });

  app.get("/orders/by-client-id/:clientOrderId", (c) => {
    const cid = c.req.param("clientOrderId");
    const order = store.orderByClientId(cid);
    if (!order) throw orderNotFound(`with client order id ${cid}`);
    return c.json(toWireOrder(order));
  });

  app.get("/orders/:orderId", (c) => {
    const id = c.req.param("orderId");
    const order = store.order(id);
    if (!order) throw orderNotFound(id);
    return c.json(toWireOrder(order));
  });

  app.post("/orders", async (c) => {
    const input = toNewOrder(await body(c, NewOrderBodySchema, "invalid-order"));
    const order = mutate((state, now) => {
      const cid = input.clientOrderId;
      // Like real brokers, a client order id names one order forever; the caller reconciles with GET.
      if (cid !== null && store.orderByClientId(cid)) {
        throw new LedgerError("duplicate-client-order-id", `An order with client order id ${cid} already exists on this paper account.`, 409, "client_order_id");
      }
      return placeOrder(state, input, now);
    });
    return c.json(toWireOrder(order), 201);
  });

  const cancel = (idOf: () => string | null, what: string) => {
    const id = idOf();
    if (id === null) throw orderNotFound(what);
    return mutate((state, now) => cancelOrder(state, id, now), [id]);
  };

  app.delete("/orders/by-client-id/:clientOrderId", (c) => {
    const cid = c.req.param("clientOrderId");
    const order = cancel(() => store.orderByClientId(cid)?.id ?? null, `with client order id ${cid}`);
    return c.json(toWireOrder(order));
  });

  app.delete("/orders/:orderId", (c) => {
    const id = c.req.param("orderId");
    return c.json(toWireOrder(cancel(() => id, id)));
  });

  app.post("/prices", async (c) => {
    const b = await body(c, ObservePriceBodySchema, "invalid-price");
    const changed = mutate((state, now) => observePrice(state, b.symbol, b.price, now));
    return c.json({ symbol: b.symbol, price: b.price, orders: changed.map(toWireOrder) });
  });

  app.get("/prices", (c) => {
    requireAccount();
    return c.json({ prices: store.listPrices().map((p) => ({ symbol: p.ticker, price: p.price, at: p.at })) });
  });

  app.get("/fills", (c) => {
    requireAccount();
    return c.json({
      fills: store.listFills().map((f) => ({ id: f.id, order_id: f.orderId, symbol: f.ticker, side: f.side, qty: f.quantity, price: f.price, at: f.at })),
    });
  });

  return app;
}
