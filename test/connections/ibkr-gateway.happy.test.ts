/**
 * An Interactive Brokers connection through the Worker: the user's gateway
 * URL (a host of their own) with the Access service token, the session
 * owner's alarm tickling the gateway, the gateway's state surfaced as the
 * connection's status (logged out → expired with what to do; unreachable →
 * error, then connected again), a test after the user logged in bringing it
 * back, and an alert becoming an order with Tradeloop's id as cOID.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAKE_IBKR_ACCESS, FAKE_IBKR_ACCOUNT, FAKE_IBKR_GATEWAY, IbkrGatewayFake } from "../../plugins/ibkr/fake";
import { authed, login, signup } from "../helpers/api";
import { sendAlert, settledSignal } from "../helpers/trader";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Routes the Worker's outgoing fetches to the fake gateway; `down` makes the tunnel unreachable. */
function routeToGateway(fake: IbkrGatewayFake, state: { down: boolean } = { down: false }) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!request.url.startsWith("https://ibkr-gateway.example.test/")) throw new TypeError(`network disabled in tests: ${request.url}`);
    if (state.down) throw new TypeError("connection refused");
    return fake.fetch(request);
  });
  return state;
}

interface Conn {
  id: string;
  status: string;
  statusReason: string | null;
  accounts: { id: string; brokerAccountId: string; mode: string }[];
}

async function connect(token: string): Promise<Conn> {
  const created = await authed(token).post<Conn>("/api/connections", {
    broker: "ibkr",
    name: "IBKR paper",
    settings: { environment: "paper", baseUrl: FAKE_IBKR_GATEWAY },
    credentials: { ...FAKE_IBKR_ACCESS },
  });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

describe("Interactive Brokers through the user's gateway", () => {
  it("connects, keeps the gateway alive from the owner's alarm, and trades an alert with cOID", async () => {
    const fake = new IbkrGatewayFake();
    routeToGateway(fake);
    fake.setPrice("AAPL", "200");
    const { token } = await signup();
    const conn = await connect(token);
    expect(conn.accounts.map((a) => [a.brokerAccountId, a.mode])).toEqual([[FAKE_IBKR_ACCOUNT, "paper"]]);

    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    const before = fake.tickles;
    const state = await owner.describe();
    expect(state.hasTokens, "the owner holds the gateway session marker").toBe(true);
    expect(state.alarmAt, "a keepalive is scheduled about a minute ahead").not.toBeNull();
    // The alarm's keepalive, a minute later.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await runDurableObjectAlarm(owner);
    expect(fake.tickles, "the alarm tickled the gateway").toBe(before + 1);
    vi.useRealTimers();

    const strategy = await authed(token).post<{ id: string; webhookUrl: string }>("/api/strategies", { name: "AAPL", assetClass: "stocks" });
    const sub = await authed(token).post<{ id: string }>("/api/subscriptions", { strategyId: strategy.body.id, connectionId: conn.id, settings: { quantity: 3 } });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    const alert = await sendAlert(strategy.body.webhookUrl, { ticker: "AAPL", action: "buy", orderType: "limit", limitPrice: 201 });
    expect(alert.status, JSON.stringify(alert.body)).toBe(200);
    const signal = await settledSignal(token, alert.body.id!);
    const trade = signal.trades[0];
    expect(trade?.status, JSON.stringify(signal)).toBe("filled");
    const orders = await fake.orders();
    expect(orders.length).toBe(1);
    expect(orders[0]?.clientOrderId, "Tradeloop's id went out as cOID").toMatch(/^tl[0-9a-f]{32}$/);
  });

  it("a logged-out gateway expires the connection saying to log in; a test after logging in reconnects it", async () => {
    const fake = new IbkrGatewayFake();
    routeToGateway(fake);
    const { token } = await signup();
    const conn = await connect(token);
    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    fake.revokeGrant();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await runDurableObjectAlarm(owner);
    vi.useRealTimers();
    const expired = (await authed(token).get<Conn>(`/api/connections/${conn.id}`)).body;
    expect(expired.status).toBe("expired");
    expect(expired.statusReason).toMatch(/gateway is logged out: open the gateway's page .* log in/);

    fake.logIn();
    const tested = await authed(token).post<{ ok: boolean; status: string }>(`/api/connections/${conn.id}/test`, {});
    expect(tested.body, tested.text).toMatchObject({ ok: true, status: "connected" });
    expect((await owner.describe()).hasTokens, "a fresh session after the login").toBe(true);
  });

  it("an unreachable gateway turns the connection to error after a few keepalives, and back to connected when it answers", async () => {
    const fake = new IbkrGatewayFake();
    const net = routeToGateway(fake);
    const user = await signup();
    const conn = await connect(user.token);
    const owner = env.CONNECTION_SESSION.getByName(conn.id);
    net.down = true;
    vi.useFakeTimers({ toFake: ["Date"] });
    let now = Date.now();
    for (let i = 0; i < 3; i++) {
      now += 16 * 60_000;
      vi.setSystemTime(now);
      await runDurableObjectAlarm(owner);
    }
    // The clock moved past the 15-minute access token: sign in again to read the connection.
    let token = await login(user);
    const down = (await authed(token).get<Conn>(`/api/connections/${conn.id}`)).body;
    expect(down.status).toBe("error");
    expect(down.statusReason).toMatch(/session cannot be renewed right now/);
    net.down = false;
    now += 16 * 60_000;
    vi.setSystemTime(now);
    await runDurableObjectAlarm(owner);
    token = await login(user);
    vi.useRealTimers();
    expect((await authed(token).get<Conn>(`/api/connections/${conn.id}`)).body.status).toBe("connected");
  });
});
