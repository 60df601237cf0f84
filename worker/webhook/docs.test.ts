/**
 * docs/signals.md must cover the schemas and the code table: every signal
 * field, take-profit and stop-loss field, subscription setting (with its
 * default) and messageCode (with its HTTP status), every signal outcome,
 * and nothing that does not exist.
 */
import { describe, expect, it } from "vitest";
import doc from "../../docs/signals.md?raw";
import { API_ERROR_STATUS } from "../errors";
import { SETTING_FIELDS, SubscriptionSettingsSchema } from "../trading/settings";
import { MESSAGE_CODES } from "../trading/message-codes";
import { SIGNAL_FIELDS, STOP_LOSS_FIELDS, TAKE_PROFIT_FIELDS } from "../trading/signal-schema";
import { SIGNAL_OUTCOMES } from "../trading/signal-outcome";

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`docs/signals.md has no "## ${title}" section`);
  const end = doc.indexOf("\n## ", start + 4);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** Rows of markdown tables in a section: cells without the outer pipes. */
function rows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

const firstCell = (r: string[]) => r[0]!.replace(/`/g, "");

describe("docs/signals.md", () => {
  it("documents every signal field in the fields table", () => {
    const documented = new Set(rows(section("Fields")).map(firstCell));
    const missing = SIGNAL_FIELDS.filter((f) => !documented.has(f));
    expect(missing).toEqual([]);
    const known = new Set<string>([...SIGNAL_FIELDS, ...TAKE_PROFIT_FIELDS, ...STOP_LOSS_FIELDS]);
    expect([...documented].filter((f) => !known.has(f))).toEqual([]);
  });

  it("documents every takeProfit and stopLoss field", () => {
    const fields = section("Fields");
    const tp = fields.slice(fields.indexOf("### `takeProfit`"), fields.indexOf("### `stopLoss`"));
    const sl = fields.slice(fields.indexOf("### `stopLoss`"));
    expect(TAKE_PROFIT_FIELDS.filter((f) => !rows(tp).map(firstCell).includes(f))).toEqual([]);
    expect(STOP_LOSS_FIELDS.filter((f) => !rows(sl).map(firstCell).includes(f))).toEqual([]);
  });

  it("documents every subscription setting with its real default", () => {
    const table = rows(section("Subscription settings"));
    const documented = new Map(table.map((r) => [firstCell(r), r[1]!]));
    expect(SETTING_FIELDS.filter((f) => !documented.has(f))).toEqual([]);
    expect([...documented.keys()].filter((f) => !(SETTING_FIELDS as string[]).includes(f))).toEqual([]);
    const defaults = SubscriptionSettingsSchema.parse({}) as Record<string, unknown>;
    for (const [name, cell] of documented) {
      const text = cell.replace(/`/g, "");
      const expected = defaults[name];
      if (text === "—") expect(expected, name).toBeUndefined();
      else {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // a bare word such as market
        }
        expect(parsed, name).toEqual(expected);
      }
    }
  });

  it("documents every messageCode, with its HTTP status, and no unknown ones", () => {
    const table = rows(section("Message codes"));
    const documented = new Map<string, string[][]>();
    for (const r of table) documented.set(firstCell(r), [...(documented.get(firstCell(r)) ?? []), r]);
    expect(Object.keys(MESSAGE_CODES).filter((c) => !documented.has(c))).toEqual([]);
    expect([...documented.keys()].filter((c) => !(c in MESSAGE_CODES))).toEqual([]);
    for (const [code, info] of Object.entries(MESSAGE_CODES)) {
      // A code used both as a webhook reply and on trades has one row with its status.
      if (info.status !== undefined) expect(documented.get(code)?.some((r) => r[1] === String(info.status)), code).toBe(true);
    }
  });

  it("documents every signal outcome, and no others", () => {
    const documented = rows(section("Signal outcome")).map(firstCell);
    expect(documented).toEqual([...SIGNAL_OUTCOMES]);
  });

  it("documents the API's refusal of a second subscription of a strategy on an account", () => {
    expect(API_ERROR_STATUS["duplicate-subscription"]).toBe(409);
    expect(section("Subscription settings")).toMatch(/`409` `duplicate-subscription`/);
  });

  it("mentions only codes that exist", () => {
    const mentioned = new Set([...doc.matchAll(/`((?:invalid|empty|no|not|too|post|payload|malformed|ticker|unsupported|quantity|signal|entry|exit|add|sides|isolate|outside|spread|breakeven|order|trailing|extended|shorting|brackets|option|internal|queue|point|equity|sizing|position|strategy|temporarily)-[a-z-]+)`/g)].map((m) => m[1]!));
    const legNames = new Set(["entry-tp", "entry-sl", "cancel-stop", "cancel-stop-limit", "cancel-trailing-stop"]);
    expect([...mentioned].filter((c) => !(c in MESSAGE_CODES) && !legNames.has(c))).toEqual([]);
  });
});
