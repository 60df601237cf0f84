/**
 * The Tradier client: Brokerage API v1 over `context.fetch` (never the
 * global fetch). Every request says `Accept: application/json` (Tradier's
 * default is XML); order requests are form-encoded.
 *
 * Idempotency without a client order id: the core's id travels as the order
 * `tag`, and Tradier does not refuse a repeated tag. A lost reply is
 * therefore reconciled by reading the day's orders (`includeTags=true`) for
 * that tag before anything is sent again; that scan is `getOrder({ clientOrderId })`.
 *
 * @module
 */
import type { z } from "zod";
import {
  BrokerError,
  dec,
  TERMINAL_ORDER_STATUSES,
  type AssetClass,
  type Balance,
  type BrokerAccount,
  type BrokerOrder,
  type ClientFor,
  type OrderChanges,
  type OrderRef,
  type OrderRequest,
  type PluginContext,
  type Position,
  type Quote,
  jsonCaller,
  type VenueRequest,
} from "../sdk";
import { errorStrings, isOrderNotFound, tradierError } from "./errors";
import {
  TRADIER_LIVE_URL,
  TRADIER_SANDBOX_URL,
  TradierSettingsSchema,
  type tradierCapabilities,
  type TradierCredentials,
  type TradierSettings,
} from "./manifest";
import { ackToBrokerOrder, expandOrder, toAccount, toBalance, toBrokerOrder, toOrderForm, toPosition, toQuote, tradierSide } from "./mapping";
import { tradierSymbol } from "./symbols";
import {
  WireBalancesSchema,
  WireOneOrderSchema,
  WireOrderAckSchema,
  WireOrdersSchema,
  WirePositionsSchema,
  WireProfileSchema,
  WireQuotesSchema,
  type WireOrder,
  type WirePosition,
} from "./wire";

/** Orders per page when listing (Tradier's default is 25). */
const PAGE_SIZE = 100;
/** Pages read at most per listing: 2 000 orders in a session is far beyond a retail account. */
const MAX_PAGES = 20;

/** One Tradier request: a URL, and a form body for order requests. */
interface TradierRequest extends VenueRequest {
  url: string;
  form?: URLSearchParams;
}

function parseSettings(settings: unknown): TradierSettings {
  const parsed = TradierSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Tradier connection setting ${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
      code: "invalid-settings",
      kind: "rejected",
    });
  }
  return parsed.data;
}

/** `YYYY-MM-DD` in New York, where Tradier's sessions are dated. */
function newYorkDate(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(d);
}

