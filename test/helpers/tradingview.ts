/**
 * A TradingView strategy as its alerts see it: each order the strategy's
 * broker emulator fills produces one alert, and TradingView replaces the
 * `{{strategy.*}}` placeholders of the alert message with that order's and
 * the position's values. Tests render Tradeloop's templates with exactly
 * those values, so they check what TradingView really sends, not string shapes.
 *
 * What the placeholders hold (TradingView Help Center, "Strategy Alerts",
 * tradingview.com/support/solutions/43000481368; Pine Script reference,
 * `strategy.position_size`):
 * - `strategy.order.action`: "buy" or "sell", the executed order's direction.
 * - `strategy.order.contracts`: the executed order's size (a flip from long 1
 *   to short 1 is ONE order of 2).
 * - `strategy.order.id`: the id given to strategy.entry/exit/order.
 * - `strategy.market_position`: the position after the order, "long", "flat" or "short".
 * - `strategy.market_position_size`: its size as an absolute value (never negative).
 * - `strategy.prev_market_position` / `strategy.prev_market_position_size`:
 *   the same two for the position before the order.
 * - `strategy.position_size`: Pine's `strategy.position_size` after the
 *   order: signed, > 0 long, < 0 short, 0 flat; the absolute value is the
 *   number of contracts/shares/units.
 * Numbers render as plain decimals ("2", "-1", "0.5"); `{{timenow}}` as an
 * ISO time in UTC ("2025-06-18T14:30:00Z").
 *
 * @module
 */

type Side = "buy" | "sell";

const positionName = (size: number): "long" | "short" | "flat" => (size > 0 ? "long" : size < 0 ? "short" : "flat");

/** Renders a number the way TradingView's placeholders do: a plain decimal, no exponent, no trailing zeros. */
function plain(n: number): string {
  // Round away binary noise (0.1 + 0.2) the way Pine prints a float.
  return String(Number(n.toFixed(10)));
}

/** A Pine strategy's position, and the placeholder values of the alert each filled order sends. */
export class TradingViewStrategy {
  /** The strategy's signed position (Pine's `strategy.position_size`). */
  position = 0;
  private clock: number;

  constructor(
    readonly ticker: string,
    /** Chart interval, as `{{interval}}` renders it. */
    readonly interval = "5",
    start = Date.UTC(2025, 5, 18, 14, 30),
  ) {
    this.clock = start;
  }

  /**
   * The broker emulator fills an order of `contracts` in direction `action`
   * at `close`; returns every placeholder's value in the alert it triggers.
   */
  fill(action: Side, contracts: number, close: number, orderId = action === "buy" ? "Long" : "Short"): Record<string, string> {
    const before = this.position;
    this.position = before + (action === "buy" ? contracts : -contracts);
    this.clock += 5 * 60_000;
    return {
      ticker: this.ticker,
      interval: this.interval,
      close: plain(close),
      timenow: new Date(this.clock).toISOString().replace(/\.000Z$/, "Z"),
      "strategy.order.action": action,
      "strategy.order.contracts": plain(contracts),
      "strategy.order.price": plain(close),
      "strategy.order.id": orderId,
      "strategy.market_position": positionName(this.position),
      "strategy.market_position_size": plain(Math.abs(this.position)),
      "strategy.prev_market_position": positionName(before),
      "strategy.prev_market_position_size": plain(Math.abs(before)),
      "strategy.position_size": plain(this.position),
    };
  }

  /**
   * The order that takes the strategy to `target` (what strategy.entry /
   * strategy.close / strategy.order would fill), as one alert's values.
   */
  moveTo(target: number, close: number): Record<string, string> {
    const delta = target - this.position;
    if (delta === 0) throw new Error(`the strategy is already at ${target}`);
    return this.fill(delta > 0 ? "buy" : "sell", Math.abs(delta), close);
  }
}

/**
 * Replaces every `{{placeholder}}` of an alert message like TradingView does.
 * A placeholder without a value is an error here: a test must never send a
 * template TradingView could not fill.
 */
export function renderAlert(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the template uses {{${name}}}, which this test does not fill`);
    return value;
  });
}
