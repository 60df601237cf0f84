/**
 * Regressions for webhook bugs the fuzzer found (each was a failing test
 * until it was fixed).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert } from "../helpers/trader";

describe("webhook bugs found by fuzzing", () => {
  // Was: the body `null` parsed as JSON null, the rejection's log row stored payload = null, which
  // the `signals.payload` NOT NULL column refused, so the route answered 503 with no log row.
  // Now: 400 invalid-payload with a logId, like `0`, `"x"` or `[]` (fixed in 88771c7).
  it("a body of JSON null is a 400 with a log row, not a 503", async () => {
    const trader = await createTrader();
    const r = await sendAlert(trader.webhookUrl, "null", { contentType: "application/json" });
    expect(r.status).toBe(400);
    expect(r.body.messageCode).toBe("invalid-payload");
    const row = await env.DB.prepare(`SELECT status FROM signals WHERE id = ?`).bind(r.body.logId ?? "").first();
    expect(row).not.toBeNull();
  });
});
