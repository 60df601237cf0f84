/**
 * What one webhook signal costs in the units Cloudflare bills, measured on the
 * real Worker, queue and D1 in workerd: Durable Object SQLite rows written and
 * read, D1 rows written and read, and Durable Object calls. docs/deploy.md
 * prices 1, 100 and 10,000 signals a day from these figures; the bounds below
 * fail when a change makes a signal markedly more expensive than the
 * documented figures (update both together).
 *
 * How: the queue's SQLite cursors and D1's result `meta` report the rows each
 * statement read and wrote. The test wraps those entry points (one isolate
 * runs the test, the Worker and its Durable Objects), sends signals through
 * the public webhook with `?wait=` (each one a complete paper trade), waits
 * for the D1 copy, and divides.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, expect, it } from "vitest";
import { createTrader } from "../helpers/trader";
import { api } from "../helpers/api";

interface Tally {
  /** The subscription's queue (SubscriptionQueue): what every broker pays. */
  doRowsRead: number;
  doRowsWritten: number;
  /** The paper broker's ledger Durable Object: only paper accounts pay it. */
  paperRowsRead: number;
  paperRowsWritten: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  d1Statements: number;
  d1StatementsWithoutMeta: number;
}

const tally: Tally = { doRowsRead: 0, doRowsWritten: 0, paperRowsRead: 0, paperRowsWritten: 0, d1RowsRead: 0, d1RowsWritten: 0, d1Statements: 0, d1StatementsWithoutMeta: 0 };
const cursors: { queue: boolean; cursor: { rowsRead: number; rowsWritten: number } }[] = [];
const restorers: (() => void)[] = [];

/** Replaces `proto[name]` with `wrap(original)` until the end of the file. */
function patch<T extends object>(proto: T, name: string, wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void {
  const original = Reflect.get(proto, name) as (...args: unknown[]) => unknown;
  Reflect.set(proto, name, wrap(original));
  restorers.push(() => Reflect.set(proto, name, original));
}

type D1Meta = { meta?: { rows_read?: number; rows_written?: number } };
const countMeta = (result: D1Meta) => {
  tally.d1Statements++;
  tally.d1RowsRead += result.meta?.rows_read ?? 0;
  tally.d1RowsWritten += result.meta?.rows_written ?? 0;
};

function instrument(queueSql: object): void {
  // Durable Object SQLite: every statement's cursor counts its rows (read once consumed).
  patch(Object.getPrototypeOf(queueSql) as object, "exec", (original) =>
    function (this: unknown, ...args: unknown[]) {
      const cursor = original.apply(this, args) as { rowsRead: number; rowsWritten: number };
      cursors.push({ queue: this === queueSql, cursor });
      return cursor;
    },
  );
  const statementProto = Object.getPrototypeOf(env.DB.prepare("SELECT 1")) as object;
  patch(statementProto, "run", (original) => async function (this: unknown, ...args: unknown[]) {
    const result = (await original.apply(this, args)) as D1Meta;
    countMeta(result);
    return result;
  });
  patch(statementProto, "all", (original) => async function (this: unknown, ...args: unknown[]) {
    const result = (await original.apply(this, args)) as D1Meta;
    countMeta(result);
    return result;
  });
  for (const name of ["first", "raw"]) {
    patch(statementProto, name, (original) => async function (this: unknown, ...args: unknown[]) {
      tally.d1StatementsWithoutMeta++;
      return original.apply(this, args);
    });
  }
  patch(Object.getPrototypeOf(env.DB) as object, "batch", (original) => async function (this: unknown, ...args: unknown[]) {
    const results = (await original.apply(this, args)) as D1Meta[];
    for (const r of results) countMeta(r);
    return results;
  });
}

afterAll(() => {
  for (const restore of restorers.reverse()) restore();
});

const SIGNALS = 40;

it("one signal (one subscription, a paper trade) stays within the usage docs/deploy.md prices", async () => {
  const trader = await createTrader();
  const path = new URL(trader.webhookUrl).pathname;
  // Warm up: the first signal creates the queue's and the ledger's tables.
  await api("POST", `${path}?wait=2000`, { json: { ticker: "AAPL", action: "buy", quantity: 1, price: 190 } });
  await api("POST", `${path}?wait=2000`, { json: { ticker: "AAPL", action: "exit", price: 190 } });

  // SqlStorage is not a global: take it (and so its prototype) from the subscription's own queue.
  const queue = env.SUBSCRIPTION_QUEUE.getByName(trader.subscriptionId);
  instrument(await runInDurableObject(queue, (_instance, state) => state.storage.sql as object));
  const queueBytes = () => runInDurableObject(queue, (_instance, state) => state.storage.sql.databaseSize);
  const d1Bytes = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after;
  const bytesBefore = { queue: await queueBytes(), d1: await d1Bytes() };
  const before = { ...tally };
  for (let i = 0; i < SIGNALS; i++) {
    const res = await api<{ success: boolean; trades?: { status: string }[] }>("POST", `${path}?wait=2000`, {
      json: i % 2 === 0 ? { ticker: "AAPL", action: "buy", quantity: 1, price: 190 } : { ticker: "AAPL", action: "exit", price: 190 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.trades?.[0]?.status).toBe("filled");
  }
  // Let the last read-model copy land before counting.
  await expect.poll(async () => (await env.DB.prepare("SELECT count(*) AS n FROM trades WHERE status = 'filled'").first<{ n: number }>())?.n, { timeout: 10_000 }).toBe(SIGNALS + 2);
  for (const { queue: isQueue, cursor } of cursors) {
    if (isQueue) {
      tally.doRowsRead += cursor.rowsRead;
      tally.doRowsWritten += cursor.rowsWritten;
    } else {
      tally.paperRowsRead += cursor.rowsRead;
      tally.paperRowsWritten += cursor.rowsWritten;
    }
  }

  const per = (key: keyof Tally) => Math.round(((tally[key] - before[key]) / SIGNALS) * 10) / 10;
  const perSignal = {
    doRowsWritten: per("doRowsWritten"),
    doRowsRead: per("doRowsRead"),
    paperRowsWritten: per("paperRowsWritten"),
    paperRowsRead: per("paperRowsRead"),
    d1RowsWritten: per("d1RowsWritten"),
    d1RowsRead: per("d1RowsRead"),
    d1Statements: per("d1Statements"),
    d1StatementsWithoutMeta: per("d1StatementsWithoutMeta"),
  };
  const storage = {
    queueBytesPerSignal: Math.round(((await queueBytes()) - bytesBefore.queue) / SIGNALS),
    d1BytesPerSignal: Math.round(((await d1Bytes()) - bytesBefore.d1) / SIGNALS),
  };
  console.log(`storage growth per signal: ${JSON.stringify(storage)}`);
  console.log(`usage per signal (${SIGNALS} signals, paper broker, one subscription): ${JSON.stringify(perSignal)}`);

  // The figures docs/deploy.md uses, with headroom; a change that crosses them must update the cost table.
  expect(perSignal.doRowsWritten).toBeGreaterThan(0);
  expect(perSignal.doRowsWritten).toBeLessThanOrEqual(60);
  expect(perSignal.d1RowsWritten).toBeGreaterThan(0);
  expect(perSignal.d1RowsWritten).toBeLessThanOrEqual(30);
  expect(perSignal.doRowsRead).toBeLessThanOrEqual(400);
  expect(perSignal.d1RowsRead).toBeLessThanOrEqual(200);
});
