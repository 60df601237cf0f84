/**
 * The JSON round trip every HTTP plugin makes, written once (ccxt's base
 * `Exchange.fetch2`: the exchange supplies `sign` and `handleErrors`, the
 * base class does the rest). A plugin keeps only what is its own:
 *
 * - `sign`: how a request becomes HTTP (URL, headers, auth, signature, body
 *   encoding); for a session broker it is handed the session's bearer
 *   `authorization` value, and a 401 is renewed once through the session
 *   owner (`fetchWithSession`) before the answer is read;
 * - `error`: its venue error table, turning a failed answer into a BrokerError;
 * - optionally `failed` and `payload`, for venues that answer errors with
 *   HTTP 200 (Kraken's `error` array, Tradier's `errors`) or wrap the result.
 *
 * Session brokers whose API is plain JSON under the base URL with the bearer
 * token (TradeStation, Schwab, Tradovate) take {@link bearerJsonCaller}: their
 * signing is the same, so only the error table is theirs.
 *
 * The caller does the fetch (through the core's `context.fetch`, so rate
 * limit, timeout and transport errors are the host's), reads the body once
 * (JSON, else the text, else nothing), maps failures through the plugin's
 * table, and checks the payload against the zod schema. An answer that does
 * not match the schema is `bad-response`: `outcome-unknown` when the request
 * may have placed an order (the venue took it; only its shape is odd), else
 * `retryable`.
 *
 * @module
 */
import type { z } from "zod";
import type { PluginFetch } from "./context";
import { BrokerError } from "./errors";
import { fetchWithSession, requireSession, type SessionAccess } from "./session";

/** What the caller needs to know of a plugin's request; plugins extend it with their own fields (params, query, body...). */
export interface VenueRequest {
  /** HTTP method; also the default idempotency of the request. */
  method: string;
  /**
   * May create or change an order (`placeOrder`, `modifyOrder`): a lost or
   * unreadable answer then means "maybe booked" (`outcome-unknown`), never
   * "nothing happened".
   */
  placingOrder?: boolean;
  /** Overrides the method's idempotency (reads through POST, cancels through POST). */
  idempotent?: boolean;
  /** Names the request in messages; default `METHOD /path` of the signed request. */
  label?: string;
}

/** One venue answer, read once. */
export interface VenueAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON; the raw text when it is not JSON (proxy error pages, text/plain answers); undefined when empty. */
  body: unknown;
  /** `METHOD /path` of the request, for messages. */
  label: string;
}

/** What a plugin supplies. `R` is its own request type. */
export interface JsonCallerConfig<R extends VenueRequest> {
  /** The venue's name in messages, e.g. `Alpaca`. */
  venue: string;
  /** The context's fetch: the only way a plugin reaches the network. */
  fetch: PluginFetch;
  /**
   * Builds the HTTP request: URL, headers, credentials, signature, body
   * encoding. `authorization` (`Bearer ...`) is given when {@link session} is set.
   */
  sign(request: R, authorization?: string): Request | Promise<Request>;
  /**
   * The connection's session owner (`context.session`), for brokers whose
   * requests carry a short-lived access token; absent for key-signed requests.
   */
  session?: SessionAccess | undefined;
  /** The venue error table: a failed answer → BrokerError. */
  error(answer: VenueAnswer, request: R): BrokerError;
  /** Whether an answer failed; default: not 2xx. Venues that report errors inside HTTP 200 say so here. */
  failed?(answer: VenueAnswer, request: R): boolean;
  /** The part of a successful body that the schema describes (an envelope's `result`); default the whole body. */
  payload?(answer: VenueAnswer, request: R): unknown;
}

