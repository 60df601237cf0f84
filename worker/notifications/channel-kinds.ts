/**
 * The kinds of notification channel and what each needs: the settings a
 * user sends (zod), the part that is a secret (sealed at rest with the
 * credential vault, never returned), and what the API shows instead.
 *
 * - `webhook`: any HTTPS endpoint of the user's; Tradeloop signs each
 *   delivery with a secret it generates (shown once, in the create reply).
 * - `discord`: a Discord channel webhook URL (its token is in the URL).
 * - `slack`: a Slack incoming-webhook URL (likewise).
 * - `telegram`: a bot token and a chat id (Bot API `sendMessage`).
 * - `email`: through Resend's HTTP API (an API key, a verified sender, up
 *   to 10 recipients). Why Resend: its send endpoint takes an idempotency
 *   key, so a retry after a lost reply never sends the mail twice; it is one
 *   JSON request with a bearer key from a Worker; and it needs no DNS or
 *   Email Routing setup on the user's Cloudflare zone, which Cloudflare's
 *   own `send_email` binding requires (and that binding only reaches
 *   addresses verified in Email Routing).
 *
 * URLs follow the same host rules as broker URLs (worker/connections/
 * base-url.ts): HTTPS only, never an IP literal or a private or internal
 * name, and this machine only when Tradeloop runs in development. Discord and
 * Slack URLs must be on those services' own hosts.
 *
 * @module
 */
import { z } from "zod";
import { AppError } from "../errors";
import { isLoopbackHost } from "../connections/base-url";

export const CHANNEL_KINDS = ["webhook", "discord", "slack", "telegram", "email"] as const;
export const ChannelKindSchema = z.enum(CHANNEL_KINDS);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

const url = z.string().trim().min(1).max(2048);

/** What a user sends as `settings`, per kind. */
export const CHANNEL_SETTINGS_SCHEMAS = {
  webhook: z.object({ url }).strict(),
  discord: z.object({ url }).strict(),
  slack: z.object({ url }).strict(),
  telegram: z
    .object({
      /** From @BotFather: `<bot id>:<secret>`. */
      botToken: z.string().trim().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, { message: 'must be a bot token from @BotFather, like "123456789:AA..."' }),
      /** A numeric chat id (negative for groups) or a public channel's `@username`. */
      chatId: z.preprocess(
        (v) => (typeof v === "number" && Number.isInteger(v) ? String(v) : v),
        z.string().trim().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, { message: 'must be a numeric chat id or "@channelname"' }),
      ),
    })
    .strict(),
  email: z
    .object({
      provider: z.literal("resend").default("resend"),
      /** A Resend API key (`re_...`) with sending access. */
      apiKey: z.string().trim().min(8).max(200),
      /** A sender on a domain verified in Resend: `alerts@example.com` or `Tradeloop <alerts@example.com>`. */
      from: z.string().trim().min(3).max(200).regex(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, { message: 'must be an email address, or "Name <address>"' }),
      to: z.union([z.email(), z.array(z.email()).min(1).max(10)]),
    })
    .strict(),
} as const;

export type ChannelSettingsInput<K extends ChannelKind> = z.infer<(typeof CHANNEL_SETTINGS_SCHEMAS)[K]>;

/** The sealed part of a channel (opened only to deliver). */
export type ChannelSecret =
  | { kind: "webhook"; url: string; signingSecret: string }
  | { kind: "discord"; url: string }
  | { kind: "slack"; url: string }
  | { kind: "telegram"; botToken: string; chatId: string }
  | { kind: "email"; apiKey: string; from: string; to: string[] };

/** Discord's hosts for channel webhooks. */
const DISCORD_HOSTS = new Set(["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"]);
const DISCORD_PATH = /^\/api\/(v\d+\/)?webhooks\/\d{5,25}\/[A-Za-z0-9_-]{20,200}$/;
const SLACK_HOST = "hooks.slack.com";
const SLACK_PATH = /^\/services\/[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]{8,}$/;

/** Names that only resolve inside a private network. */
const INTERNAL_SUFFIXES = [".internal", ".local", ".localdomain", ".lan", ".home", ".home.arpa", ".intranet", ".corp", ".private"];

function invalid(field: string, message: string): AppError {
  return new AppError("invalid-request", message, { field });
}

/**
 * Why a host may not receive notifications (before the per-kind rules), or
 * null. Until the security work's shared `unsafeHostReason` lands in
 * base-url.ts this keeps to IP literals, single-label and internal names;
 * it is then replaced by that one rule set.
 */
