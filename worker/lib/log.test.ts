/**
 * The Worker's log lines: one JSON object per line, a request id on every
 * line, and no credential in any of them, whatever shape it hides in.
 */
import { afterEach, describe, expect, it } from "vitest";
import { currentRequestId, log, newRequestId, redactForLog, redactText, rememberSecretValues, setLogSink, withLogContext, type LogLine } from "./log";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

function capture(): LogLine[] {
  const lines: LogLine[] = [];
  restore = setLogSink((line) => lines.push(line));
  return lines;
}

describe("log lines", () => {
  it("carry the context's request id, and fields cannot overwrite it", () => {
    const lines = capture();
    withLogContext({ requestId: "8f1c2d3e4a5b6c7d-IAD" }, () => {
      log.info("webhook accepted", { strategyId: "s1", requestId: "forged", level: "debug", msg: "forged" });
    });
    expect(lines).toEqual([{ level: "info", msg: "webhook accepted", requestId: "8f1c2d3e4a5b6c7d-IAD", strategyId: "s1" }]);
  });

  it("keep concurrent units of work apart across awaits", async () => {
    const lines = capture();
    const unit = (id: string, delayMs: number) =>
      withLogContext({ requestId: id }, async () => {
        await new Promise((r) => setTimeout(r, delayMs));
        log.warn("after await");
        expect(currentRequestId()).toBe(id);
      });
    await Promise.all([unit("a", 5), unit("b", 1)]);
    expect(lines.map((l) => l.requestId).sort()).toEqual(["a", "b"]);
  });

  it("say `none` outside any unit of work instead of inventing an id", () => {
    const lines = capture();
    log.error("boot");
    expect(lines[0]?.requestId).toBe("none");
  });

  it("serialize to one JSON line on the console by default", () => {
    const seen: string[] = [];
    const original = console.log;
    console.log = (text: string) => seen.push(text);
    try {
      withLogContext({ requestId: newRequestId("cron") }, () => log.info("job done", { rows: 3 }));
    } finally {
      console.log = original;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toContain("\n");
    expect(JSON.parse(seen[0]!)).toMatchObject({ level: "info", msg: "job done", rows: 3, requestId: expect.stringMatching(/^cron-[0-9a-f-]{36}$/) });
  });
});

describe("redaction", () => {
  const webhookSecret = "Zq9xW2-vT7_secretPart";

  it("cuts the secret out of webhook paths and URLs", () => {
    expect(redactText(`/webhook/str_123/${webhookSecret}`)).toBe("/webhook/str_123/[redacted]");
    expect(redactText(`POST https://t.example.com/webhook/str_123/${webhookSecret}?wait=2000 failed`)).toBe(
      "POST https://t.example.com/webhook/str_123/[redacted]?wait=2000 failed",
    );
  });

  it("removes bearer tokens, JWTs, secret query parameters and long random base64", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyMSJ9.c2lnbmF0dXJlLXBhcnQ";
    const text = redactText(
      `auth=Bearer abc.def.ghi; token ${jwt}; link https://x/#/setup?token=Qk9PTV9zZWNyZXQ&x=1 key k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=`,
    );
    expect(text).not.toContain("abc.def.ghi");
    expect(text).not.toContain(jwt);
    expect(text).not.toContain("Qk9PTV9zZWNyZXQ");
    expect(text).not.toContain("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    expect(text).toContain("x=1");
  });

  it("leaves ids, tickers, amounts and stack-trace paths readable", () => {
    const plain = "order 3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21 AAPL buy 10 @ 190.25 at worker/execution/subscriptionqueuedrainloopfunction.ts:120";
    expect(redactText(plain)).toBe(plain);
  });

  it("blanks values under secret-looking keys, deep, and scrubs Errors and Headers", () => {
    const redacted = redactForLog({
      connection: { credentials: { apiKey: "PKTEST1234", apiSecret: "s3cr3t-value" }, name: "Alpaca" },
      headers: new Headers({ authorization: "Bearer sk_live_x", "content-type": "application/json" }),
      error: new Error(`fetch /webhook/s1/${webhookSecret} failed`),
      list: [{ password: "hunter2hunter2" }],
    }) as Record<string, unknown>;
    const text = JSON.stringify(redacted);
    for (const leaked of ["PKTEST1234", "s3cr3t-value", "sk_live_x", webhookSecret, "hunter2hunter2"]) expect(text).not.toContain(leaked);
    expect(text).toContain("Alpaca");
    expect(text).toContain("application/json");
  });

  it("never writes a remembered secret value, whole or part by part", () => {
    const lines = capture();
    rememberSecretValues(["k2:bmV3LXZhdWx0LWtleS0xMjM0NTY3OA==,k1:b2xkLXZhdWx0LWtleS04NzY1NDMyMQ==", "pepper-value-xyz"]);
    log.error("misconfigured", { detail: "key b2xkLXZhdWx0LWtleS04NzY1NDMyMQ== and pepper-value-xyz were rejected" });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("b2xkLXZhdWx0LWtleS04NzY1NDMyMQ==");
    expect(text).not.toContain("pepper-value-xyz");
  });
});
