/**
 * Carries out one queued signal for one subscription: read the account,
 * decide (pure), then place the plan's orders one step at a time.
 *
 * Crash safety: every step is persisted before and after it touches the
 * broker. A resumed trade never re-decides (the plan is stored), skips steps
 * already done, and reconciles an order whose send was interrupted with
 * `getOrder(clientOrderId)` before anything is sent again.
 *
 * @module
 */
import { getPlugin } from "../../plugins";
import type { Balance, BrokerClient, BrokerOrder, Decimal, OrderRequest, Position, Quote } from "../../plugins/sdk";
import { activeMaintenanceWindow, BrokerError, dec, DEFAULT_RETRY, errorMessage, placeOrderOnce, quoteMid, TERMINAL_ORDER_STATUSES, withRetry } from "../../plugins/sdk";
import { resolveStrategySettings } from "../trading/strategy-settings";
import { decide } from "../trading/decide";
import { flattenPlan, type FlattenReason } from "../trading/flatten";
import { resolveTicker } from "../trading/tickers";
import { resolveSettings } from "../trading/settings";
import type { RiskInput } from "../trading/risk";
import type { AccountState, Decision, PlanStep, PlannedOrder, QuoteInput, TradePlan } from "../trading/types";
import { clientOrderIdFor } from "./client-order-id";
import { instrumentMatcher } from "./instrument-match";
import type { QueuedSignal } from "./envelope";
import type { OrderRow, QueueStore } from "./queue-store";
import { finalTradeStatus, isTerminalTradeStatus, type TradeStatus } from "../trading/trade-status";
import { sleep } from "../../plugins/sdk/services/retry";

/** Thrown when the outcome at the broker could not be established yet; the queue retries the item later. */
export class ResumeLater extends Error {
  override readonly name = "ResumeLater";
}

