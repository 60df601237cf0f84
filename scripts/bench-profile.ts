/**
 * CPU profile of the Worker under load, through a devtools inspector
 * (Chrome DevTools Protocol over a WebSocket): workerd's own when the bench
 * runs the Worker through Miniflare's API, wrangler's inspector proxy under
 * `--runtime wrangler`. Used by
 * `npm run bench -- --profile`: the profile is taken during the ack phase and
 * summarized as self time per function, so the hot path can be named.
 *
 * @module
 */
import { writeFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfPercent: number;
  totalPercent: number;
}

/** A devtools inspector session on one isolate: send a command, get its result. */
export interface InspectorSession {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/**
 * Connects to the inspector target whose id, title or URL contains `target`
 * (workerd names a Worker's isolate `core:user:<name>`), else to the first
 * one that is not the bare Worker.
 */
export async function connectInspector(inspectorPort: number, target?: string): Promise<InspectorSession> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id?: string; webSocketDebuggerUrl?: string; title?: string }[];
  const named = target ? targets.find((t) => t.webSocketDebuggerUrl && [t.id, t.title, t.webSocketDebuggerUrl].some((x) => x?.includes(target))) : undefined;
  const chosen = named ?? targets.find((t) => t.webSocketDebuggerUrl && !/bare/i.test(t.title ?? "")) ?? targets[0];
  if (!chosen?.webSocketDebuggerUrl) throw new Error(`no inspector target (${JSON.stringify(targets.map((t) => t.title ?? t.id))})`);
  // wrangler's inspector proxy refuses upgrades without a local Origin; undici's WebSocket takes extra headers.
  const init = { headers: { origin: "http://127.0.0.1" } } as unknown as string[];
  const ws = new WebSocket(chosen.webSocketDebuggerUrl, init);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("inspector connection failed")), { once: true });
  });
  let seq = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener("message", (ev: MessageEvent) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  return {
    // Bounded: a command the runtime does not answer (workerd ignores HeapProfiler.collectGarbage) must not hang the bench.
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 30_000);
        waiting.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Start/stop controls of a CPU profile of one isolate (sampling every `intervalUs`). */
export async function connectProfiler(
  inspectorPort: number,
  target?: string,
  intervalUs = 200,
): Promise<{ start(): Promise<void>; stop(file: string, stages: readonly string[]): Promise<{ top: HotFunction[]; stages: Record<string, number>; idlePercent: number; profile: Profile }> }> {
  const session = await connectInspector(inspectorPort, target);
  return {
    async start() {
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: intervalUs });
      await session.send("Profiler.start");
    },
    async stop(file, stages) {
      const { profile } = (await session.send("Profiler.stop")) as { profile: Profile };
      session.close();
      writeFileSync(file, JSON.stringify(profile));
      const idle = profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id);
      const idleHits = (profile.samples ?? []).filter((id) => idle.includes(id)).length;
      return {
        top: summarizeProfile(profile),
        stages: inclusiveShare(profile, stages),
        idlePercent: Math.round((idleHits / ((profile.samples ?? []).length || 1)) * 1000) / 10,
        profile,
      };
    },
  };
}

/**
 * The isolate's JS heap in use, in bytes (Runtime.getHeapUsage): the lowest
 * of several readings over `spanMs`, since workerd does not answer a forced
 * collection (HeapProfiler.collectGarbage) and the heap between collections
 * holds garbage.
 */
export async function heapUsed(inspectorPort: number, target?: string, spanMs = 3_000, readings = 7): Promise<number> {
  const session = await connectInspector(inspectorPort, target);
  try {
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < readings; i++) {
      const usage = (await session.send("Runtime.getHeapUsage")) as { usedSize: number };
      lowest = Math.min(lowest, usage.usedSize);
      await new Promise((r) => setTimeout(r, spanMs / readings));
    }
    return lowest;
  } finally {
    session.close();
  }
}

/** Where CPU time goes, by who runs it. */
export type CpuBucket = "worker" | "queue" | "paper ledger" | "gc" | "runtime" | "idle";

/**
 * Attributes a profile's samples to the part of Tradeloop that runs them,
 * using the bundle's module markers (esbuild writes `// worker/...` before
 * each module): the root-most frame of a sample that lies in a Tradeloop
 * module decides, because it is the function the invocation (or the
 * continuation after an await) entered through. worker/execution and the
 * plugin clients it calls → `queue` (the SubscriptionQueue object);
 * plugins/paper's ledger, API and store → `paper ledger` (the simulated
 * broker's own Durable Object); the rest of worker/ → `worker` (the fetch
 * handler). Samples without a Tradeloop frame: `gc`, `idle`, or `runtime`
 * (the runtime's own work, libraries called from nowhere we can name).
 * Returns milliseconds per bucket: samples × the sampling interval.
 */
export function attributeProfile(profile: Profile, bundle: { url?: string; text: string }): Record<CpuBucket, number> {
  return attributeProfileDetailed(profile, bundle).ms;
}

