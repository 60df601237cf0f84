/**
 * The state behind the OANDA fake: one v20 account with its transactions,
 * orders and trades, following the documented model — an order's id is the
 * id of the transaction that created it, a trade's id is the id of the fill
 * that opened it, positions are the sum of open trades, and take-profit /
 * stop-loss / trailing-stop orders belong to a trade and close it.
 * Money is big.js decimals throughout.
 *
 * @module
 */
import { Big, dec, toDecimal } from "../sdk";

/** A JSON object as OANDA would send it. */
export type Json = Record<string, unknown>;

export interface FakeTrade {
  id: string;
  instrument: string;
  price: Big;
  initialUnits: Big;
  currentUnits: Big;
  state: "OPEN" | "CLOSED";
  openTime: string;
  realizedPL: Big;
  dependents: string[];
}

export interface FakeOrderRecord {
  id: string;
  type: string;
  state: "PENDING" | "FILLED" | "TRIGGERED" | "CANCELLED";
  createTime: string;
  /** Entry orders: instrument and signed units. */
  instrument?: string;
  units?: Big;
  price?: Big;
  timeInForce: string;
  clientExtensions?: Json;
  /** Dependent orders: the trade they close. */
  tradeID?: string;
  distance?: Big;
  trailingStopValue?: Big;
  onFill: { takeProfit?: Json; stopLoss?: Json; trailingStopLoss?: Json };
  extra: Json;
  fillingTransactionID?: string;
  filledTime?: string;
  cancellingTransactionID?: string;
  cancelledTime?: string;
  tradeOpenedID?: string;
  tradeReducedID?: string;
  tradeClosedIDs?: string[];
}

/** What became of an order the book tried to fill. */
export type FillOutcome = { fill: Json } | { cancel: Json };

const ON_FILL_TYPES = { takeProfit: "TAKE_PROFIT", stopLoss: "STOP_LOSS", trailingStopLoss: "TRAILING_STOP_LOSS" } as const;

export class FakeBook {
  accountId: string;
  balance: Big;
  readonly marginRate: Big;
  readonly orders = new Map<string, FakeOrderRecord>();
  readonly trades = new Map<string, FakeTrade>();
  readonly transactions = new Map<string, Json>();
  readonly prices = new Map<string, Big>();
  private lastId = 1000;

  constructor(
    options: { accountId: string; startingBalance: string; marginRate: string },
    private readonly now: () => Date,
  ) {
    this.accountId = options.accountId;
    this.balance = dec(options.startingBalance);
    this.marginRate = dec(options.marginRate);
  }

  get lastTransactionID(): string {
    return String(this.lastId);
  }

  /** Records a transaction and returns it (ids are consecutive integers, as at OANDA). */
  transaction(type: string, fields: Json): Json {
    this.lastId += 1;
    const txn: Json = { id: String(this.lastId), time: this.now().toISOString(), accountID: this.accountId, batchID: String(this.lastId), type, ...fields };
    this.transactions.set(txn.id as string, txn);
    return txn;
  }

  openTrades(): FakeTrade[] {
    return [...this.trades.values()].filter((t) => t.state === "OPEN");
  }

  unrealizedPL(): Big {
    return this.openTrades().reduce((sum, t) => {
      const price = this.prices.get(t.instrument);
      return price ? sum.plus(price.minus(t.price).times(t.currentUnits)) : sum;
    }, new Big(0));
  }

  /** Margin held by open trades (the fake treats every quote currency as the account currency). */
  marginUsed(): Big {
    return this.openTrades().reduce((sum, t) => sum.plus(t.currentUnits.abs().times(t.price).times(this.marginRate)), new Big(0));
  }

  nav(): Big {
    return this.balance.plus(this.unrealizedPL());
  }