/** A trade-level failure with a stable code, ending the trade. */
class TradeFailure extends Error {
  constructor(
    readonly status: Extract<TradeStatus, "rejected" | "failed" | "cancelled">,
    readonly messageCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the broker is in its maintenance window and the subscription queues: run the item again at `at`. */
export class DeferUntil extends Error {
  override readonly name = "DeferUntil";
  constructor(readonly at: number, message: string) {
    super(message);
  }
}

/**
 * Thrown when the market is closed and the subscription queues until the
 * open (`marketHours: "queue"`): the item waits until `at` without holding up
 * the rest of the queue, and is decided afresh then. One waits per ticker.
 */
export class WaitForOpen extends Error {
  override readonly name = "WaitForOpen";
  constructor(
    readonly at: number,
    /** The signal's ticker, as sent (the key for "a newer signal replaces it"). */
    readonly ticker: string,
    message: string,
  ) {
    super(message);
  }
}

/** When no open is known within the calendar's horizon, look again after this long. */
const NO_OPEN_KNOWN_RETRY_MS = 6 * 3_600_000;

/** Thrown when a trade waits for the user's approval; the queue pauses behind it. */
export class AwaitingApproval extends Error {
  override readonly name = "AwaitingApproval";
}

export interface ExecutorDeps {
  store: QueueStore;
  /** The broker client for this subscription's connection (may read credentials). */
  client: () => Promise<BrokerClient>;
  envelope: QueuedSignal;
  now: () => number;
  /** Called when the broker refused the credentials (the connection is marked expired). */
  onAuthExpired?: (error: BrokerError) => Promise<void>;
  /** Asks the queue's alarm to fire by this time (a `cancelAfter` was set). */
  wakeBy?: (at: number) => void;
  /** How long an exit may take to fill before the entry after it is abandoned. */
  fillTimeoutMs?: number;
  /** The kill switch, account risk settings and this subscription's fills (risk-state.ts); read beside the broker. */
  risk?: () => Promise<Omit<RiskInput, "mark">>;
  /** This subscription's own position in a ticker by its fills (a flatten closes that much). */
  lotOf?: (ticker: string) => Decimal;
}

/** ExecutorDeps once the client is known. */
interface Run extends Omit<ExecutorDeps, "client"> {
  client: BrokerClient;
  /** The instrument the trade is for (the plan's ticker, e.g. NQ1! → NQZ2025). */
  ticker: string;
  /** Client order id of each order leg of the plan, derived before anything is written. */
  clientOrderIds: ReadonlyMap<string, string>;
}

const DEFAULT_FILL_TIMEOUT_MS = 120_000;

/**
 * Runs (or resumes) the trade for the envelope's signal. Ends the trade in a
 * terminal status, or throws ResumeLater / AwaitingApproval to pause the queue.
 *
 * Write turns (each one implicit SQLite transaction, so each one a commit):
 * nothing is written while the account is read and the decision made (a
 * crash there leaves the signal queued, and nothing was sent); then ONE turn
 * stores the plan, the approval parking or the first order's `sending` mark;
 * then one turn per broker answer. The client order ids are derived (an
 * async hash) before the plan is written, so nothing awaits between the plan
 * and the first `sending` mark.
 */
export async function runTrade(deps: ExecutorDeps): Promise<void> {
  const { store, envelope, now } = deps;
  const trade = store.trade(envelope.tradeId);
  if (!trade || isTerminalTradeStatus(trade.status)) return;
  try {
    const client = await deps.client();
    let plan: TradePlan;
    let clientOrderIds: ReadonlyMap<string, string>;
    if (trade.plan === null) {
      // Inside the broker's maintenance window nothing is read or sent: refuse, or wait for its end.
      const maintenance = maintenanceNow(envelope.connection.broker, now());
      if (maintenance) {
        if (resolveSettings(envelope.subscription.settings).maintenanceWindow === "queue") throw new DeferUntil(now() + maintenance.endsInMs, maintenance.sentence);
        throw new TradeFailure("rejected", "broker-maintenance", `${maintenance.sentence} The signal was not executed ("maintenanceWindow": "refuse").`);
      }
      const decision = envelope.flatten ? await flattenNow({ ...deps, client }, envelope.flatten) : await decideNow({ ...deps, client });
      if (decision.kind === "defer") throw new WaitForOpen(decision.until ?? now() + NO_OPEN_KNOWN_RETRY_MS, envelope.signal.ticker, decision.message);
      if (decision.kind === "reject") {
        store.updateTrade(trade.id, { status: "rejected", messageCode: decision.messageCode, message: decision.message }, now());
        return;
      }
      plan = decision;
      clientOrderIds = await clientOrderIdsFor(envelope, plan);
      // From here on the plan is fixed: a resumed trade continues it, never re-decides.
      store.updateTrade(
        trade.id,
        { status: "executing", plan: JSON.stringify(plan), nextStep: 0, messageCode: plan.outcome, message: plan.message },
        now(),
      );
    } else {
      plan = JSON.parse(trade.plan) as TradePlan;
      clientOrderIds = await clientOrderIdsFor(envelope, plan);
    }
    awaitApprovalIfNeeded(deps, trade.id);
    const run: Run = { ...deps, client, ticker: plan.ticker ?? envelope.signal.ticker, clientOrderIds };
    for (let i = store.trade(trade.id)?.nextStep ?? 0; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      if (step) await runStep(run, step);
      const last = i === plan.steps.length - 1;
      // The last step's mark and the trade's final status are one write.
      store.updateTrade(trade.id, last ? { nextStep: i + 1, status: finalTradeStatus(store.ordersForTrade(trade.id), plan) } : { nextStep: i + 1 }, now());
      if (last) return;
    }
    // A plan without steps, or one resumed after its last step: its status from its orders.
    store.updateTrade(trade.id, { status: finalTradeStatus(store.ordersForTrade(trade.id), plan) }, now());
  } catch (err) {
    if (err instanceof ResumeLater || err instanceof AwaitingApproval || err instanceof DeferUntil || err instanceof WaitForOpen) throw err;
    if (err instanceof TradeFailure) {
      store.updateTrade(trade.id, { status: err.status, messageCode: err.messageCode, message: err.message }, now());
      return;
    }
    if (err instanceof BrokerError) {
      if (err.kind === "auth-expired") await deps.onAuthExpired?.(err).catch(() => undefined);
      // A connection that cannot trade sent nothing: the trade was refused, not attempted.
      const refused = err.kind === "rejected" || err.kind === "unsupported" || err.code === "connection-expired" || err.code === "connection-disconnected";
      const status = refused ? "rejected" : "failed";
      store.updateTrade(trade.id, { status, messageCode: err.code, message: err.message }, now());
      return;
    }
    throw err;
  }
}

/** The deterministic client order id of every order leg of a plan (client-order-id.ts). */
async function clientOrderIdsFor(envelope: QueuedSignal, plan: TradePlan): Promise<Map<string, string>> {
  const legs = plan.steps.flatMap((s) => (s.kind === "order" ? [s.leg] : []));
  const ids = await Promise.all(legs.map((leg) => clientOrderIdFor(envelope.signalId, envelope.subscription.id, leg)));
  return new Map(legs.map((leg, i) => [leg, ids[i]!]));
}

/** The broker's maintenance window `at` falls in, with a sentence naming it. */
function maintenanceNow(broker: string, at: number): { endsInMs: number; sentence: string } | null {
  const plugin = getPlugin(broker);
  const active = plugin ? activeMaintenanceWindow(plugin.manifest.maintenanceWindows, new Date(at)) : undefined;
  if (!plugin || !active) return null;
  const w = active.window;
  return { endsInMs: active.endsInMs, sentence: `${plugin.manifest.displayName} is in its maintenance window (${w.start}-${w.end} ${w.timezone}${w.reason ? `, ${w.reason}` : ""}).` };
}

/**
 * Manual approval (`autoSubmit: false`): the first time through, park the
 * trade as `pending_approval` with a deadline and pause the queue, so nothing
 * behind it overtakes it. Approval resumes the plan as decided; a deadline
 * that passes cancels it.
 */
function awaitApprovalIfNeeded(deps: ExecutorDeps, tradeId: string): void {
  const { store, now } = deps;
  const settings = resolveSettings(deps.envelope.subscription.settings);
  const trade = store.trade(tradeId);
  // A flatten is the trader's own instruction (or their limit's): it never waits for approval.
  if (!trade || settings.autoSubmit || trade.approval === "approved" || deps.envelope.flatten) return;
  if (trade.approval === "none") {
    const deadline = now() + settings.approvalTimeoutSeconds * 1000;
    store.updateTrade(tradeId, { status: "pending_approval", approval: "pending", approvalDeadline: deadline }, now());
    throw new AwaitingApproval(tradeId);
  }
  if ((trade.approvalDeadline ?? 0) <= now()) {
    throw new TradeFailure(
      "cancelled",
      "approval-timeout",
      `Nobody approved this trade within ${settings.approvalTimeoutSeconds} s ("approvalTimeoutSeconds"), so it was not sent.`,
    );
  }
  throw new AwaitingApproval(tradeId);
}

/**
 * Reads what the decision needs from the broker, then calls the pure core.
 *
 * Why lazily: every broker request costs the trade a round trip (and a share
 * of a per-key rate limit), yet a decision reads only part of the account:
 * open orders only when it may cancel them, the balance only for sizing by
 * equity, a quote only without the alert's price. The account is offered to
 * `decide` through getters that record what was read.
 *
 * 1. A probe: `decide` runs with no broker data and the position assumed
 *    flat, then long. What either probe read is fetched in the first round
 *    trip, in parallel (nearly always the position; a cancel needs only the
 *    open orders).
 * 2. `decide` runs on what was fetched. If it read anything not fetched, that
 *    is fetched and it runs again (at most once per kind of read).
 *
 * `decide` is pure, so a decision that never read a value is exactly the
 * decision it would have made with the real one; a probe that guessed wrong
 * costs a round trip, never a wrong decision.
 */
export async function decideNow(deps: Pick<ExecutorDeps, "envelope" | "now" | "risk"> & { client: BrokerClient }): Promise<Decision> {
  const { client, envelope } = deps;
  const { signal } = envelope;
  const accountId = envelope.account.brokerAccountId;
  const assetClass = envelope.strategy.assetClass;
  const now = new Date(deps.now());
  // Read the position of the instrument the signal really trades (NQ1! → NQZ2025).
  const resolved = resolveTicker(signal, assetClass, now);
  const ticker = resolved.ok ? resolved.instrument.ticker : signal.ticker;
  const signalPrice = signal.signalPrice ?? signal.limitPrice ?? null;
  // A simulated broker learns the market from alerts: let it fill resting
  // orders at this price before we look at the position.
  if (signalPrice !== null && client.observePrice) {
    await withRetry(() => client.observePrice!(accountId, ticker, signalPrice));
  }
  const plugin = getPlugin(envelope.connection.broker);
  const getQuote = plugin?.manifest.providesQuotes ? client.getQuote?.bind(client) : undefined;
  const known: AccountReads = {};
  // The risk state (kill switch, account limits, this subscription's fills) is read beside the first broker round trip.
  let risk: Omit<RiskInput, "mark"> | null = null;
  const riskRead = deps.risk ? deps.risk().then((r) => (risk = r)) : null;
  if (!getQuote) known.quote = null;
  // One instrument as the broker sees it (BTCUSD and BTCUSDT are one book at Binance, two at Kraken): instrument-match.ts.
  const isThisInstrument = instrumentMatcher(plugin, ticker, assetClass);
  const fetchers: { [K in keyof AccountReads]-?: () => Promise<unknown> } = {
    positions: () => withRetry(() => client.getPositions(accountId)).then((p) => (known.positions = p)),
    openOrders: () => withRetry(() => client.getOpenOrders(accountId)).then((o) => (known.openOrders = o)),
    balance: () => withRetry(() => client.getBalance(accountId)).then((b) => (known.balance = b)),
    quote: () => (getQuote ? getQuote(ticker, assetClass).catch(() => null) : Promise.resolve(null)).then((q) => (known.quote = q)),
  };
  const settings = resolveSettings(envelope.subscription.settings);
  const strategy = {
    assetClass,
    allowedTickers: envelope.strategy.allowedTickers,
    maxSignalAgeSeconds: resolveStrategySettings(envelope.strategy.settings).maxSignalAgeSeconds ?? 0,
  };
  const features = plugin?.capabilities.orders[assetClass];

  /** Decides on what is known; `wanted` collects what the decision read that is not. */
  const decideWith = (wanted: Set<keyof AccountReads>, guess?: { quantity: Decimal; avgPrice: Decimal }): Decision => {
    const { positions, openOrders, balance } = known;
    const position = positions?.find((p) => isThisInstrument(p.ticker));
    const account: AccountState = {
      get positionQuantity() {
        if (positions === undefined) wanted.add("positions");
        return positions === undefined ? (guess?.quantity ?? "0") : (position?.quantity ?? "0");
      },
      get positionAvgPrice() {
        if (positions === undefined) wanted.add("positions");
        return positions === undefined ? (guess?.avgPrice ?? null) : (position?.avgPrice ?? null);
      },
      get openOrders() {
        if (openOrders === undefined) wanted.add("openOrders");
        return (openOrders ?? [])
          .filter((o) => isThisInstrument(o.ticker))
          .map((o) => ({ brokerOrderId: o.brokerOrderId, side: o.side, type: o.type, quantity: o.quantity }));
      },
      get openPositionTickers() {
        if (positions === undefined) wanted.add("positions");
        return (positions ?? []).filter((p) => !dec(p.quantity).eq(0)).map((p) => p.ticker);
      },
      get cash() {
        if (balance === undefined) wanted.add("balance");
        return balance?.cash ?? null;
      },
      get equity() {
        if (balance === undefined) wanted.add("balance");
        return balance?.equity ?? null;
      },
    };
    const quote = known.quote === undefined ? recordingQuote(() => wanted.add("quote")) : known.quote;
    return decide({
      signal,
      settings,
      strategy,
      account,
      price: signalPrice ?? (known.quote ? quoteMid(known.quote) : null),
      now,
      receivedAt: new Date(envelope.receivedAt),
      // Other tickers' lots have no price here (their unrealized P&L is not counted); the signal's own ticker is priced by decide.
      ...(risk && { risk: { ...risk, mark: () => null } }),
      ...(features && { features }),
      ...(quote && { quote }),
    });
  };

  const first = new Set<keyof AccountReads>();
  // Without the alert's price nearly every decision needs the quote: ask at once, not in a second round.
  if (signalPrice === null && known.quote === undefined) first.add("quote");
  for (const guess of PROBE_POSITIONS) decideWith(first, guess);
  let round = first;
  // Each round either reads nothing new (done) or fetches at least one more of the four reads.
  for (;;) {
    await Promise.all([...[...round].filter((k) => known[k] === undefined).map((k) => fetchers[k]()), riskRead]);
    const wanted = new Set<keyof AccountReads>();
    const decision = decideWith(wanted);
    if (wanted.size === 0) return decision;
    round = wanted;
  }
}

/** A flatten's plan, against the broker's position and this subscription's lot right now. */
async function flattenNow(deps: Pick<ExecutorDeps, "envelope" | "lotOf"> & { client: BrokerClient }, reason: FlattenReason): Promise<Decision> {
  const { envelope, client } = deps;
  const ticker = envelope.signal.ticker;
  const positions = await withRetry(() => client.getPositions(envelope.account.brokerAccountId));
  return flattenPlan({
    ticker,
    assetClass: envelope.strategy.assetClass,
    lotQuantity: deps.lotOf?.(ticker) ?? "0",
    brokerQuantity: positions.find((p) => p.ticker === ticker)?.quantity ?? "0",
    reason,
  });
}

/** Positions the probe assumes: flat, and long (a full exit and a side change read what a short would). */
const PROBE_POSITIONS = [
  { quantity: "0", avgPrice: "1" },
  { quantity: "1", avgPrice: "1" },
] as const;

/** Broker reads fetched only when a decision asks for them (undefined: not fetched yet). */
interface AccountReads {
  positions?: Position[];
  openOrders?: BrokerOrder[];
  balance?: Balance;
  quote?: Quote | null;
}

/** A quote whose fields record that they were read (and read as unknown). */
function recordingQuote(onRead: () => void): QuoteInput {
  return {
    get bid() {
      onRead();
      return null;
    },
    get ask() {
      onRead();
      return null;
    },
    get last() {
      onRead();
      return null;
    },
  };
}

async function runStep(deps: Run, step: PlanStep): Promise<void> {
  if (step.kind === "cancel") {
    await cancelOpenOrders(deps, step.orderType);
    return;
  }
  const order = await placeOnce(deps, step.leg, step.order);
  const settled = step.waitForFill ? await waitForFill(deps, order) : order;
  if (step.order.bracket) await recordBracketLegs(deps, settled);
  // `cancelAfter`: the queue's alarm cancels the order if it is still working then.
  if (step.cancelAfterSeconds !== undefined && !TERMINAL_ORDER_STATUSES.has(settled.status)) {
    const at = deps.now() + step.cancelAfterSeconds * 1000;
    deps.store.setCancelAt(settled.clientOrderId, at);
    deps.wakeBy?.(at);
  }
}

/** Cancels the open orders for the signal's ticker (optionally one order type). */
async function cancelOpenOrders(deps: Run, orderType: string | undefined): Promise<void> {
  const { client, envelope } = deps;
  const accountId = envelope.account.brokerAccountId;
  const open = await withRetry(() => client.getOpenOrders(accountId));
  for (const o of open) {
    if (o.ticker !== deps.ticker || (orderType && o.type !== orderType)) continue;
    try {
      await withRetry(() => client.cancelOrder(accountId, { brokerOrderId: o.brokerOrderId }));
    } catch (err) {
      // Already gone (filled, cancelled, or its OCO sibling went) is the outcome we wanted.
      if (!(err instanceof BrokerError && (err.code === "order-not-found" || err.code === "order-not-cancelable"))) throw err;
    }
  }
}

/**
 * Places the leg's order exactly once.
 *
 * 1. If we already hold an ack for this client order id, reuse it.
 * 2. If a previous attempt was interrupted mid-send, ask the broker first.
 * 3. Otherwise persist "sending", then send. A lost reply (`outcome-unknown`)
 *    or a duplicate-id refusal is reconciled with getOrder, never resent blind.
 */
async function placeOnce(deps: Run, leg: string, planned: PlannedOrder): Promise<OrderRow> {
  const { store, client, envelope, now } = deps;
  const accountId = envelope.account.brokerAccountId;
  // Known before the plan was written: no await may come between the plan and this leg's "sending" mark.
  const clientOrderId = deps.clientOrderIds.get(leg);
  if (clientOrderId === undefined) throw new Error(`no client order id for leg ${leg}`);
  const existing = store.order(clientOrderId);
  if (existing?.sendState === "acked") return existing;
  if (existing?.sendState === "sending") {
    const found = await reconcile(deps, clientOrderId);
    if (found) return adopt(deps, clientOrderId, found);
  } else {
    store.insertPlannedOrder(
      {
        id: crypto.randomUUID(),
        clientOrderId,
        tradeId: envelope.tradeId,
        signalId: envelope.signalId,
        leg,
        ticker: deps.ticker,
        order: planned,
      },
      now(),
    );
  }
  const request = toOrderRequest(envelope, deps.ticker, clientOrderId, planned);
  try {
    // Send, reconciling lost replies and retrying only what never reached the book (plugins/sdk reconcile.ts).
    return adopt(deps, clientOrderId, await placeOrderOnce(client, accountId, request));
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
    if (err.kind === "outcome-unknown" || err.code === "duplicate-client-order-id") {
      // The order may be at the broker: keep "sending" so the next attempt reconciles first.
      throw new ResumeLater(`order ${clientOrderId}: ${err.message}`);
    }
    // Nothing reached the broker's book (or the broker refused it): the send state says so.
    store.updateOrder(clientOrderId, { status: "rejected", message: err.message, sendState: "acked" }, now());
    if (err.kind === "retryable") throw new TradeFailure("failed", err.code, `${err.message} (gave up after ${DEFAULT_RETRY.attempts} attempts)`);
    throw err;
  }
}

/** Asks the broker whether it has our order. Retries transient failures; gives up to the queue's alarm. */
async function reconcile(deps: Run, clientOrderId: string): Promise<BrokerOrder | null> {
  const accountId = deps.envelope.account.brokerAccountId;
  try {
    return await withRetry(() => deps.client.getOrder(accountId, { clientOrderId }), { ...DEFAULT_RETRY, attempts: 5 });
  } catch (err) {
    throw new ResumeLater(`could not reconcile ${clientOrderId}: ${errorMessage(err)}`);
  }
}

/** Reads an acked order by the broker's id. Retries transient failures; gives up to the queue's alarm. */
async function lookupByBrokerId(deps: Run, brokerOrderId: string): Promise<BrokerOrder | null> {
  const accountId = deps.envelope.account.brokerAccountId;
  try {
    return await withRetry(() => deps.client.getOrder(accountId, { brokerOrderId }), { ...DEFAULT_RETRY, attempts: 5 });
  } catch (err) {
    throw new ResumeLater(`could not read order ${brokerOrderId}: ${errorMessage(err)}`);
  }
}

function adopt(deps: Run, clientOrderId: string, o: BrokerOrder): OrderRow {
  deps.store.updateOrder(
    clientOrderId,
    {
      brokerOrderId: o.brokerOrderId,
      status: o.status,
      filledQuantity: o.filledQuantity,
      avgFillPrice: o.avgFillPrice,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      sendState: "acked",
    },
    deps.now(),
  );
  const row = deps.store.order(clientOrderId);
  if (!row) throw new Error(`order ${clientOrderId} vanished`);
  if (o.status === "rejected") throw new TradeFailure("rejected", "order-rejected", `The broker rejected the ${row.role} order.`);
  return row;
}

/** Polls until the order is terminal or the fill timeout passes. */
async function waitForFill(deps: Run, order: OrderRow): Promise<OrderRow> {
  const deadline = deps.now() + (deps.fillTimeoutMs ?? DEFAULT_FILL_TIMEOUT_MS);
  let current = order;
  for (let poll = 1; !TERMINAL_ORDER_STATUSES.has(current.status); poll++) {
    if (deps.now() >= deadline) {
      throw new TradeFailure(
        "failed",
        "exit-not-filled",
        `The ${current.role} order for ${current.quantity} ${current.ticker} did not fill in time, so the next step was not sent. The order is still working at the broker.`,
      );
    }
    await sleep(Math.min(2_000, 100 * 2 ** (poll - 1)));
    // By the broker's id once known: brokers that keep no client order id (TradeStation, Schwab) can only answer that way.
    const found = current.brokerOrderId ? await lookupByBrokerId(deps, current.brokerOrderId) : await reconcile(deps, current.clientOrderId);
    if (found) current = adopt(deps, current.clientOrderId, found);
  }
  if (current.status !== "filled") {
    throw new TradeFailure("failed", `order-${current.status}`, `The ${current.role} order ended ${current.status} before it filled.`);
  }
  return current;
}

/** Records the take-profit and stop-loss legs the broker attached to an entry. */
async function recordBracketLegs(deps: Run, entry: OrderRow): Promise<void> {
  if (!entry.brokerOrderId) return;
  const accountId = deps.envelope.account.brokerAccountId;
  const open = await withRetry(() => deps.client.getOpenOrders(accountId));
  for (const child of open) {
    if (child.parentBrokerOrderId !== entry.brokerOrderId) continue;
    const role = child.role ?? (child.type === "limit" ? "take_profit" : "stop_loss");
    deps.store.upsertChildOrder(
      {
        id: crypto.randomUUID(),
        // Bracket legs may have no client id of their own; ours is a local key only.
        // Refreshes look such legs up by brokerOrderId (see SubscriptionQueue.refreshLiveOrders).
        clientOrderId: child.clientOrderId ?? `${entry.clientOrderId}-${role}`,
        tradeId: entry.tradeId,
        signalId: entry.signalId,
        leg: `${entry.leg}:${role}`,
        role,
        brokerOrderId: child.brokerOrderId,
        ticker: entry.ticker,
        side: child.side,
        quantity: child.quantity,
        type: child.type,
        timeInForce: child.timeInForce,
        limitPrice: child.limitPrice,
        stopPrice: child.stopPrice,
        trailAmount: null,
        trailPercent: null,
        status: child.status,
        filledQuantity: child.filledQuantity,
        avgFillPrice: child.avgFillPrice,
        message: null,
        sendState: "acked",
      },
      deps.now(),
    );
  }
}

function toOrderRequest(envelope: QueuedSignal, ticker: string, clientOrderId: string, o: PlannedOrder): OrderRequest {
  const s = envelope.signal;
  const referencePrice = s.signalPrice ?? s.limitPrice;
  return {
    clientOrderId,
    ticker,
    assetClass: envelope.strategy.assetClass,
    side: o.side,
    quantity: o.quantity,
    type: o.type,
    timeInForce: o.timeInForce,
    ...(o.limitPrice !== undefined && { limitPrice: o.limitPrice }),
    ...(o.stopPrice !== undefined && { stopPrice: o.stopPrice }),
    ...(o.trailAmount !== undefined && { trailAmount: o.trailAmount }),
    ...(o.trailPercent !== undefined && { trailPercent: o.trailPercent }),
    ...(o.extendedHours !== undefined && { extendedHours: o.extendedHours }),
    ...(o.bracket !== undefined && { bracket: o.bracket }),
    ...(referencePrice !== undefined && referencePrice !== null && { referencePrice }),
  };
}
