/**
 * The plugin manifest: what a broker is and how to connect to it, as plain
 * data. `GET /api/brokers`, the dashboard's connection form and
 * docs/brokers.md are generated from it, so nothing here may need I/O.
 *
 * @module
 */
import { z } from "zod";
import { AssetClassSchema, type AssetClass } from "./models";
import type { PartnerSpec, PortalSpec } from "./portal";
import type { OAuthSpec } from "./session";

/** Base URLs per environment. A plugin declares only the ones it has. */
export interface PluginEnvironments {
  paper?: string;
  live?: string;
}

/** How a connection authenticates. `credentials` is the form the dashboard renders (see {@link credentialField}). */
export interface PluginAuth<TCredentials extends z.ZodType = z.ZodType> {
  /**
   * `portal`: the user links the brokerage in an aggregator's web page
   * (SnapTrade); the core runs the flow with the plugin's `portal` hooks.
   */
  scheme: "none" | "apiKey" | "oauth2" | "portal";
  credentials: TCredentials;
  /**
   * The broker's OAuth authorization-code flow, when it has one: the only way
   * in for scheme `oauth2`, a second way beside the credentials form otherwise
   * (Alpaca, Tradovate). See `session.ts`.
   */
  oauth?: OAuthSpec;
  /** The aggregator's connection portal (scheme `portal`). See portal.ts. */
  portal?: PortalSpec;
  /** The operator's partner keys at an aggregator, read from Worker secrets and handed to the plugin as `ctx.partner`. */
  partner?: PartnerSpec;
}

/** A request budget the broker enforces per connection (or per key). */
export interface RateLimit {
  requests: number;
  perMs: number;
}

/**
 * A daily window when the broker refuses or drops orders, in the broker's
 * own time zone (IBKR: `{ timezone: "America/New_York", start: "23:45", end: "00:45" }`).
 * `end` before `start` means the window crosses midnight. The core refuses
 * orders inside a window before sending them.
 */
export interface MaintenanceWindow {
  /** IANA time zone, e.g. `America/New_York`. */
  timezone: string;
  /** `HH:MM`, 24-hour, inclusive. */
  start: string;
  /** `HH:MM`, 24-hour, exclusive. */
  end: string;
  /** Days (0 = Sunday) the window starts on; default every day. */
  days?: readonly number[];
  /** What happens, for the trader (e.g. "daily server reset"). */
  reason?: string;
}

/**
 * How the core reaches the broker.
 *
 * - `network` (the default): HTTPS to the chosen environment's base URL, or
 *   to the connection's `baseUrl` override.
 * - `durable-object`: the broker runs inside Tradeloop, as a Durable Object
 *   class the Worker binds under `binding`, one object per connection (named
 *   by the connection id). Its `fetch` serves the plugin's HTTP requests,
 *   addressed to the environment's base URL plus `basePath` with
 *   `:connectionId` filled in. The paper broker is reached this way.
 */
export type PluginTransport = { kind: "network" } | { kind: "durable-object"; binding: string; basePath: string };

/**
 * How far a plugin has been verified: `experimental` (passes the kit against
 * its fake), `community-tested` (someone traded it on a sandbox account with
 * the checklist), `certified` (a maintainer re-ran the checklist live and
 * owns it). See plugins/README.md.
 */
export type Certification = "experimental" | "community-tested" | "certified";

