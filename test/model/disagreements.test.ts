/**
 * Where decide() and the documented rules disagreed. Each test states the
 * reference's rule; it was a failing test until decide() was brought in line,
 * and now guards the rule (the model-based test covers the inputs too).
 */
import { describe, expect, it } from "vitest";
import { Big } from "../../plugins/sdk";
import { createTrader, sendAlert } from "../helpers/trader";
import { ledgerSnapshot } from "../helpers/brokers";

describe("decide() versus the reference", () => {
  // Reference §1, Sentiment + action: "sell+flat flattens only a long ... Always exits the full
  // quantity regardless of `quantity`". decide() used to check percent_of_position before
  // sentiment (position-rules.ts buyOrSell), so `sell` + `flat` + percent_of_position 50 sold half
  // the long and left 5 open instead of flattening it (fixed in 88771c7).
  it("sell + sentiment flat + percent_of_position exits the whole long", async () => {
    const trader = await createTrader();
    const open = await sendAlert(trader.webhookUrl, { ticker: "SPY", action: "buy", quantity: 10, price: 100 }, { query: "?wait=2500" });
    expect(open.status).toBe(200);
    const flat = await sendAlert(
      trader.webhookUrl,
      { ticker: "SPY", action: "sell", sentiment: "flat", quantityType: "percent_of_position", quantity: 50, price: 100 },
      { query: "?wait=2500" },
    );
    expect(flat.status).toBe(200);
    const broker = await ledgerSnapshot(trader.connectionId);
    expect(new Big(broker.positions.get("SPY") ?? "0").toFixed()).toBe("0");
  });
});