/** Builds a client for one Tradier connection. */
export function createTradierClient(context: PluginContext<TradierCredentials, unknown>): ClientFor<typeof tradierCapabilities> {
  const settings = parseSettings(context.settings);
  const environment = context.environment;
  const base = context.baseUrl.replace(/\/+$/, "");
  const account = (id: string): string => `${base}/accounts/${encodeURIComponent(id)}`;

  const caller = jsonCaller<TradierRequest>({
    venue: "Tradier",
    fetch: context.fetch,
    sign(r) {
      // Tradier's default is XML: every request asks for JSON.
      const headers = new Headers({ accept: "application/json", authorization: `Bearer ${context.credentials.token}` });
      if (r.form) headers.set("content-type", "application/x-www-form-urlencoded");
      return new Request(r.url, { method: r.method, headers, body: r.form ? r.form.toString() : null });
    },
    // Downstream refusals come back as HTTP 200 with an `errors` property; XML means the Accept header was lost.
    failed: (answer) => answer.status < 200 || answer.status >= 300 || (typeof answer.body === "object" && errorStrings(answer.body).length > 0) || isXml(answer.body),
    error(answer, r) {
      const placingOrder = r.placingOrder === true;
      const succeeded = answer.status >= 200 && answer.status < 300;
      if (succeeded && isXml(answer.body)) {
        return new BrokerError(`Tradier answered XML to ${answer.label}: something between Tradier and us dropped the Accept: application/json header.`, {
          code: "bad-response",
          kind: placingOrder ? "outcome-unknown" : "retryable",
          status: answer.status,
          raw: answer.body,
        });
      }
      return tradierError(succeeded ? 200 : answer.status, answer.body, answer.headers, { placingOrder, environment, now: context.now() });
    },
  });

  /** One round trip: the parsed body, or a BrokerError. A 200 carrying `errors` is an error too. */
  function call<S extends z.ZodType>(method: string, url: string, schema: S, options: { form?: URLSearchParams; placingOrder?: boolean } = {}): Promise<z.output<S>> {
    return caller.call({ method, url, ...options }, schema);
  }

  /** Today's orders (Tradier's default listing: the current session), every page. */
  async function listOrders(accountId: string, extra = ""): Promise<WireOrder[]> {
    const all: WireOrder[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const url = `${account(accountId)}/orders?includeTags=true&page=${page}&limit=${PAGE_SIZE}${extra}`;
      const { orders } = await call("GET", url, WireOrdersSchema);
      const list = orders && typeof orders === "object" ? orders.order : [];
      all.push(...list);
      if (list.length < PAGE_SIZE) break;
    }
    return all;
  }

  /**
   * The order carrying `tag`, or null. Reads today's session first; an
   * order sent just before midnight (New York) is looked for in yesterday's
   * orders too, since Tradier lists sessions by date.
   */
  async function findByTag(accountId: string, tag: string): Promise<BrokerOrder | null> {
    const match = (list: WireOrder[]) => list.find((o) => o.tag === tag);
    const today = match(await listOrders(accountId));
    if (today) return toBrokerOrder(today);
    const now = context.now();
    const yesterday = newYorkDate(new Date(now.getTime() - 86_400_000));
    const recent = match(await listOrders(accountId, `&filter=all&start=${yesterday}&end=${newYorkDate(now)}`));
    return recent ? toBrokerOrder(recent) : null;
  }

  async function findById(accountId: string, id: string): Promise<BrokerOrder | null> {
    try {
      const { order } = await call("GET", `${account(accountId)}/orders/${encodeURIComponent(id)}?includeTags=true`, WireOneOrderSchema);
      return toBrokerOrder(order);
    } catch (e) {
      // Only Tradier saying "order not found" means null; a wrong route must not.
      if (isOrderNotFound(e)) return null;
      throw e;
    }
  }

  async function brokerIdOf(accountId: string, ref: OrderRef): Promise<string> {
    if ("brokerOrderId" in ref) return ref.brokerOrderId;
    const found = await findByTag(accountId, ref.clientOrderId);
    if (!found) throw new BrokerError(`Tradier has no order tagged ${ref.clientOrderId} today.`, { code: "order-not-found", kind: "rejected" });
    return found.brokerOrderId;
  }

  async function positions(accountId: string): Promise<Position[]> {
    const { positions: p } = await call("GET", `${account(accountId)}/positions`, WirePositionsSchema);
    return (p && typeof p === "object" ? p.position : []).map(toPosition);
  }

  /**
   * Tradier answers a token of the other environment with the same 401 as a
   * bad token. On Tradier's own hosts, one probe of the other host tells them apart.
   */
  async function explainUnauthorized(error: BrokerError): Promise<BrokerError> {
    const official = environment === "live" ? TRADIER_LIVE_URL : TRADIER_SANDBOX_URL;
    const other = environment === "live" ? TRADIER_SANDBOX_URL : TRADIER_LIVE_URL;
    if (base !== official) return error;
    try {
      await call("GET", `${other}/user/profile`, WireProfileSchema);
    } catch {
      return error;
    }
    const [here, there] = environment === "live" ? ["live", "sandbox"] : ["sandbox", "live"];
    return new BrokerError(`This Tradier token belongs to the ${there} environment, but the connection is set to ${here}.`, {
      code: "wrong-environment",
      kind: "auth-expired",
      status: 401,
      raw: error.raw,
    });
  }

  return {
    async testConnection(): Promise<BrokerAccount[]> {
      let profile: z.output<typeof WireProfileSchema>["profile"];
      try {
        ({ profile } = await call("GET", `${base}/user/profile`, WireProfileSchema));
      } catch (e) {
        if (e instanceof BrokerError && e.status === 401) throw await explainUnauthorized(e);
        throw e;
      }
      const active = profile.account.filter((a) => (a.status ?? "active").toLowerCase() === "active");
      const chosen = settings.accountNumber ? active.filter((a) => a.account_number === settings.accountNumber) : active;
      // Codes the core turns into one sentence for the trader (worker/connections/test-messages.ts).
      if (settings.accountNumber && chosen.length === 0 && active.length > 0) {
        throw new BrokerError(`The Tradier token does not reach an active account ${settings.accountNumber}; check the account number setting.`, {
          code: "invalid-settings",
          kind: "rejected",
          raw: profile,
        });
      }
      if (chosen.length === 0) {
        throw new BrokerError(`The Tradier token reaches no active ${environment === "paper" ? "sandbox" : "live"} account.`, {
          code: "no-usable-account",
          kind: "rejected",
          raw: profile,
        });
      }
      return chosen.map((a) => toAccount(a, environment));
    },

    async getBalance(accountId: string): Promise<Balance> {
      return toBalance((await call("GET", `${account(accountId)}/balances`, WireBalancesSchema)).balances);
    },

    getPositions: positions,

    async getOpenOrders(accountId: string): Promise<BrokerOrder[]> {
      const open = (o: BrokerOrder) => !TERMINAL_ORDER_STATUSES.has(o.status);
      return (await listOrders(accountId)).flatMap(expandOrder).filter(open);
    },

    async getOrder(accountId: string, ref: OrderRef): Promise<BrokerOrder | null> {
      return "brokerOrderId" in ref ? findById(accountId, ref.brokerOrderId) : findByTag(accountId, ref.clientOrderId);
    },

    async placeOrder(accountId: string, order: OrderRequest): Promise<BrokerOrder> {
      const symbol = tradierSymbol(order.ticker, order.assetClass);
      // Tradier's side names the effect on the position (buy_to_cover, sell_short...): read it first.
      const held = (await positions(accountId)).find((p) => (p.raw as WirePosition).symbol === symbol);
      const side = tradierSide(order.side, order.quantity, held?.quantity ?? "0", order.assetClass);
      const form = toOrderForm(order, symbol, side, context.now());
      const ack = await call("POST", `${account(accountId)}/orders`, WireOrderAckSchema, { form, placingOrder: true });
      return ackToBrokerOrder(ack.order.id, order, ack);
    },

    async cancelOrder(accountId: string, ref: OrderRef): Promise<void> {
      const id = await brokerIdOf(accountId, ref);
      await call("DELETE", `${account(accountId)}/orders/${encodeURIComponent(id)}`, WireOrderAckSchema);
    },

    async modifyOrder(accountId: string, ref: OrderRef, changes: OrderChanges): Promise<BrokerOrder> {
      if (changes.quantity !== undefined) {
        throw new BrokerError("Tradier cannot change the quantity of a working order; cancel it and place a new one.", { code: "unsupported", kind: "unsupported" });
      }
      const id = await brokerIdOf(accountId, ref);
      const form = new URLSearchParams();
      if (changes.timeInForce !== undefined) form.set("duration", changes.timeInForce === "gtc" ? "gtc" : "day");
      if (changes.limitPrice !== undefined) form.set("price", dec(changes.limitPrice).toFixed());
      if (changes.stopPrice !== undefined) form.set("stop", dec(changes.stopPrice).toFixed());
      // PUT changes the order in place: same id. Its new state is read back.
      await call("PUT", `${account(accountId)}/orders/${encodeURIComponent(id)}`, WireOrderAckSchema, { form, placingOrder: true });
      const now = await findById(accountId, id);
      if (!now) throw new BrokerError(`Tradier no longer shows order ${id} after changing it.`, { code: "order-not-found", kind: "rejected" });
      return now;
    },

    async getQuote(ticker: string, assetClass: AssetClass): Promise<Quote> {
      const symbol = tradierSymbol(ticker, assetClass);
      const { quotes } = await call("GET", `${base}/markets/quotes?symbols=${encodeURIComponent(symbol)}&greeks=false`, WireQuotesSchema);
      const q = (quotes && typeof quotes === "object" ? quotes.quote : []).find((x) => x.symbol === symbol);
      if (!q) throw new BrokerError(`Tradier has no quote for ${symbol}.`, { code: "invalid-symbol", kind: "rejected", raw: quotes });
      return toQuote(ticker, q, context.now());
    },
  };
}

/** An XML body: Tradier's default format, sent when our Accept header was lost on the way. */
function isXml(body: unknown): boolean {
  return typeof body === "string" && body.trimStart().startsWith("<");
}
