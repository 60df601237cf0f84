/**
 * An external broker for end-to-end tests: the Alpaca fake (the richest
 * fake: Alpaca's accounts, buying power, shorting, order lifecycle and error
 * bodies), reached through the real Alpaca plugin exactly as in production.
 *
 * The Worker sends a non-paper broker's requests with the global `fetch`,
 * and the tests share the isolate with the Worker and its Durable Objects,
 * so a stub of `fetch` routes Alpaca's hosts to the fake and refuses every
 * other host. Each connection gets its own key pair, which the fake turns
 * into its own account.
 *
 * Holds replace timing: `holdRequest` keeps the next matching request at the
 * broker's door and `holdReply` lets the broker do the work but keeps the
 * answer, until the test releases it. A test that crashes an object "in the
 * middle of a broker call" awaits `reached` first, so the crash provably
 * lands mid-call, with no sleep deciding it.
 *
 * @module
 */
import { vi } from "vitest";
import { AlpacaFake } from "../../plugins/alpaca/fake";
import { ALPACA_DATA_URL, ALPACA_PAPER_URL } from "../../plugins/alpaca/manifest";
import type { BrokerSide, LedgerSnapshot } from "./brokers";
import { api, expectStatus } from "./api";

/** Which requests a hold applies to. */
export interface RequestMatch {
  method: string;
  /** Path as Alpaca documents it, e.g. `/v2/orders`. */
  path: string;
}

/** A request held at the broker; `reached` resolves once it got there, `release()` lets it go on. */
export interface Hold {
  reached: Promise<void>;
  release(): void;
  /** Resolves once the released request has been through the broker (whatever the broker answered). */
  finished: Promise<void>;
  /**
   * For a request held at the door whose sender has since died (aborted
   * object): delivers a copy of it to the broker now, as a network that
   * carried the packet late would. Returns the broker's answer.
   */
  deliverLate(): Promise<Response>;
}

/** The Alpaca fake behind the Worker's fetch. */
export interface AlpacaUnderTest {
  fake: AlpacaFake;
  broker: BrokerSide;
  /** The next matching request waits before the broker sees it, until released. */
  holdRequest(match: RequestMatch): Hold;
  /** The next matching request is executed by the broker, and its answer waits until released. */
  holdReply(match: RequestMatch): Hold;
  /** Puts the Worker's fetch back. */
  restore(): void;
}

/**
 * A hold's state, as plain flags. The held caller is a Durable Object the
 * test may abort while it waits, so neither side awaits a promise made in
 * the other's request context (workerd cannot drop such a chain when the
 * object dies, and a test continuation resumed inside the object would be
 * aborted with it): each side watches the flags on its own short timers.
 * The timers only poll; the flags decide.
 */
interface PendingHold {
  match: RequestMatch;
  stage: "request" | "reply";
  flags: { arrived: boolean; released: boolean; done: boolean };
  /** The held request as data (the Request object belongs to the sender's context). */
  copy: { url: string; method: string; headers: [string, string][]; body: string | null } | null;
}

/** Resolves, on the caller's own timers, once `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function newHold(match: RequestMatch, stage: PendingHold["stage"], holds: PendingHold[], fake: AlpacaFake): Hold {
  const pending: PendingHold = { match, stage, flags: { arrived: false, released: false, done: false }, copy: null };
  holds.push(pending);
  return {
    reached: until(() => pending.flags.arrived),
    release: () => void (pending.flags.released = true),
    get finished() {
      return until(() => pending.flags.done);
    },
    deliverLate: () => {
      const c = pending.copy;
      if (!c) throw new Error("nothing was held at the door to deliver");
      return fake.fetch(new Request(c.url, { method: c.method, headers: c.headers, body: c.body }));
    },
  };
}

/**
 * Starts a fake Alpaca whose every symbol trades at `price` (market orders
 * fill there, with no spread), and routes the Worker's fetch to it.
 */
export function alpacaUnderTest(price: string): AlpacaUnderTest {
  const fake = new AlpacaFake({ acceptAnyKey: true, defaultPrice: price });
  const keys = new Map<string, string>();
  const holds: PendingHold[] = [];
  const hosts = [ALPACA_PAPER_URL, ALPACA_DATA_URL];
  const take = (request: Request, stage: PendingHold["stage"]): PendingHold | undefined => {
    const path = new URL(request.url).pathname;
    const i = holds.findIndex((h) => h.stage === stage && h.match.method === request.method && h.match.path === path);
    return i < 0 ? undefined : holds.splice(i, 1)[0];
  };

  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (!hosts.some((h) => request.url.startsWith(`${h}/`))) throw new TypeError(`network disabled in tests: ${request.url}`);
    const atDoor = take(request, "request");
    if (atDoor) {
      const body = request.method === "GET" ? null : await request.clone().text();
      atDoor.copy = { url: request.url, method: request.method, headers: [...request.headers.entries()], body };
      atDoor.flags.arrived = true;
      await until(() => atDoor.flags.released);
    }
    const afterWork = take(request, "reply");
    try {
      const response = await fake.fetch(request);
      if (afterWork) {
        afterWork.flags.arrived = true;
        await until(() => afterWork.flags.released);
      }
      return response;
    } finally {
      if (atDoor) atDoor.flags.done = true;
      if (afterWork) afterWork.flags.done = true;
    }
  });

  const broker: BrokerSide = {
    name: "alpaca",
    fixedPrice: price,
    async connect(token, label) {
      const keyId = `PKTEST${crypto.randomUUID().replaceAll("-", "").slice(0, 14).toUpperCase()}`;
      const conn = await api<{ id: string }>("POST", "/api/connections", {
        token,
        json: { broker: "alpaca", name: `Alpaca ${label}`, credentials: { keyId, secretKey: `secret-${keyId}` }, settings: { environment: "paper" } },
      });
      expectStatus(conn, 201);
      keys.set(conn.body.id, keyId);
      return conn.body.id;
    },
    async snapshot(connectionId): Promise<LedgerSnapshot> {
      const keyId = keys.get(connectionId);
      if (keyId === undefined) throw new Error(`no Alpaca account for connection ${connectionId}`);
      // Alpaca's own view of the account (GET /v2/account, /v2/positions, /v2/orders?status=all), read off the fake.
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
  return {
    fake,
    broker,
    holdRequest: (match) => newHold(match, "request", holds, fake),
    holdReply: (match) => newHold(match, "reply", holds, fake),
    restore: () => spy.mockRestore(),
  };
}
