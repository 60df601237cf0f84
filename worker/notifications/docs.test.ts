/**
 * docs/notifications.md must match the code: every event type and channel
 * kind, the failures-only set, the signature header and tolerance, the
 * retry schedule, and a test vector our signer really produces.
 */
import { describe, expect, it } from "vitest";
import doc from "../../docs/notifications.md?raw";
import { MAX_CHANNELS_PER_USER } from "../api/channels";
import { CHANNEL_KINDS } from "./channel-kinds";
import { EVENT_TYPES, FAILURE_EVENT_TYPES } from "./events";
import { BACKOFF_MS, MAX_ATTEMPTS } from "./notifier";
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from "./signing";

const rowsStartingWith = (text: string) => text.split("\n").filter((l) => l.startsWith("| `")).map((l) => l.slice(3, l.indexOf("`", 3)));

describe("docs/notifications.md", () => {
  it("lists every event type and every channel kind, and nothing else", () => {
    const names = new Set(rowsStartingWith(doc));
    for (const t of EVENT_TYPES) expect(names.has(t), t).toBe(true);
    for (const k of CHANNEL_KINDS) expect(names.has(k), k).toBe(true);
  });

  it("names the failures-only set exactly", () => {
    const line = doc.split("\n").find((l) => l.includes("`failuresOnly: true`"))!;
    const named = [...line.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!).filter((n) => (EVENT_TYPES as readonly string[]).includes(n));
    expect(new Set(named)).toEqual(new Set(FAILURE_EVENT_TYPES));
  });

  it("states the header, the tolerance, the retry schedule and the channel limit the code uses", () => {
    expect(doc).toContain(`\`${SIGNATURE_HEADER}\``);
    expect(doc).toContain(`within **${SIGNATURE_TOLERANCE_SECONDS} seconds**`);
    expect(doc).toContain(`${MAX_ATTEMPTS === 8 ? "eight" : MAX_ATTEMPTS} attempts`);
    expect(BACKOFF_MS).toEqual([10_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000]);
    expect(doc).toContain("after 10 s, 1 min, 5 min, 15 min, 1 h, 3 h and 6 h");
    expect(doc).toContain(`up to ${MAX_CHANNELS_PER_USER} channels`);
  });

  it("its test vector is what Tradeloop signs, and verifies", async () => {
    const secret = /secret: `([^`]+)`/.exec(doc)![1]!;
    const t = Number(/`t`: `(\d+)`/.exec(doc)![1]);
    const body = /body: `(\{.*\})`$/m.exec(doc)![1]!;
    const header = /header: `(t=\d+,v1=[0-9a-f]{64})`/.exec(doc)![1]!;
    expect(await signatureHeader(secret, body, t)).toBe(header);
    expect(await verifySignature(header, body, secret, t + 10)).toEqual({ ok: true, timestamp: t });
  });
});
