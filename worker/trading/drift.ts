/**
 * Drift: where the broker's account no longer matches what Tradeloop's own
 * fills say. Pure comparison of one broker account's positions and open
 * orders with the views of the subscriptions trading on it.
 *
 * - `position`: for a ticker some subscription trades, the broker's position
 *   differs from the sum of the positions the subscriptions' fills imply
 *   (someone traded outside Tradeloop, a fill was missed, a position was
 *   assigned or liquidated). Broker positions in tickers no subscription
 *   trades are the trader's own business and are not compared.
 * - `unknown-order`: an open order at the broker, in a ticker a
 *   subscription trades, that no subscription placed or follows.
 * - `missing-order`: an order a subscription follows as working that the
 *   broker does not list as open.
 *
 * A ticker with an order being sent or a trade executing right now is left
 * out (its fills are in flight); the reconciler confirms a drift on a second
 * look before it tells anyone.
 *
 * @module
 */
import { Big, toDecimal, type Decimal } from "../../plugins/sdk/decimal";

/** The broker's side of one account. */
export interface BrokerView {
  positions: readonly { ticker: string; quantity: Decimal; avgPrice?: Decimal }[];
  openOrders: readonly { brokerOrderId: string; clientOrderId: string | null; ticker: string; side: string; quantity: Decimal; type: string }[];
}

/** One subscription's side, from its own storage. */
export interface SubscriptionView {
  subscriptionId: string;
  /** Every ticker it has traded, with the position its fills imply (0 when flat). */
  positions: readonly { ticker: string; quantity: Decimal }[];
  /** Orders it follows as working. */
  liveOrders: readonly { clientOrderId: string; brokerOrderId: string | null; ticker: string }[];
  /** Tickers with an order being sent or a trade executing now. */
  busyTickers: readonly string[];
}

export type DriftKind = "position" | "unknown-order" | "missing-order";

export interface Drift {
  /** Stable per account: the same drift found twice has the same key. */
  key: string;
  kind: DriftKind;
  ticker: string;
  /** The broker's position (position drift). */
  brokerQuantity: Decimal | null;
  /** The position Tradeloop's fills imply (position drift). */
  expectedQuantity: Decimal | null;
  /** Who holds what by Tradeloop's fills (position drift). */
  subscriptions: { subscriptionId: string; quantity: Decimal }[];
  /** Every subscription that has traded the ticker, holding or flat (who may adopt the broker's position). */
  traders: string[];
  /** The broker's average price for its position, when it reports one (position drift). */
  brokerAvgPrice: Decimal | null;
  /** The order concerned (order drift). */
  order: { brokerOrderId: string | null; clientOrderId: string | null; side: string | null; quantity: Decimal | null; type: string | null } | null;
  /** One sentence for the trader. */
  message: string;
}

const norm = (t: string) => t.trim().toUpperCase();

/** Compares one account. Returns the drifts found, positions first, each list by ticker. */
export function compareAccount(broker: BrokerView, subscriptions: readonly SubscriptionView[]): Drift[] {
  const busy = new Set(subscriptions.flatMap((s) => s.busyTickers.map(norm)));
  const expected = new Map<string, { total: Big; holders: { subscriptionId: string; quantity: Decimal }[]; traders: string[] }>();
  for (const s of subscriptions) {
    for (const p of s.positions) {
      const t = norm(p.ticker);
      const e = expected.get(t) ?? { total: new Big(0), holders: [], traders: [] };
      e.total = e.total.plus(p.quantity);
      if (!new Big(p.quantity).eq(0)) e.holders.push({ subscriptionId: s.subscriptionId, quantity: p.quantity });
      if (!e.traders.includes(s.subscriptionId)) e.traders.push(s.subscriptionId);
      expected.set(t, e);
    }
  }
  const held = new Map<string, Big>();
  const avgPrices = new Map<string, Decimal>();
  for (const p of broker.positions) {
    held.set(norm(p.ticker), (held.get(norm(p.ticker)) ?? new Big(0)).plus(p.quantity));
    if (p.avgPrice !== undefined) avgPrices.set(norm(p.ticker), p.avgPrice);
  }

  const drifts: Drift[] = [];
  for (const [ticker, e] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
    if (busy.has(ticker)) continue;
    const actual = held.get(ticker) ?? new Big(0);
    if (actual.eq(e.total)) continue;
    const who = e.holders.length === 0 ? "none of its subscriptions holds any" : e.holders.map((h) => `${h.quantity} for subscription ${h.subscriptionId}`).join(", ");
    drifts.push({
      key: `position:${ticker}`,
      kind: "position",
      ticker,
      brokerQuantity: toDecimal(actual),
      expectedQuantity: toDecimal(e.total),
      subscriptions: e.holders,
      traders: e.traders,
      brokerAvgPrice: avgPrices.get(ticker) ?? null,
      order: null,
      message: `The broker holds ${toDecimal(actual)} ${ticker}, but Tradeloop's fills imply ${toDecimal(e.total)} (${who}): a trade outside Tradeloop, a missed fill, or an assignment. Adopt the broker's position if it is right.`,
    });
  }

  const ours = subscriptions.flatMap((s) => s.liveOrders);
  const ourClientIds = new Set(ours.map((o) => o.clientOrderId));
  const ourBrokerIds = new Set(ours.map((o) => o.brokerOrderId).filter((id): id is string => id !== null));
  const brokerIds = new Set(broker.openOrders.map((o) => o.brokerOrderId));
  const brokerClientIds = new Set(broker.openOrders.map((o) => o.clientOrderId).filter((id): id is string => id !== null));
  for (const o of [...broker.openOrders].sort((a, b) => norm(a.ticker).localeCompare(norm(b.ticker)) || a.brokerOrderId.localeCompare(b.brokerOrderId))) {
    const ticker = norm(o.ticker);
    if (!expected.has(ticker) || busy.has(ticker)) continue;
    if (ourBrokerIds.has(o.brokerOrderId) || (o.clientOrderId !== null && ourClientIds.has(o.clientOrderId))) continue;
    drifts.push({
      key: `unknown-order:${o.brokerOrderId}`,
      kind: "unknown-order",
      ticker,
      brokerQuantity: null,
      expectedQuantity: null,
      subscriptions: [],
      traders: [],
      brokerAvgPrice: null,
      order: { brokerOrderId: o.brokerOrderId, clientOrderId: o.clientOrderId, side: o.side, quantity: o.quantity, type: o.type },
      message: `The broker has an open ${o.side} ${o.type} order for ${o.quantity} ${ticker} (${o.brokerOrderId}) that no Tradeloop subscription placed; if it fills, the position will drift.`,
    });
  }
  for (const o of ours) {
    const ticker = norm(o.ticker);
    if (busy.has(ticker)) continue;
    if ((o.brokerOrderId !== null && brokerIds.has(o.brokerOrderId)) || brokerClientIds.has(o.clientOrderId)) continue;
    drifts.push({
      key: `missing-order:${o.clientOrderId}`,
      kind: "missing-order",
      ticker,
      brokerQuantity: null,
      expectedQuantity: null,
      subscriptions: [],
      traders: [],
      brokerAvgPrice: null,
      order: { brokerOrderId: o.brokerOrderId, clientOrderId: o.clientOrderId, side: null, quantity: null, type: null },
      message: `Tradeloop follows order ${o.clientOrderId} for ${ticker} as working, but the broker does not list it as open; it may have been cancelled or filled at the broker without Tradeloop hearing of it.`,
    });
  }
  return drifts;
}
