/**
 * SnapTrade's Connection Portal through the Worker's routes, in workerd,
 * against the stateful SnapTrade fake: the first connect registers one
 * SnapTrade user for the Tradeloop user and seals its secret; the portal URL
 * comes from SnapTrade's login call; the way back creates a portal
 * connection with the brokerage's accounts; a second connect reuses the
 * identity; disconnecting removes the authorization at SnapTrade.
 */
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SnapTradeFake } from "../../plugins/snaptrade/fake";
import { getDb } from "../../worker/db/client";
import { portalIdentities } from "../../worker/db/schema";
import { authed, signup } from "../helpers/api";
import { connectSnapTrade, dashboardParams, returnFromPortal, routeToSnapTrade, startPortal } from "../helpers/snaptrade";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SnapTrade connection portal", () => {
  it("start registers the user once and answers SnapTrade's portal URL, whose way back is this Tradeloop's callback with its state", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token, user } = await signup();
    const { url, note } = await startPortal(token);
    const portal = new URL(url);
    expect(portal.origin + portal.pathname, "the login call's redirectURI, as SnapTrade answered it").toBe("https://app.snaptrade.test/snapTrade/redeemToken");
    const back = new URL(portal.searchParams.get("customRedirect") ?? "");
    expect(back.origin + back.pathname).toBe("http://tradeloop.test/api/connections/oauth/snaptrade/callback");
    expect(back.searchParams.get("state"), "the state rides in the way back").toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(note).toMatch(/SnapTrade/);
    expect(fake.userIds()).toContain(`tradeloop-${user.id}`);
    expect(fake.seen.filter((s) => s === "POST /snapTrade/registerUser")).toHaveLength(1);
    expect(fake.seen.filter((s) => s === "POST /snapTrade/login")).toHaveLength(1);

    // A second start (another connection, or the user came back) uses the sealed identity: no new registration.
    await startPortal(token);
    expect(fake.seen.filter((s) => s === "POST /snapTrade/registerUser")).toHaveLength(1);
    const rows = await getDb(env.DB).select().from(portalIdentities).where(eq(portalIdentities.userId, user.id)).all();
    expect(rows.map((r) => r.broker)).toEqual(["snaptrade"]);
  });

  it("linking a brokerage in the portal creates a connected portal connection with that brokerage's accounts, and it trades", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token } = await signup();
    const conn = await connectSnapTrade(token, fake);
    expect(conn).toMatchObject({ status: "connected", authMethod: "portal" });
    expect(conn.accounts).toHaveLength(1);
    expect(conn.accounts[0]!.mode).toBe("live");
    // The connection's own account at SnapTrade is read through the sealed credentials.
    const balance = await authed(token).get<{ equity: string }>(`/api/connections/${conn.id}/balance?accountId=${conn.accounts[0]!.id}`);
    expect(balance.status, balance.text).toBe(200);

    // Two brokerages linked: two connections, each with its own authorization and account.
    const second = await connectSnapTrade(token, fake);
    expect(second.id).not.toBe(conn.id);
    expect(second.accounts[0]!.brokerAccountId).not.toBe(conn.accounts[0]!.brokerAccountId);
  });

  it("disconnect removes the brokerage authorization at SnapTrade and deletes the sealed credentials; the identity stays for the next connect", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token, user } = await signup();
    const conn = await connectSnapTrade(token, fake);
    const before = fake.authorizationIds().length;
    const res = await authed(token).post<{ revoked: boolean; connection: { status: string } }>(`/api/connections/${conn.id}/disconnect`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ revoked: true, connection: { status: "disconnected" } });
    expect(fake.authorizationIds(), "the authorization is gone at SnapTrade").toHaveLength(before - 1);
    const identity = await getDb(env.DB).select().from(portalIdentities).where(and(eq(portalIdentities.userId, user.id), eq(portalIdentities.broker, "snaptrade"))).get();
    expect(identity).toBeTruthy();

    // Reconnect through the same start URL (connectionId): the connection is connected again with a new authorization.
    const { url, cookie } = await startPortal(token, `?connectionId=${conn.id}`);
    const location = await returnFromPortal(fake.linkInPortal(url), cookie);
    expect(dashboardParams(location).get("connected")).toBe(conn.id);
    const after = await authed(token).get<{ status: string; authMethod: string }>(`/api/connections/${conn.id}`);
    expect(after.body).toMatchObject({ status: "connected", authMethod: "portal" });
  });

  it("deleting a portal connection also removes its authorization at SnapTrade", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token } = await signup();
    const conn = await connectSnapTrade(token, fake);
    const before = fake.authorizationIds().length;
    const res = await authed(token).del(`/api/connections/${conn.id}`);
    expect(res.status, res.text).toBe(204);
    expect(fake.authorizationIds()).toHaveLength(before - 1);
  });
});
