/**
 * The Kraken Spot client. Private calls are form-encoded POSTs to
 * `/0/private/<Method>` with a strictly increasing `nonce` (the core's
 * nonce service) and `API-Key` / `API-Sign` headers; every answer is HTTP 200
 * with an `error` array that must be read before the result.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  errorMessage,
  dec,
  toDecimal,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type Quote,
} from "../sdk";
import { errorFromKraken, errorFromStatus } from "./errors";
import { KrakenSettingsSchema, type krakenCapabilities, type KrakenCredentials, type KrakenSettings } from "./manifest";
import { addOrderParams, toBrokerOrder, toClOrdId, type Params } from "./mapping";
import { krakenSign } from "./signing";
import { balanceKeys, commonAsset, krakenPair } from "./symbols";
import {
  AddOrderResultSchema,
  BalanceExResultSchema,
  CancelOrderResultSchema,
  ClosedOrdersResultSchema,
  EnvelopeSchema,
  OpenOrdersResultSchema,
  QueryOrdersResultSchema,
  TickerResultSchema,
  TradeBalanceResultSchema,
  type BalanceEx,
  type WireOrderInfo,
} from "./wire";

/** Reads connection settings, refusing bad ones with a message the trader can act on. */
export function parseKrakenSettings(settings: unknown): KrakenSettings {
  const parsed = KrakenSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Kraken connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, { code: "invalid-settings", kind: "rejected" });
  }
  return parsed.data;
}

/** Form-encodes fields in order (`close[price]` → `close%5Bprice%5D`); this exact string is signed and sent. */
export function formBody(params: Params): string {
  return new URLSearchParams(params).toString();
}

interface CallOptions {
  placingOrder?: boolean;
}

