/**
 * A plugin as plain JSON: what `GET /api/brokers` serves and what
 * docs/brokers.md is generated from. One function, so the dashboard and the
 * docs can never disagree.
 *
 * @module
 */
import { z } from "zod";
import type { Capabilities } from "./capabilities";
import type { Certification, MaintenanceWindow, RateLimit } from "./manifest";
import { secretCredentialKeys } from "./manifest";
import type { AssetClass } from "./models";
import type { BrokerPlugin } from "./plugin";

/** JSON form of a plugin. RegExps become their source string. */
export interface PluginDescription {
  id: string;
  displayName: string;
  version: string;
  assetClasses: AssetClass[];
  environments: { paper?: string; live?: string };
  auth: {
    scheme: "none" | "apiKey" | "oauth2";
    /** JSON Schema of the credentials, with per-field `title`, `description`, `x-link`, `x-secret`, `examples`. */
    credentialsSchema: Record<string, unknown>;
    /** Fields the dashboard masks and never shows again. */
    secretFields: string[];
    /**
     * The OAuth connect flow, when the broker has one (the dashboard shows a
     * Connect button that opens `GET /api/connections/oauth/{id}/start`).
     */
    oauth: {
      environments: ("paper" | "live")[];
      scopes: string[];
      pkce: boolean;
      /** The Worker secrets the operator sets after registering the app. */
      secrets: { clientId: string; clientSecret: string };
      registrationUrl: string;
      note: string | null;
    } | null;
  };
  settingsSchema: Record<string, unknown> | null;
  rateLimit: RateLimit | null;
  maintenanceWindows: (Omit<MaintenanceWindow, "days"> & { days?: number[] })[];
  providesQuotes: boolean;
  certification: Certification;
  maintainer: string | null;
  docsUrl: string | null;
  capabilities: Record<string, unknown>;
}

/** JSON Schema of a zod schema as a client fills it in (input side: defaults make fields optional). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  // `unrepresentable: "any"` keeps one odd field (a transform, a date) from hiding the whole form.
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Capabilities as plain JSON. */
export function capabilitiesJson(capabilities: Capabilities): Record<string, unknown> {
  return JSON.parse(JSON.stringify(capabilities, (_key, value: unknown) => (value instanceof RegExp ? value.source : value))) as Record<string, unknown>;
}

/** Describes one plugin. */
export function describePlugin(plugin: BrokerPlugin): PluginDescription {
  const m = plugin.manifest;
  return {
    id: m.id,
    displayName: m.displayName,
    version: m.version,
    assetClasses: [...m.assetClasses],
    environments: { ...m.environments },
    auth: {
      scheme: m.auth.scheme,
      credentialsSchema: jsonSchemaOf(m.auth.credentials),
      secretFields: secretCredentialKeys(m.auth.credentials),
      oauth: m.auth.oauth
        ? {
            environments: (["paper", "live"] as const).filter((e) => m.auth.oauth!.authorizationEndpoint[e] !== undefined && m.environments[e] !== undefined),
            scopes: [...m.auth.oauth.scopes],
            pkce: m.auth.oauth.pkce,
            secrets: { ...m.auth.oauth.secrets },
            registrationUrl: m.auth.oauth.registrationUrl,
            note: m.auth.oauth.connectNote ?? null,
          }
        : null,
    },
    settingsSchema: m.settings ? jsonSchemaOf(m.settings) : null,
    rateLimit: m.rateLimit ? { ...m.rateLimit } : null,
    maintenanceWindows: (m.maintenanceWindows ?? []).map(({ days, ...w }) => (days ? { ...w, days: [...days] } : w)),
    providesQuotes: m.providesQuotes,
    certification: m.certification ?? "experimental",
    maintainer: m.maintainer ?? null,
    docsUrl: m.docsUrl ?? null,
    capabilities: capabilitiesJson(plugin.capabilities),
  };
}
