/**
 * The Worker's outgoing network for tests of real-broker connections: the
 * Worker and the tests share one isolate, so stubbing the global `fetch`
 * routes the OANDA plugin's requests to the OANDA fake. Every URL the Worker
 * asked for is recorded, so a test can prove that nothing went to a host it
 * must never reach (an attacker's base URL, a metadata address).
 *
 * @module
 */
import { vi } from "vitest";
import type { OandaFake } from "../../plugins/oanda/fake";
import { OANDA_LIVE_URL, OANDA_PRACTICE_URL } from "../../plugins/oanda/manifest";

/** A loopback stand-in for a local fake broker (development only): answered by the practice fake. */
export const LOOPBACK_OANDA = "http://127.0.0.1:9999/v3";

/** Where the Worker's fetches went, in order. */
export interface NetworkLog {
  urls: string[];
}

/**
 * Routes OANDA's two hosts (and the loopback stand-in) to `fake`; any other
 * host is answered by `elsewhere` when given (a hostile server), else the
 * fetch fails as if the network were down. Restore with `vi.restoreAllMocks()`.
 */
export function routeOanda(fake: OandaFake, elsewhere?: (request: Request) => Response | Promise<Response>): NetworkLog {
  const log: NetworkLog = { urls: [] };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    log.urls.push(request.url);
    if (request.url.startsWith(OANDA_PRACTICE_URL) || request.url.startsWith(OANDA_LIVE_URL)) return fake.fetch(request);
    if (request.url.startsWith(LOOPBACK_OANDA)) return fake.fetch(new Request(request.url.replace(LOOPBACK_OANDA, OANDA_PRACTICE_URL), request));
    if (elsewhere) return elsewhere(request);
    throw new TypeError(`network disabled in tests: ${request.url}`);
  });
  return log;
}
