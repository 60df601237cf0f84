/**
 * Webhook body → signals. The body is parsed as JSON whatever its content
 * type (TradingView sends `text/plain` when it is unsure the message is
 * JSON). A JSON object is one signal; an array of 1 to 10 objects is a
 * multi-signal message whose signals run in order.
 *
 * {@link parseSignalBody} never throws: fuzzers and broken alert templates
 * get a messageCode and a sentence, never a 500.
 *
 * @module
 */
import { jsonDeeperThan } from "../lib/json-depth";
import { resolveDelay } from "./delay";
import { issueToError, SignalSchema, type Signal } from "./signal-schema";

/** Most signals one message may carry. */
export const MAX_SIGNALS_PER_MESSAGE = 10;

/**
 * Deepest nesting a message may have: a list of signals (1), a signal (2),
 * its takeProfit/stopLoss (3), with room for the sender's own extras. Deeper
 * messages are refused before parsing (`json-too-deep`), never stored.
 */
export const MAX_JSON_DEPTH = 8;

/** Options for {@link parseSignalBody}. */
export interface ParseOptions {
  /** Receive time: when given, absolute `delay` times are checked to lie within the next 24 hours. */
  now?: Date;
}

export type ParseResult =
  | { ok: true; signals: Signal[]; payload: unknown }
  | { ok: false; messageCode: string; message: string; field?: string; payload?: unknown };

type ParseFailure = Extract<ParseResult, { ok: false }>;

const MALFORMED_JSON_MESSAGE =
  "The message is not valid JSON. The usual culprits are a trailing comma after the last field, " +
  "curly quotes (“ ” instead of \") pasted from a word processor, and a placeholder that rendered " +
  "unquoted text. Check the alert message in a JSON validator.";

/** Quotes that word processors and phones substitute for ASCII `"`. */
const CURLY_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u2036]/;

function malformed(text: string, detail: string): ParseFailure {
  let hint = "";
  if (CURLY_QUOTES.test(text)) hint = " This message contains curly quotes; replace them with straight quotes (\").";
  else if (/,\s*[}\]]/.test(text)) hint = " This message has a comma right before a closing } or ]; remove it.";
  return {
    ok: false,
    messageCode: "malformed-json",
    message: `${MALFORMED_JSON_MESSAGE}${hint}${detail ? ` (${detail})` : ""}`,
    payload: { raw: text.length > 2000 ? `${text.slice(0, 2000)}…` : text },
  };
}

function parseOne(value: unknown, index: number | null, payload: unknown, options: ParseOptions): { ok: true; signal: Signal } | ParseFailure {
  const prefix = index === null ? "" : `Signal ${index + 1}: `;
  const fieldPrefix = index === null ? "" : `${index}.`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      messageCode: "invalid-payload",
      message: `${prefix}a signal must be a JSON object such as {"ticker": "AAPL", "action": "buy"}; got ${describe(value)}.`,
      payload,
    };
  }
  const result = SignalSchema.safeParse(value);
  if (result.success) {
    if (options.now && result.data.delay) {
      const delay = resolveDelay(result.data.delay, options.now);
      if (!delay.ok) return { ok: false, messageCode: delay.messageCode, message: `${prefix}${delay.message}`, field: `${fieldPrefix}delay`, payload };
    }
    return { ok: true, signal: result.data };
  }
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, messageCode: "invalid-payload", message: `${prefix}the signal is not valid.`, payload };
  const error = issueToError(issue, value);
  return {
    ok: false,
    messageCode: error.messageCode,
    message: `${prefix}${error.message}`,
    ...(error.field ? { field: `${fieldPrefix}${error.field}` } : {}),
    payload,
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

/**
 * Parses a webhook body into normalized signals.
 *
 * @param bodyText - the raw request body, whatever its content type
 * @param options - `now` (the receive time) enables the absolute-`delay` range check
 * @returns the signals and the echo payload (the JSON as sent), or the first
 *   error with its messageCode, a sentence naming the field, and the field
 */
export function parseSignalBody(bodyText: string, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnsafe(bodyText, options);
  } catch {
    // Defence in depth: the parsers are written not to throw, but a webhook must never 500 on input.
    return { ok: false, messageCode: "invalid-payload", message: "The message could not be read as a signal." };
  }
}

function parseUnsafe(bodyText: string, options: ParseOptions): ParseResult {
  // A byte-order mark is invisible in editors but breaks JSON.parse.
  const text = typeof bodyText === "string" ? bodyText.replace(/^\uFEFF/, "") : "";
  if (text.trim().length === 0) {
    return {
      ok: false,
      messageCode: "empty-json",
      message:
        'The message is empty. Put the signal JSON in the alert\'s message box, e.g. {"ticker": "{{ticker}}", "action": "{{strategy.order.action}}"}.',
    };
  }
  if (jsonDeeperThan(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      messageCode: "json-too-deep",
      message: `The message nests objects or lists more than ${MAX_JSON_DEPTH} levels deep; a signal is a flat object with at most takeProfit and stopLoss inside it.`,
    };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    return malformed(text, err instanceof Error ? err.message.slice(0, 200) : "");
  }
  if (Array.isArray(payload)) {
    if (payload.length === 0 || payload.length > MAX_SIGNALS_PER_MESSAGE) {
      return {
        ok: false,
        messageCode: "invalid-payload",
        message: `A multi-signal message must be a JSON list of 1 to ${MAX_SIGNALS_PER_MESSAGE} signal objects; got ${payload.length}.`,
        payload,
      };
    }
    const signals: Signal[] = [];
    for (let i = 0; i < payload.length; i++) {
      const one = parseOne(payload[i], i, payload, options);
      if (!one.ok) return one;
      signals.push(one.signal);
    }
    return { ok: true, signals, payload };
  }
  if (typeof payload !== "object" || payload === null) {
    return {
      ok: false,
      messageCode: "invalid-payload",
      message: `The message must be a JSON object such as {"ticker": "AAPL", "action": "buy"}; got ${describe(payload)}.`,
      payload,
    };
  }
  const one = parseOne(payload, null, payload, options);
  return one.ok ? { ok: true, signals: [one.signal], payload } : one;
}
