/**
 * Tradovate through the conformance kit (API-key login, then OAuth), plus
 * the session rules the kit cannot see: never a third session, penalty
 * tickets honoured, a captcha stops the connection.
 */
import { describe, expect, it } from "vitest";
import { BrokerError } from "../sdk";
import { runConformanceSuite, testClient, testSessionKeeper, type TestConnection } from "../testkit";
import { requestCases, responseCases, STATIC_ACCESS_TOKEN } from "./cases";
import { FAKE_TRADOVATE_ACCOUNT, FAKE_TRADOVATE_LOGIN, TradovateFake } from "./fake";
import { tradovatePlugin } from "./index";

const CREDENTIALS = { ...FAKE_TRADOVATE_LOGIN };
const skip = {
  "timeout-after-send":
    "Tradovate takes clOrdId but its order lists do not carry it back, so an order whose reply was lost cannot be found by Tradeloop's id; the plugin answers outcome-unknown and the core stops and asks the trader to check instead of resending",
} as const;

runConformanceSuite({
  plugin: tradovatePlugin,
  credentials: CREDENTIALS,
  tokens: { accessToken: STATIC_ACCESS_TOKEN },
  // placeOrder reads the account list first (orders carry the account's name as accountSpec).
  placeOrderPrelude: [{ status: 200, body: [{ id: FAKE_TRADOVATE_ACCOUNT.id, name: FAKE_TRADOVATE_ACCOUNT.name, active: true }] }],
  accountId: String(FAKE_TRADOVATE_ACCOUNT.id),
  requests: requestCases,
  responses: responseCases,
  fake: () => new TradovateFake(),
  instrument: { ticker: "MESZ2026", assetClass: "futures", price: "5000", quantity: "1", unaffordableQuantity: "100000" },
  rateLimitReply: { status: 429, body: "", headers: { "retry-after": "0" } },
  skip,
  expectedSkips: {
    ...skip,
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "modify": "capabilities: modify unsupported",
  },
});

const oauthSkip = {
  ...skip,
  "static-requests": "run above on the API-key connection; OAuth changes only how the session starts",
  "static-responses": "run above on the API-key connection",
  "transport-errors": "run above on the API-key connection",
  "session-refresh-mid-session":
    "an OAuth session is renewed with renewaccesstoken, which needs the token still alive (the owner renews 15 minutes early); a token that died early cannot be renewed and OAuth has no password to log in again, so the user reconnects (session-refresh-fails covers it)",
} as const;

runConformanceSuite({
  plugin: tradovatePlugin,
  credentials: CREDENTIALS,
  authMethod: "oauth",
  accountId: String(FAKE_TRADOVATE_ACCOUNT.id),
  requests: [],
  responses: [],
  fake: () => new TradovateFake(),
  instrument: { ticker: "MESZ2026", assetClass: "futures", price: "5000", quantity: "1", unaffordableQuantity: "100000" },
  rateLimitReply: { status: 429, body: "", headers: { "retry-after": "0" } },
  skip: oauthSkip,
  expectedSkips: {
    ...oauthSkip,
    "trailing-stop/fill": "capabilities: trailingStop unsupported",
    "trailing-stop/cancel": "capabilities: trailingStop unsupported",
    "trailing-stop/expiry": "capabilities: trailingStop unsupported",
    "oco/fill": "capabilities: brackets.oco unsupported",
    "oco/cancel": "capabilities: brackets.oco unsupported",
    "oco/expiry": "capabilities: brackets.oco unsupported",
    "modify": "capabilities: modify unsupported",
  },
});

describe("Tradovate sessions", () => {
  const connection = (fake: TradovateFake): { conn: TestConnection; transport: (r: Request) => Promise<Response> } => ({
    conn: { plugin: tradovatePlugin, credentials: CREDENTIALS, now: () => new Date() },
    transport: (r) => fake.fetch(r),
  });

  it("one owner logs in once, renews with renewaccesstoken, and never opens a third session", async () => {
    const fake = new TradovateFake();
    const { conn, transport } = connection(fake);
    const keeper = testSessionKeeper(conn, transport);
    const client = testClient({ ...conn, session: keeper }, transport);
    await Promise.all([client.testConnection(), client.getPositions(String(FAKE_TRADOVATE_ACCOUNT.id)), client.getOpenOrders(String(FAKE_TRADOVATE_ACCOUNT.id))]);
    expect(fake.logins, "three first callers share one login").toBe(1);
    const first = keeper.peek()!.accessToken;
    // The token dies early: renewal can no longer use it, so exactly one new login replaces the session.
    fake.expireAccessToken();
    await client.getBalance(String(FAKE_TRADOVATE_ACCOUNT.id));
    expect(keeper.peek()!.accessToken).not.toBe(first);
    expect(fake.sessions(), "never more than Tradovate's two sessions").toBeLessThanOrEqual(2);
  });

  it("a penalty ticket is honoured: wait p-time, resend with the ticket", async () => {
    const fake = new TradovateFake();
    fake.penalizeNextLogin(0);
    const { conn, transport } = connection(fake);
    const keeper = testSessionKeeper(conn, transport);
    await keeper.current();
    expect(fake.logins, "the held login and its resend with p-ticket").toBe(2);
  });

  it("a captcha stops the connection with a sentence the trader can act on", async () => {
    const fake = new TradovateFake();
    fake.penalizeNextLogin(5, true);
    const { conn, transport } = connection(fake);
    const keeper = testSessionKeeper(conn, transport);
    const e = await keeper.current().catch((err: unknown) => err);
    expect(e instanceof BrokerError ? { code: e.code, kind: e.kind } : e).toEqual({ code: "captcha-required", kind: "auth-expired" });
    expect(fake.logins, "not retried blind").toBe(1);
  });
});
