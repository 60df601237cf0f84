/**
 * Every messageCode a trader can see from the webhook or on a trade, with
 * its HTTP status (webhook replies only) and a default sentence. Names follow
 * TradersPost's codes where TradersPost has one, kebab-cased otherwise.
 *
 * - `webhook`: the HTTP reply of `POST /webhook/...` (400/404/413/429...).
 *   Field errors from the signal parser are webhook codes.
 * - `trade`: a trade rejected by the decision core (`decide()`), shown on
 *   the trade; the webhook itself answered 200.
 * - `strategy`: checks that need the strategy (ticker form, allowed tickers,
 *   asset class, signal age). The webhook route may answer them with a 400
 *   (as TradersPost does); `decide()` also applies them per subscription, and
 *   then they are trade rejections.
 * - `outcome`: what an accepted trade does (TradersPost's outcome messages).
 *
 * docs/signals.md lists every code here; a test enforces it.
 *
 * @module
 */

export interface MessageCodeInfo {
  scope: "webhook" | "strategy" | "trade" | "outcome";
  /** HTTP status of the webhook reply; for `webhook` and `strategy` codes. */
  status?: 400 | 404 | 405 | 413 | 429 | 500 | 503;
  /** Default sentence; actual messages are more specific. */
  message: string;
}

const w = (message: string, status: MessageCodeInfo["status"] = 400): MessageCodeInfo => ({ scope: "webhook", status, message });
const t = (message: string): MessageCodeInfo => ({ scope: "trade", message });
const st = (message: string): MessageCodeInfo => ({ scope: "strategy", status: 400, message });
const o = (message: string): MessageCodeInfo => ({ scope: "outcome", message });

