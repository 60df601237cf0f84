/**
 * One delivery attempt per channel kind: the request each service's API
 * documents, and what its answer means (delivered, worth retrying, or
 * refused for good).
 *
 * - webhook: `POST <url>` with the event JSON, signed (signing.ts); any 2xx
 *   is delivered, anything else is retried (the receiver may be deploying).
 * - Discord: `POST <webhook url>?wait=true` with `{content, allowed_mentions}`
 *   (≤ 2000 characters; `wait` makes Discord confirm the message was saved:
 *   200 with the message), 429 with `retry_after` seconds.
 * - Slack: `POST <incoming webhook url>` with `{text}`; `200 ok`, errors as
 *   plain text (`invalid_payload`, `channel_is_archived`...).
 * - Telegram: `POST https://api.telegram.org/bot<token>/sendMessage` with
 *   `{chat_id, text}` (≤ 4096 characters); `{ok, result}` or `{ok: false,
 *   error_code, description, parameters.retry_after}`.
 * - Email: `POST https://api.resend.com/emails` with a bearer key and the
 *   delivery id as `Idempotency-Key` (a retry after a lost reply sends once).
 *
 * Redirects are never followed (a redirect could lead anywhere the host rules
 * forbid). A service that refuses the request itself (bad token, deleted
 * webhook, archived channel: 400/401/403/404/410) is not retried: the
 * channel needs fixing, and the attempt says how.
 *
 * @module
 */
import { errorMessage } from "../../plugins/sdk";
import type { ChannelSecret } from "./channel-kinds";
import { eventText, eventTitle, type NotificationEvent } from "./events";
import { SIGNATURE_HEADER, signatureHeader } from "./signing";

/** How long one attempt may take. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Telegram's Bot API host. */
export const TELEGRAM_API = "https://api.telegram.org";
/** Resend's API host. */
export const RESEND_API = "https://api.resend.com";

const USER_AGENT = "Tradeloop-Notifications/1";
const DISCORD_MAX = 2000;
const TELEGRAM_MAX = 4096;

/** What one attempt came to. */
export interface AttemptOutcome {
  result: "delivered" | "retry" | "failed";
  /** The HTTP status, or null when no answer came. */
  httpStatus: number | null;
  /** One sentence: what the service said, or why it was not reached. */
  detail: string;
  /** The service asked to wait this long before the next attempt. */
  retryAfterMs: number | null;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Builds the request for one attempt of `event` on a channel. */
export async function buildRequest(secret: ChannelSecret, event: NotificationEvent, ids: { deliveryId: string; nowMs: number }): Promise<Request> {
  const json = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(url, { method: "POST", headers: { "Content-Type": "application/json", "User-Agent": USER_AGENT, ...headers }, body: JSON.stringify(body), redirect: "manual" });
  switch (secret.kind) {
    case "webhook": {
      const body = JSON.stringify(event);
      const t = Math.floor(ids.nowMs / 1000);
      return new Request(secret.url, {
        method: "POST",
        redirect: "manual",
        body,
        headers: {
          "Content-Type": "application/json",
          "User-Agent": USER_AGENT,
          "X-Tradeloop-Event": event.type,
          "X-Tradeloop-Event-Id": event.id,
          "X-Tradeloop-Delivery": ids.deliveryId,
          [SIGNATURE_HEADER]: await signatureHeader(secret.signingSecret, body, t),
        },
      });
    }
    case "discord": {
      const u = new URL(secret.url);
      u.searchParams.set("wait", "true");
      // No mentions: an event's text must never ping @everyone.
      return json(u.href, { content: clip(eventText(event), DISCORD_MAX), allowed_mentions: { parse: [] } });
    }
    case "slack":
      return json(secret.url, { text: eventText(event) });
    case "telegram":
      return json(`${TELEGRAM_API}/bot${secret.botToken}/sendMessage`, {
        chat_id: /^-?\d+$/.test(secret.chatId) ? Number(secret.chatId) : secret.chatId,
        text: clip(eventText(event), TELEGRAM_MAX),
        link_preview_options: { is_disabled: true },
      });
    case "email":
      return json(
        `${RESEND_API}/emails`,
        { from: secret.from, to: secret.to, subject: `[Tradeloop] ${eventTitle(event)}`, text: eventText(event) },
        { Authorization: `Bearer ${secret.apiKey}`, "Idempotency-Key": ids.deliveryId },
      );
  }
}

/** Seconds (Retry-After header or a JSON field) to milliseconds. */
function seconds(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n * 1000) : null;
}

