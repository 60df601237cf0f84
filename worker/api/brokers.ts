/**
 * /api/brokers: the broker plugins installed on this Tradeloop, with their
 * manifest, capabilities and JSON Schemas of what a connection to each needs
 * (credentials with field labels, help and links; settings), so a client can
 * render the forms without knowing any broker. The JSON comes from the same
 * `describePlugin` that docs/brokers.md is generated from.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { plugins } from "../../plugins";
import type { BrokerPlugin } from "../../plugins/sdk";
import { AssetClassSchema } from "../../plugins/sdk";
import { describePlugin } from "../../plugins/sdk/describe";
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
      scheme: z.enum(["none", "apiKey", "oauth2", "portal"]).openapi({
        description: "`portal`: the user links the brokerage in the aggregator's own page (SnapTrade): connect with GET /api/connections/oauth/{id}/start, like OAuth.",
      }),
      credentialsSchema: JsonObjectSchema.openapi({
        description:
          "JSON Schema of the `credentials` a connection takes. Each field has `title` (label), `description` (help), and may have `x-link` (where the key is created), `x-secret` and `examples`.",
      }),
      secretFields: z.array(z.string()).openapi({ description: "Credential fields to mask and never show again." }),
      portal: z
        .object({
          partnerSecrets: z.array(z.string()).openapi({ description: "The Worker secrets holding the operator's partner keys." }),
          registrationUrl: z.string(),
          note: z.string().nullable(),
        })
        .nullable()
        .openapi({ description: "The aggregator's connection portal (scheme `portal`), or null." }),
    }),
    userChosenHosts: z.boolean().openapi({ description: "The user runs the broker's API host (an IBKR gateway): the connection needs `settings.baseUrl`." }),
    settingsSchema: JsonObjectSchema.nullable().openapi({ description: "JSON Schema of the connection `settings`, or null." }),
    rateLimit: z.object({ requests: z.number(), perMs: z.number() }).nullable(),
    maintenanceWindows: z.array(
      z.object({
        timezone: z.string(),
        start: z.string(),
        end: z.string(),
        days: z.array(z.number()).optional(),
        reason: z.string().optional(),
      }),
    ),
    providesQuotes: z.boolean(),
    certification: z.enum(["experimental", "community-tested", "certified"]),
    maintainer: z.string().nullable(),
    docsUrl: z.string().nullable(),
    capabilities: JsonObjectSchema.openapi({
      description: "Method map (native/emulated/unsupported) and order features per asset class. Patterns are regex source strings.",
    }),
  })
  .openapi("Broker");

/** JSON form of {@link BrokerSchema}. */
export type BrokerJson = z.infer<typeof BrokerSchema>;

/** Describes one plugin. */
export function brokerJson(plugin: BrokerPlugin): BrokerJson {
  return describePlugin(plugin);
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
