/**
 * SnapTrade's Connection Portal as a portal flow (see sdk/portal.ts):
 *
 * - register: `POST /snapTrade/registerUser` with a user id derived from
 *   Tradeloop's user id, once per Tradeloop user; the answer's user secret
 *   is the identity the core seals;
 * - start: `POST /snapTrade/login` answers `redirectURI`, the portal page
 *   the dashboard opens; `customRedirect` brings the browser back to the
 *   core's callback, `connectionType: "trade"` asks for trading access and
 *   `reconnect` repairs an existing authorization instead of adding one;
 * - complete: the callback names the new authorization (`connection_id`, or
 *   `authorizationId`); when it names none, the newest authorization of the
 *   user (`GET /authorizations`) is the one just made;
 * - revoke: `DELETE /authorizations/{id}` removes the brokerage connection
 *   at SnapTrade (disconnect).
 *
 * @module
 */
import { z } from "zod";
import { BrokerError, type PortalFlow, type PortalIdentity } from "../sdk";
import { snaptradeApi, type SnapTradeUser } from "./api";
import type { SnapTradeCredentials } from "./manifest";
import { WireAuthorizationSchema, WireLoginSchema, WireRegisteredUserSchema } from "./wire";

function userOf(identity: PortalIdentity): SnapTradeUser {
  const { userId, userSecret } = identity;
  if (!userId || !userSecret) throw new BrokerError("Tradeloop's SnapTrade identity for this user is incomplete; connect again.", { code: "auth-failed", kind: "auth-expired" });
  return { userId, userSecret };
}

/** SnapTrade's portal hooks. */
export const snaptradePortal: PortalFlow<SnapTradeCredentials> = {
  async register(ctx, { tradeloopUserId }) {
    const api = snaptradeApi(ctx);
    // One SnapTrade user per Tradeloop user, named so the operator recognizes it in SnapTrade's dashboard.
    const registered = await api.call({ method: "POST", path: "/snapTrade/registerUser", body: { userId: `tradeloop-${tradeloopUserId}` } }, WireRegisteredUserSchema);
    return { userId: registered.userId, userSecret: registered.userSecret };
  },

  async start(ctx, { identity, redirectUri, reconnect }) {
    const api = snaptradeApi(ctx);
    const body = { immediateRedirect: true, customRedirect: redirectUri, connectionType: "trade", ...(reconnect && { reconnect: reconnect.authorizationId }) };
    // A POST that creates nothing at the brokerage: safe to resend.
    const login = await api.call({ method: "POST", path: "/snapTrade/login", user: userOf(identity), body, idempotent: true }, WireLoginSchema);
    return { url: login.redirectURI };
  },

  async complete(ctx, { identity, callbackParameters }) {
    const status = (callbackParameters.get("status") ?? "").toUpperCase();
    if (status === "ERROR" || status === "ABANDONED" || status === "CANCELLED") {
      throw new BrokerError("The brokerage was not connected in SnapTrade's portal; start again from Tradeloop.", { code: "portal-not-finished", kind: "rejected" });
    }
    const named = callbackParameters.get("connection_id") ?? callbackParameters.get("authorizationId");
    const api = snaptradeApi(ctx);
    const user = userOf(identity);
    if (named) {
      const authorization = await api.call({ method: "GET", path: `/authorizations/${encodeURIComponent(named)}`, user }, WireAuthorizationSchema);
      return { authorizationId: authorization.id };
    }
    const all = await api.call({ method: "GET", path: "/authorizations", user }, z.array(WireAuthorizationSchema.extend({ created_date: z.string().optional() })));
    const newest = all.filter((a) => !a.disabled).sort((a, b) => (b.created_date ?? "").localeCompare(a.created_date ?? ""))[0];
    if (!newest) throw new BrokerError("SnapTrade reports no connected brokerage for this user; connect again.", { code: "portal-not-finished", kind: "rejected" });
    return { authorizationId: newest.id };
  },

  async revoke(ctx, { credentials }) {
    const api = snaptradeApi(ctx);
    const user = { userId: credentials.userId, userSecret: credentials.userSecret };
    try {
      await api.send({ method: "DELETE", path: `/authorizations/${encodeURIComponent(credentials.authorizationId)}`, user });
    } catch (e) {
      // Already gone at SnapTrade: the disconnect has what it wants.
      if (e instanceof BrokerError && e.status === 404) return;
      throw e;
    }
  },
};
