/**
 * Connecting the TradeStation fake through the Worker's real OAuth routes:
 * the Worker's outgoing fetches (its own and its Durable Objects', which
 * share this isolate) are routed to an in-process TradestationFake, whose
 * `authorize` plays the user approving at TradeStation's sign-in page.
 *
 * @module
 */
import { expect, vi } from "vitest";
import { TradestationFake } from "../../plugins/tradestation/fake";
import { API_ORIGIN, authed, workerFetch } from "./api";

const FAKE_HOSTS = ["https://signin.tradestation.com/", "https://sim-api.tradestation.com/", "https://api.tradestation.com/"];

/** Routes the Worker's outgoing fetches to the fake; anything else fails like a closed network. */
export function routeToTradestation(fake: TradestationFake) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!FAKE_HOSTS.some((h) => request.url.startsWith(h))) throw new TypeError(`network disabled in tests: ${request.url}`);
    return fake.fetch(request);
  });
}

export interface OAuthConnection {
  id: string;
  status: string;
  statusReason: string | null;
  statusAt: string | null;
  authMethod: string;
  credentialsHint: string | null;
  accounts: { id: string; brokerAccountId: string; mode: string }[];
}

/** GET start → the fake's approval → GET callback; returns the callback's redirect. */
export async function runOAuthFlow(token: string, fake: TradestationFake, query = "?environment=demo&name=TS%20sim"): Promise<{ location: string; callbackUrl: string; cookie: string }> {
  const start = await authed(token).get<{ url: string; note: string | null }>(`/api/connections/oauth/tradestation/start${query}`);
  expect(start.status, start.text).toBe(200);
  const cookie = browserCookie(start.headers);
  const back = await fake.authorize(new URL(start.body.url));
  expect(back.origin, "the broker redirects to this Tradeloop").toBe(API_ORIGIN);
  // manual: the Worker's redirect is what the browser gets; following it would load the dashboard.
  const callback = await workerFetch(back.href, { redirect: "manual", headers: { cookie } });
  const text = await callback.clone().text();
  expect(`${callback.status} ${text}`).toMatch(/^302/);
  return { location: callback.headers.get("location") ?? "", callbackUrl: back.href, cookie };
}

/** The browser-binding cookie `start` sets, as the browser would send it back. */
export function browserCookie(headers: Headers): string {
  const set = headers.get("set-cookie") ?? "";
  const pair = set.split(";")[0] ?? "";
  expect(pair, "start sets the browser-binding cookie").toMatch(/^tradeloop_oauth=.+/);
  return pair;
}

/** Connects TradeStation (sim) by OAuth and returns the new connection. */
export async function connectTradestation(token: string, fake: TradestationFake): Promise<OAuthConnection> {
  const { location } = await runOAuthFlow(token, fake);
  const id = new URL(location.replace("/#/", "/")).searchParams.get("connected");
  expect(id, location).toBeTruthy();
  const conn = await authed(token).get<OAuthConnection>(`/api/connections/${id}`);
  expect(conn.status, conn.text).toBe(200);
  return conn.body;
}
