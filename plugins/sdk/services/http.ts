/**
 * The core's fetch for plugins: rate limit, a timeout over the whole answer
 * (body included), transport errors as BrokerErrors with the right kind, and
 * a redacted debug line per request.
 *
 * @module
 */
import type { Logger, PluginFetch, PluginFetchOptions } from "../context";
import { BrokerError } from "../errors";
import { SECRET_KEY_PATTERN, REDACTED } from "./logger";
import { takeToken, type TokenBucket } from "./rate-limit";
import { sleep } from "./retry";

/** Sends a request somewhere: the network, a Durable Object, or a test's fake broker. */
export type Transport = (request: Request) => Promise<Response>;

export interface PluginFetchConfig {
  transport: Transport;
  /** Per-request timeout; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** The connection's bucket; none = unlimited. */
  bucket?: TokenBucket;
  /** Longest wait for a rate-limit token before refusing as `retryable`. Default 5 s. */
  maxRateWaitMs?: number;
  log?: Logger;
  /** Injectable sleep (tests). */
  wait?: (ms: number) => Promise<void>;
  /** Clock for the duration in the log line. */
  clock?: () => number;
  /**
   * Host names a request may go to. Set by the core for every real
   * connection: a request to any other host is refused before it is sent
   * (defence in depth: credentials reach only the broker's declared hosts,
   * whatever a plugin or a stored setting says). Unset = no check (the kit's
   * scripted transports).
   */
  allowedHosts?: ReadonlySet<string>;
}

/** A broker call that takes longer than this is treated as lost. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Statuses whose Response must have a null body (Fetch standard). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Methods that are safe to send twice (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** The URL for a log line, with secret-looking query parameters blanked. */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) if (SECRET_KEY_PATTERN.test(key)) u.searchParams.set(key, REDACTED);
    return u.toString();
  } catch {
    return "[unparseable url]";
  }
}

/** Classifies a transport failure. Exported for plugins with non-fetch transports (none today). */
export function transportError(cause: unknown, idempotent: boolean, request: Request): BrokerError {
  if (cause instanceof BrokerError) return cause;
  const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
  const what = `${request.method} ${new URL(request.url).pathname}`;
  const message = timedOut
    ? `The broker did not answer ${what} in time${idempotent ? "." : "; the request may or may not have been executed."}`
    : `The broker could not be reached for ${what}${idempotent ? "." : "; the request may or may not have been executed."}`;
  return new BrokerError(message, {
    code: timedOut ? "broker-timeout" : "broker-unreachable",
    // A request that may have changed the broker's state is never "nothing happened".
    kind: idempotent ? "retryable" : "outcome-unknown",
    cause,
  });
}

/** The refusal of a request to a host outside {@link PluginFetchConfig.allowedHosts}; nothing was sent. */
export function undeclaredHostError(request: Request): BrokerError {
  const host = new URL(request.url).hostname;
  return new BrokerError(`Tradeloop refused to send ${request.method} ${new URL(request.url).pathname} to ${host}: it is not a host this broker declares.`, {
    code: "undeclared-host",
    kind: "unsupported",
  });
}

/** Builds the fetch a plugin's context carries. */
export function createPluginFetch(config: PluginFetchConfig): PluginFetch {
  const wait = config.wait ?? sleep;
  const clock = config.clock ?? Date.now;
  return async (request: Request, options: PluginFetchOptions = {}): Promise<Response> => {
    const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(request.method.toUpperCase());
    // Checked before the rate limit and the transport: a refused request never leaves the Worker.
    if (config.allowedHosts && !config.allowedHosts.has(new URL(request.url).hostname.toLowerCase())) {
      const error = undeclaredHostError(request);
      config.log?.warn("broker request refused: undeclared host", { method: request.method, url: loggableUrl(request.url) });
      throw error;
    }
    if (config.bucket) await takeToken(config.bucket, config.maxRateWaitMs ?? 5_000, wait);
    const timeoutMs = options.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
    const started = clock();
    // The URL is redacted only when a debug line is written (a getter): debug is off by default, and
    // parsing every request's URL showed in the bench's CPU profile.
    try {
      const sent = new Request(request, { signal: controller.signal });
      // Race as well as abort: an in-process transport (Durable Object, fake) may ignore the signal.
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true });
      });
      const response = await Promise.race([config.transport(sent), aborted]);
      // The timeout covers the whole answer, body included: a broker whose headers arrive and whose
      // body never ends must not hold a trade (and its queue) forever. The body is small JSON, so it
      // is read here, inside the window, and handed on whole.
      const bytes = response.body === null ? null : await Promise.race([response.arrayBuffer(), aborted]);
      // 204/205/304 may not carry a body in a constructed Response, even an empty one.
      const body = NULL_BODY_STATUSES.has(response.status) ? null : bytes;
      config.log?.debug("broker request", { method: request.method, get url() { return loggableUrl(request.url); }, status: response.status, ms: clock() - started });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (cause) {
      const error = transportError(cause, idempotent, request);
      config.log?.debug("broker request failed", { method: request.method, get url() { return loggableUrl(request.url); }, code: error.code, kind: error.kind, ms: clock() - started });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
