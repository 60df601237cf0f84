/**
 * `npm run bench`: how much Tradeloop adds to a broker's own latency, on one
 * machine, all on loopback. Everything is started here and stopped here:
 *
 * - a fresh D1 (migrations applied into a temp `--persist-to` directory);
 * - the Worker, bundled once, on workerd through Miniflare's API (the
 *   bindings wrangler.toml declares, as wrangler itself translates them) on a
 *   random loopback port; `--runtime wrangler` serves it with `wrangler dev`
 *   instead, which puts wrangler's proxy Worker (a second workerd) in front;
 * - a bare Worker (replies 200 at once) on the same runtime: the runtime floor;
 * - a fake broker HTTP server on loopback: Alpaca's API when the `alpaca`
 *   plugin is installed (plugins/alpaca/fake.ts, which records each order's
 *   arrival time), else a stub that only answers, so the direct floor exists.
 *
 * Phases (see docs/performance.md): floors, ack latency at a fixed rate,
 * signal → order, fan-out to 1/10/100 subscriptions, the highest sustained
 * throughput (50 strategies), and workerd's peak RSS over 10,000 signals.
 *
 * Flags: --json (JSON only on stdout), --quick (5 s phases, for trying it
 * out), --rate N (default 50), --duration S (default 30), --broker
 * auto|alpaca|paper, --runtime miniflare|wrangler (default miniflare),
 * --profile, --only, --keep (keep the temp directory and logs).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  clientOrderIdFor,
  clock,
  openLoop,
  post,
  runToEnd,
  sampleRss,
  serveLoopback,
  sleep,
  startMiniflare,
  startWranglerDev,
  summarize,
  wranglerApi,
  type MiniflareWorkerOptions,
  type Sample,
  type Started,
  type Summary,
} from "./bench-lib.ts";
import { attributeProfileDetailed, connectProfiler, heapUsed, type CpuBucket, type HotFunction, type Profile } from "./bench-profile.ts";
import { measureWriteTurns, type WriteTurnCost } from "./bench-turns.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    rate: { type: "string" },
    duration: { type: "string" },
    broker: { type: "string", default: "auto" },
    signals: { type: "string" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    runtime: { type: "string", default: "miniflare" },
  },
});
if (flags.runtime !== "miniflare" && flags.runtime !== "wrangler") throw new Error(`--runtime must be miniflare or wrangler, not ${flags.runtime}`);
/** What serves the Worker and the bare Worker: workerd through Miniflare's API (default), or `wrangler dev`. */
const RUNTIME: "miniflare" | "wrangler" = flags.runtime;
/** `--only ack,fanout`: run just these phases (floors always run: every result is a ratio to them). */
const ONLY = new Set((flags.only ?? "turns,ack,ack0,ackq,s2o,fanout,cpu,idlemem,npmstart,throughput,memory").split(",").map((x) => x.trim()));
const QUICK = flags.quick === true;
const RATE = Number(flags.rate ?? 50);
const DURATION_S = Number(flags.duration ?? (QUICK ? 5 : 30));
const MEMORY_SIGNALS = Number(flags.signals ?? (QUICK ? 2_000 : 10_000));
const THROUGHPUT_LANES = 50;
/** Offered rates tried in turn; the first one missed ends the ladder. */
const LADDER = [25, 50, 100, 200, 300, 400, 600, 800];

/** Progress goes to stderr so `--json` keeps stdout clean. */
const say = (msg: string): void => {
  process.stderr.write(`bench: ${msg} (load ${load()})\n`);
};

/** The 1-minute load average: the machine is shared, so every figure carries the load it was taken under. */
const load = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

/** Load average at the start and end of each phase, by phase. */
const loads: Record<string, { start: number; end: number }> = {};

/** Runs a phase and records the load average around it. */
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = load();
  try {
    return await run();
  } finally {
    loads[name] = { start, end: load() };
  }
}

// ---------------------------------------------------------------- brokers

interface Arrival {
  at: number;
}

