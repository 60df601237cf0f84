/**
 * Maps failures of broker plugin calls to API errors. A broker problem is
 * never a 500: it is the broker's (or the network's) failure, reported as
 * such so the user knows where to look.
 *
 * @module
 */
import { isBrokerError } from "../../plugins/sdk";
import { AppError } from "../errors";
import { log } from "../lib/log";
import { describeTestFailure } from "./test-messages";

/** Statuses for BrokerError kinds the user can fix (bad credentials, refused request). */
const CLIENT_SIDE_KINDS = new Set(["rejected", "auth-expired", "unsupported"]);

function logUnexpected(context: string, e: unknown): void {
  // Plugin exceptions that are not BrokerErrors are bugs or raw network
  // errors; their text may include request details, so it is logged, not returned.
  log.error("broker call failed", { context, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}

/**
 * Runs a read-only broker call (positions, orders, balance). Any failure
 * becomes 502 `broker-error` with a message naming the broker.
 */
export async function callBroker<T>(brokerName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (isBrokerError(e)) {
      throw new AppError("broker-error", `${brokerName} failed: ${e.message}`, { cause: e });
    }
    logUnexpected(`broker call to ${brokerName} failed`, e);
    throw new AppError("broker-error", `${brokerName} could not be reached or returned something unexpected. Try again shortly.`, { cause: e });
  }
}

/**
 * Maps a failure of `testConnection()` while a connection is being created.
 * Problems the user can fix (refused credentials, unsupported account) keep
 * the broker's own code with status 400; outages are 502. The message is the
 * same one actionable sentence `POST /api/connections/{id}/test` gives.
 */
export function connectFailure(
  brokerName: string,
  e: unknown,
  connection: { environment: "paper" | "live"; hasBaseUrl: boolean } = { environment: "paper", hasBaseUrl: false },
): AppError {
  if (e instanceof AppError) return e;
  if (isBrokerError(e)) {
    const status = CLIENT_SIDE_KINDS.has(e.kind) ? 400 : 502;
    const { message } = describeTestFailure({ broker: brokerName, ...connection }, e);
    return new AppError(e.code || "broker-error", message, { status, cause: e });
  }
  logUnexpected(`connecting to ${brokerName} failed`, e);
  return new AppError("broker-error", `${brokerName} could not be reached to verify the connection. Try again shortly.`, { cause: e });
}
