/**
 * Stateful fakes of the services notification channels talk to, each
 * following the service's documented HTTP API (paths, headers, body shapes,
 * status codes, error bodies), and a signed-webhook receiver that verifies
 * signatures the way the docs tell users to. The Worker and the tests share
 * the isolate, so {@link routeNotifications} stubs the global fetch and
 * sends each request to its fake; anything else is refused.
 *
 * - Discord: `POST /api/webhooks/{id}/{token}[?wait=true]` with JSON
 *   `content` (≤ 2000) or `embeds`; 204, or 200 with the message when
 *   `wait=true`; 404 `Unknown Webhook` (10015), 401 `Invalid Webhook Token`
 *   (50027), 400 `Cannot send an empty message` (50006) or `Invalid Form
 *   Body` (50035); 429 `{message, retry_after, global}` with Retry-After.
 * - Slack incoming webhooks: `POST /services/T/B/X` with JSON `text`; `200
 *   ok`, or plain-text errors: 400 `invalid_payload`/`no_text`, 404
 *   `no_service`, 410 `channel_is_archived`, 429.
 * - Telegram Bot API: `POST /bot<token>/sendMessage` with `chat_id`, `text`
 *   (1–4096); `{ok: true, result: Message}` or `{ok: false, error_code,
 *   description[, parameters.retry_after]}`; 401 `Unauthorized` for an
 *   unknown token, 400 `Bad Request: chat not found`.
 * - Resend: `POST /emails` with `Authorization: Bearer re_...`, JSON
 *   `from`, `to`, `subject`, `text|html`; 200 `{id}`; 401 missing key, 403
 *   invalid key, 422 `validation_error`; an `Idempotency-Key` seen before
 *   with the same body answers the first id without sending again, with
 *   another body 409 `invalid_idempotent_request`.
 *
 * @module
 */
import { vi } from "vitest";
import { verifySignature, SIGNATURE_HEADER } from "../../worker/notifications/signing";

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

function reply(r: Reply): Response {
  const text = r.body === undefined ? null : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
  const contentType = typeof r.body === "string" ? "text/plain; charset=utf-8" : "application/json";
  return new Response(text, { status: r.status, headers: { ...(text !== null ? { "Content-Type": contentType } : {}), ...r.headers } });
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One-shot failures queued in front of a fake. */
class Faults {
  private readonly queue: (Reply | "network")[] = [];
  /** The next `times` requests get `r` (or a network failure). */
  fail(r: Reply | "network", times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(r);
  }
  take(): Reply | "network" | undefined {
    return this.queue.shift();
  }
}

export class DiscordFake {
  readonly faults = new Faults();
  readonly messages: { webhookId: string; content: string | undefined; allowedMentions: unknown; wait: boolean }[] = [];
  private readonly hooks = new Map<string, string>();
  private nextId = 1_000_000_000_000_000_000n;

  /** Registers a webhook and returns its URL. */
  webhook(id = "112233445566778899", token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghij"): string {
    this.hooks.set(id, token);
    return `https://discord.com/api/webhooks/${id}/${token}`;
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const m = /^\/api\/(?:v\d+\/)?webhooks\/(\d+)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== "POST" || !m) return reply({ status: 405, body: { message: "405: Method Not Allowed", code: 0 } });
    const fault = this.faults.take();
    if (fault === "network") throw new TypeError("Network connection lost.");
    if (fault) return reply(fault);
    const [, id, token] = m as unknown as [string, string, string];
    const known = this.hooks.get(id);
    if (known === undefined) return reply({ status: 404, body: { message: "Unknown Webhook", code: 10015 } });
    if (known !== token) return reply({ status: 401, body: { message: "Invalid Webhook Token", code: 50027 } });
    if (!request.headers.get("Content-Type")?.startsWith("application/json")) return reply({ status: 400, body: { message: "Cannot send an empty message", code: 50006 } });
    const body = (await readJson(request)) as { content?: unknown; embeds?: unknown; allowed_mentions?: unknown } | undefined;
    if (!body || (typeof body.content !== "string" && !Array.isArray(body.embeds)) || body.content === "") {
      return reply({ status: 400, body: { message: "Cannot send an empty message", code: 50006 } });
    }
    if (typeof body.content === "string" && body.content.length > 2000) {
      return reply({ status: 400, body: { message: "Invalid Form Body", code: 50035, errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } } } });
    }
    const wait = url.searchParams.get("wait") === "true";
    this.messages.push({ webhookId: id, content: body.content as string | undefined, allowedMentions: body.allowed_mentions, wait });
    if (!wait) return new Response(null, { status: 204 });
    const messageId = String(this.nextId++);
    return reply({ status: 200, body: { id: messageId, type: 0, content: body.content, channel_id: "998877665544332211", webhook_id: id, timestamp: new Date().toISOString() } });
  }
}

