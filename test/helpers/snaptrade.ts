/**
 * Connecting SnapTrade through the Worker's real portal routes: the Worker's
 * outgoing fetches are routed to an in-process SnapTradeFake (signature
 * checks included), whose `linkInPortal` plays the user linking a brokerage
 * on SnapTrade's Connection Portal page.
 *
 * @module
 */
import { expect, vi } from "vitest";
import { SnapTradeFake } from "../../plugins/snaptrade/fake";
import { API_ORIGIN, authed, workerFetch } from "./api";
import { browserCookie } from "./oauth";

const SNAPTRADE = "https://api.snaptrade.com/";

/** Routes the Worker's outgoing fetches to the fake; anything else fails like a closed network. */
export function routeToSnapTrade(fake: SnapTradeFake) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!request.url.startsWith(SNAPTRADE)) throw new TypeError(`network disabled in tests: ${request.url}`);
    return fake.fetch(request);
  });
}

/** What `start` answered: the portal URL to open, and the browser-binding cookie. */
export async function startPortal(token: string, query = "?name=My%20brokerage"): Promise<{ url: string; cookie: string; note: string | null }> {
  const start = await authed(token).get<{ url: string; note: string | null }>(`/api/connections/oauth/snaptrade/start${query}`);
  expect(start.status, start.text).toBe(200);
  return { url: start.body.url, cookie: browserCookie(start.headers), note: start.body.note };
}

/** The browser coming back from the portal to the Worker's callback; answers the dashboard location. */
export async function returnFromPortal(back: URL, cookie: string): Promise<string> {
  expect(back.origin, "the portal sends the browser back to this Tradeloop").toBe(API_ORIGIN);
  const callback = await workerFetch(back.href, { redirect: "manual", headers: { cookie } });
  const text = await callback.clone().text();
  expect(`${callback.status} ${text}`).toMatch(/^302/);
  return callback.headers.get("location") ?? "";
}

/** The dashboard location's parameters (`connected`, or `error` and `message`). */
export function dashboardParams(location: string): URLSearchParams {
  return new URL(location.replace("/#/", "/")).searchParams;
}

export interface PortalConnection {
  id: string;
  status: string;
  authMethod: string;
  credentialsHint: string | null;
  accounts: { id: string; brokerAccountId: string; mode: string }[];
}

/** Start → link a brokerage in the portal → callback; returns the new connection. */
export async function connectSnapTrade(token: string, fake: SnapTradeFake): Promise<PortalConnection> {
  const { url, cookie } = await startPortal(token);
  const location = await returnFromPortal(fake.linkInPortal(url), cookie);
  const id = dashboardParams(location).get("connected");
  expect(id, location).toBeTruthy();
  const conn = await authed(token).get<PortalConnection>(`/api/connections/${id}`);
  expect(conn.status, conn.text).toBe(200);
  return conn.body;
}
