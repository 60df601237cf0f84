/**
 * Broker fault injection: a rehearsal and chaos feature, never for live money.
 *
 * A connection may carry a fault profile in its settings (`settings.faults`).
 * When the Worker allows it (`ALLOW_FAULT_INJECTION = "true"` with
 * `ENVIRONMENT = "development"`, set by the test configuration and by hand
 * for rehearsals; ignored anywhere else),
 * the fetch the core hands the connection's plugin is wrapped so that a share
 * of its requests fail the way real brokers and networks fail:
 *
 * | kind          | reaches the broker? | what the plugin sees                                 |
 * | ------------- | ------------------- | ---------------------------------------------------- |
 * | `reset`       | no                  | the fetch rejects (connection reset)                 |
 * | `serverError` | no                  | HTTP 500                                             |
 * | `rateLimit`   | no                  | HTTP 429 with `Retry-After`                          |
 * | `lostReply`   | yes, applied        | the fetch rejects with a timeout once the broker answered |
 * | `slowReply`   | yes, late           | a timeout at once; the request reaches the broker only after the connection's next request was answered |
 *
 * The injector knows nothing about any broker: the plugin's own error table
 * turns these into BrokerError kinds (for the paper broker a 5xx or a missing
 * reply on `POST /orders` is `outcome-unknown`, a 429 is `retryable`), which is
 * exactly the path a real outage takes.
 *
 * Determinism: the n-th request on a connection draws the same number for the
 * same seed, so a run with a given seed and request sequence injects the same
 * faults. Counters live in the isolate's memory; a new isolate starts again
 * at n = 0, which keeps a rehearsal reproducible from a cold start. No fault
 * waits on the wall clock: a slow reply is ordered by requests (it arrives
 * after the client's next request on the connection, typically the
 * reconciling lookup, has been answered), so a busy machine cannot change
 * which interleaving a run tests.
 *
 * @module
 */
import { z } from "zod";
import { BrokerError } from "../../plugins/sdk";
import { devFlag } from "../lib/environment";

const rate = z.number().min(0).max(1);

/** A connection's fault profile. Every rate is a probability per request; their sum must not exceed 1. */
export const FaultProfileSchema = z
  .object({
    /** Seed of the per-connection draw sequence. */
    seed: z.number().int().default(1),
    /** Share of requests answered 500 without reaching the broker. */
    serverErrorRate: rate.default(0),
    /** Share of requests answered 429 without reaching the broker. */
    rateLimitRate: rate.default(0),
    /** The wait a 429 asks for; sent as whole seconds (rounded up), as HTTP requires. */
    retryAfterMs: z.number().int().min(0).max(60_000).default(1_000),
    /** Share of requests the broker applies whose reply is then lost (the client sees a timeout). */
    lostReplyRate: rate.default(0),
    /**
     * Share of requests that reach the broker late: the client times out at
     * once, and the request is delivered after the connection's next request
     * has been answered (the reconcile that found nothing, then the late order).
     */
    slowReplyRate: rate.default(0),
    /** Share of requests whose connection resets before they reach the broker. */
    resetRate: rate.default(0),
  })
  .strict()
  .refine((p) => p.serverErrorRate + p.rateLimitRate + p.lostReplyRate + p.slowReplyRate + p.resetRate <= 1, {
    message: "the fault rates add up to more than 1",
  });
export type FaultProfile = z.output<typeof FaultProfileSchema>;
export type FaultProfileInput = z.input<typeof FaultProfileSchema>;

export type FaultKind = "reset" | "serverError" | "rateLimit" | "lostReply" | "slowReply";

/** The key a connection keeps its profile under, in its settings. */
export const FAULTS_SETTING = "faults";

/** True only when `ALLOW_FAULT_INJECTION = "true"` AND the Worker runs in development (worker/lib/environment.ts). */
export function faultInjectionAllowed(env: object): boolean {
  return devFlag(env, "ALLOW_FAULT_INJECTION");
}

/**
 * Splits a connection's settings into what the plugin may see and the fault
 * profile. The `faults` key is always removed, so a plugin with a strict
 * settings schema never meets it, and a profile is returned only when the
 * Worker allows injection. A malformed profile throws: a rehearsal that
 * silently ran without its faults would prove nothing.
 */
export function splitFaultSettings(
  env: object,
  settings: Record<string, unknown>,
): { settings: Record<string, unknown>; faults: FaultProfile | null } {
  if (!(FAULTS_SETTING in settings)) return { settings, faults: null };
  const { [FAULTS_SETTING]: raw, ...rest } = settings;
  if (!faultInjectionAllowed(env) || raw === undefined || raw === null) return { settings: rest, faults: null };
  const parsed = FaultProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrokerError(`Connection setting faults.${issue?.path.join(".") ?? ""} is invalid: ${issue?.message ?? "invalid"}.`, {
      code: "invalid-settings",
      kind: "rejected",
    });
  }
  return { settings: rest, faults: parsed.data };
}