export class SlackFake {
  readonly faults = new Faults();
  readonly messages: { path: string; text: string }[] = [];
  private readonly hooks = new Set<string>();
  private readonly archived = new Set<string>();

  webhook(path = "/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx"): string {
    this.hooks.add(path);
    return `https://hooks.slack.com${path}`;
  }

  archive(url: string): void {
    this.archived.add(new URL(url).pathname);
  }

  async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST") return reply({ status: 405, body: "invalid_method" });
    const fault = this.faults.take();
    if (fault === "network") throw new TypeError("Network connection lost.");
    if (fault) return reply(fault);
    if (!this.hooks.has(path)) return reply({ status: 404, body: "no_service" });
    if (this.archived.has(path)) return reply({ status: 410, body: "channel_is_archived" });
    const body = (await readJson(request)) as { text?: unknown; blocks?: unknown } | undefined;
    if (!body || typeof body !== "object") return reply({ status: 400, body: "invalid_payload" });
    if ((typeof body.text !== "string" || body.text === "") && !Array.isArray(body.blocks)) return reply({ status: 400, body: "no_text" });
    this.messages.push({ path, text: String(body.text) });
    return new Response("ok", { status: 200, headers: { "Content-Type": "text/html" } });
  }
}

export class TelegramFake {
  readonly faults = new Faults();
  readonly messages: { token: string; chatId: unknown; text: string; body: Record<string, unknown> }[] = [];
  private readonly bots = new Set<string>();
  private readonly chats = new Set<string>();
  private nextMessageId = 1;

  /** Registers a bot with a chat it may write to. */
  bot(token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", chatId = "-1001234567890"): { botToken: string; chatId: string } {
    this.bots.add(token);
    this.chats.add(chatId);
    return { botToken: token, chatId };
  }

  async handle(request: Request): Promise<Response> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(request.url).pathname);
    if (!m) return reply({ status: 404, body: { ok: false, error_code: 404, description: "Not Found" } });
    const [, token, method] = m as unknown as [string, string, string];
    const fault = this.faults.take();
    if (fault === "network") throw new TypeError("Network connection lost.");
    if (fault) return reply(fault);
    if (!this.bots.has(token)) return reply({ status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } });
    if (method !== "sendMessage") return reply({ status: 404, body: { ok: false, error_code: 404, description: "Not Found: method not found" } });
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    if (!body) return reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: message text is empty" } });
    const chatId = body.chat_id;
    if (chatId === undefined) return reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat_id is empty" } });
    if (!this.chats.has(String(chatId))) return reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } });
    const text = typeof body.text === "string" ? body.text : "";
    if (text.length === 0) return reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: message text is empty" } });
    if (text.length > 4096) return reply({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: message is too long" } });
    this.messages.push({ token, chatId, text, body });
    const id = this.nextMessageId++;
    return reply({ status: 200, body: { ok: true, result: { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: Number(chatId), type: "supergroup" }, text } } });
  }
}

export class ResendFake {
  readonly faults = new Faults();
  readonly sent: { id: string; from: string; to: string[]; subject: string; text: string | undefined; idempotencyKey: string | null }[] = [];
  private readonly keys = new Set<string>();
  private readonly idempotency = new Map<string, { body: string; id: string }>();

  apiKey(key = "re_123456789_abcdefghijklmnopqrstuv"): string {
    this.keys.add(key);
    return key;
  }