  /**
   * Fills `order` for `units` at `price`. Entry orders reduce opposite trades
   * first (positionFill REDUCE_FIRST / DEFAULT on a netting account) and open
   * a trade with the rest; a dependent order closes its own trade.
   */
  fill(order: FakeOrderRecord, units: Big, price: Big, reason: string): FillOutcome {
    const instrument = order.instrument ?? this.trades.get(order.tradeID ?? "")?.instrument ?? "";
    const targets = order.tradeID
      ? [this.trades.get(order.tradeID)!].filter((t) => t?.state === "OPEN")
      : this.openTrades().filter((t) => t.instrument === instrument && t.currentUnits.s !== units.s);
    // Margin check before anything changes: only units that open a new trade need margin.
    const reducible = targets.reduce((sum, t) => sum.plus(t.currentUnits.abs()), new Big(0));
    const opening = order.tradeID ? new Big(0) : units.abs().minus(reducible).gt(0) ? units.abs().minus(reducible) : new Big(0);
    const released = targets.reduce((sum, t) => sum.plus(t.currentUnits.abs().times(t.price).times(this.marginRate)), new Big(0));
    // Opening anything means every opposite trade closes first, releasing its margin.
    const available = this.nav().minus(this.marginUsed()).plus(released);
    if (opening.gt(0) && opening.times(price).times(this.marginRate).gt(available)) {
      return { cancel: this.cancel(order, "INSUFFICIENT_MARGIN") };
    }

    let remaining = units.abs();
    const tradesClosed: Json[] = [];
    let tradeReduced: Json | undefined;
    let pl = new Big(0);
    for (const trade of targets) {
      if (remaining.eq(0)) break;
      const take = remaining.lt(trade.currentUnits.abs()) ? remaining : trade.currentUnits.abs();
      const signedTake = trade.currentUnits.gt(0) ? take : take.neg();
      const realized = price.minus(trade.price).times(signedTake);
      pl = pl.plus(realized);
      trade.realizedPL = trade.realizedPL.plus(realized);
      trade.currentUnits = trade.currentUnits.minus(signedTake);
      remaining = remaining.minus(take);
      const change = { tradeID: trade.id, units: toDecimal(signedTake.neg()), price: toDecimal(price), realizedPL: toDecimal(realized), financing: "0" };
      if (trade.currentUnits.eq(0)) {
        trade.state = "CLOSED";
        tradesClosed.push(change);
      } else {
        tradeReduced = change;
      }
    }
    this.balance = this.balance.plus(pl);

    const fillFields: Json = {
      orderID: order.id,
      ...(order.clientExtensions?.id !== undefined && { clientOrderID: order.clientExtensions.id }),
      instrument,
      units: toDecimal(units),
      price: toDecimal(price),
      fullVWAP: toDecimal(price),
      reason,
      pl: toDecimal(pl),
      financing: "0",
      commission: "0",
      accountBalance: toDecimal(this.balance),
      ...(tradesClosed.length > 0 && { tradesClosed }),
      ...(tradeReduced && { tradeReduced }),
    };
    const opened = remaining.gt(0) ? (units.gt(0) ? remaining : remaining.neg()) : undefined;
    // The fill transaction's id is the new trade's id, so reserve it before building the trade.
    const fill = this.transaction("ORDER_FILL", fillFields);
    if (opened) {
      const trade: FakeTrade = {
        id: fill.id as string,
        instrument,
        price,
        initialUnits: opened,
        currentUnits: opened,
        state: "OPEN",
        openTime: fill.time as string,
        realizedPL: new Big(0),
        dependents: [],
      };
      this.trades.set(trade.id, trade);
      fill.tradeOpened = { tradeID: trade.id, units: toDecimal(opened), price: toDecimal(price), initialMarginRequired: toDecimal(opened.abs().times(price).times(this.marginRate)) };
      fill.accountBalance = toDecimal(this.balance);
      this.createOnFillOrders(order, trade, fill.id as string);
    }

    order.state = "FILLED";
    order.fillingTransactionID = fill.id as string;
    order.filledTime = fill.time as string;
    if (opened) order.tradeOpenedID = fill.id as string;
    if (tradeReduced) order.tradeReducedID = tradeReduced.tradeID as string;
    if (tradesClosed.length > 0) order.tradeClosedIDs = tradesClosed.map((t) => t.tradeID as string);
    for (const closed of tradesClosed) this.cancelDependents(closed.tradeID as string, order.id);
    return { fill };
  }

