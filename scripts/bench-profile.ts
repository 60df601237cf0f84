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
interface Profile {
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

/**
 * Connects to the inspector target whose id, title or URL contains `target`
 * (workerd names a Worker's isolate `core:user:<name>`), else to the first
 * one that is not the bare Worker, and returns start/stop controls.
 */
export async function connectProfiler(
  inspectorPort: number,
  target?: string,
): Promise<{ start(): Promise<void>; stop(file: string, stages: readonly string[]): Promise<{ top: HotFunction[]; stages: Record<string, number>; idlePercent: number }> }> {
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
  const send = (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async start() {
      await send("Profiler.enable");
      await send("Profiler.setSamplingInterval", { interval: 200 });
      await send("Profiler.start");
    },
    async stop(file, stages) {
      const { profile } = (await send("Profiler.stop")) as { profile: Profile };
      ws.close();
      writeFileSync(file, JSON.stringify(profile));
      const idle = profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id);
      const idleHits = (profile.samples ?? []).filter((id) => idle.includes(id)).length;
      return {
        top: summarizeProfile(profile),
        stages: inclusiveShare(profile, stages),
        idlePercent: Math.round((idleHits / ((profile.samples ?? []).length || 1)) * 1000) / 10,
      };
    },
  };
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
