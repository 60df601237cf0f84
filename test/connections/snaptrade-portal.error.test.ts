/**
 * What goes wrong around SnapTrade's portal, through the Worker's routes
 * against the SnapTrade fake: the user leaves the portal without linking a
 * brokerage, the way back is replayed, SnapTrade is down when the user is
 * registered, the operator has not set the partner keys, and a demo
 * environment is asked of a broker that has none. Each answer has a stable
 * code and a sentence; nothing half-made is stored.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getPlugin } from "../../plugins";
import { SnapTradeFake } from "../../plugins/snaptrade/fake";
import { getDb } from "../../worker/db/client";
import { connections, portalIdentities } from "../../worker/db/schema";
import type { Env } from "../../worker/env";
import { AppError } from "../../worker/errors";
import { isPortalPlugin, portalContext } from "../../worker/connections/portal";
import { authed, signup, workerFetch } from "../helpers/api";
import { dashboardParams, returnFromPortal, routeToSnapTrade, startPortal } from "../helpers/snaptrade";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SnapTrade portal: errors", () => {
  it("leaving the portal without linking a brokerage creates no connection and says so", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token, user } = await signup();
    const { url, cookie } = await startPortal(token);
    const back = new URL(new URL(url).searchParams.get("customRedirect")!);
    back.searchParams.set("status", "ABANDONED");
    const location = await returnFromPortal(back, cookie);
    const p = dashboardParams(location);
    expect(p.get("error")).toBe("portal-not-finished");
    expect(p.get("message")).toMatch(/not connected/);
    expect(await getDb(env.DB).select().from(connections).where(eq(connections.userId, user.id)).all()).toEqual([]);
  });

  it("the way back works once: replaying it creates nothing more", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token, user } = await signup();
    const { url, cookie } = await startPortal(token);
    const back = fake.linkInPortal(url);
    expect(dashboardParams(await returnFromPortal(back, cookie)).get("connected")).toBeTruthy();
    const replay = await workerFetch(back.href, { redirect: "manual", headers: { cookie } });
    expect(dashboardParams(replay.headers.get("location") ?? "").get("error")).toBe("oauth-state-used");
    expect(await getDb(env.DB).select().from(connections).where(eq(connections.userId, user.id)).all()).toHaveLength(1);
  });

  it("SnapTrade down at the first connect: 502 broker-error in words, and no identity is stored", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    fake.failNext({ status: 503, body: { detail: "Service unavailable" } });
    const { token, user } = await signup();
    const res = await authed(token).get<{ error: { messageCode: string; message: string } }>("/api/connections/oauth/snaptrade/start");
    expect(res.status, res.text).toBe(502);
    expect(res.body.error.messageCode).toBe("broker-error");
    expect(res.body.error.message).toMatch(/SnapTrade did not open its connection portal/);
    expect(await getDb(env.DB).select().from(portalIdentities).where(eq(portalIdentities.userId, user.id)).all()).toEqual([]);
    // The next try registers and works.
    await startPortal(token);
  });

  it("without the operator's partner keys, connecting answers partner-not-configured naming both Worker secrets", () => {
    const plugin = getPlugin("snaptrade")!;
    expect(isPortalPlugin(plugin)).toBe(true);
    if (!isPortalPlugin(plugin)) return;
    const bare = { ...env, SNAPTRADE_CLIENT_ID: undefined, SNAPTRADE_CONSUMER_KEY: undefined } as unknown as Env;
    let thrown: unknown;
    try {
      portalContext(bare, plugin, "live");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).messageCode).toBe("partner-not-configured");
    expect((thrown as AppError).message).toMatch(/SNAPTRADE_CLIENT_ID and SNAPTRADE_CONSUMER_KEY/);
  });

  it("SnapTrade has no demo environment: asking for one is oauth-unsupported with the reason", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token } = await signup();
    const res = await authed(token).get<{ error: { messageCode: string; message: string } }>("/api/connections/oauth/snaptrade/start?environment=demo");
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.messageCode).toBe("oauth-unsupported");
    expect(res.body.error.message).toMatch(/no demo/);
    expect(fake.seen, "nothing was asked of SnapTrade").toEqual([]);
  });
});

describe("SnapTrade portal: no pasted identities", () => {
  it("POST /api/connections refuses SnapTrade and points to the portal's start URL", async () => {
    const { token } = await signup();
    const res = await authed(token).post<{ error: { messageCode: string; message: string; field: string } }>("/api/connections", {
      broker: "snaptrade",
      name: "pasted",
      credentials: { userId: "someone-else", userSecret: "guessed-secret", authorizationId: "auth-x" },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ messageCode: "invalid-request", field: "broker" });
    expect(res.body.error.message).toMatch(/connection portal: open the URL from GET \/api\/connections\/oauth\/snaptrade\/start/);
  });
});