function unsafeHost(host: string): string | null {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (/^[\d.]+$/.test(bare) || bare.includes(":")) return "an IP address; use the endpoint's host name";
  if (!bare.includes(".")) return "a single-label name, which only resolves inside a private network";
  if (INTERNAL_SUFFIXES.some((s) => bare.endsWith(s))) return "an internal name, which only resolves inside a private network";
  return null;
}

/**
 * Checks a channel URL against the host rules and returns it normalized.
 * `loopbackAllowed`: development only (the broker rule's switch).
 */
export function checkChannelUrl(kind: "webhook" | "discord" | "slack", value: string, loopbackAllowed: boolean): string {
  const field = "settings.url";
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(field, `${field} is not a valid URL; paste it in full, starting with https://.`);
  }
  if (parsed.username || parsed.password) throw invalid(field, `${field} must not contain a user name or password.`);
  if (parsed.hash) throw invalid(field, `${field} must not have a #fragment.`);
  const host = parsed.hostname.toLowerCase();
  if (kind === "webhook" && isLoopbackHost(host)) {
    if (!loopbackAllowed) throw invalid(field, `${field} points at this machine (${host}), which is only allowed when Tradeloop runs in development.`);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalid(field, `${field} must use https.`);
    return parsed.href;
  }
  if (parsed.protocol !== "https:") throw invalid(field, `${field} must use https.`);
  if (parsed.port && parsed.port !== "443" && kind !== "webhook") throw invalid(field, `${field} must not name a port.`);
  const unsafe = unsafeHost(host);
  if (unsafe) throw invalid(field, `${field} cannot be ${host}: it is ${unsafe}.`);
  if (kind === "discord" && (!DISCORD_HOSTS.has(host) || !DISCORD_PATH.test(parsed.pathname))) {
    throw invalid(field, `${field} must be a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>): in Discord, open the channel's settings, Integrations, Webhooks, and copy the URL.`);
  }
  if (kind === "slack" && (host !== SLACK_HOST || !SLACK_PATH.test(parsed.pathname))) {
    throw invalid(field, `${field} must be a Slack incoming-webhook URL (https://hooks.slack.com/services/T.../B.../...): add the Incoming Webhooks app to the channel and copy its URL.`);
  }
  if (kind !== "webhook" && parsed.search) throw invalid(field, `${field} must not have a query string.`);
  return parsed.href;
}

/** The settings a channel shows: everything but its secrets (URLs with their token parts masked). */
export function publicSettings(secret: ChannelSecret): Record<string, unknown> {
  switch (secret.kind) {
    case "webhook": {
      const u = new URL(secret.url);
      return { url: `${u.origin}${u.pathname}${u.search ? "?…" : ""}` };
    }
    case "discord": {
      const u = new URL(secret.url);
      return { url: `${u.origin}${u.pathname.replace(/\/[^/]+$/, "/••••")}` };
    }
    case "slack": {
      const u = new URL(secret.url);
      return { url: `${u.origin}${u.pathname.replace(/\/[^/]+$/, "/••••")}` };
    }
    case "telegram":
      return { botToken: `${secret.botToken.split(":")[0]}:••••`, chatId: secret.chatId };
    case "email":
      return { provider: "resend", apiKey: `••••${secret.apiKey.slice(-4)}`, from: secret.from, to: secret.to };
  }
}

/**
 * The channel's secret part from settings already validated against
 * {@link CHANNEL_SETTINGS_SCHEMAS} (the API layer parses them, so its errors
 * name the field), after the host rules. `signingSecret` is a webhook's new
 * secret (generated by the caller).
 */
export function channelSecretFrom(kind: ChannelKind, settings: Record<string, unknown>, options: { loopbackAllowed: boolean; signingSecret: string }): ChannelSecret {
  const v = settings;
  switch (kind) {
    case "webhook":
      return { kind, url: checkChannelUrl(kind, String(v.url), options.loopbackAllowed), signingSecret: options.signingSecret };
    case "discord":
    case "slack":
      return { kind, url: checkChannelUrl(kind, String(v.url), options.loopbackAllowed) };
    case "telegram":
      return { kind, botToken: String(v.botToken), chatId: String(v.chatId) };
    case "email": {
      const to = Array.isArray(v.to) ? (v.to as string[]) : [String(v.to)];
      return { kind, apiKey: String(v.apiKey), from: String(v.from), to };
    }
  }
}
