/**
 * `targetPosition`: the signal names the position to hold, not an order to
 * place, and Tradeloop trades the difference to what the broker really holds.
 *
 * Why: a TradingView strategy alert reports the order the strategy's emulator
 * filled (`{{strategy.order.contracts}}` = 2 for a flip from long 1 to short
 * 1), and replaying orders drifts as soon as one is dropped, doubled, or
 * sized differently by the subscription (a flip entered 2 instead of 1 with
 * the default settings). The position after the order
 * (`{{strategy.position_size}}`: signed, > 0 long, < 0 short) is a state,
 * and trading towards a state converges: a missed or repeated alert is
 * healed by the next one.
 *
 * The account's target is the strategy's position scaled by the subscription:
 * - `allowSignalQuantity` on (default): × `quantityMultiplier`, rounded
 *   toward zero to the quantity step;
 * - off: only the direction is used: the subscription's own size on that
 *   side (a position already on that side is kept as it is), 0 = flat.
 *
 * The difference is then the same kind of trade a buy/sell makes, under the
 * same rules: an entry from flat, an add, a partial or full exit, or a flip
 * (full exit, wait for the fill, entry). Entry rules (sides, trading windows,
 * lockout, shorting the broker does not allow) can turn a flip into an exit
 * only, as they do for buy/sell; `allowSideSwap`, `isolateSides` and
 * `ignoreExits` apply as for buy/sell. `allowAddToPosition` does not: it
 * guards against repeated buy alerts stacking up, and a target cannot stack
 * (sending it twice holds it once).
 *
 * Pure: the caller (decide.ts) builds the orders.
 *
 * @module
 */
import { Big } from "../../plugins/sdk/decimal";
import type { OrderSide } from "../../plugins/sdk/models";
import type { Block } from "./position-rules";
import { reject } from "./reject";
import { floorToStep } from "./rounding";
import type { SubscriptionSettings } from "./settings";
import type { OutcomeCode } from "./types";

export interface TargetInput {
  /** The strategy's signed position (the signal's `targetPosition`), already inverted for puts when `invertPuts` says so. */
  strategyPosition: Big;
  /** The account's signed position in the instrument. */
  position: Big;
  settings: SubscriptionSettings;
  /** Smallest quantity the account trades (1 unless fractional quantities are allowed). */
  step: Big;
  /** The subscription's own entry size on `side` (used when `allowSignalQuantity` is off). */
  subscriptionSize: (side: OrderSide) => Big;
  /** Why an entry on `side` may not run, or null. */
  entryBlock: (side: OrderSide, ignoreSides: boolean) => Block | null;
  /** Why an exit may not run now (trading windows), or null. */
  exitBlock: Block | null;
  ticker: string;
}

/** The parts of the trade that reaches the target, with their quantities. */
export interface TargetShape {
  outcome: OutcomeCode;
  /** Open orders may be cancelled first (entry from flat, side change, full exit). */
  cancelEligible: boolean;
  exit?: { quantity: Big; full: boolean };
  entry?: { side: OrderSide; quantity: Big; add: boolean };
  /** How the target was worked out, and why an entry was dropped: the start of the trade's message. */
  note: string;
}

const sideOf = (q: Big): OrderSide | null => (q.gt(0) ? "buy" : q.lt(0) ? "sell" : null);
const sideName = (side: OrderSide) => (side === "buy" ? "long" : "short");

/** "long 2 AAPL", "short 0.5 BTCUSD", "flat in AAPL". */
export function describeHolding(q: Big, ticker: string): string {
  const side = sideOf(q);
  return side ? `${sideName(side)} ${q.abs().toFixed()} ${ticker}` : `flat in ${ticker}`;
}

function raise(block: Block): never {
  return reject(block.code, block.message, block.field);
}

