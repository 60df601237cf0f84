/**
 * The conformance kit every broker plugin runs in `npm test`.
 *
 * How to use it (see `plugins/paper/conformance.test.ts` for a full example,
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
 *   skip: { "partial-fill": "the fake does not simulate partial fills yet" },
 * });
 * ```
 *
 * Layers:
 * 0. contract: the manifest and capabilities are valid data, the credentials
 *    schema exports to JSON Schema, and every method the capabilities declare
 *    exists on the client;
 * 1. static requests; 2. static responses (incl. error bodies);
 * 3. the scenario matrix against the fake: the six LEAN directions × market,
 *    limit, stop; bracket entry; cancel; partial fill; insufficient funds;
 *    429 then success; timeout after send reconciled without a second order;
 *    auth expiry; unsupported intents refused before sending.
 *
 * A scenario the plugin's capabilities rule out is skipped automatically; any
 * other skip needs an entry in `skip` with a reason. Every skip is printed.
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
export { captureRequest, KIT_NOW, KIT_OAUTH_CLIENT, KIT_REDIRECT_URI, testSessionKeeper, usesSession, scriptedClient, testClient, testContext, toReply, type CapturedRequest, type TestConnection } from "./harness";
export { modelProblems, stripRaw } from "./static-layers";
export { FakeLedger, LedgerRejection, type FakeLedgerOptions, type LedgerOrder, type LedgerOrderInput, type LedgerOrderType } from "./fake-ledger";
