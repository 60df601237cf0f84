/**
 * Fault injection for the fake broker: one-shot faults (the conformance
 * kit's `failNext` / `loseNextReply`) and a seeded random profile for load
 * and fault runs (a share of 500s, 429s with Retry-After, replies lost after
 * the order was accepted, slow replies, connection resets).
 *
 * A lost reply or a reset is thrown as an error tagged with
 * {@link fakeFaultOf}, so a Node `http` wrapper can destroy the socket while
 * an in-process caller simply sees its fetch fail.
 *
 * @module
 */

/** An HTTP answer given instead of the broker's own. */
export interface FaultReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What happens to one request. */
export type FaultAction =
  /** Answer with `reply`; the broker's state is not touched. */
  | { kind: "reply"; reply: FaultReply }
  /** The broker executes the request, then the reply never arrives (the client times out). */
  | { kind: "lose-reply" }
  /** The connection drops before the broker sees anything. */
  | { kind: "reset" }
  /** The broker takes `ms` before it handles the request (it still does, even if the client gave up). */
  | { kind: "delay"; ms: number };

/** Which requests a fault may hit. */
export interface FaultMatch {
  method?: string;
  /** Path prefix (`/v2/orders`) or pattern. */
  path?: string | RegExp;
}

/** Random faults, each a share of matching requests in [0, 1]. Draws come from a seeded PRNG. */
export interface FaultProfile {
  serverErrorRate?: number;
  rateLimitRate?: number;
  /** Seconds sent in `Retry-After` with the random 429s. Default 1. */
  retryAfterSeconds?: number;
  lostReplyRate?: number;
  slowRate?: number;
  /** Delay of a slow reply. Default 15 000 ms (longer than the core's 10 s timeout). */
  slowMs?: number;
  resetRate?: number;
  /** `orders` = only `POST /v2/orders`; `writes` = POST, PATCH, DELETE; default every request. */
  scope?: "all" | "orders" | "writes";
  seed?: number;
}

const FAULT_TAG = Symbol.for("tradeloop.fake-broker.fault");

/** `lose-reply` or `reset` when `e` is an error the fake threw to simulate a broken connection. */
export function fakeFaultOf(e: unknown): "lose-reply" | "reset" | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const tag = (e as Record<symbol, unknown>)[FAULT_TAG];
  return tag === "lose-reply" || tag === "reset" ? tag : undefined;
}

/** The error a fetch with `AbortSignal.timeout()` rejects with: the client sees a real timeout. */
export function lostReplyError(): Error {
  const e = new DOMException("The operation was aborted due to timeout", "TimeoutError");
  Object.defineProperty(e, FAULT_TAG, { value: "lose-reply" });
  return e;
}

/** What fetch rejects with when the peer resets the connection. */
export function resetError(): Error {
  const e = new TypeError("fetch failed: connection reset by the fake broker (ECONNRESET)");
  Object.defineProperty(e, FAULT_TAG, { value: "reset" });
  return e;
}

/** Mulberry32: small, fast, seeded; good enough to spread faults reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(m: FaultMatch | undefined, method: string, path: string): boolean {
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === "string" ? path.startsWith(m.path) : m.path.test(path);
}

/** One-shot queue + random profile + sticky expired auth. */
export class FaultPlan {
  private readonly queue: { action: FaultAction; match?: FaultMatch }[] = [];
  private profile: FaultProfile | null = null;
  private random: () => number = prng(1);
  /** How many faults of each kind fired, for the bench's report. */
  readonly fired = { reply: 0, "lose-reply": 0, reset: 0, delay: 0 };
  authExpired = false;

  /** Queues a fault for the next matching request (FIFO among matches). */
  push(action: FaultAction, match?: FaultMatch): void {
    this.queue.push(match ? { action, match } : { action });
  }

  setProfile(profile: FaultProfile | null): void {
    this.profile = profile;
    this.random = prng(profile?.seed ?? 1);
  }

  reset(): void {
    this.queue.length = 0;
    this.profile = null;
    this.authExpired = false;
    for (const k of Object.keys(this.fired) as (keyof FaultPlan["fired"])[]) this.fired[k] = 0;
  }

  /** The fault for this request, if any: queued ones first, then a draw from the profile. */
  take(method: string, path: string): FaultAction | null {
    const i = this.queue.findIndex((q) => matches(q.match, method, path));
    if (i >= 0) return this.count(this.queue.splice(i, 1)[0]!.action);
    const p = this.profile;
    if (!p) return null;
    const inScope =
      p.scope === "orders" ? method === "POST" && path === "/v2/orders" : p.scope === "writes" ? method !== "GET" : true;
    if (!inScope) return null;
    // One draw per request, split into bands, so rates add up instead of shadowing each other.
    let x = this.random();
    const band = (rate: number | undefined): boolean => {
      const r = Math.max(0, rate ?? 0);
      if (x < r) return true;
      x -= r;
      return false;
    };
    if (band(p.resetRate)) return this.count({ kind: "reset" });
    if (band(p.serverErrorRate)) return this.count({ kind: "reply", reply: { status: 500, body: { code: 50010000, message: "internal server error" } } });
    if (band(p.rateLimitRate)) {
      const seconds = p.retryAfterSeconds ?? 1;
      return this.count({
        kind: "reply",
        reply: { status: 429, body: { code: 42910000, message: "rate limit exceeded" }, headers: { "retry-after": String(seconds) } },
      });
    }
    if (band(p.lostReplyRate)) return this.count({ kind: "lose-reply" });
    if (band(p.slowRate)) return this.count({ kind: "delay", ms: p.slowMs ?? 15_000 });
    return null;
  }

  private count(a: FaultAction): FaultAction {
    this.fired[a.kind] += 1;
    return a;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Races `work` against the caller giving up (`signal` aborting). When the
 * caller gives up first, `work` carries on in the background (a real server
 * does not notice a client that went away) and the caller gets the abort
 * reason, as its fetch would.
 */
export async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    throw signal.reason ?? lostReplyError();
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? lostReplyError());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (e) {
    work.catch(() => undefined);
    throw e;
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
    aborted.catch(() => undefined);
  }
}
