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
  type InstrumentRules,
  type Quote,
  jsonCaller,
  unexpectedAnswer,
  type VenueRequest,
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
  AssetPairsResultSchema,
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

/** One Kraken request: a private method (form-encoded POST, signed with a nonce) or a public one (GET with a query). */
interface KrakenRequest extends VenueRequest {
  /** API method, e.g. `AddOrder`; also the request's label. */
  label: string;
  access: "private" | "public";
  params: Params;
}

/** Builds a client for one Kraken connection. One spot account per key: `accountId` is ignored. */
export function createKrakenClient(context: PluginContext<KrakenCredentials, unknown>): ClientFor<typeof krakenCapabilities> {
  const settings = parseKrakenSettings(context.settings);
  const base = context.baseUrl.replace(/\/+$/, "");
  const { apiKey, privateKey, otp } = context.credentials;

  /** Kraken has no spot sandbox: a paper connection only works with a base URL override (e.g. a local fake broker). */
  function checkEnvironment(): void {
    if (base === "") {
      throw new BrokerError("Kraken has no paper (sandbox) environment for spot: set this connection to live, or rehearse with Tradeloop's paper broker.", {
        code: "wrong-environment",
        kind: "rejected",
      });
    }
  }

  // Every answer is an envelope `{error: [...], result}`; HTTP 200 carries business errors, so the
  // error array decides first and the status second.
  const envelopeOf = (body: unknown) => EnvelopeSchema.safeParse(body);
  const errorsIn = (body: unknown): string[] => {
    const envelope = envelopeOf(body);
    return envelope.success ? envelope.data.error.filter((e) => e.startsWith("E")) : [];
  };
  const caller = jsonCaller<KrakenRequest>({
    venue: "Kraken",
    fetch: context.fetch,
    async sign(r) {
      checkEnvironment();
      if (r.access === "public") {
        const query = new URLSearchParams(r.params).toString();
        return new Request(`${base}/0/public/${r.label}${query ? `?${query}` : ""}`, { headers: { accept: "application/json" } });
      }
      const path = `/0/private/${r.label}`;
      // The connection owner's nonce when the core gives one: rising across isolates, not just within this one.
      const nonce = context.sharedNonce ? await context.sharedNonce() : context.nonce();
      const fields: Params = [["nonce", nonce], ...r.params];
      if (otp !== undefined) fields.push(["otp", otp]);
      const body = formBody(fields);
      return new Request(`${base}${path}`, {
        method: "POST",
        headers: {
          accept: "application/json",
          "content-type": "application/x-www-form-urlencoded",
          "api-key": apiKey,
          "api-sign": await krakenSign(privateKey, path, nonce, body),
        },
        body,
      });
    },
    failed: (answer) => answer.status !== 200 || !envelopeOf(answer.body).success || errorsIn(answer.body).length > 0,
    error(answer, r) {
      const placingOrder = r.placingOrder === true;
      const errors = errorsIn(answer.body);
      if (errors.length > 0) return errorFromKraken(errors, answer.status, answer.body, placingOrder, context.now());
      if (answer.status !== 200) return errorFromStatus(answer.status, answer.body, answer.headers, placingOrder, context.now());
      return unexpectedAnswer("Kraken", answer, placingOrder);
    },
    payload: (answer) => (envelopeOf(answer.body).data as { result?: unknown } | undefined)?.result,
  });

  function privateCall<S extends z.ZodType>(method: string, params: Params, schema: S, options: { placingOrder?: boolean } = {}): Promise<z.output<S>> {
    // Kraken reads through POST: only AddOrder may create something, so only it is non-idempotent.
    return caller.call({ method: "POST", label: method, access: "private", params, placingOrder: options.placingOrder === true, idempotent: options.placingOrder !== true }, schema);
  }

  function publicCall<S extends z.ZodType>(method: string, params: Params, schema: S): Promise<z.output<S>> {
    return caller.call({ method: "GET", label: method, access: "public", params }, schema);
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

    /**
     * The pair's grid and minimums (`AssetPairs`): the host rounds prices
     * onto the tick and volumes onto the lot decimals, and refuses an order
     * below `ordermin` or `costmin`, before Kraken sees it.
     */
    async instrumentRules(ticker: string, assetClass: AssetClass): Promise<InstrumentRules> {
      const pair = krakenPair(ticker, assetClass);
      const result = await publicCall("AssetPairs", [["pair", pair]], AssetPairsResultSchema);
      const info = Object.values(result).find((p) => p.altname === pair) ?? Object.values(result)[0];
      if (!info) throw new BrokerError(`Kraken has no pair ${pair}.`, { code: "invalid-symbol", kind: "rejected", raw: result });
      const step = (decimals: number): string => toDecimal(dec(1).div(dec(10).pow(decimals)));
      const positive = (v: string | undefined) => (v !== undefined && dec(v).gt(0) ? v : undefined);
      const min = positive(info.ordermin);
      const cost = positive(info.costmin);
      return {
        tickSize: positive(info.tick_size) ?? step(info.pair_decimals),
        lotStep: step(info.lot_decimals),
        ...(min && { minQuantity: min }),
        ...(cost && { minNotional: cost }),
      };
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
