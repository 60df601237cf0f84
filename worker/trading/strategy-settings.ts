/**
 * Strategy-level settings: rules that apply to a signal before it reaches
 * any subscription. Every field has a default, so `{}` is valid. The webhook
 * reads these (duplicate window, signal age) when a signal arrives.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { memoizeByJson } from "../lib/memo";

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