export interface PluginManifest<TCredentials extends z.ZodType = z.ZodType> {
  /** Stable id used in URLs and the database, e.g. `alpaca`. Lower-case letters, digits and dashes. */
  id: string;
  displayName: string;
  /** Semver of the plugin (not of the broker's API). */
  version: string;
  assetClasses: readonly AssetClass[];
  environments: PluginEnvironments;
  /**
   * Every host name the plugin's requests may go to: its environments'
   * hosts and any other it calls (a market-data host, a token endpoint).
   * Lower-case names, no scheme or port. The core sends credentials only
   * here: a base URL elsewhere is refused, and the transport refuses a
   * request to any other host at send time. The conformance kit checks that
   * every environment URL is inside this list.
   */
  hosts: readonly string[];
  /**
   * True only for brokers whose API is reached on a host the user runs
   * (an Interactive Brokers Client Portal gateway): a base URL outside
   * {@link hosts} is then accepted (still never an IP literal, private or
   * internal name) and shown to the user with a warning. Default false.
   */
  userChosenHosts?: boolean;
  auth: PluginAuth<TCredentials>;
  /** Requests per window the broker allows per connection; the core's fetch enforces it. */
  rateLimit?: RateLimit;
  maintenanceWindows?: readonly MaintenanceWindow[];
  /** Whether the plugin implements `getQuote` with real market data. */
  providesQuotes: boolean;
  /** How requests reach the broker; default `{ kind: "network" }`. */
  transport?: PluginTransport;
  /** Schema of connection settings that are not secret (environment, startingCash...). */
  settings?: z.ZodType;
  /**
   * Settings keys (besides `environment` and `baseUrl`, which always count)
   * that change where the plugin's requests go, e.g. an IBKR gateway host.
   * Changing one needs the credentials again (the core re-tests the
   * connection), so a stolen session cannot redirect stored keys elsewhere.
   */
  routingSettings?: readonly string[];
  /** Default `experimental`. */
  certification?: Certification;
  /** Who answers for this plugin (GitHub handle). */
  maintainer?: string;
  /** The broker's API documentation, for reviewers. */
  docsUrl?: string;
}

/** Display metadata of one credential field, exported into the credentials JSON Schema. */
export interface CredentialFieldMeta {
  /** Form label, e.g. "API key ID". */
  label: string;
  /** One sentence: what it is and where to find it. */
  help: string;
  /** Page of the broker's site where the key is created. */
  link?: string;
  /** A secret is masked in the form, never shown again, and redacted from logs. Default true. */
  secret?: boolean;
  /** Example of the format (never a real value). */
  placeholder?: string;
}

/**
 * Attaches form metadata to a credential field. It travels with the zod
 * schema, so `z.toJSONSchema` (and therefore `GET /api/brokers`) carries it
 * as `title`, `description`, `x-link`, `x-secret` and `examples`.
 *
 * ```ts
 * apiKey: credentialField(z.string().min(1), { label: "API key", help: "Settings → API", link: "https://…" })
 * ```
 */
export function credentialField<S extends z.ZodType>(schema: S, meta: CredentialFieldMeta): S {
  return schema.meta({
    title: meta.label,
    description: meta.help,
    "x-secret": meta.secret ?? true,
    ...(meta.link !== undefined && { "x-link": meta.link }),
    ...(meta.placeholder !== undefined && { examples: [meta.placeholder] }),
  });
}