/** Which fault (if any) a draw `u` in [0, 1) selects under a profile. */
export function pickFault(profile: FaultProfile, u: number): FaultKind | null {
  const buckets: [FaultKind, number][] = [
    ["reset", profile.resetRate],
    ["serverError", profile.serverErrorRate],
    ["rateLimit", profile.rateLimitRate],
    ["lostReply", profile.lostReplyRate],
    ["slowReply", profile.slowReplyRate],
  ];
  let edge = 0;
  for (const [kind, p] of buckets) {
    edge += p;
    if (u < edge) return kind;
  }
  return null;
}

/** A 32-bit avalanche hash (the MurmurHash3 finalizer) over a few integers. */
function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The n-th draw in [0, 1) for (seed, stream). Pure, so tests can replay a profile. */
export function draw(seed: number, stream: string, n: number): number {
  return mix(seed, hashString(stream), n) / 2 ** 32;
}

/** Requests seen per (seed, connection) in this isolate: the position in the draw sequence. */
const counters = new Map<string, number>();
/** Faults injected per kind in this isolate, for tests and rehearsal logs. */
const injected: Record<FaultKind, number> = { reset: 0, serverError: 0, rateLimit: 0, lostReply: 0, slowReply: 0 };

/** Counts of faults injected so far in this isolate. */
export function injectedFaults(): Readonly<Record<FaultKind, number>> {
  return { ...injected };
}

/**
 * A request held back by a slow reply, as plain data: it is sent again later
 * from another request's context, where the original Request object may not
 * be used.
 */
interface LateRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | null;
}

/** Late requests per (seed, connection), delivered after that connection's next answered request. */
const lateRequests = new Map<string, LateRequest[]>();

/** What a timed-out fetch rejects with (the same name `AbortSignal.timeout` uses). */
function timeoutError(): DOMException {
  return new DOMException("The operation was aborted due to timeout (injected fault)", "TimeoutError");
}

/**
 * Wraps a plugin's fetch with a fault profile. `stream` names the draw
 * sequence (the connection id), so each connection fails independently.
 */
export function withFaults(
  fetcher: (request: Request) => Promise<Response>,
  profile: FaultProfile,
  stream: string,
): (request: Request) => Promise<Response> {
  const key = `${profile.seed}:${stream}`;
  /** Sends the requests a slow reply held back, in order, and drops their answers (no one waits for them). */
  const deliverLate = async (): Promise<void> => {
    const late = lateRequests.get(key);
    if (!late || late.length === 0) return;
    lateRequests.delete(key);
    for (const r of late) {
      const res = await fetcher(new Request(r.url, { method: r.method, headers: r.headers, body: r.body })).catch(() => null);
      await res?.arrayBuffer().catch(() => undefined);
    }
  };
  return async (request) => {
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    const kind = pickFault(profile, draw(profile.seed, stream, n));
    if (kind === "slowReply") {
      injected.slowReply++;
      // The request is on its way but arrives after the client gave up: it is held (as data) and
      // delivered once the connection's next request has been answered, so the broker applies it
      // after, say, the reconciling lookup that did not find it. Ordered by requests, not by a timer.
      const body = request.method === "GET" || request.method === "HEAD" ? null : await request.clone().text();
      const late = lateRequests.get(key) ?? [];
      late.push({ method: request.method, url: request.url, headers: [...request.headers.entries()], body });
      lateRequests.set(key, late);
      throw timeoutError();
    }
    try {
      if (kind === null) return await fetcher(request);
      injected[kind]++;
      switch (kind) {
        case "reset":
          throw new TypeError("Network connection lost (injected fault).");
        case "serverError":
          return Response.json({ code: "injected-server-error", message: "Injected fault: internal server error." }, { status: 500 });
        case "rateLimit":
          return Response.json(
            { code: "injected-rate-limit", message: "Injected fault: too many requests." },
            { status: 429, headers: { "Retry-After": String(Math.ceil(profile.retryAfterMs / 1000)) } },
          );
        case "lostReply": {
          // The broker applies the request; only its answer is lost on the way back.
          const res = await fetcher(request);
          await res.arrayBuffer().catch(() => undefined);
          throw timeoutError();
        }
      }
    } finally {
      // This request has been answered (or failed): what an earlier slow reply held back arrives now.
      await deliverLate();
    }
  };
}
