/**
 * Polymarket sessions: API credentials derived from the wallet, held by the
 * connection's session owner (sealed) so the wallet signs an L1 message once
 * per session, not once per request.
 *
 * - Start: `GET /auth/derive-api-key` with L1 headers (the wallet's
 *   `ClobAuth` signature, nonce 0) answers the credentials the wallet already
 *   has; a wallet that never had any gets them from `POST /auth/api-key`.
 * - The credentials do not expire; a refusal later (HTTP 401) renews by
 *   deriving again. A wallet the CLOB refuses outright is `auth-expired`.
 *
 * @module
 */
import { BrokerError, jsonCaller, privateKeyBytes, addressOf, type PluginSession, type SessionContext, type SessionTokens, type VenueAnswer, type VenueRequest } from "../sdk";
import { POLYGON_CHAIN_ID, type PolymarketCredentials } from "./manifest";
import { clobAuthSignature } from "./signing";
import { WireApiCredsSchema } from "./wire";

/** The L1 headers for a timestamp (seconds): the wallet's address and its `ClobAuth` signature. */
export function l1Headers(credentials: PolymarketCredentials, timestamp: number, nonce = 0): Record<string, string> {
  const key = privateKeyBytes(credentials.privateKey);
  return {
    POLY_ADDRESS: addressOf(key),
    POLY_SIGNATURE: clobAuthSignature(key, POLYGON_CHAIN_ID, timestamp, nonce),
    POLY_TIMESTAMP: String(timestamp),
    POLY_NONCE: String(nonce),
  };
}

/** Failures that end the attempt; any other refusal means "no credentials this way" (the caller then creates them). */
function credsError(answer: VenueAnswer): BrokerError {
  if (answer.status === 429) return new BrokerError("Polymarket is limiting requests; Tradeloop will try again.", { code: "rate-limited", kind: "retryable", status: 429 });
  if (answer.status >= 500) return new BrokerError(`Polymarket answered HTTP ${answer.status} while deriving the API key.`, { code: "broker-unavailable", kind: "retryable", status: answer.status });
  return new BrokerError("Polymarket refused the wallet's signature; check the private key (and that the wallet is allowed to trade).", { code: "login-refused", kind: "auth-expired", status: answer.status });
}

async function requestCreds(ctx: SessionContext<PolymarketCredentials>, method: "GET" | "POST", path: string): Promise<SessionTokens | "none"> {
  const credentials = ctx.credentials;
  if (!credentials) throw new BrokerError("This Polymarket connection has no wallet key; connect it again.", { code: "login-refused", kind: "auth-expired" });
  const caller = jsonCaller<VenueRequest & { path: string }>({
    venue: "Polymarket",
    fetch: ctx.fetch,
    sign: (r) => new Request(`${ctx.baseUrl}${r.path}`, { method: r.method, headers: { accept: "application/json", ...l1Headers(credentials, Math.floor(ctx.now().getTime() / 1000)) } }),
    failed: (answer) => answer.status === 401 || answer.status === 403 || answer.status === 429 || answer.status >= 500,
    error: credsError,
  });
  // Deriving creates nothing new and creating answers the same key again: a lost answer may be asked again.
  const answer = await caller.send({ method, path, idempotent: true });
  if (answer.status < 200 || answer.status >= 300) return "none";
  if (typeof answer.body !== "object") throw new BrokerError("Polymarket's API key answer could not be read.", { code: "bad-response", kind: "retryable" });
  const parsed = WireApiCredsSchema.safeParse(answer.body);
  if (!parsed.success) return "none";
  return { accessToken: parsed.data.apiKey, secrets: { secret: parsed.data.secret, passphrase: parsed.data.passphrase } };
}

/** Derives the wallet's API credentials (or creates them the first time). */
async function deriveOrCreate(ctx: SessionContext<PolymarketCredentials>): Promise<SessionTokens> {
  const derived = await requestCreds(ctx, "GET", "/auth/derive-api-key");
  if (derived !== "none") return derived;
  const created = await requestCreds(ctx, "POST", "/auth/api-key");
  if (created !== "none") return created;
  throw new BrokerError("Polymarket gave this wallet no API credentials.", { code: "login-refused", kind: "auth-expired" });
}

/** Polymarket's session hooks: start and renew both derive the credentials again. */
export const polymarketSession: PluginSession<PolymarketCredentials> = {
  login: (ctx) => deriveOrCreate(ctx),
  refresh: (ctx) => deriveOrCreate(ctx),
};
