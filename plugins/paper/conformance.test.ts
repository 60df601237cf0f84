/**
 * The paper broker through the conformance kit: all three layers, against
 * a real PaperLedger Durable Object per scenario.
 */
import { runConformanceSuite } from "../testkit";
import { paperRequestCases, paperResponseCases, STATIC_BASE } from "./cases";
import { PaperLedgerFake } from "./fake";
import { paperPlugin } from "./index";

/** The ledger simulates no market hours, so a `day` order never expires (README, "Time in force"). */
const NO_SESSION = "the ledger simulates no sessions: a day order never expires (README, Time in force)";
/** Every fill is complete (README, "How orders fill"). */
const NO_PARTIAL_FILLS = "the ledger fills every order completely (README: partial fills are not simulated)";

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
    "stop-limit/expiry": NO_SESSION,
    "trailing-stop/expiry": NO_SESSION,
    "oto/expiry": NO_SESSION,
    "oco/expiry": NO_SESSION,
    "partial-fill": NO_PARTIAL_FILLS,
  },
  expectedSkips: {
    "stop-limit/expiry": NO_SESSION,
    "trailing-stop/expiry": NO_SESSION,
    "oto/expiry": NO_SESSION,
    "oco/expiry": NO_SESSION,
    "partial-fill": NO_PARTIAL_FILLS,
    "auth-expiry": "manifest: auth scheme none, nothing can expire",
  },
});
