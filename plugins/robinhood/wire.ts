/**
 * Robinhood Crypto Trading API JSON on the wire, as documented. The
 * reference shows some amounts as strings (`buying_power`, executions) and
 * others as numbers (`average_price`, `filled_asset_quantity`, order-config
 * fields), so every amount is accepted as either and normalized to a
 * canonical decimal string before any arithmetic.
 *
 * @module
 */
import { z } from "zod";
import { isDecimal, toDecimal } from "../sdk";

/** A decimal sent as a string or a number. Empty/null = absent. */
export const WireDecimal = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v === "") return null;
    const s = typeof v === "number" ? toDecimal(v) : v.trim();
    if (!isDecimal(s)) {
      ctx.addIssue({ code: "custom", message: `not a decimal: ${String(v)}` });
      return z.NEVER;
    }
    return toDecimal(s);
  });

/** `GET /api/v1/crypto/trading/accounts/`. */
export const WireAccountSchema = z
  .object({ account_number: z.string(), status: z.string(), buying_power: WireDecimal, buying_power_currency: z.string().optional() })
  .loose();
export type WireAccount = z.infer<typeof WireAccountSchema>;

/** The paginated envelope of list endpoints: `next` is a full URL with the cursor. */
function page<T extends z.ZodType>(item: T) {
  return z.object({ next: z.string().nullish(), previous: z.string().nullish(), results: z.array(item) }).loose();
}

export const WireHoldingSchema = z
  .object({ account_number: z.string().optional(), asset_code: z.string(), total_quantity: WireDecimal, quantity_available_for_trading: WireDecimal.optional() })
  .loose();
export type WireHolding = z.infer<typeof WireHoldingSchema>;
export const WireHoldingPageSchema = page(WireHoldingSchema);

const Config = z
  .object({
    asset_quantity: WireDecimal.optional(),
    quote_amount: WireDecimal.optional(),
    limit_price: WireDecimal.optional(),
    stop_price: WireDecimal.optional(),
    time_in_force: z.string().nullish(),
  })
  .loose()
  .nullish();
export type WireConfig = z.infer<typeof Config>;

/** An order (`GET/POST /api/v1/crypto/trading/orders/`). */
export const WireOrderSchema = z
  .object({
    id: z.string(),
    account_number: z.string().optional(),
    symbol: z.string(),
    client_order_id: z.string().nullish(),
    side: z.enum(["buy", "sell"]),
    type: z.string(),
    state: z.string(),
    average_price: WireDecimal.optional(),
    filled_asset_quantity: WireDecimal.optional(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    executions: z.array(z.object({ effective_price: WireDecimal, quantity: WireDecimal, timestamp: z.string().optional() }).loose()).optional(),
    market_order_config: Config,
    limit_order_config: Config,
    stop_loss_order_config: Config,
    stop_limit_order_config: Config,
  })
  .loose();
export type WireOrder = z.infer<typeof WireOrderSchema>;
export const WireOrderPageSchema = page(WireOrderSchema);

/** `GET /api/v1/crypto/marketdata/best_bid_ask/`. */
export const WireBestBidAskSchema = z
  .object({
    results: z.array(
      z
        .object({
          symbol: z.string(),
          price: WireDecimal.optional(),
          bid_inclusive_of_sell_spread: WireDecimal.optional(),
          ask_inclusive_of_buy_spread: WireDecimal.optional(),
          timestamp: z.string().optional(),
        })
        .loose(),
    ),
  })
  .loose();

/** Error body: `{type: validation_error|client_error|server_error, errors: [{attr, detail}]}`. */
export const WireErrorSchema = z
  .object({
    type: z.string().optional(),
    errors: z.array(z.object({ attr: z.string().nullish(), detail: z.string().optional() }).loose()).optional(),
  })
  .loose();