interface BrokerUnderTest {
  name: "alpaca" | "paper";
  /** Body of POST /api/connections for the i-th account. */
  connection(i: number): Record<string, unknown>;
  /** When the broker received an order, by client order id (alpaca only). */
  arrival(clientOrderId: string): Arrival | undefined;
  /** One request straight to the broker, for the direct floor. */
  direct(i: number): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The fake Alpaca, bundled with esbuild (it is TypeScript with extensionless imports) and served on loopback. */
async function alpacaBroker(tmp: string): Promise<BrokerUnderTest> {
  const esbuild = (await import("esbuild")) as { build(o: Record<string, unknown>): Promise<unknown> };
  const out = join(tmp, "alpaca-fake.mjs");
  await esbuild.build({ entryPoints: [join(ROOT, "plugins/alpaca/fake.ts")], bundle: true, format: "esm", platform: "node", outfile: out, logLevel: "error" });
  type FakeCtor = new (o: Record<string, unknown>) => { fetch(r: Request): Promise<Response> };
  const mod = (await import(pathToFileURL(out).href)) as { AlpacaFake: FakeCtor };
  const arrivals = new Map<string, Arrival>();
  const fake = new mod.AlpacaFake({
    acceptAnyKey: true,
    defaultPrice: "100",
    marketOpen: true,
    clock,
    onOrder: (a: { clientOrderId: string | null; receivedAt: number; accepted: boolean }) => {
      if (a.clientOrderId && !arrivals.has(a.clientOrderId)) arrivals.set(a.clientOrderId, { at: a.receivedAt });
    },
  });
  const server = await serveLoopback((r) => fake.fetch(r));
  const keyFor = (i: number) => ({ keyId: `PKBENCH${String(i).padStart(12, "0")}`, secretKey: `bench-secret-${i}-${"0".repeat(24)}` });
  const floorKey = keyFor(999_999);
  return {
    name: "alpaca",
    connection: (i) => ({ broker: "alpaca", name: `Bench ${i}`, credentials: keyFor(i), settings: { baseUrl: server.url } }),
    arrival: (id) => arrivals.get(id),
    direct: (i) =>
      post(
        `${server.url}/v2/orders`,
        JSON.stringify({ symbol: "SPY", qty: "1", side: i % 2 === 0 ? "buy" : "sell", type: "market", time_in_force: "day", client_order_id: `floor-${i}-${clock()}` }),
        { "APCA-API-KEY-ID": floorKey.keyId, "APCA-API-SECRET-KEY": floorKey.secretKey },
      ),
    close: server.close,
  };
}

/** The built-in paper broker (in the Worker), with a loopback stub for the direct floor. */
async function paperBroker(): Promise<BrokerUnderTest> {
  const stub = await serveLoopback(async (r) => {
    await r.arrayBuffer();
    return Response.json({ id: "floor", status: "accepted" }, { status: 201 });
  });
  return {
    name: "paper",
    connection: (i) => ({ broker: "paper", name: `Bench ${i}`, settings: { startingCash: 1_000_000_000 } }),
    arrival: () => undefined,
    direct: (i) => post(`${stub.url}/v2/orders`, JSON.stringify({ symbol: "SPY", qty: "1", side: "buy", type: "market", client_order_id: `floor-${i}` })),
    close: stub.close,
  };
}

function alpacaInstalled(): boolean {
  const registry = readFileSync(join(ROOT, "plugins/index.ts"), "utf8");
  return /alpaca/i.test(registry) && existsSync(join(ROOT, "plugins/alpaca/fake.ts"));
}

// ---------------------------------------------------------------- API

class Api {
  token = "";
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = {
      method,
      headers: { "content-type": "application/json", ...(this.token && { authorization: `Bearer ${this.token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    };
    let res: Response | null = null;
    // An overloaded runtime may drop a connection; reads are retried a few times (writes are not: they might have happened).
    for (let attempt = 1; res === null; attempt++) {
      try {
        res = await fetch(this.base + path, { ...init, signal: AbortSignal.timeout(30_000) });
      } catch (e) {
        if (method !== "GET" || attempt >= 5) throw e;
        await sleep(500 * attempt);
      }
    }
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

interface Lane {
  strategyId: string;
  webhookUrl: string;
  subscriptionIds: string[];
  /**
   * "alternate": buy 1, exit, buy 1, exit... (realistic; sent open-loop, a
   * later exit can overtake its buy and is then rightly rejected with
   * no-position-to-exit). "buy": buy 1 at price 1, every time (the
   * subscription allows adding to a position), so every accepted signal must
   * end in a filled order.
   */
  kind: "alternate" | "buy";
  next: number;
}

let connectionSeq = 0;

/** One strategy with `subscriptions` subscriptions, each on its own broker account. */
async function lane(api: Api, broker: BrokerUnderTest, subscriptions: number, settings: Record<string, unknown> = {}, kind: Lane["kind"] = "alternate"): Promise<Lane> {
  if (kind === "buy" && settings.allowAddToPosition !== true) throw new Error("a buy-only lane needs allowAddToPosition");
  // The bench sends far above the default webhook rate (60 per minute): allow the most a strategy can.
  const strategy = await api.call<{ id: string; webhookUrl: string }>("POST", "/api/strategies", { name: `Bench ${connectionSeq}`, assetClass: "stocks", settings: { webhookRatePerMinute: 6000 } });
  const subscriptionIds: string[] = [];
  for (let i = 0; i < subscriptions; i++) {
    const conn = await api.call<{ id: string }>("POST", "/api/connections", broker.connection(connectionSeq++));
    const sub = await api.call<{ id: string }>("POST", "/api/subscriptions", { strategyId: strategy.id, connectionId: conn.id, settings });
    subscriptionIds.push(sub.id);
  }
  return { strategyId: strategy.id, webhookUrl: strategy.webhookUrl, subscriptionIds, kind, next: 0 };
}

/** The next signal of a lane: buy 1, exit, buy 1, exit... or buy 1 at price 1 every time (one order each). */
function nextSignal(l: Lane): { body: string; leg: "entry" | "exit" } {
  // Price 1: a paper account's cash never runs out however many buys a throughput run sends.
  if (l.kind === "buy") return { body: JSON.stringify({ ticker: "SPY", action: "buy", quantity: 1, price: 1 }), leg: "entry" };
  const buy = l.next++ % 2 === 0;
  return buy
    ? { body: JSON.stringify({ ticker: "SPY", action: "buy", quantity: 1, price: 100 }), leg: "entry" }
    : { body: JSON.stringify({ ticker: "SPY", action: "exit", price: 100 }), leg: "exit" };
}

function webhookPath(l: Lane): string {
  return new URL(l.webhookUrl).pathname;
}

// ---------------------------------------------------------------- phases

interface Results {
  machine: Record<string, unknown>;
  broker: string;
  /** What served the Worker and the bare Worker. */
  runtime: string;
  settings: { rate: number; durationS: number; memorySignals: number };
  floors: { direct: Summary; bareWorker: Summary };
  /** `executed`: accepted signals whose trade reached a terminal status (details in `outcomes`). */
  ack: Summary & { errors: number; errorsByStatus: Record<string, number>; executed: number; drainMs: number; outcomes: Outcomes | null; ordering: Ordering | null };
  /** Ack latency against a strategy with no subscription: D1 lookup and log only, no Durable Object hop. */
  ackNoSubscription: (Summary & { errors: number }) | null;
  /** Ack latency with one subscription whose signals are delayed an hour: the Durable Object hop without any execution behind it. */
  ackQueuedOnly: (Summary & { errors: number }) | null;
  signalToOrder: Summary & { method: string; lost: number };
  fanOut: { n: number; medianMs: number; maxMs: number; reps: number; method: string }[];
  /** Steps: `accounted` counts accepted signals whose trade is filled with an order (every signal there is a buy that must fill). */
  throughput: { sustained: number; steps: { rate: number; ack: Summary; errors: number; errorsByStatus: Record<string, number>; accounted: number; accepted: number; ok: boolean; drainMs: number; outcomes: Outcomes }[] };
  memory: { signals: number; peakMiB: number; startMiB: number; endMiB: number; bareWorkerMiB: number | null; samples: number; accepted: number; executed: number; drainMs: number; outcomes: Outcomes | null; ordering: Ordering | null };
  /** SQLite write turn against statement (scripts/bench-turns.ts). */
  writeTurns: WriteTurnCost | null;
  /** CPU per signal by part, from a CPU profile of the Worker's isolate plus workerd's process CPU. */
  cpu: CpuPerSignal | null;
  /** Memory per idle SubscriptionQueue object. */
  idleQueues: IdleQueueMemory | null;
  /** The ack phase again, under `wrangler dev` (what `npm start` runs). */
  ackNpmStart: (Summary & { errors: number; executed: number }) | null;
  /** Load average (1 min) at the start and end of each phase. */
  loads: Record<string, { start: number; end: number }>;
  goals: Record<string, { goal: string; value: string; met: boolean; ratio: string }>;
}

/** Non-200 replies by status (0 = no reply within the client timeout). */
function errorsByStatus(samples: readonly Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of samples) if (x.status !== 200) out[String(x.status)] = (out[String(x.status)] ?? 0) + 1;
  return out;
}

function latencies(samples: readonly Sample[]): number[] {
  return samples.filter((s) => s.status === 200 || s.status === 201).map((s) => s.doneAt - s.scheduledAt);
}

async function floors(broker: BrokerUnderTest, bare: Started): Promise<Results["floors"]> {
  const count = RATE * DURATION_S;
  say(`floor: ${count} requests at ${RATE}/s straight to the fake broker`);
  const direct = await openLoop(RATE, count, (i) => broker.direct(i));
  say(`floor: ${count} requests at ${RATE}/s to a bare Worker on the same runtime`);
  const body = JSON.stringify({ ticker: "SPY", action: "buy", quantity: 1, price: 100 });
  const bareSamples = await openLoop(RATE, count, () => post(`${bare.url}/webhook/x/y`, body));
  return { direct: summarize(latencies(direct)), bareWorker: summarize(latencies(bareSamples)) };
}

/** Functions whose inclusive share attributes the Worker's CPU to the stages of a signal. */
const STAGES = [
  "handleWebhook",
  "handleSignals",
  "lookupStrategy",
  "parseSignalBody",
  "enqueueWithRetry",
  "enqueue",
  "check",
  "drain",
  "runTrade",
  "decideNow",
  "decide",
  "placeOnce",
  "syncReadModel",
  "brokerClientFor",
  "resolveSettings",
  "clientOrderIdsFor",
  "createLedgerApi",
  "mutate",
];

let profileReport: { top: HotFunction[]; stages: Record<string, number>; idlePercent: number; file: string } | null = null;

async function ackLatency(worker: Started, api: Api, label = "ack"): Promise<Results["ack"]> {
  // A paper subscription: the reply never waits for a broker, and paper has no per-key rate limit to back the queue up.
  const paper = await paperBroker();
  const l = await lane(api, paper, 1, { allowAddToPosition: true });
  await paper.close();
  await warmUp(worker, api, [l]);
  const count = RATE * DURATION_S;
  const profiling = flags.profile && label === "ack";
  say(`${label}: ${count} signals at ${RATE}/s, one strategy, one subscription${profiling ? " (CPU profile on)" : ""}`);
  if (profiling && worker.inspectorPort === null) throw new Error("--profile: the Worker was started without an inspector");
  const profiler = profiling && worker.inspectorPort !== null ? await connectProfiler(worker.inspectorPort, worker.inspectorTarget) : null;
  await profiler?.start();
  const accepted = new Set<string>();
  const sent: (Sent & { repliedAt: number })[] = [];
  const since = clock();
  const samples = await openLoop(RATE, count, async () => {
    const sentAt = clock();
    const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
    if (r.status === 200) {
      const id = (JSON.parse(r.body) as { id: string }).id;
      accepted.add(id);
      sent.push({ id, lane: 0, sentAt, repliedAt: clock() });
    }
    return r;
  });
  if (profiler) {
    const file = join(tmpdir(), `tradeloop-bench-${Date.now()}.cpuprofile`);
    const { profile: _profile, ...report } = await profiler.stop(file, STAGES);
    profileReport = { ...report, file };
  }
  // The next phase starts on an idle Worker: wait until every accepted signal's trade is terminal (and say how long it took).
  say(`${label}: waiting for the queue to drain`);
  const timing = new Map<string, SignalTiming>();
  const outcomes = await accountedFor(api, [l], accepted, since, 300_000, timing);
  const order = ordering(sent, timing);
  say(`${label}: ${describeOutcomes(outcomes)}; order: ${describeOrdering(order)}`);
  return {
    ...summarize(latencies(samples)),
    errors: samples.filter((s) => s.status !== 200).length,
    errorsByStatus: errorsByStatus(samples),
    executed: outcomes.terminal,
    drainMs: outcomes.drainMs,
    outcomes,
    ordering: order,
  };
}

/** One subscription, every signal delayed an hour: enqueue (and its durable write) without a drain loop competing. */
async function ackQueuedOnly(worker: Started, api: Api): Promise<Results["ackQueuedOnly"]> {
  const paper = await paperBroker();
  const l = await lane(api, paper, 1, { allowAddToPosition: true });
  await paper.close();
  await warmUp(worker, api, [l]);
  const count = RATE * DURATION_S;
  say(`ack with execution deferred (delay 1 h): ${count} signals at ${RATE}/s`);
  const body = JSON.stringify({ ticker: "SPY", action: "buy", quantity: 1, price: 100, delay: 3600 });
  const samples = await openLoop(RATE, count, () => post(worker.url + webhookPath(l), body));
  return { ...summarize(latencies(samples)), errors: samples.filter((s) => s.status !== 200).length };
}

/** The same load against a strategy with no subscription: what D1 alone costs the webhook. */
async function ackNoSubscription(worker: Started, api: Api): Promise<Results["ackNoSubscription"]> {
  const strategy = await api.call<{ id: string; webhookUrl: string }>("POST", "/api/strategies", { name: "Bench no subscription", assetClass: "stocks", settings: { webhookRatePerMinute: 6000 } });
  const l: Lane = { strategyId: strategy.id, webhookUrl: strategy.webhookUrl, subscriptionIds: [], kind: "alternate", next: 0 };
  const count = RATE * DURATION_S;
  say(`ack without subscriptions: ${count} signals at ${RATE}/s`);
  const samples = await openLoop(RATE, count, () => post(worker.url + webhookPath(l), nextSignal(l).body));
  return { ...summarize(latencies(samples)), errors: samples.filter((s) => s.status !== 200).length };
}

async function waitForArrivals(broker: BrokerUnderTest, ids: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ids.some((id) => !broker.arrival(id))) await sleep(20);
}

async function signalToOrder(worker: Started, api: Api, broker: BrokerUnderTest): Promise<Results["signalToOrder"]> {
  const lanes: Lane[] = [];
  for (let i = 0; i < 20; i++) lanes.push(await lane(api, broker, 1));
  const count = QUICK ? 40 : 100;
  const rate = 10;
  say(`signal→order: ${count} signals at ${rate}/s over ${lanes.length} strategies (${broker.name})`);
  if (broker.name === "alpaca") {
    // Warm-up: one executed signal per lane (objects created, accounts read once).
    const warm: string[] = [];
    for (const l of lanes) {
      const s = nextSignal(l);
      const r = await post(worker.url + webhookPath(l), s.body);
      if (r.status === 200) warm.push(clientOrderIdFor((JSON.parse(r.body) as { id: string }).id, l.subscriptionIds[0]!, s.leg));
    }
    await waitForArrivals(broker, warm, 30_000);
    const sent: { id: string; at: number }[] = [];
    const samples = await openLoop(rate, count, async (i) => {
      const l = lanes[i % lanes.length]!;
      const s = nextSignal(l);
      const at = clock();
      const r = await post(worker.url + webhookPath(l), s.body);
      if (r.status === 200) {
        const id = (JSON.parse(r.body) as { id: string }).id;
        sent.push({ id: clientOrderIdFor(id, l.subscriptionIds[0]!, s.leg), at });
      }
      return r;
    });
    await waitForArrivals(broker, sent.map((s) => s.id), 30_000);
    const values = sent.flatMap((s) => {
      const a = broker.arrival(s.id);
      return a ? [a.at - s.at] : [];
    });
    return { ...summarize(values), method: "webhook POST sent → order received by the fake broker", lost: samples.length - values.length };
  }
  // Paper: the broker is inside the Worker; `?wait=` replies once the order is filled, an upper bound.
  const samples = await openLoop(rate, count, (i) => {
    const l = lanes[i % lanes.length]!;
    return post(`${worker.url}${webhookPath(l)}?wait=2500`, nextSignal(l).body);
  });
  const filled = samples.filter((s) => s.status === 200 && /"status":"filled"/.test(s.body));
  return {
    ...summarize(filled.map((s) => s.doneAt - s.sentAt)),
    method: "webhook POST sent → ?wait= reply with the order filled (upper bound; paper broker)",
    lost: samples.length - filled.length,
  };
}

async function fanOut(worker: Started, api: Api, broker: BrokerUnderTest): Promise<Results["fanOut"]> {
  const out: Results["fanOut"] = [];
  for (const n of [1, 10, 100]) {
    say(`fan-out: one strategy → ${n} subscriptions (${broker.name}), creating accounts`);
    const l = await lane(api, broker, n);
    const reps = QUICK ? 3 : 6;
    const times: number[] = [];
    // Rep -1 warms the N objects and accounts up and is not counted.
    for (let r = -1; r < reps; r++) {
      const s = nextSignal(l);
      const at = clock();
      if (broker.name === "alpaca") {
        const reply = await post(worker.url + webhookPath(l), s.body);
        const id = (JSON.parse(reply.body) as { id: string }).id;
        const ids = l.subscriptionIds.map((sub) => clientOrderIdFor(id, sub, s.leg));
        await waitForArrivals(broker, ids, 30_000);
        const last = Math.max(...ids.map((cid) => broker.arrival(cid)?.at ?? Number.POSITIVE_INFINITY));
        if (r >= 0) times.push(last - at);
      } else {
        const reply = await post(`${worker.url}${webhookPath(l)}?wait=2500`, s.body);
        const trades = (JSON.parse(reply.body) as { trades?: { status: string }[] }).trades ?? [];
        const done = trades.filter((t) => t.status === "filled").length === n;
        if (r >= 0) times.push(done ? clock() - at : Number.POSITIVE_INFINITY);
      }
      await sleep(200);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 100) / 100;
    out.push({
      n,
      medianMs: round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
      maxMs: round(sorted[sorted.length - 1] ?? NaN),
      reps,
      method: broker.name === "alpaca" ? "POST sent → last of the N orders received by the fake broker" : "POST sent → ?wait= reply with all N trades filled (paper)",
    });
  }
  return out;
}

interface SignalPage {
  signals: {
    id: string;
    receivedAt: string;
    trades: { status: string; messageCode?: string; createdAt: string; orders: { createdAt: string }[] }[];
  }[];
  nextCursor: string | null;
}

/** When a signal reached the webhook, its queue, and its broker order (the queue's first order row), epoch ms. */
interface SignalTiming {
  receivedAt: number;
  /** The trade's creation time: the queue's clock when enqueue took the signal. */
  arrivedAt: number | null;
  /** The first order's creation time: when the queue decided and recorded it, just before sending. */
  executedAt: number | null;
}

/** A signal the bench sent: its lane and when. */
interface Sent {
  id: string;
  lane: number;
  sentAt: number;
}

/**
 * Order of consecutive signals of one strategy (one queue), as sent, as the
 * webhook received them, as they reached the queue, and as they executed.
 */
interface Ordering {
  /** Consecutive pairs (in send order) on the same strategy. */
  pairs: number;
  /** Pairs whose gap between sends was shorter than the first one's reply: in flight together, no order promised. */
  concurrent: number;
  /** Pairs the webhook received the other way round. */
  receivedSwapped: number;
  /** Pairs that reached the queue the other way round (the later sent arrived first). */
  arrivedSwapped: number;
  /** Of those, pairs whose first reply came back before the second was sent (the order the queue promises): must be 0. */
  arrivedSwappedSequential: number;
  /** Pairs the queue executed against their arrival order: must be 0. */
  executedAgainstArrival: number;
  /** The swaps at arrival, with what delayed the earlier signal. */
  swaps: { gapMs: number; firstWebhookMs: number; secondWebhookMs: number; firstReplyMs: number }[];
}

function ordering(sent: readonly (Sent & { repliedAt: number })[], timing: ReadonlyMap<string, SignalTiming>): Ordering {
  const out: Ordering = { pairs: 0, concurrent: 0, receivedSwapped: 0, arrivedSwapped: 0, arrivedSwappedSequential: 0, executedAgainstArrival: 0, swaps: [] };
  const byLane = new Map<number, (Sent & { repliedAt: number })[]>();
  for (const x of sent) byLane.set(x.lane, [...(byLane.get(x.lane) ?? []), x]);
  for (const list of byLane.values()) {
    list.sort((a, b) => a.sentAt - b.sentAt);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const ta = timing.get(a.id);
      const tb = timing.get(b.id);
      if (!ta || !tb || ta.arrivedAt === null || tb.arrivedAt === null) continue;
      out.pairs++;
      const sequential = a.repliedAt <= b.sentAt;
      if (!sequential) out.concurrent++;
      if (tb.receivedAt < ta.receivedAt) out.receivedSwapped++;
      if (tb.arrivedAt < ta.arrivedAt) {
        out.arrivedSwapped++;
        if (sequential) out.arrivedSwappedSequential++;
        if (out.swaps.length < 10) {
          out.swaps.push({
            gapMs: Math.round(b.sentAt - a.sentAt),
            firstWebhookMs: ta.arrivedAt - ta.receivedAt,
            secondWebhookMs: tb.arrivedAt - tb.receivedAt,
            firstReplyMs: Math.round(a.repliedAt - a.sentAt),
          });
        }
      }
      const [early, late] = ta.arrivedAt <= tb.arrivedAt ? [ta, tb] : [tb, ta];
      if (early.executedAt !== null && late.executedAt !== null && late.executedAt < early.executedAt) out.executedAgainstArrival++;
    }
  }
  return out;
}

function describeOrdering(o: Ordering): string {
  const swaps = o.swaps.map((x) => `${x.gapMs} ms apart, webhook ${x.firstWebhookMs}/${x.secondWebhookMs} ms, first reply ${x.firstReplyMs} ms`).join("; ");
  return (
    `${o.pairs} consecutive pairs per strategy (${o.concurrent} in flight together): ${o.arrivedSwapped} reached their queue swapped` +
    `${o.arrivedSwapped ? ` (${swaps})` : ""}, ${o.arrivedSwappedSequential} of them sequential; ${o.executedAgainstArrival} executed against arrival order`
  );
}

/** Trade statuses after which nothing more happens to a trade (queued, executing and pending_approval are not). */
const TERMINAL = new Set(["filled", "partially_filled", "open", "rejected", "failed", "cancelled"]);

/** What became of the accepted signals of a phase, read back through the API (the read model the queues keep). */
interface Outcomes {
  accepted: number;
  /** Accepted signals whose trade (one per subscription) reached a terminal status. */
  terminal: number;
  /** Accepted signals whose every trade is `filled` with at least one order. */
  filled: number;
  /** Terminal trades by status. */
  byStatus: Record<string, number>;
  /** Rejected trades by messageCode (e.g. no-position-to-exit: an exit that overtook its buy). */
  rejected: Record<string, number>;
  /** Failed trades by messageCode: always a problem. */
  failed: Record<string, number>;
  /** Accepted signals still without a terminal trade when the wait ended, by what was seen ("no trade yet", "queued"...): a problem. */
  notTerminal: Record<string, number>;
  /** From the call until every accepted signal was terminal (or the wait gave up). */
  drainMs: number;
  timedOut: boolean;
}

const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const tally = (r: Record<string, number>): string =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${v}`)
    .join(", ");

/** "250/250 terminal (248 filled, 2 rejected: no-position-to-exit ×2)", with failures and stragglers flagged. */
function describeOutcomes(o: Outcomes, what = " terminal"): string {
  const parts = [`${o.filled} filled`];
  const rejected = total(o.rejected);
  if (rejected) parts.push(`${rejected} rejected: ${tally(o.rejected)}`);
  for (const st of ["partially_filled", "open", "cancelled"]) if (o.byStatus[st]) parts.push(`${o.byStatus[st]} ${st}`);
  const filledWithoutOrder = (o.byStatus.filled ?? 0) - o.filled;
  if (filledWithoutOrder > 0) parts.push(`${filledWithoutOrder} filled WITHOUT an order`);
  let out = `${o.terminal}/${o.accepted}${what} (${parts.join(", ")})`;
  const failed = total(o.failed);
  if (failed) out += ` · ⚠ ${failed} FAILED: ${tally(o.failed)}`;
  const stuck = total(o.notTerminal);
  if (stuck) out += ` · ⚠ ${stuck} NOT TERMINAL after ${(o.drainMs / 1000).toFixed(0)} s: ${tally(o.notTerminal)}`;
  return out;
}

/** Failed trades or signals left non-terminal: these are bugs or lost work, never a matter of load. */
function problemsOf(o: Outcomes | null): string | null {
  return o && (total(o.failed) > 0 || total(o.notTerminal) > 0) ? describeOutcomes(o) : null;
}

/**
 * Waits until every accepted signal has a terminal trade on each of its
 * lane's subscriptions (or `timeoutMs` passes) and tallies the outcomes.
 * `since` (when the phase began sending) bounds the paging: a lane's older
 * signals, from earlier phases, are not read again.
 */
async function accountedFor(
  api: Api,
  lanes: readonly Lane[],
  accepted: ReadonlySet<string>,
  since: number,
  timeoutMs: number,
  timing?: Map<string, SignalTiming>,
): Promise<Outcomes> {
  const start = clock();
  const deadline = Date.now() + timeoutMs;
  const olderThan = since - 10_000; // clock skew and reply latency margin
  for (;;) {
    const o: Outcomes = { accepted: accepted.size, terminal: 0, filled: 0, byStatus: {}, rejected: {}, failed: {}, notTerminal: {}, drainMs: 0, timedOut: false };
    const seen = new Set<string>();
    for (const l of lanes) {
      let cursor: string | null = null;
      do {
        // 90 per page: the list endpoint binds one parameter per signal, and D1 allows 100 (see test/faults/read-model.test.ts).
        const q: string = `/api/signals?strategyId=${l.strategyId}&limit=90${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page: SignalPage = await api.call<SignalPage>("GET", q);
        for (const s of page.signals) {
          if (!accepted.has(s.id)) continue;
          seen.add(s.id);
          if (timing) {
            const first = (xs: readonly { createdAt: string }[]) => (xs.length === 0 ? null : Math.min(...xs.map((x) => Date.parse(x.createdAt))));
            timing.set(s.id, { receivedAt: Date.parse(s.receivedAt), arrivedAt: first(s.trades), executedAt: first(s.trades.flatMap((t) => t.orders)) });
          }
          const waiting = s.trades.find((t) => !TERMINAL.has(t.status));
          if (waiting || s.trades.length < l.subscriptionIds.length) {
            const why = waiting ? waiting.status : "no trade yet";
            o.notTerminal[why] = (o.notTerminal[why] ?? 0) + 1;
            continue;
          }
          o.terminal++;
          if (s.trades.every((t) => t.status === "filled" && t.orders.length > 0)) o.filled++;
          for (const t of s.trades) {
            o.byStatus[t.status] = (o.byStatus[t.status] ?? 0) + 1;
            const code = t.messageCode ?? "(no messageCode)";
            if (t.status === "rejected") o.rejected[code] = (o.rejected[code] ?? 0) + 1;
            if (t.status === "failed") o.failed[code] = (o.failed[code] ?? 0) + 1;
          }
        }
        const oldest = page.signals[page.signals.length - 1];
        cursor = oldest && Date.parse(oldest.receivedAt) < olderThan ? null : page.nextCursor;
      } while (cursor);
    }
    const missing = accepted.size - seen.size;
    if (missing > 0) o.notTerminal["not in the signal log yet"] = missing;
    const timedOut = Date.now() > deadline;
    if (o.terminal >= accepted.size || timedOut) return { ...o, drainMs: Math.round(clock() - start), timedOut: o.terminal < accepted.size };
    await sleep(500);
  }
}

/**
 * One signal per lane, executed, before measuring: the first request to a
 * Durable Object creates it (constructor, schema migration) and the first
 * broker call sets the account up. Steady state is what the phases compare.
 */
async function warmUp(worker: Started, api: Api, lanes: readonly Lane[]): Promise<void> {
  const accepted = new Set<string>();
  const since = clock();
  await Promise.all(
    lanes.map(async (l) => {
      const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
      if (r.status === 200) accepted.add((JSON.parse(r.body) as { id: string }).id);
    }),
  );
  const warm = await accountedFor(api, lanes, accepted, since, 60_000);
  const problem = problemsOf(warm);
  if (problem) say(`warm-up: ${problem}`);
}

async function throughput(worker: Started, api: Api): Promise<Results["throughput"]> {
  const paper = await paperBroker();
  say(`throughput: creating ${THROUGHPUT_LANES} strategies (paper, buy-only, adding to the position)`);
  const lanes: Lane[] = [];
  // Every signal is a buy the subscription must add to its position: each accepted signal has to end in a filled order.
  for (let i = 0; i < THROUGHPUT_LANES; i++) lanes.push(await lane(api, paper, 1, { allowAddToPosition: true }, "buy"));
  await paper.close();
  await warmUp(worker, api, lanes);
  const steps: Results["throughput"]["steps"] = [];
  let sustained = 0;
  for (const rate of LADDER) {
    const count = rate * DURATION_S;
    say(`throughput: ${count} signals at ${rate}/s over ${THROUGHPUT_LANES} strategies`);
    // Each step is judged on its own signals: fresh strategies would cost setup time, so the lanes carry on.
    const accepted = new Set<string>();
    const since = clock();
    const samples = await openLoop(rate, count, async (i) => {
      const l = lanes[i % lanes.length]!;
      const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
      if (r.status === 200) accepted.add((JSON.parse(r.body) as { id: string }).id);
      return r;
    });
    const ack = summarize(latencies(samples));
    const errors = samples.filter((s) => s.status !== 200).length;
    const outcomes = await accountedFor(api, lanes, accepted, since, 60_000);
    // Accounted: filled with an order at the (paper) broker. A rejected or failed buy here is a lost signal.
    const accounted = outcomes.filled;
    const ok = errors === 0 && ack.p99 < 100 && accepted.size === count && accounted === count;
    steps.push({ rate, ack, errors, errorsByStatus: errorsByStatus(samples), accounted, accepted: accepted.size, ok, drainMs: outcomes.drainMs, outcomes });
    say(`throughput: ${rate}/s → ack p99 ${ack.p99} ms, errors ${errors}, filled ${accounted}/${count}; ${describeOutcomes(outcomes)} (${outcomes.timedOut ? "gave up waiting" : "all terminal"} ${outcomes.drainMs} ms after the last reply) ${ok ? "OK" : "MISSED"}`);
    if (!ok) break;
    sustained = rate;
    await sleep(1_000);
  }
  return { sustained, steps };
}

async function memory(worker: Started, bare: Started, api: Api): Promise<Results["memory"]> {
  const paper = await paperBroker();
  const lanes: Lane[] = [];
  for (let i = 0; i < THROUGHPUT_LANES; i++) lanes.push(await lane(api, paper, 1));
  await paper.close();
  await warmUp(worker, api, lanes);
  const pid = worker.workerdPid();
  const barePid = bare.workerdPid();
  if (pid === null) throw new Error("could not find the workerd process running the Worker");
  // The reference rate: a bounded run of known length (10,000 at 50/s is 200 s), whatever the machine sustains.
  const rate = RATE;
  say(`memory: ${MEMORY_SIGNALS} signals at ${rate}/s, sampling workerd (pid ${pid}) RSS`);
  const sampler = sampleRss(pid);
  const accepted = new Set<string>();
  const sent: (Sent & { repliedAt: number })[] = [];
  const since = clock();
  await openLoop(rate, MEMORY_SIGNALS, async (i) => {
    const l = lanes[i % lanes.length]!;
    const sentAt = clock();
    const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
    if (r.status === 200) {
      const id = (JSON.parse(r.body) as { id: string }).id;
      accepted.add(id);
      sent.push({ id, lane: i % lanes.length, sentAt, repliedAt: clock() });
    }
    return r;
  });
  // The run includes the queues draining behind it (bounded).
  const timing = new Map<string, SignalTiming>();
  const drained = await accountedFor(api, lanes, accepted, since, 300_000, timing);
  const order = ordering(sent, timing);
  say(`memory: ${describeOutcomes(drained)}; order: ${describeOrdering(order)}`);
  const rss = sampler.stop();
  const bareRss = barePid === null ? null : Math.round((sampleRss(barePid).stop().peakMiB) * 10) / 10;
  return { signals: MEMORY_SIGNALS, ...rss, bareWorkerMiB: bareRss, accepted: accepted.size, executed: drained.terminal, drainMs: drained.drainMs, outcomes: drained, ordering: order };
}

/** CPU per signal, by part. */
interface CpuPerSignal {
  signals: number;
  rate: number;
  /** Milliseconds of the isolate's CPU per signal, by who ran it (scripts/bench-profile.ts attributeProfile). */
  perSignalMs: Record<CpuBucket, number>;
  /** workerd's whole process CPU per signal (every isolate, D1's SQLite, HTTP), from /proc: the upper bound. */
  processMsPerSignal: number;
  /** The hottest functions (self time) of the Worker and the queue, ms per signal. */
  top: Record<"worker" | "queue", { name: string; where: string; ms: number }[]>;
  samplingUs: number;
  method: string;
}

/** Process CPU time of a pid in ms (utime + stime, Linux clock ticks of 10 ms). */
function processCpuMs(pid: number | null): number {
  if (pid === null) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU per signal in the Worker's fetch handler and in the SubscriptionQueue,
 * at a rate low enough that signals do not queue behind each other, so each
 * signal's work is one webhook request and one queue run. The isolate (the
 * Worker and its Durable Objects share it) is profiled by V8's sampling
 * profiler over the inspector; each sample is charged to the part whose code
 * the invocation entered through (attributeProfile). workerd's process CPU
 * over the same window is the upper bound of everything together.
 */
async function cpuPerSignal(worker: Started, api: Api, bundleText: string): Promise<CpuPerSignal> {
  if (worker.inspectorPort === null) throw new Error("cpu: the Worker runs without an inspector");
  const paper = await paperBroker();
  const l = await lane(api, paper, 1, { allowAddToPosition: true });
  await paper.close();
  await warmUp(worker, api, [l]);
  const rate = 20;
  const count = rate * Math.min(DURATION_S, 15);
  const samplingUs = 100;
  say(`cpu: ${count} signals at ${rate}/s, profiling the Worker's isolate every ${samplingUs} µs`);
  const profiler = await connectProfiler(worker.inspectorPort, worker.inspectorTarget, samplingUs);
  const accepted = new Set<string>();
  const since = clock();
  const pid = worker.workerdPid();
  await profiler.start();
  const cpu0 = processCpuMs(pid);
  await openLoop(rate, count, async () => {
    const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
    if (r.status === 200) accepted.add((JSON.parse(r.body) as { id: string }).id);
    return r;
  });
  // Every trade is terminal (and its D1 copy done) before the profile stops: all of their work is in it.
  const outcomes = await accountedFor(api, [l], accepted, since, 60_000);
  await sleep(300);
  const cpu1 = processCpuMs(pid);
  const { profile } = await profiler.stop(join(tmpdir(), `tradeloop-bench-cpu-${Date.now()}.cpuprofile`), []);
  say(`cpu: ${describeOutcomes(outcomes)}`);
  const { ms, top } = attributeProfileDetailed(profile as Profile, { text: bundleText }, 8);
  const perSignalMs = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round((v / count) * 1000) / 1000])) as Record<CpuBucket, number>;
  const perSignal = (xs: { name: string; where: string; ms: number }[]) => xs.map((x) => ({ ...x, ms: Math.round((x.ms / count) * 1000) / 1000 }));
  return {
    signals: count,
    rate,
    perSignalMs,
    processMsPerSignal: Math.round(((cpu1 - cpu0) / count) * 1000) / 1000,
    top: { worker: perSignal(top.worker), queue: perSignal(top.queue) },
    samplingUs,
    method: "V8 sampling profile of the Worker's isolate (inspector), samples charged to the Tradeloop module the invocation entered through; process CPU from /proc",
  };
}

/** Memory per idle SubscriptionQueue object. */
interface IdleQueueMemory {
  queues: number;
  /** workerd's RSS growth per queue object, MiB. */
  rssMiBPerQueue: number;
  /** The isolate's JS heap growth per queue object (lowest of several readings), KiB. */
  heapKiBPerQueue: number | null;
  method: string;
}

/**
 * K strategies, each with one subscription on ONE shared paper connection (so
 * K queue objects and a single ledger), one executed signal each, then idle.
 * workerd's RSS and the isolate's heap (after a forced GC) are read before
 * the subscriptions exist and after their queues went idle (workerd does not
 * answer a forced collection, so the heap is the lowest of several readings).
 */
async function idleQueueMemory(worker: Started, api: Api): Promise<IdleQueueMemory> {
  const k = QUICK ? 50 : 200;
  const pid = worker.workerdPid();
  if (pid === null) throw new Error("idlemem: could not find the workerd process running the Worker");
  const connection = await api.call<{ id: string }>("POST", "/api/connections", { broker: "paper", name: "Idle queues", settings: { startingCash: 1_000_000_000 } });
  const strategies: Lane[] = [];
  for (let i = 0; i < k; i++) {
    const s = await api.call<{ id: string; webhookUrl: string }>("POST", "/api/strategies", { name: `Idle ${i}`, assetClass: "stocks" });
    strategies.push({ strategyId: s.id, webhookUrl: s.webhookUrl, subscriptionIds: [], kind: "buy", next: 0 });
  }
  await sleep(1_000);
  const heapBefore = worker.inspectorPort === null ? null : await heapUsed(worker.inspectorPort, worker.inspectorTarget);
  const rssBefore = sampleRss(pid).stop().endMiB;
  say(`idlemem: ${k} subscriptions on one paper connection, one signal each (RSS ${rssBefore} MiB before)`);
  for (const l of strategies) {
    const sub = await api.call<{ id: string }>("POST", "/api/subscriptions", { strategyId: l.strategyId, connectionId: connection.id, settings: { allowAddToPosition: true } });
    l.subscriptionIds.push(sub.id);
  }
  const accepted = new Set<string>();
  const since = clock();
  for (let i = 0; i < strategies.length; i += 10) {
    await Promise.all(
      strategies.slice(i, i + 10).map(async (l) => {
        const r = await post(worker.url + webhookPath(l), nextSignal(l).body);
        if (r.status === 200) accepted.add((JSON.parse(r.body) as { id: string }).id);
      }),
    );
  }
  const outcomes = await accountedFor(api, strategies, accepted, since, 120_000);
  say(`idlemem: ${describeOutcomes(outcomes)}`);
  await sleep(2_000);
  const heapAfter = worker.inspectorPort === null ? null : await heapUsed(worker.inspectorPort, worker.inspectorTarget);
  const rssAfter = sampleRss(pid).stop().endMiB;
  return {
    queues: k,
    rssMiBPerQueue: Math.round(((rssAfter - rssBefore) / k) * 1000) / 1000,
    heapKiBPerQueue: heapBefore === null || heapAfter === null ? null : Math.round(((heapAfter - heapBefore) / 1024 / k) * 10) / 10,
    method: `${k} idle queues (each ran one trade), one shared paper ledger: workerd RSS, and the isolate's JS heap (lowest of 7 readings over 3 s), before and after, divided by ${k}`,
  };
}

/**
 * The ack phase under `wrangler dev` (what `npm start` runs): the same
 * bundle, served with `wrangler dev --no-bundle` on a fresh state of its own.
 */
async function ackUnderNpmStart(o: { dist: string; assets: string; vars: Record<string, string>; tmp: string; log: string }): Promise<Results["ackNpmStart"]> {
  const persist = join(o.tmp, "npmstart-state");
  await runToEnd(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], o.log, ROOT);
  say("npm start: starting the Worker with wrangler dev");
  const dev = await startWranglerDev({
    args: [
      join(o.dist, "index.js"),
      "--no-bundle",
      "--config", join(ROOT, "wrangler.toml"),
      "--persist-to", persist,
      "--assets", o.assets,
      ...Object.entries(o.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    cwd: ROOT,
    logFile: o.log,
    readyPath: "/api/health",
  });
  try {
    const api = new Api(dev.url);
    api.token = (await api.call<{ token: string }>("POST", "/api/auth/signup", { email: `bench-dev-${Date.now()}@example.com`, password: "correct horse battery staple" })).token;
    const r = await ackLatency(dev, api, "npm start ack");
    return { ...r, executed: r.executed };
  } finally {
    await dev.stop();
  }
}

// ---------------------------------------------------------------- report

const ratio = (x: number, floor: number): string => (Number.isFinite(x) && floor > 0 ? `${(x / floor).toFixed(1)}×` : "n/a");
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "—");

function table(r: Results): string {
  const f = r.floors;
  /** Label, result, ratio to its floor, and the phase whose load average goes with it. */
  const rows: [string, string, string, string][] = [
    [`floor: client → fake broker (${r.settings.rate}/s)`, `p50 ${ms(f.direct.p50)} · p90 ${ms(f.direct.p90)} · p99 ${ms(f.direct.p99)}`, "1×", "floors"],
    [`floor: bare Worker, same runtime (${r.runtime}, ${r.settings.rate}/s)`, `p50 ${ms(f.bareWorker.p50)} · p90 ${ms(f.bareWorker.p90)} · p99 ${ms(f.bareWorker.p99)}`, "1×", "floors"],
    ...(r.writeTurns
      ? [
          [
            "SQLite write turn vs statement (probe Durable Object)",
            `a commit ${r.writeTurns.perCommit.wallMs} ms wall / ${r.writeTurns.perCommit.cpuMs} ms CPU; a statement ${r.writeTurns.perStatement.wallMs} ms wall / ${r.writeTurns.perStatement.cpuMs} ms CPU`,
            `a commit costs ${ratio(r.writeTurns.perCommit.wallMs, r.writeTurns.perStatement.wallMs)} a statement (wall)`,
            "turns",
          ] as [string, string, string, string],
        ]
      : []),
    [
      `ack latency (${r.settings.rate}/s, ${r.settings.durationS} s)`,
      `p50 ${ms(r.ack.p50)} · p90 ${ms(r.ack.p90)} · p99 ${ms(r.ack.p99)}${r.ack.errors ? ` · errors ${JSON.stringify(r.ack.errorsByStatus)}` : ""}${
        r.ack.outcomes ? ` · executed ${describeOutcomes(r.ack.outcomes, "")}, ${r.ack.outcomes.timedOut ? "gave up waiting" : "all terminal"} ${(r.ack.drainMs / 1000).toFixed(1)} s after the last reply` : ""
      }`,
      `${ratio(r.ack.p50, f.bareWorker.p50)} · ${ratio(r.ack.p90, f.bareWorker.p90)} · ${ratio(r.ack.p99, f.bareWorker.p99)} of bare Worker`,
      "ack",
    ],
    ...(r.ackNoSubscription
      ? [
          [
            "ack, strategy without subscriptions (D1 read + log write)",
            `p50 ${ms(r.ackNoSubscription.p50)} · p90 ${ms(r.ackNoSubscription.p90)} · p99 ${ms(r.ackNoSubscription.p99)}`,
            `${ratio(r.ackNoSubscription.p50, f.bareWorker.p50)} · ${ratio(r.ackNoSubscription.p90, f.bareWorker.p90)} · ${ratio(r.ackNoSubscription.p99, f.bareWorker.p99)} of bare Worker`,
            "ack0",
          ] as [string, string, string, string],
        ]
      : []),
    ...(r.ackQueuedOnly
      ? [
          [
            "ack, one subscription, execution deferred (queue write only)",
            `p50 ${ms(r.ackQueuedOnly.p50)} · p90 ${ms(r.ackQueuedOnly.p90)} · p99 ${ms(r.ackQueuedOnly.p99)}`,
            `${ratio(r.ackQueuedOnly.p50, f.bareWorker.p50)} · ${ratio(r.ackQueuedOnly.p90, f.bareWorker.p90)} · ${ratio(r.ackQueuedOnly.p99, f.bareWorker.p99)} of bare Worker`,
            "ackq",
          ] as [string, string, string, string],
        ]
      : []),
    ...(r.ackNpmStart
      ? [
          [
            `ack under npm start (wrangler dev, ${r.settings.rate}/s)`,
            `p50 ${ms(r.ackNpmStart.p50)} · p90 ${ms(r.ackNpmStart.p90)} · p99 ${ms(r.ackNpmStart.p99)}${r.ackNpmStart.errors ? ` · errors ${r.ackNpmStart.errors}` : ""}`,
            `p99 ${ratio(r.ackNpmStart.p99, 40)} of the 40 ms goal`,
            "npmstart",
          ] as [string, string, string, string],
        ]
      : []),
    [
      `signal → order (${r.broker})`,
      `p50 ${ms(r.signalToOrder.p50)} · p99 ${ms(r.signalToOrder.p99)}${r.signalToOrder.lost ? ` · ${r.signalToOrder.lost} not seen` : ""}`,
      `${ratio(r.signalToOrder.p50, f.direct.p50)} · ${ratio(r.signalToOrder.p99, f.direct.p99)} of direct`,
      "s2o",
    ],
    ...r.fanOut.map((x): [string, string, string, string] => [`fan-out to ${x.n} (${r.broker}, last order)`, `median ${ms(x.medianMs)} · max ${ms(x.maxMs)} (${x.reps} runs)`, `${ratio(x.medianMs, f.direct.p50)} of direct p50`, "fanout"]),
    ...(r.cpu
      ? [
          [
            `CPU per signal (${r.cpu.signals} signals at ${r.cpu.rate}/s, paper)`,
            `Worker ${r.cpu.perSignalMs.worker} ms · queue ${r.cpu.perSignalMs.queue} ms · paper ledger ${r.cpu.perSignalMs["paper ledger"]} ms · GC ${r.cpu.perSignalMs.gc} ms · runtime ${r.cpu.perSignalMs.runtime} ms · workerd process ${r.cpu.processMsPerSignal} ms`,
            `Worker ${ratio(r.cpu.perSignalMs.worker, CPU_LIMIT_MS)} · queue ${ratio(r.cpu.perSignalMs.queue, CPU_LIMIT_MS)} of ${CPU_LIMIT_MS} ms`,
            "cpu",
          ] as [string, string, string, string],
        ]
      : []),
    ...(r.idleQueues
      ? [
          [
            `memory per idle queue object (${r.idleQueues.queues} queues)`,
            `${r.idleQueues.rssMiBPerQueue} MiB RSS · ${r.idleQueues.heapKiBPerQueue ?? "?"} KiB JS heap`,
            "—",
            "idlemem",
          ] as [string, string, string, string],
        ]
      : []),
    [
      `throughput (${THROUGHPUT_LANES} strategies, paper, p99 ack < 100 ms, all accounted)`,
      `${r.throughput.sustained} signals/s sustained ${r.settings.durationS} s`,
      (() => {
        const step = r.throughput.steps.find((s) => s.rate === r.throughput.sustained);
        return step ? `ack p99 ${ratio(step.ack.p99, f.bareWorker.p99)} of bare Worker at that rate` : "n/a";
      })(),
      "throughput",
    ],
    [
      `peak RSS of workerd over ${r.memory.signals} signals`,
      `${r.memory.peakMiB} MiB (start ${r.memory.startMiB} MiB; ${r.memory.accepted} accepted, ${r.memory.executed} executed${r.memory.outcomes && problemsOf(r.memory.outcomes) ? " · ⚠ see Problems" : ""})`,
      r.memory.bareWorkerMiB ? `${ratio(r.memory.peakMiB, r.memory.bareWorkerMiB)} of bare Worker (${r.memory.bareWorkerMiB} MiB)` : "n/a",
      "memory",
    ],
  ];
  const loadOf = (k: string): string => (r.loads[k] ? `${r.loads[k].start}–${r.loads[k].end}` : "—");
  const cells = rows.map(([a, b, c, k]): [string, string, string, string] => [a, b, c, loadOf(k)]);
  const w = [0, 1, 2].map((i) => Math.max(...cells.map((x) => x[i]!.length), i === 2 ? "ratio to floor".length : 0));
  const line = (a: string, b: string, c: string, d: string) => `| ${a.padEnd(w[0]!)} | ${b.padEnd(w[1]!)} | ${c.padEnd(w[2]!)} | ${d} |`;
  const out = [line("measure", "result", "ratio to floor", "load avg"), `|${"-".repeat(w[0]! + 2)}|${"-".repeat(w[1]! + 2)}|${"-".repeat(w[2]! + 2)}|---|`, ...cells.map((x) => line(...x))];
  const orders = [
    ["ack", r.ack.ordering],
    ["memory", r.memory.ordering],
  ] as const;
  if (r.cpu) {
    out.push("", `CPU per signal, hottest functions (self time, ms per signal; ${r.cpu.method}):`);
    for (const part of ["worker", "queue"] as const) {
      out.push(`  ${part}: ${r.cpu.top[part].map((x) => `${x.name} (${x.where}) ${x.ms}`).join(" · ")}`);
    }
  }
  if (orders.some(([, o]) => o)) {
    out.push("", "Order of signals per strategy (send → webhook → queue arrival → execution):");
    for (const [k, o] of orders) if (o) out.push(`  ${k}: ${describeOrdering(o)}`);
  }
  out.push("", "Throughput steps:");
  for (const s of r.throughput.steps) {
    out.push(
      `  ${String(s.rate).padStart(4)}/s: ack p50 ${ms(s.ack.p50)} p99 ${ms(s.ack.p99)}, errors ${s.errors ? JSON.stringify(s.errorsByStatus) : 0}, filled with an order ${s.accounted}/${s.rate * r.settings.durationS}${
        s.accounted === s.accepted ? "" : ` (${describeOutcomes(s.outcomes)})`
      }, ${s.outcomes.timedOut ? "gave up waiting" : "all terminal"} ${s.drainMs} ms after the last reply → ${s.ok ? "sustained" : "missed"}`,
    );
  }
  const problems: string[] = [];
  const ackProblem = problemsOf(r.ack.outcomes);
  if (ackProblem) problems.push(`ack phase: ${ackProblem}`);
  for (const s of r.throughput.steps) {
    const p = problemsOf(s.outcomes);
    if (p) problems.push(`throughput ${s.rate}/s: ${p}`);
  }
  const memProblem = problemsOf(r.memory.outcomes);
  if (memProblem) problems.push(`memory run: ${memProblem}`);
  if (problems.length > 0) {
    out.push("", "⚠ Problems (failed trades, or accepted signals without a terminal trade when the bounded wait ended):");
    for (const p of problems) out.push(`  ${p}`);
  }
  out.push("", "Goals (this machine):");
  for (const [k, g] of Object.entries(r.goals)) out.push(`  ${g.met ? "met   " : "MISSED"} ${k}: ${g.value} (goal ${g.goal}; ${g.ratio})`);
  out.push("", `Machine: ${String(r.machine.cpu)} × ${String(r.machine.cores)}, ${String(r.machine.memoryGiB)} GiB, Node ${String(r.machine.node)}, ${String(r.machine.date)}; runtime: ${r.runtime}`);
  return out.join("\n");
}

/** The Workers Free plan's CPU limit per invocation, and the headroom the issue asks for under it. */
const CPU_LIMIT_MS = 10;
const CPU_HEADROOM = 3;

function goals(r: Omit<Results, "goals">): Results["goals"] {
  const fan100 = r.fanOut.find((x) => x.n === 100);
  const direct = r.floors.direct.p50;
  const bare = r.floors.bareWorker.p50;
  const times = (x: number, of: number): string => (Number.isFinite(x) && of > 0 ? `${(x / of).toFixed(2)}× the goal` : "n/a");
  const cpuBudget = CPU_LIMIT_MS / CPU_HEADROOM;
  const cpu = r.cpu?.perSignalMs;
  const unattributed = cpu ? cpu.gc + cpu.runtime : Number.NaN;
  const out: Results["goals"] = {
    "signal → order p50 ≤ 2× the direct broker POST": {
      goal: "≤ 2× direct",
      value: `${ms(r.signalToOrder.p50)} = ${ratio(r.signalToOrder.p50, direct)} direct (${ms(direct)})`,
      ratio: times(r.signalToOrder.p50 / direct, 2),
      met: r.signalToOrder.p50 <= 2 * direct,
    },
    "ack p50 ≤ 3× the bare Worker": {
      goal: "≤ 3× bare Worker",
      value: `${ms(r.ack.p50)} = ${ratio(r.ack.p50, bare)} bare (${ms(bare)})`,
      ratio: times(r.ack.p50 / bare, 3),
      met: r.ack.p50 <= 3 * bare,
    },
    [`ack p99 ≤ 40 ms at ${r.settings.rate}/s (${r.runtime})`]: { goal: "≤ 40 ms", value: ms(r.ack.p99), ratio: times(r.ack.p99, 40), met: r.ack.p99 <= 40 },
    [`ack p99 ≤ 40 ms at ${r.settings.rate}/s under npm start (wrangler dev)`]: {
      goal: "≤ 40 ms",
      value: r.ackNpmStart ? ms(r.ackNpmStart.p99) : "not run",
      ratio: r.ackNpmStart ? times(r.ackNpmStart.p99, 40) : "n/a",
      met: (r.ackNpmStart?.p99 ?? Infinity) <= 40,
    },
    "fan-out to 100 subscriptions ≤ 250 ms to the last order": {
      goal: "≤ 250 ms",
      value: ms(fan100?.medianMs ?? NaN),
      ratio: times(fan100?.medianMs ?? NaN, 250),
      met: (fan100?.medianMs ?? Infinity) <= 250,
    },
    "≥ 300 signals/s sustained over 50 strategies, zero loss": {
      goal: "≥ 300/s",
      value: `${r.throughput.sustained}/s`,
      ratio: `${(r.throughput.sustained / 300).toFixed(2)}× the goal`,
      met: r.throughput.sustained >= 300,
    },
    [`CPU per signal in the Worker ≤ ${cpuBudget.toFixed(2)} ms (${CPU_HEADROOM}× under ${CPU_LIMIT_MS} ms)`]: {
      goal: `≤ ${cpuBudget.toFixed(2)} ms`,
      value: cpu ? `${cpu.worker.toFixed(3)} ms (+ ${unattributed.toFixed(3)} ms GC/runtime charged to it too)` : "not run",
      ratio: cpu ? times(cpu.worker + unattributed, cpuBudget) : "n/a",
      met: cpu !== undefined && cpu.worker + unattributed <= cpuBudget,
    },
    [`CPU per signal in its queue ≤ ${cpuBudget.toFixed(2)} ms (${CPU_HEADROOM}× under ${CPU_LIMIT_MS} ms)`]: {
      goal: `≤ ${cpuBudget.toFixed(2)} ms`,
      value: cpu ? `${cpu.queue.toFixed(3)} ms (+ ${unattributed.toFixed(3)} ms GC/runtime charged to it too)` : "not run",
      ratio: cpu ? times(cpu.queue + unattributed, cpuBudget) : "n/a",
      met: cpu !== undefined && cpu.queue + unattributed <= cpuBudget,
    },
    "memory per idle queue object: measured and reported": {
      goal: "measured",
      value: r.idleQueues ? `${r.idleQueues.rssMiBPerQueue} MiB RSS, ${r.idleQueues.heapKiBPerQueue ?? "?"} KiB JS heap` : "not run",
      ratio: "n/a",
      met: r.idleQueues !== null,
    },
  };
  return out;
}

// ---------------------------------------------------------------- runtime

/** The runtime floor: a Worker that answers 200 at once. */
const BARE_WORKER = "export default { async fetch(request) { await request.arrayBuffer(); return new Response('{\"success\":true}', { headers: { 'content-type': 'application/json' } }); } };\n";

interface WranglerNodeApi {
  unstable_readConfig(args: { config: string }): { name?: string };
  unstable_getMiniflareWorkerOptions(
    config: unknown,
    env?: string,
    options?: { overrides?: { assets?: { directory?: string } } },
  ): { workerOptions: Record<string, unknown>; externalWorkers: unknown[] };
}

/**
 * The Worker's Miniflare options: everything wrangler.toml declares (D1, the
 * Durable Object classes with their SQLite storage, vars, compatibility date
 * and flags, assets), translated by wrangler's own
 * `unstable_getMiniflareWorkerOptions` so they match what `wrangler dev`
 * would serve; then the bundle as the source, the empty assets directory,
 * and the bench's vars and secrets. wrangler's console output during the
 * translation goes to the log file (stdout stays clean for --json).
 */
function workerOptionsFromWranglerToml(bundle: string, assets: string, vars: Record<string, string>, logFile: string): MiniflareWorkerOptions {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const toLog = (...args: unknown[]) => writeFileSync(logFile, `${args.map(String).join(" ")}\n`, { flag: "a" });
  Object.assign(console, { log: toLog, info: toLog, warn: toLog, error: toLog, debug: toLog });
  try {
    const wrangler = wranglerApi<WranglerNodeApi>();
    const config = wrangler.unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
    const { workerOptions, externalWorkers } = wrangler.unstable_getMiniflareWorkerOptions(config, undefined, { overrides: { assets: { directory: assets } } });
    if (externalWorkers.length > 0) throw new Error("wrangler.toml binds other Workers, which the Miniflare runtime of the bench does not start; use --runtime wrangler");
    // Miniflare takes the modules as a list (it does not follow imports): the bundle first, then
    // whatever else the bundler wrote next to it, typed by wrangler's default module rules.
    const { modulesRules: _rules, ...rest } = workerOptions;
    const dir = dirname(bundle);
    const typeOf = (f: string): string | null =>
      /\.m?js$/.test(f) ? "ESModule" : /\.wasm$/.test(f) ? "CompiledWasm" : /\.(txt|html|sql)$/.test(f) ? "Text" : /\.bin$/.test(f) ? "Data" : null;
    const others = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => join(dir, f) !== bundle && typeOf(f) !== null)
      .map((f) => ({ type: typeOf(f)!, path: join(dir, f) }));
    return {
      ...rest,
      name: config.name ?? "tradeloop",
      modules: [{ type: "ESModule", path: bundle }, ...others],
      modulesRoot: dir,
      bindings: { ...((workerOptions.bindings ?? {}) as Record<string, unknown>), ...vars },
    };
  } finally {
    Object.assign(console, saved);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "tradeloop-bench-"));
  const log = join(tmp, "wrangler.log");
  const persist = join(tmp, "state");
  const started: { stop(): Promise<void> }[] = [];
  let ok = false;
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  // A bounded run: whatever happens, everything this bench started is stopped.
  const onSignal = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    say(`temp dir ${tmp}`);
    say("applying D1 migrations to a fresh local database");
    await runToEnd(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], log, ROOT);

    const useAlpaca = flags.broker === "alpaca" || (flags.broker === "auto" && alpacaInstalled());
    const broker = useAlpaca ? await alpacaBroker(tmp) : await paperBroker();
    started.push({ stop: broker.close });
    say(`broker under test: ${broker.name}${useAlpaca ? "" : " (the alpaca plugin is not installed yet)"}`);

    // The dashboard is not needed; an empty assets directory keeps a fresh clone (no ui/dist) working.
    const assets = join(tmp, "assets");
    mkdirSync(assets);
    const secret = randomBytes(48).toString("base64");
    const vault = `k1:${randomBytes(32).toString("base64")}`;
    // The Worker's vars and throwaway secrets (on top of wrangler.toml's [vars]).
    // A local development Worker (the loopback broker needs it); one bench user owns every lane, so its caps are raised.
    const vars: Record<string, string> = {
      ENVIRONMENT: "development",
      SIGNUP_OPEN: "true",
      ALLOW_HTTP_LOOPBACK: "true",
      JWT_SECRET: secret,
      VAULT_KEYS: vault,
      PASSWORD_PEPPER: randomBytes(48).toString("base64"),
      MAX_CONNECTIONS_PER_USER: "1000",
      MAX_STRATEGIES_PER_USER: "1000",
      // Fan-out puts 100 subscriptions on one strategy.
      MAX_SUBSCRIPTIONS_PER_STRATEGY: "1000",
    };
    // Bundle once, then serve the bundle: wrangler dev would otherwise reload (and drop requests)
    // whenever someone edits a source file during the run, and Miniflare takes a bundle as it is.
    say("bundling the Worker (wrangler deploy --dry-run)");
    const dist = join(tmp, "dist");
    await runToEnd(["deploy", "--dry-run", "--outdir", dist, "--config", join(ROOT, "wrangler.toml"), "--assets", assets], log, ROOT);
    const compat = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))?.[1] ?? "2026-01-01";
    let worker: Started;
    let bare: Started;
    if (RUNTIME === "miniflare") {
      say("starting the Worker (workerd through Miniflare's API)");
      worker = await startMiniflare({
        worker: workerOptionsFromWranglerToml(join(dist, "index.js"), assets, vars, log),
        persistRoot: join(persist, "v3"),
        // The inspector serves the CPU profile (cpu, --profile) and the heap reading (idlemem).
        inspect: true,
        logFile: log,
        readyPath: "/api/health",
      });
      started.push(worker);
      say("starting the bare Worker (workerd through Miniflare's API)");
      bare = await startMiniflare({ worker: { name: "bench-bare", modules: true, script: BARE_WORKER, compatibilityDate: compat }, logFile: log, readyPath: "/" });
      started.push(bare);
    } else {
      say("starting the Worker (wrangler dev)");
      worker = await startWranglerDev({
        args: [
          join(dist, "index.js"),
          "--no-bundle",
          "--config", join(ROOT, "wrangler.toml"),
          "--persist-to", persist,
          "--assets", assets,
          ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ],
        cwd: ROOT,
        logFile: log,
        readyPath: "/api/health",
      });
      started.push(worker);
      const bareDir = join(tmp, "bare");
      mkdirSync(bareDir);
      writeFileSync(join(bareDir, "index.js"), BARE_WORKER);
      writeFileSync(join(bareDir, "wrangler.json"), JSON.stringify({ name: "bench-bare", main: "index.js", compatibility_date: compat }));
      say("starting the bare Worker (wrangler dev)");
      bare = await startWranglerDev({ args: ["--config", join(bareDir, "wrangler.json"), "--persist-to", join(tmp, "bare-state")], cwd: bareDir, logFile: log, readyPath: "/" });
      started.push(bare);
    }