async function readText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 2000);
  } catch {
    return "";
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Statuses that mean the request itself is refused: retrying the same request cannot help. */
const REFUSED = new Set([400, 401, 403, 404, 405, 410, 413, 422]);

/** Reads a service's answer. */
export async function interpretResponse(kind: ChannelSecret["kind"], res: Response): Promise<AttemptOutcome> {
  const text = await readText(res);
  const body = parseJson(text);
  const status = res.status;
  const headerWait = seconds(res.headers.get("Retry-After"));
  if (status >= 300 && status < 400) {
    return { result: "failed", httpStatus: status, detail: `The endpoint redirected (HTTP ${status}); Tradeloop does not follow redirects, so set the channel's URL to the final address.`, retryAfterMs: null };
  }
  const said = (() => {
    if (kind === "telegram" && body && typeof body.description === "string") return body.description;
    if (kind === "discord" && body && typeof body.message === "string") return body.message;
    if (kind === "email" && body && typeof body.message === "string") return body.message;
    return text.trim().slice(0, 200);
  })();
  const telegramOk = kind !== "telegram" || body?.ok === true;
  if (status >= 200 && status < 300 && telegramOk) {
    return { result: "delivered", httpStatus: status, detail: `Delivered (HTTP ${status}).`, retryAfterMs: null };
  }
  if (status === 429) {
    const bodyWait = kind === "discord" ? seconds(body?.retry_after) : kind === "telegram" ? seconds((body?.parameters as Record<string, unknown> | undefined)?.retry_after) : null;
    return { result: "retry", httpStatus: status, detail: `Rate limited by the service${said ? `: ${said}` : ""}; retried later.`, retryAfterMs: bodyWait ?? headerWait };
  }
  if (kind !== "webhook" && REFUSED.has(status)) {
    return { result: "failed", httpStatus: status, detail: `The service refused the message (HTTP ${status}${said ? `: ${said}` : ""}); check the channel's settings, then send a test.`, retryAfterMs: null };
  }
  return { result: "retry", httpStatus: status, detail: `HTTP ${status}${said ? `: ${said}` : ""}; retried later.`, retryAfterMs: headerWait };
}

/** The channel's secret values, so no attempt's detail ever repeats one (an error text may quote the URL). */
function secretValues(secret: ChannelSecret): string[] {
  switch (secret.kind) {
    case "webhook":
      return [secret.url, secret.signingSecret];
    case "discord":
    case "slack":
      return [secret.url, new URL(secret.url).pathname];
    case "telegram":
      return [secret.botToken];
    case "email":
      return [secret.apiKey];
  }
}

function redact(outcome: AttemptOutcome, secret: ChannelSecret): AttemptOutcome {
  let detail = outcome.detail;
  for (const value of secretValues(secret)) if (value.length >= 8) detail = detail.replaceAll(value, "••••");
  return detail === outcome.detail ? outcome : { ...outcome, detail };
}

/** Sends one attempt. Never throws: a network failure or timeout is a `retry`. */
export async function attempt(secret: ChannelSecret, event: NotificationEvent, ids: { deliveryId: string; nowMs: number }, fetcher: typeof fetch = fetch): Promise<AttemptOutcome> {
  return redact(await attemptOnce(secret, event, ids, fetcher), secret);
}

async function attemptOnce(secret: ChannelSecret, event: NotificationEvent, ids: { deliveryId: string; nowMs: number }, fetcher: typeof fetch): Promise<AttemptOutcome> {
  let request: Request;
  try {
    request = await buildRequest(secret, event, ids);
  } catch (err) {
    return { result: "failed", httpStatus: null, detail: `The message could not be built: ${errorMessage(err)}.`, retryAfterMs: null };
  }
  try {
    const res = await fetcher(request, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    return await interpretResponse(secret.kind, res);
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      result: "retry",
      httpStatus: null,
      detail: timedOut ? `No answer within ${ATTEMPT_TIMEOUT_MS / 1000} s; retried later.` : `The endpoint could not be reached (${errorMessage(err)}); retried later.`,
      retryAfterMs: null,
    };
  }
}
