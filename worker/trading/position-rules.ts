/**
 * Action and sentiment against the open position: which parts a trade has
 * (exit, entry, both) before any quantity or price is worked out.
 *
 * `sentiment` is the position wanted after the trade:
 * - sell + flat closes only a long, buy + flat only a short, always in full;
 *   with no matching position the signal is rejected.
 * - buy + bearish while short (sell + bullish while long) exits part of the
 *   position, never reverses it.
 *
 * Against the open position:
 * - none: buy/sell enters (sides, windows, lockout permitting).
 * - same side: rejected unless `allowAddToPosition` (action `add` ignores it).
 * - opposite side: exits the position; then enters the other side unless
 *   `allowSideSwap` is off (`sides-swapping-disabled`), the side is not
 *   allowed, or the entry is blocked; `isolateSides` rejects instead.
 * - `reverse` always exits and enters the opposite side (ignores sides and
 *   side swapping); `exit` only exits.
 *
 * @module
 */
import type { Big } from "../../plugins/sdk/decimal";
import type { OrderSide } from "../../plugins/sdk/models";
import type { TradeCode } from "./message-codes";
import type { Action, Sentiment } from "./signal-schema";
import { reject } from "./reject";
import type { SubscriptionSettings } from "./settings";
import type { OutcomeCode } from "./types";

/** Why a part of a trade may not run. */
export interface Block {
  code: TradeCode;
  message: string;
  field?: string;
}

export interface RuleInput {
  action: Exclude<Action, "cancel" | "breakeven">;
  sentiment: Sentiment | undefined;
  /** Signed open position. */
  position: Big;
  settings: SubscriptionSettings;
  /** The signal's quantity is used and is a percent of the position. */
  percentOfPosition: boolean;
  /** Why an entry on `side` may not run, or null; `ignoreSides` for reverse. */
  entryBlock: (side: OrderSide, ignoreSides: boolean) => Block | null;
  /** Why an exit may not run now (trading windows), or null. */
  exitBlock: Block | null;
  ticker: string;
}

/** The parts of a trade. */
export interface TradeShape {
  outcome: OutcomeCode;
  /** Open orders may be cancelled first (entry from flat, side change, full exit). */
  cancelEligible: boolean;
  /** `full`: the whole position; `signal`: the signal's quantity (partial when smaller). */
  exit?: { sizing: "full" | "signal" };
  entry?: { side: OrderSide; subtractExit: boolean; add: boolean };
  /** Why an entry was dropped from an exit-only trade. */
  note?: string;
}

const opposite = (side: OrderSide): OrderSide => (side === "buy" ? "sell" : "buy");
const sideName = (side: OrderSide) => (side === "buy" ? "long" : "short");
const sentimentOf = (side: OrderSide): Sentiment => (side === "buy" ? "bullish" : "bearish");

function raise(block: Block): never {
  return reject(block.code, block.message, block.field);
}

function describePosition(position: Big, ticker: string): string {
  return `${position.gt(0) ? "long" : "short"} ${position.abs().toFixed()} ${ticker}`;
}

/** Works out the parts of a buy, sell, exit, add or reverse. Throws rejections. */
export function shapeTrade(r: RuleInput): TradeShape {
  const held: OrderSide | null = r.position.gt(0) ? "buy" : r.position.lt(0) ? "sell" : null;
  const s = r.settings;
  switch (r.action) {
    case "exit": {
      if (!held) return reject("no-position-to-exit", `There is no open ${r.ticker} position to exit; nothing was sent.`);
      if (s.ignoreExits) return reject("exit-ignored", `This subscription ignores exit signals ("ignoreExits" is on); the ${describePosition(r.position, r.ticker)} position is kept.`, "action");
      if (r.exitBlock) raise(r.exitBlock);
      return { outcome: "close-open-position", cancelEligible: true, exit: { sizing: "signal" } };
    }
    case "add": {
      if (!held) return reject("no-position-to-add", `"action": "add" adds to an open position, and there is no open ${r.ticker} position; send buy or sell to open one.`, "action");
      const block = r.entryBlock(held, false);
      if (block) raise(block);
      return { outcome: "add-to-position", cancelEligible: false, entry: { side: held, subtractExit: false, add: true } };
    }
    case "reverse": {
      if (!held) return reject("no-position-to-reverse", `"action": "reverse" flips an open position, and there is no open ${r.ticker} position; send buy or sell to open one.`, "action");
      if (r.exitBlock) raise(r.exitBlock);
      const side = opposite(held);
      const block = r.entryBlock(side, true);
      if (block) return { outcome: "exit-signal-no-new-position", cancelEligible: true, exit: { sizing: "full" }, note: block.message };
      return { outcome: "reverse-position", cancelEligible: true, exit: { sizing: "full" }, entry: { side, subtractExit: false, add: false } };
    }
    case "buy":
    case "sell":
      return buyOrSell(r, r.action, held);
  }
}

