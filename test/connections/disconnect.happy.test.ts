/**
 * Disconnect: tokens revoked at the broker and gone from Tradeloop,
 * subscriptions paused, positions and orders at the broker untouched and
 * listed in the reply; the next signal is refused as connection-disconnected.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TradestationFake } from "../../plugins/tradestation/fake";
import { authed, signup } from "../helpers/api";
import { connectTradestation, routeToTradestation, type OAuthConnection } from "../helpers/oauth";
import { subscribe } from "../helpers/oauth-trading";
import { sendAlert, settledSignal } from "../helpers/trader";

afterEach(() => {
  vi.restoreAllMocks();
});

interface DisconnectReply {
  connection: OAuthConnection;
  openPositions: { ticker: string; quantity: number; accountId: string; brokerAccountId: string }[] | null;
  positionsMessage: string | null;
  pausedSubscriptions: string[];
  revoked: boolean;
}

describe("POST /api/connections/{id}/disconnect", () => {
  it("revokes and deletes the tokens, pauses the subscriptions, leaves the position open and lists it", async () => {
    const fake = new TradestationFake();
    routeToTradestation(fake);
    const { token } = await signup();
    const conn = await connectTradestation(token, fake);
    const { webhookUrl, subscriptionId } = await subscribe(token, conn.id);
    fake.setPrice("AAPL", "100");
    const bought = await sendAlert(webhookUrl, { ticker: "AAPL", action: "buy", quantity: 1 }, { query: "?wait=2500" });
    expect((await settledSignal(token, bought.body.id!)).trades[0]?.status).toBe("filled");
    const ordersBefore = (await fake.orders()).length;

    const res = await authed(token).post<DisconnectReply>(`/api/connections/${conn.id}/disconnect`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.connection).toMatchObject({ id: conn.id, status: "disconnected" });
    expect(res.body.openPositions).toEqual([{ ticker: "AAPL", quantity: 1, avgPrice: 100, accountId: conn.accounts[0]!.id, brokerAccountId: "11111111" }]);
    expect(res.body.pausedSubscriptions).toEqual([subscriptionId]);
    expect(res.body.revoked).toBe(true);
    expect(fake.oauth.calls.revoke, "revoked at TradeStation").toBe(1);
    expect(fake.oauth.liveGrants(), "the grant is dead at the broker").toBe(0);

    // Tokens gone from Tradeloop: the owner holds nothing, D1 holds no credentials.
    const owner = await env.CONNECTION_SESSION.getByName(conn.id).describe();
    expect(owner).toMatchObject({ hasTokens: false, storedKeys: [], alarmAt: null });
    const row = await env.DB.prepare("SELECT status, credentials_ciphertext FROM connections WHERE id = ?").bind(conn.id).first();
    expect(row).toEqual({ status: "disconnected", credentials_ciphertext: null });

    // The broker's position and orders are untouched.
    expect(fake.positionOf("AAPL")).toBe("1");
    expect((await fake.orders()).length).toBe(ordersBefore);

    // The subscription shows why it is paused; the next signal is logged and refused.
    const sub = await authed(token).get<{ paused: { code: string; reason: string } | null }>(`/api/subscriptions/${subscriptionId}`);
    expect(sub.body.paused?.code).toBe("connection-disconnected");
    const next = await sendAlert(webhookUrl, { ticker: "AAPL", action: "sell", quantity: 1 });
    const signal = await settledSignal(token, next.body.id!);
    expect(signal.trades).toMatchObject([{ status: "rejected", messageCode: "connection-disconnected" }]);
    expect(fake.positionOf("AAPL")).toBe("1");

    const events = await authed(token).get<{ kind: string }[]>("/api/events");
    expect(events.body[0]?.kind).toBe("connection-disconnected");
  });
});
