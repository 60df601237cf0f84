/**
 * Cost basis where the broker reports none (spot crypto's average price 0):
 * Tradeloop's fills stand for it only when they account for the whole
 * holding; otherwise it is unknown, never 0.
 */
import { describe, expect, it } from "vitest";
import { costBasis } from "./cost-basis";

describe("cost basis from fills where the broker gives none", () => {
  it("a broker's own average price is kept", () => {
    expect(costBasis({ quantity: "2", avgPrice: "101.5" }, { quantity: 2, avgPrice: 99 })).toEqual({ avgPrice: "101.5", source: "broker" });
  });

  it("average price 0 with Tradeloop's fills holding exactly this position: the fills' average price", () => {
    expect(costBasis({ quantity: "0.75", avgPrice: "0" }, { quantity: 0.75, avgPrice: 60123.45 })).toEqual({ avgPrice: "60123.45", source: "fills" });
  });

  it("average price 0 and a holding partly bought elsewhere, or no fills at all: unknown, not 0", () => {
    expect(costBasis({ quantity: "1.75", avgPrice: "0" }, { quantity: 0.75, avgPrice: 60000 })).toBeNull();
    expect(costBasis({ quantity: "1", avgPrice: "0" }, undefined)).toBeNull();
    expect(costBasis({ quantity: "-1", avgPrice: "0" }, { quantity: 1, avgPrice: 60000 }), "the other side").toBeNull();
  });
});
