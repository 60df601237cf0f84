/**
 * What a layer-3 scenario works with: a fresh fake broker, a client built
 * the way the core builds it, and helpers that trade the way the core trades
 * (place once with reconciliation, poll until terminal, check positions).
 *
 * @module
 */
import { expect } from "vitest";
import {
  advanceOrder,
  dec,
  orderProblems,
  placeOrderOnce,
  TERMINAL_ORDER_STATUSES,
  toDecimal,
  type BrokerClient,
  type BrokerOrder,
  type Capabilities,
  type OrderFeatures,
  type OrderRequest,
  type OrderSide,
  type BrokerPlugin,
  type OrderType,
  type RetryPolicy,
  type TimeInForce,
  activeMaintenanceWindow,
  buildAuthorizationUrl,
  TokenKeeper,
} from "../sdk";
import type { LogEntry } from "../sdk/host";
import { captureRequest, KIT_OAUTH_CLIENT, KIT_REDIRECT_URI, testClient, testSessionKeeper, usesSession, type CapturedRequest, type TestConnection } from "./harness";
import type { ConformanceOptions, FakeBroker, Instrument } from "./types";

/** Retries in the kit are real but quick: the fakes answer at once. */
export const KIT_RETRY: RetryPolicy = { attempts: 4, baseMs: 1, maxMs: 5 };
const kitWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5)));

/** The placeholder id of {@link ScenarioEnv.draft}: the core's format, never sent. */
const DRAFT_CLIENT_ORDER_ID = `tl${"0".repeat(32)}`;

/** Polls for an order's terminal state at most this often. */
const MAX_POLLS = 40;

export interface ScenarioEnv {
  plugin: BrokerPlugin;
  fake: FakeBroker;
  client: BrokerClient;
  /** The connection's token owner, for session-based plugins. */
  session?: TokenKeeper;
  accountId: string;
  capabilities: Capabilities;
  features: OrderFeatures;
  instrument: Required<Instrument>;
  /** The broker symbol of the instrument. */
  symbol: string;
  /** Every request that reached the fake, in order. */
  sent: CapturedRequest[];
  /** Every log line the plugin wrote (after redaction). */
  logs: LogEntry[];
  /** Client order ids the scenario sent. */
  clientOrderIds: string[];
  /** Requests the broker acknowledged (placed, or found after a lost reply), by client order id: each must be exactly one order there. */
  placed: Map<string, OrderRequest>;
  /** The client order id as the broker holds it, or null when it keeps none (see `ConformanceOptions.venueClientOrderId`). */
  venueClientOrderId(clientOrderId: string): string | null;
  /** The broker order id each acknowledged client order id came back with. */
  placedBrokerOrderIds: Map<string, string>;
  /** How the broker reports a `day` order ended by the session's close (`ConformanceOptions.expiryStatus`). */
  expiryStatus: "expired" | "cancelled";
  /** Whether the plugin's pre-send check (capabilities plus venue rules) takes this intent. */
  accepts(intent: OrderRequest): boolean;
  timeInForce: TimeInForce;
  newClientOrderId(): string;
  /** An order request for the instrument, with a fresh client order id. */
  intent(side: OrderSide, type: OrderType, fields?: Partial<OrderRequest>): OrderRequest;
  /** The same request with a fixed placeholder id, for asking `accepts` without recording an id. */
  draft(side: OrderSide, type: OrderType, fields?: Partial<OrderRequest>): OrderRequest;
  setPrice(price: string): Promise<void>;
  /** Places through the core's reconcile-aware rule (`placeOrderOnce`). */
  place(request: OrderRequest): Promise<BrokerOrder>;
  /** Reads an order, checking its consistency and its transition from the last report. */
  read(order: BrokerOrder): Promise<BrokerOrder>;
  /** Polls until the order is terminal. */
  settle(order: BrokerOrder): Promise<BrokerOrder>;
  /** The signed position quantity in the instrument ("0" when flat). */
  position(): Promise<string>;
  /** Price `factor` × the instrument price (e.g. "0.98"), as a decimal with at most 2 places. */
  priceAt(factor: string): string;
}

/** The time in force scenarios use: gtc, else day, else whatever the broker has. */
function pickTimeInForce(f: OrderFeatures): TimeInForce {
  return f.timeInForce.includes("gtc") ? "gtc" : f.timeInForce.includes("day") ? "day" : (f.timeInForce[0] ?? "gtc");
}

