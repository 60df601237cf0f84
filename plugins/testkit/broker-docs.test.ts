/** docs/brokers.md must be exactly what the installed plugins' manifests generate. */
import { describe, expect, it } from "vitest";
import doc from "../../docs/brokers.md?raw";
import { currentBrokerDocs, REGENERATE } from "./broker-docs";

describe("docs/brokers.md", () => {
  it("is generated from the current manifests", () => {
    const fresh = currentBrokerDocs();
    expect(doc === fresh, `docs/brokers.md is stale: run \`${REGENERATE}\``).toBe(true);
  });
});
