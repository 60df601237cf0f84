/**
 * Test helpers for the decision core: parse a signal the way the webhook
 * does, then decide with a compact description of the account. Used only by
 * tests.
 *
 * @module
 */
import type { OrderFeatures } from "../../plugins/sdk/contract";
import type { AssetClass, OrderSide, OrderType } from "../../plugins/sdk/models";
import { parseSignalBody } from "./parse-signal";
import type { Signal } from "./signal-schema";
import { decide } from "./decide";
import { resolveSettings, type SubscriptionSettingsInput } from "./settings";
import type { RiskInput } from "./risk";
import type { Decision, DecisionInput, PlanStep, QuoteInput, Rejection, TradePlan } from "./types";

/** Parses one signal; throws with the parse error so a test shows it. */
export function signal(body: unknown): Signal {
  const parsed = parseSignalBody(typeof body === "string" ? body : JSON.stringify(body));
  if (!parsed.ok) throw new Error(`signal did not parse: ${parsed.messageCode}: ${parsed.message}`);
  if (parsed.signals.length !== 1) throw new Error("expected one signal");
  return parsed.signals[0]!;
}

export interface Scenario {
  /** Signed position, e.g. 5 or -10. */
  position?: number | string;
  avgPrice?: number | string;
  settings?: SubscriptionSettingsInput;
  assetClass?: AssetClass;
  allowedTickers?: string[] | null;
  /** Price the executor would pass when the signal has none (a quote mid). */
  price?: number | string;
  equity?: number | string;
  openOrders?: { side: OrderSide; type: OrderType; quantity?: string }[];
  now?: string;
  receivedAt?: string;
  features?: OrderFeatures;
  quote?: QuoteInput;
  maxSignalAgeSeconds?: number;
  entryLockedUntil?: string;
  /** Kill switch, account limits and the subscription's fills (worker/trading/risk.ts). */
  risk?: Partial<RiskInput> & { marks?: Record<string, string> };
  /** Tickers the broker account holds positions in. */
  openPositionTickers?: string[];
}

/** Builds the decision input like the executor does: price = signal price, else limit price, else the scenario's price. */
export function inputFor(body: unknown, s: Scenario = {}): DecisionInput {
  const sig = signal(body);
  const price = sig.signalPrice ?? sig.limitPrice ?? (s.price === undefined ? null : String(s.price));
  return {
    signal: sig,
    settings: resolveSettings(s.settings ?? {}),
    strategy: {
      assetClass: s.assetClass ?? "stocks",
      allowedTickers: s.allowedTickers ?? null,
      ...(s.maxSignalAgeSeconds !== undefined ? { maxSignalAgeSeconds: s.maxSignalAgeSeconds } : {}),
    },
    account: {
      positionQuantity: String(s.position ?? 0),
      positionAvgPrice: s.avgPrice === undefined ? (s.position ? "100" : null) : String(s.avgPrice),
      openOrders: (s.openOrders ?? []).map((o, i) => ({ brokerOrderId: `o${i}`, side: o.side, type: o.type, quantity: o.quantity ?? "1" })),
      cash: null,
      equity: s.equity === undefined ? null : String(s.equity),
      ...(s.openPositionTickers ? { openPositionTickers: s.openPositionTickers } : {}),
    },
    price,
    now: new Date(s.now ?? "2025-09-09T14:07:10Z"),
    ...(s.receivedAt ? { receivedAt: new Date(s.receivedAt) } : {}),
    ...(s.features ? { features: s.features } : {}),
    ...(s.quote ? { quote: s.quote } : {}),
    ...(s.entryLockedUntil ? { entryLockedUntil: new Date(s.entryLockedUntil) } : {}),
    ...(s.risk ? { risk: riskInput(s.risk) } : {}),
  };
}

function riskInput(r: NonNullable<Scenario["risk"]>): RiskInput {
  const marks = r.marks ?? {};
  return {
    realized: r.realized ?? [],
    lots: r.lots ?? [],
    mark: r.mark ?? ((t) => marks[t] ?? null),
    ...(r.account !== undefined ? { account: r.account } : {}),
    ...(r.killSwitch !== undefined ? { killSwitch: r.killSwitch } : {}),
  };
}

/** Decides a signal in a scenario. */
export function run(body: unknown, s: Scenario = {}): Decision {
  return decide(inputFor(body, s));
}

/** Decides and asserts a plan. */
export function tradeOf(body: unknown, s: Scenario = {}): TradePlan {
  const d = run(body, s);
  if (d.kind !== "trade") throw new Error(`expected a trade, got ${d.messageCode}: ${d.message}`);
  return d;
}

/** Decides and asserts a rejection. */
export function rejectionOf(body: unknown, s: Scenario = {}): Rejection {
  const d = run(body, s);
  if (d.kind !== "reject") throw new Error(`expected a rejection, got ${d.kind === "trade" ? d.outcome : d.messageCode}: ${d.message}`);
  return d;
}

/** A compact view of the steps for assertions: `cancel`, `exit sell 5 market`, ... */
export function summary(steps: readonly PlanStep[]): string[] {
  return steps.map((s) => {
    if (s.kind === "cancel") return s.orderType ? `${s.leg} ${s.orderType}` : s.leg;
    const o = s.order;
    const price = [o.limitPrice && `@${o.limitPrice}`, o.stopPrice && `stop ${o.stopPrice}`, o.trailAmount && `trail ${o.trailAmount}`, o.trailPercent && `trail ${o.trailPercent}%`]
      .filter(Boolean)
      .join(" ");
    return `${s.leg} ${o.side} ${o.quantity} ${o.type}${price ? ` ${price}` : ""}${s.waitForFill ? " (wait)" : ""}`;
  });
}

/** A broker with every feature (tests override parts). */
export const FULL_FEATURES: OrderFeatures = {
  orderTypes: ["market", "limit", "stop", "stop_limit", "trailing_stop"],
  timeInForce: ["day", "gtc", "opg", "cls", "ioc", "fok"],
  extendedHours: true,
  brackets: { oto: "native", oco: "native", otoco: "native" },
  trailingStop: "native",
  fractional: true,
  notional: true,
  shorting: true,
  clientOrderId: { maxLength: 48, pattern: /^[\w-]+$/ },
  modify: "replace",
};
