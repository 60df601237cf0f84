/**
 * The conformance kit every broker plugin runs in `npm test`.
 *
 * How to use it (see `plugins/paper/paper.test.ts` for a full example,
 * and `npm run plugin:new <id>` for a scaffold that already wires it up):
 *
 * ```ts
 * // plugins/acme/acme.test.ts
 * import { runConformanceSuite } from "../testkit";
 * import { acmePlugin } from "./index";
 * import { AcmeFake } from "./fake";
 *
 * runConformanceSuite({
 *   plugin: acmePlugin,
 *   credentials: { apiKey: "test-key", apiSecret: "test-secret" },
 *   accountId: "ACC-1",
 *   requests: [...],   // layer 1: intent in → exact HTTP request out
 *   responses: [...],  // layer 2: recorded fixture in → normalized model (or BrokerError) out
 *   fake: () => new AcmeFake(),          // layer 3: stateful fake broker for the scenario matrix
 *   instrument: { ticker: "AAPL", assetClass: "stocks" },
 *   skip: { "partial-fill": "the venue fills every order at once" },
 *   // Every skip of the run, by id and reason: the listed ones and the ones the capabilities rule out.
 *   expectedSkips: { "partial-fill": "the venue fills every order at once", "bracket-entry": "capabilities: brackets.otoco unsupported" },
 * });
 * ```
 *
 * Layers:
 * 0. contract: the manifest and capabilities are valid data, the credentials
 *    schema exports to JSON Schema, and every method the capabilities declare
 *    exists on the client;
 * 1. static requests; 2. static responses (incl. error bodies);
 * 3. the scenario matrix against the fake: the six LEAN directions × market,
 *    limit, stop; stop-limit, trailing stop, OTO and OCO through fill, cancel
 *    and expiry; brackets long and short; cancel; partial fill; insufficient
 *    funds; 429 then success; timeout after send reconciled without a second
 *    order; auth expiry; unsupported intents refused before sending. After
 *    each: exactly one broker order per acknowledged client order id.
 *
 * A scenario the plugin's capabilities rule out is skipped automatically; any
 * other skip needs an entry in `skip` with a reason. Every skip is printed,
 * and all of them are pinned in `expectedSkips` (the kit fails on any
 * difference, both ways).
 *
 * @module
 */
export type {
  Awaitable,
  ConformanceOptions,
  Direction,
  ExpectedOutcome,
  ExpectedRequest,
  FakeBroker,
  FakeOrder,
  FakeReply,
  Instrument,
  RecordedFixture,
  ScenarioId,
  ScenarioOrderType,
  SigningVector,
  SkipList,
  StaticRequestCase,
  StaticResponseCase,
} from "./types";
export { FaultInjector, replyToResponse, timeoutError, type FaultInjectorOptions } from "./faults";
export { runConformanceSuite } from "./suite";
export { FakeAuthorizationServer, type FakeOAuthOptions } from "./fake-oauth";
export {
  brokerErrorOf,
  captureRequest,
  KIT_NOW,
  KIT_OAUTH_CLIENT,
  KIT_REDIRECT_URI,
  testSessionKeeper,
  usesSession,
  scriptedClient,
  testClient,
  testContext,
  toReply,
  type CapturedRequest,
  type TestConnection,
} from "./harness";
export { modelProblems, stripRaw } from "./static-layers";
export { CHECK_IDS } from "./check-ids";
export { FAKE_KIT_HELPERS, FAKE_PACKAGES, FAKE_SDK_HELPERS, fakeImportProblems } from "./fake-rules";
export { plannedSkips, skipDifferences } from "./suite";
export { FakeLedger, LedgerRejection, type FakeLedgerOptions, type LedgerOrder, type LedgerOrderInput, type LedgerOrderType } from "./fake-ledger";
