/**
 * Test-only helpers shared by the Binance and Kraken scenario tests: clients
 * built through the SDK host (as the core builds them) over a fake or a
 * scripted transport.
 *
 * @module
 */
import { BrokerError, type BrokerClient, type BrokerPlugin } from "../sdk";
import { connectPlugin } from "../sdk/host";
import { replyToResponse, type FakeReply, type RecordedFixture } from "../testkit";

export interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Connection options of a test client. */
export interface TestBase {
  credentials: unknown;
  baseUrl: string;
  now: Date | (() => Date);
  settings?: Record<string, unknown>;
  environment?: "paper" | "live";
}

/** A client built exactly as the core builds it (SDK host: shared fetch, guard), over `transport`. */
export function hostClient(plugin: BrokerPlugin, options: TestBase, transport: (request: Request) => Promise<Response>): BrokerClient {
  const now = options.now;
  return connectPlugin({
    plugin,
    connectionId: `test-${crypto.randomUUID()}`,
    credentials: options.credentials,
    settings: options.settings ?? {},
    environment: options.environment ?? "paper",
    baseUrl: options.baseUrl,
    transport,
    now: typeof now === "function" ? now : () => now,
    rateLimit: "off",
    logSink: () => undefined,
  });
}

/** A client whose transport records every request and answers from a script (default `200 {}`). */
export function scriptedClient(plugin: BrokerPlugin, options: TestBase, replies: readonly (FakeReply | RecordedFixture | Error)[]): { client: BrokerClient; sent: Captured[] } {
  const sent: Captured[] = [];
  const queue = [...replies];
  const client = hostClient(plugin, options, async (request) => {
    sent.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers.entries()), body: await request.text() });
    const next = queue.shift() ?? { status: 200, body: {} };
    if (next instanceof Error) throw next;
    return replyToResponse("response" in next ? next.response : next);
  });
  return { client, sent };
}

/** Awaits a promise that must fail with a BrokerError. */
export async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw e;
  }
  throw new Error("expected a BrokerError");
}
