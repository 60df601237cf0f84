/**
 * Subscription settings: how one broker account follows one strategy.
 * Every field has a default, so `{}` is a valid settings object. The zod
 * schema is the single source of the type and of the API's documentation.
 *
 * @module
 */
import { z } from "zod";

export const SubscriptionSettingsSchema = z
  .object({
    /** Fixed quantity per entry when the signal sends none (or may not override it). */
    quantity: z.number().positive().default(1),
    /** A same-side signal while in a position adds to it. Off: it is rejected. */
    allowAddToPosition: z.boolean().default(false),
    /** An opposite buy/sell exits and then enters the other side. Off: exit only. */
    allowSideSwap: z.boolean().default(true),
    /** Use the signal's `quantity` when it sends one. */
    allowSignalQuantity: z.boolean().default(true),
    /** Use the signal's order type and prices. */
    allowSignalOrderType: z.boolean().default(true),
    /** Fractional quantities are allowed; otherwise quantities round down to whole units. */
    allowFractional: z.boolean().default(false),
  })
  .strict();

export type SubscriptionSettings = z.infer<typeof SubscriptionSettingsSchema>;
export type SubscriptionSettingsInput = z.input<typeof SubscriptionSettingsSchema>;

/** Settings with every default applied. */
export function resolveSettings(input: unknown): SubscriptionSettings {
  return SubscriptionSettingsSchema.parse(input ?? {});
}