/** Webhook-level codes: request, authentication and parse errors. */
export const WEBHOOK_CODES = {
  "post-required": w("Webhooks must be sent with HTTP POST."),
  "not-found": w("Webhook not found.", 404),
  "too-many-requests": w("Too many requests to this webhook; slow the alerts down.", 429),
  "payload-too-large": w("The message is too large; signals are a few hundred bytes.", 413),
  "temporarily-unavailable": w("Tradeloop could not store the signal; the sender should retry.", 503),
  "strategy-disabled": w("The strategy is disabled; enable it to trade its alerts."),
  "invalid-password": w("The secret in the webhook URL is not correct; copy the URL again from the strategy."),
  "not-trading-view": w("This strategy only accepts signals from TradingView's servers."),
  "not-trend-spider": w("This strategy only accepts signals from TrendSpider's servers."),
  "invalid-ip-address": w("This strategy only accepts signals from its configured IP addresses."),
  "invalid-ip-address-format": w("The strategy's IP address list holds an address that is not valid."),
  "empty-json": w("The message is empty; put the signal JSON in the alert's message."),
  "malformed-json": w("The message is not valid JSON; look for trailing commas and curly quotes."),
  "json-too-deep": w("The message nests objects or lists too deeply; a signal is a flat object."),
  "invalid-payload": w("The message must be a JSON object (or a list of 1 to 10) with \"ticker\" and \"action\"."),
  // Field errors
  "invalid-ticker": w("\"ticker\" must be a symbol such as \"AAPL\"."),
  "empty-ticker-name": w("\"ticker\" is empty."),
  "invalid-action": w("\"action\" must be one of buy, sell, exit, cancel, add, reverse, breakeven."),
  "invalid-sentiment": w("\"sentiment\" must be one of bullish, bearish, flat (or long, short)."),
  "invalid-sentiment-action": w("\"sentiment\" only goes with action buy or sell."),
  "invalid-quantity": w("\"quantity\" must be a positive number."),
  "invalid-quantity-type": w("\"quantityType\" must be one of fixed_quantity, dollar_amount, risk_dollar_amount, risk_percent, percent_of_equity, percent_of_position."),
  "invalid-quantity-type-action": w("\"quantityType\" only goes with action buy, sell, exit, add or reverse."),
  "invalid-percent-of-position-action": w("\"quantityType\" percent_of_position only goes with action buy, sell or exit."),
  "invalid-risk-dollar-amount-action": w("Risk quantity types size entries, so they do not go with action exit."),
  "quantity-type-requires-quantity": w("A \"quantityType\" other than fixed_quantity needs a \"quantity\"."),
  "invalid-target-position": w("\"targetPosition\" must be a number: positive for long, negative for short, 0 for flat."),
  "invalid-target-position-action": w("\"targetPosition\" only goes with action buy or sell."),
  "invalid-target-position-sentiment": w("\"sentiment\" and \"targetPosition\" name different sides."),
  "invalid-target-position-quantity-type": w("\"targetPosition\" counts units, so it does not go with a \"quantityType\"."),
  "invalid-signal-price": w("\"signalPrice\" (or \"price\") must be a positive number."),
  "invalid-order-type": w("\"orderType\" must be one of market, limit, stop, stop_limit, trailing_stop."),
  "invalid-limit-price": w("\"limitPrice\" must be a positive number."),
  "invalid-stop-price": w("\"stopPrice\" must be a positive number."),
  "invalid-trail-amount": w("\"trailAmount\" must be a positive number."),
  "invalid-trail-percent": w("\"trailPercent\" must be a number greater than 0 and below 100."),
  "invalid-trailing-stop": w("\"orderType\" trailing_stop needs exactly one of \"trailAmount\" and \"trailPercent\"."),
  "invalid-time-in-force": w("\"timeInForce\" must be one of day, gtc, opg, cls, ioc, fok."),
  "invalid-extended-hours": w("\"extendedHours\" must be true or false, and only applies to stocks and options."),
  "invalid-time": w("\"time\" must be an ISO-8601 time such as 2025-09-09T14:07:08Z."),
  "invalid-interval": w("\"interval\" must be text of at most 32 characters."),
  "invalid-ignore-trading-windows": w("\"ignoreTradingWindows\" must be true or false."),
  "invalid-cancel": w("\"cancel\" must be true or false."),
  "invalid-cancel-order-type": w("\"cancelOrderType\" must be one of market, limit, stop, stop_limit, trailing_stop."),
  "invalid-delay-format": w("\"delay\" must be seconds, a relative time such as \"+5 minutes\", or an ISO time with timezone, at most 24 hours ahead."),
  "invalid-cancel-after": w("\"cancelAfter\" must be a whole number of seconds from 1 to 3600."),
  "invalid-market-price-type": w("\"marketPriceType\" must be one of ask_bid, mark, ask, bid, last."),
  "invalid-bid-ask-spread-filter": w("\"bidAskSpreadFilter\" must be a positive number."),
  "invalid-bid-ask-spread-filter-percent": w("\"bidAskSpreadFilterPercent\" must be a number greater than 0 and at most 100."),
  "invalid-breakeven-offset": w("\"breakevenOffset\" must be a number from 0.001 to 100."),
  "invalid-message-length": w("\"message\" must be 25 to 255 characters."),
  "invalid-expires-at": w("\"expiresAt\" must be an ISO date or time, or a relative time."),
  "invalid-test": w("\"test\" must be true or false."),
  "invalid-option-type": w("\"optionType\" must be one of both, call, put."),
  "invalid-intrinsic-value": w("\"intrinsicValue\" must be one of itm, otm."),
  "invalid-expiration": w("\"expiration\" must be a date YYYY-MM-DD or a relative expiry such as +6 months."),
  "invalid-strike-count": w("\"strikeCount\" must be a whole number from 1 to 500."),
  "invalid-strikes-away": w("\"strikesAway\" must be a whole number from 0 to 100."),
  "invalid-strike-price": w("\"strikePrice\" must be a positive number."),
  "invalid-alert-id": w("\"alertId\" must be text of 1 to 128 characters."),
  "invalid-extras": w("\"extras\" must be a JSON object."),
  "invalid-take-profit": w("\"takeProfit\" must be an object such as {\"percent\": 10}."),
  "invalid-take-profit-limit-price": w("\"takeProfit.limitPrice\" must be a positive number on the profit side of the entry."),
  "invalid-take-profit-percent": w("\"takeProfit.percent\" must be a positive number."),
  "invalid-take-profit-amount": w("\"takeProfit.amount\" must be a positive number."),
  "invalid-take-profit-pnl-amount": w("\"takeProfit.pnlAmount\" must be a positive number."),
  "invalid-take-profit-amount-and-percent": w("\"takeProfit\" takes only one of percent, amount and pnlAmount."),
  "invalid-take-profit-relative-and-absolute": w("\"takeProfit\" takes a relative value or limitPrice, not both."),
  "invalid-take-profit-value-required": w("\"takeProfit\" needs percent, amount, pnlAmount or limitPrice."),
  "invalid-stop-loss": w("\"stopLoss\" must be an object such as {\"type\": \"stop\", \"percent\": 5}."),
  "invalid-stop-loss-type": w("\"stopLoss.type\" must be one of stop, stop_limit, trailing_stop."),
  "invalid-stop-loss-percent": w("\"stopLoss.percent\" must be a number greater than 0 and below 100."),
  "invalid-stop-loss-amount": w("\"stopLoss.amount\" must be a positive number."),
  "invalid-stop-loss-pnl-amount": w("\"stopLoss.pnlAmount\" must be a positive number."),
  "invalid-stop-loss-stop-price": w("\"stopLoss.stopPrice\" must be a positive number on the loss side of the entry."),
  "invalid-stop-loss-limit-price": w("\"stopLoss.limitPrice\" must be a positive number and needs type stop_limit."),
  "invalid-stop-loss-trail-price": w("\"stopLoss.trailPrice\" (old name of trailAmount) must be a positive number and needs type trailing_stop."),
  "invalid-stop-loss-trail-amount": w("\"stopLoss.trailAmount\" must be a positive number and needs type trailing_stop."),
  "invalid-stop-loss-trail-percent": w("\"stopLoss.trailPercent\" must be a number greater than 0 and below 100, and needs type trailing_stop."),
  "invalid-stop-loss-trail-value": w("\"stopLoss\" takes only one of trailAmount and trailPercent."),
  "invalid-stop-loss-trail-value-required": w("\"stopLoss\" of type trailing_stop needs trailAmount or trailPercent."),
  "invalid-stop-loss-amount-and-percent": w("\"stopLoss\" takes only one of percent, amount and pnlAmount."),
  "invalid-stop-loss-relative-and-absolute": w("\"stopLoss\" takes a relative value or stopPrice, not both."),
  "invalid-stop-loss-stop-price-required": w("\"stopLoss\" of type stop_limit needs a stop price or a relative stop."),
  "invalid-stop-loss-value-required": w("\"stopLoss\" needs percent, amount, pnlAmount, stopPrice, or a trail for trailing_stop."),
} as const satisfies Record<string, MessageCodeInfo>;

