/**
 * Strategy-level settings: rules that apply to a signal before it reaches
 * any subscription. Every field has a default, so `{}` is valid. The webhook
 * reads these (duplicate window, signal age) when a signal arrives.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { memoizeByJson } from "../lib/memo";
import { isAddressOrRange } from "../lib/ip-address";

/** Default and bounds of a strategy's `webhookRatePerMinute` (limits/throttle.ts turns it into a token bucket). */
export const WEBHOOK_RATE = { default: 60, min: 1, max: 6000 } as const;

/** Settings of a strategy; `{}` is valid and gets every default. */
export const StrategySettingsSchema = z
  .object({
    /**
     * A signal whose body is byte-identical to one received within this many
     * seconds is logged as a duplicate and not executed. 0 turns it off.
     */
    duplicateWindowSeconds: z.number().int().min(0).max(3600).default(0).openapi({
      description: "Ignore a byte-identical signal received within this many seconds of the last one (0 = off).",
    }),
    /**
     * A signal whose own timestamp is older than this is rejected, so an alert
     * delayed in the sender's queue does not trade at a stale price.
     */
    maxSignalAgeSeconds: z.number().int().min(1).max(86_400).optional().openapi({
      description: "Reject a signal whose timestamp is older than this many seconds. Unset = no limit.",
    }),
    /**
     * Signals per minute this webhook takes (a burst of this many, refilled
     * evenly); more is answered 429 `too-many-requests` with Retry-After.
     */
    webhookRatePerMinute: z.number().int().min(WEBHOOK_RATE.min).max(WEBHOOK_RATE.max).default(WEBHOOK_RATE.default).openapi({
      description: `Signals per minute the webhook accepts (a burst of this many, refilled evenly); more get 429 \`too-many-requests\` with Retry-After. Default ${WEBHOOK_RATE.default}.`,
    }),
    /** Optional source restriction (TradersPost's "Limit to TradingView" / "Limit to IP addresses"). */
    allowedSources: z
      .object({
        tradingView: z.boolean().optional().openapi({ description: "Accept signals from TradingView's published alert servers." }),
        ipAddresses: z
          .array(z.string().trim().max(64).refine(isAddressOrRange, { message: "must be an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24" }))
          .max(50)
          .optional()
          .openapi({ description: "IPv4/IPv6 addresses or CIDR ranges to accept." }),
      })
      .strict()
      .optional()
      .openapi({
        description:
          "Accept signals only from these sources; unset accepts any. A refused signal is answered `not-trading-view` (TradingView only) or `invalid-ip-address`.",
      }),
  })
  .strict()
  .openapi("StrategySettings");

/** Strategy settings with defaults applied. */
export type StrategySettings = z.infer<typeof StrategySettingsSchema>;

/**
 * Reads stored settings with defaults applied. Unknown keys (written by
 * another version) are dropped rather than failing the read.
 */
export const resolveStrategySettings: (stored: unknown) => StrategySettings = memoizeByJson((stored) => {
  const result = StrategySettingsSchema.strip().safeParse(stored ?? {});
  return result.success ? result.data : StrategySettingsSchema.parse({});
});
