/**
 * Tradovate sessions: how the core's token owner (never the client) starts
 * and renews them.
 *
 * - Start (API key): `POST /auth/accesstokenrequest` with name, password,
 *   appId, appVersion, cid and sec. Each request opens a session and
 *   Tradovate allows two: a third ends the oldest. The owner logs in only
 *   when it holds no live token, one login at a time.
 * - Start (OAuth): the standard authorization-code exchange.
 * - Renew (both): `GET /auth/renewaccesstoken` with the current token, about
 *   15 minutes before its ~90 minutes run out; no new session is opened.
 * - Penalty tickets: a login answered with `p-ticket` and `p-time` is not
 *   retried blind: the hook waits `p-time` (when short) and sends again with
 *   the ticket; `p-captcha` needs a human, so the connection expires with a
 *   message saying to log in on Tradovate's site once.
 *
 * @module
 */
import { BrokerError, type PluginSession, type SessionContext, type SessionTokens } from "../sdk";
import type { TradovateCredentials } from "./manifest";
import { WireAccessTokenSchema } from "./wire";

/** Longest penalty wait the hook sits out itself; longer ones are retried by the owner's alarm. */
const MAX_INLINE_PENALTY_MS = 30_000;

/** Tickets handed back by Tradovate, per user name, for the next attempt (in memory: they are short-lived). */
const pendingTickets = new Map<string, string>();

function tokens(body: { accessToken?: string | undefined; expirationTime?: string | undefined; userId?: number | undefined }): SessionTokens {
  if (!body.accessToken) throw new BrokerError("Tradovate answered without an access token.", { code: "bad-response", kind: "retryable" });
  const expiresAt = body.expirationTime ? Date.parse(body.expirationTime) : Number.NaN;
  return {
    accessToken: body.accessToken,
    ...(Number.isFinite(expiresAt) && { expiresAt }),
    ...(body.userId !== undefined && { data: { userId: String(body.userId) } }),
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function requestToken(ctx: SessionContext<TradovateCredentials>, credentials: TradovateCredentials, ticket: string | undefined): Promise<ReturnType<typeof WireAccessTokenSchema.parse>> {
  const response = await ctx.fetch(
    new Request(`${ctx.baseUrl}/auth/accesstokenrequest`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        name: credentials.name,
        password: credentials.password,
        appId: credentials.appId,
        appVersion: credentials.appVersion,
        cid: credentials.cid,
        sec: credentials.sec,
        ...(ticket !== undefined && { "p-ticket": ticket }),
      }),
    }),
    // A login creates no order: a lost answer may be asked again (Tradovate then ends the older session).
    { idempotent: true },
  );
  if (response.status === 401 || response.status === 403) {
    throw new BrokerError("Tradovate refused the login; check the user name, password and API key, then reconnect.", { code: "login-refused", kind: "auth-expired" });
  }
  if (response.status === 429) throw new BrokerError("Tradovate is limiting logins; Tradeloop will try again later.", { code: "rate-limited", kind: "retryable" });
  if (response.status >= 500) throw new BrokerError(`Tradovate's login answered HTTP ${response.status}.`, { code: "broker-unavailable", kind: "retryable" });
  const parsed = WireAccessTokenSchema.safeParse(await readJson(response));
  if (!parsed.success) throw new BrokerError("Tradovate's login answer could not be read.", { code: "bad-response", kind: "retryable" });
  return parsed.data;
}

/** The access-token request, honouring penalty tickets. */
async function login(ctx: SessionContext<TradovateCredentials>): Promise<SessionTokens> {
  const credentials = ctx.credentials;
  if (!credentials) throw new BrokerError("This Tradovate connection has no login credentials; connect it again.", { code: "login-refused", kind: "auth-expired" });
  let answer = await requestToken(ctx, credentials, pendingTickets.get(credentials.name));
  pendingTickets.delete(credentials.name);
  if (answer["p-ticket"] !== undefined) {
    if (answer["p-captcha"]) {
      throw new BrokerError("Tradovate asks for a captcha before it lets this login in again: log in once on Tradovate's website, then reconnect.", {
        code: "captcha-required",
        kind: "auth-expired",
      });
    }
    const waitMs = (answer["p-time"] ?? 0) * 1000;
    if (waitMs > MAX_INLINE_PENALTY_MS) {
      pendingTickets.set(credentials.name, answer["p-ticket"]);
      throw new BrokerError(`Tradovate asked Tradeloop to wait ${answer["p-time"]} s before logging in again.`, { code: "login-penalty", kind: "retryable", retryAfterMs: waitMs });
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    answer = await requestToken(ctx, credentials, answer["p-ticket"]);
    if (answer["p-ticket"] !== undefined) {
      throw new BrokerError("Tradovate kept the login on hold; Tradeloop will try again later.", { code: "login-penalty", kind: "retryable", retryAfterMs: (answer["p-time"] ?? 60) * 1000 });
    }
  }
  if (answer.errorText) {
    throw new BrokerError(`Tradovate refused the login (${answer.errorText}); check the user name, password and API key, then reconnect.`, { code: "login-refused", kind: "auth-expired" });
  }
  return tokens(answer);
}

/** `GET /auth/renewaccesstoken` with the current token: the same session, a later expiry. */
async function renew(ctx: SessionContext<TradovateCredentials>, current: SessionTokens): Promise<SessionTokens> {
  const response = await ctx.fetch(new Request(`${ctx.baseUrl}/auth/renewaccesstoken`, { headers: { authorization: `Bearer ${current.accessToken}`, accept: "application/json" } }));
  if (response.status === 401) throw new BrokerError("Tradovate no longer accepts this session's token.", { code: "session-ended", kind: "auth-expired" });
  if (response.status === 429) throw new BrokerError("Tradovate is limiting renewals; Tradeloop will try again.", { code: "rate-limited", kind: "retryable" });
  if (!response.ok) throw new BrokerError(`Tradovate's renewal answered HTTP ${response.status}.`, { code: "broker-unavailable", kind: "retryable" });
  const parsed = WireAccessTokenSchema.safeParse(await readJson(response));
  if (!parsed.success || parsed.data.errorText || !parsed.data.accessToken) {
    throw new BrokerError(`Tradovate did not renew the session${parsed.success && parsed.data.errorText ? ` (${parsed.data.errorText})` : ""}.`, { code: "session-ended", kind: "auth-expired" });
  }
  const next = tokens(parsed.data);
  return { ...next, ...(current.data && !next.data && { data: current.data }) };
}

/** Tradovate's session hooks. OAuth's code exchange is the standard one. */
export const tradovateSession: PluginSession<TradovateCredentials> = { login, refresh: renew };
