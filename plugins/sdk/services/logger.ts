/**
 * The structured logger plugins get. It redacts before it writes, so a
 * plugin that logs a request, a header bag or an error cannot leak a key:
 * - every credential value of the connection (wherever it appears, even
 *   inside a longer string such as an Authorization header);
 * - any value under a secret-looking key (`secret`, `password`, `token`,
 *   `apiKey`, `signature`, `authorization`, `cookie`, `privateKey`...).
 *
 * @module
 */
import type { LogFields, Logger } from "../context";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log line, after redaction. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

export const REDACTED = "[redacted]";

/** Keys whose values are secrets whatever they hold. */
export const SECRET_KEY_PATTERN = /secret|passw|passphrase|token|api[-_]?key|signature|^sign$|authorization|cookie|private[-_]?key|credential|otp|pin$/i;

/** Shorter values are not redacted by value: "1" or "USD" would blank half the log. */
const MIN_SECRET_LENGTH = 6;

/** Every string leaf of a credentials object, long enough to be worth hiding. */
export function secretValues(credentials: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= MIN_SECRET_LENGTH) out.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === "object") {
      Object.values(v).forEach(walk);
    }
  };
  walk(credentials);
  // Longest first, so a secret containing another is replaced whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Returns `value` with secrets replaced, deep. Headers, Maps and Errors become plain data first. */
export function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 8) return "[too deep]";
  if (typeof value === "string") {
    let s = value;
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(REDACTED);
    return s;
  }
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), secrets, depth + 1);
  if (value instanceof Error) return { name: value.name, message: redact(value.message, secrets, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY_PATTERN.test(k) && v !== null && v !== undefined ? REDACTED : redact(v, secrets, depth + 1);
    return out;
  }
  return value;
}

export interface LoggerOptions {
  /** The connection's credentials: every value in them is redacted. */
  credentials?: unknown;
  /** Fields on every line (plugin id, connection id). */
  bindings?: LogFields;
  /** Where lines go; default one JSON line per entry on the console (Workers Logs). */
  sink?: (entry: LogEntry) => void;
  /** Lowest level written; default `info` (per-request `debug` lines would drown the log). */
  level?: LogLevel;
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const consoleSink = (entry: LogEntry): void => {
  const line = JSON.stringify({ level: entry.level, message: entry.message, ...entry.fields });
  if (entry.level === "error") console.error(line);
  else if (entry.level === "warn") console.warn(line);
  else console.log(line);
};

/** Creates a redacting logger for one connection. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = secretValues(options.credentials);
  const sink = options.sink ?? consoleSink;
  const min = LEVELS[options.level ?? "info"];
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LEVELS[level] < min) return;
    sink({
      level,
      message: redact(message, secrets) as string,
      fields: redact({ ...options.bindings, ...fields }, secrets) as Record<string, unknown>,
    });
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