function buyOrSell(r: RuleInput, side: OrderSide, held: OrderSide | null): TradeShape {
  const s = r.settings;
  const want = r.sentiment;
  const act = `"action": "${side}"`;
  if (r.percentOfPosition) {
    if (!held) return reject("no-position-to-exit", `"quantityType": "percent_of_position" sizes from the open position, and there is no open ${r.ticker} position.`, "quantityType");
    if (held !== side) {
      if (r.exitBlock) raise(r.exitBlock);
      // "sentiment": "flat" means flat: the whole position, whatever the quantity says (reference §1).
      return { outcome: "close-open-position", cancelEligible: true, exit: { sizing: want === "flat" ? "full" : "signal" } };
    }
  }
  if (!held) {
    if (want === "flat") {
      return reject("no-position-to-exit", `${act} with "sentiment": "flat" closes a ${side === "sell" ? "long" : "short"} position, and there is no open ${r.ticker} position; nothing was sent.`, "sentiment");
    }
    if (want === sentimentOf(opposite(side))) {
      return reject(
        "no-position-to-exit",
        `${act} with "sentiment": "${want}" only reduces a ${sideName(opposite(side))} position, and there is no open ${r.ticker} position; nothing was sent.`,
        "sentiment",
      );
    }
    const block = r.entryBlock(side, false);
    if (block) raise(block);
    return { outcome: "enter-new-position", cancelEligible: true, entry: { side, subtractExit: false, add: false } };
  }
  if (held === side) {
    if (want === "flat" || want === sentimentOf(opposite(side))) {
      return reject(
        "position-side-mismatch",
        `${act} with "sentiment": "${want}" closes a ${sideName(opposite(side))} position, but the open position is ${describePosition(r.position, r.ticker)}; nothing was sent. Check that the alert's action and sentiment match the strategy.`,
        "sentiment",
      );
    }
    if (!s.allowAddToPosition) {
      return reject(
        "add-to-position-disabled",
        `Already ${describePosition(r.position, r.ticker)} and "allowAddToPosition" is off for this subscription; turn it on to add, or send an exit first.`,
        "allowAddToPosition",
      );
    }
    const block = r.entryBlock(side, false);
    if (block) raise(block);
    return { outcome: "add-to-position", cancelEligible: false, entry: { side, subtractExit: false, add: true } };
  }
  // The open position is on the other side: this signal closes (part of) it first.
  if (want === "flat") {
    if (s.ignoreExits) return reject("exit-ignored", `This subscription ignores exit signals ("ignoreExits" is on); the ${describePosition(r.position, r.ticker)} position is kept.`, "sentiment");
    if (r.exitBlock) raise(r.exitBlock);
    return { outcome: "close-open-position", cancelEligible: true, exit: { sizing: "full" } };
  }
  if (want === sentimentOf(held)) {
    // e.g. buy + bearish while short: cover part, stay short.
    if (r.exitBlock) raise(r.exitBlock);
    return { outcome: "close-open-position", cancelEligible: true, exit: { sizing: "signal" } };
  }
  if (s.isolateSides) {
    return reject(
      "isolate-sides-blocks-exit",
      `The open position is ${describePosition(r.position, r.ticker)} and "isolateSides" is on, so a ${side} signal does not close it; send an exit first, or turn "isolateSides" off.`,
      "isolateSides",
    );
  }
  if (r.exitBlock) raise(r.exitBlock);
  if (!s.allowSideSwap) {
    return {
      outcome: "sides-swapping-disabled",
      cancelEligible: true,
      exit: { sizing: "full" },
      note: `"allowSideSwap" is off for this subscription, so the ${sideName(held)} position is closed and no ${sideName(side)} position is opened.`,
    };
  }
  const block = r.entryBlock(side, false);
  if (block) return { outcome: "exit-signal-no-new-position", cancelEligible: true, exit: { sizing: "full" }, note: block.message };
  return { outcome: "reverse-position", cancelEligible: true, exit: { sizing: "full" }, entry: { side, subtractExit: s.subtractExitQuantity, add: false } };
}
