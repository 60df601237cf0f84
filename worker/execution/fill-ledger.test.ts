/**
 * The subscription's fill ledger in real Durable Object SQLite: order
 * progress becomes fills once each, lots and realized P&L follow, and an
 * adoption sets the lot without inventing P&L.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FillLedger } from "./fill-ledger";

function withLedger<T>(fn: (ledger: FillLedger) => T): Promise<T> {
  return runInDurableObject(env.SUBSCRIPTION_QUEUE.getByName(`ledger-${crypto.randomUUID()}`), (_instance, state) => {
    const ledger = new FillLedger(state.storage.sql);
    ledger.migrate();
    ledger.migrate(); // idempotent
    return fn(ledger);
  });
}

const none = { filledQuantity: "0", avgFillPrice: null };

describe("FillLedger", () => {
  it("records partial fills as they are reported, once each, and realizes on the exit", async () => {
    await withLedger((ledger) => {
      const entry = { clientOrderId: "tl-entry", ticker: "AAPL", side: "buy" as const, pointValue: "1" };
      expect(ledger.recordProgress(entry, none, { filledQuantity: "4", avgFillPrice: "100" }, 1000)).toMatchObject({ quantity: "4", price: "100", realized: "0" });
      // The same report again (a retried poll) records nothing.
      expect(ledger.recordProgress(entry, none, { filledQuantity: "4", avgFillPrice: "100" }, 1001)).toBeNull();
      expect(ledger.recordProgress(entry, { filledQuantity: "4", avgFillPrice: "100" }, { filledQuantity: "10", avgFillPrice: "100.6" }, 2000)).toMatchObject({ quantity: "6", price: "101" });
      expect(ledger.lots()).toEqual([{ ticker: "AAPL", quantity: "10", avgPrice: "100.6", pointValue: "1" }]);
      const exit = { clientOrderId: "tl-exit", ticker: "AAPL", side: "sell" as const, pointValue: "1" };
      expect(ledger.recordProgress(exit, none, { filledQuantity: "10", avgFillPrice: "99.6" }, 3000)).toMatchObject({ realized: "-10" });
      expect(ledger.lots()).toEqual([{ ticker: "AAPL", quantity: "0", avgPrice: "0", pointValue: "1" }]);
      expect(ledger.realizedSince(0)).toEqual([{ at: 3000, amount: "-10" }]);
      expect(ledger.realizedSince(3001)).toEqual([]);
      expect(ledger.fillsFor(["tl-entry", "tl-exit"]).map((f) => [f.clientOrderId, f.quantity, f.price])).toEqual([
        ["tl-entry", "4", "100"],
        ["tl-entry", "6", "101"],
        ["tl-exit", "10", "99.6"],
      ]);
    });
  });

  it("adopting the broker's position sets the lot and realizes nothing", async () => {
    await withLedger((ledger) => {
      ledger.recordProgress({ clientOrderId: "tl-1", ticker: "MNQH2026", side: "buy", pointValue: "2" }, none, { filledQuantity: "2", avgFillPrice: "20000" }, 1000);
      expect(ledger.adopt("MNQH2026", "0", "0", 2000)).toMatchObject({ kind: "adjustment", side: "sell", quantity: "2", realized: "0" });
      expect(ledger.lots()).toEqual([{ ticker: "MNQH2026", quantity: "0", avgPrice: "0", pointValue: "2" }]);
      expect(ledger.adopt("MNQH2026", "-1", "20100", 3000)).toMatchObject({ side: "sell", quantity: "1" });
      expect(ledger.lots()[0]).toMatchObject({ quantity: "-1", avgPrice: "20100" });
      expect(ledger.adopt("MNQH2026", "-1", "1", 4000)).toBeNull();
      expect(ledger.realizedSince(0)).toEqual([]);
    });
  });
});