/** A plugin's JSON caller. Every method throws BrokerErrors only. */
export interface JsonCaller<R extends VenueRequest> {
  /** Sends, reads, maps failures, validates: the parsed payload. */
  call<S extends z.ZodType>(request: R, schema: S): Promise<z.output<S>>;
  /** Sends and reads, mapping failures; the answer unvalidated (204s, text answers, bodies read twice). */
  send(request: R): Promise<VenueAnswer>;
  /** Validates a successful answer's payload (after {@link JsonCaller.send}). */
  parse<S extends z.ZodType>(schema: S, answer: VenueAnswer, request: R): z.output<S>;
}

/** Reads a body once: JSON when it parses, else the text, else undefined. */
export async function readVenueBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The `bad-response` error for an answer the plugin cannot read: after a
 * request that may have placed an order the order may well exist, so the
 * core must reconcile rather than resend.
 */
export function unexpectedAnswer(venue: string, answer: VenueAnswer, placingOrder: boolean): BrokerError {
  return new BrokerError(`${venue} sent an unexpected answer to ${answer.label}.`, {
    code: "bad-response",
    kind: placingOrder ? "outcome-unknown" : "retryable",
    status: answer.status,
    raw: answer.body,
  });
}

/** Builds a plugin's JSON caller from its signing and its error table. */
export function jsonCaller<R extends VenueRequest>(config: JsonCallerConfig<R>): JsonCaller<R> {
  const failed = config.failed ?? ((answer: VenueAnswer) => answer.status < 200 || answer.status >= 300);
  const payload = config.payload ?? ((answer: VenueAnswer) => answer.body);

  async function send(request: R): Promise<VenueAnswer> {
    const options = request.idempotent === undefined ? undefined : { idempotent: request.idempotent };
    // The request as last sent, for the label (a renewed session signs it again).
    const last: { sent?: Request } = {};
    const signed = async (authorization?: string): Promise<Request> => (last.sent = await config.sign(request, authorization));
    // The core's fetch throws BrokerErrors for transport failures (timeout, reset), outcome-unknown for requests that are not idempotent.
    const response = config.session
      ? await fetchWithSession({ fetch: config.fetch, session: config.session }, signed, options)
      : await config.fetch(await signed(), options);
    const http = last.sent;
    if (http === undefined) throw new Error("jsonCaller: the request was never signed");
    const answer: VenueAnswer = {
      status: response.status,
      headers: response.headers,
      body: await readVenueBody(response),
      label: request.label ?? `${http.method} ${new URL(http.url).pathname}`,
    };
    if (failed(answer, request)) throw config.error(answer, request);
    return answer;
  }

  function parse<S extends z.ZodType>(schema: S, answer: VenueAnswer, request: R): z.output<S> {
    const parsed = schema.safeParse(payload(answer, request));
    if (!parsed.success) throw unexpectedAnswer(config.venue, answer, request.placingOrder === true);
    return parsed.data;
  }

  return {
    send,
    parse,
    async call(request, schema) {
      return parse(schema, await send(request), request);
    },
  };
}

/** A request to a bearer-token JSON API: a path under the connection's base URL, and a JSON body. */
export interface BearerJsonRequest extends VenueRequest {
  path: string;
  body?: unknown;
}

/**
 * The JSON caller of a session broker whose every request is `base + path`
 * with the session's bearer token and a JSON body: the plugin supplies only
 * its venue name and its error table.
 */
export function bearerJsonCaller(
  ctx: { fetch: PluginFetch; baseUrl: string; session?: SessionAccess | undefined },
  venue: string,
  error: JsonCallerConfig<BearerJsonRequest>["error"],
): JsonCaller<BearerJsonRequest> {
  return jsonCaller<BearerJsonRequest>({
    venue,
    fetch: ctx.fetch,
    // Read at each request: a client wired without a session owner is a core bug, named by requireSession.
    get session() {
      return requireSession(ctx);
    },
    sign: (r, authorization = "") =>
      new Request(`${ctx.baseUrl}${r.path}`, {
        method: r.method,
        headers: { authorization, accept: "application/json", ...(r.body !== undefined && { "content-type": "application/json" }) },
        ...(r.body !== undefined && { body: JSON.stringify(r.body) }),
      }),
    error,
  });
}
