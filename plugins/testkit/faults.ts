/**
 * Fault controls any fake broker can reuse: wrap the fake's own request
 * handler and get `failNext`, `loseNextReply` and `expireAuth` for free.
 *
 * ```ts
 * class MyFake implements FakeBroker {
 *   private readonly faults = new FaultInjector({ authExpired: { status: 401, body: { message: "token expired" } } });
 *   fetch = (request: Request) => this.faults.handle(request, (r) => this.route(r));
 *   failNext = (reply: FakeReply) => this.faults.failNext(reply);
 *   loseNextReply = () => this.faults.loseNextReply();
 *   expireAuth = () => this.faults.expireAuth();
 *   ...
 * }
 * ```
 *
 * @module
 */
import type { FakeReply } from "./types";

/** Builds a Response from a {@link FakeReply}: JSON unless the body is a string. */
export function replyToResponse(reply: FakeReply): Response {
  const isText = typeof reply.body === "string";
  const headers = new Headers(reply.headers);
  if (!headers.has("content-type") && reply.body !== undefined) headers.set("content-type", isText ? "text/plain" : "application/json");
  const body = reply.body === undefined ? null : isText ? (reply.body as string) : JSON.stringify(reply.body);
  return new Response(body, { status: reply.status, headers });
}

/** The error a fetch with `AbortSignal.timeout()` rejects with, so the client sees a real timeout. */
export function timeoutError(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

export interface FaultInjectorOptions {
  /** How the broker answers a request with expired or revoked credentials. Default `401 {}`. */
  authExpired?: FakeReply;
}

/** One-shot and sticky faults in front of a fake's handler. */
export class FaultInjector {
  private readonly pending: ({ kind: "fail"; reply: FakeReply } | { kind: "lose" })[] = [];
  private authExpired = false;

  constructor(private readonly options: FaultInjectorOptions = {}) {}

  /** The next request gets `reply`, and the fake's state is not touched. */
  failNext(reply: FakeReply): void {
    this.pending.push({ kind: "fail", reply });
  }

  /** The next request is executed, but its reply is dropped and the client sees a timeout. */
  loseNextReply(): void {
    this.pending.push({ kind: "lose" });
  }

  /** Every request from now on is refused as expired credentials, until {@link reset}. */
  expireAuth(): void {
    this.authExpired = true;
  }

  /** Clears every pending and sticky fault. */
  reset(): void {
    this.pending.length = 0;
    this.authExpired = false;
  }

  /** Runs one request through the faults, then (if none applies) through `handler`. */
  async handle(request: Request, handler: (request: Request) => Promise<Response>): Promise<Response> {
    if (this.authExpired) return replyToResponse(this.options.authExpired ?? { status: 401, body: {} });
    const fault = this.pending.shift();
    if (fault?.kind === "fail") return replyToResponse(fault.reply);
    const response = await handler(request);
    if (fault?.kind === "lose") {
      // The broker did the work; only the answer is lost on the way back.
      await response.body?.cancel();
      throw timeoutError();
    }
    return response;
  }
}
