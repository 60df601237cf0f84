/**
 * Which broker positions are the signal's instrument: one book per venue
 * symbol. BTCUSD and BTCUSDT are one position at Binance (one BTCUSDT book)
 * and two at Kraken and Coinbase (two books, two quote currencies); spelling
 * (case, separators) never separates one.
 */
import { describe, expect, it } from "vitest";
import { getPlugin } from "../../plugins";
import { instrumentMatcher } from "./instrument-match";

describe("instrument matching (BTCUSDT vs BTCUSD, decided per venue)", () => {
  it("at Binance, an alert for BTCUSDT reads the holding Binance reports as BTCUSD (the one BTCUSDT book)", () => {
    const matches = instrumentMatcher(getPlugin("binance"), "BTCUSDT", "crypto");
    expect(matches("BTCUSD")).toBe(true);
    expect(matches("ETHUSD")).toBe(false);
  });

  it("at Kraken and Coinbase, the USDT book is not the USD book: different positions", () => {
    for (const broker of ["kraken", "coinbase"]) {
      const usdt = instrumentMatcher(getPlugin(broker), "BTCUSDT", "crypto");
      expect(usdt("BTCUSD"), `${broker}: BTCUSD is another book`).toBe(false);
      expect(usdt("BTCUSDT"), `${broker}: the same book`).toBe(true);
    }
    // Kraken's own names are the same book: XBT is BTC there.
    expect(instrumentMatcher(getPlugin("kraken"), "BTCUSD", "crypto")("XBTUSD")).toBe(true);
  });

  it("spelling never separates a position: case and separators of crypto and forex tickers", () => {
    expect(instrumentMatcher(undefined, "BTC/USD", "crypto")("btcusd")).toBe(true);
    expect(instrumentMatcher(undefined, "EUR_USD", "forex")("EURUSD")).toBe(true);
    expect(instrumentMatcher(undefined, "BTCUSDT", "crypto")("BTCUSD"), "without a venue to say they are one book, they are not").toBe(false);
    // Stocks keep their punctuation: BRK.A is not BRKA.
    expect(instrumentMatcher(undefined, "BRK.A", "stocks")("BRKA")).toBe(false);
  });
});
