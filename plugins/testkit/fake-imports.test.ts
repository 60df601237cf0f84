/**
 * The fakes are second opinions: no fake module imports the plugin it tests
 * (plugins/testkit/fake-rules.ts has the rule and the allowed lists). The
 * rule's own checker is tested on examples first, so a checker that finds
 * nothing cannot pass the real check by accident.
 */
import { describe, expect, it } from "vitest";
import { fakeImportProblems } from "./fake-rules";

/** Every fake module of every plugin, as source text (test files and the kit's own toolbox excluded). */
const FAKES = Object.entries(import.meta.glob<string>(["../*/fake.ts", "../*/fake-*.ts"], { query: "?raw", import: "default", eager: true })).filter(
  ([path]) => path.startsWith("../") && !path.endsWith(".test.ts"),
);

describe("fake modules import no plugin code", () => {
  it("the checker refuses plugin code, recipes and unknown packages, and allows the neutral helpers", () => {
    expect(fakeImportProblems(`import { dec, toDecimal, type OrderStatus } from "../sdk";\nimport { FaultInjector, type FakeBroker } from "../testkit";\nimport { Book } from "./fake-book";\nimport fixture from "./fixtures/order.json";\nimport { jwtVerify } from "jose";`)).toEqual([]);
    expect(fakeImportProblems(`import { normalizeStatus } from "./status";`)).toHaveLength(1);
    expect(fakeImportProblems(`import type { WireOrder } from "./wire";`)).toHaveLength(1);
    expect(fakeImportProblems(`import {\n  dec,\n  es256Jwt,\n} from "../sdk";`)).toEqual([expect.stringContaining("es256Jwt")]);
    expect(fakeImportProblems(`import { BASE_URL } from "./manifest";`)).toHaveLength(1);
    expect(fakeImportProblems(`import { runConformanceSuite } from "../testkit";`)).toHaveLength(1);
    expect(fakeImportProblems(`import { x } from "../alpaca/mapping";`)).toHaveLength(1);
    expect(fakeImportProblems(`import * as sdk from "../sdk";`)).toHaveLength(1);
    expect(fakeImportProblems(`export { toStatus } from "./mapping";`)).toHaveLength(1);
    expect(fakeImportProblems(`const m = await import("./signing");`)).toHaveLength(1);
    expect(fakeImportProblems(`import { something } from "left-pad";`)).toHaveLength(1);
  });

  it("finds the fake modules of every plugin with a fake", () => {
    const plugins = new Set(FAKES.map(([path]) => path.split("/")[1]));
    for (const id of ["alpaca", "binance", "coinbase", "kraken", "oanda", "paper", "robinhood", "schwab", "tradestation", "tradier", "tradovate"]) expect(plugins, id).toContain(id);
  });

  for (const [path, source] of FAKES) {
    it(`${path.replace(/^\.\.\//, "plugins/")} imports only the SDK's neutral helpers, the kit's fake toolbox and its own fake modules`, () => {
      expect(fakeImportProblems(source)).toEqual([]);
    });
  }
});
