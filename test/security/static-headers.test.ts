/**
 * ui/public/_headers (copied into ui/dist by Vite) gives the dashboard's
 * static files, which Cloudflare serves without running the Worker, the same
 * security headers the Worker sets on its own answers.
 */
import { describe, expect, it } from "vitest";
import headersFile from "../../ui/public/_headers?raw";
import { CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY } from "../../worker/lib/security-headers";

describe("static asset headers", () => {
  it("ui/public/_headers matches the Worker's headers", () => {
    const lines = headersFile.split("\n").map((l) => l.trim());
    expect(lines).toContain("/*");
    expect(lines).toContain(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
    expect(lines).toContain("X-Content-Type-Options: nosniff");
    expect(lines).toContain("Referrer-Policy: no-referrer");
    expect(lines).toContain("X-Frame-Options: DENY");
    expect(lines).toContain(`Strict-Transport-Security: ${STRICT_TRANSPORT_SECURITY}`);
  });

});
