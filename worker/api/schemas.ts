/**
 * GET /api/schemas: the JSON Schemas of subscription and strategy settings,
 * generated from the same zod schemas the API validates with, so the
 * dashboard's forms take their limits (minimum, maximum, options, defaults)
 * from the one source instead of copying numbers that could drift.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { SubscriptionSettingsSchema } from "../trading/settings";
import { authenticated, createRouter, errorResponses, JsonObjectSchema, jsonResponse } from "./openapi";
import { StrategySettingsSchema } from "../trading/strategy-settings";

const SchemasSchema = z
  .object({
    subscriptionSettings: JsonObjectSchema.openapi({ description: "JSON Schema (draft 2020-12) of a subscription's `settings` (input form: defaults are optional)." }),
    strategySettings: JsonObjectSchema.openapi({ description: "JSON Schema of a strategy's `settings`." }),
  })
  .openapi("SettingsSchemas");

const schemasRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["meta"],
  summary: "JSON Schemas of the settings objects",
  ...authenticated,
  responses: { 200: jsonResponse(SchemasSchema, "The schemas."), ...errorResponses(401) },
});

// Built once per isolate: the schemas are constants.
let cached: z.infer<typeof SchemasSchema> | undefined;

/** The /api/schemas router. */
export const schemasApi = createRouter().openapi(schemasRoute, (c) => {
  cached ??= {
    subscriptionSettings: z.toJSONSchema(SubscriptionSettingsSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    strategySettings: z.toJSONSchema(StrategySettingsSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
  };
  return c.json(cached, 200);
});