  private createOnFillOrders(order: FakeOrderRecord, trade: FakeTrade, fillId: string): void {
    for (const key of ["takeProfit", "stopLoss", "trailingStopLoss"] as const) {
      const details = order.onFill[key];
      if (!details) continue;
      const type = ON_FILL_TYPES[key];
      const txn = this.transaction(`${type}_ORDER`, {
        tradeID: trade.id,
        ...details,
        timeInForce: details.timeInForce ?? "GTC",
        reason: "ON_FILL",
        orderFillTransactionID: fillId,
      });
      const dependent: FakeOrderRecord = {
        id: txn.id as string,
        type,
        state: "PENDING",
        createTime: txn.time as string,
        timeInForce: (details.timeInForce as string | undefined) ?? "GTC",
        tradeID: trade.id,
        onFill: {},
        extra: { triggerCondition: "DEFAULT" },
      };
      if (typeof details.price === "string") dependent.price = dec(details.price);
      if (typeof details.distance === "string") {
        dependent.distance = dec(details.distance);
        if (key === "trailingStopLoss") dependent.trailingStopValue = trade.currentUnits.gt(0) ? trade.price.minus(dependent.distance) : trade.price.plus(dependent.distance);
        // A stop loss given as a distance sits that far from the open price, on the losing side.
        else if (key === "stopLoss") dependent.price = trade.currentUnits.gt(0) ? trade.price.minus(dependent.distance) : trade.price.plus(dependent.distance);
      }
      if (details.clientExtensions) dependent.clientExtensions = details.clientExtensions as Json;
      this.orders.set(dependent.id, dependent);
      trade.dependents.push(dependent.id);
    }
  }

  /** Cancels a pending order with an ORDER_CANCEL transaction. */
  cancel(order: FakeOrderRecord, reason: string): Json {
    const txn = this.transaction("ORDER_CANCEL", {
      orderID: order.id,
      ...(order.clientExtensions?.id !== undefined && { clientOrderID: order.clientExtensions.id }),
      reason,
    });
    order.state = "CANCELLED";
    order.cancellingTransactionID = txn.id as string;
    order.cancelledTime = txn.time as string;
    return txn;
  }

  /**
   * The trading day ended (5 pm New York): every pending order with time in
   * force GFD ("Good For Day") is cancelled, and OANDA records why in the
   * cancelling transaction: TIME_IN_FORCE_EXPIRED. The order itself only
   * shows state CANCELLED.
   */
  endDay(): void {
    for (const order of this.orders.values()) if (order.state === "PENDING" && order.timeInForce === "GFD") this.cancel(order, "TIME_IN_FORCE_EXPIRED");
  }

  private cancelDependents(tradeId: string, exceptOrderId: string): void {
    for (const id of this.trades.get(tradeId)?.dependents ?? []) {
      const dependent = this.orders.get(id);
      if (dependent && dependent.id !== exceptOrderId && dependent.state === "PENDING") this.cancel(dependent, "LINKED_TRADE_CLOSED");
    }
  }

  /** Fills every pending order the current prices trigger, until nothing more triggers. */
  sweep(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const order of [...this.orders.values()]) {
        if (order.state !== "PENDING" || order.type === "MARKET") continue;
        if (this.trigger(order)) changed = true;
      }
    }
  }

  /** Fills `order` if the market price crosses it. Returns true if it filled or was cancelled. */
  trigger(order: FakeOrderRecord): boolean {
    if (order.tradeID) return this.triggerDependent(order);
    const price = order.instrument ? this.prices.get(order.instrument) : undefined;
    if (!price || !order.units || !order.price) return false;
    const buy = order.units.gt(0);
    const crossed = order.type === "LIMIT" ? (buy ? price.lte(order.price) : price.gte(order.price)) : buy ? price.gte(order.price) : price.lte(order.price);
    if (!crossed) return false;
    this.fill(order, order.units, price, `${order.type}_ORDER`);
    return true;
  }

  private triggerDependent(order: FakeOrderRecord): boolean {
    const trade = this.trades.get(order.tradeID!);
    if (!trade || trade.state !== "OPEN") return false;
    const price = this.prices.get(trade.instrument);
    if (!price) return false;
    const long = trade.currentUnits.gt(0);
    if (order.type === "TRAILING_STOP_LOSS" && order.distance && order.trailingStopValue) {
      // The trigger follows the market in the winning direction only.
      const candidate = long ? price.minus(order.distance) : price.plus(order.distance);
      if (long ? candidate.gt(order.trailingStopValue) : candidate.lt(order.trailingStopValue)) order.trailingStopValue = candidate;
    }
    const level = order.type === "TRAILING_STOP_LOSS" ? order.trailingStopValue : order.price;
    if (!level) return false;
    const hit = order.type === "TAKE_PROFIT" ? (long ? price.gte(level) : price.lte(level)) : long ? price.lte(level) : price.gte(level);
    if (!hit) return false;
    this.fill(order, trade.currentUnits.neg(), price, `${order.type}_ORDER`);
    return true;
  }
}
