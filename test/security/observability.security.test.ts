/**
 * Finding 4: the webhook secret is in the URL path, and `[observability]`
 * with invocation logs recorded every request URL, while docs/security.md
 * said the URL was never logged. Now invocation logs (and traces) are off in
 * wrangler.toml, the Worker's own log lines go through `loggablePath`
 * (worker/lib/redact.test.ts), and the doc says what is and is not recorded.
 */
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import securityDoc from "../../docs/security.md?raw";

/** The body of a `[section]` of wrangler.toml (up to the next header). */
function section(name: string): string | null {
  const start = wranglerToml.indexOf(`\n[${name}]\n`);
  if (start < 0) return null;
  const rest = wranglerToml.slice(start + name.length + 4);
  const end = rest.search(/\n\[/);
  return end < 0 ? rest : rest.slice(0, end);
}

const setting = (body: string | null, key: string) => body?.match(new RegExp(`^${key}\\s*=\\s*(\\S+)`, "m"))?.[1];

describe("no log the deployment turns on records a webhook secret", () => {
  it("invocation logs, which record request URLs, are off; traces are not enabled", () => {
    expect(setting(section("observability.logs"), "invocation_logs")).toBe("false");
    expect(setting(section("observability.traces"), "enabled") ?? "false").toBe("false");
  });

  it("docs/security.md no longer claims the URL is never logged, and names the real switches", () => {
    expect(securityDoc).not.toMatch(/URL is not logged at all/);
    expect(securityDoc).toMatch(/invocation_logs = false/);
    expect(securityDoc).toMatch(/X-Webhook-Passphrase/);
  });
});