/** Builds a client for one Kraken connection. One spot account per key: `accountId` is ignored. */
export function createKrakenClient(context: PluginContext<KrakenCredentials, unknown>): ClientFor<typeof krakenCapabilities> {
  const settings = parseKrakenSettings(context.settings);
  const base = context.baseUrl.replace(/\/+$/, "");
  const { apiKey, privateKey, otp } = context.credentials;

  async function read(res: Response): Promise<unknown> {
    const text = await res.text();
    try {
      return text === "" ? undefined : JSON.parse(text);
    } catch {
      return text;
    }
  }

  /** Checks the envelope, then the result's shape. */
  function unwrap<S extends z.ZodType>(status: number, headers: Headers, body: unknown, schema: S, what: string, placingOrder: boolean): z.output<S> {
    const envelope = EnvelopeSchema.safeParse(body);
    if (!envelope.success) {
      if (status !== 200) throw errorFromStatus(status, body, headers, placingOrder, context.now());
      throw new BrokerError(`Kraken sent an unexpected answer to ${what}.`, { code: "bad-response", kind: placingOrder ? "outcome-unknown" : "retryable", status, raw: body });
    }
    // HTTP 200 carries business errors: the error array decides, whatever the status says.
    const errors = envelope.data.error.filter((e) => e.startsWith("E"));
    if (errors.length > 0) throw errorFromKraken(errors, status, body, placingOrder, context.now());
    if (status !== 200) throw errorFromStatus(status, body, headers, placingOrder, context.now());
    const parsed = schema.safeParse(envelope.data.result);
    if (!parsed.success) {
      throw new BrokerError(`Kraken sent an unexpected result for ${what}.`, { code: "bad-response", kind: placingOrder ? "outcome-unknown" : "retryable", status, raw: body });
    }
    return parsed.data;
  }

  /** Kraken has no spot sandbox: a paper connection only works with a base URL override (e.g. a local fake broker). */
  function checkEnvironment(): void {
    if (base === "") {
      throw new BrokerError("Kraken has no paper (sandbox) environment for spot: set this connection to live, or rehearse with Tradeloop's paper broker.", {
        code: "wrong-environment",
        kind: "rejected",
      });
    }
  }

  async function privateCall<S extends z.ZodType>(method: string, params: Params, schema: S, options: CallOptions = {}): Promise<z.output<S>> {
    checkEnvironment();
    const path = `/0/private/${method}`;
    const nonce = context.nonce();
    const fields: Params = [["nonce", nonce], ...params];
    if (otp !== undefined) fields.push(["otp", otp]);
    const body = formBody(fields);
    const request = new Request(`${base}${path}`, {
      method: "POST",
      headers: {
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
        "api-key": apiKey,
        "api-sign": await krakenSign(privateKey, path, nonce, body),
      },
      body,
    });
    // Kraken reads through POST: only AddOrder may create something, so only it is non-idempotent.
    const res = await context.fetch(request, { idempotent: options.placingOrder !== true });
    return unwrap(res.status, res.headers, await read(res), schema, method, options.placingOrder === true);
  }

  async function publicCall<S extends z.ZodType>(method: string, params: Params, schema: S): Promise<z.output<S>> {
    checkEnvironment();
    const query = new URLSearchParams(params).toString();
    const res = await context.fetch(new Request(`${base}/0/public/${method}${query ? `?${query}` : ""}`, { headers: { accept: "application/json" } }));
    return unwrap(res.status, res.headers, await read(res), schema, method, false);
  }

  const balances = (): Promise<BalanceEx> => privateCall("BalanceEx", [], BalanceExResultSchema);

  /** Newest first: a client id may be reused once its order closed. */
  function newest(entries: Record<string, WireOrderInfo>): BrokerOrder | null {
    const sorted = Object.entries(entries).sort(([, a], [, b]) => b.opentm - a.opentm);
    const first = sorted[0];
    return first ? toBrokerOrder(first[0], first[1]) : null;
  }

  /** What we know of a booked order from the request alone (status `pending`, nothing filled). */
  function acceptedOrder(txid: string, req: OrderRequest, raw: unknown): BrokerOrder {
    return {
      brokerOrderId: txid,
      clientOrderId: req.clientOrderId,
      ticker: req.ticker,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      limitPrice: req.limitPrice ?? null,
      stopPrice: req.stopPrice ?? null,
      timeInForce: req.timeInForce,
      status: "pending",
      filledQuantity: "0",
      avgFillPrice: null,
      raw,
    };
  }

  function isNotFound(e: unknown): boolean {
    return e instanceof BrokerError && e.code === "order-not-found";
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      // Funds query, then open-orders query: the two read permissions the plugin needs.
      await balances();
      await privateCall("OpenOrders", [], OpenOrdersResultSchema, {});
      return [{ brokerAccountId: "spot", mode: context.environment, name: "Kraken Spot", currency: settings.quoteAsset }];
    },

    async getBalance(): Promise<Balance> {
      const bal = await balances();
      const quoteKey = balanceKeys(settings.quoteAsset).find((k) => bal[k] !== undefined);
      const q = quoteKey ? bal[quoteKey] : undefined;
      const cash = dec(q?.balance ?? "0");
      // Documented: available = balance + credit - credit_used - hold_trade.
      const available = q ? cash.plus(q.credit ?? "0").minus(q.credit_used ?? "0").minus(q.hold_trade ?? "0") : dec(0);
      const tradeAsset = balanceKeys(settings.quoteAsset)[0] ?? settings.quoteAsset;
      // `eb`: every balance valued in the quote currency = equity of a spot account.
      const tb = await privateCall("TradeBalance", [["asset", tradeAsset]], TradeBalanceResultSchema);
      return { currency: settings.quoteAsset, cash: toDecimal(cash), equity: toDecimal(tb.eb), buyingPower: toDecimal(available), raw: { balances: bal, tradeBalance: tb } };
    },

    async getPositions(): Promise<Position[]> {
      const bal = await balances();
      return Object.entries(bal)
        // Suffixed codes (`.F`, `.S`, `.M`, `.B`, `.T`) are earn/staking mirrors, not tradable holdings.
        .filter(([code, b]) => !code.includes(".") && commonAsset(code) !== settings.quoteAsset && dec(b.balance).gt(0))
        .map(([code, b]) => ({ ticker: `${commonAsset(code)}${settings.quoteAsset}`, quantity: toDecimal(b.balance), avgPrice: "0", raw: { asset: code, ...b } }));
    },

    async getOpenOrders(): Promise<BrokerOrder[]> {
      const { open } = await privateCall("OpenOrders", [], OpenOrdersResultSchema);
      return Object.entries(open).map(([txid, o]) => toBrokerOrder(txid, o));
    },

    async getOrder(_accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      if ("brokerOrderId" in ref) {
        try {
          const result = await privateCall("QueryOrders", [["txid", ref.brokerOrderId]], QueryOrdersResultSchema);
          const o = result[ref.brokerOrderId];
          return o ? toBrokerOrder(ref.brokerOrderId, o) : null;
        } catch (e) {
          if (isNotFound(e)) return null;
          throw e;
        }
      }
      const clOrdId = toClOrdId(ref.clientOrderId);
      const { open } = await privateCall("OpenOrders", [["cl_ord_id", clOrdId]], OpenOrdersResultSchema);
      const found = newest(open);
      if (found) return found;
      const { closed } = await privateCall("ClosedOrders", [["cl_ord_id", clOrdId]], ClosedOrdersResultSchema);
      return newest(closed);
    },

    async placeOrder(_accountId: string, req: OrderRequest): Promise<BrokerOrder> {
      const params = addOrderParams(req, krakenPair(req.ticker, req.assetClass));
      const added = await privateCall("AddOrder", params, AddOrderResultSchema, { placingOrder: true });
      const txid = added.txid[0] as string;
      // AddOrder answers only ids and a description; the order itself is read back. The order IS booked now:
      // if the read-back fails, answer "pending" rather than an error a caller might retry into a second order.
      try {
        const o = (await privateCall("QueryOrders", [["txid", txid]], QueryOrdersResultSchema))[txid];
        if (o) return toBrokerOrder(txid, o);
      } catch (e) {
        context.log.warn("kraken: order booked but not readable yet", { txid, error: errorMessage(e) });
      }
      return acceptedOrder(txid, req, added);
    },

    async cancelOrder(_accountId: string, ref: OrderRef): Promise<void> {
      const field: Params[number] = "brokerOrderId" in ref ? ["txid", ref.brokerOrderId] : ["cl_ord_id", toClOrdId(ref.clientOrderId)];
      const r = await privateCall("CancelOrder", [field], CancelOrderResultSchema);
      if (r.count === 0 && r.pending !== true) throw new BrokerError("Kraken cancelled nothing: the order is no longer open.", { code: "order-not-cancelable", kind: "rejected", raw: r });
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const result = await publicCall("Ticker", [["pair", krakenPair(ticker, assetClass)]], TickerResultSchema);
      // One pair asked, one entry back (keyed by Kraken's own pair name, e.g. XXBTZUSD).
      const t = Object.values(result)[0];
      if (!t) throw new BrokerError(`Kraken has no ticker for ${ticker}.`, { code: "invalid-symbol", kind: "rejected", raw: result });
      const price = (v: string | undefined) => (v === undefined || !dec(v).gt(0) ? null : toDecimal(v));
      return { ticker, bid: price(t.b[0]), ask: price(t.a[0]), last: price(t.c[0]), at: context.now().toISOString() };
    },
  };
}
