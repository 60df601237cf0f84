/**
 * What every request to the user's gateway carries: the Cloudflare Access
 * service token's headers (when the connection has one), and a refusal
 * before sending when the connection has no gateway URL (IBKR's own host
 * needs OAuth a retail account does not get).
 *
 * @module
 */
import { BrokerError } from "../sdk";
import { IBKR_DEFAULT_URL, type IbkrCredentials } from "./manifest";

/** Headers for one gateway request (JSON in, JSON out, and the Access service token). */
export function gatewayHeaders(credentials: IbkrCredentials | undefined, json: boolean): Record<string, string> {
  return {
    accept: "application/json",
    ...(json && { "content-type": "application/json" }),
    ...(credentials?.accessClientId && credentials.accessClientSecret && { "cf-access-client-id": credentials.accessClientId, "cf-access-client-secret": credentials.accessClientSecret }),
  };
}

/** Throws (nothing sent) when the connection points at IBKR's own host instead of the user's gateway. */
export function requireGateway(baseUrl: string): void {
  if (baseUrl.replace(/\/+$/, "") === IBKR_DEFAULT_URL) {
    throw new BrokerError(
      "This Interactive Brokers connection has no gateway URL: set settings.baseUrl to your Client Portal gateway (https://<your tunnel host>/v1/api), see docs/brokers/ibkr.md.",
      { code: "gateway-url-missing", kind: "unsupported" },
    );
  }
}
