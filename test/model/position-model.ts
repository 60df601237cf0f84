/**
 * A small, independent model of what one subscription does with one signal
 * on the paper broker, written from the documented rules (the reference's
 * "Action rules", "Sentiment + action" and "Signal vs open position", and the
 * paper broker README's fill and buying-power rules), NOT from decide.ts.
 *
 * Scope: market orders on one ticker, every signal carrying a price, default
 * subscription settings except `allowAddToPosition`, `allowSideSwap` and the
 * fixed `quantity`. Quantity types: fixed_quantity, dollar_amount,
 * percent_of_equity and percent_of_position (whole units, rounded down).
 *
 * @module
 */
import { Big } from "../../plugins/sdk";

export type ModelAction = "buy" | "sell" | "exit" | "add" | "reverse" | "cancel";
export type ModelSentiment = "bullish" | "bearish" | "flat";
export type ModelQuantityType = "fixed_quantity" | "dollar_amount" | "percent_of_equity" | "percent_of_position";

export interface ModelSignal {
  action: ModelAction;
  sentiment?: ModelSentiment;
  quantity?: number;
  quantityType?: ModelQuantityType;
  /** Always sent: the paper broker fills market orders at the alert's price. */
  price: string;
}

export interface ModelRules {
  allowAddToPosition: boolean;
  allowSideSwap: boolean;
  /** Entry size when the signal sends no quantity. */
  quantity: number;
}

export interface ModelAccount {
  /** Signed position (negative = short). */
  position: Big;
  cash: Big;
}

export type Leg = { leg: "exit" | "entry"; side: "buy" | "sell"; quantity: Big };

/** What the model expects from one signal. */
export type Expectation =
  /** The webhook refuses it with 400 and this messageCode. */
  | { kind: "invalid"; messageCode: string }
  /** Accepted, and the trade is rejected before any order. */
  | { kind: "rejected" }
  /** Accepted: these legs are sent in order; `refused` marks a leg the broker refuses (buying power), which ends the trade. */
  | { kind: "trade"; legs: Leg[]; refusedAt: number | null; status: "filled" | "cancelled" | "rejected" };

const ZERO = new Big(0);

function sideSign(side: "buy" | "sell"): 1 | -1 {
  return side === "buy" ? 1 : -1;
}

/** Webhook-level validation the model knows about (the reference's 400 codes). */
export function invalidCode(s: ModelSignal): string | null {
  if (s.sentiment !== undefined && s.action !== "buy" && s.action !== "sell") return "invalid-sentiment-action";
  const qt = s.quantityType;
  if (qt !== undefined && qt !== "fixed_quantity") {
    if (s.quantity === undefined) return "quantity-type-requires-quantity";
    if (s.action === "cancel") return "invalid-quantity-type-action";
    if (qt === "percent_of_position" && (s.action === "add" || s.action === "reverse")) return "invalid-percent-of-position-action";
  }
  return null;
}

class Reject extends Error {}
const reject = (): never => {
  throw new Reject();
};

interface Ctx {
  s: ModelSignal;
  rules: ModelRules;
  pos: Big;
  price: Big;
  equity: Big;
}

/** The signal's own quantity request, if it sent one (signal quantities are allowed by default). */
function signalRequest(s: ModelSignal): { type: ModelQuantityType; value: Big } | null {
  return s.quantity === undefined ? null : { type: s.quantityType ?? "fixed_quantity", value: new Big(s.quantity) };
}

function units(raw: Big): Big {
  return raw.round(0, Big.roundDown);
}

/** Entry size: the signal's request, else the subscription's fixed quantity; rounds down; 0 is a rejection. */
function entrySize(c: Ctx): Big {
  const r = signalRequest(c.s) ?? { type: "fixed_quantity" as const, value: new Big(c.rules.quantity) };
  let raw: Big;
  switch (r.type) {
    case "fixed_quantity":
      raw = r.value;
      break;
    case "dollar_amount":
      raw = r.value.div(c.price);
      break;
    case "percent_of_equity":
      raw = c.equity.times(r.value).div(100).div(c.price);
      break;
    case "percent_of_position":
      raw = c.pos.abs().times(r.value).div(100);
      break;
  }
  const q = units(raw);
  return q.gt(0) ? q : reject();
}

/** Exit size sized by the signal: less than the position is partial, otherwise (or none) the whole position. */
function exitSize(c: Ctx): Big {
  const whole = c.pos.abs();
  const r = signalRequest(c.s);
  if (!r) return whole;
  let raw: Big;
  switch (r.type) {
    case "fixed_quantity":
      raw = r.value;
      break;
    case "percent_of_position":
      raw = whole.times(r.value).div(100);
      break;
    case "dollar_amount":
      raw = r.value.div(c.price);
      break;
    case "percent_of_equity":
      raw = c.equity.times(r.value).div(100).div(c.price);
      break;
  }
  if (raw.gte(whole)) return whole;
  const q = units(raw);
  return q.gt(0) ? q : reject();
}

