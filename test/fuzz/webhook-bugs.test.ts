/**
 * Webhook bugs the fuzzer found, kept as failing tests until the lead fixes
 * them (then drop `.fails`, and the filter in ./webhook.test.ts).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTrader, sendAlert } from "../helpers/trader";

describe("webhook bugs found by fuzzing", () => {
  // BUG: the body `null` parses as JSON null; the rejection's log row then stores payload = null,
  // which the `signals.payload` NOT NULL column refuses, so logRejected throws and the route
  // answers 503 temporarily-unavailable (a 5xx for a malformed alert, and no log row).
  // Expected: 400 invalid-payload with a logId, like `0`, `"x"` or `[]`.
  it("a body of JSON null is a 400 with a log row, not a 503", async () => {
    const trader = await createTrader();
    const r = await sendAlert(trader.webhookUrl, "null", { contentType: "application/json" });
    expect(r.status).toBe(400);
    expect(r.body.messageCode).toBe("invalid-payload");
    const row = await env.DB.prepare(`SELECT status FROM signals WHERE id = ?`).bind(r.body.logId ?? "").first();
    expect(row).not.toBeNull();
  });
});