/** Names of the credential fields marked secret (all fields unless `secret: false`). */
export function secretCredentialKeys(credentials: z.ZodType): string[] {
  if (!(credentials instanceof z.ZodObject)) return [];
  return Object.entries(credentials.shape as Record<string, z.ZodType>)
    .filter(([, field]) => field.meta()?.["x-secret"] !== false)
    .map(([key]) => key);
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Validates a manifest's data (used by the conformance kit's contract layer). */
export const PluginManifestShape = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, "lower-case letters, digits and dashes, 2-32 characters"),
  displayName: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+(-[\w.]+)?$/, "semver"),
  assetClasses: z.array(AssetClassSchema).min(1),
  environments: z
    .object({ paper: z.url().optional(), live: z.url().optional() })
    .refine((e) => e.paper !== undefined || e.live !== undefined, "at least one environment"),
  hosts: z.array(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, "a lower-case host name with a dot, no scheme or port")).min(1),
  userChosenHosts: z.boolean().optional(),
  auth: z
    .object({
      scheme: z.enum(["none", "apiKey", "oauth2", "portal"]),
      credentials: z.custom<z.ZodType>((v) => v instanceof z.ZodType),
      oauth: z
        .object({
          authorizationEndpoint: z.object({ paper: z.url().optional(), live: z.url().optional() }),
          tokenEndpoint: z.object({ paper: z.url().optional(), live: z.url().optional() }),
          revocationEndpoint: z.object({ paper: z.url().optional(), live: z.url().optional() }).optional(),
          scopes: z.array(z.string().min(1)),
          pkce: z.boolean(),
          clientAuthentication: z.enum(["client_secret_post", "client_secret_basic"]),
          secrets: z.object({ clientId: z.string().regex(/^[A-Z][A-Z0-9_]+$/), clientSecret: z.string().regex(/^[A-Z][A-Z0-9_]+$/) }),
          registrationUrl: z.url(),
        })
        .loose()
        .optional(),
      portal: z.object({ registrationUrl: z.url(), connectNote: z.string().optional() }).optional(),
      partner: z.object({ secrets: z.record(z.string().min(1), z.string().regex(/^[A-Z][A-Z0-9_]+$/)), registrationUrl: z.url() }).optional(),
    })
    .refine((a) => a.scheme !== "oauth2" || a.oauth !== undefined, "scheme oauth2 needs auth.oauth")
    .refine((a) => a.scheme !== "portal" || (a.portal !== undefined && a.partner !== undefined), "scheme portal needs auth.portal and auth.partner"),
  rateLimit: z.object({ requests: z.int().positive(), perMs: z.int().positive() }).optional(),
  maintenanceWindows: z
    .array(
      z.object({
        timezone: z.string().min(1),
        start: z.string().regex(HHMM),
        end: z.string().regex(HHMM),
        days: z.array(z.int().min(0).max(6)).optional(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
  providesQuotes: z.boolean(),
  transport: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("network") }),
      z.object({ kind: z.literal("durable-object"), binding: z.string().regex(/^[A-Z][A-Z0-9_]*$/), basePath: z.string().startsWith("/") }),
    ])
    .optional(),
  settings: z.custom<z.ZodType>((v) => v instanceof z.ZodType).optional(),
  routingSettings: z.array(z.string().min(1)).optional(),
  certification: z.enum(["experimental", "community-tested", "certified"]).optional(),
  maintainer: z.string().optional(),
  docsUrl: z.url().optional(),
});

/** The lower-case host name of a URL, or null when it does not parse. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Environment URLs whose host is not in the manifest's `hosts` (the kit's contract layer reports them). */
export function undeclaredEnvironmentHosts(manifest: Pick<PluginManifest, "environments" | "hosts">): string[] {
  const declared = new Set(manifest.hosts.map((h) => h.toLowerCase()));
  return Object.values(manifest.environments).filter((url): url is string => typeof url === "string" && !declared.has(hostOf(url) ?? ""));
}

/** Minutes since midnight of `now` in `timezone`, and the weekday there (0 = Sunday). */
function localClock(now: Date, timezone: string): { minutes: number; day: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
  return { minutes: Number(get("hour")) * 60 + Number(get("minute")), day };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The maintenance window `now` falls in, if any, with the milliseconds left
 * until it ends (to the minute). Computed in the window's own time zone, so
 * daylight-saving changes are followed.
 */
export function activeMaintenanceWindow(
  windows: readonly MaintenanceWindow[] | undefined,
  now: Date,
): { window: MaintenanceWindow; endsInMs: number } | undefined {
  for (const window of windows ?? []) {
    const { minutes, day } = localClock(now, window.timezone);
    const start = toMinutes(window.start);
    const end = toMinutes(window.end);
    const crossesMidnight = end <= start;
    const inside = crossesMidnight ? minutes >= start || minutes < end : minutes >= start && minutes < end;
    if (!inside) continue;
    // The day that counts is the one the window started on.
    const startDay = crossesMidnight && minutes < end ? (day + 6) % 7 : day;
    if (window.days && !window.days.includes(startDay)) continue;
    const left = (end - minutes + 24 * 60) % (24 * 60) || 24 * 60;
    return { window, endsInMs: left * 60_000 - now.getUTCSeconds() * 1000 - now.getUTCMilliseconds() };
  }
  return undefined;
}
