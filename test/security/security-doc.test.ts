/**
 * docs/security.md lists the error codes its protections answer; each must
 * exist with that HTTP status, and every security code the API has must be
 * listed.
 */
import { describe, expect, it } from "vitest";
import doc from "../../docs/security.md?raw";
import { API_ERROR_STATUS } from "../../worker/errors";

const SECURITY_CODES = ["credentials-required", "json-too-deep", "unauthorized", "forbidden", "setup-token-required", "signup-closed", "limit-reached", "too-many-requests"];

describe("docs/security.md", () => {
  it("documents each security messageCode with its real status", () => {
    const start = doc.indexOf("### Error codes of these protections");
    expect(start).toBeGreaterThan(0);
    const end = doc.indexOf("\n## ", start);
    const rows = doc
      .slice(start, end)
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
    const table = new Map(rows.map((r) => [r[0]!.replace(/`/g, ""), Number(r[1])]));
    expect([...table.keys()].sort()).toEqual([...SECURITY_CODES].sort());
    for (const [code, status] of table) expect((API_ERROR_STATUS as Record<string, number>)[code], code).toBe(status);
  });

  it("has a threat model and a way to report a vulnerability", () => {
    expect(doc).toMatch(/^## Threat model$/m);
    expect(doc).toMatch(/^## Reporting a vulnerability$/m);
  });
});