function hex32(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Builds the environment for one scenario run. */
export async function createScenarioEnv(options: ConformanceOptions): Promise<ScenarioEnv> {
  const plugin = options.plugin;
  const inst: Required<Instrument> = {
    price: "100",
    quantity: "1",
    unaffordableQuantity: "1000000000",
    ...options.instrument,
  };
  const features = plugin.capabilities.orders[inst.assetClass];
  if (!features) throw new Error(`instrument asset class ${inst.assetClass} is not in the plugin's capabilities`);
  const fake = await options.fake();
  await fake.reset();
  const sent: CapturedRequest[] = [];
  const logs: LogEntry[] = [];
  const connection: TestConnection = {
    plugin,
    credentials: options.credentials,
    ...(options.settings && { settings: options.settings }),
    ...(options.environment && { environment: options.environment }),
    ...((fake.baseUrl ?? options.baseUrl) !== undefined && { baseUrl: fake.baseUrl ?? options.baseUrl }),
    ...(options.authMethod && { authMethod: options.authMethod }),
    // Scenarios run on the real clock (fakes time-stamp and expire things), moved past a maintenance
    // window when the run happens inside one: the core refuses orders there, and the scenarios trade.
    now: clockOutsideMaintenance(plugin),
    logSink: (entry) => logs.push(entry),
  };
  const transport = async (request: Request) => {
    sent.push(await captureRequest(request));
    return fake.fetch(request);
  };
  const session = usesSession(plugin, options.authMethod) ? await startSession(connection, transport, fake) : undefined;
  const client = testClient({ ...connection, ...(session && { session }) }, transport);
  const accounts = await client.testConnection();
  const accountId = accounts[0]?.brokerAccountId;
  if (accountId === undefined) throw new Error("testConnection returned no account");
  const symbol = plugin.symbol(inst.ticker, inst.assetClass);
  const clientOrderIds: string[] = [];
  const placed = new Map<string, OrderRequest>();
  const placedBrokerOrderIds = new Map<string, string>();
  const timeInForce = pickTimeInForce(features);
  const last = new Map<string, BrokerOrder>();

  const env: ScenarioEnv = {
    plugin,
    fake,
    client,
    ...(session && { session }),
    accountId,
    capabilities: plugin.capabilities,
    features,
    instrument: inst,
    symbol,
    sent,
    logs,
    clientOrderIds,
    placed,
    venueClientOrderId: (id) => (options.venueClientOrderId ? options.venueClientOrderId(id) : id),
    placedBrokerOrderIds,
    expiryStatus: options.expiryStatus ?? "expired",
    accepts: (intent) => (plugin.canSubmit?.(intent) ?? { ok: true }).ok,
    timeInForce,
    newClientOrderId() {
      // The core's format: `tl` + 32 hex.
      const id = `tl${hex32()}`;
      clientOrderIds.push(id);
      return id;
    },
    intent(side, type, fields = {}) {
      return { ...env.draft(side, type, fields), clientOrderId: fields.clientOrderId ?? env.newClientOrderId() };
    },
    draft(side, type, fields = {}) {
      return {
        clientOrderId: DRAFT_CLIENT_ORDER_ID,
        ticker: inst.ticker,
        assetClass: inst.assetClass,
        side,
        quantity: inst.quantity,
        type,
        timeInForce,
        ...fields,
      };
    },
    async setPrice(price) {
      await fake.setPrice(symbol, price);
    },
    async place(request) {
      const order = await placeOrderOnce(client, accountId, request, { policy: KIT_RETRY, wait: kitWait });
      expect(order.clientOrderId, "the ack carries our client order id").toBe(request.clientOrderId);
      expect(orderProblems(order), "the ack is a consistent order").toEqual([]);
      placed.set(request.clientOrderId, request);
      placedBrokerOrderIds.set(request.clientOrderId, order.brokerOrderId);
      last.set(order.brokerOrderId, order);
      return order;
    },
    async read(order) {
      const now = await client.getOrder(accountId, { brokerOrderId: order.brokerOrderId });
      if (!now) throw new Error(`getOrder lost order ${order.brokerOrderId}`);
      expect(orderProblems(now), `order ${order.brokerOrderId} is consistent`).toEqual([]);
      const previous = last.get(order.brokerOrderId) ?? order;
      // Throws if the status went backwards or fills shrank.
      advanceOrder(previous, now);
      last.set(order.brokerOrderId, now);
      return now;
    },
    async settle(order) {
      let current = order;
      for (let i = 0; i < MAX_POLLS && !TERMINAL_ORDER_STATUSES.has(current.status); i++) {
        if (i > 0) await kitWait(5);
        current = await env.read(current);
      }
      return current;
    },
    async position() {
      const positions = await client.getPositions(accountId);
      const p = positions.find((x) => x.ticker === inst.ticker);
      return p ? toDecimal(p.quantity) : "0";
    },
    priceAt(factor) {
      return toDecimal(dec(inst.price).times(factor).round(2));
    },
  };
  await env.setPrice(inst.price);
  return env;
}

/**
 * Starts the connection's session the way the core does: an OAuth
 * connection runs the authorization-code flow against the fake (the fake's
 * `authorize` plays the user's approval, the plugin's session exchanges the
 * code at the fake's token endpoint); a login broker logs in.
 */
async function startSession(connection: TestConnection, transport: (request: Request) => Promise<Response>, fake: FakeBroker): Promise<TokenKeeper> {
  const keeper = testSessionKeeper(connection, transport, null);
  const spec = connection.plugin.manifest.auth.oauth;
  if (connection.authMethod !== "oauth") {
    await keeper.current();
    return keeper;
  }
  if (!spec) throw new Error("authMethod oauth needs manifest.auth.oauth");
  if (!fake.authorize) throw new Error("the fake has no authorize(): an OAuth plugin's fake must play its authorization server");
  const environment = connection.environment ?? "paper";
  const state = crypto.randomUUID();
  const { url, codeVerifier } = await buildAuthorizationUrl(spec, environment, KIT_OAUTH_CLIENT, { redirectUri: KIT_REDIRECT_URI, state });
  const redirected = await fake.authorize(new URL(url));
  expect(redirected.searchParams.get("state"), "the authorization server sends the state back").toBe(state);
  await keeper.exchangeCode({ callbackParameters: redirected.searchParams, redirectUri: KIT_REDIRECT_URI, ...(codeVerifier && { codeVerifier }) });
  return keeper;
}

/** The real clock, shifted just past the plugin's maintenance window if now is inside one. */
function clockOutsideMaintenance(plugin: ConformanceOptions["plugin"]): () => Date {
  const inside = activeMaintenanceWindow(plugin.manifest.maintenanceWindows, new Date());
  const shift = inside ? inside.endsInMs + 60_000 : 0;
  return () => new Date(Date.now() + shift);
}

/** Asserts two decimals are equal as numbers ("1.0" = "1"). */
export function expectDecimal(actual: string, expected: string, what: string): void {
  expect(dec(actual).eq(expected) ? expected : actual, what).toBe(expected);
}