    const api = new Api(worker.url);
    const signup = await api.call<{ token: string }>("POST", "/api/auth/signup", { email: `bench-${Date.now()}@example.com`, password: "correct horse battery staple" });
    api.token = signup.token;

    const f = await phase("floors", () => floors(broker, bare));
    const nan = summarize([]);
    const turns = ONLY.has("turns") ? await phase("turns", () => measureWriteTurns(tmp, log, compat)) : null;
    const ack = ONLY.has("ack") ? await phase("ack", () => ackLatency(worker, api)) : { ...nan, errors: 0, errorsByStatus: {}, executed: 0, drainMs: 0, outcomes: null, ordering: null };
    const ack0 = ONLY.has("ack0") ? await phase("ack0", () => ackNoSubscription(worker, api)) : null;
    const ackq = ONLY.has("ackq") ? await phase("ackq", () => ackQueuedOnly(worker, api)) : null;
    const s2o = ONLY.has("s2o") ? await phase("s2o", () => signalToOrder(worker, api, broker)) : { ...nan, method: "skipped", lost: 0 };
    const fan = ONLY.has("fanout") ? await phase("fanout", () => fanOut(worker, api, broker)) : [];
    const bundleText = readFileSync(join(dist, "index.js"), "utf8");
    const cpu = ONLY.has("cpu") && worker.inspectorPort !== null ? await phase("cpu", () => cpuPerSignal(worker, api, bundleText)) : null;
    const idle = ONLY.has("idlemem") ? await phase("idlemem", () => idleQueueMemory(worker, api)) : null;
    const npmStart = ONLY.has("npmstart") && RUNTIME === "miniflare" ? await phase("npmstart", () => ackUnderNpmStart({ dist, assets, vars, tmp, log })) : null;
    const tput = ONLY.has("throughput") ? await phase("throughput", () => throughput(worker, api)) : { sustained: 0, steps: [] };
    const mem = ONLY.has("memory")
      ? await phase("memory", () => memory(worker, bare, api))
      : { signals: 0, peakMiB: NaN, startMiB: NaN, endMiB: NaN, bareWorkerMiB: null, samples: 0, accepted: 0, executed: 0, drainMs: 0, outcomes: null, ordering: null };

