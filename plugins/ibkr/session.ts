/**
 * The gateway session, kept alive by the connection's one session owner
 * (the ConnectionSession Durable Object and its alarm; never the client).
 *
 * IBKR has two layers: the gateway's single-sign-on session (the user logged
 * the gateway in with a browser; only a human can do that again) and the
 * brokerage session on top of it (what trading needs; it lapses after a few
 * idle minutes, at the daily reset, or when another platform takes it over).
 *
 * - Start and renew are the same thing: `POST /tickle` (the keepalive IBKR
 *   asks for about once a minute). Its `iserver.authStatus` says whether the
 *   brokerage session is alive. When it is not but the gateway is still
 *   logged in, the hook opens it again (`POST /iserver/auth/ssodh/init`,
 *   compete) and asks `/iserver/auth/status` once more.
 * - The owner holds a marker token that lives 5 minutes and renews 4 minutes
 *   early, so its alarm tickles about every minute.
 * - A gateway that is logged out (401 on tickle) or cannot reopen the
 *   brokerage session is `auth-expired` with a sentence saying to log the
 *   gateway in again: the connection becomes `expired` with it, and a test
 *   of the connection after the user logged in brings it back.
 * - A competing session (TWS, the mobile app) is reported in the token's
 *   data and, when it keeps the brokerage session from opening, in the error.
 *
 * @module
 */
import { BrokerError, jsonCaller, type PluginSession, type SessionContext, type SessionTokens, type VenueAnswer, type VenueRequest } from "../sdk";
import { gatewayHeaders, requireGateway } from "./gateway";
import type { IbkrCredentials } from "./manifest";
import { WireAuthStatusSchema, WireTickleSchema, type WireAuthStatus } from "./wire";

/** How long the owner trusts one keepalive; it renews after {@link TICKLE_EVERY_MS}. */
const MARKER_TTL_MS = 5 * 60_000;
/** IBKR asks for a tickle about every minute. */
export const TICKLE_EVERY_MS = 60_000;

const LOGGED_OUT =
  "Your Interactive Brokers gateway is logged out: open the gateway's page (your tunnel URL) in a browser, log in, then test the connection in Tradeloop.";

/** A gateway session call (POST, JSON); its failures say what the trader must do (log the gateway in, fix the Access token). */
interface GatewayRequest extends VenueRequest {
  path: string;
  body?: unknown;
}

function gatewayError(answer: VenueAnswer): BrokerError {
  if (answer.status === 401) return new BrokerError(LOGGED_OUT, { code: "login-refused", kind: "auth-expired", status: 401 });
  if (answer.status === 403) {
    return new BrokerError("Cloudflare Access refused the service token in front of your gateway; check the Access client ID and secret of this connection.", {
      code: "login-refused",
      kind: "auth-expired",
      status: 403,
    });
  }
  if (answer.status === 429) return new BrokerError("The gateway is limiting requests; Tradeloop will try again.", { code: "rate-limited", kind: "retryable", status: 429 });
  return new BrokerError(`The gateway answered HTTP ${answer.status} to ${answer.label}.`, { code: "broker-unavailable", kind: "retryable", status: answer.status });
}

async function post(ctx: SessionContext<IbkrCredentials>, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  requireGateway(ctx.baseUrl);
  const caller = jsonCaller<GatewayRequest>({
    venue: "Interactive Brokers",
    fetch: ctx.fetch,
    sign: (r) =>
      new Request(`${ctx.baseUrl}${r.path}`, {
        method: r.method,
        headers: gatewayHeaders(ctx.credentials, r.body !== undefined),
        ...(r.body !== undefined && { body: JSON.stringify(r.body) }),
      }),
    error: gatewayError,
  });
  // Session calls create nothing at the broker: a lost answer may be asked again. The body is read by the hook (not JSON: the status decides).
  const answer = await caller.send({ method: "POST", path, ...(body !== undefined && { body }), idempotent: true });
  return { status: answer.status, json: answer.body };
}

function statusOf(json: unknown): WireAuthStatus | null {
  const parsed = WireAuthStatusSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function marker(ctx: SessionContext<IbkrCredentials>, session: string | undefined, status: WireAuthStatus): SessionTokens {
  const at = ctx.now().getTime();
  return {
    // Not a credential: the gateway authenticates by its own login. A fresh value per renewal lets the owner tell renewals apart.
    accessToken: `ibkr-gateway:${session ?? "session"}:${at}`,
    expiresAt: at + MARKER_TTL_MS,
    data: { competing: String(status.competing), connected: String(status.connected) },
  };
}

/** One keepalive: tickle, reopen the brokerage session when it lapsed, answer a fresh marker or throw. */
async function keepAlive(ctx: SessionContext<IbkrCredentials>): Promise<SessionTokens> {
  const tickle = WireTickleSchema.safeParse((await post(ctx, "/tickle")).json);
  if (!tickle.success) throw new BrokerError("The gateway's answer to /tickle could not be read.", { code: "bad-response", kind: "retryable" });
  let status = tickle.data.iserver?.authStatus ?? statusOf((await post(ctx, "/iserver/auth/status")).json);
  if (status?.authenticated) return marker(ctx, tickle.data.session, status);
  // The gateway is logged in but the brokerage session lapsed (idle, daily reset, another platform): reopen it.
  await post(ctx, "/iserver/auth/ssodh/init", { publish: true, compete: true });
  status = statusOf((await post(ctx, "/iserver/auth/status")).json);
  if (status?.authenticated) return marker(ctx, tickle.data.session, status);
  const why = status?.competing
    ? "another IBKR session (TWS, the mobile app or the website) holds the brokerage session; log out there or log the gateway in again."
    : (status?.fail || status?.message || "the brokerage session did not open.");
  throw new BrokerError(`Your Interactive Brokers gateway could not open a trading session: ${why} Then test the connection in Tradeloop.`, {
    code: status?.competing ? "competing-session" : "login-refused",
    kind: "auth-expired",
  });
}

/** The IBKR plugin's session hooks: login and renewal are both a keepalive; nothing to revoke (the gateway is the user's). */
export const ibkrSession: PluginSession<IbkrCredentials> = {
  renewBeforeMs: MARKER_TTL_MS - TICKLE_EVERY_MS,
  login: (ctx) => keepAlive(ctx),
  refresh: (ctx) => keepAlive(ctx),
  // Disconnecting Tradeloop must not log the user's own gateway out (other tools may use it).
  revoke: async () => undefined,
};
