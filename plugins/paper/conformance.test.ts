/**
 * The paper broker through the conformance kit: all three layers, against
 * a real PaperLedger Durable Object per scenario.
 */
import { runConformanceSuite } from "../testkit";
import { paperRequestCases, paperResponseCases, STATIC_BASE } from "./cases";
import { PaperLedgerFake } from "./fake";
import { paperPlugin } from "./index";

runConformanceSuite({
  plugin: paperPlugin,
  credentials: {},
  accountId: "paper",
  baseUrl: STATIC_BASE,
  requests: paperRequestCases,
  responses: paperResponseCases,
  fake: () => new PaperLedgerFake(),
  instrument: { ticker: "AMD", assetClass: "stocks", price: "100", quantity: "10" },
  skip: {
    "partial-fill": "the ledger fills every order completely (README: partial fills are not simulated)",
  },
  expectedSkips: {},
});
