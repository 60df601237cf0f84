/**
 * Building blocks of `npm run bench` (scripts/bench.ts): percentiles, an
 * open-loop load generator, the runtimes started and stopped by the bench
 * itself (workerd through Miniflare's API, or `wrangler dev`, on random
 * loopback ports), workerd memory sampling and a loopback HTTP server for
 * fake brokers.
 *
 * Runs under Node's TypeScript type stripping: no enums, no parameter
 * properties, explicit `.ts` extensions.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { errorMessage } from "../plugins/sdk/errors.ts";

/** Milliseconds since the epoch with sub-millisecond resolution; one clock for the whole bench process. */
export const clock = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- statistics

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (no interpolation), in ms with 0.01 ms precision. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  const round = (x: number): number => Math.round(x * 100) / 100;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { n: sorted.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? NaN), mean: round(mean) };
}

// ---------------------------------------------------------------- load

export interface Sample {
  i: number;
  /** When the request was due (open loop: latency counts from here, so a stalled server cannot hide queueing). */
  scheduledAt: number;
  sentAt: number;
  doneAt: number;
  status: number;
  body: string;
}

/**
 * Sends `count` requests at `rate` per second on a fixed schedule, without
 * waiting for replies before sending the next (open loop). Bounded: it never
 * sends more than `count`, and gives up on a reply after `timeoutMs`.
 */
export async function openLoop(
  rate: number,
  count: number,
  send: (i: number) => Promise<{ status: number; body: string }>,
  timeoutMs = 10_000,
): Promise<Sample[]> {
  const start = clock() + 20;
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - clock();
    if (wait > 1) await sleep(wait);
    const sentAt = clock();
    pending.push(
      withTimeout(send(i), timeoutMs).then(
        (r) => ({ i, scheduledAt: due, sentAt, doneAt: clock(), status: r.status, body: r.body }),
        (e: unknown) => ({ i, scheduledAt: due, sentAt, doneAt: clock(), status: 0, body: errorMessage(e) }),
      ),
    );
  }
  return Promise.all(pending);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Keep-alive connections, at most 256 per target: an overloaded server makes
 * requests wait for a socket (the wait counts in their latency) instead of
 * making the client open thousands of connections and exhaust the runtime's
 * file descriptors.
 */
const agent = new HttpAgent({ keepAlive: true, maxSockets: 256 });