  async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST" || path !== "/emails") return reply({ status: 404, body: { statusCode: 404, name: "not_found", message: "The requested endpoint does not exist." } });
    const fault = this.faults.take();
    if (fault === "network") throw new TypeError("Network connection lost.");
    if (fault) return reply(fault);
    const auth = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
    if (!auth) return reply({ status: 401, body: { statusCode: 401, name: "missing_api_key", message: "Missing API key in the authorization header." } });
    if (!this.keys.has(auth)) return reply({ status: 403, body: { statusCode: 403, name: "invalid_api_key", message: "API key is invalid" } });
    const raw = await request.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return reply({ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid JSON body." } });
    }
    for (const field of ["from", "to", "subject"]) {
      if (body[field] === undefined || body[field] === "") return reply({ status: 422, body: { statusCode: 422, name: "validation_error", message: `The \`${field}\` field is missing.` } });
    }
    if (typeof body.text !== "string" && typeof body.html !== "string") {
      return reply({ status: 422, body: { statusCode: 422, name: "validation_error", message: "Missing `html` or `text` field." } });
    }
    const key = request.headers.get("Idempotency-Key");
    if (key) {
      const seen = this.idempotency.get(key);
      if (seen && seen.body !== raw) return reply({ status: 409, body: { statusCode: 409, name: "invalid_idempotent_request", message: "Same idempotency key used with a different request payload." } });
      if (seen) return reply({ status: 200, body: { id: seen.id } });
    }
    const id = crypto.randomUUID();
    if (key) this.idempotency.set(key, { body: raw, id });
    const to = Array.isArray(body.to) ? (body.to as string[]) : [String(body.to)];
    this.sent.push({ id, from: String(body.from), to, subject: String(body.subject), text: body.text as string | undefined, idempotencyKey: key });
    return reply({ status: 200, body: { id } });
  }
}

/** A user's webhook endpoint that checks each delivery's signature as docs/notifications.md says. */
export class WebhookReceiver {
  readonly faults = new Faults();
  readonly received: { body: string; event: Record<string, unknown>; headers: Headers; verified: Awaited<ReturnType<typeof verifySignature>> }[] = [];
  secret = "";

  constructor(readonly url = "https://hooks.example.com/tradeloop/events") {}

  async handle(request: Request): Promise<Response> {
    const fault = this.faults.take();
    if (fault === "network") throw new TypeError("Network connection lost.");
    const body = await request.text();
    const verified = this.secret
      ? await verifySignature(request.headers.get(SIGNATURE_HEADER), body, this.secret, Math.floor(Date.now() / 1000))
      : ({ ok: false, reason: "mismatch" } as const);
    this.received.push({ body, event: JSON.parse(body) as Record<string, unknown>, headers: request.headers, verified });
    if (fault) return reply(fault);
    return verified.ok ? new Response(null, { status: 204 }) : reply({ status: 400, body: { error: `bad signature: ${verified.reason}` } });
  }
}

export interface NotificationFakes {
  discord: DiscordFake;
  slack: SlackFake;
  telegram: TelegramFake;
  resend: ResendFake;
  receiver: WebhookReceiver;
  /** Every request the Worker sent, in order. */
  requests: Request[];
}

/**
 * Routes the Worker's outgoing fetches to the fakes (by host); any other host
 * goes to `fallback` (a broker fake), else is a network error.
 */
export function routeNotifications(options: { fallback?: (request: Request) => Promise<Response> } = {}): NotificationFakes {
  const fakes: NotificationFakes = {
    discord: new DiscordFake(),
    slack: new SlackFake(),
    telegram: new TelegramFake(),
    resend: new ResendFake(),
    receiver: new WebhookReceiver(),
    requests: [],
  };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const host = new URL(request.url).host;
    const notification = ["discord.com", "hooks.slack.com", "api.telegram.org", "api.resend.com"].includes(host) || request.url.startsWith(fakes.receiver.url.replace(/\/[^/]*$/, ""));
    if (!notification && options.fallback) return options.fallback(request);
    fakes.requests.push(request.clone());
    if (request.redirect !== "manual") throw new TypeError("notification requests must not follow redirects");
    switch (host) {
      case "discord.com":
        return fakes.discord.handle(request);
      case "hooks.slack.com":
        return fakes.slack.handle(request);
      case "api.telegram.org":
        return fakes.telegram.handle(request);
      case "api.resend.com":
        return fakes.resend.handle(request);
      default:
        if (request.url.startsWith(fakes.receiver.url.replace(/\/[^/]*$/, ""))) return fakes.receiver.handle(request);
        throw new TypeError(`network disabled in tests: ${request.url}`);
    }
  });
  return fakes;
}
