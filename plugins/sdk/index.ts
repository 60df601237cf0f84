/**
 * Everything a broker plugin author imports: `import { ... } from "../sdk"`.
 *
 * - the contract: manifest, capabilities, client, `definePlugin`, `canSubmit`
 * - normalized models, decimals and the order state machine
 * - `BrokerError`, venue error tables
 * - shared services: signing helpers, retry policy, clock/nonce, logger types
 *
 * The core-side runner (`host.ts`) and the conformance kit (`../testkit`) are
 * separate imports.
 *
 * @module
 */
export * from "./can-submit";
export * from "./capabilities";
export * from "./client";
export * from "./context";
export * from "./decimal";
export * from "./errors";
export * from "./json-caller";
export * from "./manifest";
export * from "./models";
export * from "./plugin";
export * from "./session";
export { buildAuthorizationUrl, exchangeAuthorizationCode, oauthEndpoint, oauthFailure, refreshWithRefreshToken, revokeTokens, tokensFromResponse } from "./services/oauth";
export { isPermanentSessionFailure, TokenKeeper, type TokenKeeperOptions } from "./services/token-keeper";
export { fixedClock, monotonicNonce } from "./services/clock";
export { redact, REDACTED, SECRET_KEY_PATTERN, secretValues } from "./services/logger";
export { placeOrderOnce, type PlaceOnceOptions } from "./services/reconcile";
export { backoffMs, DEFAULT_RETRY, withRetry, type RetryPolicy } from "./services/retry";
export * from "./services/signing";