/** One POST over node:http; gives up (and closes the socket) after `timeoutMs`. */
export function post(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------- ids

/** Tradeloop's deterministic client order id (worker/execution/client-order-id.ts), recomputed here. */
export function clientOrderIdFor(signalId: string, subscriptionId: string, leg: string): string {
  return `tl${createHash("sha256").update(`${signalId}\u0000${subscriptionId}\u0000${leg}`).digest("hex").slice(0, 32)}`;
}

// ---------------------------------------------------------------- processes

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const require = createRequire(import.meta.url);

/** Path of wrangler's CLI entry in this checkout's node_modules (its package.json names it under `bin`). */
export function wranglerBin(): string {
  const pkgPath = require.resolve("wrangler/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin.wrangler ?? "bin/wrangler.js");
  return join(dirname(pkgPath), bin);
}

/** Offline, quiet wrangler (no request.cf fetch, no metrics), as scripts/start.sh runs it. */
export const WRANGLER_ENV: NodeJS.ProcessEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" };

export async function runToEnd(args: readonly string[], logFile: string, cwd: string): Promise<void> {
  const fd = openSync(logFile, "a");
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, [wranglerBin(), ...args], { cwd, env: WRANGLER_ENV, stdio: ["ignore", fd, fd] });
      p.once("error", reject);
      p.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} exited ${code}; see ${logFile}`))));
    });
  } finally {
    closeSync(fd);
  }
}

export interface Started {
  url: string;
  /** The workerd process that runs the Worker (for RSS sampling), or null if it cannot be found. */
  workerdPid(): number | null;
  /** The devtools inspector of the Worker's isolate (for CPU profiles), or null when not enabled. */
  inspectorPort: number | null;
  /** Prefer the inspector target whose id or title contains this (Miniflare: `core:user:<name>`). */
  inspectorTarget?: string;
  stop(): Promise<void>;
}

/** Polls `url + readyPath` until it answers below 500 (a Worker can be listening before its first request succeeds). */
async function waitReady(url: string, readyPath: string, timeoutMs: number, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why !== null) throw new Error(why);
    try {
      const res = await fetch(url + readyPath);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url}${readyPath} was not ready after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/**
 * Starts `wrangler dev` in its own process group and waits until `readyPath`
 * answers. `stop()` ends that group only: the processes this bench started.
 *
 * wrangler dev runs two workerd processes: a proxy Worker on the public port
 * (its own Miniflare instance) that forwards every request to a second
 * workerd running the user's Worker. Requests therefore cross two runtimes,
 * and the RSS of interest is the second one's.
 */
export async function startWranglerDev(o: { args: readonly string[]; cwd: string; logFile: string; readyPath: string; timeoutMs?: number }): Promise<Started> {
  const port = await freePort();
  const inspector = await freePort();
  const fd = openSync(o.logFile, "a");
  const child: ChildProcess = spawn(
    process.execPath,
    [wranglerBin(), "dev", ...o.args, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false", "--log-level", "warn"],
    { cwd: o.cwd, env: WRANGLER_ENV, stdio: ["ignore", fd, fd], detached: true },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error("wrangler dev did not start");
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? -1;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited !== null) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
    if (exited === null) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  const timeoutMs = o.timeoutMs ?? 120_000;
  try {
    await waitReady(url, o.readyPath, timeoutMs, () => (exited !== null ? `wrangler dev exited (${exited}) before it was ready` : null));
  } catch (e) {
    await stop();
    throw new Error(`${errorMessage(e)}; see ${o.logFile}`);
  }
  return { url, stop, inspectorPort: inspector, workerdPid: () => userWorkerdPidOf(pid) };
}

/** Options of one Worker in Miniflare's flat (v4-style) shape, as wrangler builds them; see startMiniflare. */
export type MiniflareWorkerOptions = Record<string, unknown> & { name: string };

interface MiniflareModule {
  Miniflare: new (options: unknown) => { ready: Promise<URL>; dispose(): Promise<void> };
  convertV4MiniflareOptions(options: Record<string, unknown>): unknown;
  Log: new (level?: number) => object;
  LogLevel: { WARN: number };
}

/**
 * The miniflare package wrangler itself depends on (wrangler may carry its
 * own copy in wrangler/node_modules, with its own workerd): the runtime the
 * Worker runs on is then the one `wrangler dev` would use.
 */
export function wranglerMiniflare(): MiniflareModule {
  const fromWrangler = createRequire(require.resolve("wrangler/package.json"));
  return fromWrangler("miniflare") as MiniflareModule;
}

/** wrangler's Node API (unstable_readConfig, unstable_getMiniflareWorkerOptions...), offline and quiet like WRANGLER_ENV. */
export function wranglerApi<T>(): T {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  return require("wrangler") as T;
}

/**
 * Serves one Worker on workerd through Miniflare's API, in this process: no
 * wrangler dev and no proxy Worker in front of it, so a request crosses one
 * runtime. `worker` are the Worker's options in Miniflare's flat shape (what
 * wrangler's `unstable_getMiniflareWorkerOptions` returns, plus the source);
 * `persistRoot` is the directory wrangler calls `<--persist-to>/v3`, so state
 * that `wrangler d1 migrations apply --persist-to` wrote is seen. Runtime logs
 * go to `logFile`, never to stdout.
 */
export async function startMiniflare(o: { worker: MiniflareWorkerOptions; persistRoot?: string; inspect?: boolean; logFile: string; readyPath: string; timeoutMs?: number }): Promise<Started> {
  const mfModule = wranglerMiniflare();
  const inspectorPort = o.inspect ? await freePort() : null;
  const logFile = o.logFile;
  class FileLog extends mfModule.Log {
    protected log(message: string): void {
      appendFileSync(logFile, `[miniflare ${o.worker.name}] ${message}\n`);
    }
  }
  const before = new Set(workerdChildren(process.pid));
  const mf = new mfModule.Miniflare(
    mfModule.convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(inspectorPort !== null && { inspectorPort, inspectorHost: "127.0.0.1" }),
      // No request.cf download, no request log, logs to the file.
      cf: false,
      logRequests: false,
      log: new FileLog(mfModule.LogLevel.WARN),
      handleStructuredLogs: (l: { level?: string; message?: string }) => appendFileSync(logFile, `[workerd ${o.worker.name}] ${l.level ?? ""} ${l.message ?? JSON.stringify(l)}\n`),
      ...(o.persistRoot !== undefined && { resourcePersistencePath: o.persistRoot }),
      unsafeRegisterWorker: false,
      ...o.worker,
    }),
  );
  let disposed = false;
  const stop = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    await mf.dispose();
  };
  let url: string;
  try {
    url = (await mf.ready).origin;
    await waitReady(url, o.readyPath, o.timeoutMs ?? 120_000, () => null);
  } catch (e) {
    await stop().catch(() => undefined);
    throw new Error(`Miniflare (${o.worker.name}): ${errorMessage(e)}; see ${logFile}`);
  }
  // Each Miniflare instance spawns its own workerd child of this process: the one that was not there before.
  const workerdPid = workerdChildren(process.pid).find((p) => !before.has(p)) ?? null;
  return { url, stop, inspectorPort, inspectorTarget: `core:user:${o.worker.name}`, workerdPid: () => workerdPid };
}

/** Descendant process ids of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* process ended while scanning */
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function isWorkerd(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
  } catch {
    return false;
  }
}

/** workerd processes among the descendants of `pid`. */
function workerdChildren(pid: number): number[] {
  return descendants(pid).filter(isWorkerd);
}

/**
 * The workerd process that wrangler dev (pid) runs the user's Worker in: of
 * its two workerd processes, the one started with an inspector address (the
 * other one is wrangler's proxy Worker, which serves the public port).
 */
export function userWorkerdPidOf(pid: number): number | null {
  const all = workerdChildren(pid);
  for (const d of all) {
    try {
      if (readFileSync(`/proc/${d}/cmdline`, "utf8").includes("--inspector-addr")) return d;
    } catch {
      /* gone */
    }
  }
  return all[all.length - 1] ?? null;
}

/** Resident set size of a process in MiB (VmRSS), or null if unreadable. */
export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak and the samples. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peakMiB: number; startMiB: number; endMiB: number; samples: number } } {
  const samples: number[] = [];
  const take = () => {
    const v = rssMiB(pid);
    if (v !== null) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const round = (x: number) => Math.round(x * 10) / 10;
      return { peakMiB: round(Math.max(...samples)), startMiB: round(samples[0] ?? NaN), endMiB: round(samples[samples.length - 1] ?? NaN), samples: samples.length };
    },
  };
}

// ---------------------------------------------------------------- loopback HTTP

/** Serves a web-standard handler over node:http on 127.0.0.1 (random port). */
export async function serveLoopback(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string") headers.set(k, v);
        else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      }
      const method = req.method ?? "GET";
      const body = chunks.length > 0 && method !== "GET" && method !== "HEAD" ? Buffer.concat(chunks) : null;
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, { method, headers, body });
      handler(request)
        .then(async (response) => {
          const out = Buffer.from(await response.arrayBuffer());
          const h: Record<string, string> = {};
          response.headers.forEach((v, k) => {
            h[k] = v;
          });
          res.writeHead(response.status, h);
          res.end(out);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(errorMessage(e));
        });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
