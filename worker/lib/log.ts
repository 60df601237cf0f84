/**
 * The Worker's structured log: one JSON object per line, every line carrying
 * the `requestId` of the work it belongs to, and nothing a reader of the logs
 * could use to trade on someone's account.
 *
 * Why a request id on every line: Workers Logs interleave lines from every
 * isolate; the id (Cloudflare's `cf-ray` for HTTP requests, a fresh id for a
 * queue's drain run or a cron run) is what ties a signal's lines together. It
 * travels in an AsyncLocalStorage context, so code deep in a handler logs
 * without threading the id through every call.
 *
 * Why redaction here and not at the call sites: a log line is written once and
 * read by whoever can read the account's logs (and any Logpush destination).
 * Every line passes through {@link redactForLog}, which removes
 * - values under secret-looking keys (`secret`, `token`, `password`,
 *   `authorization`, `apiKey`, ... — the plugin SDK's rule, one rule for both);
 * - the secret segment of webhook paths (`/webhook/<strategyId>/<secret>`:
 *   the URL is the credential);
 * - bearer tokens, JWTs, secret-looking query parameters, and long base64 runs
 *   (session keys, vault keys, API secrets) inside any string;
 * - the exact values of the Worker's own secrets, once {@link rememberSecretValues}
 *   has seen them.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { REDACTED, SECRET_KEY_PATTERN } from "../../plugins/sdk";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields attached to a line. Values may be anything JSON-ish; Errors become `{name, message, stack}`. */
export type LogFields = Record<string, unknown>;

/** What every line in one unit of work shares. */
export interface LogContext {
  requestId: string;
}

/** One written line, after redaction (what a sink receives). */
export interface LogLine extends LogFields {
  level: LogLevel;
  msg: string;
  requestId: string;
}

const contextStore = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` attached to every line it (and everything it awaits) logs. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contextStore.run(context, fn);
}

/** The request id of the work running now, if any. */
export function currentRequestId(): string | undefined {
  return contextStore.getStore()?.requestId;
}

/** A fresh request id for work no HTTP request started (`queue-…`, `cron-…`). */
export function newRequestId(prefix?: string): string {
  const id = crypto.randomUUID();
  return prefix ? `${prefix}-${id}` : id;
}

/** Lines logged outside any context say so instead of inventing an id. */
const NO_CONTEXT = "none";

// ---- redaction ------------------------------------------------------------

/** The secret segment of a webhook URL path: `/webhook/<strategyId>/<secret>`. */
const WEBHOOK_PATH = /(\/webhook\/[^/\s?#"']+\/)[^/\s?#"']+/g;
/** `Bearer <token>` (Authorization header values). */
const BEARER = /\b(Bearer\s+)[^\s"',;]+/gi;
/** A JSON Web Token (three base64url parts, the first two JSON). */
const JWT = /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]+/g;
/** Query or fragment parameters whose name looks secret: `?token=…`, `&api_key=…`, `#/setup?token=…`. */
const SECRET_QUERY_PARAM = /([?&](?:[\w.-]*(?:token|secret|key|signature|password|passphrase|sig))=)[^&\s#"']+/gi;
/**
 * A long base64 run (no dashes, so UUIDs survive): session keys, vault keys,
 * API secrets. Only runs mixing digits, upper and lower case count, so a long
 * file path in a stack trace is left alone.
 */
const LONG_BASE64 = /[A-Za-z0-9+/]{40,}={0,2}/g;
const looksRandom = (run: string): boolean => /\d/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run);
/** Values shorter than this are not redacted by value ("1" or "USD" would blank half the log). */
const MIN_SECRET_VALUE_LENGTH = 8;

const knownSecretValues = new Set<string>();

/**
 * Registers the exact values of secrets (the Worker's own: session key, vault
 * keys, pepper, setup token) so no line ever contains them, whatever key or
 * string they hide in. Idempotent; cheap to call once per isolate.
 */
export function rememberSecretValues(values: readonly (string | undefined)[]): void {
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_VALUE_LENGTH) continue;
    knownSecretValues.add(value);
    // A comma-separated list (VAULT_KEYS) also leaks part by part.
    for (const part of value.split(/[,\s]+/)) {
      if (part.length >= MIN_SECRET_VALUE_LENGTH) knownSecretValues.add(part);
      const afterKid = part.slice(part.indexOf(":") + 1);
      if (afterKid.length >= MIN_SECRET_VALUE_LENGTH) knownSecretValues.add(afterKid);
    }
  }
}

/** Returns `text` with every credential-looking part replaced by `[redacted]`. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecretValues) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out
    .replace(WEBHOOK_PATH, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SECRET_QUERY_PARAM, `$1${REDACTED}`)
    .replace(LONG_BASE64, (run) => (looksRandom(run) ? REDACTED : run));
}

/** Deep-redacts a value for a log line: secret-looking keys blanked, every string scrubbed. */
export function redactForLog(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[too deep]";
  if (typeof value === "string") return redactText(value);
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: redactText(value.message) };
    if (value.stack) out.stack = redactText(value.stack);
    return out;
  }
  if (value instanceof Headers) return redactForLog(Object.fromEntries(value.entries()), depth + 1);
  if (value instanceof URL) return redactText(value.href);
  if (Array.isArray(value)) return value.map((v) => redactForLog(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: LogFields = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY_PATTERN.test(key) && v !== null && v !== undefined ? REDACTED : redactForLog(v, depth + 1);
    }
    return out;
  }
  return value;
}

// ---- writing --------------------------------------------------------------

/** Where lines go. Tests swap it with {@link setLogSink}; the default is the console (Workers Logs). */
export type LogSink = (line: LogLine) => void;

const consoleSink: LogSink = (line) => {
  const text = JSON.stringify(line);
  if (line.level === "error") console.error(text);
  else if (line.level === "warn") console.warn(text);
  else if (line.level === "debug") console.debug(text);
  else console.log(text);
};

let sink: LogSink = consoleSink;

/** Replaces the sink (tests); returns a function that restores the previous one. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

/** Reserved keys a caller's fields can never overwrite (a field named `requestId` must not forge the id). */
const RESERVED = new Set(["level", "msg", "requestId"]);

function write(level: LogLevel, msg: string, fields?: LogFields): void {
  const line: LogLine = { level, msg: redactText(msg), requestId: currentRequestId() ?? NO_CONTEXT };
  if (fields) {
    const clean = redactForLog(fields) as LogFields;
    for (const [key, value] of Object.entries(clean)) {
      if (value !== undefined && !RESERVED.has(key)) line[key] = value;
    }
  }
  try {
    sink(line);
  } catch {
    // Logging never breaks the request (a field that cannot be serialized, say).
  }
}

/**
 * The Worker's logger. `msg` is a short, stable event name or sentence
 * (`"webhook.queue-failed"`); details go in `fields`, so the logs can be
 * filtered by them.
 */
export const log = {
  debug: (msg: string, fields?: LogFields): void => write("debug", msg, fields),
  info: (msg: string, fields?: LogFields): void => write("info", msg, fields),
  warn: (msg: string, fields?: LogFields): void => write("warn", msg, fields),
  error: (msg: string, fields?: LogFields): void => write("error", msg, fields),
};
