/**
 * Webhook fuzzing: arbitrary bodies (random text, invalid UTF-8, JSON of any
 * shape, signal-like objects with garbage values, huge and non-finite
 * numbers written as JSON literals, nested junk, unicode) under arbitrary
 * content types. Whatever arrives:
 * - never a 5xx;
 * - a refusal always carries a `messageCode` (and an accepted signal an id);
 * - every request leaves a log row (its `logId` is in D1's `signals`).
 *
 * CI runs a modest number of cases; `FUZZ_RUNS=2000 npx vitest run test/fuzz` runs more.
 */
import fc from "fast-check";
import { api } from "../helpers/api";
import { beforeAll, describe, expect, it } from "vitest";
import { fuzzRuns } from "../faults/support";
import { createTrader, logRowStatus, type Trader, type WebhookReply } from "../helpers/trader";

/** Number literals JSON.parse turns into Infinity, -0, huge or tiny values, and non-JSON spellings. */
const numberish = fc.constantFrom(
  "1e999",
  "-1e999",
  "1e-999",
  "-0",
  "0",
  "123456789012345678901234567890",
  "0.000000000000000000000001",
  "9007199254740993",
  "1E+2",
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"1e999"',
  '"0x10"',
  '" 12 "',
  '"+5"',
  '"1,5"',
  '""',
  "true",
  "null",
  "[]",
  "{}",
);

const unicode = fc.string({ unit: "grapheme", maxLength: 40 });
const garbageValue: fc.Arbitrary<string> = fc.oneof(
  numberish,
  unicode.map((s) => JSON.stringify(s)),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : JSON.stringify(String(d)))),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('"buy"', '"sell"', '"exit"', '"cancel"', '"add"', '"reverse"', '"breakeven"', '"SPY"', '"bullish"', '"flat"', '"limit"', '"stop"'),
);

const FIELDS = [
  "ticker",
  "action",
  "sentiment",
  "quantity",
  "quantityType",
  "price",
  "signalPrice",
  "orderType",
  "limitPrice",
  "stopPrice",
  "takeProfit",
  "stopLoss",
  "timeInForce",
  "delay",
  "time",
  "alertId",
  "extendedHours",
  "trailAmount",
  "cancel",
  "extras",
  "__proto__",
  "constructor",
];

/** A signal-like object as raw JSON text, so literal huge numbers survive to the parser. */
const signalLike = fc
  .record({
    base: fc.constantFrom('"ticker":"SPY","action":"buy"', '"ticker":"AAPL","action":"sell"', '"action":"exit"', ""),
    fields: fc.array(fc.tuple(fc.constantFrom(...FIELDS), garbageValue), { maxLength: 8 }),
  })
  .map(({ base, fields }) => `{${[base, ...fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`)].filter(Boolean).join(",")}}`);

const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: signalLike, weight: 5 },
  { arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.array(signalLike, { maxLength: 4 }).map((items) => `[${items.join(",")}]`), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
  { arbitrary: signalLike.map((s) => s.slice(0, Math.max(1, Math.floor(s.length / 2)))), weight: 1 },
  { arbitrary: fc.constantFrom("", " ", "{", "}", "null", "[]", "{}", "\u0000", "\ufeff{}", "{'ticker':'SPY'}", "ticker=SPY&action=buy"), weight: 1 },
  { arbitrary: fc.integer({ min: 64 * 1024 - 16, max: 64 * 1024 + 64 }).map((n) => `{"ticker":"SPY","action":"buy","extras":"${"x".repeat(n)}"}`), weight: 1 },
);

const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "text/html; charset=latin1",
    "",
    "nonsense",
  ),
  { nil: undefined },
);

async function post(trader: Trader, raw: string | Uint8Array, type: string | undefined) {
  const headers = new Headers();
  if (type !== undefined) headers.set("content-type", type);
  const { exports } = await import("cloudflare:workers");
  const res = await exports.default.fetch(new Request(`http://tradeloop.test${trader.webhookUrl.replace(/^https?:\/\/[^/]+/, "")}`, { method: "POST", headers, body: raw }));
  return { status: res.status, text: await res.text() };
}

describe("webhook fuzzing", () => {
  let trader: Trader;
  beforeAll(async () => {
    // Hundreds of alerts in a burst: above the default webhook rate, so the strategy allows more.
    trader = await createTrader({ subscriptionSettings: { allowAddToPosition: true }, strategySettings: { webhookRatePerMinute: 6000 } });
  });

  it("arbitrary bodies and content types: never a 5xx, always a messageCode or an id, always a log row", { timeout: 600_000 }, async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(body, contentType, async (raw, type) => {
        const res = await post(trader, raw, type);
        const label = `${res.status} for ${type ?? "(no content type)"}: ${typeof raw === "string" ? raw.slice(0, 300) : `bytes ${raw.length}`}\n→ ${res.text.slice(0, 300)}`;
        expect(res.status, label).toBeLessThan(500);
        const reply = JSON.parse(res.text) as WebhookReply;
        if (reply.success) {
          expect(res.status, label).toBe(200);
          expect(reply.id, label).toEqual(expect.any(String));
        } else {
          expect(reply.messageCode, label).toEqual(expect.stringMatching(/^[a-z0-9-]+$/));
          expect(reply.message, label).toEqual(expect.any(String));
        }
        seen[reply.success ? "accepted" : reply.messageCode!] = (seen[reply.success ? "accepted" : reply.messageCode!] ?? 0) + 1;
        expect(reply.logId, label).toEqual(expect.any(String));
        // A refusal is logged before the reply; an accepted signal by its queue, moments after.
        expect(await logRowStatus(reply.logId!, reply.success ? 5_000 : 0), label).toBe(reply.success ? "accepted" : "rejected");
      }),
      { numRuns: fuzzRuns(150), seed: 6_2026 },
    );
    console.log("webhook fuzz outcomes", JSON.stringify(seen));
    // The generator reaches both sides of the parser.
    expect(Object.keys(seen).length).toBeGreaterThan(5);
  });

  it("the webhook also refuses wrong methods and unknown strategies with a messageCode, never a 5xx", async () => {
    const path = new URL(trader.webhookUrl, "http://tradeloop.test").pathname;
    for (const [method, url] of [
      ["GET", path],
      ["PUT", path],
      ["POST", "/webhook/not-a-uuid/secret"],
      ["POST", `/webhook/${crypto.randomUUID()}/secret`],
      ["POST", `${path.slice(0, -3)}zzz`],
    ] as const) {
      const res = await api<WebhookReply>(method, url, method === "GET" ? {} : { raw: '{"ticker":"SPY","action":"buy"}' });
      expect(res.status, `${method} ${url}`).toBeLessThan(500);
      expect(res.body.messageCode, `${method} ${url}`).toEqual(expect.any(String));
    }
  });
});
