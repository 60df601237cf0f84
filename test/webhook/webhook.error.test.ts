import { api } from "../helpers/api";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createTrader, sendAlert, type Trader } from "../helpers/trader";

let trader: Trader;
beforeAll(async () => {
  trader = await createTrader();
});

async function loggedRow(id: string) {
  return env.DB.prepare("select status, message_code, payload, user_id from signals where id = ?").bind(id).first<{
    status: string;
    message_code: string;
    payload: string;
    user_id: string | null;
  }>();
}

describe("webhook errors: TradersPost codes, a named field, a log row, never a 5xx", () => {
  const cases: [name: string, body: string, code: string, field?: RegExp][] = [
    ["empty body", "", "empty-json"],
    ["whitespace body", "  \n ", "empty-json"],
    ["trailing comma", '{"ticker":"SPY","action":"buy",}', "malformed-json"],
    ["curly quotes", "{“ticker”:“SPY”,“action”:“buy”}", "malformed-json"],
    ["not an object", '"buy SPY"', "invalid-payload"],
    ["unknown action (vector 16)", '{"ticker":"NQ","action":"bu"}', "invalid-action", /action/],
    ["empty ticker (vector 16)", '{"ticker":"","action":"buy"}', "empty-ticker-name", /ticker/],
    ["exit with sentiment (vector 16)", '{"ticker":"GOOGL","action":"exit","sentiment":"flat"}', "invalid-sentiment-action", /sentiment/],
    ["negative quantity", '{"ticker":"SPY","action":"buy","quantity":-1}', "invalid-quantity", /quantity/],
    ["NaN quantity string", '{"ticker":"SPY","action":"buy","quantity":"NaN"}', "invalid-quantity", /quantity/],
  ];

  for (const [name, body, code, field] of cases) {
    it(`${name} → 400 ${code}`, async () => {
      const res = await sendAlert(trader.webhookUrl, body, { contentType: "application/json" });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, messageCode: code });
      expect(res.body.message).toBeTruthy();
      if (field) expect(res.body.message).toMatch(field);
      const row = await loggedRow(res.body.logId!);
      expect(row).toMatchObject({ status: "rejected", message_code: code, user_id: trader.userId });
    });
  }

  it("GET on a webhook → 400 post-required (vector 16)", async () => {
    const res = await api("GET", trader.webhookUrl);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, messageCode: "post-required" });
  });

  it("unknown strategy → 404 not-found in TradersPost's shape", async () => {
    const res = await sendAlert(`http://tradeloop.test/webhook/${crypto.randomUUID()}/whatever`, { ticker: "SPY", action: "buy" });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, messageCode: "not-found", message: "Webhook not found." });
  });

  it("a huge body is refused without a 5xx", async () => {
    const res = await sendAlert(trader.webhookUrl, JSON.stringify({ ticker: "SPY", action: "buy", extras: "x".repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(res.body.messageCode).toBe("payload-too-large");
  });
});