function closing(pos: Big): "buy" | "sell" {
  return pos.gt(0) ? "sell" : "buy";
}

/** The legs a signal sends, or a rejection (throws Reject). */
function legsFor(c: Ctx): Leg[] {
  const { s, rules, pos } = c;
  const held: "buy" | "sell" | null = pos.gt(0) ? "buy" : pos.lt(0) ? "sell" : null;
  const exit = (q: Big): Leg => ({ leg: "exit", side: closing(pos), quantity: q });
  switch (s.action) {
    case "cancel":
      return [];
    case "exit":
      // Close whichever side is open, fully unless a smaller quantity is given; never enters.
      return held ? [exit(exitSize(c))] : reject();
    case "add":
      // Adds even with allowAddToPosition off; no position is a rejection.
      return held ? [{ leg: "entry", side: held, quantity: entrySize(c) }] : reject();
    case "reverse": {
      if (!held) return reject();
      const side = held === "buy" ? "sell" : "buy";
      const entry = entrySize(c);
      return [exit(pos.abs()), { leg: "entry", side, quantity: entry }];
    }
    case "buy":
    case "sell":
      return buyOrSell(c, s.action, held, exit);
  }
}

function buyOrSell(c: Ctx, side: "buy" | "sell", held: "buy" | "sell" | null, exit: (q: Big) => Leg): Leg[] {
  const { s, rules, pos } = c;
  const want = s.sentiment;
  const other: ModelSentiment = side === "buy" ? "bearish" : "bullish";
  // "flat" against the opposite position always exits all of it, whatever the quantity (reference, Sentiment + action).
  if (want === "flat" && held !== null && held !== side) return [exit(pos.abs())];
  if (s.quantityType === "percent_of_position" && s.quantity !== undefined) {
    // Sized from the open position: nothing open is a rejection; an opposite position is reduced by that share.
    if (!held) return reject();
    if (held !== side) return [exit(exitSize(c))];
  }
  if (!held) {
    // flat (or the opposite sentiment) only closes a position; with none it is the documented safeguard rejection.
    if (want === "flat" || want === other) return reject();
    return [{ leg: "entry", side, quantity: entrySize(c) }];
  }
  if (held === side) {
    if (want === "flat" || want === other) return reject();
    if (!rules.allowAddToPosition) return reject();
    return [{ leg: "entry", side, quantity: entrySize(c) }];
  }
  // Opposite position.
  if (want === (held === "buy" ? "bullish" : "bearish")) return [exit(exitSize(c))]; // partial reduce, stays on its side
  if (!rules.allowSideSwap) return [exit(pos.abs())];
  return [exit(pos.abs()), { leg: "entry", side, quantity: entrySize(c) }];
}

/**
 * The paper broker's buying-power rule for one ticker: a fill that opens or
 * adds exposure is refused if afterwards |position × price| exceeds cash +
 * position × price (no leverage). Reducing never needs funds.
 */
function refused(pos: Big, cash: Big, leg: Leg, price: Big): boolean {
  const delta = leg.quantity.times(sideSign(leg.side));
  const next = pos.plus(delta);
  if (next.eq(0)) return false;
  const adds = pos.eq(0) || pos.gt(0) !== next.gt(0) || next.abs().gt(pos.abs());
  if (!adds) return false;
  const cashAfter = cash.minus(delta.times(price));
  return next.times(price).abs().gt(cashAfter.plus(next.times(price)));
}

/** Applies one signal to the account: returns what to expect and the account afterwards. */
export function step(account: ModelAccount, s: ModelSignal, rules: ModelRules): { expect: Expectation; after: ModelAccount } {
  const code = invalidCode(s);
  if (code) return { expect: { kind: "invalid", messageCode: code }, after: account };
  const price = new Big(s.price);
  // The broker marks the alert's price before anything else, so equity is valued at it.
  const c: Ctx = { s, rules, pos: account.position, price, equity: account.cash.plus(account.position.times(price)) };
  let legs: Leg[];
  try {
    legs = legsFor(c);
  } catch (e) {
    if (e instanceof Reject) return { expect: { kind: "rejected" }, after: account };
    throw e;
  }
  let pos = account.position;
  let cash = account.cash;
  for (const [i, leg] of legs.entries()) {
    if (refused(pos, cash, leg, price)) {
      return { expect: { kind: "trade", legs, refusedAt: i, status: "rejected" }, after: { position: pos, cash } };
    }
    const delta = leg.quantity.times(sideSign(leg.side));
    pos = pos.plus(delta);
    cash = cash.minus(delta.times(price));
  }
  return {
    expect: { kind: "trade", legs, refusedAt: null, status: legs.length === 0 ? "cancelled" : "filled" },
    after: { position: pos, cash },
  };
}

export const ZERO_ACCOUNT = (cash: number | string): ModelAccount => ({ position: ZERO, cash: new Big(cash) });
