/**
 * An external broker for the fault runs: the Alpaca fake (the richest fake:
 * Alpaca's accounts, buying power, shorting, order lifecycle and error
 * bodies), reached through the real Alpaca plugin exactly as in production.
 * The Worker sends a non-paper broker's requests with the global `fetch`, and
 * the tests share the isolate with the Worker and its Durable Objects, so a
 * stub of `fetch` routes Alpaca's hosts to the fake and refuses every other
 * host. Each connection gets its own key pair, which the fake turns into its
 * own account; the invariants then read that account from the fake, never
 * through the injected faults.
 *
 * @module
 */
import { expect, vi } from "vitest";
import { AlpacaFake } from "../../plugins/alpaca/fake";
import { ALPACA_DATA_URL, ALPACA_PAPER_URL } from "../../plugins/alpaca/manifest";
import { call } from "../helpers/trader";
import type { BrokerSide, LedgerSnapshot } from "./support";

/** The Alpaca fake behind the Worker's fetch, and the side of it a fault run checks. */
export interface AlpacaUnderTest {
  fake: AlpacaFake;
  broker: BrokerSide;
  /** Puts the Worker's fetch back. */
  restore(): void;
}

/**
 * Starts a fake Alpaca whose every symbol trades at `price` (market orders
 * fill there, with no spread), and routes the Worker's fetch to it.
 */
export function alpacaUnderTest(price: string): AlpacaUnderTest {
  const fake = new AlpacaFake({ acceptAnyKey: true, defaultPrice: price });
  const keys = new Map<string, string>();
  const hosts = [ALPACA_PAPER_URL, ALPACA_DATA_URL];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!hosts.some((h) => request.url.startsWith(`${h}/`))) throw new TypeError(`network disabled in tests: ${request.url}`);
    return fake.fetch(request);
  });

  const broker: BrokerSide = {
    name: "alpaca",
    fixedPrice: price,
    async connect(token, label) {
      const keyId = `PKFAULT${crypto.randomUUID().replaceAll("-", "").slice(0, 13).toUpperCase()}`;
      const conn = await call<{ id: string }>("POST", "/api/connections", {
        token,
        body: {
          broker: "alpaca",
          name: `Alpaca ${label}`,
          credentials: { keyId, secretKey: `secret-${keyId}` },
          settings: { environment: "paper" },
        },
      });
      expect(conn.status, JSON.stringify(conn.body)).toBe(201);
      keys.set(conn.body.id, keyId);
      return conn.body.id;
    },
    async snapshot(connectionId): Promise<LedgerSnapshot> {
      const keyId = keys.get(connectionId);
      if (keyId === undefined) throw new Error(`no Alpaca account for connection ${connectionId}`);
      // Alpaca's own view of the account: GET /v2/account, /v2/positions and /v2/orders?status=all, read off the fake.
      return {
        cash: fake.account(keyId).cash,
        positions: new Map(fake.positions(keyId).map((p) => [p.symbol, p.qty])),
        orders: fake.alpacaOrders(keyId).map((o) => ({
          clientOrderId: o.client_order_id,
          ticker: o.symbol,
          side: o.side,
          quantity: o.qty ?? "0",
          status: o.status,
          type: o.type,
        })),
      };
    },
  };
  return { fake, broker, restore: () => spy.mockRestore() };
}
