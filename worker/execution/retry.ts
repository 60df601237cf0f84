/**
 * The retry policy moved to the plugin SDK's shared services, where the
 * conformance kit uses the very same code; this module keeps the executor's
 * import path.
 *
 * @module
 */
export { backoffMs, DEFAULT_RETRY, sleep, withRetry, type RetryPolicy } from "../../plugins/sdk/services/retry";