/** As {@link attributeProfile}, with each bucket's hottest functions by self time (name, module, ms). */
export function attributeProfileDetailed(
  profile: Profile,
  bundle: { url?: string; text: string },
  topN = 12,
): { ms: Record<CpuBucket, number>; top: Record<CpuBucket, { name: string; where: string; ms: number }[]> } {
  const markers: { line: number; module: string }[] = [];
  bundle.text.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:worker|plugins|node_modules)\/\S+)$/.exec(l);
    if (m) markers.push({ line: i, module: m[1]! });
  });
  const moduleAt = (line: number): string | null => {
    let lo = 0;
    let hi = markers.length - 1;
    let found: string | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (markers[mid]!.line <= line) {
        found = markers[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  // The bundle is the one script of the isolate: the URL most frames carry, unless given.
  const counts = new Map<string, number>();
  for (const n of profile.nodes) if (n.callFrame.url) counts.set(n.callFrame.url, (counts.get(n.callFrame.url) ?? 0) + 1);
  const url = bundle.url ?? ([...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "");
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOfModule = (module: string): CpuBucket | null => {
    if (module.startsWith("plugins/paper/ledger") || module === "plugins/paper/api.ts" || module === "plugins/paper/store.ts") return "paper ledger";
    if (module.startsWith("worker/execution/") || module.startsWith("plugins/")) return "queue";
    if (module.startsWith("worker/")) return "worker";
    return null;
  };
  const cache = new Map<number, CpuBucket>();
  const bucketOf = (id: number): CpuBucket => {
    const hit = cache.get(id);
    if (hit) return hit;
    let decided: CpuBucket | null = null;
    const leaf = byId.get(id);
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n || n.callFrame.url !== url) continue;
      const module = moduleAt(n.callFrame.lineNumber);
      const b = module ? bucketOfModule(module) : null;
      if (b) decided = b; // keep walking: the root-most Tradeloop frame wins
    }
    const name = leaf?.callFrame.functionName ?? "";
    const out: CpuBucket = decided ?? (name === "(idle)" ? "idle" : name === "(garbage collector)" ? "gc" : "runtime");
    cache.set(id, out);
    return out;
  };
  const ms: Record<CpuBucket, number> = { worker: 0, queue: 0, "paper ledger": 0, gc: 0, runtime: 0, idle: 0 };
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  // Each sample counts for one sampling interval (the median gap between samples). Not the gap after
  // it: on a busy machine the isolate's thread is descheduled between samples, and that wall time is
  // not CPU the isolate used. A sample is only taken while the thread runs, so counts follow CPU time.
  const gaps = [...(profile.timeDeltas ?? [])].filter((d) => d > 0).sort((a, b) => a - b);
  const interval = (gaps[Math.floor(gaps.length / 2)] ?? 0) / 1000;
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    const b = bucketOf(id);
    const t = interval;
    ms[b] += t;
    const leaf = byId.get(id);
    const where = leaf && leaf.callFrame.url === url ? (moduleAt(leaf.callFrame.lineNumber) ?? "?") : (leaf?.callFrame.url || "native");
    const key = `${b}\u0000${leaf?.callFrame.functionName || "(anonymous)"}\u0000${where}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  for (const k of Object.keys(ms) as CpuBucket[]) ms[k] = Math.round(ms[k] * 100) / 100;
  const top = { worker: [], queue: [], "paper ledger": [], gc: [], runtime: [], idle: [] } as Record<CpuBucket, { name: string; where: string; ms: number }[]>;
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1])) {
    const [b, name, where] = key.split("\u0000") as [CpuBucket, string, string];
    if (top[b].length < topN) top[b].push({ name, where, ms: Math.round(t * 100) / 100 });
  }
  return { ms, top };
}

/** Self and total sample shares per function (name + location), highest self first. */
export function summarizeProfile(profile: Profile, top = 25): HotFunction[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfHits = new Map<number, number>();
  for (const id of profile.samples ?? []) selfHits.set(id, (selfHits.get(id) ?? 0) + 1);
  const total = [...selfHits.values()].reduce((a, b) => a + b, 0) || 1;
  const key = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"}\u0000${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, hits] of selfHits) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(key(node), (self.get(key(node)) ?? 0) + hits);
    // Inclusive time: count each function once per sample, walking up the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + hits);
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, hits]) => {
      const [name, where] = k.split("\u0000");
      return { name: name ?? "", where: where ?? "", selfPercent: Math.round((hits / total) * 1000) / 10, totalPercent: Math.round(((incl.get(k) ?? 0) / total) * 1000) / 10 };
    });
}

/** Inclusive share of named functions (e.g. `syncReadModel`), to attribute time to a stage. */
export function inclusiveShare(profile: Profile, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  for (const name of names) {
    let hits = 0;
    for (const id of samples) {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        if (byId.get(cur)?.callFrame.functionName === name) {
          hits++;
          break;
        }
      }
    }
    out[name] = Math.round((hits / (samples.length || 1)) * 1000) / 10;
  }
  return out;
}
