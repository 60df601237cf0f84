/**
 * SnapTrade identities are per user and never leave the vault: another user
 * can neither use nor see mine (their first connect registers their own
 * SnapTrade user; my state, my connection and my sealed identity do not work
 * for them), and the user secret appears in no response and no log line.
 */
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SnapTradeFake } from "../../plugins/snaptrade/fake";
import { getDb } from "../../worker/db/client";
import { portalIdentities } from "../../worker/db/schema";
import { readIdentity } from "../../worker/connections/portal";
import { setLogSink, type LogLine } from "../../worker/lib/log";
import { authed, signup, workerFetch } from "../helpers/api";
import { connectSnapTrade, dashboardParams, routeToSnapTrade, startPortal } from "../helpers/snaptrade";

let lines: LogLine[] = [];
let restore: () => void = () => undefined;
beforeEach(() => {
  lines = [];
  restore = setLogSink((line) => lines.push(line));
});
afterEach(() => {
  restore();
  vi.restoreAllMocks();
});

/** The SnapTrade user secret the fake issued for a Tradeloop user (read at the fake, never through Tradeloop). */
async function secretAtSnapTrade(fake: SnapTradeFake, tradeloopUserId: string): Promise<string> {
  const db = getDb(env.DB);
  const identity = await readIdentity(env, db, tradeloopUserId, "snaptrade");
  expect(identity?.userId).toBe(`tradeloop-${tradeloopUserId}`);
  expect(fake.userIds()).toContain(identity!.userId);
  return identity!.userSecret!;
}

describe("SnapTrade portal: security", () => {
  it("each Tradeloop user gets their own SnapTrade user; another user's start never uses mine", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const alice = await signup();
    const bob = await signup();
    await connectSnapTrade(alice.token, fake);
    await startPortal(bob.token);
    expect(fake.userIds()).toEqual(expect.arrayContaining([`tradeloop-${alice.user.id}`, `tradeloop-${bob.user.id}`]));
    expect(await secretAtSnapTrade(fake, alice.user.id)).not.toBe(await secretAtSnapTrade(fake, bob.user.id));
  });

  it("my way back from the portal does not work in another user's browser, and my connection is invisible and untouchable to them", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const alice = await signup();
    const bob = await signup();
    const mine = await startPortal(alice.token);
    const back = fake.linkInPortal(mine.url);
    // Bob's browser (his own binding cookie) brings Alice's way back: refused, nothing created for anyone.
    const bobs = await startPortal(bob.token);
    const res = await workerFetch(back.href, { redirect: "manual", headers: { cookie: bobs.cookie } });
    expect(dashboardParams(res.headers.get("location") ?? "").get("error")).toBe("oauth-browser-mismatch");

    const conn = await connectSnapTrade(alice.token, fake);
    const list = await authed(bob.token).get<{ id: string }[]>("/api/connections");
    expect(list.body.map((c) => c.id)).not.toContain(conn.id);
    expect((await authed(bob.token).get(`/api/connections/${conn.id}`)).status).toBe(404);
    expect((await authed(bob.token).post(`/api/connections/${conn.id}/disconnect`)).status).toBe(404);
    // Reconnecting someone else's connection through the start URL: not found, nothing asked of SnapTrade for it.
    const reconnect = await authed(bob.token).get<{ error: { messageCode: string } }>(`/api/connections/oauth/snaptrade/start?connectionId=${conn.id}`);
    expect(reconnect.status).toBe(404);
    expect(reconnect.body.error.messageCode).toBe("not-found");
  });

  it("a way back naming another user's brokerage authorization connects nothing: the authorization is read with the caller's own identity", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const alice = await signup();
    const bob = await signup();
    const before = new Set(fake.authorizationIds());
    await connectSnapTrade(alice.token, fake);
    const alicesAuthorization = fake.authorizationIds().find((id) => !before.has(id))!;
    const { url, cookie } = await startPortal(bob.token);
    const back = new URL(new URL(url).searchParams.get("customRedirect")!);
    back.searchParams.set("status", "SUCCESS");
    back.searchParams.set("connection_id", alicesAuthorization);
    const res = await workerFetch(back.href, { redirect: "manual", headers: { cookie } });
    const p = dashboardParams(res.headers.get("location") ?? "");
    expect(p.get("connected")).toBeNull();
    expect(p.get("error")).toMatch(/^portal-/);
    expect((await authed(bob.token).get<unknown[]>("/api/connections")).body).toEqual([]);
  });

  it("a sealed identity moved to another user's row does not open", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const alice = await signup();
    const bob = await signup();
    await startPortal(alice.token);
    const db = getDb(env.DB);
    const row = await db.select().from(portalIdentities).where(and(eq(portalIdentities.userId, alice.user.id), eq(portalIdentities.broker, "snaptrade"))).get();
    await db.insert(portalIdentities).values({ userId: bob.user.id, broker: "snaptrade", ciphertext: row!.ciphertext, keyId: row!.keyId, createdAt: Date.now() });
    await expect(readIdentity(env, db, bob.user.id, "snaptrade")).rejects.toThrow();
  });

  it("the user secret appears in no response (start, way back, connection, list) and no log line, and is stored only sealed", async () => {
    const fake = new SnapTradeFake();
    routeToSnapTrade(fake);
    const { token, user } = await signup();
    const { url, cookie } = await startPortal(token);
    const secret = await secretAtSnapTrade(fake, user.id);
    expect(url).not.toContain(secret);
    const back = fake.linkInPortal(url);
    const callback = await workerFetch(back.href, { redirect: "manual", headers: { cookie } });
    const location = callback.headers.get("location") ?? "";
    expect(location + (await callback.text())).not.toContain(secret);
    const id = dashboardParams(location).get("connected")!;
    const one = await authed(token).get(`/api/connections/${id}`);
    const all = await authed(token).get("/api/connections");
    const disconnect = await authed(token).post(`/api/connections/${id}/disconnect`);
    for (const res of [one, all, disconnect]) expect(res.text, "a response").not.toContain(secret);
    expect(JSON.stringify(lines), "the log").not.toContain(secret);
    const stored = await getDb(env.DB).select().from(portalIdentities).where(eq(portalIdentities.userId, user.id)).all();
    expect(JSON.stringify(stored), "D1 holds it only sealed").not.toContain(secret);
  });
});