/**
 * Codes that can be a webhook reply (strategy-level checks in the route) and
 * also a trade rejection (per-subscription checks in `decide()`).
 */
export const STRATEGY_CODES = {
  "ticker-does-not-exist": st("The ticker is not a valid symbol for the strategy's asset class."),
  "invalid-probability-price": st("A prediction-market price is a probability between 0 and 1 (e.g. 0.35)."),
  "unsupported-ticker": st("The ticker is not in the allowed tickers of the strategy or subscription."),
  "invalid-asset-class": st("The ticker belongs to another asset class than the strategy's."),
  "invalid-ticker-and-option-type": st("The option fields contradict the option ticker."),
  "invalid-quantity-type-for-asset-class": st("Futures cannot be sized by dollar amount, risk or percent of equity."),
  "signal-too-old": st("The signal's time is older than the allowed signal age."),
} as const satisfies Record<string, MessageCodeInfo>;

/**
 * Trades the subscription's rules refused: the position, the settings, the
 * windows, the signal's own values, the risk controls and the kill switch,
 * market hours. The alert was fine and Tradeloop worked; it decided that nothing
 * should trade, and says why. A signal whose trades all end here is
 * `nothing-traded` (worker/trading/signal-outcome.ts).
 */
export const RULE_CODES = {
  ...STRATEGY_CODES,
  "add-to-position-disabled": t("Already in a same-side position and allowAddToPosition is off."),
  "no-position-to-exit": t("There is no open position to exit."),
  "no-position-to-add": t("action add needs an open position."),
  "no-position-to-reverse": t("action reverse needs an open position."),
  "position-side-mismatch": t("The signal's sentiment does not fit the open position's side."),
  "exit-quantity-zero": t("The exit quantity rounds down to zero."),
  "entry-quantity-zero": t("The entry quantity rounds down to zero."),
  "sizing-value-required": t("The subscription's sizingMode needs sizingValue."),
  "entry-order-ignored": t("The subscription's sides setting does not allow this entry."),
  "exit-ignored": t("The subscription ignores exit signals (ignoreExits)."),
  "isolate-sides-blocks-exit": t("isolateSides is on, so a buy/sell does not close the opposite position."),
  "entry-blocked-by-lock": t("Entries are locked for this account until the lockout ends."),
  "outside-trading-window": t("The signal arrived outside the subscription's trading windows."),
  "spread-filter-exceeded": t("The bid-ask spread is wider than the spread filter allows."),
  "breakeven-not-supported": t("Breakeven needs an open position with a known average price."),
  "breakeven-order-type-required": t("Breakeven needs orderType stop or stop_limit."),
  "no-price": t("No price is known for the ticker; send price in the alert."),
  "equity-unavailable": t("The account's equity is not known, so percent sizing is impossible."),
  "point-value-unknown": t("The instrument's point value is not known, so pnlAmount cannot be converted."),
  "quantity-type-requires-stop-loss": t("Risk sizing needs a price-based stop loss from the signal or subscription."),
  "order-type-not-supported": t("The broker does not support this order type."),
  "trailing-stop-not-supported": t("The broker does not support trailing stops."),
  "extended-hours-requires-limit": t("Extended-hours orders must be limit orders."),
  "extended-hours-not-supported": t("The broker does not support extended-hours orders."),
  "shorting-not-supported": t("The broker does not support short positions for this asset class."),
  "brackets-not-supported": t("The broker cannot attach both a take profit and a stop loss to an entry."),
  "bracket-prices": t("A bracket's take profit is not on the profit side of its stop loss (above it for a buy, below for a sell)."),
  "option-contract-not-resolved": t("The option contract could not be resolved; send an exact contract."),
  "invalid-take-profit-limit-price": t("The take profit is not on the profit side of the entry price."),
  "invalid-stop-loss-stop-price": t("The stop loss is not on the loss side of the entry price."),
  "invalid-stop-loss-value-required": t("The signal's stop loss type has no value, and the subscription has no stop loss."),
  "invalid-stop-loss-trail-value-required": t("The signal's trailing stop loss has no trail, and the subscription has no stop loss."),
  "invalid-trailing-stop": t("A trailing stop order needs trailAmount or trailPercent."),
  "invalid-extended-hours": t("Extended hours only apply to stocks and options."),
  "invalid-breakeven-offset": t("The breakeven offset puts the stop at or below zero."),
  "position-at-target": t("The account already holds the signal's target position; nothing was sent."),
  // Risk controls (worker/trading/risk.ts): they stop entries; exits still run.
  "kill-switch-active": t("Your kill switch is on: every entry on every subscription is paused; exits still run."),
  "daily-loss-limit-reached": t("The subscription's P&L for the trading day reached its daily loss limit; entries stop until the day resets."),
  "daily-profit-target-reached": t("The subscription's P&L for the trading day reached its daily profit target; entries stop until the day resets."),
  "max-open-positions-reached": t("The account already holds maxOpenPositions positions, so a position in another ticker was not opened."),
  "max-position-exceeded": t("The entry would take the position past maxPositionQuantity or maxPositionNotional."),
  // Market hours (worker/trading/market-hours.ts).
  "outside-market-hours": t("The market is closed and the subscription's marketHours is reject."),
  "replaced-by-newer-signal": t("The trade waited for the market to open, and a newer signal for the same ticker replaced it."),
} as const satisfies Record<string, MessageCodeInfo>;

