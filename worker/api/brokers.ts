/**
 * /api/brokers: the broker plugins installed on this Tradeloop, with JSON
 * Schemas of what a connection to each needs (credentials, settings), so a
 * client can render the forms without knowing any broker.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { plugins } from "../../plugins";
import type { BrokerPlugin, Capabilities } from "../../plugins/sdk";
import { AssetClassSchema } from "../../plugins/sdk";
import { authenticated, createRouter, errorResponses, JsonObjectSchema, jsonResponse } from "./openapi";

/** An installed broker plugin. */
export const BrokerSchema = z
  .object({
    id: z.string().openapi({ example: "paper" }),
    displayName: z.string(),
    version: z.string(),
    assetClasses: z.array(AssetClassSchema),
    environments: z.object({ paper: z.string().optional(), live: z.string().optional() }),
    auth: z.object({
      scheme: z.enum(["none", "apiKey", "oauth2"]),
      credentialsSchema: JsonObjectSchema.openapi({ description: "JSON Schema of the `credentials` a connection takes." }),
    }),
    settingsSchema: JsonObjectSchema.nullable().openapi({ description: "JSON Schema of the connection `settings`, or null." }),
    providesQuotes: z.boolean(),
    capabilities: JsonObjectSchema.openapi({ description: "What the broker supports per asset class. Patterns are regex source strings." }),
  })
  .openapi("Broker");

/** JSON form of {@link BrokerSchema}. */
export type BrokerJson = z.infer<typeof BrokerSchema>;

/** JSON Schema of a zod schema as a client fills it in (input side: defaults make fields optional). */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  // `unrepresentable: "any"` keeps one odd field (a transform, a date) from hiding the whole form.
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Capabilities as plain JSON: RegExps become their source string. */
function capabilitiesJson(capabilities: Capabilities): Record<string, unknown> {
  return JSON.parse(JSON.stringify(capabilities, (_key, value: unknown) => (value instanceof RegExp ? value.source : value))) as Record<
    string,
    unknown
  >;
}

/** Describes one plugin. */
export function brokerJson(plugin: BrokerPlugin): BrokerJson {
  const m = plugin.manifest;
  return {
    id: m.id,
    displayName: m.displayName,
    version: m.version,
    assetClasses: [...m.assetClasses],
    environments: { ...m.environments },
    auth: { scheme: m.auth.scheme, credentialsSchema: jsonSchemaOf(m.auth.credentials) },
    settingsSchema: m.settings ? jsonSchemaOf(m.settings) : null,
    providesQuotes: m.providesQuotes,
    capabilities: capabilitiesJson(plugin.capabilities),
  };
}

const listRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["brokers"],
  summary: "List installed brokers",
  ...authenticated,
  responses: { 200: jsonResponse(z.array(BrokerSchema), "Installed broker plugins."), ...errorResponses(401) },
});

/** The /api/brokers router. */
export const brokersApi = createRouter().openapi(listRoute, (c) => c.json(Object.values(plugins).map(brokerJson), 200));
