/**
 * The paper plugin's client: an ordinary HTTP client for the ledger's REST
 * API, sent through `context.fetch` like any broker plugin's requests. The
 * core routes that fetch to the connection's PaperLedger Durable Object.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  toDecimal,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorFromResponse } from "./errors";
import { PAPER_ACCOUNT, paperSymbol, toBalance, toBrokerOrder, toNewOrderBody, toPosition } from "./mapping";
import { paperCapabilities, PaperSettingsSchema, type PaperSettings } from "./manifest";
import {
  LATENCY_HEADER,
  WireAccountSchema,
  WireObservePriceResultSchema,
  WireOrderListSchema,
  WireOrderSchema,
  WirePositionListSchema,
  type InitAccountBody,
} from "./wire";

/** One ledger request: a path under the connection's ledger and a JSON body. */
interface LedgerRequest extends VenueRequest {
  path: string;
  body?: unknown;
}

/** Reads connection settings, refusing bad ones with a message the trader can act on. */
export function parsePaperSettings(settings: unknown): PaperSettings {
  const parsed = PaperSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Paper connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
      code: "invalid-settings",
      kind: "rejected",
    });
  }
  return parsed.data;
}

/** Path segment for an order reference. */
function orderPath(ref: OrderRef): string {
  return "brokerOrderId" in ref
    ? `/orders/${encodeURIComponent(ref.brokerOrderId)}`
    : `/orders/by-client-id/${encodeURIComponent(ref.clientOrderId)}`;
}

/**
 * Builds a client for one paper connection. The ledger has exactly one
 * account, so the `accountId` arguments are accepted and ignored.
 */
export function createPaperClient(context: PluginContext<unknown, unknown>): ClientFor<typeof paperCapabilities> {
  const settings = parsePaperSettings(context.settings);
  const base = context.baseUrl.replace(/\/+$/, "");

  const caller = jsonCaller<LedgerRequest>({
    venue: "The paper ledger",
    fetch: context.fetch,
    sign(r) {
      const headers = new Headers({ accept: "application/json" });
      if (r.body !== undefined) headers.set("content-type", "application/json");
      if (settings.latencyMs > 0) headers.set(LATENCY_HEADER, String(settings.latencyMs));
      return new Request(`${base}${r.path}`, { method: r.method, headers, body: r.body === undefined ? null : JSON.stringify(r.body) });
    },
    error: (answer, r) => errorFromResponse(answer.status, answer.body, answer.headers, r.placingOrder === true, context.now()),
  });

  /** One round trip. Returns the parsed body, or throws a BrokerError (error body kept in `raw`). */
  function send<S extends z.ZodType>(method: string, path: string, schema: S, options: { body?: unknown; placingOrder?: boolean }): Promise<z.output<S>> {
    // Only POST /orders can double something; marking a price or setting the account up twice is harmless.
    return caller.call({ method, path, ...options, idempotent: options.placingOrder !== true }, schema);
  }

  async function initialise(): Promise<void> {
    // toDecimal, not String(): String(1e21) is "1e+21", which is no decimal string.
    const body: InitAccountBody = { starting_cash: toDecimal(settings.startingCash) };
    await send("POST", "/account", WireAccountSchema, { body });
  }

  /**
   * A call that sets the ledger up on first use: a connection whose ledger
   * was never initialised (or lost) heals itself with its own starting cash.
   */
  async function call<S extends z.ZodType>(method: string, path: string, schema: S, options: { body?: unknown; placingOrder?: boolean } = {}): Promise<z.output<S>> {
    try {
      return await send(method, path, schema, options);
    } catch (e) {
      if (!(e instanceof BrokerError) || e.code !== "paper-account-not-initialized") throw e;
      // Safe even for POST /orders: a 409 not-initialized means the ledger booked nothing.
      await initialise();
      return send(method, path, schema, options);
    }
  }

  /** True if the error is the ledger saying "no such order" (not any other 404). */
  function isOrderNotFound(e: unknown): boolean {
    return e instanceof BrokerError && e.code === "order-not-found";
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      await initialise();
      return [PAPER_ACCOUNT];
    },

    async getBalance(): Promise<Balance> {
      return toBalance(await call("GET", "/account", WireAccountSchema));
    },

    async getPositions(): Promise<Position[]> {
      return (await call("GET", "/positions", WirePositionListSchema)).positions.map(toPosition);
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      return (await call("GET", "/orders?status=open", WireOrderListSchema)).orders.map(toBrokerOrder);
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      try {
        return toBrokerOrder(await call("GET", orderPath(ref), WireOrderSchema));
      } catch (e) {
        // Only the ledger's own "no such order" means null; a 404 for a wrong route must not
        // look like "never placed", or reconciliation would place the order twice.
        if (isOrderNotFound(e)) return null;
        throw e;
      }
    },

    async placeOrder(_accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      const body = toNewOrderBody(order, paperSymbol(order.ticker, order.assetClass));
      return toBrokerOrder(await call("POST", "/orders", WireOrderSchema, { body, placingOrder: true }));
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      await call("DELETE", orderPath(ref), WireOrderSchema);
    },

    async observePrice(_accountId: string, ticker: string, price: string): Promise<void> {
      await call("POST", "/prices", WireObservePriceResultSchema, { body: { symbol: paperSymbol(ticker, "stocks"), price } });
    },
  };
}