    const partial: Omit<Results, "goals"> = {
      machine: {
        cpu: cpus()[0]?.model ?? "unknown",
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        freeGiB: Math.round(freemem() / 2 ** 30),
        node: process.version,
        date: new Date().toISOString(),
      },
      broker: broker.name,
      runtime: RUNTIME === "miniflare" ? "workerd via Miniflare's API" : "wrangler dev",
      settings: { rate: RATE, durationS: DURATION_S, memorySignals: MEMORY_SIGNALS },
      floors: f,
      ack,
      ackNoSubscription: ack0,
      ackQueuedOnly: ackq,
      signalToOrder: s2o,
      fanOut: fan,
      throughput: tput,
      memory: mem,
      writeTurns: turns,
      cpu,
      idleQueues: idle,
      ackNpmStart: npmStart ?? (RUNTIME === "wrangler" && ONLY.has("ack") ? ack : null),
      loads,
    };
    const results: Results & { profile?: typeof profileReport } = { ...partial, goals: goals(partial), ...(profileReport && { profile: profileReport }) };
    if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else process.stdout.write(`\n${table(results)}\n`);
    if (profileReport && !flags.json) {
      const p = profileReport;
      process.stdout.write(`\nCPU profile of the Worker during the ack phase (${p.file}), idle ${p.idlePercent}%:\n`);
      process.stdout.write(`  inclusive share by stage: ${Object.entries(p.stages).map(([k, v]) => `${k} ${v}%`).join(", ")}\n`);
      for (const h of p.top) process.stdout.write(`  self ${String(h.selfPercent).padStart(5)}%  total ${String(h.totalPercent).padStart(5)}%  ${h.name}  ${h.where}\n`);
    }
    ok = true;
  } finally {
    await stopAll();
    // A failed run keeps its directory: the runtime's log is the first thing to read.
    if (flags.keep || !ok) say(`kept ${tmp} (wrangler and runtime log: ${log})`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    say(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
