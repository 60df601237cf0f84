/**
 * What a Durable Object SQLite write turn costs, against a statement: the
 * measurement behind the queue's write-turn batching (worker/execution/
 * queue-store.ts). A probe Durable Object (SQLite-backed, persisted to disk
 * like the bench's Worker) runs, per request:
 *
 * - `yields`: 100 event-loop yields (setTimeout 0) and no writes: the floor;
 * - `turns`: 100 yields with one UPDATE before each: 100 write turns, each
 *   its own implicit transaction and commit;
 * - `statements`: 100 UPDATEs in one turn: one commit;
 * - `turns×5`: 100 write turns of 5 UPDATEs each.
 *
 * Reported per request as wall time (client) and workerd CPU time
 * (/proc/<pid>/stat, utime + stime), so the cost of a commit is
 * (turns − yields) / 100 and of a statement (turns×5 − turns) / 400.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { clock, startMiniflare } from "./bench-lib.ts";

const PROBE = `
import { DurableObject } from "cloudflare:workers";
export class Probe extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER)");
    ctx.storage.sql.exec("INSERT OR IGNORE INTO t VALUES (1, 0)");
  }
  async run(turns, statements) {
    for (let i = 0; i < turns; i++) {
      for (let j = 0; j < statements; j++) this.ctx.storage.sql.exec("UPDATE t SET v = v + 1 WHERE id = 1");
      await new Promise((r) => setTimeout(r, 0)); // ends the turn: its implicit transaction commits
    }
  }
}
export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/") return new Response("ok");
    await env.PROBE.getByName("probe").run(Number(u.searchParams.get("turns")), Number(u.searchParams.get("statements")));
    return new Response("ok");
  },
};
`;

export interface WriteTurnCost {
  /** Per request of 100 yields/turns: wall ms and workerd CPU ms, by variant. */
  variants: Record<string, { wallMs: number; cpuMs: number }>;
  /** One write turn's commit, above a plain yield. */
  perCommit: { wallMs: number; cpuMs: number };
  /** One UPDATE statement inside a turn. */
  perStatement: { wallMs: number; cpuMs: number };
  requests: number;
}

/** Runs the probe (its own workerd, persisted under `dir`) and returns the costs. */
export async function measureWriteTurns(dir: string, logFile: string, compatibilityDate: string, requests = 40): Promise<WriteTurnCost> {
  const probe = await startMiniflare({
    worker: { name: "bench-turns", modules: true, script: PROBE, compatibilityDate, durableObjects: { PROBE: { className: "Probe", useSQLite: true } } },
    persistRoot: join(dir, "turns-state"),
    logFile,
    readyPath: "/",
  });
  try {
    const pid = probe.workerdPid();
    const cpuMs = (): number => {
      if (pid === null) return Number.NaN;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const variants: WriteTurnCost["variants"] = {};
    const run = async (name: string, turns: number, statements: number) => {
      const url = `${probe.url}/run?turns=${turns}&statements=${statements}`;
      await (await fetch(url)).text(); // warm
      const c0 = cpuMs();
      const t0 = clock();
      for (let i = 0; i < requests; i++) await (await fetch(url)).text();
      variants[name] = { wallMs: round((clock() - t0) / requests), cpuMs: round((cpuMs() - c0) / requests) };
    };
    // Twice, interleaved, keeping the second round: the first warms the file and the JIT.
    for (let round = 0; round < 2; round++) {
      await run("yields", 100, 0);
      await run("turns", 100, 1);
      await run("statements", 1, 100);
      await run("turns×5", 100, 5);
    }
    const v = (k: string) => variants[k]!;
    return {
      variants,
      perCommit: { wallMs: round((v("turns").wallMs - v("yields").wallMs) / 100, 3), cpuMs: round((v("turns").cpuMs - v("yields").cpuMs) / 100, 3) },
      perStatement: { wallMs: round((v("turns×5").wallMs - v("turns").wallMs) / 400, 4), cpuMs: round((v("turns×5").cpuMs - v("turns").cpuMs) / 400, 4) },
      requests,
    };
  } finally {
    await probe.stop();
  }
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