/**
 * Set on a trade while it executes: the approval flow, the queue, Tradeloop's
 * own failures, and the broker's answers (the plugins' error tables, the same
 * codes for every broker).
 */
export const EXECUTION_CODES = {
  "internal-error": t("Tradeloop failed to decide this trade; this is a bug."),
  "queue-unavailable": t("The signal could not be queued for the subscription; no order was sent."),
  "approval-rejected": t("The trade was rejected by its approver; nothing was sent."),
  "approval-timeout": t("Nobody approved the trade within approvalTimeoutSeconds; nothing was sent."),
  "duplicate": t("The delivery repeated an earlier signal (same alertId, or identical body within the duplicate window); not executed again."),
  "order-outcome-unknown": t("The broker could not confirm whether an order was placed; check the broker account before resending."),
  "exit-not-filled": t("The exit did not fill in time, so the entry after it was not sent; the exit keeps working at the broker."),
  "order-rejected": t("The broker rejected the order."),
  "order-cancelled": t("The order was cancelled before it filled, so the next step was not sent."),
  "order-expired": t("The order expired before it filled, so the next step was not sent."),
  "connection-expired": t("The broker connection's credentials expired; reconnect it."),
  "connection-disconnected": t("The broker connection was disconnected, so its subscriptions are paused; reconnect it and resume them."),
  "connection-not-found": t("The subscription's broker connection was deleted."),
  "unknown-broker": t("The connection's broker plugin is not installed."),
  "asset-class-not-supported": t("The broker does not trade this asset class."),
  "time-in-force-not-supported": t("The broker does not accept this time in force."),
  "fractional-not-supported": t("The broker does not accept fractional quantities for this asset class."),
  "order-price-missing": t("The order type needs a limit or stop price."),
  "invalid-client-order-id": t("The client order id breaks the broker's length or character rules."),
  "broker-maintenance": t("The broker is in its maintenance window; try again after it."),
  "insufficient-funds": t("The broker refused the order for lack of buying power."),
  "invalid-order": t("The broker refused the order as invalid."),
  "invalid-symbol": t("The broker does not know the symbol."),
  "min-notional": t("The order is below the broker's minimum size or value."),
  "trading-not-allowed": t("The connection may not trade (a read-only link, or the brokerage behind it takes no orders this way); nothing was sent."),
  "invalid-price": t("The broker refused the price (tick, collar or side)."),
  "market-closed": t("The market is closed for this order type."),
  "duplicate-client-order-id": t("The broker already has an order with this client id (reconciled, never resent)."),
  "order-not-found": t("The broker has no such order."),
  "order-not-cancelable": t("The order can no longer be cancelled."),
  "rate-limited": t("The broker's rate limit was hit (retried with back-off first)."),
  "broker-unavailable": t("The broker answered with a server error (retried first)."),
  "broker-unreachable": t("The broker could not be reached (retried first)."),
  "broker-timeout": t("The broker did not answer in time."),
  "bad-response": t("The broker's answer could not be read."),
  "auth-failed": t("The broker refused the connection's credentials; the connection is marked expired."),
  "unsupported": t("The broker plugin cannot do this; nothing was sent."),
  "queued-until-open": t("The market is closed and the subscription's marketHours is queue: the trade waits for the open."),
} as const satisfies Record<string, MessageCodeInfo>;

