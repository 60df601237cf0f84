/**
 * Kraken's nonces come from the connection's one owner object: two isolates
 * serving the same connection (here two clients whose clocks disagree by
 * seconds, as isolates' clocks may) interleave their private calls and
 * Kraken never sees a nonce that does not rise. Without the owner, the
 * lagging isolate's nonces fall below the other's and Kraken refuses them
 * (`EAPI:Invalid nonce`): the audit's finding, reproduced first.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { KrakenFake } from "../../plugins/kraken/fake";
import { krakenPlugin } from "../../plugins/kraken";
import { BrokerError, type BrokerClient } from "../../plugins/sdk";
import { connectPlugin } from "../../plugins/sdk/host";
import { sharedNonceFor } from "../../worker/connections/session-access";

const BASE = "https://api.kraken.test";

function isolate(fake: KrakenFake, connectionId: string, skewMs: number, shared: boolean): BrokerClient {
  const now = () => new Date(Date.now() + skewMs);
  return connectPlugin({
    plugin: krakenPlugin,
    connectionId,
    credentials: { apiKey: fake.apiKey, privateKey: fake.privateKey },
    settings: {},
    environment: "live",
    baseUrl: BASE,
    transport: (r) => fake.fetch(r),
    now,
    rateLimit: "off",
    logSink: () => undefined,
    ...(shared && { sharedNonce: sharedNonceFor(env, connectionId, now) }),
  });
}

describe("Kraken nonces across isolates", () => {
  it("per-isolate nonces: an isolate whose clock lags is refused with EAPI:Invalid nonce", async () => {
    const fake = new KrakenFake();
    const id = `kraken-${crypto.randomUUID()}`;
    const ahead = isolate(fake, id, 0, false);
    const behind = isolate(fake, id, -5_000, false);
    await ahead.getBalance("spot");
    const e = await behind.getBalance("spot").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(BrokerError);
    expect((e as BrokerError).code).toBe("invalid-nonce");
  });

  it("owner nonces: interleaved calls from both isolates all pass, and the owner never hands out the same nonce twice", async () => {
    const fake = new KrakenFake();
    const id = `kraken-${crypto.randomUUID()}`;
    const ahead = isolate(fake, id, 0, true);
    const behind = isolate(fake, id, -5_000, true);
    // In turn (Kraken must see them in the order they were numbered), alternating isolates.
    for (let i = 0; i < 4; i++) {
      await ahead.getBalance("spot");
      await behind.getBalance("spot");
    }
    const nonces = await Promise.all(Array.from({ length: 20 }, (_, i) => sharedNonceFor(env, id, () => new Date(Date.now() - (i % 2) * 5_000))()));
    expect(new Set(nonces).size, "20 distinct nonces from concurrent callers").toBe(20);
    const sorted = [...nonces].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(sorted[0]! > 0n).toBe(true);
  });
});
