/** The SDK's JSON caller: the round trip every HTTP plugin shares (sign → fetch → read → map errors → validate). */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { PluginFetch, PluginFetchOptions } from "./context";
import { BrokerError } from "./errors";
import { jsonCaller, unexpectedAnswer, type VenueAnswer, type VenueRequest } from "./json-caller";

interface TestRequest extends VenueRequest {
  path: string;
  body?: unknown;
}

/** A fetch that answers from a script and records what it was given. */
function scripted(replies: (() => Response)[]) {
  const seen: { request: Request; options: PluginFetchOptions | undefined; body: string }[] = [];
  const fetch: PluginFetch = async (request, options) => {
    seen.push({ request, options, body: await request.clone().text() });
    const next = replies.shift();
    if (!next) throw new Error("no reply scripted");
    return next();
  };
  return { fetch, seen };
}

function callerFor(fetch: PluginFetch, extra: Partial<Parameters<typeof jsonCaller<TestRequest>>[0]> = {}) {
  return jsonCaller<TestRequest>({
    venue: "Venue",
    fetch,
    sign: (r) =>
      new Request(`https://venue.example${r.path}`, {
        method: r.method,
        headers: { authorization: "Bearer k", ...(r.body !== undefined && { "content-type": "application/json" }) },
        body: r.body === undefined ? null : JSON.stringify(r.body),
      }),
    error: (answer: VenueAnswer, r: TestRequest) =>
      new BrokerError(`mapped ${answer.status}`, { code: "mapped", kind: r.placingOrder ? "outcome-unknown" : "rejected", status: answer.status, raw: answer.body }),
    ...extra,
  });
}

const Ok = z.object({ id: z.string() });

describe("jsonCaller", () => {
  it("sends the signed request and returns the validated body", async () => {
    const { fetch, seen } = scripted([() => Response.json({ id: "o1", extra: 1 })]);
    const caller = callerFor(fetch);
    await expect(caller.call({ method: "POST", path: "/orders", body: { qty: "1" }, placingOrder: true }, Ok)).resolves.toEqual({ id: "o1" });
    expect(seen[0]?.request.headers.get("authorization")).toBe("Bearer k");
    expect(seen[0]?.body).toBe('{"qty":"1"}');
    // No override: the core's fetch decides idempotency from the method.
    expect(seen[0]?.options).toBeUndefined();
  });

  it("passes an explicit idempotency to the core's fetch (reads through POST)", async () => {
    const { fetch, seen } = scripted([() => Response.json({ id: "x" })]);
    await callerFor(fetch).call({ method: "POST", path: "/query", idempotent: true }, Ok);
    expect(seen[0]?.options).toEqual({ idempotent: true });
  });

  it("maps a failed answer through the plugin's table, with the body parsed (or as text)", async () => {
    const { fetch } = scripted([() => Response.json({ code: 7 }, { status: 422 }), () => new Response("<html>bad gateway</html>", { status: 502 })]);
    const caller = callerFor(fetch);
    await expect(caller.call({ method: "GET", path: "/a" }, Ok)).rejects.toMatchObject({ code: "mapped", status: 422, raw: { code: 7 } });
    await expect(caller.call({ method: "GET", path: "/a" }, Ok)).rejects.toMatchObject({ status: 502, raw: "<html>bad gateway</html>" });
  });

  it("lets a venue call a 200 a failure and unwrap an envelope", async () => {
    const { fetch } = scripted([() => Response.json({ error: ["EOrder:Nope"], result: null }), () => Response.json({ error: [], result: { id: "t" } })]);
    const caller = callerFor(fetch, {
      failed: (a) => Array.isArray((a.body as { error?: unknown[] }).error) && (a.body as { error: unknown[] }).error.length > 0,
      payload: (a) => (a.body as { result: unknown }).result,
    });
    await expect(caller.call({ method: "GET", path: "/x" }, Ok)).rejects.toMatchObject({ code: "mapped", status: 200 });
    await expect(caller.call({ method: "GET", path: "/x" }, Ok)).resolves.toEqual({ id: "t" });
  });

  it("an answer that does not match the schema is bad-response: outcome-unknown only when it may have placed an order", async () => {
    const { fetch } = scripted([() => Response.json({ nope: 1 }), () => Response.json({ nope: 1 })]);
    const caller = callerFor(fetch);
    await expect(caller.call({ method: "POST", path: "/orders", placingOrder: true }, Ok)).rejects.toMatchObject({
      code: "bad-response",
      kind: "outcome-unknown",
      message: "Venue sent an unexpected answer to POST /orders.",
    });
    await expect(caller.call({ method: "GET", path: "/orders" }, Ok)).rejects.toMatchObject({ code: "bad-response", kind: "retryable" });
  });

  it("send() returns an empty answer unvalidated (a 204)", async () => {
    const { fetch } = scripted([() => new Response(null, { status: 204 })]);
    const answer = await callerFor(fetch).send({ method: "DELETE", path: "/orders/1" });
    expect(answer).toMatchObject({ status: 204, body: undefined, label: "DELETE /orders/1" });
  });

  it("lets transport errors of the core's fetch through untouched", async () => {
    const lost = new BrokerError("no answer", { code: "broker-timeout", kind: "outcome-unknown" });
    const caller = callerFor(async () => {
      throw lost;
    });
    await expect(caller.call({ method: "POST", path: "/orders", placingOrder: true }, Ok)).rejects.toBe(lost);
  });

  it("unexpectedAnswer keeps status and body for the log", () => {
    const e = unexpectedAnswer("Venue", { status: 200, headers: new Headers(), body: "x", label: "GET /y" }, false);
    expect(e).toMatchObject({ code: "bad-response", kind: "retryable", status: 200, raw: "x" });
  });
});
