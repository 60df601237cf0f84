/**
 * The TradingView strategy template Tradeloop hands out, rendered with the
 * exact values TradingView substitutes (test/helpers/tradingview.ts), sent to
 * the webhook and executed on the paper broker: after every alert the paper
 * account's position must equal the strategy's position, scaled by the
 * subscription's sizing. With the product's defaults.
 */
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { createTrader, positionOf, sendAlert, settledSignal, type Trader } from "../helpers/trader";
import { renderAlert, TradingViewStrategy } from "../helpers/tradingview";

async function strategyTemplate(trader: Trader): Promise<string> {
  const res = await api<{ templates: { id: string; body: string }[] }>("GET", `/api/strategies/${trader.strategyId}/templates`, { token: trader.token });
  expect(res.status).toBe(200);
  const template = res.body.templates.find((t) => t.id === "tradingview-strategy");
  if (!template) throw new Error("no tradingview-strategy template");
  return template.body;
}

/** Sends one rendered alert as TradingView does (text/plain) and waits for its trade to finish. */
async function deliver(trader: Trader, template: string, values: Record<string, string>): Promise<void> {
  const reply = await sendAlert(trader.webhookUrl, renderAlert(template, values), { contentType: "text/plain; charset=utf-8" });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  await settledSignal(trader.token, reply.body.id!);
}

/** Entries, adds, partial exits and flips: the strategy's position after each order. */
const PATH: readonly { target: number; what: string }[] = [
  { target: 1, what: "enter long 1" },
  { target: 2, what: "add 1 (pyramiding)" },
  { target: 1, what: "exit 1 of 2" },
  { target: -1, what: "flip to short 1 (one sell order of 2)" },
  { target: -3, what: "add 2 to the short" },
  { target: -2, what: "cover 1 of 3" },
  { target: 2, what: "flip to long 2 (one buy order of 4)" },
  { target: 0, what: "close the long" },
  { target: -1, what: "enter short 1 from flat" },
  { target: 0, what: "cover the short" },
];

describe("the TradingView strategy template keeps the account in step with the strategy", () => {
  it("a 1-share long that reverses ends at -1, not -2 (the reported bug), and every later flip stays in step", async () => {
    const trader = await createTrader();
    const template = await strategyTemplate(trader);
    const tv = new TradingViewStrategy("AAPL");
    for (const [i, target] of [1, -1, 1, -1].entries()) {
      await deliver(trader, template, tv.moveTo(target, 190 + i));
      expect(await positionOf(trader, "AAPL"), `after alert ${i + 1} (strategy at ${target})`).toBe(target);
    }
  });

  it("through entries, adds, partial exits and flips with a default subscription", async () => {
    const trader = await createTrader();
    const template = await strategyTemplate(trader);
    const tv = new TradingViewStrategy("MSFT");
    for (const [i, step] of PATH.entries()) {
      await deliver(trader, template, tv.moveTo(step.target, 400 + i));
      expect(await positionOf(trader, "MSFT"), `after "${step.what}"`).toBe(step.target);
    }
  });

  it("scales the strategy's position by the subscription's quantityMultiplier", async () => {
    const trader = await createTrader({ subscriptionSettings: { quantityMultiplier: 3 } });
    const template = await strategyTemplate(trader);
    const tv = new TradingViewStrategy("SPY");
    for (const [i, step] of PATH.entries()) {
      await deliver(trader, template, tv.moveTo(step.target, 500 + i));
      expect(await positionOf(trader, "SPY"), `after "${step.what}"`).toBe(step.target * 3);
    }
  });

  it("heals a missed alert: the next alert trades the whole difference to the strategy's position", async () => {
    const trader = await createTrader();
    const template = await strategyTemplate(trader);
    const tv = new TradingViewStrategy("QQQ");
    await deliver(trader, template, tv.moveTo(1, 480));
    tv.moveTo(3, 481); // this alert never arrives (TradingView outage, network)
    expect(await positionOf(trader, "QQQ")).toBe(1);
    await deliver(trader, template, tv.moveTo(2, 482));
    expect(await positionOf(trader, "QQQ")).toBe(2);
    tv.moveTo(-2, 483); // missed flip
    await deliver(trader, template, tv.moveTo(-1, 484));
    expect(await positionOf(trader, "QQQ")).toBe(-1);
  });

  it("a repeated alert (same values) leaves the position as it is and says why", async () => {
    const trader = await createTrader();
    const template = await strategyTemplate(trader);
    const tv = new TradingViewStrategy("IWM");
    const values = tv.moveTo(2, 210);
    await deliver(trader, template, values);
    // A retried delivery with a new timenow: no alertId match, the target already holds.
    const again = await sendAlert(trader.webhookUrl, renderAlert(template, { ...values, timenow: "2025-06-18T15:00:01Z" }), { contentType: "text/plain" });
    const signal = await settledSignal(trader.token, again.body.id!);
    expect(signal.trades[0]).toMatchObject({ status: "rejected", messageCode: "position-at-target" });
    expect(await positionOf(trader, "IWM")).toBe(2);
  });
});
