/**
 * The Pages Function that forwards the standalone dashboard's API calls to
 * the Worker, with the real Worker behind the service binding: requests
 * pass unchanged (method, body, cookie and Origin headers, the Pages host),
 * replies come back unchanged, and no CORS headers are added.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forwardToWorker, type PagesEnv } from "./forward";

const PAGES_ORIGIN = "https://tradeloop-dashboard.pages.dev";
const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

/** A service binding that records what it was given and hands it to the real Worker. */
function binding(seen: Request[]): Fetcher {
  return {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      return worker.fetch(request);
    },
    connect: () => {
      throw new Error("not used");
    },
  } as unknown as Fetcher;
}

async function run(request: Request, env: Partial<PagesEnv>): Promise<Response> {
  const context = { request, env, params: {}, data: {}, functionPath: "/api/[[path]]", waitUntil: () => {}, passThroughOnException: () => {}, next: () => Promise.resolve(new Response(null, { status: 404 })) };
  return forwardToWorker(context as unknown as Parameters<typeof forwardToWorker>[0]);
}

describe("the Pages Function", () => {
  it("forwards a sign-up unchanged and returns the Worker's reply unchanged", async () => {
    const seen: Request[] = [];
    const body = JSON.stringify({ email: `pages-${crypto.randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery" });
    const res = await run(
      new Request(`${PAGES_ORIGIN}/api/auth/signup`, { method: "POST", headers: { "content-type": "application/json", origin: PAGES_ORIGIN, cookie: "a=b" }, body }),
      { API: binding(seen) },
    );
    expect(res.status).toBe(201);
    const reply = (await res.json()) as { token: string; user: { email: string } };
    expect(reply.user.email).toMatch(/^pages-/);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();

    const [forwarded] = seen;
    expect(forwarded?.url).toBe(`${PAGES_ORIGIN}/api/auth/signup`);
    expect(forwarded?.method).toBe("POST");
    expect(forwarded?.headers.get("origin")).toBe(PAGES_ORIGIN);
    expect(forwarded?.headers.get("cookie")).toBe("a=b");
    expect(await forwarded?.text()).toBe(body);

    // An authenticated read goes through too, and webhook URLs point at the Pages host.
    const strategy = await run(
      new Request(`${PAGES_ORIGIN}/api/strategies`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${reply.token}`, origin: PAGES_ORIGIN }, body: JSON.stringify({ name: "Via Pages", assetClass: "stocks" }) }),
      { API: binding(seen) },
    );
    expect(strategy.status).toBe(201);
    expect(((await strategy.json()) as { webhookUrl: string }).webhookUrl.startsWith(`${PAGES_ORIGIN}/webhook/`)).toBe(true);
  });

  it("answers 503 in words when the Worker is not bound", async () => {
    const res = await run(new Request(`${PAGES_ORIGIN}/api/health`), {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not connected to its Tradeloop Worker/);
  });
});