/** The account's target: the strategy's position scaled by the subscription (see the module comment). */
export function accountTarget(input: Pick<TargetInput, "strategyPosition" | "position" | "settings" | "step" | "subscriptionSize">): {
  target: Big;
  how: string;
} {
  const { strategyPosition: strategy, settings, step } = input;
  const side = sideOf(strategy);
  if (settings.allowSignalQuantity) {
    const scaled = strategy.times(settings.quantityMultiplier);
    const magnitude = floorToStep(scaled.abs(), step);
    const target = side === "sell" ? magnitude.times(-1) : magnitude;
    const times = settings.quantityMultiplier === 1 ? "" : ` × quantityMultiplier ${settings.quantityMultiplier}`;
    return { target, how: `The strategy's position is ${strategy.toFixed()}${times}` };
  }
  if (!side) return { target: new Big(0), how: "The strategy's position is 0" };
  const how = `The strategy is ${sideName(side)} and "allowSignalQuantity" is off, so the subscription's own size is used`;
  // The subscription sizes the position itself: once on the strategy's side, it is left as it is.
  if (sideOf(input.position) === side) return { target: input.position, how };
  const size = input.subscriptionSize(side);
  return { target: side === "sell" ? size.times(-1) : size, how };
}

/**
 * Works out the trade from the account's position to the target. Throws a
 * rejection when nothing may or need be traded (`position-at-target`, a
 * blocked entry from flat, an exit outside the windows...).
 */
export function shapeTarget(input: TargetInput): TargetShape {
  const { position: held, settings: s, ticker } = input;
  const { target, how } = accountTarget(input);
  const note = `${how}: target ${describeHolding(target, ticker)}; the account held ${describeHolding(held, ticker)}.`;
  const atTarget = (): never =>
    reject(
      "position-at-target",
      `${how}: target ${describeHolding(target, ticker)}, and the account already holds ${describeHolding(held, ticker)}${
        target.eq(held) ? "" : ` (less than one tradable unit, ${input.step.toFixed()}, away)`
      }; nothing was sent.`,
      "targetPosition",
    );
  if (target.eq(held)) return atTarget();
  const from = sideOf(held);
  const to = sideOf(target);

  if (!from) {
    // Flat → a position: an entry, under every entry rule.
    const block = input.entryBlock(to!, false);
    if (block) raise(block);
    return { outcome: "enter-new-position", cancelEligible: true, entry: { side: to!, quantity: target.abs(), add: false }, note };
  }
  if (!to) {
    if (s.ignoreExits) return reject("exit-ignored", `This subscription ignores exit signals ("ignoreExits" is on); the ${describeHolding(held, ticker)} position is kept.`, "targetPosition");
    if (input.exitBlock) raise(input.exitBlock);
    return { outcome: "close-open-position", cancelEligible: true, exit: { quantity: held.abs(), full: true }, note };
  }
  if (from === to) {
    if (target.abs().gt(held.abs())) {
      const quantity = floorToStep(target.abs().minus(held.abs()), input.step);
      if (!quantity.gt(0)) return atTarget();
      const block = input.entryBlock(to, false);
      if (block) raise(block);
      return { outcome: "add-to-position", cancelEligible: false, entry: { side: to, quantity, add: true }, note };
    }
    const quantity = floorToStep(held.abs().minus(target.abs()), input.step);
    if (!quantity.gt(0)) return atTarget();
    if (s.ignoreExits) return reject("exit-ignored", `This subscription ignores exit signals ("ignoreExits" is on); the ${describeHolding(held, ticker)} position is kept.`, "targetPosition");
    if (input.exitBlock) raise(input.exitBlock);
    return { outcome: "exit-partial-position", cancelEligible: false, exit: { quantity, full: false }, note };
  }
  // The target is on the other side: close the whole position, then open the target.
  if (s.isolateSides) {
    return reject(
      "isolate-sides-blocks-exit",
      `${note} "isolateSides" is on, so a signal does not close the opposite position; send an exit first, or turn "isolateSides" off.`,
      "isolateSides",
    );
  }
  if (input.exitBlock) raise(input.exitBlock);
  const exit = { quantity: held.abs(), full: true };
  if (!s.allowSideSwap) {
    return {
      outcome: "sides-swapping-disabled",
      cancelEligible: true,
      exit,
      note: `${note} "allowSideSwap" is off for this subscription, so the ${sideName(from)} position is closed and no ${sideName(to)} position is opened.`,
    };
  }
  const block = input.entryBlock(to, false);
  if (block) return { outcome: "exit-signal-no-new-position", cancelEligible: true, exit, note: `${note} ${block.message}` };
  return { outcome: "reverse-position", cancelEligible: true, exit, entry: { side: to, quantity: target.abs(), add: false }, note };
}