/** Every code a trade can carry when it did not trade as planned. */
export const TRADE_CODES = { ...RULE_CODES, ...EXECUTION_CODES } as const satisfies Record<string, MessageCodeInfo>;

/** Successful trade outcomes (TradersPost's outcome messages). */
export const OUTCOME_CODES = {
  "enter-new-position": o("Enter New Position: opens a position from flat."),
  "close-open-position": o("Close Open Position: exits the whole position."),
  "exit-partial-position": o("Exit Partial Position: exits part of the position."),
  "add-to-position": o("Add To Position: adds to the open position."),
  "cancel-open-orders": o("Cancel Open Orders: cancels the ticker's open orders."),
  "exit-signal-no-new-position": o("Exit Signal No New Position: exits, and enters nothing (sides, windows, quantity)."),
  "sides-swapping-disabled": o("Sides Swapping Disabled: exits the opposite position without entering the new side."),
  "reverse-position": o("Reverse: exits, then enters the opposite side."),
  breakeven: o("Breakeven: places a stop at the average entry price plus the offset."),
} as const satisfies Record<string, MessageCodeInfo>;

/** A signal's `outcomeCode` when none of its trades carries one (worker/trading/signal-outcome.ts). */
export const SIGNAL_CODES = {
  "no-subscriptions": o("The strategy had no enabled subscription when the signal arrived, so nothing traded."),
} as const satisfies Record<string, MessageCodeInfo>;

export type WebhookCode = keyof typeof WEBHOOK_CODES;
export type TradeCode = keyof typeof TRADE_CODES;
export type OutcomeMessageCode = keyof typeof OUTCOME_CODES;
export type SignalCode = keyof typeof SIGNAL_CODES;
export type MessageCode = WebhookCode | TradeCode | OutcomeMessageCode | SignalCode;

/** Every code, for docs and tests. A code in two scopes keeps its webhook entry. */
export const MESSAGE_CODES: Readonly<Record<string, MessageCodeInfo>> = {
  ...SIGNAL_CODES,
  ...OUTCOME_CODES,
  ...TRADE_CODES,
  ...WEBHOOK_CODES,
};

/** HTTP status for a webhook reply carrying `code` (400 for codes without one). */
export function webhookStatus(code: string): number {
  return MESSAGE_CODES[code]?.status ?? 400;
}
